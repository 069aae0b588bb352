/* `landsym locus --wide N` and `--attract N`: Cooper 2020's wide regime (section 5) and
 * attracting loci (Definition 3.4) on the student of a config (docs/locus.md).
 *   --wide N: for N seeds, Theorem 5.11's strictly decreasing line from the initial point to
 *     a global minimum (certified by the loss sampled along it against (1 - t)^2 L(p)); then
 *     the seed trained to a critical point and Proposition 5.13 checked on it: a local
 *     minimum found is global (zero loss) or not strict (a flat last-layer move keeps the
 *     outputs, Theorem 5.15).
 *   --attract N: gradient flow (CVODE) from N initial points N(0, scale^2); each limit is
 *     assigned to the global minima, a star locus S_k or core locus C_{k,j} (distance below
 *     tol), another critical point, or no convergence; the fractions estimate which loci
 *     attract a set of positive measure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/locus_wide.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/locus.h"
#include "landsym/optim.h"

/* Largest |eigenvalue| and smallest eigenvalue of the Hessian; index below -tol max. */
static ls_status hessian_min(const ls_net *net, const ls_data *d, const double *th, double *lmin,
                             double *lmax, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *H = malloc(P * P * sizeof *H), *e = malloc(P * sizeof *e);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!H || !e || !w) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st && (st = ls_hessian(net, d, th, H, w))) ls_error_set(err, st, "Hessian not finite");
  if (!st) st = ls_eig_sym(P, H, e, NULL, err);
  if (!st) *lmin = e[0], *lmax = fmax(fabs(e[0]), fabs(e[P - 1]));
  free(H), free(e);
  ls_work_free(w);
  return st;
}

int locus_wide(const ls_config *cfg, long n_seeds, long seed0) {
  const ls_net *net = &cfg->student;
  const ls_data *d = &cfg->data;
  int L = net->n_layers, m = net->width[L - 1];
  size_t P = ls_net_nparams(net);
  ls_error err = {0};
  if (m < (int)d->n)
    fprintf(stderr, "landsym locus: last hidden width %d < %zu samples: not Cooper's wide regime "
                    "(Theorem 5.11 needs width >= n); running anyway\n", m, d->n);
  double *th = malloc(P * sizeof *th), *end = malloc(P * sizeof *end);
  if (!th || !end) {
    free(th), free(end);
    fprintf(stderr, "landsym locus: out of memory\n");
    return 1;
  }
  int lines_ok = 0, full_rank = 0, n_min = 0, n_global = 0, n_flat = 0, n_bad = 0, n_saddle = 0,
      n_unconv = 0;
  double worst_dev = 0, worst_end = 0, yy = 0;
  for (size_t i = 0; i < d->n * (size_t)d->dout; i++) yy += d->y[i] * d->y[i] / (double)d->n;
  for (long s = seed0; s < seed0 + n_seeds; s++) {
    ls_params_glorot(net, (uint64_t)s, th);
    ls_locus_line_result lr;
    if (ls_locus_descent_line(net, d, th, 101, end, &lr, &err)) goto fail;
    int ok = lr.rank == lr.n && lr.strictly_decreasing && lr.max_rel_dev < 1e-8 &&
             lr.loss_end <= 1e-20 * fmax(lr.loss0, 1e-300) + 1e-28;
    lines_ok += ok, full_rank += lr.rank == lr.n;
    worst_dev = fmax(worst_dev, lr.max_rel_dev);
    worst_end = fmax(worst_end, lr.loss_end);
    printf("{\"seed\": %ld, \"theorem\": \"5.11\", \"rank_F\": %d, \"n\": %d, \"loss_start\": %.6e, "
           "\"loss_end\": %.3e, \"step_norm\": %.4g, \"max_rel_dev_from_(1-t)^2\": %.2e, "
           "\"strictly_decreasing\": %s, \"certified\": %s}\n",
           s, lr.rank, lr.n, lr.loss0, lr.loss_end, lr.step_norm, lr.max_rel_dev,
           lr.strictly_decreasing ? "true" : "false", ok ? "true" : "false");
    /* Proposition 5.13 on the trained point */
    ls_train_opts o;
    ls_train_opts_default(&o);
    o.traj_per_decade = 0;
    o.grad_tol = 1e-12;
    ls_train_result tr = {0};
    if (ls_train(net, d, th, &o, &tr, &err)) goto fail;
    double lmin, lmax;
    int conv = tr.grad_norm <= 1e-8;
    ls_train_result_free(&tr);
    if (hessian_min(net, d, th, &lmin, &lmax, &err)) goto fail;
    double Lp;
    ls_work *w = ls_work_alloc(net, d->n);
    ls_loss(net, d, th, &Lp, w);
    ls_work_free(w);
    const char *what;
    int global = Lp <= 1e-20 * fmax(yy, 1e-300);
    if (!conv) what = "not converged", n_unconv++;
    else if (lmin < -1e-8 * fmax(lmax, 1e-300)) what = "saddle", n_saddle++;
    else if (global) what = "global minimum", n_min++, n_global++;
    else {
      n_min++;
      ls_locus_flat_result fr;
      if (ls_locus_flat_certificate(net, d, th, &fr, &err)) goto fail;
      int flat = fr.flat_dim > 0 && fabs(fr.loss_moved - fr.loss) <= 1e-12 * fmax(fr.loss, 1e-300) &&
                 fr.max_out_change <= 1e-10;
      if (flat) what = "local minimum, not strict (flat certificate)", n_flat++;
      else what = "local minimum WITHOUT certificate", n_bad++;
      printf("{\"seed\": %ld, \"flat_dim\": %ld, \"loss\": %.6e, \"loss_after_unit_move\": %.6e, "
             "\"max_output_change\": %.2e}\n", s, fr.flat_dim, fr.loss, fr.loss_moved, fr.max_out_change);
    }
    printf("{\"seed\": %ld, \"proposition\": \"5.13\", \"loss\": %.6e, \"lambda_min\": %.3e, "
           "\"found\": \"%s\"}\n", s, Lp, lmin, what);
  }
  printf("Theorem 5.11: %d of %ld initial points have rank F = n and a certified strictly "
         "decreasing line to a global minimum (max deviation from (1-t)^2 L(p): %.1e; end loss "
         "up to %.1e)\n", lines_ok, n_seeds, worst_dev, worst_end);
  printf("Proposition 5.13: %d minima found (%d global, %d non-global with a flat certificate, "
         "%d without); %d saddles, %d not converged\n", n_min, n_global, n_flat, n_bad, n_saddle,
         n_unconv);
  free(th), free(end);
  return lines_ok == n_seeds && n_bad == 0 ? 0 : 1;
fail:
  fprintf(stderr, "landsym locus: %s\n", err.msg);
  free(th), free(end);
  return ls_status_exit_code(err.code);
}

