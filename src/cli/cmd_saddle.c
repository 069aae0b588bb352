/* landsym saddle: from a converged run to its nearest symmetry-induced saddle line
 * (thesis, Stoican 2022, sections 6.2.4-6.2.5 and 6.3.2): escape checks, penalty merge of
 * the two closest units, reduction, Newton re-optimisation, duplication back into the
 * saddle line, spectra, the split test and loss slices. docs/saddle.md. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_saddle.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym saddle --config FILE --params P.npy --out DIR [--layer K] [--mu X]\n"
    "                      [--escape] [--escape-only] [--slice-n N] [--no-plot] [--json]\n\n"
    "Nearest symmetry-induced saddle line of a converged point (thesis section 6.3.2):\n"
    "the two closest units of layer K are merged with a growing penalty\n"
    "lambda ||w_l - w_m||^2, the network is reduced by one unit, brought to a critical\n"
    "point by Newton's method, and duplicated back into the line of critical points\n"
    "theta(mu) (unit l gets mu a, unit m (1 - mu) a), at the split nearest to the start.\n"
    "Reports the distance start -> saddle, Hessian spectra, the split test's predicted\n"
    "inertia and whether the start is a degenerate local minimum near the saddle; draws\n"
    "1D and 2D loss slices. Needs a twice-differentiable activation.\n\n";

/* argv into the config file, so and json: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, cli_point *pt, ls_exp_saddle_opts *so, int *json) {
  int no_plot = 0;
  pt->layer = 1;
  cli_opt opts[] = {
      CLI_POINT_OPTS(pt, 1, 1),
      CLI_FINITE("mu", &so->mu, "X", "split on the saddle line (default: nearest to the start)"),
      CLI_FLAG("escape", &so->escape,
               "also run the escape checks at the start (thesis Algorithms 1, 2):\n"
               "loss along +/- the eigenvectors of negative and near-zero\n"
               "eigenvalues, then a bounded BFS across the flat surface"),
      CLI_FLAG("escape-only", &so->escape_only, "only the escape checks"),
      CLI_INT("slice-n", &so->slice_n, 3, 1001, "N", "grid points per axis of the slices (default 41)"),
      CLI_INT("perturb", &so->perturb, 0, 10000, "N",
              "perturb the saddle point N times (Gaussian, std --sigma) and\n"
              "retrain each (Adam then Newton/NLopt polish; thesis 6.3.2)"),
      CLI_POSITIVE("sigma", &so->sigma, "S", "std of the perturbation (default 0.01)"),
      CLI_SEED("seed", &so->seed, "N", "seed of the perturbations (default 0)"),
      CLI_STR_REQ("out", &so->out_dir, "DIR", "output directory (created)"),
      CLI_FLAG("no-plot", &no_plot, "skip the figures"),
      CLI_FLAG("json", json, "summary JSON on stdout"),
      CLI_END};
  opts[1].help = "the converged point (.npy/.json) of the student network";
  cli_spec spec = {.cmd = "saddle", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  so->params = pt->params, so->layer = pt->layer, so->plot = !no_plot, so->log = stderr;
  so->escape |= so->escape_only;
  return rc;
}

int cmd_saddle(int argc, char **argv) {
  cli_point pt = {0};
  ls_exp_saddle_opts so;
  ls_exp_saddle_opts_default(&so);
  int json = 0, rc = parse(argc, argv, &pt, &so, &json);
  if (rc != CLI_GO_ON) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(pt.config, &cfg, &err)) return cli_fail("saddle", &err);
  ls_exp_saddle_result r;
  ls_status st = ls_exp_saddle_run(&cfg, &so, &r, &err);
  ls_config_free(&cfg);
  if (!st) st = ls_exp_saddle_print(stdout, &r, json, &err);
  ls_exp_saddle_result_free(&r);
  return st ? cli_fail("saddle", &err) : 0;
}
