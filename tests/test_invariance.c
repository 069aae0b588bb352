/* Lemma 2.1 of Simsek et al. 2021 and the loss of their figure 2:
 * - figure 2's loss: gradient and Hessian against central finite differences; its critical
 *   points against the closed form (minima where w1 + w2 = 3, w1 w2 = 2, i.e. (1,2) and
 *   (2,1); the saddle on w1 = w2 where w^3 = 3, from grad q = 0: v (w2 - w1) = 0 and
 *   u + v w = 0 with u = 2w - 3, v = w^2 - 2);
 * - RK4 flow of that loss stays exactly on w1 = w2, and off it never reaches it;
 * - ls_sym_invariance_check (CVODE flow) on random networks of depth 2 and 3. */
#include "check.h"
#include "landsym/optim.h"
#include "sym_util.h"

int main(void) {
  /* finite differences of the closed-form loss at a few points */
  double pts[4][2] = {{0.3, -0.7}, {1.9, 2.4}, {-0.4, 3.1}, {1.2, 1.2}};
  double gerr = 0, herr = 0;
  for (int k = 0; k < 4; k++) {
    double g[2], H[4], h = 1e-5;
    ls_sym_fig2_loss(pts[k], NULL, g, H);
    for (int c = 0; c < 2; c++) {
      double wp[2] = {pts[k][0], pts[k][1]}, wm[2] = {pts[k][0], pts[k][1]}, Lp, Lm, gp[2], gm[2];
      wp[c] += h, wm[c] -= h;
      ls_sym_fig2_loss(wp, &Lp, gp, NULL);
      ls_sym_fig2_loss(wm, &Lm, gm, NULL);
      gerr = fmax(gerr, check_rel((Lp - Lm) / (2 * h), g[c], 1e-3));
      for (int r = 0; r < 2; r++) herr = fmax(herr, check_rel((gp[r] - gm[r]) / (2 * h), H[2 * r + c], 1e-3));
    }
  }
  CHECK(gerr < 1e-8 && herr < 1e-8,
        "figure 2 loss: gradient and Hessian match central differences (rel %.1e, %.1e)", gerr, herr);
  double w[2], eig[2], s3 = cbrt(3.0);
  double want[3][2] = {{1, 2}, {2, 1}, {s3, s3}};
  int want_min[3] = {1, 1, 0};
  for (int k = 0; k < 3; k++) {
    double w0[2] = {want[k][0] + 0.05, want[k][1] - 0.03};
    if (k == 2) w0[0] = w0[1] = s3 + 0.05; /* Newton on the subspace stays on it */
    int ok = ls_sym_fig2_critical(w0, w, eig);
    double L;
    ls_sym_fig2_loss(w, &L, NULL, NULL);
    CHECK(ok && fabs(w[0] - want[k][0]) < 1e-12 && fabs(w[1] - want[k][1]) < 1e-12 &&
              (want_min[k] ? eig[0] > 0 && L < 1e-28 : eig[0] < 0 && eig[1] > 0),
          "figure 2 critical point (%.12f, %.12f): closed form (%.12f, %.12f), eigenvalues %.6f "
          "%.6f, L = %.3e (%s)",
          w[0], w[1], want[k][0], want[k][1], eig[0], eig[1], L, want_min[k] ? "minimum" : "saddle");
  }
  /* flows of figure 2: exactly on the diagonal from a diagonal start; off it, a positive
   * minimum distance, and convergence to a minimum (not to the saddle) */
  int n = 4000, n2 = 30000;
  double *traj = malloc((size_t)(n2 + 1) * 2 * sizeof *traj);
  double starts[3] = {-0.3, 1.0, 3.0}, mx = 0;
  for (int k = 0; k < 3; k++) {
    double w0[2] = {starts[k], starts[k]};
    ls_sym_fig2_flow(w0, 0.01, n, traj);
    for (int s = 0; s <= n; s++) mx = fmax(mx, fabs(traj[2 * s] - traj[2 * s + 1]));
  }
  double wend = traj[2 * n];
  CHECK(mx == 0 && fabs(wend - s3) < 1e-6,
        "figure 2 flow from w1 = w2: |w1 - w2| = %.1e over 3 x %d RK4 steps; ends at the saddle "
        "(%.8f vs 3^(1/3) = %.8f)", mx, n, wend, s3);
  double w0[2] = {3.0 + 1e-3, 3.0 - 1e-3}, mn = INFINITY;
  ls_sym_fig2_flow(w0, 0.01, n2, traj);
  for (int s = 0; s <= n2; s++) mn = fmin(mn, fabs(traj[2 * s] - traj[2 * s + 1]));
  CHECK(mn > 0 && fabs(traj[2 * n2] - 2) < 1e-6 && fabs(traj[2 * n2 + 1] - 1) < 1e-6,
        "figure 2 flow from 1e-3 off w1 = w2: min |w1 - w2| %.3e > 0, ends at (%.6f, %.6f), the "
        "minimum (2, 1)", mn, traj[2 * n2], traj[2 * n2 + 1]);
  free(traj);

  /* CVODE gradient flow of random networks */
  ls_rng rs;
  ls_rng_seed(&rs, 31);
  int shapes[2][4] = {{2, 4, 1, 0}, {3, 4, 3, 2}};
  int depth[2] = {2, 3};
  for (int s = 0; s < 2; s++) {
    ls_net teacher, net;
    int tw[4];
    memcpy(tw, shapes[s], sizeof tw);
    for (int l = 1; l < depth[s]; l++) tw[l] += 1;
    double *tt = su_random_net(&teacher, depth[s], tw, LS_ACT_TANH, 1, 1.0, &rs);
    ls_data d;
    su_teacher_data(&d, 40, &teacher, tt, &rs);
    for (int l = 1; l < depth[s]; l++) {
      double *th = su_random_net(&net, depth[s], shapes[s], LS_ACT_TANH, 1, 0.7, &rs);
      ls_sym_invariance_opts o;
      ls_sym_invariance_opts_default(&o);
      o.layer = l, o.i = 2, o.j = 0, o.tmax = 30, o.offset = 1e-4;
      ls_sym_invariance_result r;
      ls_error err;
      ls_status st = ls_sym_invariance_check(&net, &d, th, &o, &r, &err);
      CHECK(!st && r.on.n_samples > 10 && r.on.dist_start == 0 &&
                r.on.dist_max <= 1e-12 * fmax(1, r.on.scale) && r.on.loss_end < r.on.loss_start &&
                fabs(r.off.dist_start - 1e-4) < 1e-12 && r.off.dist_min > 0,
            "CVODE flow, depth %d layer %d: on H_{2,0} max distance %.1e over %zu steps to t = %.0f "
            "(loss %.3e -> %.3e); from 1e-4 off, min distance %.3e, end %.3e",
            depth[s], l, st ? -1.0 : r.on.dist_max, r.on.n_samples, r.on.flow_t, r.on.loss_start,
            r.on.loss_end, r.off.dist_min, r.off.dist_end);
      free(th);
    }
    free(tt);
    ls_data_free(&d);
  }
  /* bad input is refused, not aborted */
  ls_net net;
  int w3[3] = {2, 3, 1};
  double *th = su_random_net(&net, 2, w3, LS_ACT_TANH, 1, 1, &rs);
  ls_data d;
  su_teacher_data(&d, 10, &net, th, &rs);
  ls_sym_invariance_opts o;
  ls_sym_invariance_opts_default(&o);
  ls_sym_invariance_result r;
  ls_error err;
  o.j = 5;
  ls_status s1 = ls_sym_invariance_check(&net, &d, th, &o, &r, &err);
  o.j = 1, o.offset = -1;
  ls_status s2 = ls_sym_invariance_check(&net, &d, th, &o, &r, &err);
  CHECK(s1 == LS_ERR_INPUT && s2 == LS_ERR_INPUT, "invariance rejects a unit out of range and a "
        "negative offset (%s)", err.msg);
  free(th);
  ls_data_free(&d);
  return check_done();
}
