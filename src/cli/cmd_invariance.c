/* landsym invariance: Lemma 2.1 of Simsek et al. 2021 checked on the student of any config:
 * gradient flow from a point of a symmetry subspace H_{i,j} stays on it, flow from a point
 * off it keeps a positive distance (docs/invariance.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_invariance.h"
#include "landsym/exp_print.h"
#include "landsym/optim.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: landsym invariance --config FILE [--params P] [--layer L] [--units I,J]\n"
          "                          [--offset E] [--tmax T] [--seed S] [--json]\n\n"
          "Lemma 2.1 (Simsek et al. 2021): unit J of hidden layer L is made a copy of unit I\n"
          "(a point of the symmetry subspace H_{I,J}) and gradient flow (CVODE) runs to time T;\n"
          "the distance to H_{I,J} over every step must stay at rounding level. The same point\n"
          "with unit J's incoming weights moved to distance E from H_{I,J} flows too; its\n"
          "minimum distance over the flow must stay positive (no finite-time arrival).\n\n"
          "  --config FILE  experiment config (JSON) or builtin:NAME; the student is used\n"
          "  --params P     starting point (.npy/.json); default Glorot init from --seed\n"
          "  --layer L      hidden layer (default 1)\n"
          "  --units I,J    the two units (default 0,1)\n"
          "  --offset E     distance of the second start from H_{I,J} (default 1e-3)\n"
          "  --tmax T       flow time (default 100)\n"
          "  --seed S       init and offset direction (default 1)\n"
          "  --json         one JSON object on stdout instead of text\n"
          "Exit 0 when both checks hold, 1 when one fails, 2 bad usage or input.\n");
}

static void print_leg(const char *name, const ls_sym_invariance_leg *g) {
  printf("%-4s start %.3e  max %.3e  min %.3e  end %.3e  (%zu steps to t = %.4g, loss %.6e -> "
         "%.6e, stop %s)\n",
         name, g->dist_start, g->dist_max, g->dist_min, g->dist_end, g->n_samples, g->flow_t,
         g->loss_start, g->loss_end, ls_stop_name(g->stop));
}

static void print(const ls_sym_invariance_opts *o, const ls_exp_invariance_result *r) {
  printf("Lemma 2.1, layer %d, H_{%d,%d}: distance to the subspace along the gradient flow\n",
         o->layer, o->i, o->j);
  print_leg("on", &r->res.on);
  print_leg("off", &r->res.off);
  printf("on:  max distance %.3e <= %.3e (rounding level): %s\n", r->res.on.dist_max, r->on_tol,
         r->stays_on ? "holds" : "FAILS");
  printf("off: min distance %.3e > 0: %s\n", r->res.off.dist_min, r->stays_off ? "holds" : "FAILS");
}

/* --units I,J into the options; 0, or 2 after a usage error. */
static int parse_units(const char *units, ls_sym_invariance_opts *o) {
  long ui, uj;
  const char *comma = strchr(units, ',');
  char first[32];
  snprintf(first, sizeof first, "%.*s", comma ? (int)(comma - units) : 31, units);
  if (!comma || cli_parse_long(first, &ui) || cli_parse_long(comma + 1, &uj) || ui < 0 || uj < 0 ||
      ui > INT_MAX || uj > INT_MAX)
    return cli_usage_error("invariance", "--units must be I,J (non-negative integers), got '%s'", units);
  o->i = (int)ui, o->j = (int)uj;
  return 0;
}

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
  if (json) st = ls_exp_json_line(r.summary, stdout, &err);
  else print(&eo->sym, &r);
  int rc = st ? cli_fail("invariance", &err) : r.stays_on && r.stays_off ? 0 : 1;
  if (!st && rc) fprintf(stderr, "landsym invariance: Lemma 2.1 check failed\n");
  ls_exp_invariance_result_free(&r);
  return rc;
}

int cmd_invariance(int argc, char **argv) {
  cli_point pt = {NULL, NULL, 1};
  const char *units = "0,1";
  double offset = 1e-3, tmax = 100;
  long seed = 1;
  int json = 0;
  static const struct option opts[] = {
      {"config", 1, 0, 'c'}, {"params", 1, 0, 'p'}, {"layer", 1, 0, 'l'}, {"units", 1, 0, 'u'},
      {"offset", 1, 0, 'e'}, {"tmax", 1, 0, 't'},   {"seed", 1, 0, 's'},  {"json", 0, 0, 'j'},
      {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = cli_point_opt("invariance", c, optarg, &pt);
    if (r == 2) return 2;
    if (r == 1) continue;
    switch (c) {
      case 'u': units = optarg; break;
      case 'e':
        if (cli_parse_double(optarg, &offset) || !(offset > 0))
          return cli_usage_error("invariance", "--offset needs a positive number, got '%s'", optarg);
        break;
      case 't':
        if (cli_parse_double(optarg, &tmax) || !(tmax > 0))
          return cli_usage_error("invariance", "--tmax needs a positive number, got '%s'", optarg);
        break;
      case 's':
        if (cli_opt_long("invariance", "seed", optarg, 0, LONG_MAX, &seed)) return 2;
        break;
      case 'j': json = 1; break;
      case 'h': usage(stdout); return 0;
      default: return cli_usage_error("invariance", "unknown option");
    }
  }
  if (optind < argc) return cli_usage_error("invariance", "unexpected argument '%s'", argv[optind]);
  if (!pt.config) return cli_usage_error("invariance", "--config is required");
  ls_exp_invariance_opts eo;
  ls_exp_invariance_opts_default(&eo);
  eo.sym.offset = offset, eo.sym.tmax = tmax, eo.sym.seed = (uint64_t)seed;
  if (parse_units(units, &eo.sym)) return 2;
  return run(&pt, &eo, json);
}
