/* Activations: each derivative (1st, 2nd, 3rd, and ls_act_d4's 4th) against 4th-order central differences of
 * the one below it, the vectorised ls_act_apply against the scalar ls_act_eval, and
 * finiteness and the right limits far out on both tails (|x| = 800). */
#include "check.h"
#include "landsym/net.h"

static void eval(const ls_act *a, double x, double d[5]) {
  ls_act_eval(a, x, d);
  d[4] = ls_act_d4(a, x);
}

int main(void) {
  const double xs[] = {-3.7, -1.3, -0.41, -0.05, 0.02, 0.33, 0.9, 2.2, 4.5};
  const int nx = (int)(sizeof xs / sizeof xs[0]);
  for (int kind = 0; kind < LS_ACT_COUNT; kind++) {
    ls_act a = {(ls_act_kind)kind, 0.7, 2.5};
    for (int order = 1; order <= 4; order++) {
      double maxerr = 0, h = 2e-4;
      for (int i = 0; i < nx; i++) {
        double x = xs[i], d[5], p1[5], m1[5], p2[5], m2[5];
        eval(&a, x, d), eval(&a, x + h, p1), eval(&a, x - h, m1);
        eval(&a, x + 2 * h, p2), eval(&a, x - 2 * h, m2);
        int o = order - 1;
        double fd = (8 * (p1[o] - m1[o]) - (p2[o] - m2[o])) / (12 * h);
        double e = check_rel(d[order], fd, 1e-2);
        if (e > maxerr) maxerr = e;
      }
      CHECK(maxerr < 1e-9, "%s: derivative %d vs FD of derivative %d: max rel err %.1e",
            ls_act_name(a.kind), order, order - 1, maxerr);
    }
    /* vector path == scalar path */
    double x[64], y[64], d1[64], d2[64], maxerr = 0;
    for (int i = 0; i < 64; i++) x[i] = -40 + 80.0 * i / 63 + 0.013;
    ls_act_apply(&a, 64, x, y, d1, d2);
    for (int i = 0; i < 64; i++) {
      double d[4];
      ls_act_eval(&a, x[i], d);
      maxerr = fmax(maxerr, check_rel(y[i], d[0], 1e-300));
      maxerr = fmax(maxerr, check_rel(d1[i], d[1], 1e-300));
      maxerr = fmax(maxerr, check_rel(d2[i], d[2], 1e-300));
    }
    CHECK(maxerr < 1e-13, "%s: ls_act_apply == ls_act_eval on [-40, 40], rel %.1e",
          ls_act_name(a.kind), maxerr);
    /* tails */
    int finite = 1;
    double dp[4], dm[4];
    ls_act_eval(&a, 800, dp), ls_act_eval(&a, -800, dm);
    for (int q = 0; q < 4; q++) finite &= isfinite(dp[q]) && isfinite(dm[q]);
    double xv[2] = {800, -800}, yv[2], d1v[2], d2v[2];
    ls_act_apply(&a, 2, xv, yv, d1v, d2v);
    for (int q = 0; q < 2; q++) finite &= isfinite(yv[q]) && isfinite(d1v[q]) && isfinite(d2v[q]);
    CHECK(finite, "%s: finite value and derivatives at x = +-800", ls_act_name(a.kind));
  }
  ls_act sp = {LS_ACT_SOFTPLUS, 0, 0};
  double d[4];
  ls_act_eval(&sp, 800, d);
  CHECK(d[0] == 800 && d[1] == 1 && d[2] == 0, "softplus(800) = 800, slope 1, curvature 0");
  ls_act_eval(&sp, -800, d);
  CHECK(d[0] >= 0 && d[0] < 1e-300 && d[1] < 1e-300, "softplus(-800) ~ 0 and slope ~ 0 (%.1e)", d[0]);
  ls_act_eval(&sp, 30, d);
  CHECK(check_rel(d[2], exp(-30) / ((1 + exp(-30)) * (1 + exp(-30))), 0) < 1e-14,
        "softplus''(30) keeps full relative accuracy (%.3e)", d[2]);
  /* the vector path is position-independent: each of 13 elements (one block of eight
   * and a tail of five) equals the same element evaluated alone, bit for bit */
  {
    double x13[13], y13[13], a13[13], b13[13];
    int same = 1;
    for (int i = 0; i < 13; i++) x13[i] = -9.5 + 1.7 * i;
    ls_act_apply(&sp, 13, x13, y13, a13, b13);
    for (int i = 0; i < 13; i++) {
      double y1, a1, b1;
      ls_act_apply(&sp, 1, x13 + i, &y1, &a1, &b1);
      same &= y1 == y13[i] && a1 == a13[i] && b1 == b13[i];
    }
    CHECK(same, "softplus: ls_act_apply gives an element the same bits in a block and alone");
  }
  ls_act sg = {LS_ACT_SIGMOID, 0, 0};
  double xv[1] = {-37.5}, yv[1], d1v[1], d2v[1];
  ls_act_apply(&sg, 1, xv, yv, d1v, d2v);
  double s = 1 / (1 + exp(37.5));
  CHECK(check_rel(d1v[0], s * (1 - s), 0) < 1e-14 && check_rel(d2v[0], s * (1 - s) * (1 - 2 * s), 0) < 1e-14,
        "sigmoid' and sigmoid'' accurate on the tail (x = -37.5)");
  return check_done();
}
