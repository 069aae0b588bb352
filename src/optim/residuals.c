/* Residuals of the MSE loss and their exact Jacobian.
 * With r_ko = sqrt(w_k) (f_o(x_k) - y_ko) the loss is ||r||^2 (DESIGN.md loss convention).
 * Row (k, o) of the Jacobian is sqrt(w_k) d f_o(x_k) / d theta, taken from one
 * single-sample MSE gradient: with target f(x_k) - e_o the residual vector is e_o and the
 * gradient is 2 d f_o / d theta. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/optim.h"

ls_status ls_residual_jacobian(const ls_net *net, const ls_data *d, const double *theta,
                               double *r, double *J, ls_error *err) {
  if (net->loss != LS_LOSS_MSE)
    return ls_error_set(err, LS_ERR_INPUT, "residual Jacobian: the loss must be MSE");
  size_t P = ls_net_nparams(net), n = d->n;
  int O = d->dout;
  double *f = malloc(n * (size_t)O * sizeof *f), *yk = malloc((size_t)O * sizeof *yk);
  ls_work *wn = ls_work_alloc(net, n), *w1 = J ? ls_work_alloc(net, 1) : NULL;
  ls_status st = LS_OK;
  if (!f || !yk || !wn || (J && !w1)) {
    st = ls_error_set(err, LS_ERR_NOMEM, "residual Jacobian: out of memory");
    goto done;
  }
  if (ls_forward(net, theta, n, d->x, f, wn)) {
    st = ls_error_set(err, LS_ERR_COMPUTE, "residual Jacobian: forward pass failed");
    goto done;
  }
  for (size_t k = 0; k < n; k++) {
    double s = sqrt(ls_data_weight(d, k));
    const double *fk = f + k * (size_t)O;
    for (int o = 0; o < O; o++) r[k * (size_t)O + (size_t)o] = s * (fk[o] - d->y[k * (size_t)O + (size_t)o]);
    if (!J) continue;
    for (int o = 0; o < O; o++) {
      double loss, *row = J + (k * (size_t)O + (size_t)o) * P;
      for (int q = 0; q < O; q++) yk[q] = fk[q] - (q == o);
      ls_data one = {1, d->din, O, d->x + k * (size_t)d->din, yk, NULL, NULL};
      if (ls_loss_grad(net, &one, theta, &loss, row, w1)) {
        st = ls_error_set(err, LS_ERR_COMPUTE, "residual Jacobian: gradient failed");
        goto done;
      }
      for (size_t p = 0; p < P; p++) row[p] *= 0.5 * s;
    }
  }
done:
  free(f), free(yk);
  ls_work_free(wn), ls_work_free(w1);
  return st;
}
