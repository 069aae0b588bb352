/* landsym train: train the student of a config from a seed (docs/train.md). Options come
 * from the config's "train" section, overridden by flags of the same names. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/train_keys.h"
#include "cli/train_out.h"
#include "landsym/config.h"
#include "landsym/ctx.h"
#include "landsym/io.h"
#include "landsym/optim.h"

static void train_usage(FILE *out) {
  fprintf(out,
          "usage: landsym train --config FILE [--seed N] [--out DIR] [--params FILE] [options]\n\n"
          "Train the student network of an experiment config (docs/config.md) on its data:\n"
          "a first phase (gd, adam, or the gradient flow integrated with CVODE) then second-order\n"
          "polishing (Newton trust region, SLSQP, LBFGS, Levenberg-Marquardt on the residuals)\n"
          "down to the gradient floor.\n"
          "Writes result.json, params.npy, init.npy, trajectory.npy/.csv and the loss curve\n"
          "(loss.png/.svg with loss.dat and loss.gp) into DIR; prints result.json on stdout.\n\n"
          "  --config FILE    experiment config (JSON) or builtin:thesis\n"
          "  --seed N         seed of the initial point and of minibatches (config 'seed', else 0)\n"
          "  --out DIR        output directory (default train-out), created if missing\n"
          "  --params FILE    start from these parameters (.npy/.json) instead of the seeded init\n"
          "  --no-plot        do not draw the loss curve\n"
          "  --quiet          no progress line\n"
          "  --help           this text\n\n"
          "Training options (config section \"train\"; a flag overrides the key of the same name):\n");
  for (int i = 0; i < train_nkeys; i++) {
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", train_keys[i].key);
    for (char *c = flag; *c; c++)
      if (*c == '_') *c = '-';
    const char *arg = train_keys[i].type == TK_DOUBLE  ? " X"
                      : train_keys[i].type == TK_COUNT ? " N"
                      : train_keys[i].type == TK_BOOL  ? " B"
                                                       : " S";
    char left[96];
    snprintf(left, sizeof left, "%s%s", flag, arg);
    fprintf(out, "  %-22s %s\n", left, train_keys[i].help);
  }
}

typedef struct {
  const char *config, *out, *params;
  long long seed;
  int have_seed, plot, quiet;
  json_t *over; /* flag overrides of the train section */
} train_cli;

enum { OPT_CONFIG = 1000, OPT_SEED, OPT_OUT, OPT_PARAMS, OPT_NOPLOT, OPT_QUIET, OPT_HELP };

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, train_cli *c) {
  struct option lo[64];
  char names[64][40];
  int n = 0;
  for (int i = 0; i < train_nkeys && n < 50; i++, n++) {
    snprintf(names[n], sizeof names[n], "%s", train_keys[i].key);
    for (char *p = names[n]; *p; p++)
      if (*p == '_') *p = '-';
    lo[n] = (struct option){names[n], required_argument, 0, i};
  }
  struct option fixed[] = {{"config", required_argument, 0, OPT_CONFIG},
                           {"seed", required_argument, 0, OPT_SEED},
                           {"out", required_argument, 0, OPT_OUT},
                           {"params", required_argument, 0, OPT_PARAMS},
                           {"no-plot", no_argument, 0, OPT_NOPLOT},
                           {"quiet", no_argument, 0, OPT_QUIET},
                           {"help", no_argument, 0, OPT_HELP}};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) lo[n++] = fixed[i];
  lo[n] = (struct option){0, 0, 0, 0};
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    if (ch >= 0 && ch < train_nkeys) {
      json_t *v;
      if (train_key_from_text(&train_keys[ch], optarg, &v)) {
        const char *what = train_keys[ch].type == TK_DOUBLE  ? "a finite number"
                           : train_keys[ch].type == TK_COUNT ? "a non-negative integer"
                                                             : "true or false";
        return cli_usage_error("train", "--%s needs %s, got '%s'", names[ch], what, optarg);
      }
      json_object_set_new(c->over, train_keys[ch].key, v);
      continue;
    }
    switch (ch) {
      case OPT_CONFIG: c->config = optarg; break;
      case OPT_OUT: c->out = optarg; break;
      case OPT_PARAMS: c->params = optarg; break;
      case OPT_NOPLOT: c->plot = 0; break;
      case OPT_QUIET: c->quiet = 1; break;
      case OPT_SEED: {
        long v;
        if (cli_parse_long(optarg, &v) || v < 0)
          return cli_usage_error("train", "--seed needs a non-negative integer, got '%s'", optarg);
        c->seed = v, c->have_seed = 1;
        break;
      }
      case OPT_HELP: train_usage(stdout); return 0;
      default:
        return cli_usage_error("train", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
  if (!c->config) return cli_usage_error("train", "--config FILE is required");
  return -1;
}

/* Progress line on a terminal: phase, iteration, loss, gradient, best loss, time. */
static int progress_line(const ls_train_progress *p, void *user) {
  (void)user;
  fprintf(stderr, "\r\033[K[%s] iter %zu  loss %.3e  grad %.3e  best %.3e  %.1f s", p->phase,
          p->iter, p->loss, p->grad_norm, p->best_loss, p->wall);
  fflush(stderr);
  return 0;
}

/* Seed: --seed, else the config's top-level "seed", else 0. */
static ls_status resolve_seed(const ls_config *cfg, const train_cli *c, uint64_t *seed,
                              ls_error *err) {
  if (c->have_seed) {
    *seed = (uint64_t)c->seed;
    return LS_OK;
  }
  json_t *s = json_object_get(cfg->root, "seed");
  if (!s) {
    *seed = 0;
    return LS_OK;
  }
  if (!json_is_integer(s) || json_integer_value(s) < 0)
    return ls_error_set(err, LS_ERR_INPUT, "%s: seed: expected a non-negative integer", cfg->path);
  *seed = (uint64_t)json_integer_value(s);
  return LS_OK;
}

static ls_status initial_point(const ls_config *cfg, const train_cli *c, const train_settings *st,
                               uint64_t seed, double **theta, char *desc, size_t dlen,
                               ls_error *err) {
  size_t P = ls_net_nparams(&cfg->student);
  if (c->params) {
    snprintf(desc, dlen, "%s", c->params);
    return ls_params_read_net(c->params, &cfg->student, theta, err);
  }
  *theta = malloc(P * sizeof **theta);
  if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!strcmp(st->init, "normal")) {
    ls_params_normal(&cfg->student, seed, st->init_scale, *theta);
    snprintf(desc, dlen, "normal scale %g seed %llu", st->init_scale, (unsigned long long)seed);
  } else {
    ls_params_glorot(&cfg->student, seed, *theta);
    snprintf(desc, dlen, "glorot seed %llu", (unsigned long long)seed);
  }
  return LS_OK;
}

