/* Trainers on the thesis teacher (section 6.2): convergence to machine precision, every
 * phase, determinism, NaN handling, trajectory, option validation. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "landsym/io.h"
#include "landsym/net.h"
#include "optim_fixture.h"

/* Progress callback: counts calls, asks to stop at the third. */
static int stop_third(const ls_train_progress *p, void *user) {
  int *n = user;
  (void)p;
  return ++*n >= 3;
}

static void near_teacher(double *th, double scale, unsigned long long seed) {
  for (int i = 0; i < 12; i++) th[i] = thesis_teacher[i] + scale * fixture_rand(&seed);
}

int main(void) {
  ls_net net;
  thesis_net(&net, 4);
  ls_data d;
  thesis_data(&d, 41);
  double th[12], th2[12];
  ls_train_opts o;
  ls_train_result r = {0}, r2 = {0};
  ls_error err;

  /* 1. Adam then Newton from near the teacher: loss < 1e-30, gradient < 1e-14 */
  ls_train_opts_default(&o);
  o.first_maxiter = 2000;
  o.polish = LS_POLISH_NEWTON;
  near_teacher(th, 0.05, 1);
  ls_status st = ls_train(&net, &d, th, &o, &r, &err);
  CHECK(st == LS_OK, "adam+newton returns ok");
  CHECK(r.loss < 1e-30 && r.grad_norm < 1e-14, "adam+newton: loss %.3g, grad %.3g, stop %s, %zu+%zu iters",
        r.loss, r.grad_norm, ls_stop_name(r.stop), r.phase[0].iters, r.phase[1].iters);
  double dist = 0;
  for (int i = 0; i < 12; i++) dist = fmax(dist, fabs(th[i] - thesis_teacher[i]));
  CHECK(dist < 1e-12, "converged to the teacher itself: max |theta - teacher| = %.3g", dist);
  CHECK(r.n_phases == 2 && !strcmp(r.phase[0].name, "adam") && !strcmp(r.phase[1].name, "newton"),
        "two phases recorded: %s, %s", r.phase[0].name, r.phase[1].name);

  /* 2. Determinism: same inputs give bitwise identical results (minibatch Adam too) */
  o.batch = 100, o.seed = 7;
  near_teacher(th, 0.05, 1), near_teacher(th2, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  ls_train(&net, &d, th2, &o, &r2, &err);
  CHECK(!memcmp(th, th2, sizeof th) && r.loss == r2.loss && r.iters == r2.iters &&
            r.traj.n == r2.traj.n && !memcmp(r.traj.loss, r2.traj.loss, r.traj.n * sizeof(double)),
        "minibatch adam+newton bitwise reproducible (loss %.3g)", r.loss);
  CHECK(r.loss < 1e-30, "minibatch adam+newton converges: loss %.3g grad %.3g", r.loss, r.grad_norm);
  o.batch = 0;

  /* 3. Gradient flow, dense and Krylov (SPGMR + HVP), then Newton */
  for (int k = 0; k < 2; k++) {
    ls_train_opts_default(&o);
    o.first = LS_FIRST_FLOW;
    o.flow_linsol = k ? LS_LINSOL_SPGMR : LS_LINSOL_DENSE;
    o.polish = LS_POLISH_NEWTON;
    near_teacher(th, 0.2, 3);
    ls_train_result_free(&r);
    ls_train(&net, &d, th, &o, &r, &err);
    CHECK(r.phase[0].stop == LS_STOP_SWITCH && r.phase[0].grad_norm <= 1e-6,
          "flow (%s) reaches the switch gradient: %.3g after %zu steps, t = %.3g",
          ls_linsol_name(o.flow_linsol), r.phase[0].grad_norm, r.phase[0].iters, r.phase[0].flow_t);
    CHECK(r.loss < 1e-30 && r.grad_norm < 1e-14, "flow (%s) + newton: loss %.3g grad %.3g",
          ls_linsol_name(o.flow_linsol), r.loss, r.grad_norm);
  }

  /* 4. NLopt polishing from an Adam point */
  for (int k = 0; k < 2; k++) {
    ls_train_opts_default(&o);
    o.first_maxiter = 2000;
    o.polish = k ? LS_POLISH_LBFGS : LS_POLISH_SLSQP;
    o.grad_tol = 1e-10;
    near_teacher(th, 0.05, 1);
    ls_train_result_free(&r);
    ls_train(&net, &d, th, &o, &r, &err);
    /* LBFGS's line search judges by the loss, which stops being measurable near
     * gradient 1e-8 here; SLSQP gets further */
    double want = k ? 1e-7 : 1e-10;
    CHECK(r.grad_norm < want, "%s polishing reaches grad %.3g < %g (stop %s, %zu evals)",
          ls_polish_name(o.polish), r.grad_norm, want, ls_stop_name(r.stop), r.phase[1].iters);
  }

  /* slsqp+newton on a small network: SLSQP, then Newton to finish */
  ls_train_opts_default(&o);
  o.first_maxiter = 2000;
  o.polish = LS_POLISH_SLSQP_NEWTON;
  near_teacher(th, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.loss < 1e-30 && r.grad_norm < 1e-14 && r.n_phases == 3 && !strcmp(r.phase[1].name, "slsqp") &&
            r.phase[1].stop == LS_STOP_SWITCH && !strcmp(r.phase[2].name, "newton"),
        "slsqp+newton: loss %.3g grad %.3g, phases %d (%s %zu evals, %s %zu iters)", r.loss,
        r.grad_norm, r.n_phases, r.phase[1].name, r.phase[1].iters, r.phase[2].name, r.phase[2].iters);

  /* lbfgs+newton on a small network: LBFGS until it stalls (the loss stops being
   * measurable near gradient 1e-8) or hands over, then Newton to finish */
  ls_train_opts_default(&o);
  o.first_maxiter = 2000;
  o.polish = LS_POLISH_LBFGS_NEWTON;
  near_teacher(th, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.loss < 1e-30 && r.grad_norm < 1e-14 && r.n_phases == 3 && !strcmp(r.phase[1].name, "lbfgs") &&
            (r.phase[1].stop == LS_STOP_SWITCH || r.phase[1].stop == LS_STOP_STALL) &&
            !strcmp(r.phase[2].name, "newton"),
        "lbfgs+newton: loss %.3g grad %.3g, phases %d (%s %zu evals, %s %zu iters)", r.loss,
        r.grad_norm, r.n_phases, r.phase[1].name, r.phase[1].iters, r.phase[2].name, r.phase[2].iters);
  double th_ln[12];
  memcpy(th_ln, th, sizeof th);

  /* auto on this one-hidden-layer network: Adam to gradient 1e-2, then Levenberg-Marquardt
   * converges (zero residual: Gauss-Newton steps, quadratic convergence) */
  ls_train_opts_default(&o);
  o.first_maxiter = 2000;
  near_teacher(th, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.stop == LS_STOP_GRAD && r.grad_norm < 1e-15 && r.loss < 1e-24 && r.n_phases == 2 &&
            !strcmp(r.phase[0].name, "adam") && r.phase[0].grad_norm < 1e-2 &&
            r.phase[0].grad_norm >= 1e-6 && !strcmp(r.phase[1].name, "lm-shallow") && r.phase[1].iters < 100,
        "auto = adam to 1e-2, then lm-shallow: loss %.3g grad %.3g, phases %d (%s to %.2g, %s %zu iters)",
        r.loss, r.grad_norm, r.n_phases, r.phase[0].name, r.phase[0].grad_norm, r.phase[1].name,
        r.phase[1].iters);

  /* when the attempt does not converge (here: one iteration allowed), auto discards it and
   * runs the standard pipeline from the initial point: the result is bitwise that of
   * lbfgs+newton with Adam to switch_grad_tol */
  o.lm_max_iter = 1;
  near_teacher(th, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.n_phases == 5 && !strcmp(r.phase[1].name, "lm-shallow") && r.phase[1].stop == LS_STOP_ITERS &&
            !strcmp(r.phase[2].name, "adam") &&
            !strcmp(r.phase[3].name, "lbfgs") && !strcmp(r.phase[4].name, "newton") &&
            !memcmp(th, th_ln, sizeof th) && r.grad_norm < 1e-14,
        "auto after a failed lm attempt = lbfgs+newton bitwise: phases %d, %s %s %s %zu %s %zu %s %zu, "
        "theta[0] %.17g vs %.17g",
        r.n_phases, r.phase[0].name, r.phase[1].name, r.phase[2].name, r.phase[2].iters, r.phase[3].name,
        r.phase[3].iters, r.phase[4].name, r.phase[4].iters, th[0], th_ln[0]);

  /* 5. A diverging run stops on NaN and keeps the best finite point */
  ls_train_opts_default(&o);
  o.first = LS_FIRST_GD;
  o.lr = 1e300;
  o.polish = LS_POLISH_NONE;
  near_teacher(th, 0.05, 1);
  double l0;
  ls_work *w = ls_work_alloc(&net, d.n);
  ls_loss(&net, &d, th, &l0, w);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  int finite = 1;
  for (int i = 0; i < 12; i++) finite &= isfinite(th[i]);
  CHECK(r.stop == LS_STOP_NAN && finite && r.loss == l0 && strstr(r.message, "non-finite"),
        "NaN run: stop %s, loss %.6g (start %.6g), message '%s'", ls_stop_name(r.stop), r.loss, l0, r.message);

  /* 6. Trajectory: log-spaced iterations, increasing, lowest loss returned */
  ls_train_opts_default(&o);
  o.first = LS_FIRST_GD, o.lr = 0.5, o.first_maxiter = 10000, o.polish = LS_POLISH_NONE;
  near_teacher(th, 0.3, 5);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  int incr = 1;
  for (size_t k = 1; k + 1 < r.traj.n; k++) incr &= r.traj.iter[k] > r.traj.iter[k - 1];
  CHECK(r.stop == LS_STOP_ITERS && r.traj.n >= 60 && r.traj.n <= 110 && incr,
        "trajectory of 10^4 GD steps: %zu log-spaced rows, stop %s", r.traj.n, ls_stop_name(r.stop));
  double minl = INFINITY;
  for (size_t k = 0; k < r.traj.n; k++) minl = fmin(minl, r.traj.loss[k]);
  CHECK(r.loss <= minl && r.traj.P == 12, "returned loss %.6g is the lowest sampled (%.6g)", r.loss, minl);
  ls_loss(&net, &d, th, &l0, w);
  CHECK(l0 == r.loss || fabs(l0 - r.loss) <= 1e-15 * l0, "returned theta has the reported loss");

  /* 7. Patience and iteration budgets */
  ls_train_opts_default(&o);
  o.first = LS_FIRST_GD, o.lr = 1e-9, o.first_maxiter = 1000, o.polish = LS_POLISH_NONE, o.patience = 5;
  o.loss_tol = 1e-2;
  near_teacher(th, 0.05, 1);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.stop == LS_STOP_LOSS, "loss floor stops the run (stop %s, loss %.3g)", ls_stop_name(r.stop), r.loss);
  o.loss_tol = 0, o.lr = 1e-300; /* steps too small to change theta: no progress */
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.stop == LS_STOP_PATIENCE && r.iters == 6, "patience 5 stops a stuck run after %zu iterations (stop %s)",
        r.iters, ls_stop_name(r.stop));
  o.patience = 0, o.first_maxiter = 37;
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.stop == LS_STOP_ITERS && r.iters == 38, "iteration budget: %zu observations for 37 steps (stop %s)",
        r.iters, ls_stop_name(r.stop));

  /* 8. One step of GD is theta - lr g; one step of Adam is theta - lr g / (|g| + eps)
   * (bias-corrected m = g, v = g^2 after the first step) */
  for (int k = 0; k < 2; k++) {
    ls_train_opts_default(&o);
    o.first = k ? LS_FIRST_ADAM : LS_FIRST_GD, o.lr = 0.01, o.first_maxiter = 1;
    o.polish = LS_POLISH_NONE, o.traj_per_decade = 0;
    near_teacher(th, 0.3, 9);
    memcpy(th2, th, sizeof th);
    double g[12], f, maxe = 0;
    ls_objective ob;
    ls_objective_init(&ob, &net, &d, NULL, &err);
    ls_objective_grad(&ob, th2, &f, g);
    ls_objective_free(&ob);
    ls_train_result_free(&r);
    ls_train(&net, &d, th, &o, &r, &err);
    double lo = 1e300;
    for (int i = 0; i < 12; i++) {
      double want = th2[i] - (k ? o.lr * g[i] / (fabs(g[i]) + o.eps) : o.lr * g[i]);
      maxe = fmax(maxe, fabs(th[i] - want));
      lo = fmin(lo, fabs(th[i] - th2[i]));
    }
    /* the returned point is the better of the two observed points: here the stepped one */
    CHECK(maxe < 1e-15 && lo > 0, "one %s step matches the closed form: max err %.2e", k ? "adam" : "gd", maxe);
  }

  /* weight-norm barrier: seed 11 of a width-5 student drifts towards infinite weights
   * (norm ~78 when stalled); with max_norm 4 it stays on the ball and converges */
  {
    ls_net n5;
    thesis_net(&n5, 5);
    double t5[15], t5b[15];
    for (int k = 0; k < 2; k++) {
      ls_params_glorot(&n5, 11, k ? t5b : t5);
      ls_train_opts_default(&o);
      o.lr = 1e-2, o.switch_grad_tol = 1e-3, o.grad_tol = 1e-12, o.traj_per_decade = 0;
      if (k) o.penalty.max_norm = 4, o.penalty.barrier = 1;
      ls_train_result_free(&r);
      ls_train(&n5, &d, k ? t5b : t5, &o, &r, &err);
      double nrm = 0;
      for (int i = 0; i < 15; i++) nrm += (k ? t5b[i] * t5b[i] : t5[i] * t5[i]);
      nrm = sqrt(nrm);
      if (k)
        CHECK(r.stop == LS_STOP_GRAD && nrm < 4 * (1 + 1e-6), "barrier: converged (grad %.2e) with norm %.9g <= 4",
              r.grad_norm, nrm);
      else
        CHECK(r.stop != LS_STOP_GRAD && nrm > 20, "without barrier the run drifts: norm %.3g, stop %s", nrm,
              ls_stop_name(r.stop));
    }
  }

  /* the progress callback is called and can stop the run */
  ls_train_opts_default(&o);
  o.first = LS_FIRST_GD, o.lr = 1e-3, o.first_maxiter = 100000, o.polish = LS_POLISH_NONE;
  o.progress = stop_third, o.progress_interval = 0;
  int calls = 0;
  o.progress_user = &calls;
  near_teacher(th, 0.3, 9);
  ls_train_result_free(&r);
  ls_train(&net, &d, th, &o, &r, &err);
  CHECK(r.stop == LS_STOP_USER && calls == 4 && r.iters == 3, "progress callback stops the run: stop %s, %d calls (3 + end of phase), %zu iters",
        ls_stop_name(r.stop), calls, r.iters);

  /* 9. Invalid options are rejected with a message */
  ls_train_opts_default(&o);
  o.lr = -1;
  ls_train_result_free(&r);
  st = ls_train(&net, &d, th, &o, &r, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "lr"), "negative lr rejected: %s", err.msg);
  ls_train_opts_default(&o);
  o.penalty.merge_lambda = 1, o.penalty.merge_layer = 1, o.penalty.merge_i = 2, o.penalty.merge_j = 4;
  st = ls_train(&net, &d, th, &o, &r, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "merge"), "merge neuron out of range rejected: %s", err.msg);

  ls_work_free(w);
  ls_train_result_free(&r);
  ls_train_result_free(&r2);
  ls_data_free(&d);
  return check_done();
}
