/* landsym locus: build points of Cooper's star locus S_k and core locus C_{k,j}
 * (Cooper 2020, section 3.1) for the student of a config, and certify them against the
 * exact gradient and Hessian: Theorems 3.1 and 3.2, the closed-form spectrum on S_k,
 * dimensions (section 3.1.1), and Corollary 5.18's zero-eigenvalue bound (docs/locus.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/locus_wide.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/locus.h"
#include "landsym/split.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: landsym locus --config FILE [--locus star|core|all] [--layers K[,J]]\n"
          "                     [--seed S] [--scale X] [--out DIR]\n\n"
          "Build one point on each requested component of Cooper's star locus S_k\n"
          "(M_L = M_k = 0, b_k..b_{L-1} = 0, b_L = mean of the targets) and core locus C_{k,j}\n"
          "(also M_j = 0), free coordinates drawn N(0, X^2) from the seed, for the student of\n"
          "the config (MSE, identity output with bias, hidden sigma(0) = 0: tanh, erf, gelu),\n"
          "and certify it with the exact gradient and Hessian.\n\n"
          "  --locus     star, core or all (default all)\n"
          "  --layers    only S_K (one layer) or C_{K,J} (two layers, K < J)\n"
          "  --seed S    seed of the free coordinates (default 1); --scale X (default 1)\n"
          "  --out DIR   also write each point (locus_S<k>.npy, locus_C<k>_<j>.npy) and its\n"
          "              Hessian eigenvalues (..._eig.npy)\n"
          "stdout: one JSON object per component and a summary line. Exit 0 all certified,\n"
          "1 a certificate failed, 2 bad usage or input.\n\n"
          "usage: landsym locus --config FILE --wide N [--seed S]\n"
          "  Theorem 5.11 (last hidden width >= samples): from the initial point of each of N\n"
          "  seeds, the line to a global minimum of its last-layer slice, certified strictly\n"
          "  decreasing; then Proposition 5.13 on the trained point (global, or a flat move).\n"
          "usage: landsym locus --config FILE --attract N [--scale X] [--tmax T] [--seed S]\n"
          "  Definition 3.4: fraction of N gradient flows from N(0, X^2) whose limit lies on\n"
          "  the global minima, each S_k, each C_{k,j}, elsewhere (default T = 1000).\n");
}

/* Certify one component; prints its JSON line; returns 1 if certified. */
static int certify(const ls_config *cfg, const int *k, int nk, uint64_t seed, double scale,
                   const char *outdir, ls_status *st, ls_error *err) {
  const ls_net *net = &cfg->student;
  const ls_data *d = &cfg->data;
  int L = net->n_layers, b = net->width[L], m = net->width[L - 1];
  size_t P = ls_net_nparams(net), n = d->n;
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g), *H = malloc(P * P * sizeof *H);
  double *eig = malloc(P * sizeof *eig), *pred = malloc(P * sizeof *pred);
  unsigned char *mask = malloc(P);
  ls_work *w = ls_work_alloc(net, n);
  int ok = 0;
  if (!th || !g || !H || !eig || !pred || !mask || !w) {
    *st = ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", P);
    goto done;
  }
  ls_params_normal(net, seed, scale, th);
  if ((*st = ls_locus_project(net, d, k, nk, th, err))) goto done;
  double loss, gn = 0;
  if ((*st = ls_loss_grad(net, d, th, &loss, g, w)) || (*st = ls_hessian(net, d, th, H, w)) ||
      (*st = ls_split_eigvals(H, (int)P, eig, err))) {
    ls_error_set(err, *st ? *st : LS_ERR_COMPUTE, "gradient or Hessian failed");
    goto done;
  }
  for (size_t i = 0; i < P; i++) gn += g[i] * g[i];
  gn = sqrt(gn);
  double emax = fmax(fabs(eig[0]), fabs(eig[P - 1]));
  ls_inertia in = ls_inertia_count(eig, (int)P, 1e-12 * fmax(emax, 1.0));
  long dim = ls_locus_free_mask(net, k, nk, mask, err), dimf = ls_locus_dim_formula(net, k, nk);
  int r, r1;
  if ((*st = ls_locus_phi_rank(net, d, th, 1e-12, &r, &r1, err))) goto done;
  long bound = (long)(m + 1 - (long)n) * b;
  /* free directions of the locus are in the Hessian kernel (the locus is a linear space
   * of critical points) */
  double hfree = 0;
  for (size_t i = 0; i < P; i++)
    if (mask[i])
      for (size_t j = 0; j < P; j++) hfree = fmax(hfree, fabs(H[j * P + i]));
  double dev = 0;
  if (nk == 1) {
    if ((*st = ls_locus_star_spectrum(net, d, th, k[0], pred, err))) goto done;
  } else {
    for (size_t i = 0; i < P; i++) pred[i] = i + b >= P ? 2.0 : 0.0;
  }
  for (size_t i = 0; i < P; i++) dev = fmax(dev, fabs(eig[i] - pred[i]));
  double rtol = 1e-10 * fmax(emax, 1.0);
  ok = gn < 1e-12 * fmax(1.0, sqrt(loss)) && dev < rtol && hfree < rtol && in.zero >= dim &&
       (bound <= 0 || in.zero >= bound);
  if (nk == 2) ok = ok && in.pos == b && in.neg == 0 && in.zero == (int)P - b;
  char name[64];
  if (nk == 1)
    snprintf(name, sizeof name, "S%d", k[0]);
  else
    snprintf(name, sizeof name, "C%d_%d", k[0], k[1]);
  printf("{\"locus\": \"%s\", \"layers\": [%d%s", nk == 1 ? "star" : "core", k[0], nk == 2 ? ", " : "");
  if (nk == 2) printf("%d", k[1]);
  printf("], \"nparams\": %zu, \"dim\": %ld, \"dim_formula\": %ld, \"loss\": %.17g, \"grad_norm\": %.3e,"
          " \"inertia\": [%d, %d, %d], \"max_dev_predicted_spectrum\": %.3e, \"max_hessian_on_free_dirs\": %.3e,"
         " \"rank_phi\": %d, \"rank_phi_1\": %d, \"cor518_bound\": %ld, \"slice_flat_dim\": %ld,"
         " \"positive_eigenvalues\": [",
         P, dim, dimf, loss, gn, in.neg, in.zero, in.pos, dev, hfree, r, r1, bound,
         (long)(m + 1 - r1) * b);
  int first = 1;
  for (size_t i = 0; i < P; i++)
    if (eig[i] > 1e-12 * fmax(emax, 1.0)) printf("%s%.10g", first ? "" : ", ", eig[i]), first = 0;
  printf("], \"certified\": %s}\n", ok ? "true" : "false");
  if (outdir) {
    char path[4096];
    size_t shp[1] = {P};
    snprintf(path, sizeof path, "%s/locus_%s.npy", outdir, name);
    if ((*st = ls_npy_write(path, th, 1, shp, err))) goto done;
    snprintf(path, sizeof path, "%s/locus_%s_eig.npy", outdir, name);
    if ((*st = ls_npy_write(path, eig, 1, shp, err))) goto done;
  }
