/* landsym: trainers. First-order dynamics (gradient descent, Adam, optional minibatches),
 * gradient flow d(theta)/dt = -grad L integrated with SUNDIALS CVODE (BDF, exact Hessian
 * as Jacobian), and second-order polishing (Newton trust region with the exact Hessian,
 * NLopt SLSQP and LBFGS), all on one objective: the loss plus optional penalties.
 *
 * A run is a list of phases: a first phase (none, gd, adam or flow) followed by polishing
 * phases (newton, slsqp, lbfgs, lm: Levenberg-Marquardt on the MSE residuals, lm-shallow:
 * its closed-form variant for one-hidden-layer networks), e.g. "lbfgs+newton". A phase
 * runs after the previous one when that one handed over (see ls_phase_list). Everything
 * is deterministic: the same inputs and options give bitwise identical results (unless a
 * wall-time limit cuts a run). */
#ifndef LANDSYM_OPTIM_H
#define LANDSYM_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "landsym/data.h"
#include "landsym/engine.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- objective: loss + penalties, with exact gradient, Hessian and HVP ---------------- */

/* Penalties added to the loss (both off by default, i.e. all zero).
 * Weight-norm barrier (as MLPGradientFlow.jl's maxnorm): with s = ||theta||^2 - max_norm^2,
 *   R(theta) = barrier * max(0, s)^2,
 * zero inside the ball of radius max_norm, growing quartically outside; off when
 * max_norm <= 0 or barrier == 0.
 * Merge penalty: merge_lambda * ||theta_i - theta_j||^2 where theta_i are the incoming
 * weights (row i of W_l) and bias b_l[i] of hidden neuron i of layer merge_layer. */
typedef struct {
  double max_norm, barrier;
  double merge_lambda;
  int merge_layer, merge_i, merge_j;
} ls_penalty;

typedef struct {
  const ls_net *net;
  const ls_data *data; /* the data the loss is taken on (a minibatch may swap it) */
  ls_penalty pen;
  size_t P;
  ls_work *work;   /* sized for the data given to ls_objective_init */
  double loss_noise; /* absolute rounding level of the loss (about eps^2 * E[y^2] for MSE) */
} ls_objective;

ls_status ls_penalty_validate(const ls_penalty *pen, const ls_net *net, ls_error *err);
ls_status ls_objective_init(ls_objective *o, const ls_net *net, const ls_data *data,
                            const ls_penalty *pen, ls_error *err);
void ls_objective_free(ls_objective *o); /* accepts a zeroed struct */
/* f = loss + penalties. Returns LS_ERR_COMPUTE when f is not finite. */
ls_status ls_objective_value(ls_objective *o, const double *theta, double *f);
/* f and its gradient g (P entries, overwritten). */
ls_status ls_objective_grad(ls_objective *o, const double *theta, double *f, double *g);
/* Exact Hessian, P x P row-major (overwritten). */
ls_status ls_objective_hessian(ls_objective *o, const double *theta, double *H);
/* Hv = H(theta) v (overwritten). */
ls_status ls_objective_hvp(ls_objective *o, const double *theta, const double *v, double *Hv);

/* ---- options --------------------------------------------------------------------------- */