int locus_attract(const ls_config *cfg, long n_seeds, long seed0, double scale, double tmax) {
  const ls_net *net = &cfg->student;
  const ls_data *d = &cfg->data;
  int L = net->n_layers;
  size_t P = ls_net_nparams(net);
  ls_error err = {0};
  /* the components: S_k (k = 1..L-1), C_{k,j} (k < j) */
  int comp[64][2], nc[64], ncomp = 0;
  for (int k = 1; k <= L - 1 && ncomp < 64; k++) {
    comp[ncomp][0] = k, nc[ncomp++] = 1;
    for (int j = k + 1; j <= L - 1 && ncomp < 64; j++) comp[ncomp][0] = k, comp[ncomp][1] = j, nc[ncomp++] = 2;
  }
  long count[64] = {0}, n_global = 0, n_other = 0, n_unconv = 0;
  double yy = 0;
  for (size_t i = 0; i < d->n * (size_t)d->dout; i++) yy += d->y[i] * d->y[i] / (double)d->n;
  double *th = malloc(P * sizeof *th);
  if (!th) return fprintf(stderr, "landsym locus: out of memory\n"), 1;
  for (long s = seed0; s < seed0 + n_seeds; s++) {
    ls_params_normal(net, (uint64_t)s, scale, th);
    ls_train_opts o;
    ls_train_opts_default(&o);
    o.first = LS_FIRST_FLOW, o.polish = LS_POLISH_NONE, o.flow_tmax = tmax;
    o.traj_per_decade = 0, o.grad_tol = 1e-14;
    ls_train_result tr = {0};
    if (ls_train(net, d, th, &o, &tr, &err)) {
      free(th);
      fprintf(stderr, "landsym locus: %s\n", err.msg);
      return ls_status_exit_code(err.code);
    }
    double g = tr.grad_norm, Lp = tr.loss;
    ls_train_result_free(&tr);
    /* nearest component (the most specific: a core point is also a star point) */
    int best = -1;
    double bestd = INFINITY, dist;
    for (int c = 0; c < ncomp; c++) {
      if (ls_locus_distance(net, d, th, comp[c], nc[c], &dist, &err)) {
        free(th);
        fprintf(stderr, "landsym locus: %s\n", err.msg);
        return ls_status_exit_code(err.code);
      }
      if (dist <= 1e-4 && (best < 0 || nc[c] > nc[best] || (nc[c] == nc[best] && dist < bestd)))
        best = c, bestd = dist;
    }
    const char *what;
    char name[32];
    if (Lp <= 1e-10 * fmax(yy, 1e-300)) what = "global", n_global++;
    else if (best >= 0) {
      count[best]++;
      if (nc[best] == 1) snprintf(name, sizeof name, "S%d", comp[best][0]);
      else snprintf(name, sizeof name, "C%d_%d", comp[best][0], comp[best][1]);
      what = name;
    } else if (g <= 1e-6) what = "other critical", n_other++;
    else what = "not converged", n_unconv++;
    printf("{\"seed\": %ld, \"loss\": %.6e, \"grad_inf\": %.2e, \"limit\": \"%s\", \"distance\": %.2e}\n",
           s, Lp, g, what, best >= 0 ? bestd : NAN);
  }
  printf("Definition 3.4, %ld flows from N(0, %g^2) to t = %g: global %.3f", n_seeds, scale, tmax,
         (double)n_global / n_seeds);
  for (int c = 0; c < ncomp; c++) {
    if (nc[c] == 1) printf(", S%d %.3f", comp[c][0], (double)count[c] / n_seeds);
    else printf(", C%d_%d %.3f", comp[c][0], comp[c][1], (double)count[c] / n_seeds);
  }
  printf(", other critical %.3f, not converged %.3f\n", (double)n_other / n_seeds,
         (double)n_unconv / n_seeds);
  free(th);
  return 0;
}
