/* Forward pass, loss and exact gradient (backpropagation) of an MLP of any depth.
 * Activations are stored per layer for the backward pass; everything lives in the
 * caller's workspace, so hot loops never allocate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "work.h"

ls_work *ls_work_alloc(const ls_net *net, size_t n) {
  ls_work *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->net = *net;
  w->n = n;
  size_t tot = 0;
  for (int l = 0; l <= net->n_layers; l++) tot += n * (size_t)net->width[l];
  w->buf = malloc(4 * tot * sizeof(double));
  if (!w->buf) {
    free(w);
    return NULL;
  }
  double *p = w->buf;
  for (int l = 0; l <= net->n_layers; l++) {
    size_t s = n * (size_t)net->width[l];
    w->z[l] = p, p += s;
    w->a[l] = p, p += s;
    w->d1[l] = p, p += s;
    w->delta[l] = p, p += s;
  }
  return w;
}

void ls_work_free(ls_work *w) {
  if (!w) return;
  free(w->buf);
  free(w);
}

ls_status ls_work_check(const ls_net *net, size_t n, const ls_work *w) {
  if (!w || n > w->n || w->net.n_layers != net->n_layers) return LS_ERR_INPUT;
  for (int l = 0; l <= net->n_layers; l++)
    if (w->net.width[l] != net->width[l]) return LS_ERR_INPUT;
  return LS_OK;
}

/* z_l = a_{l-1} W_l^T + b_l, a_l = act_l(z_l), d1_l = act_l'(z_l), for l = 1..L. */
void ls_work_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     ls_work *w) {
  w->a[0] = (double *)x; /* layer 0 is the input itself, never written */
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    const double *b = net->bias[l] ? theta + ls_net_b_offset(net, l) : NULL;
    const double *ain = w->a[l - 1];
    double *z = w->z[l];
    for (size_t k = 0; k < n; k++) {
      const double *ak = ain + k * (size_t)wi;
      for (int i = 0; i < wo; i++) {
        const double *Wi = W + (size_t)i * wi;
        double s = b ? b[i] : 0.0;
        for (int j = 0; j < wi; j++) s += Wi[j] * ak[j];
        z[k * (size_t)wo + i] = s;
      }
    }
    ls_act_apply(&net->act[l], n * (size_t)wo, z, w->a[l], w->d1[l], NULL);
  }
}

ls_status ls_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     double *out, ls_work *w) {
  if (ls_work_check(net, n, w) != LS_OK) return LS_ERR_INPUT;
  ls_work_forward(net, theta, n, x, w);
  memcpy(out, w->a[net->n_layers], n * (size_t)net->width[net->n_layers] * sizeof(double));
  return LS_OK;
}

/* Per-sample loss of output row f against target row y, and (if g) dloss/df. */
double ls_sample_loss(ls_loss_kind kind, int m, const double *f, const double *y, double *g) {
  double loss = 0;
  if (kind == LS_LOSS_MSE) {
    for (int o = 0; o < m; o++) {
      double e = f[o] - y[o];
      loss += e * e;
      if (g) g[o] = 2 * e;
    }
    return loss;
  }
  /* softmax + NLL: loss = sum_o y_o (lse - f_o); dloss/df = p * sum(y) - y */
  double mx = f[0], sy = 0, se = 0;
  for (int o = 1; o < m; o++)
    if (f[o] > mx) mx = f[o];
  for (int o = 0; o < m; o++) se += exp(f[o] - mx), sy += y[o];
  double lse = mx + log(se);
  for (int o = 0; o < m; o++) {
    loss += y[o] * (lse - f[o]);
    if (g) g[o] = exp(f[o] - lse) * sy - y[o];
  }
  return loss;
}

ls_status ls_loss(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                  ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK) return LS_ERR_INPUT;
  ls_work_forward(net, theta, d->n, d->x, w);
  int m = net->width[net->n_layers];
  const double *f = w->a[net->n_layers];
  double s = 0;
  for (size_t k = 0; k < d->n; k++)
    s += ls_data_weight(d, k) * ls_sample_loss(net->loss, m, f + k * m, d->y + k * m, NULL);
  *loss = s;
  return isfinite(s) ? LS_OK : LS_ERR_COMPUTE;
}

/* Backpropagation: delta_L = w_k dloss/df * act_L'(z_L);
 * grad W_l = delta_l^T a_{l-1}, grad b_l = sum_k delta_l;
 * delta_{l-1} = (delta_l W_l) * act_{l-1}'(z_{l-1}). */
ls_status ls_loss_grad(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                       double *grad, ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK) return LS_ERR_INPUT;
  size_t n = d->n;
  int L = net->n_layers, m = net->width[L];
  ls_work_forward(net, theta, n, d->x, w);
  double s = 0;
  for (size_t k = 0; k < n; k++) {
    double *dl = w->delta[L] + k * m;
    double wk = ls_data_weight(d, k);
    s += wk * ls_sample_loss(net->loss, m, w->a[L] + k * m, d->y + k * m, dl);
    for (int o = 0; o < m; o++) dl[o] *= wk * w->d1[L][k * m + o];
  }
  *loss = s;
  memset(grad, 0, ls_net_nparams(net) * sizeof(double));
  for (int l = L; l >= 1; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    double *gW = grad + ls_net_w_offset(net, l);
    double *gb = net->bias[l] ? grad + ls_net_b_offset(net, l) : NULL;
    const double *W = theta + ls_net_w_offset(net, l);
    const double *ain = w->a[l - 1];
    const double *dl = w->delta[l];
    for (size_t k = 0; k < n; k++) {
      const double *ak = ain + k * wi, *dk = dl + k * wo;
      for (int i = 0; i < wo; i++) {
        double di = dk[i];
        double *gWi = gW + (size_t)i * wi;
        for (int j = 0; j < wi; j++) gWi[j] += di * ak[j];
        if (gb) gb[i] += di;
      }
    }
    if (l > 1) {
      double *dp = w->delta[l - 1];
      const double *d1p = w->d1[l - 1];
      for (size_t k = 0; k < n; k++) {
        const double *dk = dl + k * wo;
        for (int j = 0; j < wi; j++) {
          double t = 0;
          for (int i = 0; i < wo; i++) t += dk[i] * W[(size_t)i * wi + j];
          dp[k * wi + j] = t * d1p[k * wi + j];
        }
      }
    }
  }
  return isfinite(s) ? LS_OK : LS_ERR_COMPUTE;
}