typedef enum { LS_FIRST_NONE = 0, LS_FIRST_GD, LS_FIRST_ADAM, LS_FIRST_FLOW } ls_first_kind;
typedef enum {
  LS_POLISH_NONE = 0,
  LS_POLISH_AUTO,   /* small P: lbfgs+newton, after an lm attempt on one-hidden-layer networks
                       (see lm_switch_tol); slsqp for medium P, lbfgs for large */
  LS_POLISH_NEWTON, /* trust region on the exact Hessian (see newton_critical) */
  LS_POLISH_SLSQP,  /* NLopt LD_SLSQP */
  LS_POLISH_LBFGS,  /* NLopt LD_LBFGS */
  LS_POLISH_SLSQP_NEWTON, /* SLSQP down to newton_switch_tol (cheap iterations far out),
                            then Newton to finish (quadratic convergence near the end) */
  LS_POLISH_LBFGS_NEWTON, /* LBFGS (iterations at the cost of one gradient) until it reaches
                            newton_switch_tol or stalls, then Newton to finish */
  LS_POLISH_LM,     /* Levenberg-Marquardt on the MSE residuals (lm.c): quadratic convergence
                       to a degenerate zero-loss set, where Newton is sublinear */
  LS_POLISH_LM_NEWTON, /* LM while the loss falls faster than linearly, then Newton (nonzero-
                          loss minima, where LM is linear) */
  LS_POLISH_NEWTON_LM, /* Newton, then LM from its point: Newton for nonzero-loss minima, LM
                          takes a zero-loss point's residuals from ~1e-11 to the rounding level */
  LS_POLISH_LM_SHALLOW /* Levenberg-Marquardt with the closed-form Gauss-Newton matrix and
                          Hessian (lm_shallow.c), exact-Hessian steps where the residuals stop
                          shrinking; one-hidden-layer, one-output MSE networks without
                          penalties; auto's attempt on those */
} ls_polish_kind;
/* The phases of a run (src/optim/phases.c holds their table). */
typedef enum {
  LS_PHASE_NONE = 0,
  LS_PHASE_GD,         /* gradient descent (first_order.c) */
  LS_PHASE_ADAM,       /* Adam (first_order.c) */
  LS_PHASE_FLOW,       /* gradient flow, CVODE (flow.c) */
  LS_PHASE_NEWTON,     /* trust region on the exact Hessian (newton.c) */
  LS_PHASE_SLSQP,      /* NLopt LD_SLSQP (nlopt_polish.c) */
  LS_PHASE_LBFGS,      /* NLopt LD_LBFGS (nlopt_polish.c) */
  LS_PHASE_LM,         /* Levenberg-Marquardt on the residuals (lm.c) */
  LS_PHASE_LM_SHALLOW  /* Levenberg-Marquardt, closed-form one-hidden-layer model (lm_shallow.c) */
} ls_phase_kind;

/* Polishing as a list of phases, run in order from the best point so far. A phase that is
 * followed by another hands over early: slsqp, lbfgs and lm below newton_switch_tol or
 * when they slow down (lm: the loss falls linearly), and lbfgs keeps 100 vectors instead
 * of 20; the next phase runs when the previous one handed over, stalled, ran out of
 * iterations or failed (after newton: whenever the run was not cut short by the time
 * limit, the user or a non-finite value). The combined polishing kinds are such lists:
 * "slsqp+newton" = {slsqp, newton}, "lm+newton", "newton+lm", "lbfgs+newton". */
#define LS_PHASE_LIST_MAX 4
typedef struct {
  int n;
  ls_phase_kind k[LS_PHASE_LIST_MAX];
} ls_phase_list;

typedef enum { LS_LINSOL_AUTO = 0, LS_LINSOL_DENSE, LS_LINSOL_SPGMR } ls_linsol_kind;
/* How Newton uses the Hessian: formed and diagonalised (dense: 4 P^2 doubles at its peak)
 * or through Hessian-vector products only (hvp: trust-region Newton-CG, O(P) memory);
 * auto: dense for P <= dense_max_params. */
typedef enum { LS_HESSIAN_AUTO = 0, LS_HESSIAN_DENSE, LS_HESSIAN_HVP } ls_hessian_kind;

typedef enum {
  LS_STOP_NONE = 0,
  LS_STOP_GRAD,      /* gradient infinity-norm below grad_tol (converged) */
  LS_STOP_LOSS,      /* loss below loss_tol */
  LS_STOP_SWITCH,    /* reached switch_grad_tol / newton_switch_tol: handed over */
  LS_STOP_ITERS,     /* iteration budget of the phase used up */
  LS_STOP_TIME,      /* wall-time limit */
  LS_STOP_FLOWTIME,  /* gradient flow reached flow_tmax */
  LS_STOP_PATIENCE,  /* no lower loss for `patience` iterations */
  LS_STOP_STALL,     /* no step can improve any more (rounding level reached) */
  LS_STOP_NAN,       /* a non-finite loss or gradient appeared; best finite point kept */
  LS_STOP_USER,      /* the progress callback asked to stop */
  LS_STOP_FAIL       /* the solver failed (CVODE, NLopt, eigen-solver error) */
} ls_stop_reason;

