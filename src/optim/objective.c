/* The training objective: loss plus the weight-norm barrier and the merge penalty, with
 * exact gradient, Hessian and Hessian-vector product, so that every optimiser sees them. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

ls_status ls_penalty_validate(const ls_penalty *pen, const ls_net *net, ls_error *err) {
  if (!(pen->max_norm >= 0) || !(pen->barrier >= 0) || !isfinite(pen->max_norm) ||
      !isfinite(pen->barrier))
    return ls_error_set(err, LS_ERR_INPUT, "max_norm and barrier must be finite and >= 0");
  if (!(pen->merge_lambda >= 0) || !isfinite(pen->merge_lambda))
    return ls_error_set(err, LS_ERR_INPUT, "merge lambda must be finite and >= 0");
  if (pen->merge_lambda > 0) {
    int l = pen->merge_layer;
    if (l < 1 || l >= net->n_layers)
      return ls_error_set(err, LS_ERR_INPUT, "merge layer %d is not a hidden layer (1..%d)", l,
                          net->n_layers - 1);
    int w = net->width[l];
    if (pen->merge_i < 0 || pen->merge_i >= w || pen->merge_j < 0 || pen->merge_j >= w ||
        pen->merge_i == pen->merge_j)
      return ls_error_set(err, LS_ERR_INPUT,
                          "merge neurons %d and %d must be distinct and in 0..%d", pen->merge_i,
                          pen->merge_j, w - 1);
  }
  return LS_OK;
}

ls_status ls_objective_init(ls_objective *o, const ls_net *net, const ls_data *data,
                            const ls_penalty *pen, ls_error *err) {
  memset(o, 0, sizeof *o);
  ls_status s = ls_net_validate(net, err);
  if (s != LS_OK) return s;
  if (data->din != net->width[0] || data->dout != net->width[net->n_layers])
    return ls_error_set(err, LS_ERR_INPUT,
                        "data has %d inputs and %d outputs, the network %d and %d", data->din,
                        data->dout, net->width[0], net->width[net->n_layers]);
  if (pen) {
    s = ls_penalty_validate(pen, net, err);
    if (s != LS_OK) return s;
    o->pen = *pen;
  }
  o->net = net;
  o->data = data;
  o->P = ls_net_nparams(net);
  o->work = ls_work_alloc(net, data->n);
  if (!o->work) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the engine workspace");
  o->loss_noise = ls_loss_noise(net, data);
  return LS_OK;
}

/* The loss is a weighted sum of squared residuals computed with relative error about eps in
 * each output: its absolute rounding level is about eps^2 * sum_k w_k |y_k|^2. */
double ls_loss_noise(const ls_net *net, const ls_data *data) {
  double ey2 = 0;
  for (size_t k = 0; k < data->n; k++) {
    double s2 = 0;
    for (int j = 0; j < data->dout; j++) s2 += data->y[k * data->dout + j] * data->y[k * data->dout + j];
    ey2 += ls_data_weight(data, k) * s2;
  }
  if (net->loss != LS_LOSS_MSE) ey2 = 1;
  return 16 * DBL_EPSILON * DBL_EPSILON * (ey2 > 1e-300 ? ey2 : 1);
}

void ls_objective_free(ls_objective *o) {
  if (!o) return;
  ls_work_free(o->work);
  memset(o, 0, sizeof *o);
}

static int barrier_on(const ls_penalty *p) { return p->max_norm > 0 && p->barrier > 0; }

/* s = ||theta||^2 - M^2 (the barrier is active when s > 0). */
static double barrier_excess(const ls_objective *o, const double *theta) {
  double n2 = 0;
  for (size_t i = 0; i < o->P; i++) n2 += theta[i] * theta[i];
  return n2 - o->pen.max_norm * o->pen.max_norm;
}

/* The merged neuron's vector: incoming weights (row i of W_l) then bias b_l[i]. */
static int merge_len(const ls_objective *o) {
  int l = o->pen.merge_layer;
  return o->net->width[l - 1] + (o->net->bias[l] ? 1 : 0);
}

/* Parameter index of entry k of neuron i's vector. */
static size_t merge_index(const ls_objective *o, int i, int k) {
  const ls_net *net = o->net;
  int l = o->pen.merge_layer, wi = net->width[l - 1];
  if (k < wi) return ls_net_w_offset(net, l) + (size_t)i * wi + k;
  return ls_net_b_offset(net, l) + i;
}

