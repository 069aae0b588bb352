/* Lemma 2.1 of Simsek et al. 2021 checked along a real gradient flow, and the
 * two-parameter loss of their figure 2.
 *
 * Lemma 2.1: for a permutation-symmetric C^1 loss, gradient flow started on a symmetry
 * subspace H_{i,j} = {theta_i = theta_j} stays on it for all t > 0; started outside every
 * symmetry subspace, it reaches none in finite time. The flow here is SUNDIALS CVODE (BDF)
 * through ls_train, sampled at every accepted step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/optim.h"
#include "landsym/rng.h"
#include "landsym/sym.h"
#include "sym/unit.h"

void ls_sym_invariance_opts_default(ls_sym_invariance_opts *o) {
  o->layer = 1;
  o->i = 0;
  o->j = 1;
  o->offset = 1e-3;
  o->tmax = 100;
  o->seed = 1;
}

/* Make unit j of layer l a copy of unit i (incoming weights, bias, outgoing weights):
 * the projection of theta onto H_{i,j} would average them; a copy keeps unit i as given. */
static void copy_unit(const ls_net *net, double *th, int l, int i, int j) {
  int n = net->width[l - 1], m = net->width[l];
  size_t w = ls_net_w_offset(net, l), wn = ls_net_w_offset(net, l + 1);
  for (int q = 0; q < n; q++) th[w + (size_t)j * n + q] = th[w + (size_t)i * n + q];
  if (net->bias[l]) th[ls_net_b_offset(net, l) + j] = th[ls_net_b_offset(net, l) + i];
  for (int o = 0; o < net->width[l + 1]; o++) th[wn + (size_t)o * m + j] = th[wn + (size_t)o * m + i];
}

/* One CVODE gradient flow from theta to tmax, every accepted step sampled; the distance of
 * each sample to H_{i,j}: max and min over the trajectory, final value. */
static ls_status flow_distances(const ls_net *net, const ls_data *d, double *theta,
                                const ls_sym_invariance_opts *o, ls_sym_invariance_leg *leg,
                                ls_error *err) {
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.first = LS_FIRST_FLOW;
  to.polish = LS_POLISH_NONE;
  to.flow_tmax = o->tmax;
  to.grad_tol = 0;
  to.traj_per_decade = 100000; /* marks at least one step apart: every step is kept */
  to.traj_params = 1;
  ls_train_result r = {0};
  ls_status st = ls_sym_subspace_distance(net, theta, o->layer, o->i, o->j, &leg->dist_start, err);
  if (st) return st;
  ls_work *w = ls_work_alloc(net, d->n);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "invariance: out of memory");
  st = ls_loss(net, d, theta, &leg->loss_start, w);
  ls_work_free(w);
  if (st) return ls_error_set(err, st, "invariance: loss not finite at the start");
  if ((st = ls_train(net, d, theta, &to, &r, err))) goto done;
  if (r.traj.n == 0 || !r.traj.params) {
    st = ls_error_set(err, LS_ERR_COMPUTE, "invariance: the flow kept no trajectory");
    goto done;
  }
  leg->dist_max = 0, leg->dist_min = INFINITY, leg->scale = 0;
  for (size_t k = 0; k < r.traj.n; k++) {
    const double *p = r.traj.params + k * r.traj.P;
    double dk;
    ls_sym_subspace_distance(net, p, o->layer, o->i, o->j, &dk, NULL);
    leg->dist_max = fmax(leg->dist_max, dk);
    leg->dist_min = fmin(leg->dist_min, dk);
    for (size_t q = 0; q < r.traj.P; q++) leg->scale = fmax(leg->scale, fabs(p[q]));
  }
  ls_sym_subspace_distance(net, theta, o->layer, o->i, o->j, &leg->dist_end, NULL);
  leg->dist_max = fmax(leg->dist_max, fmax(leg->dist_end, leg->dist_start));
  leg->dist_min = fmin(leg->dist_min, fmin(leg->dist_end, leg->dist_start));
  leg->n_samples = r.traj.n;
  leg->flow_t = r.phase[0].flow_t;
  leg->loss_end = r.loss;
  leg->grad_end = r.grad_norm;
  leg->stop = r.stop;
done:
  ls_train_result_free(&r);
  return st;
}

