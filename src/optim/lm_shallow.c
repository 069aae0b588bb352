/* Levenberg-Marquardt on the Gauss-Newton model, switching to the exact Hessian where the
 * residuals stop shrinking (Fletcher & Xu's hybrid rule), for one-hidden-layer MSE networks
 * whose Gauss-Newton matrix and Hessian have the closed form of shallow.c.
 *
 * Step: p = -(B + mu I)^-1 g by Cholesky, with B = A, the Gauss-Newton matrix, or
 * B = A + S, the exact Hessian; on an indefinite Hessian the shift is raised (x4) until
 * B + mu I factorises, i.e. past -lambda_min. mu follows the ratio rho of actual to
 * predicted decrease (Nielsen's rule: mu *= max(1/3, 1 - (2 rho - 1)^3) on success,
 * doubling growth on failure).
 * Model choice: Gauss-Newton while an accepted step lowers the loss by at least a fifth
 * (zero-residual minima, where Gauss-Newton converges quadratically), the exact Hessian
 * otherwise (local minima with residuals, where Gauss-Newton is only linear). Near the
 * minimum the loss stops being measurable: a step is then accepted when it lowers the
 * gradient, as in newton.c.
 *
 * On the thesis problem this converges from an Adam point at gradient 1e-2 in 25-130
 * iterations of about 3-4 gradients' cost each (the closed-form matrices), where LBFGS
 * needs 200-800 iterations and Newton with the exact Hessian alone 60-170.
 * The iteration is the shared loop of lm_loop.c; this file is its provider (closed-form
 * matrices, Cholesky steps, damping and acceptance rules). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm_loop.h"
#include "phase.h"
#include "shallow.h"

#define LM_MAX_REJECT 40
#define LM_GN_FRACTION 0.2 /* Fletcher-Xu: Gauss-Newton while the loss drops by this fraction */

typedef struct {
  double *A, *S, *C; /* model matrix (Gauss-Newton, or + S), S, Cholesky factor of A + mu I */
  double *y, *p, *g, *trial, *gtrial;
} lm_work;

static void lm_free(lm_work *w) {
  double **v[] = {&w->A, &w->S, &w->C, &w->y, &w->p, &w->g, &w->trial, &w->gtrial};
  for (int i = 0; i < 8; i++) free(*v[i]);
}

static int lm_alloc(lm_work *w, size_t P) {
  memset(w, 0, sizeof *w);
  w->A = malloc(P * P * sizeof(double));
  w->S = malloc(P * P * sizeof(double));
  w->C = malloc(P * P * sizeof(double));
  double **v[] = {&w->y, &w->p, &w->g, &w->trial, &w->gtrial};
  for (int i = 0; i < 5; i++)
    if (!(*v[i] = malloc(P * sizeof(double)))) return -1;
  return w->A && w->S && w->C ? 0 : -1;
}

/* Damped step p = -(A + mu I)^-1 g by Cholesky (a 15 x 15 factorisation costs about a
 * microsecond, the eigendecomposition 16); returns the predicted decrease of the model
 * -(g.p + p.A.p / 2), or -1 when A + mu I is not numerically positive definite. */
static double damped_step(lm_work *w, size_t P, double mu) {
  double *C = w->C;
  for (size_t i = 0; i < P; i++) {
    for (size_t j = 0; j <= i; j++) {
      double s = w->A[i * P + j] + (i == j ? mu : 0);
      for (size_t k = 0; k < j; k++) s -= C[i * P + k] * C[j * P + k];
      if (i == j) {
        if (!(s > 0)) return -1;
        C[i * P + i] = sqrt(s);
      } else {
        C[i * P + j] = s / C[j * P + j];
      }
    }
  }
  for (size_t i = 0; i < P; i++) { /* C y = -g */
    double s = -w->g[i];
    for (size_t k = 0; k < i; k++) s -= C[i * P + k] * w->y[k];
    w->y[i] = s / C[i * P + i];
  }
  for (size_t i = P; i-- > 0;) { /* C^T p = y */
    double s = w->y[i];
    for (size_t k = i + 1; k < P; k++) s -= C[k * P + i] * w->p[k];
    w->p[i] = s / C[i * P + i];
  }
  double pred = 0;
  for (size_t i = 0; i < P; i++) {
    double Ap = 0;
    for (size_t j = 0; j < P; j++) Ap += w->A[i * P + j] * w->p[j];
    pred -= w->g[i] * w->p[i] + 0.5 * w->p[i] * Ap;
  }
  return pred;
}

/* ---- the provider of the shared loop (lm_loop.h) ------------------------------------ */

typedef struct {
  lm_work w;
  ls_shallow sh;
  ls_run *r;
  size_t P;
  double gn, gnt, bound; /* gradient inf-norms at the point and the trial; drift bound */
  double mu, nu, lmax, floor;
  int gauss_newton;
} lms_ctx;

static ls_stop_reason lms_start(void *ctx, double *theta, double *f) {
  lms_ctx *c = ctx;
  if (ls_objective_grad(&c->r->obj, theta, f, c->w.g) != LS_OK) {
    *f = NAN, c->gn = NAN; /* observed as non-finite: the run stops */
    return LS_STOP_NONE;
  }
  c->gn = ls_inf_norm(c->P, c->w.g);
  return LS_STOP_NONE;
}

/* The gradient is the start's or the accepted trial's. */
static ls_stop_reason lms_eval(void *ctx, const double *theta, double f, double *g) {
  (void)theta, (void)f;
  *g = ((lms_ctx *)ctx)->gn;
  return LS_STOP_NONE;
}

