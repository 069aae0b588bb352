/* landsym invariance: Lemma 2.1 of Simsek et al. 2021 checked on the student of any config:
 * gradient flow from a point of a symmetry subspace H_{i,j} stays on it, flow from a point
 * off it keeps a positive distance (docs/invariance.md). */
#include <limits.h>
#include <stdio.h>

#include "cli/cli.h"
#include "landsym/exp_invariance.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym invariance --config FILE [--params P] [--layer L] [--units I,J]\n"
    "                          [--offset E] [--tmax T] [--seed S] [--json]\n\n"
    "Lemma 2.1 (Simsek et al. 2021): unit J of hidden layer L is made a copy of unit I\n"
    "(a point of the symmetry subspace H_{I,J}) and gradient flow (CVODE) runs to time T;\n"
    "the distance to H_{I,J} over every step must stay at rounding level. The same point\n"
    "with unit J's incoming weights moved to distance E from H_{I,J} flows too; its\n"
    "minimum distance over the flow must stay positive (no finite-time arrival).\n\n";
static const char footer[] = "Exit 0 when both checks hold, 1 when one fails, 2 bad usage or input.\n";

/* The check on the parsed options; the exit code. */
static int run(const cli_point *pt, ls_exp_invariance_opts *eo, int json) {
  ls_error err = {0};
  ls_config cfg;
  if (ls_config_load(pt->config, &cfg, &err)) return cli_fail("invariance", &err);
  eo->params = pt->params, eo->sym.layer = (int)pt->layer;
  ls_exp_invariance_result r;
  ls_status st = ls_exp_invariance_run(&cfg, eo, &r, &err);
  ls_config_free(&cfg);
  if (st) return cli_fail("invariance", &err);
  st = ls_exp_invariance_print(stdout, &eo->sym, &r, json, &err);
  int rc = st ? cli_fail("invariance", &err) : r.stays_on && r.stays_off ? 0 : 1;
  if (!st && rc) fprintf(stderr, "landsym invariance: Lemma 2.1 check failed\n");
  ls_exp_invariance_result_free(&r);
  return rc;
}

/* argv into pt, eo and json: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, cli_point *pt, ls_exp_invariance_opts *eo, int *json) {
  cli_list units = {0, -1, NULL, NULL};
  cli_opt opts[] = {
      CLI_POINT_OPTS(pt, 1, 0),
      CLI_INTS("units", &units, 0, INT_MAX, 2, 2, NULL, "I,J", "the two units (default 0,1)"),
      CLI_POSITIVE("offset", &eo->sym.offset, "E", "distance of the second start from H_{I,J} (default 1e-3)"),
      CLI_POSITIVE("tmax", &eo->sym.tmax, "T", "flow time (default 100)"),
      CLI_SEED("seed", &eo->sym.seed, "S", "init and offset direction (default 1)"),
      CLI_FLAG("json", json, "one JSON object on stdout instead of text"),
      CLI_END};
  opts[0].help = "experiment config (JSON) or builtin:NAME; the student is used";
  opts[1].help = "starting point (.npy/.json); default Glorot init from --seed";
  cli_spec spec = {.cmd = "invariance", .header = header, .footer = footer, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  if (units.n == 2) eo->sym.i = units.i[0], eo->sym.j = units.i[1];
  cli_opts_free(opts);
  return rc;
}

int cmd_invariance(int argc, char **argv) {
  cli_point pt = {NULL, NULL, 1};
  ls_exp_invariance_opts eo;
  ls_exp_invariance_opts_default(&eo);
  int json = 0, rc = parse(argc, argv, &pt, &eo, &json);
  return rc != CLI_GO_ON ? rc : run(&pt, &eo, json);
}
