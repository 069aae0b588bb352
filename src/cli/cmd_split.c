/* landsym split: Y/U split test of a critical point (thesis section 6.2.6, Theorem 3,
 * Corollaries 3.1-3.2; section 6.3.1): predicted against measured Hessian inertia of the
 * lifted network along a sweep of mu, with figures 6.16-6.18 style plots (docs/split.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/split.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: landsym split --config FILE --params P.npy --layer L --neuron I\n"
          "                     [--mu-range A:B:N] [--nsmall K] [--tol T]\n"
          "                     [--spectrum auto|dense|lanczos] [--dense-max N] [--lanczos-k K] --out DIR\n\n"
          "Duplicate neuron I (0-based) of hidden layer L (1-based) of the student at the\n"
          "critical point P, splitting its outgoing weights into (mu a, (1-mu) a); compute the\n"
          "matrices Y and U of Theorem 3, predict the Hessian inertia of the lifted point and\n"
          "compare it with the exact Hessian spectrum for N values of mu in [A, B].\n\n"
          "  --mu-range A:B:N  sweep (default -1:2:61)\n"
          "  --nsmall K        smallest eigenvalues written and plotted (default 12)\n"
          "  --tol T           zero threshold, relative to the largest |eigenvalue| (default 1e-9)\n"
          "  --spectrum S      Hessian spectra: auto (dense up to --dense-max parameters, else\n"
          "                    Lanczos on Hessian-vector products), dense, lanczos (auto)\n"
          "  --dense-max N     auto: dense eigen-decomposition up to N parameters (3000)\n"
          "  --lanczos-k K     Lanczos: K smallest and K largest eigenvalues (default: enough\n"
          "                    for the predicted negative and zero ones, at least --nsmall)\n"
          "  --out DIR         directory for split_sweep.csv, split_y_eigs.*, split_smallest.*\n"
          "stdout: one JSON summary (also DIR/split_summary.json), naming the spectrum method.\n"
          "Exit 0 ok, 1 computation failed, 2 bad usage or input.\n");
}

/* Write text to path atomically. */
static ls_status write_text(const char *path, const char *text, ls_error *err) {
  return ls_file_write_atomic(path, text, strlen(text), err);
}

/* A growing text buffer. */
typedef struct {
  char *s;
  size_t n, cap;
} sbuf;
__attribute__((format(printf, 2, 3))) static int sb_printf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return -1;
    if (b->s && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return 0;
    }
    size_t nc = (b->cap + (size_t)k + 1) * 2;
    char *t = realloc(b->s, nc);
    if (!t) return -1;
    b->s = t, b->cap = nc;
  }
}

static ls_status write_plot(const char *dir, const char *name, const char *dat, const char *gp,
                            ls_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.dat", dir, name);
  ls_status st = write_text(path, dat, err);
  if (st) return st;
  snprintf(path, sizeof path, "%s/%s.gp", dir, name);
  if ((st = write_text(path, gp, err))) return st;
  char cmd[8400];
  snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s.gp' 2>/dev/null", dir, name);
  if (system(cmd) != 0)
    fprintf(stderr, "landsym split: gnuplot failed on %s/%s.gp (data and script kept)\n", dir, name);
  return LS_OK;
}