ls_status ls_sym_invariance_check(const ls_net *net, const ls_data *d, const double *theta,
                                  const ls_sym_invariance_opts *o, ls_sym_invariance_result *res,
                                  ls_error *err) {
  memset(res, 0, sizeof *res);
  double dist;
  ls_status st = ls_sym_subspace_distance(net, theta, o->layer, o->i, o->j, &dist, err);
  if (st) return st;
  if (!(o->offset > 0) || !isfinite(o->offset))
    return ls_error_set(err, LS_ERR_INPUT, "invariance: offset must be a positive number");
  if (!(o->tmax > 0) || !isfinite(o->tmax))
    return ls_error_set(err, LS_ERR_INPUT, "invariance: tmax must be a positive number");
  size_t P = ls_net_nparams(net);
  double *on = malloc(P * sizeof *on), *off = malloc(P * sizeof *off);
  if (!on || !off) {
    free(on), free(off);
    return ls_error_set(err, LS_ERR_NOMEM, "invariance: out of memory");
  }
  memcpy(on, theta, P * sizeof *on);
  copy_unit(net, on, o->layer, o->i, o->j);
  /* off the subspace: unit j's incoming weights and bias moved by a random direction of
   * length offset * sqrt 2, so the start lies at distance exactly `offset` from H_{i,j} */
  memcpy(off, on, P * sizeof *off);
  int D = sym_fan_in(net, o->layer), n = net->width[o->layer - 1];
  double *u = malloc((size_t)D * sizeof *u), nu = 0;
  if (!u) {
    free(on), free(off);
    return ls_error_set(err, LS_ERR_NOMEM, "invariance: out of memory");
  }
  ls_rng rs;
  ls_rng_seed(&rs, o->seed);
  do {
    nu = 0;
    for (int q = 0; q < D; q++) u[q] = ls_rng_normal(&rs), nu += u[q] * u[q];
  } while (nu == 0);
  nu = sqrt(nu);
  for (int q = 0; q < D; q++) {
    double dq = o->offset * sqrt(2.0) * u[q] / nu;
    if (q < n) off[ls_net_w_offset(net, o->layer) + (size_t)o->j * n + q] += dq;
    else off[ls_net_b_offset(net, o->layer) + o->j] += dq;
  }
  free(u);
  st = flow_distances(net, d, on, o, &res->on, err);
  if (!st) st = flow_distances(net, d, off, o, &res->off, err);
  free(on), free(off);
  return st;
}

/* ---- figure 2: L(w1, w2) = log(((w1 + w2 - 3)^2 + (w1 w2 - 2)^2)/2 + 1) ---------------- */

void ls_sym_fig2_loss(const double w[2], double *L, double g[2], double H[4]) {
  /* q = (u^2 + v^2)/2 with u = w1 + w2 - 3, v = w1 w2 - 2; L = log(q + 1).
   * dq/dw1 = u + v w2, dq/dw2 = u + v w1;
   * d2q/dw1^2 = 1 + w2^2, d2q/dw2^2 = 1 + w1^2, d2q/dw1dw2 = 1 + w1 w2 + v;
   * dL = dq/(q+1), d2L = d2q/(q+1) - dq dq^T/(q+1)^2. */
  double u = w[0] + w[1] - 3, v = w[0] * w[1] - 2, q = 0.5 * (u * u + v * v), s = 1 / (q + 1);
  double q1 = u + v * w[1], q2 = u + v * w[0];
  if (L) *L = log1p(q);
  if (g) g[0] = q1 * s, g[1] = q2 * s;
  if (H) {
    H[0] = (1 + w[1] * w[1]) * s - q1 * q1 * s * s;
    H[3] = (1 + w[0] * w[0]) * s - q2 * q2 * s * s;
    H[1] = H[2] = (1 + w[0] * w[1] + v) * s - q1 * q2 * s * s;
  }
}

/* Classical RK4 on dw/dt = -grad L. The right-hand side treats w1 and w2 by the same
 * floating-point operations in swapped roles, so a start with w1 == w2 keeps w1 == w2
 * bitwise: Lemma 2.1 holds exactly, not only to rounding. */
void ls_sym_fig2_flow(const double w0[2], double dt, int n_steps, double *traj) {
  double w[2] = {w0[0], w0[1]};
  traj[0] = w[0], traj[1] = w[1];
  for (int s = 1; s <= n_steps; s++) {
    double k1[2], k2[2], k3[2], k4[2], t[2];
    ls_sym_fig2_loss(w, NULL, k1, NULL);
    t[0] = w[0] - 0.5 * dt * k1[0], t[1] = w[1] - 0.5 * dt * k1[1];
    ls_sym_fig2_loss(t, NULL, k2, NULL);
    t[0] = w[0] - 0.5 * dt * k2[0], t[1] = w[1] - 0.5 * dt * k2[1];
    ls_sym_fig2_loss(t, NULL, k3, NULL);
    t[0] = w[0] - dt * k3[0], t[1] = w[1] - dt * k3[1];
    ls_sym_fig2_loss(t, NULL, k4, NULL);
    for (int c = 0; c < 2; c++) w[c] -= dt / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
    traj[2 * s] = w[0], traj[2 * s + 1] = w[1];
  }
}

int ls_sym_fig2_critical(const double w0[2], double w[2], double eig[2]) {
  /* Newton on grad L = 0 from w0; converged when |grad| < 1e-14 within 100 steps */
  w[0] = w0[0], w[1] = w0[1];
  for (int it = 0; it < 100; it++) {
    double g[2], H[4];
    ls_sym_fig2_loss(w, NULL, g, H);
    if (fabs(g[0]) + fabs(g[1]) < 1e-14) {
      double tr = H[0] + H[3], det = H[0] * H[3] - H[1] * H[2];
      double disc = sqrt(fmax(0, 0.25 * tr * tr - det));
      eig[0] = 0.5 * tr - disc, eig[1] = 0.5 * tr + disc;
      return 1;
    }
    double det = H[0] * H[3] - H[1] * H[2];
    if (det == 0 || !isfinite(det)) return 0;
    double d0 = (H[3] * g[0] - H[1] * g[1]) / det, d1 = (-H[2] * g[0] + H[0] * g[1]) / det;
    w[0] -= d0, w[1] -= d1;
    if (!isfinite(w[0]) || !isfinite(w[1]) || fabs(w[0]) + fabs(w[1]) > 1e6) return 0;
  }
  return 0;
}
