/* landsym split: Y/U split test of a critical point (thesis section 6.2.6, Theorem 3,
 * Corollaries 3.1-3.2; section 6.3.1): predicted against measured Hessian inertia of the
 * lifted network along a sweep of mu, with figures 6.16-6.18 style plots (docs/split.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_print.h"
#include "landsym/io.h"

static const char header[] =
    "usage: landsym split --config FILE --params P.npy --layer L --neuron I\n"
    "                     [--mu-range A:B:N] [--nsmall K] [--tol T]\n"
    "                     [--spectrum auto|dense|lanczos] [--dense-max N] [--lanczos-k K] --out DIR\n\n"
    "Duplicate neuron I (0-based) of hidden layer L (1-based) of the student at the\n"
    "critical point P, splitting its outgoing weights into (mu a, (1-mu) a); compute the\n"
    "matrices Y and U of Theorem 3, predict the Hessian inertia of the lifted point and\n"
    "compare it with the exact Hessian spectrum for N values of mu in [A, B].\n\n";
static const char footer[] =
    "stdout: one JSON summary (also DIR/split_summary.json), naming the spectrum method.\n"
    "Exit 0 ok, 1 computation failed, 2 bad usage or input.\n";

/* --mu-range A:B:N; 0 or 2 after a usage error. */
static int parse_range(const char *range, ls_exp_split_opts *o) {
  char a[64], b[64], n[64];
  if (!range) return 0;
  if (sscanf(range, "%63[^:]:%63[^:]:%63s", a, b, n) != 3 || cli_parse_double(a, &o->mu_lo) ||
      cli_parse_double(b, &o->mu_hi) || cli_parse_long(n, &o->n_mu) || o->n_mu < 2 ||
      o->n_mu > 100000 || !(o->mu_hi > o->mu_lo))
    return cli_usage_error("split", "--mu-range must be A:B:N with A < B and N >= 2, got '%s'", range);
  return 0;
}

/* argv into pt and o: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, cli_point *pt, ls_exp_split_opts *o) {
  const char *range = NULL;
  pt->layer = 0, o->neuron = -1;
  cli_opt opts[] = {
      CLI_POINT_OPTS(pt, 1, 1),
      CLI_INT("neuron", &o->neuron, 0, INT_MAX, "I", "neuron to duplicate (0-based)"),
      CLI_STR("mu-range", &range, "A:B:N", "sweep (default -1:2:61)"),
      CLI_INT("nsmall", &o->nsmall, 1, 1000, "K", "smallest eigenvalues written and plotted (default 12)"),
      CLI_UNIT("tol", &o->tol, "T", "zero threshold, relative to the largest |eigenvalue| (default 1e-9)"),
      CLI_CHOICE("spectrum", &o->spectrum, "auto|dense|lanczos", "S",
                 "Hessian spectra: auto (dense up to --dense-max parameters, else\n"
                 "Lanczos on Hessian-vector products), dense, lanczos (auto)"),
      CLI_SIZE("dense-max", &o->dense_max, 1, LONG_MAX, "N",
               "auto: dense eigen-decomposition up to N parameters (3000)"),
      CLI_INT("lanczos-k", &o->lanczos_k, 1, 100000, "K",
              "Lanczos: K smallest and K largest eigenvalues (default: enough\n"
              "for the predicted negative and zero ones, at least --nsmall)"),
      CLI_STR_REQ("out", &o->out_dir, "DIR", "directory for split_sweep.csv, split_y_eigs.*, split_smallest.*"),
      CLI_END};
  opts[1].help = "the critical point (.npy/.json) of the student";
  opts[2].help = "hidden layer (1-based)";
  opts[2].required = 1, opts[3].required = 1;
  cli_spec spec = {.cmd = "split", .header = header, .footer = footer, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  if (rc != CLI_GO_ON) return rc;
  o->layer = pt->layer;
  return parse_range(range, o) ? 2 : CLI_GO_ON;
}

int cmd_split(int argc, char **argv) {
  cli_point pt = {0};
  ls_exp_split_opts o = ls_exp_split_opts_default();
  int rc = parse(argc, argv, &pt, &o);
  if (rc != CLI_GO_ON) return rc;
  ls_error err = {0}, fig = {0};
  ls_config cfg;
  if (ls_config_load(pt.config, &cfg, &err)) return cli_fail("split", &err);
  double *th = NULL;
  ls_exp_split_result r = {0};
  ls_status st = ls_params_read_net(pt.params, &cfg.student, &th, &err);
  if (!st) st = ls_exp_split_run(&cfg.student, &cfg.data, th, &o, &r, &fig, &err);
  if (!st)
    st = ls_exp_split_print(stdout, stderr, &r, o.lanczos_k ? o.lanczos_k : 2 * o.nsmall + r.nin + r.nout,
                            &fig, &err);
  rc = st ? cli_fail("split", &err) : 0;
  ls_exp_split_result_free(&r);
  free(th);
  ls_config_free(&cfg);
  return rc;
}
