/* Levenberg-Marquardt on the residuals of the MSE loss, for the zero-residual regime.
 *
 * Near a global minimum of an overparameterized network the zero-loss set is a manifold
 * (Simsek et al. 2021, Remark 4.2: the expansion manifold) on which the Hessian is
 * singular; along a merge of two units the loss is flat to fourth order, so Newton's
 * method on the gradient approaches it sublinearly and stalls at the gradient's rounding
 * floor with the residuals still about 1e-11. The residuals r themselves point to the
 * set: the step
 *     p = -(J^T J + mu I)^{-1} J^T r,   mu = lambda ||r||,
 * with lambda updated by the ratio of actual to predicted reduction (Fan & Yuan 2005,
 * "On the quadratic convergence of the Levenberg-Marquardt method without nonsingularity
 * assumption"; Yamashita & Fukushima 2001 for mu = ||r||^2) converges quadratically to a
 * zero-residual set under a local error bound, with J rank-deficient. It is solved with
 * the thin SVD J = U S V^T: p = -V diag(s / (s^2 + mu)) U^T r, and the model's reduction
 * ||r||^2 - ||r + J p||^2 = sum_i (U^T r)_i^2 (1 - (mu / (s_i^2 + mu))^2) needs no
 * subtraction of nearly equal numbers.
 * The iteration is the shared loop of lm_loop.c; this file is its provider (model, SVD
 * steps, damping). */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm_loop.h"
#include "phase.h"

#define LM_LAMBDA_MIN 1e-8 /* Fan & Yuan's lower bound m on lambda */
#define LM_MAX_REJECT 60
#define LM_SLOW_WINDOW 10 /* handover: the loss fell by less than LM_SLOW_FACTOR over this many steps */
#define LM_SLOW_FACTOR 1.25

typedef struct {
  size_t M, P, K;
  double *J, *r, *U, *s, *VT, *c, *p, *trial, *g, *hist;
  ls_work *wn;
} lm_work;

static void lm_free(lm_work *w) {
  free(w->J), free(w->r), free(w->U), free(w->s), free(w->VT), free(w->c), free(w->p);
  free(w->trial), free(w->g), free(w->hist);
  ls_work_free(w->wn);
}

static int lm_alloc(lm_work *w, const ls_net *net, const ls_data *d) {
  memset(w, 0, sizeof *w);
  w->M = d->n * (size_t)d->dout, w->P = ls_net_nparams(net), w->K = w->M < w->P ? w->M : w->P;
  size_t M = w->M, P = w->P, K = w->K;
  w->J = malloc(M * P * sizeof(double)), w->r = malloc(M * sizeof(double));
  w->U = malloc(M * K * sizeof(double)), w->s = malloc(K * sizeof(double));
  w->VT = malloc(K * P * sizeof(double)), w->c = malloc(K * sizeof(double));
  w->p = malloc(P * sizeof(double)), w->trial = malloc(P * sizeof(double));
  w->g = malloc(P * sizeof(double)), w->hist = malloc(LM_SLOW_WINDOW * sizeof(double));
  w->wn = ls_work_alloc(net, d->n);
  return w->J && w->r && w->U && w->s && w->VT && w->c && w->p && w->trial && w->g && w->hist &&
                 w->wn ? 0 : -1;
}

/* Step for damping mu into w->p; returns the model's predicted reduction of ||r||^2. */
static double lm_step(lm_work *w, double mu) {
  double pred = 0;
  memset(w->p, 0, w->P * sizeof(double));
  for (size_t i = 0; i < w->K; i++) {
    double s = w->s[i], q = mu / (s * s + mu), a = -s * w->c[i] / (s * s + mu);
    pred += w->c[i] * w->c[i] * (1 - q * q);
    const double *v = w->VT + i * w->P;
    for (size_t j = 0; j < w->P; j++) w->p[j] += a * v[j];
  }
  return pred;
}

