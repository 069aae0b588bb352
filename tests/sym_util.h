/* Shared by the symmetry tests: random networks and data, the thesis problem, the trainer's
 * Adam-then-Newton options, and a Newton refinement that turns an approximate critical point
 * into one with a gradient at rounding level. */
#ifndef LANDSYM_TESTS_SYM_UTIL_H
#define LANDSYM_TESTS_SYM_UTIL_H

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/optim.h"
#include "landsym/sym.h"

/* Network with the given widths, hidden activation, bias, random N(0, s^2) parameters. */
static inline double *su_random_net(ls_net *net, int L, const int *widths, ls_act_kind act, int bias,
                             double s, ls_rng *rs) {
  ls_act a = {act, 1, 1};
  ls_net_init(net, L, widths, a, bias, NULL);
  size_t P = ls_net_nparams(net);
  double *th = malloc(P * sizeof *th);
  for (size_t i = 0; i < P; i++) th[i] = s * ls_rng_normal(rs);
  return th;
}

/* n Gaussian inputs, targets from the teacher (or zero when teacher is NULL). */
static inline void su_teacher_data(ls_data *d, size_t n, const ls_net *t, const double *tt,
                            ls_rng *rs) {
  ls_data_alloc(d, n, t->width[0], t->width[t->n_layers], 0, NULL);
  for (size_t i = 0; i < n * d->din; i++) d->x[i] = ls_rng_normal(rs);
  ls_work *w = ls_work_alloc(t, n);
  ls_forward(t, tt, n, d->x, d->y, w);
  ls_work_free(w);
}

/* The thesis problem (builtin:thesis: 2-4-1 sigmoid teacher, 41x41 grid, 2-5-1 student).
 * Returns 0, or 1 after a failing check naming the error. */
static inline int su_thesis_config(ls_config *cfg) {
  ls_error err;
  if (!ls_config_load("builtin:thesis", cfg, &err)) return 0;
  CHECK(0, "builtin:thesis: %s", err.msg);
  return 1;
}

/* The loss at th with a workspace of its own (NaN when it cannot be allocated). */
static inline double su_loss(const ls_net *n, const ls_data *d, const double *th) {
  ls_work *w = ls_work_alloc(n, d->n);
  double L = NAN;
  if (w) ls_loss(n, d, th, &L, w);
  ls_work_free(w);
  return L;
}

/* Newton (trust region) from th, in place, to a gradient of 1e-14 (1000 steps at most):
 * a minimum of a nonzero-loss problem at rounding level. Returns 0, or -1 when training
 * failed. */
static inline int su_newton_min(const ls_net *net, const ls_data *d, double *th) {
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_NONE, o.polish = LS_POLISH_NEWTON, o.traj_per_decade = 0;
  o.grad_tol = 1e-14, o.polish_maxiter = 1000;
  ls_train_result tr = {0};
  ls_error err;
  ls_status st = ls_train(net, d, th, &o, &tr, &err);
  ls_train_result_free(&tr);
  return st == LS_OK ? 0 : -1;
}

/* Trainer options of the symmetry tests: Adam (lr 1e-2, at most 20000 steps) until the
 * gradient norm falls below switch_tol, then Newton; no trajectory. */
static inline ls_train_opts su_adam_newton(double switch_tol) {
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_ADAM;
  o.lr = 1e-2;
  o.first_maxiter = 20000;
  o.switch_grad_tol = switch_tol;
  o.polish = LS_POLISH_NEWTON;
  o.traj_per_decade = 0;
  return o;
}

static inline double su_grad_norm(const ls_net *net, const ls_data *d, const double *th) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), L, s = 0;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_loss_grad(net, d, th, &L, g, w);
  for (size_t i = 0; i < P; i++) s += g[i] * g[i];
  free(g);
  ls_work_free(w);
  return sqrt(s);
}

/* Adam for `iters` steps, then saddle-free Newton steps (exact Hessian, |eigenvalues|)
 * with backtracking on the loss, until the gradient norm stops decreasing: converges
 * quadratically to a nearby nondegenerate local minimum. Returns the final gradient norm
 * (th is left at the iterate with the smallest one). */
static inline double su_find_critical(const ls_net *net, const ls_data *d, double *th, int iters) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), *m1 = calloc(P, sizeof *m1), *m2 = calloc(P, sizeof *m2);
  double L;
  ls_work *w = ls_work_alloc(net, d->n);
  for (int t = 1; t <= iters; t++) {
    ls_loss_grad(net, d, th, &L, g, w);
    for (size_t i = 0; i < P; i++) {
      m1[i] = 0.9 * m1[i] + 0.1 * g[i];
      m2[i] = 0.999 * m2[i] + 0.001 * g[i] * g[i];
      double mh = m1[i] / (1 - pow(0.9, t)), vh = m2[i] / (1 - pow(0.999, t));
      th[i] -= 0.01 * mh / (sqrt(vh) + 1e-12);
    }
  }
  double *H = malloc(P * P * sizeof *H), *e = malloc(P * sizeof *e), *c = malloc(P * sizeof *c);
  double best = su_grad_norm(net, d, th), *step = malloc(P * sizeof *step);
  double *keep = malloc(P * sizeof *keep), *bestth = malloc(P * sizeof *bestth);
  memcpy(bestth, th, P * sizeof *th);
  int stall = 0;
  for (int it = 0; it < 500 && best > 1e-15 && stall < 3; it++) {
    ls_loss_grad(net, d, th, &L, g, w);
    if (ls_hessian(net, d, th, H, w) != LS_OK) break;
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)P, H, (lapack_int)P, e);
    double mx = fmax(fabs(e[0]), fabs(e[P - 1]));
    /* saddle-free Newton: |lambda| keeps the step a descent direction away from minima
     * and is Newton's step near a nondegenerate minimum */
    for (size_t k = 0; k < P; k++) {
      double s = 0;
      for (size_t i = 0; i < P; i++) s += H[i * P + k] * g[i];
      c[k] = s / fmax(fabs(e[k]), 1e-10 * mx);
    }
    for (size_t i = 0; i < P; i++) {
      double s = 0;
      for (size_t k = 0; k < P; k++) s += H[i * P + k] * c[k];
      step[i] = s;
    }
    memcpy(keep, th, P * sizeof *th);
    double alpha = 1, Lt = 0;
    for (; alpha > 1e-6; alpha *= 0.5) {
      for (size_t i = 0; i < P; i++) th[i] = keep[i] - alpha * step[i];
      ls_loss(net, d, th, &Lt, w);
      if (Lt <= L) break;
    }
    if (alpha <= 1e-6) memcpy(th, keep, P * sizeof *th), stall++;
    else stall = 0;
    double gn = su_grad_norm(net, d, th);
    if (gn < best) best = gn, memcpy(bestth, th, P * sizeof *th);
  }
  memcpy(th, bestth, P * sizeof *th);
  free(bestth);
  free(step);
  free(g), free(m1), free(m2), free(H), free(e), free(c), free(keep);
  ls_work_free(w);
  return best;
}

#endif
