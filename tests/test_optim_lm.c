/* Levenberg-Marquardt on the residuals (src/optim/lm.c, residuals.c).
 * 1. The residual Jacobian against central differences of the residuals (two outputs,
 *    biases, depth 2, per-sample weights), and ||r||^2 against the engine's loss.
 * 2. A zero-loss point off the expansion manifold (Simsek et al. 2021, Remark 4.2): the
 *    thesis teacher with unit 1 split into two units delta apart (outgoing 0.6 a and
 *    0.4 a). Along the merge the loss is flat to fourth order, so Newton stalls at the
 *    gradient's rounding floor (loss about 1e-27 here, units 2e-6 apart); LM on the
 *    residuals reaches the loss's rounding level, below 1e-30, and puts the split units
 *    back together to 1e-7. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "optim_fixture.h"

static void jacobian_check(void) {
  int widths[4] = {2, 4, 3, 2};
  ls_net net;
  ls_act a = {LS_ACT_TANH, 0, 0};
  ls_net_init(&net, 3, widths, a, 1, NULL);
  size_t P = ls_net_nparams(&net), n = 7, M = 2 * n;
  ls_data d;
  ls_data_alloc(&d, n, 2, 2, 1, NULL);
  unsigned long long s = 11;
  double wsum = 0;
  for (size_t i = 0; i < 2 * n; i++) d.x[i] = fixture_rand(&s), d.y[i] = fixture_rand(&s);
  for (size_t k = 0; k < n; k++) wsum += d.w[k] = 1.5 + fixture_rand(&s);
  for (size_t k = 0; k < n; k++) d.w[k] /= wsum;
  double *th = malloc(P * sizeof *th), *J = malloc(M * P * sizeof *J), *r = malloc(M * sizeof *r);
  double *rp = malloc(M * sizeof *rp), *rm = malloc(M * sizeof *rm);
  for (size_t i = 0; i < P; i++) th[i] = 0.8 * fixture_rand(&s);
  ls_error err;
  CHECK(ls_residual_jacobian(&net, &d, th, r, J, &err) == LS_OK, "residual Jacobian computed");
  double worst = 0, h = 1e-6;
  for (size_t p = 0; p < P; p++) {
    double t = th[p];
    th[p] = t + h, ls_residual_jacobian(&net, &d, th, rp, NULL, &err);
    th[p] = t - h, ls_residual_jacobian(&net, &d, th, rm, NULL, &err);
    th[p] = t;
    for (size_t m = 0; m < M; m++) worst = fmax(worst, fabs((rp[m] - rm[m]) / (2 * h) - J[m * P + p]));
  }
  CHECK(worst < 1e-8, "Jacobian vs central differences: max error %.2e (< 1e-8)", worst);
  double r2 = 0, L;
  for (size_t m = 0; m < M; m++) r2 += r[m] * r[m];
  ls_work *w = ls_work_alloc(&net, n);
  ls_loss(&net, &d, th, &L, w);
  CHECK(check_rel(r2, L, 1e-300) < 1e-13, "||r||^2 = %.15g, loss %.15g", r2, L);
  net.loss = LS_LOSS_NLL;
  CHECK(ls_residual_jacobian(&net, &d, th, r, J, &err) == LS_ERR_INPUT, "NLL refused: %s", err.msg);
  ls_work_free(w);
  free(th), free(J), free(r), free(rp), free(rm);
  ls_data_free(&d);
}

/* Teacher unit 1 split: units 1 and 5 with incoming weights delta apart. */
static void split_point(double *th, double delta) {
  const double *t = thesis_teacher;
  memcpy(th, t, 8 * sizeof *th);            /* W1 rows 1-4 */
  th[8] = t[0] + 0.3 * delta, th[9] = t[1] - 0.7 * delta; /* row 5 */
  th[10] = 0.6 * t[8], th[11] = t[9], th[12] = t[10], th[13] = t[11], th[14] = 0.4 * t[8];
}

static double train_from(const ls_net *net, const ls_data *d, const double *th0, ls_polish_kind k,
                         double *out, ls_train_result *res) {
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_NONE, o.polish = k, o.polish_maxiter = 200, o.grad_tol = 0;
  o.traj_per_decade = 0;
  memcpy(out, th0, 15 * sizeof *out);
  ls_error err;
  memset(res, 0, sizeof *res);
  if (ls_train(net, d, out, &o, res, &err) != LS_OK) return NAN;
  return res->loss;
}

static void zero_loss_check(void) {
  ls_net net;
  thesis_net(&net, 5);
  ls_data d;
  thesis_data(&d, 41);
  double th0[15], tn[15], tl[15];
  split_point(th0, 2e-2);
  ls_train_result rn, rl;
  double fn = train_from(&net, &d, th0, LS_POLISH_NEWTON, tn, &rn);
  double fl = train_from(&net, &d, th0, LS_POLISH_LM, tl, &rl);
  CHECK(fn > 1e-28 && fn > 1e3 * fl, "Newton stalls on the degenerate zero-loss set: loss %.2e (%s after %zu)",
        fn, ls_stop_name(rn.stop), rn.iters);
  CHECK(fl < 1e-30, "LM reaches loss %.2e (< 1e-30; %s after %zu steps)", fl,
        ls_stop_name(rl.stop), rl.iters);
  double gap = hypot(tl[8] - tl[0], tl[9] - tl[1]), gap_n = hypot(tn[8] - tn[0], tn[9] - tn[1]);
  CHECK(gap < 1e-6 && gap < 0.1 * gap_n, "split units merged by LM to %.2e (Newton: %.2e)", gap,
        gap_n);
  CHECK(fabs(tl[10] + tl[14] - thesis_teacher[8]) < 1e-10,
        "outgoing weights of the pair sum to the teacher's: %.3e off",
        fabs(tl[10] + tl[14] - thesis_teacher[8]));
  /* library entry point on its own, as classify uses it */
  double t2[15], f2;
  memcpy(t2, th0, sizeof t2);
  ls_lm_opts lo = {200, 0, NULL, NULL};
  ls_stop_reason why;
  ls_error err;
  CHECK(ls_lm_polish(&net, &d, t2, &lo, &f2, &why, &err) == LS_OK && f2 < 1e-30 &&
            why == LS_STOP_STALL,
        "ls_lm_polish: loss %.2e, stop %s", f2, ls_stop_name(why));
  ls_train_result_free(&rn), ls_train_result_free(&rl);
  ls_data_free(&d);
}

int main(void) {
  jacobian_check();
  zero_loss_check();
  return check_done();
}
