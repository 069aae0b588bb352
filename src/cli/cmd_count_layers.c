/* landsym count layers: brute-force count of the affine subspaces of a multi-layer
 * expansion (Simsek et al. 2021, section 5) against the product formulas prod_l T(r_l, m_l)
 * and prod_l G(r_l, m_l), and their connectivity graph (docs/count.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_count.h"
#include "landsym/engine.h"
#include "landsym/rng.h"
#include "landsym/sym.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: landsym count layers R1,R2[,...] M1,M2[,...] [--critical] [--graph]\n"
          "                            [--din N] [--dout N] [--seed S] [--json]\n\n"
          "Brute force of section 5 (eq. 8): a random irreducible tanh network with hidden\n"
          "widths R1,R2,... (N inputs and outputs, biases) is expanded to M1,M2,... by every\n"
          "tuple of Definition 3.2 and every permutation of every hidden layer, last layer\n"
          "first; each expansion's affine subspace is the hull of P+1 random points of it, and\n"
          "distinct subspaces are counted and compared with prod_l T(R_l, M_l) (with\n"
          "--critical: no zero-type units, Definition 4.1, against prod_l G(R_l, M_l)).\n"
          "One hidden layer is accepted too. Widths M_l <= %d.\n\n"
          "  --critical  only the symmetry-induced critical subspaces\n"
          "  --graph     also the connectivity graph: an edge joins two subspaces that meet;\n"
          "              its number of connected components (Theorem 3.1 / section 5: one\n"
          "              when M_l > R_l in every layer)\n"
          "  --din N, --dout N  inputs and outputs (default 1, 1)\n"
          "  --seed S    teacher and samples (default 1)\n"
          "  --json      one JSON object on stdout\n"
          "Exit 0 when the count equals the product formula (and the graph is connected when\n"
          "it must be), 1 otherwise, 2 bad usage.\n",
          LS_SYM_ENUM_LAYERS_MAX_M);
}

int count_cmd_layers(int argc, char **argv) {
  int critical = 0, graph = 0, json = 0;
  long din = 1, dout = 1, seed = 1;
  static const struct option opts[] = {{"critical", 0, 0, 'c'}, {"graph", 0, 0, 'g'},
                                       {"din", 1, 0, 'i'},      {"dout", 1, 0, 'o'},
                                       {"seed", 1, 0, 's'},     {"json", 0, 0, 'j'},
                                       {"help", 0, 0, 'h'},     {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'c': critical = 1; break;
      case 'g': graph = 1; break;
      case 'j': json = 1; break;
      case 'i':
        if (cli_opt_long("count layers", "din", optarg, 1, 8, &din)) return 2;
        break;
      case 'o':
        if (cli_opt_long("count layers", "dout", optarg, 1, 8, &dout)) return 2;
        break;
      case 's':
        if (cli_opt_long("count layers", "seed", optarg, 0, LONG_MAX, &seed)) return 2;
        break;
      case 'h': usage(stdout); return 0;
      default: return cli_usage_error("count layers", "unknown option");
    }
  }
  if (argc - optind != 2) return cli_usage_error("count layers", "expected R1,R2,... and M1,M2,...");
  long r[LS_MAX_LAYERS], m[LS_MAX_LAYERS];
  int nr = count_parse_list("layers", "R", argv[optind], r, LS_MAX_LAYERS - 2);
  if (nr < 0) return 2;
  int nm = count_parse_list("layers", "M", argv[optind + 1], m, LS_MAX_LAYERS - 2);
  if (nm < 0) return 2;
  if (nr != nm)
    return cli_usage_error("count layers", "%d widths R but %d widths M: one of each per hidden layer", nr, nm);
  for (int l = 0; l < nr; l++) {
    if (r[l] < 1 || m[l] < r[l])
      return cli_usage_error("count layers", "layer %d: need 1 <= R <= M, got R = %ld, M = %ld", l + 1, r[l], m[l]);
    if (m[l] > LS_SYM_ENUM_LAYERS_MAX_M)
      return cli_usage_error("count layers", "layer %d: M = %ld above %d (m! permutations per layer)",
                             l + 1, m[l], LS_SYM_ENUM_LAYERS_MAX_M);
  }
  /* random irreducible teacher (Gaussian weights: distinct incoming vectors, nonzero
   * outgoing weights with probability one) and Gaussian inputs */
  int widths[LS_MAX_LAYERS + 1], mm[LS_MAX_LAYERS];
  widths[0] = (int)din;
  for (int l = 0; l < nr; l++) widths[l + 1] = (int)r[l], mm[l] = (int)m[l];
  widths[nr + 1] = (int)dout;
  ls_error err = {0};
  ls_net net;
  ls_act act = {LS_ACT_TANH, 1, 1};
  if (ls_net_init(&net, nr + 1, widths, act, 1, &err)) return count_fail("layers", &err);
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th);
  ls_data d = {0};
  if (!th || ls_data_alloc(&d, 30, (int)din, (int)dout, 0, &err)) {
    free(th);
    fprintf(stderr, "landsym count layers: out of memory\n");
    return 1;
  }
  ls_rng rs;
  ls_rng_seed(&rs, (uint64_t)seed);
  for (size_t i = 0; i < P; i++) th[i] = ls_rng_normal(&rs);
  for (size_t i = 0; i < d.n * d.din; i++) d.x[i] = ls_rng_normal(&rs);
  ls_work *w = ls_work_alloc(&net, d.n);
  ls_forward(&net, th, d.n, d.x, d.y, w);
  ls_work_free(w);
  ls_sym_layer_subspaces s;
  ls_status st = ls_sym_enum_layers(&net, th, mm, &d, critical, (uint64_t)seed, &s, &err);
  if (st) {
    free(th), ls_data_free(&d);
    return count_fail("layers", &err);
  }
  /* the product formula (exact, GMP) */
  mpz_t prod, f;
  mpz_init_set_ui(prod, 1), mpz_init(f);
  for (int l = 0; l < nr && !st; l++) {
    st = critical ? ls_count_G(f, r[l], m[l], LS_COUNT_DEFAULT_MAX_BYTES, &err)
                  : ls_count_T(f, r[l], m[l], LS_COUNT_DEFAULT_MAX_BYTES, &err);
    mpz_mul(prod, prod, f);
  }
  int match = !st && mpz_cmp_ui(prod, s.n) == 0;
  size_t n_edges = 0, comps = 0, *edges = NULL;
  int need_connected = !critical;
  for (int l = 0; l < nr; l++) need_connected = need_connected && m[l] > r[l];
  if (!st && graph) st = ls_sym_layer_graph(&s, &n_edges, &edges, &comps, &err);
  int dmin = s.n ? s.dim[0] : 0, dmax = dmin;
  for (size_t i = 0; i < s.n; i++) dmin = s.dim[i] < dmin ? s.dim[i] : dmin, dmax = s.dim[i] > dmax ? s.dim[i] : dmax;
  if (!st) {
    char *ps = mpz_get_str(NULL, 10, prod);
    if (json) {
      printf("{\"r\": [");
      for (int l = 0; l < nr; l++) printf("%s%ld", l ? ", " : "", r[l]);
      printf("], \"m\": [");
      for (int l = 0; l < nr; l++) printf("%s%ld", l ? ", " : "", m[l]);
      printf("], \"critical\": %s, \"nparams\": %zu, \"choices\": %zu, \"distinct\": %zu, "
             "\"formula\": \"%s\", \"match\": %s, \"dim_min\": %d, \"dim_max\": %d, "
             "\"max_out_rel_diff\": %.3e",
             critical ? "true" : "false", s.P, s.combos, s.n, ps, match ? "true" : "false", dmin,
             dmax, s.max_out_diff);
      if (graph) printf(", \"edges\": %zu, \"components\": %zu", n_edges, comps);
      printf("}\n");
    } else {
      printf("%zu distinct subspaces from %zu (tuple, permutation) choices; %s = %s: %s\n", s.n,
             s.combos, critical ? "prod_l G(r_l,m_l)" : "prod_l T(r_l,m_l)", ps,
             match ? "equal" : "DIFFERENT");
      printf("dimensions %d..%d of %zu parameters; sampled points keep the function to %.1e\n",
             dmin, dmax, s.P, s.max_out_diff);
      if (graph) printf("graph: %zu edges, %zu connected component(s)\n", n_edges, comps);
    }
    free(ps);
  }
  int rc = st ? count_fail("layers", &err) : 0;
  if (!st && (!match || s.max_out_diff > 1e-10 || (graph && need_connected && comps != 1))) {
    fprintf(stderr, "landsym count layers: %s\n",
            !match ? "the brute-force count differs from the product formula"
                   : s.max_out_diff > 1e-10 ? "an expansion changed the network function"
                                            : "the graph is not connected");
    rc = 1;
  }
  mpz_clear(prod), mpz_clear(f);
  free(edges), free(th);
  ls_data_free(&d);
  ls_sym_layer_subspaces_free(&s);
  return rc;
}