int cmd_train(int argc, char **argv) {
  train_cli c = {0};
  c.out = "train-out";
  c.plot = 1;
  c.over = json_object();
  int rc = parse_args(argc, argv, &c);
  if (rc >= 0) {
    json_decref(c.over);
    return rc;
  }
  ls_config cfg;
  ls_error err = {0};
  double *theta = NULL, *theta0 = NULL;
  json_t *sec = NULL;
  ls_train_result res = {0};
  if (ls_config_load(c.config, &cfg, &err) != LS_OK) {
    json_decref(c.over);
    return cli_fail("train", &err);
  }
  /* merged section: the config's, then the flags */
  json_t *cs = ls_config_section(&cfg, "train");
  if (cs && !json_is_object(cs)) {
    ls_error_set(&err, LS_ERR_INPUT, "%s: train: expected an object", cfg.path);
    goto fail;
  }
  sec = cs ? json_deep_copy(cs) : json_object();
  json_object_update(sec, c.over);
  train_settings st;
  uint64_t seed = 0;
  if (train_settings_read(&cfg, sec, &st, &err) != LS_OK) goto fail;
  if (resolve_seed(&cfg, &c, &seed, &err) != LS_OK) goto fail;
  st.opts.seed = seed ^ 0x6d696e6962617463ull; /* minibatch stream, apart from the init's */
  if (ls_train_opts_validate(&st.opts, &cfg.student, &err) != LS_OK) goto fail;
  struct stat ob;
  if (stat(c.out, &ob) == 0 && !S_ISDIR(ob.st_mode)) {
    /* before training, like sweep: a file in the way is a usage error */
    ls_error_set(&err, LS_ERR_INPUT, "--out %s exists and is not a directory", c.out);
    goto fail;
  }
  char init_desc[512];
  if (initial_point(&cfg, &c, &st, seed, &theta, init_desc, sizeof init_desc, &err) != LS_OK) goto fail;
  size_t P = ls_net_nparams(&cfg.student);
  theta0 = malloc(P * sizeof *theta0);
  if (!theta0) {
    ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    goto fail;
  }
  memcpy(theta0, theta, P * sizeof *theta0);
  /* OpenBLAS's threaded kernels change the last bits of the eigendecomposition with the
   * thread count; one thread keeps a run bitwise identical on any machine (DESIGN.md). */
  ls_ctx_apply_blas(&(ls_ctx){.blas_threads = 1});
  int tty = isatty(2) && !c.quiet;
  if (tty) st.opts.progress = progress_line;
  if (ls_train(&cfg.student, &cfg.data, theta, &st.opts, &res, &err) != LS_OK) goto fail;
  if (tty) fprintf(stderr, "\r\033[K");
  char desc[128];
  ls_net_describe(&cfg.student, desc, sizeof desc);
  train_run_info info = {cfg.path, seed, desc, cfg.data_desc, init_desc, P, cfg.data.n, &st.opts,
                         c.plot};
  if (train_write_outputs(c.out, &info, theta0, theta, &res, &err) != LS_OK) goto fail;
  json_t *j = train_result_json(&info, &res);
  char *txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  if (txt) printf("%s\n", txt);
  free(txt);
  json_decref(j);
  fprintf(stderr, "landsym train: %s after %.3f s: loss %.3e, gradient %.3e%s%s\n",
          ls_stop_name(res.stop), res.wall, res.loss, res.grad_norm, res.message[0] ? "; " : "",
          res.message);
  rc = (res.stop == LS_STOP_NAN || res.stop == LS_STOP_FAIL) ? 1 : 0;
  goto done;
fail:
  rc = cli_fail("train", &err);
done:
  ls_train_result_free(&res);
  free(theta), free(theta0);
  json_decref(sec);
  json_decref(c.over);
  ls_config_free(&cfg);
  return rc;
}
