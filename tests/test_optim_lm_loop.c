/* The shared Levenberg-Marquardt loop (src/optim/lm_loop.c) on a known nonlinear
 * least-squares problem: Rosenbrock's function as residuals,
 *   r_1 = 10 (x_2 - x_1^2),  r_2 = 1 - x_1,  f = r_1^2 + r_2^2,
 * whose only zero is (1, 1), from the classic start (-1.2, 1). The step
 * p = -(J^T J + mu I)^-1 J^T r is solved three ways, as the providers do: the thin SVD of
 * J (lm.c), a Cholesky factorisation (lm_shallow.c) and dposv (paths/merge.c), with the
 * textbook damping (mu / 10 on success, mu * 10 on failure). Then the stop reasons: a
 * provider that rejects every step stops as stalled at its attempt limit with x
 * unchanged; an unmeasurable step, the iteration cap and the observer stop the loop with
 * their own reasons. */
#include <lapacke.h>
#include <string.h>

#include "check.h"
#include "optim/lm_loop.h"

enum { SOLVE_SVD, SOLVE_CHOLESKY, SOLVE_DPOSV };

typedef struct {
  int solver, reject_all, unmeasurable;
  double r[2], J[4], g[2], p[2], trial[2], mu;
  int attempts, observed;
} rosen;

static void residuals(const double *x, double *r, double *J) {
  r[0] = 10 * (x[1] - x[0] * x[0]), r[1] = 1 - x[0];
  if (J) J[0] = -20 * x[0], J[1] = 10, J[2] = -1, J[3] = 0;
}

static ls_stop_reason r_start(void *ctx, double *x, double *f) {
  rosen *q = ctx;
  residuals(x, q->r, NULL);
  *f = q->r[0] * q->r[0] + q->r[1] * q->r[1];
  return LS_STOP_NONE;
}

/* J and the gradient J^T r of f / 2 */
static ls_stop_reason r_eval(void *ctx, const double *x, double f, double *g) {
  rosen *q = ctx;
  (void)f;
  residuals(x, q->r, q->J);
  q->g[0] = q->J[0] * q->r[0] + q->J[2] * q->r[1];
  q->g[1] = q->J[1] * q->r[0] + q->J[3] * q->r[1];
  *g = fmax(fabs(q->g[0]), fabs(q->g[1]));
  return LS_STOP_NONE;
}

static ls_stop_reason r_test(void *ctx, size_t it, const double *x, double f) {
  (void)ctx, (void)it, (void)x;
  return f <= 1e-30 ? LS_STOP_GRAD : LS_STOP_NONE;
}

static ls_stop_reason r_model(void *ctx, const double *x, double f) {
  (void)ctx, (void)x, (void)f;
  return LS_STOP_NONE;
}

static ls_stop_reason r_limit(void *ctx, int rej) {
  rosen *q = ctx;
  q->attempts++;
  return rej < 20 ? LS_STOP_NONE : LS_STOP_STALL;
}

/* p = -V diag(s / (s^2 + mu)) U^T r from the SVD of J. */
static int solve_svd(rosen *q) {
  double A[4], s[2], U[4], VT[4], sup[1];
  memcpy(A, q->J, sizeof A);
  if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', 2, 2, A, 2, s, U, 2, VT, 2, sup)) return -1;
  q->p[0] = q->p[1] = 0;
  for (int i = 0; i < 2; i++) {
    double c = U[0 * 2 + i] * q->r[0] + U[1 * 2 + i] * q->r[1];
    double a = -s[i] * c / (s[i] * s[i] + q->mu);
    q->p[0] += a * VT[i * 2 + 0], q->p[1] += a * VT[i * 2 + 1];
  }
  return 0;
}

/* (J^T J + mu I) p = -J^T r by Cholesky (dpotrf + dpotrs) or dposv. */
static int solve_normal(rosen *q) {
  double M[4];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      M[i * 2 + j] = q->J[i] * q->J[j] + q->J[2 + i] * q->J[2 + j] + (i == j ? q->mu : 0);
  q->p[0] = -q->g[0], q->p[1] = -q->g[1];
  if (q->solver == SOLVE_DPOSV) return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', 2, 1, M, 2, q->p, 1);
  if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', 2, M, 2)) return -1;
  return LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', 2, 1, M, 2, q->p, 1);
}