/* Adds the penalties to f and (if g) to the gradient. */
static void penalty_add(const ls_objective *o, const double *theta, double *f, double *g) {
  if (barrier_on(&o->pen)) {
    double s = barrier_excess(o, theta);
    if (s > 0) {
      *f += o->pen.barrier * s * s;
      if (g)
        for (size_t i = 0; i < o->P; i++) g[i] += 4 * o->pen.barrier * s * theta[i];
    }
  }
  if (o->pen.merge_lambda > 0) {
    double lam = o->pen.merge_lambda;
    for (int k = 0, m = merge_len(o); k < m; k++) {
      size_t a = merge_index(o, o->pen.merge_i, k), b = merge_index(o, o->pen.merge_j, k);
      double d = theta[a] - theta[b];
      *f += lam * d * d;
      if (g) g[a] += 2 * lam * d, g[b] -= 2 * lam * d;
    }
  }
}

ls_status ls_objective_value(ls_objective *o, const double *theta, double *f) {
  ls_status s = ls_loss(o->net, o->data, theta, f, o->work);
  if (s != LS_OK && s != LS_ERR_COMPUTE) return s;
  penalty_add(o, theta, f, NULL);
  return isfinite(*f) ? LS_OK : LS_ERR_COMPUTE;
}

ls_status ls_objective_grad(ls_objective *o, const double *theta, double *f, double *g) {
  ls_status s = ls_loss_grad(o->net, o->data, theta, f, g, o->work);
  if (s != LS_OK && s != LS_ERR_COMPUTE) return s;
  penalty_add(o, theta, f, g);
  if (!isfinite(*f)) return LS_ERR_COMPUTE;
  for (size_t i = 0; i < o->P; i++)
    if (!isfinite(g[i])) return LS_ERR_COMPUTE;
  return LS_OK;
}

ls_status ls_objective_hessian(ls_objective *o, const double *theta, double *H) {
  ls_status s = ls_hessian(o->net, o->data, theta, H, o->work);
  if (s != LS_OK) return s;
  size_t P = o->P;
  if (barrier_on(&o->pen)) {
    /* d2/dtheta2 c s^2 = 4c (s I + 2 theta theta^T) for s > 0 */
    double sx = barrier_excess(o, theta), c = o->pen.barrier;
    if (sx > 0)
      for (size_t i = 0; i < P; i++) {
        H[i * P + i] += 4 * c * sx;
        for (size_t j = 0; j < P; j++) H[i * P + j] += 8 * c * theta[i] * theta[j];
      }
  }
  if (o->pen.merge_lambda > 0) {
    double l2 = 2 * o->pen.merge_lambda;
    for (int k = 0, m = merge_len(o); k < m; k++) {
      size_t a = merge_index(o, o->pen.merge_i, k), b = merge_index(o, o->pen.merge_j, k);
      H[a * P + a] += l2, H[b * P + b] += l2;
      H[a * P + b] -= l2, H[b * P + a] -= l2;
    }
  }
  for (size_t i = 0; i < P * P; i++)
    if (!isfinite(H[i])) return LS_ERR_COMPUTE;
  return LS_OK;
}

ls_status ls_objective_hvp(ls_objective *o, const double *theta, const double *v, double *Hv) {
  ls_status s = ls_hvp(o->net, o->data, theta, v, Hv, o->work);
  if (s != LS_OK) return s;
  size_t P = o->P;
  if (barrier_on(&o->pen)) {
    double sx = barrier_excess(o, theta), c = o->pen.barrier;
    if (sx > 0) {
      double tv = 0;
      for (size_t i = 0; i < P; i++) tv += theta[i] * v[i];
      for (size_t i = 0; i < P; i++) Hv[i] += 4 * c * sx * v[i] + 8 * c * theta[i] * tv;
    }
  }
  if (o->pen.merge_lambda > 0) {
    double l2 = 2 * o->pen.merge_lambda;
    for (int k = 0, m = merge_len(o); k < m; k++) {
      size_t a = merge_index(o, o->pen.merge_i, k), b = merge_index(o, o->pen.merge_j, k);
      double d = v[a] - v[b];
      Hv[a] += l2 * d, Hv[b] -= l2 * d;
    }
  }
  for (size_t i = 0; i < P; i++)
    if (!isfinite(Hv[i])) return LS_ERR_COMPUTE;
  return LS_OK;
}
