/* landsym saddle: from a converged run to its nearest symmetry-induced saddle line
 * (thesis, Stoican 2022, sections 6.2.4-6.2.5 and 6.3.2): escape checks, penalty merge of
 * the two closest units, reduction, Newton re-optimisation, duplication back into the
 * saddle line, spectra, the split test and loss slices. docs/saddle.md. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_saddle.h"
#include "landsym/out.h"

static void saddle_usage(FILE *out) {
  fprintf(out,
          "usage: landsym saddle --config FILE --params P.npy --out DIR [--layer K] [--mu X]\n"
          "                      [--escape] [--escape-only] [--slice-n N] [--no-plot] [--json]\n\n"
          "Nearest symmetry-induced saddle line of a converged point (thesis section 6.3.2):\n"
          "the two closest units of layer K are merged with a growing penalty\n"
          "lambda ||w_l - w_m||^2, the network is reduced by one unit, brought to a critical\n"
          "point by Newton's method, and duplicated back into the line of critical points\n"
          "theta(mu) (unit l gets mu a, unit m (1 - mu) a), at the split nearest to the start.\n"
          "Reports the distance start -> saddle, Hessian spectra, the split test's predicted\n"
          "inertia and whether the start is a degenerate local minimum near the saddle; draws\n"
          "1D and 2D loss slices. Needs a twice-differentiable activation.\n\n"
          "  --config FILE   experiment config (JSON) or builtin:NAME\n"
          "  --params P      the converged point (.npy/.json) of the student network\n"
          "  --layer K       hidden layer (default 1)\n"
          "  --mu X          split on the saddle line (default: nearest to the start)\n"
          "  --escape        also run the escape checks at the start (thesis Algorithms 1, 2):\n"
          "                  loss along +/- the eigenvectors of negative and near-zero\n"
          "                  eigenvalues, then a bounded BFS across the flat surface\n"
          "  --escape-only   only the escape checks\n"
          "  --slice-n N     grid points per axis of the slices (default 41)\n"
          "  --perturb N     perturb the saddle point N times (Gaussian, std --sigma) and\n"
          "                  retrain each (Adam then Newton/NLopt polish; thesis 6.3.2)\n"
          "  --sigma S       std of the perturbation (default 0.01)\n"
          "  --seed N        seed of the perturbations (default 0)\n"
          "  --out DIR       output directory (created)\n"
          "  --no-plot       skip the figures\n"
          "  --json          summary JSON on stdout\n"
          "  --help          this text\n");
}

typedef struct {
  cli_point pt;
  const char *out;
  long slice_n, perturb, seed;
  double mu, sigma;
  int escape, escape_only, no_plot, json;
} saddle_cli;

static int parse(int argc, char **argv, saddle_cli *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"layer", required_argument, 0, 'l'},  {"mu", required_argument, 0, 'u'},
      {"escape", no_argument, 0, 'E'},       {"escape-only", no_argument, 0, 'O'},
      {"slice-n", required_argument, 0, 'n'}, {"out", required_argument, 0, 'o'},
      {"no-plot", no_argument, 0, 'N'},      {"json", no_argument, 0, 'j'},
      {"perturb", required_argument, 0, 'P'}, {"sigma", required_argument, 0, 'S'},
      {"seed", required_argument, 0, 's'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->pt.layer = 1, o->mu = -1, o->slice_n = 41, o->sigma = 0.01;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("saddle", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'u':
        if (cli_parse_double(optarg, &o->mu) || !isfinite(o->mu))
          return cli_usage_error("saddle", "--mu needs a finite number, got '%s'", optarg);
        break;
      case 'E': o->escape = 1; break;
      case 'O': o->escape = o->escape_only = 1; break;
      case 'n':
        if (cli_opt_long("saddle", "slice-n", optarg, 3, 1001, &o->slice_n)) return 2;
        break;
      case 'P':
        if (cli_opt_long("saddle", "perturb", optarg, 0, 10000, &o->perturb)) return 2;
        break;
      case 'S':
        if (cli_parse_double(optarg, &o->sigma) || !(o->sigma > 0) || !isfinite(o->sigma))
          return cli_usage_error("saddle", "--sigma needs a positive number, got '%s'", optarg);
        break;
      case 's':
        if (cli_opt_long("saddle", "seed", optarg, 0, LONG_MAX, &o->seed)) return 2;
        break;
      case 'o': o->out = optarg; break;
      case 'N': o->no_plot = 1; break;
      case 'j': o->json = 1; break;
      case 'h': saddle_usage(stdout); return 0;
      default: return cli_usage_error("saddle", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("saddle", "unexpected argument '%s'", argv[optind]);
  if (!o->pt.config) return cli_usage_error("saddle", "--config FILE is required");
  if (!o->pt.params) return cli_usage_error("saddle", "--params P.npy is required");
  if (!o->out) return cli_usage_error("saddle", "--out DIR is required");
  return -1;
}

static void print_saddle(const ls_exp_saddle_result *r) {
  const ls_saddle_result *sr = &r->saddle;
  const ls_crit_cert *sc = &r->cert;
  printf("pair:            %d,%d of layer %d (distance %.6g)\n", sr->l, sr->m, sr->layer, sr->pair_distance);
  printf("start loss:      %.12g\n", sr->start_loss);
  printf("reduced:         loss %.12g, |grad|_inf %.2e\n", sr->reduced_loss, sr->reduced_grad);
  printf("saddle line:     mu %.6g, loss %.12g, |grad|_inf %.2e\n", sr->mu, sr->saddle_loss, sr->saddle_grad);
  printf("distance:        %.6g (start -> saddle)\n", sr->distance);
  printf("certificate:     %s, |grad|_inf %.2e (rounding bound %.2e), %.2e from the "
         "saddle-line point%s%s\n", ls_cert_kind_name(sc->kind), sc->grad_inf, sc->bound,
         sc->dist, sc->kind == LS_CERT_NONE ? ": " : "", sc->reason);
  printf("inertia:         saddle (neg %d, zero %d, pos %d), split test (neg %d, zero %d, pos %d)\n",
         sr->inertia.neg, sr->inertia.zero, sr->inertia.pos, sr->predicted.neg, sr->predicted.zero,
         sr->predicted.pos);
  if (r->retrain)
    printf("retrain:         %d of %d perturbed restarts end below the start's loss\n",
           r->retrain_below_start, r->n_retrain);
  printf("classification:  %s\n", sr->start_degenerate ? "degenerate local minimum near a saddle"
                                                       : "not a degenerate minimum of the split test");
}

static int print(const ls_exp_saddle_result *r, int json) {
  ls_error err = {0};
  if (json) return ls_json_print(r->summary, stdout, &err) ? cli_fail("saddle", &err) : 0;
  const ls_escape_result *er = &r->escape;
  if (r->have_escape)
    printf("escape: %d directions (%d negative, %d near zero), lower point %s (best loss %.10g vs %.10g%s)\n",
           er->n_dirs, er->n_negative, er->n_near_zero, er->found_lower ? "FOUND" : "not found",
           er->best_loss, er->loss0, er->found_by_bfs ? ", by the BFS" : "");
  if (r->have_saddle) print_saddle(r);
  return 0;
}

int cmd_saddle(int argc, char **argv) {
  saddle_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("saddle", &err);
  ls_exp_saddle_opts so;
  ls_exp_saddle_opts_default(&so);
  so.params = o.pt.params, so.layer = (int)o.pt.layer, so.mu = o.mu;
  so.escape = o.escape, so.escape_only = o.escape_only;
  so.slice_n = (int)o.slice_n, so.perturb = (int)o.perturb, so.sigma = o.sigma;
  so.seed = (uint64_t)o.seed, so.out_dir = o.out, so.plot = !o.no_plot, so.log = stderr;
  ls_exp_saddle_result r;
  ls_status st = ls_exp_saddle_run(&cfg, &so, &r, &err);
  ls_config_free(&cfg);
  if (st) return cli_fail("saddle", &err);
  rc = print(&r, o.json);
  ls_exp_saddle_result_free(&r);
  return rc;
}