/* The weight norm past drift times its start (not tested at the start). */
static ls_stop_reason lms_test(void *ctx, size_t it, const double *theta, double f) {
  lms_ctx *c = ctx;
  (void)f;
  if (it == 0 || !(ls_norm2(c->P, theta) > c->bound)) return LS_STOP_NONE;
  snprintf(c->r->res->message, sizeof c->r->res->message,
           "Levenberg-Marquardt: weights drifting (norm %.3g)", ls_norm2(c->P, theta));
  return LS_STOP_STALL;
}

/* Model matrix: A alone (Gauss-Newton), or A + S into A (exact Hessian); its scale lmax,
 * the sum of |diagonal| (between lambda_max and P lambda_max for Gauss-Newton, close to
 * lambda_max for the few dominant eigenvalues of a sloppy model). */
static ls_stop_reason lms_model(void *ctx, const double *theta, double f) {
  lms_ctx *c = ctx;
  size_t P = c->P;
  (void)f;
  if (ls_shallow_matrices(&c->sh, &c->r->obj, theta, c->w.A, c->gauss_newton ? NULL : c->w.S) !=
      LS_OK) {
    snprintf(c->r->res->message, sizeof c->r->res->message, "Hessian not finite");
    return LS_STOP_NAN;
  }
  if (!c->gauss_newton)
    for (size_t i = 0; i < P * P; i++) c->w.A[i] += c->w.S[i];
  c->lmax = 0;
  for (size_t i = 0; i < P; i++) c->lmax += fabs(c->w.A[i * P + i]);
  c->floor = 1e-15 * c->lmax;
  if (c->mu < 0) c->mu = 1e-3 * c->lmax;
  return LS_STOP_NONE;
}

static ls_stop_reason lms_limit(void *ctx, int rej) {
  lms_ctx *c = ctx;
  if (rej >= LM_MAX_REJECT || !(c->mu < 1e300)) {
    snprintf(c->r->res->message, sizeof c->r->res->message,
             "Levenberg-Marquardt: no acceptable step at gradient %.3g", c->gn);
    return LS_STOP_STALL;
  }
  return ls_run_time_left(c->r) <= 0 ? LS_STOP_TIME : LS_STOP_NONE;
}

/* Failure growth of mu (Nielsen): doubling factors. */
static void lms_raise(void *ctx) {
  lms_ctx *c = ctx;
  c->mu = fmax(c->mu, c->floor) * c->nu, c->nu *= 2;
}

static ls_lm_step lms_solve(void *ctx, double f, double *pred) {
  lms_ctx *c = ctx;
  (void)f;
  if (c->gauss_newton) {
    *pred = damped_step(&c->w, c->P, c->mu);
    if (*pred < 0) { /* not numerically positive definite: more damping */
      lms_raise(c);
      return LS_LM_STEP_RETRY;
    }
  } else { /* an indefinite Hessian: shift past its lowest eigenvalue (found by Cholesky
            * attempts, about as exact as mu needs and far cheaper than the
            * eigendecomposition) */
    double m = c->mu;
    while ((*pred = damped_step(&c->w, c->P, m)) < 0 && m < 1e300) m = fmax(4 * m, 1e-12 * c->lmax);
    if (*pred < 0) {
      c->mu = INFINITY; /* stalls in lms_limit */
      return LS_LM_STEP_RETRY;
    }
  }
  return LS_LM_STEP_OK;
}

static int lms_trial(void *ctx, double *trial, double *ft) {
  lms_ctx *c = ctx;
  if (ls_objective_grad(&c->r->obj, trial, ft, c->w.gtrial) != LS_OK) return -1;
  c->gnt = ls_inf_norm(c->P, c->w.gtrial);
  return 0;
}

static int lms_accept(void *ctx, double f, double ft, double pred) {
  lms_ctx *c = ctx;
  double ared = f - ft;
  double noise = c->r->obj.loss_noise + 8 * DBL_EPSILON * (fabs(f) + fabs(ft));
  double rho = ared / fmax(pred, 1e-300);
  int accepted;
  if (fabs(ared) <= noise) {
    accepted = c->gnt < c->gn; /* the loss cannot tell: judge by the gradient */
    rho = 0.5;
  } else if (ared < 0 && -ared <= 1e-9 * fabs(f) && c->gnt < 0.5 * c->gn) {
    accepted = 1; /* an increase at the loss's cancellation level, gradient halved */
    rho = 0.5;
  } else {
    accepted = rho > 1e-4;
  }
  if (!accepted) {
    lms_raise(c);
    return 0;
  }
  c->gauss_newton = ared >= LM_GN_FRACTION * f;
  double t = 2 * rho - 1;
  c->mu = fmax(c->mu * fmax(1.0 / 3, 1 - t * t * t), c->floor), c->nu = 2;
  memcpy(c->w.g, c->w.gtrial, c->P * sizeof(double));
  c->gn = c->gnt;
  return 1;
}

ls_stop_reason ls_lm_shallow_run(ls_run *r, double *theta, size_t max_iter, double drift) {
  lms_ctx c = {.r = r, .P = r->P, .mu = -1, .nu = 2, .gauss_newton = 1};
  ls_stop_reason s = LS_STOP_FAIL;
  if (lm_alloc(&c.w, c.P) == 0 && ls_shallow_alloc(&c.sh, &r->obj) == LS_OK) {
    c.bound = drift > 0 ? drift * fmax(ls_norm2(c.P, theta), 1) : INFINITY;
    ls_lm_provider pv = {&c, c.P, max_iter, c.w.p, c.w.trial, lms_start, lms_eval, lms_test,
                         lms_model, lms_limit, lms_solve, lms_trial, lms_raise, lms_accept,
                         ls_lm_observe_run, r};
    double f;
    s = ls_lm_loop(&pv, theta, &f);
  }
  ls_shallow_free(&c.sh);
  lm_free(&c.w);
  return s;
}
