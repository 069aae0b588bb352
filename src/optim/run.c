/* Bookkeeping of one training run: clocks, the best point (ls_run_better), the
 * log-spaced trajectory, progress reports and the whole-run stopping tests that every
 * phase applies to each iterate (ls_run_observe). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/core.h"
#include "run.h"

double ls_run_wall(const ls_run *r) { return ls_clock_seconds() - r->t0; }

double ls_run_time_left(const ls_run *r) {
  if (r->opt->time_limit <= 0) return INFINITY;
  return r->opt->time_limit - ls_run_wall(r);
}

double ls_inf_norm(size_t n, const double *v) {
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(v[i]);
    if (!(a <= m)) m = a; /* propagates NaN */
  }
  return m;
}

int ls_run_better(const ls_run *r, double f1, double g1, double f2, double g2) {
  if (!isfinite(f1) || !isfinite(g1)) return 0;
  if (!isfinite(f2) || !isfinite(g2)) return 1;
  if (r->rank_by_grad) return g1 < g2;
  double noise = r->obj.loss_noise + 4 * DBL_EPSILON * fmax(fabs(f1), fabs(f2));
  if (fabs(f1 - f2) <= noise) return g1 < g2;
  /* as Newton's acceptance: an increase at the loss's cancellation level (1e-9 relative)
   * does not outweigh a gradient at least halved */
  if (f1 > f2 && f1 - f2 <= 1e-9 * fabs(f2) && g1 < 0.5 * g2) return 1;
  if (f2 > f1 && f2 - f1 <= 1e-9 * fabs(f1) && g2 < 0.5 * g1) return 0;
  return f1 < f2;
}

void ls_train_result_free(ls_train_result *r) {
  if (!r) return;
  ls_trajectory *t = &r->traj;
  free(t->phase), free(t->iter), free(t->wall), free(t->loss), free(t->grad_norm), free(t->params);
  memset(r, 0, sizeof *r);
}

/* Appends one row; silently stops sampling if memory runs out (the run itself goes on). */
static void traj_push(ls_run *r, const double *theta, double f, double g) {
  ls_trajectory *t = &r->res->traj;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64, P = r->opt->traj_params ? r->P : 0;
    int *ph = realloc(t->phase, cap * sizeof *ph);
    if (ph) t->phase = ph;
    double **cols[] = {&t->iter, &t->wall, &t->loss, &t->grad_norm};
    int ok = ph != NULL;
    for (int c = 0; c < 4 && ok; c++) {
      double *p = realloc(*cols[c], cap * sizeof(double));
      if (p) *cols[c] = p;
      else ok = 0;
    }
    if (ok && P) {
      double *p = realloc(t->params, cap * P * sizeof(double));
      if (p) t->params = p;
      else ok = 0;
    }
    if (!ok) return;
    t->cap = cap;
    t->P = P;
  }
  t->phase[t->n] = r->phase;
  t->iter[t->n] = (double)r->giter;
  t->wall[t->n] = ls_run_wall(r);
  t->loss[t->n] = f;
  t->grad_norm[t->n] = g;
  if (t->P) memcpy(t->params + t->n * t->P, theta, t->P * sizeof(double));
  t->n++;
}

void ls_run_sample_best(ls_run *r) {
  if (r->opt->traj_per_decade && isfinite(r->best_f)) traj_push(r, r->best, r->best_f, r->best_g);
}

void ls_run_report(ls_run *r, int force) {
  const ls_train_opts *o = r->opt;
  if (!o->progress) return;
  double now = ls_run_wall(r);
  if (!force && now - r->last_progress < o->progress_interval) return;
  r->last_progress = now;
  ls_train_progress p = {r->res->phase[r->phase].name, r->phase_iter, now, r->cur_f, r->cur_g,
                         r->best_f};
  if (o->progress(&p, o->progress_user)) r->res->stop = LS_STOP_USER;
}

ls_stop_reason ls_run_observe(ls_run *r, const double *theta, double f, double g) {
  const ls_train_opts *o = r->opt;
  r->cur_f = f, r->cur_g = g;
  if (!isfinite(f) || !isfinite(g)) {
    snprintf(r->res->message, sizeof r->res->message,
             "non-finite %s at iteration %zu of %s; kept the best finite point",
             isfinite(f) ? "gradient" : "loss", r->phase_iter, r->res->phase[r->phase].name);
    return LS_STOP_NAN;
  }
  if (ls_run_better(r, f, g, r->best_f, r->best_g)) {
    if (f < r->best_f || r->rank_by_grad) r->stale = 0;
    memcpy(r->best, theta, r->P * sizeof(double));
    r->best_f = f, r->best_g = g;
  } else {
    r->stale++;
  }
  if (o->traj_per_decade && (double)r->giter >= r->next_mark) {
    traj_push(r, theta, f, g);
    /* marks at 10^(k/per_decade), at least one iteration apart */
    double step = pow(10.0, 1.0 / (double)o->traj_per_decade);
    r->next_mark = fmax(r->next_mark * step, (double)r->giter + 1);
  }
  r->giter++;
  r->phase_iter++;
  r->res->stop = LS_STOP_NONE;
  ls_run_report(r, 0);
  if (r->res->stop == LS_STOP_USER) return LS_STOP_USER;
  if (g < o->grad_tol && !r->ignore_grad_tol) return LS_STOP_GRAD;
  if (!r->rank_by_grad && f <= o->loss_tol) return LS_STOP_LOSS;
  if (o->time_limit > 0 && ls_run_wall(r) >= o->time_limit) return LS_STOP_TIME;
  if (o->patience && r->stale >= o->patience) return LS_STOP_PATIENCE;
  return LS_STOP_NONE;
}

