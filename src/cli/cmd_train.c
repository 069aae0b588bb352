/* landsym train: train the student of a config from a seed (docs/train.md). Options come
 * from the config's "train" section, overridden by flags of the same names. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym train --config FILE [--seed N] [--out DIR] [--params FILE] [options]\n\n"
    "Train the student network of an experiment config (docs/config.md) on its data:\n"
    "a first phase (gd, adam, or the gradient flow integrated with CVODE) then second-order\n"
    "polishing (Newton trust region, SLSQP, LBFGS, Levenberg-Marquardt on the residuals)\n"
    "down to the gradient floor.\n"
    "Writes result.json, params.npy, init.npy, trajectory.npy/.csv and the loss curve\n"
    "(loss.png/.svg with loss.dat and loss.gp) into DIR; prints result.json on stdout.\n"
    "The options after --quiet are the training options (config section \"train\"; a flag\n"
    "overrides the key of the same name).\n\n";

#define MAX_KEYS 48

typedef struct {
  ls_train_run_opts o;
  const char *config, *val[MAX_KEYS];
  char name[MAX_KEYS][40];
  int no_plot, quiet;
  json_t *over; /* flag overrides of the train section */
} train_cli;

/* The fixed options, then one per train key (its name with '_' -> '-') into c->val. */
static void build(cli_opt *opts, train_cli *c, int nk, const ls_train_key *keys) {
  cli_opt fixed[] = {
      CLI_STR_REQ("config", &c->config, "FILE", "experiment config (JSON) or builtin:thesis"),
      CLI_SEED("seed", &c->o.seed, "N", "seed of the initial point and of minibatches (config 'seed', else 0)"),
      CLI_STR("out", &c->o.out_dir, "DIR", "output directory (default train-out), created if missing"),
      CLI_STR("params", &c->o.params, "FILE", "start from these parameters (.npy/.json) instead of the seeded init"),
      CLI_FLAG("no-plot", &c->no_plot, "do not draw the loss curve"),
      CLI_FLAG("quiet", &c->quiet, "no progress line")};
  int n = (int)(sizeof fixed / sizeof *fixed);
  memcpy(opts, fixed, sizeof fixed);
  for (int i = 0; i < nk && i < MAX_KEYS; i++, n++) {
    snprintf(c->name[i], sizeof c->name[i], "%s", keys[i].key);
    for (char *p = c->name[i]; *p; p++)
      if (*p == '_') *p = '-';
    const char *m = keys[i].type == LS_TRAIN_KEY_DOUBLE  ? "X"
                    : keys[i].type == LS_TRAIN_KEY_COUNT ? "N"
                    : keys[i].type == LS_TRAIN_KEY_BOOL  ? "B"
                                                         : "S";
    opts[n] = (cli_opt)CLI_STR(c->name[i], &c->val[i], m, keys[i].help);
  }
  opts[n] = (cli_opt)CLI_END;
}

/* argv into c; the key flags into c->over: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse_args(int argc, char **argv, train_cli *c) {
  int nk;
  const ls_train_key *keys = ls_config_train_keys(&nk);
  cli_opt opts[MAX_KEYS + 8];
  build(opts, c, nk, keys);
  cli_spec spec = {.cmd = "train", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  c->o.have_seed = cli_opt_find(opts, "seed")->seen, c->o.plot = !c->no_plot;
  for (int i = 0; i < nk && i < MAX_KEYS && rc == CLI_GO_ON; i++) {
    json_t *v;
    if (!c->val[i]) continue;
    if (ls_config_train_key_value(&keys[i], c->val[i], &v, NULL)) {
      const char *what = keys[i].type == LS_TRAIN_KEY_DOUBLE  ? "a finite number"
                         : keys[i].type == LS_TRAIN_KEY_COUNT ? "a non-negative integer"
                                                              : "true or false";
      return cli_usage_error("train", "--%s needs %s, got '%s'", c->name[i], what, c->val[i]);
    }
    json_object_set_new(c->over, keys[i].key, v);
  }
  return rc;
}

int cmd_train(int argc, char **argv) {
  train_cli c = {0};
  ls_train_run_opts_default(&c.o);
  c.o.out_dir = "train-out";
  c.over = json_object();
  c.o.over = c.over;
  int rc = parse_args(argc, argv, &c);
  ls_config cfg;
  ls_error err = {0};
  ls_train_run run = {0};
  if (rc == CLI_GO_ON && ls_config_load(c.config, &cfg, &err) != LS_OK) rc = cli_fail("train", &err);
  if (rc != CLI_GO_ON) {
    json_decref(c.over);
    return rc;
  }
  int tty = isatty(2) && !c.quiet;
  if (tty) c.o.progress = ls_exp_train_progress_line, c.o.progress_user = stderr;
  ls_status st = ls_exp_train(&cfg, &c.o, &run, &err);
  if (tty && run.res.n_phases) fprintf(stderr, "\r\033[K");
  rc = st != LS_OK ? cli_fail("train", &err) : ls_exp_train_print(stdout, stderr, &cfg, &run, c.o.plot);
  ls_train_run_free(&run);
  json_decref(c.over);
  ls_config_free(&cfg);
  return rc;
}