/* ---- the provider of the shared loop (lm_loop.h) ------------------------------------ */

typedef struct {
  lm_work w;
  const ls_net *net;
  const ls_data *d;
  const ls_lm_opts *opts;
  double noise, lambda;
  ls_status st;
  ls_error *err;
} lm_ctx;

static ls_stop_reason lm_start(void *ctx, double *theta, double *f) {
  lm_ctx *c = ctx;
  if (ls_loss(c->net, c->d, theta, f, c->w.wn) || !isfinite(*f)) return LS_STOP_NAN;
  return LS_STOP_NONE;
}

/* Residuals r, Jacobian J and the gradient of ||r||^2, 2 J^T r (its inf-norm in *gi). */
static ls_stop_reason lm_eval(void *ctx, const double *theta, double f, double *gi) {
  lm_ctx *c = ctx;
  lm_work *w = &c->w;
  size_t M = w->M, P = w->P;
  (void)f;
  if ((c->st = ls_residual_jacobian(c->net, c->d, theta, w->r, w->J, c->err))) return LS_STOP_FAIL;
  memset(w->g, 0, P * sizeof(double));
  for (size_t m = 0; m < M; m++) {
    const double *row = w->J + m * P;
    for (size_t j = 0; j < P; j++) w->g[j] += 2 * w->r[m] * row[j];
  }
  *gi = 0;
  for (size_t j = 0; j < P; j++) *gi = fmax(*gi, fabs(w->g[j]));
  return isfinite(*gi) ? LS_STOP_NONE : LS_STOP_NAN;
}

static ls_stop_reason lm_user(void *observer, const double *theta, double f, double g) {
  const ls_lm_opts *o = observer;
  return o->observe(theta, f, g, o->user) ? LS_STOP_USER : LS_STOP_NONE;
}

/* Handover: the loss fell by less than LM_SLOW_FACTOR over the last LM_SLOW_WINDOW steps. */
static ls_stop_reason lm_test(void *ctx, size_t it, const double *theta, double f) {
  lm_ctx *c = ctx;
  (void)theta;
  c->w.hist[it % LM_SLOW_WINDOW] = f;
  if (c->opts->handover && it >= LM_SLOW_WINDOW &&
      c->w.hist[(it + 1) % LM_SLOW_WINDOW] < LM_SLOW_FACTOR * f)
    return LS_STOP_SWITCH; /* linear or slower: not the zero-residual regime */
  return LS_STOP_NONE;
}

/* Thin SVD J = U S V^T and c = U^T r; at the loss's rounding level: stalled. */
static ls_stop_reason lm_model(void *ctx, const double *theta, double f) {
  lm_ctx *c = ctx;
  lm_work *w = &c->w;
  size_t M = w->M, P = w->P, K = w->K;
  (void)theta;
  if (f <= c->noise) return LS_STOP_STALL; /* at the rounding level */
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)M, (lapack_int)P, w->J,
                                   (lapack_int)P, w->s, w->U, (lapack_int)K, w->VT, (lapack_int)P);
  if (info != 0) return LS_STOP_FAIL;
  for (size_t i = 0; i < K; i++) w->c[i] = 0;
  for (size_t m = 0; m < M; m++) {
    const double *u = w->U + m * K;
    for (size_t i = 0; i < K; i++) w->c[i] += u[i] * w->r[m];
  }
  return LS_STOP_NONE;
}

static ls_stop_reason lm_limit(void *ctx, int rej) {
  (void)ctx;
  return rej < LM_MAX_REJECT ? LS_STOP_NONE : LS_STOP_STALL;
}

/* mu = lambda ||r|| (Fan & Yuan); no step when the predicted reduction is below noise. */
static ls_lm_step lm_solve(void *ctx, double f, double *pred) {
  lm_ctx *c = ctx;
  *pred = lm_step(&c->w, c->lambda * sqrt(f));
  return *pred > c->noise + 8 * DBL_EPSILON * f ? LS_LM_STEP_OK : LS_LM_STEP_NONE;
}

