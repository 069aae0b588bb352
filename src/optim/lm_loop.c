/* The shared Levenberg-Marquardt iteration (lm_loop.h): the bookkeeping of the damped
 * least-squares / Newton methods, whose models and damping rules are the providers'. */
#include <string.h>

#include "lm_loop.h"
#include "run.h"

ls_stop_reason ls_lm_observe_run(void *observer, const double *x, double f, double g) {
  return ls_run_observe(observer, x, f, g);
}

/* At the current point: derivatives, report, stopping rules, cap, model. */
static ls_stop_reason lm_point(const ls_lm_provider *pv, size_t it, const double *x, double f) {
  double g = 0;
  ls_stop_reason s = pv->eval(pv->ctx, x, f, &g);
  if (s == LS_STOP_NONE && pv->observe) s = pv->observe(pv->observer, x, f, g);
  if (s == LS_STOP_NONE && pv->test) s = pv->test(pv->ctx, it, x, f);
  if (s == LS_STOP_NONE && it >= pv->max_iter) s = LS_STOP_ITERS;
  if (s == LS_STOP_NONE) s = pv->model(pv->ctx, x, f);
  return s;
}

/* Damped steps from x until one is accepted (LS_STOP_NONE, x and *f updated) or the
 * provider's limit or an unmeasurable step stops the loop. */
static ls_stop_reason lm_attempts(const ls_lm_provider *pv, double *x, double *f) {
  for (int rej = 0;; rej++) {
    ls_stop_reason s = pv->limit(pv->ctx, rej);
    if (s != LS_STOP_NONE) return s;
    double pred, ft;
    ls_lm_step k = pv->solve(pv->ctx, *f, &pred);
    if (k == LS_LM_STEP_NONE) return LS_STOP_STALL;
    if (k == LS_LM_STEP_RETRY) continue;
    for (size_t i = 0; i < pv->n; i++) pv->trial[i] = x[i] + pv->p[i];
    if (pv->trial_eval(pv->ctx, pv->trial, &ft)) {
      pv->raise(pv->ctx);
      continue;
    }
    if (pv->accept(pv->ctx, *f, ft, pred)) {
      memcpy(x, pv->trial, pv->n * sizeof *x);
      *f = ft;
      return LS_STOP_NONE;
    }
  }
}

ls_stop_reason ls_lm_loop(const ls_lm_provider *pv, double *x, double *f) {
  ls_stop_reason s = pv->start(pv->ctx, x, f);
  for (size_t it = 0; s == LS_STOP_NONE; it++) {
    s = lm_point(pv, it, x, *f);
    if (s == LS_STOP_NONE) s = lm_attempts(pv, x, f);
  }
  return s;
}
