/* Gauss-Newton polishing of a zero-loss point (MSE, one output) on its residuals.
 * At a global minimum whose units have not fully merged, the loss is flat to fourth order
 * along a merge: units delta apart leave residuals of order delta^2 but gradients of order
 * delta^3, so Newton on the gradient stalls at its rounding floor (about 1e-16) with the
 * residuals still about 1e-11 (loss 1e-21). The residuals themselves carry the direction
 * (Simsek et al. 2021, Remark 4.2: the expansion manifold is where they vanish): minimum-
 * norm least-squares steps J p = -r (LAPACK dgelsd, rank-revealing, so the exactly flat
 * directions of the manifold are left alone) drive them to the rounding level. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/classify.h"
#include "landsym/engine.h"

/* Jacobian of the network output (row k: d f(x_k) / d theta, scaled by sqrt(weight_k)) and
 * the scaled residuals r_k = sqrt(w_k) (f(x_k) - y_k). One single-sample gradient per row:
 * with target f(x_k) - 1 the residual is 1 and the MSE gradient is 2 df/dtheta. */
static ls_status jacobian(const ls_net *net, const ls_data *d, const double *th, double *J,
                          double *r, double *f, ls_work *w1, ls_work *wn, ls_error *err) {
  size_t P = ls_net_nparams(net);
  if (ls_forward(net, th, d->n, d->x, f, wn))
    return ls_error_set(err, LS_ERR_COMPUTE, "gn polish: forward pass failed");
  for (size_t k = 0; k < d->n; k++) {
    double yk = f[k] - 1, loss, s = sqrt(ls_data_weight(d, k));
    ls_data one = {1, d->din, 1, d->x + k * (size_t)d->din, &yk, NULL};
    if (ls_loss_grad(net, &one, th, &loss, J + k * P, w1))
      return ls_error_set(err, LS_ERR_COMPUTE, "gn polish: gradient failed");
    for (size_t p = 0; p < P; p++) J[k * P + p] *= 0.5 * s;
    r[k] = s * (f[k] - d->y[k]);
  }
  return LS_OK;
}

ls_status ls_prune_polish_gn(const ls_net *net, const ls_data *d, double *theta,
                             int max_iter, double *loss, ls_error *err) {
  size_t P = ls_net_nparams(net), N = d->n, M = N > P ? N : P;
  double *J = malloc(N * P * sizeof *J), *r = malloc(M * sizeof *r),
         *f = malloc(N * sizeof *f), *t = malloc(P * sizeof *t), *sv = malloc(P * sizeof *sv);
  ls_work *w1 = ls_work_alloc(net, 1), *wn = ls_work_alloc(net, N);
  ls_status st = LS_OK;
  if (!J || !r || !f || !t || !sv || !w1 || !wn) {
    st = ls_error_set(err, LS_ERR_NOMEM, "gn polish: out of memory");
    goto done;
  }
  if (ls_loss(net, d, theta, loss, wn)) {
    st = ls_error_set(err, LS_ERR_COMPUTE, "gn polish: loss failed");
    goto done;
  }
  int ok = net->loss == LS_LOSS_MSE && d->dout == 1 && net->width[net->n_layers] == 1;
  for (int it = 0; ok && it < max_iter && *loss > 0; it++) {
    if ((st = jacobian(net, d, theta, J, r, f, w1, wn, err))) goto done;
    for (size_t k = 0; k < N; k++) r[k] = -r[k];
    lapack_int rank;
    if (LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)N, (lapack_int)P, 1, J, (lapack_int)P, r,
                       1, sv, 1e-9, &rank) != 0)
      break;
    /* accept the full step, else halve it a few times; stop when nothing lowers the loss */
    double step = 1, lt = INFINITY;
    for (int h = 0; h < 30; h++, step *= 0.5) {
      for (size_t p = 0; p < P; p++) t[p] = theta[p] + step * r[p];
      if (ls_loss(net, d, t, &lt, wn) == LS_OK && lt < *loss) break;
    }
    if (!(lt < *loss)) break;
    memcpy(theta, t, P * sizeof *t);
    *loss = lt;
  }
done:
  free(J), free(r), free(f), free(t), free(sv);
  ls_work_free(w1), ls_work_free(wn);
  return st;
}
