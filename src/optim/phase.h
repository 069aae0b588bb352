/* The phase interface of the trainer (private to src/optim). Every phase starts from
 * theta, leaves its last iterate in theta (the run keeps the best point, run.c), reports
 * each iterate through ls_run_observe and returns its stop reason. `followed` is 1 when
 * another phase comes after it in the run's list (it may then hand over early). */
#ifndef LANDSYM_OPTIM_PHASE_H
#define LANDSYM_OPTIM_PHASE_H

#include "run.h"

typedef ls_stop_reason (*ls_phase_fn)(ls_run *r, double *theta, int followed);

typedef struct {
  ls_phase_kind kind;
  const char *name;   /* in the result's phase record and in polishing lists */
  int polish;         /* 1: may appear in a polishing list */
  unsigned hands_on;  /* stop reasons (bit 1 << reason) after which the next phase runs */
  ls_phase_fn run;
} ls_phase_desc;

/* The descriptor of kind k, NULL for LS_PHASE_NONE or an unknown value. */
const ls_phase_desc *ls_phase_get(ls_phase_kind k);

/* The phases (each in its own file). */
ls_stop_reason ls_first_order_run(ls_run *r, double *theta, int adam);
ls_stop_reason ls_flow_run(ls_run *r, double *theta);
ls_stop_reason ls_newton_run(ls_run *r, double *theta);
/* Newton on Hessian-vector products (newton_cg.c), what ls_newton_run runs when
 * ls_newton_uses_hvp. */
ls_stop_reason ls_newton_cg_run(ls_run *r, double *theta);
/* A Newton phase's first point: objective f and gradient g at theta, *gn its inf-norm,
 * observed (newton.c); returns the run's stop reason. */
ls_stop_reason ls_newton_start(ls_run *r, const double *theta, double *g, double *f,
                               double *gn);
/* Trust-region acceptance of a Newton step p (norm pn) from (f, gn) to (ft, gnt) with model
 * decrease pred; shrinks or grows *delta. Returns 1 to accept (newton.c). */
int ls_newton_judge(const ls_run *r, double f, double ft, double gn, double gnt, double pred,
                    double pn, double *delta);
/* Levenberg-Marquardt (lm.c); handover: stop (LS_STOP_SWITCH) when the loss falls linearly. */
ls_stop_reason ls_lm_run(ls_run *r, double *theta, int handover);
/* Levenberg-Marquardt / exact-Hessian hybrid (lm_shallow.c) for one-hidden-layer MSE
 * networks, at most max_iter iterations; stops as stalled when the weight norm exceeds
 * drift times its starting value (at least 1; drift 0 = no bound). */
ls_stop_reason ls_lm_shallow_run(ls_run *r, double *theta, size_t max_iter, double drift);
/* NLopt SLSQP (lbfgs 0) or LBFGS with `vectors` of memory; hands over (LS_STOP_SWITCH)
 * below switch_tol when > 0. */
ls_stop_reason ls_nlopt_run(ls_run *r, double *theta, int lbfgs, int vectors, double switch_tol);

#endif