int cmd_split(int argc, char **argv) {
  cli_point pt = {0};
  const char *outdir = NULL, *range = "-1:2:61";
  long neuron = -1, nsmall = 12, dense_max = 3000, lanczos_k = 0;
  ls_split_spectrum_opts so = {LS_SPLIT_SPECTRUM_AUTO, 3000, 1};
  double tol = 1e-9;
  static const struct option opts[] = {{"config", 1, 0, 'c'}, {"params", 1, 0, 'p'},
                                       {"layer", 1, 0, 'l'},  {"neuron", 1, 0, 'i'},
                                       {"mu-range", 1, 0, 'm'}, {"nsmall", 1, 0, 'k'},
                                       {"tol", 1, 0, 't'},    {"out", 1, 0, 'o'},
                                       {"spectrum", 1, 0, 's'}, {"dense-max", 1, 0, 'd'},
                                       {"lanczos-k", 1, 0, 'K'},
                                       {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = cli_point_opt("split", c, optarg, &pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'o': outdir = optarg; break;
      case 'm': range = optarg; break;
      case 'i':
        if (cli_opt_long("split", "neuron", optarg, 0, LONG_MAX, &neuron)) return 2;
        break;
      case 'k':
        if (cli_opt_long("split", "nsmall", optarg, 1, 1000, &nsmall)) return 2;
        break;
      case 't':
        if (cli_parse_double(optarg, &tol) || tol <= 0 || tol >= 1)
          return cli_usage_error("split", "--tol needs a number in (0,1), got '%s'", optarg);
        break;
      case 's':
        if (!strcmp(optarg, "auto")) so.kind = LS_SPLIT_SPECTRUM_AUTO;
        else if (!strcmp(optarg, "dense")) so.kind = LS_SPLIT_SPECTRUM_DENSE;
        else if (!strcmp(optarg, "lanczos")) so.kind = LS_SPLIT_SPECTRUM_LANCZOS;
        else return cli_usage_error("split", "--spectrum must be auto, dense or lanczos, got '%s'", optarg);
        break;
      case 'd':
        if (cli_opt_long("split", "dense-max", optarg, 1, LONG_MAX, &dense_max)) return 2;
        break;
      case 'K':
        if (cli_opt_long("split", "lanczos-k", optarg, 1, 100000, &lanczos_k)) return 2;
        break;
      case 'h': usage(stdout); return 0;
      default: return cli_usage_error("split", "unknown option");
    }
  }
  if (optind < argc) return cli_usage_error("split", "unexpected argument '%s'", argv[optind]);
  if (!pt.config || !pt.params || !outdir || pt.layer < 1 || neuron < 0)
    return cli_usage_error("split", "--config, --params, --layer, --neuron and --out are required");
  double mu_a, mu_b;
  long nmu;
  {
    char a[64], b[64], n[64];
    if (sscanf(range, "%63[^:]:%63[^:]:%63s", a, b, n) != 3 || cli_parse_double(a, &mu_a) ||
        cli_parse_double(b, &mu_b) || cli_parse_long(n, &nmu) || nmu < 2 || nmu > 100000 || !(mu_b > mu_a))
      return cli_usage_error("split", "--mu-range must be A:B:N with A < B and N >= 2, got '%s'", range);
  }
  so.dense_max = (size_t)dense_max;
  ls_error err = {0};
  ls_config cfg;
  ls_status st = ls_config_load(pt.config, &cfg, &err);
  if (st) return cli_fail("split", &err);
  double *th = NULL, *Y = NULL, *U = NULL, *ey = NULL, *tb = NULL;
  ls_spectrum spr = {0}, sp = {0};
  ls_work *w = NULL;
  sbuf csv = {0}, dy = {0}, ds = {0}, gp = {0}, blk = {0};
  double *B = NULL, *M = NULL, *eb = NULL, *em = NULL;
  int rc = 1, nin, nout;
  const ls_net *net = &cfg.student;
  if ((st = ls_params_read_net(pt.params, net, &th, &err))) goto fail;
  if ((st = ls_split_dims(net, (int)pt.layer, (int)neuron, &nin, &nout, &err))) goto fail;
  if (mkdir(outdir, 0777) && errno != EEXIST) {
    st = ls_error_set(&err, LS_ERR_IO, "cannot create directory %s: %s", outdir, strerror(errno));
    goto fail;
  }
  size_t Pr = ls_net_nparams(net);
  ls_net big;
  ls_split_duplicate(net, th, (int)pt.layer, (int)neuron, 0.5, &big, NULL, NULL);
  size_t P = ls_net_nparams(&big);
  Y = malloc((size_t)nin * nin * sizeof *Y), U = malloc((size_t)nin * nout * sizeof *U);
  ey = malloc((size_t)nin * sizeof *ey), tb = malloc(P * sizeof *tb);
  double *g = malloc(Pr * sizeof *g);
  if (!Y || !U || !ey || !tb || !g) {
    free(g);
    st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory for %zu parameters", P);
    goto fail;
  }
  /* the narrow point: gradient (Theorem 3 assumes a critical point) */
  double loss, gn = 0;
  w = ls_work_alloc(net, cfg.data.n);
  if (!w || (st = ls_loss_grad(net, &cfg.data, th, &loss, g, w))) {
    free(g);
    if (!st) st = LS_ERR_NOMEM;
    ls_error_set(&err, st, "loss or gradient of the narrow network failed");
    goto fail;
  }
  for (size_t i = 0; i < Pr; i++) gn += g[i] * g[i];
  gn = sqrt(gn);
  free(g);
  ls_work_free(w), w = NULL;
  if (gn > 1e-8)
    fprintf(stderr, "landsym split: warning: |grad| = %.3e at the given point; Theorem 3 holds at critical points\n", gn);
  /* narrow spectrum: Lanczos (for large P) gets a window of 2 nsmall + nin + nout */
  int complete_r, incomplete = 0;
  size_t n_hvp = 0;
  ls_inertia inr;
  so.k = lanczos_k ? (int)lanczos_k : (int)(2 * nsmall) + nin + nout;
  if ((st = ls_split_spectrum(net, &cfg.data, th, &so, tol, &spr, &inr, &complete_r, &err))) goto fail;
  n_hvp += spr.n_hvp;
  if (!complete_r)
    fprintf(stderr, "landsym split: warning: the %d smallest eigenvalues of the narrow Hessian are not all "
                    "positive; its inertia is incomplete (raise --lanczos-k)\n", so.k);
  double hmax = fmax(fabs(spr.evals[0]), fabs(spr.evals[spr.n - 1]));
  if ((st = ls_split_matrices(net, &cfg.data, th, (int)pt.layer, (int)neuron, Y, U, &err))) goto fail;
  if ((st = ls_split_eigvals(Y, nin, ey, &err))) goto fail;
  int rho;
  ls_inertia pin, pout;
  ls_split_predict(Y, U, nin, nout, 0.5, tol * hmax, &pin, &rho, NULL);
  ls_split_predict(Y, U, nin, nout, 2.0, tol * hmax, &pout, NULL, NULL);
  /* lifted spectra: the window must hold every negative and zero eigenvalue, at most the
   * narrow point's plus the nin + nout of the block */
  int pmax = inr.neg + inr.zero + nin + nout;
  so.k = lanczos_k ? (int)lanczos_k : (int)(nsmall > pmax + 8 ? nsmall : pmax + 8);
  int K = (int)(nsmall < (long)P ? nsmall : (long)P), mismatches = 0;
  if (so.kind == LS_SPLIT_SPECTRUM_LANCZOS || (so.kind == LS_SPLIT_SPECTRUM_AUTO && P > so.dense_max))
    if (K > so.k) K = so.k;
  ls_spectrum_method lifted_method = LS_SPECTRUM_DENSE;
  /* the split block measured on the lifted Hessian against M(mu) from Y and U */
  int nb = nin + nout;
  B = malloc((size_t)nb * nb * sizeof *B), M = malloc((size_t)nb * nb * sizeof *M);
  eb = malloc((size_t)nb * sizeof *eb), em = malloc((size_t)nb * sizeof *em);
  if (!B || !M || !eb || !em) {
    st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    goto fail;
  }
  double max_coupling = 0, max_block_diff = 0;
  sb_printf(&blk, "mu,coupling");
  for (int k = 0; k < nb; k++) sb_printf(&blk, ",block_%d", k + 1);
  for (int k = 0; k < nb; k++) sb_printf(&blk, ",pred_%d", k + 1);
  sb_printf(&blk, "\n");
  int zeros0 = -1, zeros1 = -1;
  sb_printf(&csv, "mu,pred_neg,pred_zero,pred_pos,meas_neg,meas_zero,meas_pos,match");
  for (int k = 0; k < K; k++) sb_printf(&csv, ",lambda_%d", k + 1);
  sb_printf(&csv, "\n");
  sb_printf(&ds, "# mu, then the %d smallest Hessian eigenvalues of the lifted point\n", K);
  for (long s = 0; s < nmu; s++) {
    double mu = mu_a + (mu_b - mu_a) * (double)s / (double)(nmu - 1);
    if (fabs(mu) < 1e-12) mu = 0; /* grid points meant to be 0 and 1 */
    if (fabs(mu - 1) < 1e-12) mu = 1;
    ls_split_duplicate(net, th, (int)pt.layer, (int)neuron, mu, &big, tb, NULL);
    ls_inertia meas, pm;
    int complete;
    ls_spectrum_free(&sp);
    if ((st = ls_split_spectrum(&big, &cfg.data, tb, &so, tol, &sp, &meas, &complete, &err))) {
      ls_error_prefix(&err, "Hessian spectrum of the lifted network at mu = %g", mu);
      goto fail;
    }
    lifted_method = sp.method;
    n_hvp += sp.n_hvp;
    incomplete += !complete;
    const double *eig = sp.evals;
    if (mu == 0) zeros0 = meas.zero;
    if (mu == 1) zeros1 = meas.zero;
    double coupling;
    if ((st = ls_split_block_measured(net, (int)pt.layer, (int)neuron, mu, &big, &cfg.data, tb, B, &coupling, &err)) ||
        (st = ls_split_eigvals(B, nb, eb, &err)))
      goto fail;
    ls_split_block(Y, U, nin, nout, mu, M);
    if ((st = ls_split_eigvals(M, nb, em, &err))) goto fail;
    max_coupling = fmax(max_coupling, coupling);
    sb_printf(&blk, "%.10g,%.6e", mu, coupling);
    for (int k = 0; k < nb; k++) sb_printf(&blk, ",%.17g", eb[k]), max_block_diff = fmax(max_block_diff, fabs(eb[k] - em[k]));
    for (int k = 0; k < nb; k++) sb_printf(&blk, ",%.17g", em[k]);
    sb_printf(&blk, "\n");
    ls_split_predict(Y, U, nin, nout, mu, tol * hmax, &pm, NULL, NULL);
    ls_inertia pred = ls_inertia_add(inr, pm);
    int match = complete && ls_inertia_equal(pred, meas);
    mismatches += !match;
    sb_printf(&csv, "%.10g,%d,%d,%d,%d,%d,%d,%d", mu, pred.neg, pred.zero, pred.pos, meas.neg,
              meas.zero, meas.pos, match);
    sb_printf(&ds, "%.10g", mu);
    for (int k = 0; k < K; k++) sb_printf(&csv, ",%.17g", eig[k]), sb_printf(&ds, " %.17g", eig[k]);
    sb_printf(&csv, "\n"), sb_printf(&ds, "\n");
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/split_sweep.csv", outdir);
  if ((st = write_text(path, csv.s, &err))) goto fail;
  snprintf(path, sizeof path, "%s/split_block.csv", outdir);
  if ((st = write_text(path, blk.s, &err))) goto fail;
  /* figure 6.16 style: eigenvalues of Y */
  sb_printf(&dy, "# index, eigenvalue of Y (layer %ld, neuron %ld)\n", pt.layer, neuron);
  for (int i = 0; i < nin; i++) sb_printf(&dy, "%d %.17g\n", i + 1, ey[i]);
  for (int t = 0; t < 2; t++) {
    sb_printf(&gp, "set terminal %s\nset output 'split_y_eigs.%s'\n", t ? "svg size 640,420" : "pngcairo size 640,420", t ? "svg" : "png");
    sb_printf(&gp, "set title 'Eigenvalues of Y (layer %ld, neuron %ld)'\nset xlabel 'index'\nset ylabel 'eigenvalue'\n"
                   "set xzeroaxis\nset grid\nplot 'split_y_eigs.dat' using 1:2 with points pt 7 ps 1.2 title 'eig(Y)'\n",
              pt.layer, neuron);
  }
  if ((st = write_plot(outdir, "split_y_eigs", dy.s, gp.s, &err))) goto fail;
  /* figures 6.17 / 6.18 style: the smallest eigenvalues along mu */
  free(gp.s), gp = (sbuf){0};
  for (int t = 0; t < 2; t++) {
    sb_printf(&gp, "set terminal %s\nset output 'split_smallest.%s'\n", t ? "svg size 720,480" : "pngcairo size 720,480", t ? "svg" : "png");
    sb_printf(&gp, "set title 'Smallest %d Hessian eigenvalues, neuron %ld of layer %ld duplicated'\n"
                   "set xlabel 'mu'\nset ylabel 'eigenvalue'\nset xzeroaxis\nset grid\nset arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n"
                   "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2\n"
                   "plot for [k=2:%d] 'split_smallest.dat' using 1:k with lines notitle\nunset arrow\n",
              K, neuron, pt.layer, K + 1);
  }
  if ((st = write_plot(outdir, "split_smallest", ds.s, gp.s, &err))) goto fail;
  /* summary, on stdout and in DIR/split_summary.json */
  char z0s[16] = "null", z1s[16] = "null"; /* zero counts at mu = 0, 1 when swept */
  if (zeros0 >= 0) snprintf(z0s, sizeof z0s, "%d", zeros0);
  if (zeros1 >= 0) snprintf(z1s, sizeof z1s, "%d", zeros1);
  free(dy.s), dy = (sbuf){0};
  sb_printf(&dy, "{\"layer\": %ld, \"neuron\": %ld, \"grad_norm\": %.3e, \"loss\": %.17g, \"nin\": %d, \"nout\": %d,\n"
            " \"spectrum_narrow\": \"%s\", \"spectrum_lifted\": \"%s\", \"hessian_vector_products\": %zu,"
            " \"inertia_incomplete\": %d,\n"
            " \"narrow_inertia\": [%d, %d, %d], \"rank_U\": %d, \"Y_eigenvalues\": [",
            pt.layer, neuron, gn, loss, nin, nout, ls_spectrum_method_name(spr.method),
            ls_spectrum_method_name(lifted_method), n_hvp, incomplete + !complete_r, inr.neg, inr.zero,
            inr.pos, rho);
  for (int i = 0; i < nin; i++) sb_printf(&dy, "%s%.10g", i ? ", " : "", ey[i]);
  sb_printf(&dy, "],\n \"predicted_inertia_inside\": [%d, %d, %d], \"predicted_inertia_outside\": [%d, %d, %d],\n"
            " \"zeros_narrow\": %d, \"zeros_at_mu0\": %s, \"zeros_at_mu1\": %s, \"zeros_added_predicted\": %d,\n"
            " \"block_coupling_max\": %.3e, \"block_vs_prediction_max\": %.3e, \"lambda_max_narrow\": %.6e,\n"
            " \"mu_values\": %ld, \"mismatches\": %d}\n",
            inr.neg + pin.neg, inr.zero + pin.zero, inr.pos + pin.pos, inr.neg + pout.neg,
            inr.zero + pout.zero, inr.pos + pout.pos, inr.zero, z0s, z1s, nin + nout - 2 * rho, max_coupling,
            max_block_diff, hmax, nmu,
            mismatches);
  snprintf(path, sizeof path, "%s/split_summary.json", outdir);
  if ((st = write_text(path, dy.s, &err))) goto fail;
  fputs(dy.s, stdout);
  fprintf(stderr, "landsym split: spectra by %s (narrow, P = %zu) and %s (lifted, P = %zu)%s\n",
          ls_spectrum_method_name(spr.method), Pr, ls_spectrum_method_name(lifted_method), P,
          incomplete + !complete_r ? "; some inertias incomplete (raise --lanczos-k)" : "");
  if (mismatches)
    fprintf(stderr, "landsym split: %d of %ld values of mu differ from the prediction (see split_sweep.csv)\n",
            mismatches, nmu);
  rc = 0;
  goto done;
fail:
  rc = cli_fail("split", &err);
done:
  ls_work_free(w);
  free(th), free(Y), free(U), free(ey), free(tb);
  ls_spectrum_free(&spr), ls_spectrum_free(&sp);
  free(csv.s), free(dy.s), free(ds.s), free(gp.s), free(blk.s);
  free(B), free(M), free(eb), free(em);
  ls_config_free(&cfg);
  return rc;
}
