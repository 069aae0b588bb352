/* landsym connect: an explicit equal-loss piecewise-linear path between a point of an
 * overparameterized network and its permutation (Simsek et al. 2021, Theorem 3.1 and
 * Figure 4; Brea et al. 2019, appendix C.2), sampled densely, with the loss along it as
 * CSV and a figure (docs/connect.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "landsym/exp_connect.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym connect --config FILE [--params P] [--layer L]\n"
    "                       [--perm P0,P1,..|random] [--samples N] [--seed N]\n"
    "                       [--tol T] [--out-dir DIR] [--no-plot] [--json]\n\n"
    "Equal-loss path from a point of the student network to its permutation P_pi theta\n"
    "in hidden layer L, built from the moves of Theorem 3.1 (shift the incoming weights\n"
    "of a unit with zero outgoing weights; transfer outgoing weights between two units\n"
    "of equal incoming weights). The layer must be reducible (more units than its\n"
    "irreducible width). The loss is sampled along every segment.\n\n";

/* argv into the config file, co, perm and json: CLI_GO_ON, 0 after --help, 2 after a usage
 * error. */
static int parse(int argc, char **argv, cli_point *pt, ls_exp_connect_opts *co, cli_list *perm,
                 int *json) {
  int no_plot = 0;
  pt->layer = co->layer;
  cli_opt opts[] = {
      CLI_POINT_OPTS(pt, 1, 0),
      CLI_INTS("perm", perm, INT_MIN, INT_MAX, 1, 0, "random", "P",
               "target permutation of the layer's units (unit i of the end point\n"
               "is unit P_i of the start), or 'random' (default)"),
      CLI_INT("samples", &co->samples, 1, 100000, "N", "samples per segment (default 50)"),
      CLI_SEED("seed", &co->seed, "N", "seed for the expansion and a random permutation (default 0)"),
      CLI_UNIT("tol", &co->tol, "T", "relative tolerance for equal units (default 1e-10)"),
      CLI_STR("out-dir", &co->out_dir, "DIR",
              "write DIR/connect_loss.csv, connect_path.npy (waypoints) and the\n"
              "figure connect_loss.{png,svg,dat,gp} (default: current directory)"),
      CLI_FLAG("no-plot", &no_plot, "skip the figure"),
      CLI_FLAG("json", json, "summary as one JSON object on stdout"),
      CLI_END};
  opts[1].help = "the start point: 'teacher' (default: the teacher expanded to the\n"
                 "student's widths with --seed, a global minimum) or a .npy/.json\n"
                 "parameter file of the student network";
  opts[2].help = "hidden layer to permute (default 1)";
  cli_spec spec = {.cmd = "connect", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  co->params = pt->params, co->layer = pt->layer, co->plot = !no_plot;
  co->perm = perm->n ? perm->i : NULL, co->n_perm = perm->n;
  return rc;
}

int cmd_connect(int argc, char **argv) {
  cli_point pt = {0};
  cli_list perm = {0, -1, NULL, NULL};
  ls_exp_connect_opts co;
  ls_exp_connect_opts_default(&co);
  int json = 0, rc = parse(argc, argv, &pt, &co, &perm, &json);
  ls_config cfg;
  ls_error err = {0};
  if (rc == CLI_GO_ON && ls_config_load(pt.config, &cfg, &err)) rc = cli_fail("connect", &err);
  if (rc != CLI_GO_ON) return free(perm.i), rc;
  ls_exp_connect_result r;
  ls_status st = ls_exp_connect_run(&cfg, &co, &r, &err);
  ls_config_free(&cfg);
  free(perm.i);
  if (st) return cli_fail("connect", &err);
  st = ls_exp_connect_print(stdout, &r, co.plot, json, &err);
  ls_exp_connect_result_free(&r);
  return st ? cli_fail("connect", &err) : 0;
}