/* Progress report passed to the callback (about every progress_interval seconds and at
 * the end of each phase). Return non-zero from the callback to stop the run. */
typedef struct {
  const char *phase;
  size_t iter;       /* iterations of this phase so far */
  double wall;       /* seconds since ls_train started */
  double loss, grad_norm;     /* at the current iterate */
  double best_loss;
} ls_train_progress;
typedef int (*ls_progress_fn)(const ls_train_progress *p, void *user);

typedef struct {
  ls_first_kind first;
  ls_polish_kind polish;
  ls_phase_list polish_list;   /* when n > 0: these polishing phases, in place of polish */

  /* first-order dynamics; thesis section 6.2.1 uses Adam, lr 1e-4, full batch */
  double lr;                   /* 1e-3 (Adam), used as the step for GD too */
  double beta1, beta2, eps;    /* 0.9, 0.999, 1e-8 (Kingma & Ba defaults, thesis 3.4) */
  size_t batch;                /* 0 = full batch; else minibatches drawn from `seed` */
  uint64_t seed;
  size_t first_maxiter;        /* 100000 */
  double switch_grad_tol;      /* the first phase hands over below this (1e-6); used only when
                                  polishing follows, else the first phase runs to grad_tol */

  /* gradient flow (CVODE BDF) */
  double flow_rtol, flow_atol; /* 1e-8, 1e-10 */
  double flow_tmax;            /* 1e12 */
  ls_linsol_kind flow_linsol;  /* auto: dense for P <= dense_max_params, else SPGMR + HVP */
  size_t dense_max_params;     /* 2000: above it flow and Newton (auto) use products only */

  /* polishing */
  int newton_critical;         /* 1: converge to the nearest critical point (saddles too) */
  ls_hessian_kind newton_hessian; /* auto: dense for P <= dense_max_params, else hvp */
  size_t polish_maxiter;       /* 1000: Newton iterations; NLopt gets 100x as many evaluations,
                                  2x before Newton in slsqp+newton */
  size_t auto_newton_max;      /* auto uses lbfgs+newton for P <= this (1500) */
  double newton_switch_tol;    /* slsqp/lbfgs+newton hand over to Newton below this gradient (1e-9) */
  size_t auto_slsqp_max;       /* auto uses SLSQP for P <= this (4000), LBFGS above */
  /* auto on one-hidden-layer, one-output MSE networks without penalties (P <= auto_newton_max,
     not critical): the first phase hands over at max(lm_switch_tol, switch_grad_tol) to
     Levenberg-Marquardt (lm) for at most lm_max_iter iterations; if that does not converge
     (it stalls, the weights drift past lm_drift times their norm, or the iterations run
     out), the run starts again from the initial point as if the attempt had not been made:
     first phase to switch_grad_tol, then lbfgs+newton. lm_max_iter 0 = no attempt. */
  double lm_switch_tol;        /* 1e-2 */
  size_t lm_max_iter;          /* 200 */
  double lm_drift;             /* 4 */

  /* stopping (whole run) */
  double grad_tol;             /* stop when the gradient inf-norm < grad_tol: 1e-15 (0 = off) */
  double loss_tol;             /* stop when the objective <= loss_tol: 0 (off for MSE > 0) */
  double time_limit;           /* seconds, 0 = none */
  size_t patience;             /* iterations without a lower loss, 0 = off */

  /* trajectory and progress */
  size_t traj_per_decade;      /* samples per decade of iterations: 20; 0 = no trajectory */
  int traj_params;             /* also keep the parameters at each sample (1) */
  ls_progress_fn progress;
  void *progress_user;
  double progress_interval;    /* seconds, 0.25 */

  ls_penalty penalty;
} ls_train_opts;

