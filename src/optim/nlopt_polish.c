/* Polishing with NLopt: LD_SLSQP (the thesis's choice, section 6.2.1) or LD_LBFGS for large
 * networks. NLopt cannot stop on a gradient norm, so the objective callback does the run's
 * stopping tests and forces the stop. */
#include <math.h>
#include <nlopt.h>
#include <stdio.h>

#include "phase.h"

typedef struct {
  ls_run *r;
  double switch_tol;
  nlopt_opt opt;
  ls_stop_reason stop;
  size_t evals;
} nl_ctx;

static double nl_objective(unsigned n, const double *x, double *grad, void *ud) {
  nl_ctx *c = ud;
  ls_run *r = c->r;
  double f;
  (void)n;
  c->evals++;
  ls_status st;
  if (grad) {
    st = ls_objective_grad(&r->obj, x, &f, grad);
    double gn = st == LS_OK ? ls_inf_norm(r->P, grad) : NAN;
    ls_stop_reason s = ls_run_observe(r, x, st == LS_OK ? f : NAN, gn);
    if (s == LS_STOP_NONE && gn < c->switch_tol) s = LS_STOP_SWITCH;
    /* before Newton finishes, SLSQP gets 2 evaluations per Newton iteration of budget */
    size_t budget = (c->switch_tol > 0 ? 2 : 100) * r->opt->polish_maxiter;
    if (s == LS_STOP_NONE && c->evals >= budget) s = LS_STOP_ITERS;
    if (s != LS_STOP_NONE) {
      c->stop = s;
      nlopt_force_stop(c->opt);
    }
  } else {
    st = ls_objective_value(&r->obj, x, &f);
  }
  /* a non-finite value makes NLopt fail; a huge one makes it back off */
  return st == LS_OK ? f : HUGE_VAL;
}

ls_stop_reason ls_nlopt_run(ls_run *r, double *theta, int lbfgs, int vectors, double switch_tol) {
  nl_ctx c = {r, switch_tol, NULL, LS_STOP_NONE, 0};
  c.opt = nlopt_create(lbfgs ? NLOPT_LD_LBFGS : NLOPT_LD_SLSQP, (unsigned)r->P);
  if (!c.opt) return LS_STOP_FAIL;
  nlopt_set_min_objective(c.opt, nl_objective, &c);
  /* stop only through the callback (gradient, loss, time, evaluations) or NLopt's own
   * judgement that no step helps; tolerances as tight as the thesis's 1e-32 */
  nlopt_set_ftol_rel(c.opt, 0);
  nlopt_set_ftol_abs(c.opt, 0);
  nlopt_set_xtol_rel(c.opt, 1e-32);
  if (lbfgs) nlopt_set_vector_storage(c.opt, (unsigned)vectors);
  double left = ls_run_time_left(r);
  if (isfinite(left)) nlopt_set_maxtime(c.opt, left > 0 ? left : 1e-3);
  double f;
  nlopt_result res = nlopt_optimize(c.opt, theta, &f);
  nlopt_destroy(c.opt);
  if (c.stop != LS_STOP_NONE) return c.stop;
  if (res == NLOPT_MAXTIME_REACHED) return LS_STOP_TIME;
  if (res > 0 || res == NLOPT_ROUNDOFF_LIMITED) {
    snprintf(r->res->message, sizeof r->res->message, "NLopt stopped (code %d) at gradient %.3g",
             (int)res, r->best_g);
    return LS_STOP_STALL;
  }
  snprintf(r->res->message, sizeof r->res->message, "NLopt failed (code %d)", (int)res);
  return LS_STOP_FAIL;
}