done:
  free(th), free(g), free(H), free(eig), free(pred), free(mask);
  ls_work_free(w);
  return ok;
}

int cmd_locus(int argc, char **argv) {
  const char *config = NULL, *which = "all", *layers = NULL, *outdir = NULL;
  long seed = 1, wide = 0, attract = 0;
  double scale = 1, tmax = 1000;
  static const struct option opts[] = {{"config", 1, 0, 'c'}, {"locus", 1, 0, 'k'},
                                       {"layers", 1, 0, 'l'}, {"seed", 1, 0, 's'},
                                       {"scale", 1, 0, 'x'},  {"out", 1, 0, 'o'},
                                       {"wide", 1, 0, 'w'},   {"attract", 1, 0, 'a'},
                                       {"tmax", 1, 0, 'T'},
                                       {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'c': config = optarg; break;
      case 'k': which = optarg; break;
      case 'l': layers = optarg; break;
      case 'o': outdir = optarg; break;
      case 's':
        if (cli_opt_long("locus", "seed", optarg, 0, LONG_MAX, &seed)) return 2;
        break;
      case 'x':
        if (cli_parse_double(optarg, &scale) || scale <= 0)
          return cli_usage_error("locus", "--scale needs a positive number, got '%s'", optarg);
        break;
      case 'w':
        if (cli_opt_long("locus", "wide", optarg, 1, LONG_MAX, &wide)) return 2;
        break;
      case 'a':
        if (cli_opt_long("locus", "attract", optarg, 1, LONG_MAX, &attract)) return 2;
        break;
      case 'T':
        if (cli_parse_double(optarg, &tmax) || !(tmax > 0))
          return cli_usage_error("locus", "--tmax needs a positive number, got '%s'", optarg);
        break;
      case 'h': usage(stdout); return 0;
      default: return cli_usage_error("locus", "unknown option");
    }
  }
  if (optind < argc) return cli_usage_error("locus", "unexpected argument '%s'", argv[optind]);
  if (!config) return cli_usage_error("locus", "--config is required");
  int want_star = !strcmp(which, "star") || !strcmp(which, "all");
  int want_core = !strcmp(which, "core") || !strcmp(which, "all");
  if (!want_star && !want_core)
    return cli_usage_error("locus", "--locus must be star, core or all, got '%s'", which);
  int req[2], nreq = 0;
  if (layers) {
    long a, b;
    char *comma = strchr(layers, ',');
    char first[32];
    snprintf(first, sizeof first, "%.*s", comma ? (int)(comma - layers) : 31, layers);
    if (cli_parse_long(first, &a) || (comma && cli_parse_long(comma + 1, &b)))
      return cli_usage_error("locus", "--layers must be K or K,J (integers), got '%s'", layers);
    req[0] = (int)a, nreq = 1;
    if (comma) req[1] = (int)b, nreq = 2;
  }
  ls_error err = {0};
  ls_config cfg;
  ls_status st = ls_config_load(config, &cfg, &err);
  if (st) return cli_fail("locus", &err);
  if (wide || attract) { /* section 5 and Definition 3.4 (src/cli/locus_wide.c) */
    int wrc = wide ? locus_wide(&cfg, wide, seed) : locus_attract(&cfg, attract, seed, scale, tmax);
    ls_config_free(&cfg);
    return wrc;
  }
  const ls_net *net = &cfg.student;
  int L = net->n_layers, total = 0, good = 0, rc;
  if ((st = ls_locus_check_net(net, &err))) goto fail;
  if (nreq) {
    for (int i = 0; i < nreq; i++)
      if (req[i] < 1 || req[i] > L - 1) {
        st = ls_error_set(&err, LS_ERR_INPUT, "--layers: layer %d out of range: hidden layers are 1..%d", req[i], L - 1);
        goto fail;
      }
    if (nreq == 2 && req[1] <= req[0]) {
      st = ls_error_set(&err, LS_ERR_INPUT, "--layers K,J needs K < J (got %d,%d)", req[0], req[1]);
      goto fail;
    }
  }
  if (outdir && mkdir(outdir, 0777) && errno != EEXIST) {
    st = ls_error_set(&err, LS_ERR_IO, "cannot create directory %s: %s", outdir, strerror(errno));
    goto fail;
  }
  for (int k = 1; k <= L - 1; k++) {
    if (want_star && (!nreq || (nreq == 1 && req[0] == k))) {
      total++;
      good += certify(&cfg, &k, 1, (uint64_t)seed + (uint64_t)total, scale, outdir, &st, &err);
      if (st) goto fail;
    }
    for (int j = k + 1; j <= L - 1 && want_core; j++) {
      if (nreq && !(nreq == 2 && req[0] == k && req[1] == j)) continue;
      int kk[2] = {k, j};
      total++;
      good += certify(&cfg, kk, 2, (uint64_t)seed + (uint64_t)total, scale, outdir, &st, &err);
      if (st) goto fail;
    }
  }
  if (total == 0) {
    st = ls_error_set(&err, LS_ERR_INPUT, "no component matches the request (a core locus needs two hidden layers)");
    goto fail;
  }
  printf("{\"components\": %d, \"certified\": %d}\n", total, good);
  if (good < total) fprintf(stderr, "landsym locus: %d of %d components failed their certificate\n", total - good, total);
  ls_config_free(&cfg);
  return good == total ? 0 : 1;
fail:
  rc = cli_fail("locus", &err);
  ls_config_free(&cfg);
  return rc;
}