void ls_train_opts_default(ls_train_opts *o);
/* Defaults for polishing alone, as the symmetry and path modules use the trainer: no
 * first-order phase, no trajectory, polisher KIND for at most MAXITER iterations, stopping at
 * a gradient inf-norm of GRAD_TOL. */
void ls_train_opts_polish(ls_train_opts *o, ls_polish_kind kind, size_t maxiter, double grad_tol);
ls_status ls_train_opts_validate(const ls_train_opts *o, const ls_net *net, ls_error *err);

ls_status ls_first_parse(const char *s, ls_first_kind *out, ls_error *err);
ls_status ls_polish_parse(const char *s, ls_polish_kind *out, ls_error *err);
ls_status ls_linsol_parse(const char *s, ls_linsol_kind *out, ls_error *err);
ls_status ls_hessian_kind_parse(const char *s, ls_hessian_kind *out, ls_error *err);
const char *ls_hessian_kind_name(ls_hessian_kind k);
/* Bytes a training run of net on n samples under o needs at its peak (memory.c): the
 * engine's workspace, the run's vectors and its largest phase (dense Newton 4 P^2 doubles,
 * SLSQP about 4.5 P^2, lm the n m x P Jacobian and its SVD, Newton-CG and LBFGS O(P)).
 * *peak (if not NULL) names that phase. ls_train refuses (LS_ERR_INPUT) a run that needs
 * more than ls_mem_available(). */
double ls_train_bytes(const ls_train_opts *o, const ls_net *net, size_t n, const char **peak);
/* 1 when Newton runs on Hessian-vector products for P parameters under o (newton.c). */
int ls_newton_uses_hvp(const ls_train_opts *o, size_t P);
const char *ls_first_name(ls_first_kind k);
const char *ls_polish_name(ls_polish_kind k);
const char *ls_linsol_name(ls_linsol_kind k);
const char *ls_stop_name(ls_stop_reason r);
const char *ls_phase_name(ls_phase_kind k);
/* A '+'-separated list of polishing phases ("lm+newton"), at most LS_PHASE_LIST_MAX. */
ls_status ls_phase_list_parse(const char *s, ls_phase_list *out, ls_error *err);
/* The polishing list of opts for a network of P parameters: polish_list when set, else
 * the list that polish stands for (auto resolved by P: see LS_POLISH_AUTO). */
void ls_polish_phases(const ls_train_opts *o, size_t P, ls_phase_list *out);

/* ---- residuals and Levenberg-Marquardt (residuals.c, lm.c) ----------------------------- */

/* MSE residuals r ((n * dout) entries, r_ko = sqrt(w_k) (f_o(x_k) - y_ko), so the loss is
 * ||r||^2) and, when J is not NULL, their exact Jacobian J ((n * dout) x P, row-major).
 * LS_ERR_INPUT for a loss other than MSE. */
ls_status ls_residual_jacobian(const ls_net *net, const ls_data *d, const double *theta,
                               double *r, double *J, ls_error *err);

/* Called at each LM iterate (loss, gradient inf-norm); return non-zero to stop. */
typedef int (*ls_lm_observe_fn)(const double *theta, double loss, double grad_inf, void *user);
typedef struct {
  size_t max_iter;  /* LM steps */
  int handover;     /* stop (LS_STOP_SWITCH) when the loss fell by less than 20% in 10 steps */
  ls_lm_observe_fn observe; /* may be NULL */
  void *user;
} ls_lm_opts;

/* Levenberg-Marquardt (damping lambda ||r||, Fan & Yuan 2005) on the MSE loss from theta,
 * which is overwritten with the last iterate (the loss decreases monotonically) and *loss
 * with its loss. *why: LS_STOP_STALL (the loss reached its rounding level or no step lowers
 * it), LS_STOP_ITERS, LS_STOP_SWITCH (handover), LS_STOP_USER (observe), LS_STOP_NAN,
 * LS_STOP_FAIL (SVD failure). Returns LS_ERR_INPUT for a loss other than MSE. */
