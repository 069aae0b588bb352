/* One damped least-squares / Newton iteration (Levenberg-Marquardt), shared by the
 * trainer's LM phases (lm.c, lm_shallow.c) and the path refinement (paths/merge.c).
 *
 * The loop owns the iteration: from x with value f it evaluates the model's derivative
 * (eval), reports the point (observe), applies the provider's stopping rules (test) and
 * the iteration cap, builds the local model (model), then tries damped steps p until one
 * is accepted: solve gives p and the predicted decrease pred, the trial point is x + p,
 * its value ft comes from trial, and accept decides (and updates the damping); a failed
 * trial evaluation raises the damping (raise). The provider keeps its own linear algebra
 * (SVD, Cholesky, dposv) and damping rules in ctx. */
#ifndef LANDSYM_OPTIM_LM_LOOP_H
#define LANDSYM_OPTIM_LM_LOOP_H

#include <stddef.h>

#include "landsym/optim.h"

typedef enum {
  LS_LM_STEP_OK,    /* p and pred are set */
  LS_LM_STEP_RETRY, /* no step at this damping; the provider raised it: try again */
  LS_LM_STEP_NONE   /* nothing measurable left to gain: stop (LS_STOP_STALL) */
} ls_lm_step;

typedef struct {
  void *ctx;
  size_t n;         /* dimension of x */
  size_t max_iter;  /* iterations (models built) at most: LS_STOP_ITERS */
  double *p, *trial; /* provider's buffers of n: the step and the trial point x + p */
  /* Value at the starting point into *f (x may be normalised in place). */
  ls_stop_reason (*start)(void *ctx, double *x, double *f);
  /* Derivatives at the current point (Jacobian or gradient); *g: gradient inf-norm. */
  ls_stop_reason (*eval)(void *ctx, const double *x, double f, double *g);
  /* Provider's stopping rules at iteration it (before the cap); may be NULL. */
  ls_stop_reason (*test)(void *ctx, size_t it, const double *x, double f);
  /* Local model at x (factorisation, damping scale). */
  ls_stop_reason (*model)(void *ctx, const double *x, double f);
  /* Before attempt rej at one model: a stop reason when no attempt is left. */
  ls_stop_reason (*limit)(void *ctx, int rej);
  /* Damped step into p and its predicted decrease. */
  ls_lm_step (*solve)(void *ctx, double f, double *pred);
  /* Value at the trial point (which may be normalised in place); non-zero: not finite. */
  int (*trial_eval)(void *ctx, double *trial, double *ft);
  /* Damping after a failed trial evaluation. */
  void (*raise)(void *ctx);
  /* Acceptance test and damping update; on 1 the provider takes the trial's derivatives. */
  int (*accept)(void *ctx, double f, double ft, double pred);
  /* Reports each point (value f, gradient inf-norm g); may be NULL. */
  ls_stop_reason (*observe)(void *observer, const double *x, double f, double g);
  void *observer;
} ls_lm_provider;

/* Runs the loop from x (overwritten with the last accepted point, *f with its value);
 * returns the stop reason. */
ls_stop_reason ls_lm_loop(const ls_lm_provider *pv, double *x, double *f);

/* observe through the trainer's run bookkeeping: observer is the ls_run (run.c). */
ls_stop_reason ls_lm_observe_run(void *observer, const double *x, double f, double g);

#endif
