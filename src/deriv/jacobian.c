/* Jacobian of the network outputs in the parameters, and the residuals of the MSE loss
 * (the two ingredients of a Levenberg-Marquardt step, thesis section 3.5: the Gauss-Newton
 * matrix is 2 J^T diag(w) J).
 *
 * Backpropagation of one output unit o of sample k through the layers of one forward pass
 * (layers.c): with e_l = d f_o / d a_l, starting from e_L = unit vector o,
 *   dz_i = e_i da_i/dz_i,  du_i = e_i da_i/du_i  (GLU units; da/du = act'(z)),
 *   d f_o / d W_l[i][j] = dz_i a_{l-1,j},   d f_o / d b_l[i] = dz_i,
 *   d f_o / d V_l[g][j] = du_i a_{l-1,j},   d f_o / d c_l[g] = du_i   (g: i's gate index),
 *   e_{l-1,j} = sum_i W_l[i][j] dz_i + V_l[g][j] du_i.
 * The m outputs of a sample are carried together (e is m x width[l]). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

/* Layer l's part of the m rows Jk of sample k; e (m rows of stride ld) in, ep out. */
static void layer_rows(const ls_net *net, const ls_layers *y, const double *theta, int l,
                       size_t k, double *Jk, size_t P, const double *e, double *ep, size_t ld) {
  int wi = net->width[l - 1], wo = net->width[l], g0 = wo - net->glu[l], m = net->width[net->n_layers];
  size_t ow = ls_net_w_offset(net, l), ob = net->bias[l] ? ls_net_b_offset(net, l) : 0;
  size_t ov = ls_net_v_offset(net, l), oc = net->bias[l] ? ls_net_c_offset(net, l) : 0;
  const double *a = y->a[l - 1] + k * (size_t)wi, *W = theta + ow, *V = theta + ov;
  const double *dz = y->dz[l] + k * (size_t)wo, *du = y->du[l] ? y->du[l] + k * (size_t)wo : NULL;
  for (int o = 0; o < m; o++) {
    double *row = Jk + (size_t)o * P, *epo = ep + (size_t)o * ld;
    const double *eo = e + (size_t)o * ld;
    if (l > 1) memset(epo, 0, (size_t)wi * sizeof *epo);
    for (int i = 0; i < wo; i++) {
      if (eo[i] == 0) continue; /* the row's entries stay 0 */
      double gz = eo[i] * dz[i], gu = i >= g0 ? eo[i] * du[i] : 0;
      const double *Wi = W + (size_t)i * wi, *Vi = i >= g0 ? V + (size_t)(i - g0) * wi : NULL;
      for (int j = 0; j < wi; j++) row[ow + (size_t)i * wi + j] = gz * a[j];
      if (net->bias[l]) row[ob + i] = gz;
      if (i >= g0) {
        for (int j = 0; j < wi; j++) row[ov + (size_t)(i - g0) * wi + j] = gu * a[j];
        if (net->bias[l]) row[oc + i - g0] = gu;
      }
      if (l == 1) continue;
      for (int j = 0; j < wi; j++) epo[j] += Wi[j] * gz + (i >= g0 ? Vi[j] * gu : 0);
    }
  }
}

/* The m rows of sample k: e_L = I, then the layers from L down to 1. */
static void sample_rows(const ls_net *net, const ls_layers *y, const double *theta, size_t k,
                        double *Jk, size_t P, double *e, double *ep, size_t ld) {
  int L = net->n_layers, m = net->width[L];
  memset(Jk, 0, (size_t)m * P * sizeof *Jk);
  memset(e, 0, (size_t)m * ld * sizeof *e);
  for (int o = 0; o < m; o++) e[(size_t)o * ld + o] = 1;
  for (int l = L; l >= 1; l--) {
    layer_rows(net, y, theta, l, k, Jk, P, e, ep, ld);
    double *t = e;
    e = ep, ep = t;
  }
}

/* y, or a new workspace for n samples in *own (freed by the caller). */
static ls_status layers_or_own(const ls_net *net, size_t n, ls_layers **y, ls_layers **own,
                               ls_error *err) {
  ls_error e2;
  *own = NULL;
  if (*y) return LS_OK;
  if ((*y = *own = ls_layers_alloc(net, n, err ? err : &e2))) return LS_OK;
  return err ? err->code : e2.code;
}

ls_status ls_jacobian(const ls_net *net, const double *theta, size_t n, const double *x,
                      double *J, ls_layers *y, ls_error *err) {
  ls_layers *own;
  ls_status st = layers_or_own(net, n, &y, &own, err);
  if (st) return st;
  size_t P = ls_net_nparams(net), ld = (size_t)ls_net_max_width(net);
  int m = net->width[net->n_layers];
  double *e = malloc(2 * (size_t)m * ld * sizeof *e);
  st = e ? ls_layers_forward(net, theta, n, x, y, err)
                   : ls_error_set(err, LS_ERR_NOMEM, "jacobian: out of memory");
  for (size_t k = 0; !st && k < n; k++)
    sample_rows(net, y, theta, k, J + k * (size_t)m * P, P, e, e + (size_t)m * ld, ld);
  free(e);
  ls_layers_free(own);
  return st;
}

ls_status ls_residuals(const ls_net *net, const ls_data *d, const double *theta, double *r,
                       ls_work *w, ls_error *err) {
  int L = net->n_layers, m = net->width[L];
  if (net->loss != LS_LOSS_MSE)
    return ls_error_set(err, LS_ERR_INPUT, "residuals: the loss must be MSE (got %s)",
                        ls_loss_name(net->loss));
  if (d->din != net->width[0] || d->dout != m)
    return ls_error_set(err, LS_ERR_INPUT, "residuals: data (%d -> %d) does not fit the network (%d -> %d)",
                        d->din, d->dout, net->width[0], m);
  ls_work *own = w ? NULL : ls_work_alloc(net, d->n);
  if (!w && !(w = own)) return ls_error_set(err, LS_ERR_NOMEM, "residuals: out of memory");
  ls_status st = ls_forward(net, theta, d->n, d->x, r, w); /* f into r, then in place */
  if (st) ls_error_set(err, st, "residuals: %s", ls_work_error(w)->msg);
  for (size_t k = 0; !st && k < d->n; k++) {
    double s = sqrt(ls_data_weight(d, k));
    double *f = r + k * (size_t)m;
    const double *t = d->y + k * (size_t)m;
    for (int o = 0; o < m; o++) f[o] = s * (f[o] - t[o]);
  }
  ls_work_free(own);
  return st;
}