ls_status ls_lm_polish(const ls_net *net, const ls_data *d, double *theta,
                       const ls_lm_opts *opts, double *loss, ls_stop_reason *why,
                       ls_error *err);

/* ---- NLopt (nlopt_polish.c): the one wrapper the trainer and the paths call ------------- */

/* Objective: returns f(x) and, when g is not NULL, writes the gradient into g (n entries).
 * Setting *stop to 1 ends the minimisation after this evaluation (LS_MIN_FORCED_STOP). A
 * huge value makes NLopt back off; a non-finite one makes it fail. */
typedef double (*ls_min_fn)(size_t n, const double *x, double *g, void *user, int *stop);

/* NLopt's result codes (nlopt_result), without including nlopt.h. */
typedef enum {
  LS_MIN_FAILURE = -1, LS_MIN_INVALID_ARGS = -2, LS_MIN_OUT_OF_MEMORY = -3,
  LS_MIN_ROUNDOFF_LIMITED = -4, LS_MIN_FORCED_STOP = -5,
  LS_MIN_SUCCESS = 1, LS_MIN_STOPVAL_REACHED = 2, LS_MIN_FTOL_REACHED = 3,
  LS_MIN_XTOL_REACHED = 4, LS_MIN_MAXEVAL_REACHED = 5, LS_MIN_MAXTIME_REACHED = 6
} ls_min_result;

typedef struct {
  int lbfgs;          /* 1: NLopt LD_LBFGS, 0: LD_SLSQP */
  int vectors;        /* LBFGS memory (0: NLopt's default) */
  double ftol_rel, ftol_abs, xtol_rel; /* NLopt's stopping tolerances (0: off) */
  int maxeval;        /* evaluations per call (0: no limit) */
  double maxtime;     /* seconds (0: no limit) */
} ls_min_opts;

/* Minimise fn from x (n entries, overwritten with NLopt's final point; *f its value).
 * Each call starts afresh (LBFGS with an empty memory). */
ls_min_result ls_nlopt_minimize(ls_min_fn fn, void *user, size_t n, double *x, double *f,
                                const ls_min_opts *o);

/* ---- result ---------------------------------------------------------------------------- */

typedef struct {
  char name[16];        /* "adam", "flow", "newton", ... */
  ls_stop_reason stop;
  double wall;          /* seconds */
  size_t iters;         /* iterations (GD/Adam steps, CVODE steps, Newton steps, NLopt evals) */
  size_t evals;         /* objective evaluations */
  double loss, grad_norm; /* at the best point after the phase */
  double flow_t;        /* gradient flow only: integration time reached */
} ls_phase_result;

/* Trajectory row k: phase index, global iteration, wall seconds, loss, gradient inf-norm;
 * params (if kept) holds n x P values. */
typedef struct {
  size_t n, cap, P;
  int *phase;
  double *iter, *wall, *loss, *grad_norm, *params;
} ls_trajectory;

typedef struct {
  ls_stop_reason stop;  /* why the run stopped (the last phase's reason) */
  double loss, grad_norm; /* objective and gradient inf-norm at the returned point */
  double wall;
  double cpu;           /* CPU seconds of the whole process (all threads) during ls_train:
                           the training's own CPU time when one run goes at a time */
  size_t iters;
  int n_phases;
  ls_phase_result phase[6]; /* auto's attempt (2) then the standard pipeline (3) */
  ls_trajectory traj;
  char message[256];    /* a readable line about the stop (e.g. where NaN appeared) */
} ls_train_result;

void ls_train_result_free(ls_train_result *r); /* accepts a zeroed struct */

/* Train from theta (P = ls_net_nparams entries); on return theta holds the best point
 * seen (lowest objective; in Newton critical mode, lowest gradient norm). Returns LS_OK
 * whenever a result was produced, whatever the stop reason (check r->stop), LS_ERR_INPUT
 * for invalid options, LS_ERR_NOMEM. r must be zeroed or freed before the call. */
ls_status ls_train(const ls_net *net, const ls_data *data, double *theta,
                   const ls_train_opts *opts, ls_train_result *r, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
