/* Internal state of one training run and its bookkeeping (run.c: best point, trajectory,
 * progress, whole-run stopping tests), shared by the driver (train.c) and the phases. */
#ifndef LANDSYM_OPTIM_RUN_H
#define LANDSYM_OPTIM_RUN_H

#include <math.h>

#include "landsym/optim.h"

typedef struct {
  ls_objective obj;
  const ls_train_opts *opt;
  ls_train_result *res;
  size_t P;
  double *best;          /* best point seen (P) */
  double best_f, best_g; /* its objective and gradient inf-norm (best_f = INF before any) */
  int rank_by_grad;      /* Newton critical mode: the best point is the lowest gradient */
  int ignore_grad_tol;   /* LM: grad_tol does not stop the phase (it stops on its own test) */
  double t0;             /* monotonic clock at the start */
  size_t giter;          /* iterations observed over the whole run */
  double next_mark;      /* next global iteration at which the trajectory is sampled */
  int phase;             /* index into res->phase */
  size_t phase_iter;     /* iterations observed in this phase */
  size_t stale;          /* iterations since the best point last improved */
  double last_progress;
  double cur_f, cur_g;
  int lm_attempt;         /* the lm phase is auto's attempt (lm_max_iter, lm_drift) */
  double switch_tol;     /* the first phase hands over below this (0 = never) */
} ls_run;

double ls_run_wall(const ls_run *r);
double ls_inf_norm(size_t n, const double *v);
/* Absolute rounding level of net's loss on data (objective.c). */
double ls_loss_noise(const ls_net *net, const ls_data *data);

/* Euclidean norm, summed in index order. */
static inline double ls_norm2(size_t n, const double *v) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

/* 1 when (f1, g1) is a better point than (f2, g2): lower objective, or equal objective to
 * rounding level and lower gradient (near a minimum the loss stops being measurable). */
int ls_run_better(const ls_run *r, double f1, double g1, double f2, double g2);
/* Record an iterate (objective f, gradient inf-norm g): best point, trajectory, progress
 * and the whole-run stopping tests (non-finite values, grad_tol, loss_tol, time, patience,
 * user stop). Returns LS_STOP_NONE to go on. */
ls_stop_reason ls_run_observe(ls_run *r, const double *theta, double f, double g);
/* Force a trajectory sample of the best point (end of a phase). */
void ls_run_sample_best(ls_run *r);
/* Seconds left before time_limit (INFINITY when none). */
double ls_run_time_left(const ls_run *r);

/* Progress report to the callback (forced at the end of a phase, else at most every
 * progress_interval seconds). */
void ls_run_report(ls_run *r, int force);

#endif