static int lm_trial(void *ctx, double *trial, double *ft) {
  lm_ctx *c = ctx;
  return ls_loss(c->net, c->d, trial, ft, c->w.wn) || !isfinite(*ft);
}

static void lm_raise(void *ctx) { ((lm_ctx *)ctx)->lambda *= 4; }

/* lambda from the ratio rho of actual to predicted reduction; accept when rho > 1e-4. */
static int lm_accept(void *ctx, double f, double ft, double pred) {
  lm_ctx *c = ctx;
  double rho = (f - ft) / pred;
  if (rho < 0.25) c->lambda *= 4;
  else if (rho > 0.75) c->lambda = fmax(c->lambda / 4, LM_LAMBDA_MIN);
  return rho > 1e-4;
}

ls_status ls_lm_polish(const ls_net *net, const ls_data *d, double *theta,
                       const ls_lm_opts *opts, double *loss, ls_stop_reason *why,
                       ls_error *err) {
  *why = LS_STOP_NONE;
  if (net->loss != LS_LOSS_MSE)
    return ls_error_set(err, LS_ERR_INPUT, "Levenberg-Marquardt needs the MSE loss");
  lm_ctx c = {.net = net, .d = d, .opts = opts, .lambda = 1, .st = LS_OK, .err = err};
  if (lm_alloc(&c.w, net, d)) {
    lm_free(&c.w);
    return ls_error_set(err, LS_ERR_NOMEM, "Levenberg-Marquardt: out of memory");
  }
  c.noise = ls_loss_noise(net, d);
  ls_lm_provider pv = {&c, c.w.P, opts->max_iter, c.w.p, c.w.trial, lm_start, lm_eval,
                       lm_test, lm_model, lm_limit, lm_solve, lm_trial, lm_raise, lm_accept,
                       opts->observe ? lm_user : NULL, (void *)opts};
  ls_stop_reason s = ls_lm_loop(&pv, theta, loss);
  *why = c.st ? LS_STOP_NONE : s;
  lm_free(&c.w);
  return c.st;
}

/* ---- the training phase ---------------------------------------------------------------- */

typedef struct {
  ls_run *r;
  ls_stop_reason s;
} lm_obs;

static int lm_observe(const double *theta, double f, double g, void *user) {
  lm_obs *o = user;
  o->s = ls_run_observe(o->r, theta, f, g);
  return o->s != LS_STOP_NONE;
}

ls_stop_reason ls_lm_run(ls_run *r, double *theta, int handover) {
  lm_obs ob = {r, LS_STOP_NONE};
  ls_lm_opts lo = {r->opt->polish_maxiter, handover, lm_observe, &ob};
  ls_error e;
  double f;
  ls_stop_reason why;
  /* the gradient of a degenerate zero-loss set vanishes long before the residuals do
   * (loss 1e-21 at gradient 1e-16): LM stops on its own test, at the loss's rounding level */
  r->ignore_grad_tol = 1;
  ls_status st = ls_lm_polish(r->obj.net, r->obj.data, theta, &lo, &f, &why, &e);
  r->ignore_grad_tol = 0;
  if (st != LS_OK) {
    snprintf(r->res->message, sizeof r->res->message, "Levenberg-Marquardt: %.200s", e.msg);
    return LS_STOP_FAIL;
  }
  if (why == LS_STOP_USER) why = ob.s;
  if (why == LS_STOP_NAN)
    snprintf(r->res->message, sizeof r->res->message,
             "Levenberg-Marquardt: non-finite loss or gradient; kept the best finite point");
  /* at the rounding level with the gradient below grad_tol: converged */
  if (why == LS_STOP_STALL && r->best_g < r->opt->grad_tol)
    why = LS_STOP_GRAD;
  return why;
}
