/* landsym invariance: Lemma 2.1 of Simsek et al. 2021 checked on the student of any config:
 * gradient flow from a point of a symmetry subspace H_{i,j} stays on it, flow from a point
 * off it keeps a positive distance (docs/invariance.md). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/io.h"
#include "landsym/optim.h"
#include "landsym/sym.h"

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

static void print_leg(const char *name, const ls_sym_invariance_leg *g, int json, int last) {
  if (json)
    printf("\"%s\": {\"dist_start\": %.6e, \"dist_max\": %.6e, \"dist_min\": %.6e, "
           "\"dist_end\": %.6e, \"param_scale\": %.6g, \"loss_start\": %.17g, \"loss_end\": %.17g, "
           "\"grad_end\": %.3e, \"flow_t\": %.6g, \"steps\": %zu, \"stop\": \"%s\"}%s",
           name, g->dist_start, g->dist_max, g->dist_min, g->dist_end, g->scale, g->loss_start,
           g->loss_end, g->grad_end, g->flow_t, g->n_samples, ls_stop_name(g->stop), last ? "" : ", ");
  else
    printf("%-4s start %.3e  max %.3e  min %.3e  end %.3e  (%zu steps to t = %.4g, loss %.6e -> "
           "%.6e, stop %s)\n",
           name, g->dist_start, g->dist_max, g->dist_min, g->dist_end, g->n_samples, g->flow_t,
           g->loss_start, g->loss_end, ls_stop_name(g->stop));
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
  long ui, uj;
  const char *comma = strchr(units, ',');
  char first[32];
  snprintf(first, sizeof first, "%.*s", comma ? (int)(comma - units) : 31, units);
  if (!comma || cli_parse_long(first, &ui) || cli_parse_long(comma + 1, &uj) || ui < 0 || uj < 0 ||
      ui > INT_MAX || uj > INT_MAX)
    return cli_usage_error("invariance", "--units must be I,J (non-negative integers), got '%s'", units);
  ls_error err = {0};
  ls_config cfg;
  ls_status st = ls_config_load(pt.config, &cfg, &err);
  if (st) return cli_fail("invariance", &err);
  const ls_net *net = &cfg.student;
  double *theta = NULL;
  int rc = 1;
  if (pt.params) {
    if ((st = ls_params_read_net(pt.params, net, &theta, &err))) goto fail;
  } else {
    theta = malloc(ls_net_nparams(net) * sizeof *theta);
    if (!theta) {
      st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
      goto fail;
    }
    ls_params_glorot(net, (uint64_t)seed, theta);
  }
  if (pt.layer >= net->n_layers) {
    st = ls_error_set(&err, LS_ERR_INPUT, "--layer %ld: the student's hidden layers are 1..%d",
                      pt.layer, net->n_layers - 1);
    goto fail;
  }
  ls_sym_invariance_opts o;
  ls_sym_invariance_opts_default(&o);
  o.layer = (int)pt.layer, o.i = (int)ui, o.j = (int)uj, o.offset = offset, o.tmax = tmax;
  o.seed = (uint64_t)seed;
  ls_sym_invariance_result res;
  if ((st = ls_sym_invariance_check(net, &cfg.data, theta, &o, &res, &err))) goto fail;
  /* on H: distance at rounding level relative to the largest weight seen;
   * off H: positive over the whole flow */
  double tol = 1e-12 * fmax(1.0, res.on.scale);
  int on_ok = res.on.dist_max <= tol, off_ok = res.off.dist_min > 0;
  if (json) {
    printf("{\"layer\": %d, \"units\": [%d, %d], \"offset\": %.6g, \"tmax\": %.6g, ", o.layer, o.i,
           o.j, o.offset, o.tmax);
    print_leg("on", &res.on, 1, 0);
    print_leg("off", &res.off, 1, 0);
    printf("\"on_tolerance\": %.3e, \"stays_on\": %s, \"stays_off\": %s}\n", tol,
           on_ok ? "true" : "false", off_ok ? "true" : "false");
  } else {
    printf("Lemma 2.1, layer %d, H_{%d,%d}: distance to the subspace along the gradient flow\n",
           o.layer, o.i, o.j);
    print_leg("on", &res.on, 0, 0);
    print_leg("off", &res.off, 0, 1);
    printf("on:  max distance %.3e <= %.3e (rounding level): %s\n", res.on.dist_max, tol,
           on_ok ? "holds" : "FAILS");
    printf("off: min distance %.3e > 0: %s\n", res.off.dist_min, off_ok ? "holds" : "FAILS");
  }
  rc = on_ok && off_ok ? 0 : 1;
  if (rc) fprintf(stderr, "landsym invariance: Lemma 2.1 check failed\n");
  free(theta);
  ls_config_free(&cfg);
  return rc;
fail:
  rc = cli_fail("invariance", &err);
  free(theta);
  ls_config_free(&cfg);
  return rc;
}
