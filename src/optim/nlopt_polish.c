/* NLopt: ls_nlopt_minimize, the library's one wrapper (the trainer and the permutation
 * paths call it), and the polishing phases LD_SLSQP (the thesis's choice, section 6.2.1)
 * and LD_LBFGS. NLopt cannot stop on a gradient norm, so the phases' objective does the
 * run's stopping tests and asks for the stop. */
#include <math.h>
#include <nlopt.h>
#include <stdio.h>

#include "phase.h"

/* NLopt's callback: the ls_min_fn, and a forced stop when it asks for one. */
typedef struct {
  ls_min_fn fn;
  void *user;
  nlopt_opt opt;
} min_ctx;

static double min_objective(unsigned n, const double *x, double *grad, void *ud) {
  min_ctx *m = ud;
  int stop = 0;
  double f = m->fn(n, x, grad, m->user, &stop);
  if (stop) nlopt_force_stop(m->opt);
  return f;
}

ls_min_result ls_nlopt_minimize(ls_min_fn fn, void *user, size_t n, double *x, double *f,
                                const ls_min_opts *o) {
  min_ctx m = {fn, user, nlopt_create(o->lbfgs ? NLOPT_LD_LBFGS : NLOPT_LD_SLSQP, (unsigned)n)};
  if (!m.opt) return LS_MIN_OUT_OF_MEMORY;
  nlopt_set_min_objective(m.opt, min_objective, &m);
  nlopt_set_ftol_rel(m.opt, o->ftol_rel);
  nlopt_set_ftol_abs(m.opt, o->ftol_abs);
  nlopt_set_xtol_rel(m.opt, o->xtol_rel);
  if (o->maxeval > 0) nlopt_set_maxeval(m.opt, o->maxeval);
  if (o->maxtime > 0) nlopt_set_maxtime(m.opt, o->maxtime);
  if (o->lbfgs && o->vectors > 0) nlopt_set_vector_storage(m.opt, (unsigned)o->vectors);
  nlopt_result res = nlopt_optimize(m.opt, x, f);
  nlopt_destroy(m.opt);
  return (ls_min_result)res;
}

/* ---- the slsqp and lbfgs phases ------------------------------------------------------- */

typedef struct {
  ls_run *r;
  double switch_tol;
  ls_stop_reason stop;
  size_t evals;
} nl_ctx;

static double nl_objective(size_t n, const double *x, double *grad, void *ud, int *stop) {
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
      *stop = 1;
    }
  } else {
    st = ls_objective_value(&r->obj, x, &f);
  }
  /* a non-finite value makes NLopt fail; a huge one makes it back off */
  return st == LS_OK ? f : HUGE_VAL;
}

ls_stop_reason ls_nlopt_run(ls_run *r, double *theta, int lbfgs, int vectors, double switch_tol) {
  nl_ctx c = {r, switch_tol, LS_STOP_NONE, 0};
  /* stop only through the callback (gradient, loss, time, evaluations) or NLopt's own
   * judgement that no step helps; tolerances as tight as the thesis's 1e-32 */
  ls_min_opts o = {lbfgs, vectors, 0, 0, 1e-32, 0, 0};
  double left = ls_run_time_left(r);
  if (isfinite(left)) o.maxtime = left > 0 ? left : 1e-3;
  double f;
  ls_min_result res = ls_nlopt_minimize(nl_objective, &c, r->P, theta, &f, &o);
  if (res == LS_MIN_OUT_OF_MEMORY && c.evals == 0) return LS_STOP_FAIL;
  if (c.stop != LS_STOP_NONE) return c.stop;
  if (res == LS_MIN_MAXTIME_REACHED) return LS_STOP_TIME;
  if (res > 0 || res == LS_MIN_ROUNDOFF_LIMITED) {
    snprintf(r->res->message, sizeof r->res->message, "NLopt stopped (code %d) at gradient %.3g",
             (int)res, r->best_g);
    return LS_STOP_STALL;
  }
  snprintf(r->res->message, sizeof r->res->message, "NLopt failed (code %d)", (int)res);
  return LS_STOP_FAIL;
}