static ls_lm_step r_solve(void *ctx, double f, double *pred) {
  rosen *q = ctx;
  (void)f;
  if (q->unmeasurable) return LS_LM_STEP_NONE;
  if (q->solver == SOLVE_SVD ? solve_svd(q) : solve_normal(q)) {
    q->mu *= 10;
    return LS_LM_STEP_RETRY;
  }
  /* model decrease of f: -(2 g.p + p.J^T J.p) */
  double Jp0 = q->J[0] * q->p[0] + q->J[1] * q->p[1], Jp1 = q->J[2] * q->p[0] + q->J[3] * q->p[1];
  *pred = -(2 * (q->g[0] * q->p[0] + q->g[1] * q->p[1]) + Jp0 * Jp0 + Jp1 * Jp1);
  return LS_LM_STEP_OK;
}

static int r_trial(void *ctx, double *trial, double *ft) {
  double r[2];
  (void)ctx;
  residuals(trial, r, NULL);
  *ft = r[0] * r[0] + r[1] * r[1];
  return !isfinite(*ft);
}

static void r_raise(void *ctx) { ((rosen *)ctx)->mu *= 10; }

static int r_accept(void *ctx, double f, double ft, double pred) {
  rosen *q = ctx;
  (void)pred;
  if (q->reject_all || !(ft < f)) {
    r_raise(q);
    return 0;
  }
  q->mu = fmax(q->mu / 10, 1e-20);
  return 1;
}

static ls_stop_reason r_observe(void *observer, const double *x, double f, double g) {
  rosen *q = observer;
  (void)x, (void)f, (void)g;
  return ++q->observed >= 3 ? LS_STOP_USER : LS_STOP_NONE;
}

/* Runs the loop from (-1.2, 1); returns the stop reason, x and f the end point. */
static ls_stop_reason run(rosen *q, size_t max_iter, int observe, double *x, double *f) {
  q->mu = 1e-3;
  x[0] = -1.2, x[1] = 1;
  ls_lm_provider pv = {q,       2,       max_iter, q->p,     q->trial, r_start,
                       r_eval,  r_test,  r_model,  r_limit,  r_solve,  r_trial,
                       r_raise, r_accept, observe ? r_observe : NULL, q};
  return ls_lm_loop(&pv, x, f);
}

int main(void) {
  const char *names[] = {"SVD", "Cholesky", "dposv"};
  double x[2], f;
  for (int s = SOLVE_SVD; s <= SOLVE_DPOSV; s++) {
    rosen q = {.solver = s};
    ls_stop_reason why = run(&q, 200, 0, x, &f);
    CHECK(why == LS_STOP_GRAD && fabs(x[0] - 1) < 1e-14 && fabs(x[1] - 1) < 1e-14,
          "%s steps: Rosenbrock residuals converge to (1, 1): stop %s, x = (%.17g, %.17g), "
          "f = %.3g", names[s], ls_stop_name(why), x[0], x[1], f);
  }
  rosen q = {.reject_all = 1};
  ls_stop_reason why = run(&q, 200, 0, x, &f);
  CHECK(why == LS_STOP_STALL && q.attempts == 21 && x[0] == -1.2 && x[1] == 1,
        "every step rejected: stop %s after %d attempts at (%g, %g)", ls_stop_name(why),
        q.attempts, x[0], x[1]);
  rosen u = {.unmeasurable = 1};
  why = run(&u, 200, 0, x, &f);
  CHECK(why == LS_STOP_STALL && x[0] == -1.2, "no measurable step: stop %s", ls_stop_name(why));
  rosen c = {.solver = SOLVE_DPOSV};
  why = run(&c, 2, 0, x, &f);
  CHECK(why == LS_STOP_ITERS && x[0] != -1.2, "cap of 2 iterations: stop %s", ls_stop_name(why));
  rosen o = {.solver = SOLVE_CHOLESKY};
  why = run(&o, 200, 1, x, &f);
  CHECK(why == LS_STOP_USER && o.observed == 3, "observer stops at its third point: stop %s, %d",
        ls_stop_name(why), o.observed);
  return check_done();
}
