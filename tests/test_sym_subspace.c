/* Lemma 2.1 of Simsek et al. 2021: gradient flow started on a symmetry subspace
 * H_{i,j} = {theta_i = theta_j} stays on it; started off it, it does not reach it in finite
 * time. Small-step gradient descent on 2- and 3-layer networks. */
#include "check.h"
#include "landsym/optim.h"
#include "sym_util.h"

/* Make unit j of layer l a copy of unit i (incoming, bias and outgoing weights). */
static void copy_unit(const ls_net *net, double *th, int l, int i, int j) {
  int n = net->width[l - 1], m = net->width[l];
  for (int q = 0; q < n; q++)
    th[ls_net_w_offset(net, l) + (size_t)j * n + q] = th[ls_net_w_offset(net, l) + (size_t)i * n + q];
  if (net->bias[l]) th[ls_net_b_offset(net, l) + j] = th[ls_net_b_offset(net, l) + i];
  for (int o = 0; o < net->width[l + 1]; o++)
    th[ls_net_w_offset(net, l + 1) + (size_t)o * m + j] = th[ls_net_w_offset(net, l + 1) + (size_t)o * m + i];
}

int main(void) {
  ls_rng rs;
  ls_rng_seed(&rs, 2718);
  int shapes[3][5] = {{2, 4, 1}, {3, 4, 3, 2}, {2, 3, 4, 3, 1}};
  int depth[3] = {2, 3, 4};
  ls_act_kind acts[3] = {LS_ACT_TANH, LS_ACT_SIGMOID, LS_ACT_SOFTPLUS};
  for (int s = 0; s < 3; s++) {
    ls_net teacher, net;
    int tw[5];
    memcpy(tw, shapes[s], sizeof tw);
    for (int l = 1; l < depth[s]; l++) tw[l] += 1;
    double *tt = su_random_net(&teacher, depth[s], tw, acts[s], 1, 1.0, &rs);
    ls_data d;
    su_teacher_data(&d, 50, &teacher, tt, &rs);
    for (int l = 1; l < depth[s]; l++) {
      double *th = su_random_net(&net, depth[s], shapes[s], acts[s], 1, 0.7, &rs);
      size_t P = ls_net_nparams(&net);
      double *off = malloc(P * sizeof *off);
      copy_unit(&net, th, l, 0, 2);
      memcpy(off, th, P * sizeof *th);
      off[ls_net_w_offset(&net, l) + 2 * net.width[l - 1]] += 1e-3; /* leave the subspace */
      int steps = 2000;
      double *dist = malloc((steps + 1) * sizeof *dist), *dist2 = malloc((steps + 1) * sizeof *dist2);
      double L0, L1, L2;
      ls_work *w = ls_work_alloc(&net, d.n);
      ls_loss(&net, &d, th, &L0, w);
      ls_work_free(w);
      ls_error err;
      ls_status st = ls_sym_subspace_flow(&net, &d, th, l, 0, 2, 0.02, steps, dist, &L1, &err);
      if (!st) st = ls_sym_subspace_flow(&net, &d, off, l, 0, 2, 0.02, steps, dist2, &L2, &err);
      double mx = 0, mn2 = 1e300;
      for (int k = 0; k <= steps; k++) mx = fmax(mx, dist[k]), mn2 = fmin(mn2, dist2[k]);
      CHECK(!st && mx <= 1e-13 && L1 < L0 && mn2 > 0,
            "%s depth %d layer %d: on H_{0,2} max distance %.1e over %d steps (loss %.3e -> "
            "%.3e); started at 1e-3 off it, min distance %.2e, final %.2e",
            ls_act_name(acts[s]), depth[s], l, mx, steps, L0, L1, mn2, dist2[steps]);
      free(th), free(off), free(dist), free(dist2);
    }
    free(tt);
    ls_data_free(&d);
  }
  /* gradient flow proper: SUNDIALS CVODE (BDF, exact Hessian Jacobian) via ls_train; its
   * linear solves mix coordinates, so the distance stays at rounding level, not at 0 */
  for (int s = 0; s < 2; s++) {
    ls_net teacher, net;
    int tw[4] = {2, 5, 4, 1}, sw[4] = {2, 4, 3, 1};
    double *tt = su_random_net(&teacher, 3, tw, LS_ACT_TANH, 1, 1.0, &rs);
    ls_data d;
    su_teacher_data(&d, 40, &teacher, tt, &rs);
    int l = 1 + s;
    double *th = su_random_net(&net, 3, sw, LS_ACT_TANH, 1, 0.7, &rs);
    copy_unit(&net, th, l, 0, 1);
    ls_train_opts o;
    ls_train_opts_default(&o);
    o.first = LS_FIRST_FLOW;
    o.polish = LS_POLISH_NONE;
    o.flow_tmax = 200;
    o.traj_params = 1;
    ls_train_result r = {0};
    ls_error err;
    ls_status st = ls_train(&net, &d, th, &o, &r, &err);
    double mx = 0, scale = 0;
    for (size_t k = 0; !st && k < r.traj.n; k++) {
      double dk;
      ls_sym_subspace_distance(&net, r.traj.params + k * r.traj.P, l, 0, 1, &dk, NULL);
      mx = fmax(mx, dk);
      for (size_t q = 0; q < r.traj.P; q++) scale = fmax(scale, fabs(r.traj.params[k * r.traj.P + q]));
    }
    double dend;
    ls_sym_subspace_distance(&net, th, l, 0, 1, &dend, NULL);
    CHECK(!st && r.traj.n > 5 && mx <= 1e-12 * fmax(1, scale) && dend <= 1e-12 * fmax(1, scale),
          "CVODE gradient flow, 2-4-3-1 tanh, H_{0,1} in layer %d: %zu trajectory samples to "
          "t = %.0f (loss %.3e), max distance %.1e (weights up to %.1f), final %.1e",
          l, r.traj.n, r.phase[0].flow_t, r.loss, mx, scale, dend);
    ls_train_result_free(&r);
    free(tt), free(th);
    ls_data_free(&d);
  }
  /* errors */
  ls_net net;
  int w[3] = {2, 3, 1};
  double *th = su_random_net(&net, 2, w, LS_ACT_TANH, 1, 1, &rs), dd;
  ls_error err;
  CHECK(ls_sym_subspace_distance(&net, th, 1, 1, 1, &dd, &err) == LS_ERR_INPUT &&
            ls_sym_subspace_distance(&net, th, 2, 0, 1, &dd, &err) == LS_ERR_INPUT,
        "subspace rejects i == j and the output layer (%s)", err.msg);
  free(th);
  return check_done();
}
