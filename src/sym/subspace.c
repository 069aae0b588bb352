/* Symmetry subspaces H_{i,j} = {theta_i = theta_j} are invariant under gradient flow
 * (Simsek et al. 2021, Lemma 2.1): the gradient of a permutation-symmetric loss at a point
 * of H_{i,j} is itself symmetric in units i and j, so no component leaves the subspace.
 * Checked here with small-step gradient descent (explicit Euler on the flow). */
#include <math.h>
#include <stdlib.h>

#include "landsym/engine.h"
#include "landsym/sym.h"
#include "sym/unit.h"

/* Distance of theta to H_{i,j}: the projection averages the two units, so the distance is
 * ||theta_i - theta_j|| / sqrt 2 over incoming weights, bias and outgoing weights. */
ls_status ls_sym_subspace_distance(const ls_net *net, const double *theta, int l, int i, int j,
                                   double *dist, ls_error *err) {
  ls_status st = sym_check_layer(net, l, err);
  if (st) return st;
  int m = net->width[l];
  if (i < 0 || j < 0 || i >= m || j >= m || i == j)
    return ls_error_set(err, LS_ERR_INPUT, "units %d and %d: need two distinct units of 0..%d",
                        i, j, m - 1);
  int D = sym_fan_in(net, l), n_out = net->width[l + 1];
  double s = 0, a[2], v[2];
  for (int q = 0; q < D; q++) {
    /* read one coordinate of each unit through the unit accessors' layout */
    size_t oi = q < net->width[l - 1] ? ls_net_w_offset(net, l) + (size_t)i * net->width[l - 1] + q
                                      : ls_net_b_offset(net, l) + i;
    size_t oj = q < net->width[l - 1] ? ls_net_w_offset(net, l) + (size_t)j * net->width[l - 1] + q
                                      : ls_net_b_offset(net, l) + j;
    v[0] = theta[oi], v[1] = theta[oj];
    s += (v[0] - v[1]) * (v[0] - v[1]);
  }
  const double *W = theta + ls_net_w_offset(net, l + 1);
  for (int o = 0; o < n_out; o++) {
    a[0] = W[(size_t)o * m + i], a[1] = W[(size_t)o * m + j];
    s += (a[0] - a[1]) * (a[0] - a[1]);
  }
  *dist = sqrt(s / 2);
  return LS_OK;
}

ls_status ls_sym_subspace_flow(const ls_net *net, const ls_data *d, double *theta, int l, int i,
                               int j, double eta, int n_steps, double *dist, double *loss_end,
                               ls_error *err) {
  ls_status st = ls_sym_subspace_distance(net, theta, l, i, j, &dist[0], err);
  if (st) return st;
  if (!(eta > 0) || n_steps < 0)
    return ls_error_set(err, LS_ERR_INPUT, "flow: step must be > 0 and steps >= 0");
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), L = 0;
  ls_work *w = ls_work_alloc(net, d->n);
  if (!g || !w) st = ls_error_set(err, LS_ERR_NOMEM, "flow: out of memory");
  for (int s = 1; s <= n_steps && !st; s++) {
    if ((st = ls_loss_grad(net, d, theta, &L, g, w))) {
      ls_error_set(err, st, "flow: loss not finite at step %d", s);
      break;
    }
    for (size_t k = 0; k < P; k++) theta[k] -= eta * g[k];
    ls_sym_subspace_distance(net, theta, l, i, j, &dist[s], NULL);
  }
  if (!st && (st = ls_loss(net, d, theta, &L, w))) ls_error_set(err, st, "flow: loss not finite");
  if (loss_end) *loss_end = L;
  free(g);
  ls_work_free(w);
  return st;
}
