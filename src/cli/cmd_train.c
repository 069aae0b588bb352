/* landsym train: train the student of a config from a seed (docs/train.md). Options come
 * from the config's "train" section, overridden by flags of the same names. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/exp_train.h"
#include "landsym/out.h"

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
  int nk;
  const ls_train_key *keys = ls_config_train_keys(&nk);
  for (int i = 0; i < nk; i++) {
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", keys[i].key);
    for (char *c = flag; *c; c++)
      if (*c == '_') *c = '-';
    const char *arg = keys[i].type == LS_TRAIN_KEY_DOUBLE  ? " X"
                      : keys[i].type == LS_TRAIN_KEY_COUNT ? " N"
                      : keys[i].type == LS_TRAIN_KEY_BOOL  ? " B"
                                                           : " S";
    char left[96];
    snprintf(left, sizeof left, "%s%s", flag, arg);
    fprintf(out, "  %-22s %s\n", left, keys[i].help);
  }
}

typedef struct {
  const char *config, *out, *params;
  long long seed;
  int have_seed, plot, quiet;
  json_t *over; /* flag overrides of the train section */
} train_cli;

enum { OPT_CONFIG = 1000, OPT_SEED, OPT_OUT, OPT_PARAMS, OPT_NOPLOT, OPT_QUIET, OPT_HELP };

/* Long options: one per train key (value = its index, flag = key with '_' -> '-'), then
 * the fixed ones. */
static void build_options(struct option *lo, char (*names)[40]) {
  int nk, n = 0;
  const ls_train_key *keys = ls_config_train_keys(&nk);
  for (int i = 0; i < nk && n < 50; i++, n++) {
    snprintf(names[n], 40, "%s", keys[i].key);
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
}

/* A train-key flag into c->over; -1 to go on, else the exit code. */
static int key_flag(int ch, const char *name, train_cli *c) {
  int nk;
  const ls_train_key *keys = ls_config_train_keys(&nk);
  json_t *v;
  ls_error e = {0};
  if (ls_config_train_key_value(&keys[ch], optarg, &v, &e) != LS_OK) {
    const char *what = keys[ch].type == LS_TRAIN_KEY_DOUBLE  ? "a finite number"
                       : keys[ch].type == LS_TRAIN_KEY_COUNT ? "a non-negative integer"
                                                             : "true or false";
    return cli_usage_error("train", "--%s needs %s, got '%s'", name, what, optarg);
  }
  json_object_set_new(c->over, keys[ch].key, v);
  return -1;
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, train_cli *c) {
  struct option lo[64];
  char names[64][40];
  int nk, ch;
  ls_config_train_keys(&nk);
  build_options(lo, names);
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    if (ch >= 0 && ch < nk) {
      int rc = key_flag(ch, names[ch], c);
      if (rc >= 0) return rc;
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

/* The run's result.json on stdout and a summary line on stderr; the exit code. */
static int print_run(const ls_config *cfg, const ls_train_run *run, int plot) {
  const ls_train_result *res = &run->res;
  if (run->warning[0]) fprintf(stderr, "landsym train: warning: %s\n", run->warning);
  json_t *j = ls_exp_train_json(cfg, run, plot);
  ls_json_print(j, stdout, NULL);
  json_decref(j);
  fprintf(stderr, "landsym train: %s after %.3f s: loss %.3e, gradient %.3e%s%s\n",
          ls_stop_name(res->stop), res->wall, res->loss, res->grad_norm,
          res->message[0] ? "; " : "", res->message);
  return (res->stop == LS_STOP_NAN || res->stop == LS_STOP_FAIL) ? 1 : 0;
}

int cmd_train(int argc, char **argv) {
  train_cli c = {0};
  c.out = "train-out";
  c.plot = 1;
  c.over = json_object();
  int rc = parse_args(argc, argv, &c);
  ls_config cfg;
  ls_error err = {0};
  ls_train_run run = {0};
  if (rc < 0 && ls_config_load(c.config, &cfg, &err) != LS_OK) rc = cli_fail("train", &err);
  if (rc >= 0) {
    json_decref(c.over);
    return rc;
  }
  ls_train_run_opts o;
  ls_train_run_opts_default(&o);
  o.out_dir = c.out, o.params = c.params, o.plot = c.plot, o.over = c.over;
  o.have_seed = c.have_seed, o.seed = (uint64_t)c.seed;
  int tty = isatty(2) && !c.quiet;
  if (tty) o.progress = progress_line;
  ls_status st = ls_exp_train(&cfg, &o, &run, &err);
  if (tty && run.res.n_phases) fprintf(stderr, "\r\033[K");
  rc = st != LS_OK ? cli_fail("train", &err) : print_run(&cfg, &run, c.plot);
  ls_train_run_free(&run);
  json_decref(c.over);
  ls_config_free(&cfg);
  return rc;
}
