/* ls_train: runs the first phase then the polishing phase on the objective, keeps the best
 * point, the per-phase record and a log-spaced trajectory. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/core.h"
#include "run.h"
#include "shallow.h"

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

static void report(ls_run *r, int force) {
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
  report(r, 0);
  if (r->res->stop == LS_STOP_USER) return LS_STOP_USER;
  if (g < o->grad_tol && !r->ignore_grad_tol) return LS_STOP_GRAD;
  if (!r->rank_by_grad && f <= o->loss_tol) return LS_STOP_LOSS;
  if (o->time_limit > 0 && ls_run_wall(r) >= o->time_limit) return LS_STOP_TIME;
  if (o->patience && r->stale >= o->patience) return LS_STOP_PATIENCE;
  return LS_STOP_NONE;
}

/* the two-stage kinds: an NLopt stage, then Newton */
static int polish_chained(ls_polish_kind k) {
  return k == LS_POLISH_SLSQP_NEWTON || k == LS_POLISH_LBFGS_NEWTON || k == LS_POLISH_LM_NEWTON;
}

static ls_polish_kind polish_choice(const ls_train_opts *o, size_t P) {
  if (o->polish != LS_POLISH_AUTO) return o->polish;
  if (P <= o->auto_newton_max) return o->newton_critical ? LS_POLISH_NEWTON : LS_POLISH_LBFGS_NEWTON;
  if (P <= o->auto_slsqp_max) return LS_POLISH_SLSQP;
  return LS_POLISH_LBFGS;
}

/* Runs one phase from the best point so far; fills res->phase[r->phase]. */
static ls_stop_reason run_phase(ls_run *r, double *theta, int first, ls_polish_kind pk) {
  ls_phase_result *ph = &r->res->phase[r->phase];
  double t_start = ls_run_wall(r);
  r->phase_iter = 0;
  r->stale = 0;
  ls_stop_reason s = LS_STOP_NONE;
  if (first) {
    snprintf(ph->name, sizeof ph->name, "%s", ls_first_name(r->opt->first));
    s = r->opt->first == LS_FIRST_FLOW ? ls_flow_run(r, theta) : ls_first_order_run(r, theta);
  } else {
    snprintf(ph->name, sizeof ph->name, "%s", pk == LS_POLISH_SLSQP_NEWTON ? "slsqp"
             : pk == LS_POLISH_LBFGS_NEWTON ? "lbfgs"
             : pk == LS_POLISH_LM_NEWTON ? "lm"
             : pk == LS_POLISH_NEWTON_LM ? "newton" : ls_polish_name(pk));
    if (isfinite(r->best_f)) memcpy(theta, r->best, r->P * sizeof(double));
    r->rank_by_grad = pk == LS_POLISH_NEWTON && r->opt->newton_critical;
    if (r->rank_by_grad) r->best_g = INFINITY, r->best_f = INFINITY; /* rank afresh by gradient */
    if (pk == LS_POLISH_NEWTON || pk == LS_POLISH_NEWTON_LM) s = ls_newton_run(r, theta);
    else if (pk == LS_POLISH_LM || pk == LS_POLISH_LM_NEWTON)
      s = ls_lm_run(r, theta, pk == LS_POLISH_LM_NEWTON);
    else if (pk == LS_POLISH_LM_SHALLOW)
      s = r->lm_attempt ? ls_lm_shallow_run(r, theta, r->opt->lm_max_iter, r->opt->lm_drift)
                        : ls_lm_shallow_run(r, theta, r->opt->polish_maxiter, 0);
    else s = ls_nlopt_run(r, theta, pk, polish_chained(pk) ? r->opt->newton_switch_tol : 0);
  }
  ph->stop = s;
  ph->wall = ls_run_wall(r) - t_start;
  ph->iters = r->phase_iter;
  ph->loss = r->best_f;
  ph->grad_norm = r->best_g;
  ls_run_sample_best(r);
  report(r, 1);
  return s;
}

/* The first phase (if any), then polishing with pk; the two-stage kinds end with Newton.
 * Returns the last phase's stop reason. */
static ls_stop_reason run_pipeline(ls_run *r, double *theta, ls_polish_kind pk) {
  const ls_train_opts *opts = r->opt;
  int phase0 = r->phase;
  ls_stop_reason s = LS_STOP_NONE;
  if (opts->first != LS_FIRST_NONE) {
    s = run_phase(r, theta, 1, LS_POLISH_NONE);
    r->phase++;
  }
  int go_on = s == LS_STOP_NONE || s == LS_STOP_SWITCH || s == LS_STOP_ITERS ||
              s == LS_STOP_PATIENCE || s == LS_STOP_FLOWTIME || s == LS_STOP_STALL ||
              s == LS_STOP_NAN || s == LS_STOP_FAIL;
  if (opts->polish != LS_POLISH_NONE && go_on &&
      (isfinite(r->best_f) || opts->first == LS_FIRST_NONE)) {
    s = run_phase(r, theta, 0, pk);
    r->phase++;
  }
  /* slsqp/lbfgs+newton: Newton finishes whatever NLopt left (switch, stall, budget) */
  if (opts->polish != LS_POLISH_NONE && polish_chained(pk) &&
      r->phase == phase0 + (opts->first != LS_FIRST_NONE ? 2 : 1) &&
      (s == LS_STOP_SWITCH || s == LS_STOP_STALL || s == LS_STOP_ITERS || s == LS_STOP_FAIL) &&
      isfinite(r->best_f)) {
    s = run_phase(r, theta, 0, LS_POLISH_NEWTON);
    r->phase++;
  }
  /* newton+lm: LM finishes from Newton's point unless the run was cut short */
  if (pk == LS_POLISH_NEWTON_LM && r->phase == phase0 + (opts->first != LS_FIRST_NONE ? 2 : 1) &&
      s != LS_STOP_TIME && s != LS_STOP_USER && s != LS_STOP_NAN && isfinite(r->best_f)) {
    s = run_phase(r, theta, 0, LS_POLISH_LM);
    r->phase++;
  }
  return s;
}

ls_status ls_train(const ls_net *net, const ls_data *data, double *theta,
                   const ls_train_opts *opts, ls_train_result *res, ls_error *err) {
  memset(res, 0, sizeof *res);
  ls_status st = ls_train_opts_validate(opts, net, err);
  if (st != LS_OK) return st;
  ls_run r;
  memset(&r, 0, sizeof r);
  st = ls_objective_init(&r.obj, net, data, &opts->penalty, err);
  if (st != LS_OK) return st;
  r.opt = opts;
  r.res = res;
  r.P = r.obj.P;
  r.best = malloc(r.P * sizeof(double));
  if (!r.best) {
    ls_objective_free(&r.obj);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", r.P);
  }
  r.best_f = r.best_g = INFINITY;
  r.t0 = ls_clock_seconds();
  double cpu0 = ls_clock_cpu_seconds();
  r.next_mark = 0;
  for (size_t i = 0; i < r.P; i++)
    if (!isfinite(theta[i])) {
      free(r.best);
      ls_objective_free(&r.obj);
      return ls_error_set(err, LS_ERR_INPUT, "initial parameter %zu is not finite", i);
    }

  ls_polish_kind pk = polish_choice(opts, r.P);
  ls_stop_reason s = LS_STOP_NONE;
  if (pk == LS_POLISH_LM_SHALLOW && !ls_shallow_applies(&r.obj)) {
    free(r.best);
    ls_objective_free(&r.obj);
    return ls_error_set(err, LS_ERR_INPUT,
                        "polish lm-shallow needs one hidden layer, one output, the mse loss and no penalty");
  }
  r.switch_tol = opts->polish != LS_POLISH_NONE ? opts->switch_grad_tol : 0;
  /* auto on a small shallow network: first a Levenberg-Marquardt attempt from an earlier
   * hand-over; when it does not converge, the standard pipeline from the initial point */
  double *init = NULL;
  if (opts->polish == LS_POLISH_AUTO && pk == LS_POLISH_LBFGS_NEWTON && opts->lm_max_iter > 0 &&
      ls_shallow_applies(&r.obj) && (init = malloc(r.P * sizeof(double)))) {
    memcpy(init, theta, r.P * sizeof(double));
    r.switch_tol = fmax(opts->lm_switch_tol, opts->switch_grad_tol);
    r.lm_attempt = 1;
    s = run_pipeline(&r, theta, LS_POLISH_LM_SHALLOW);
    r.lm_attempt = 0;
    r.switch_tol = opts->switch_grad_tol;
    if (s == LS_STOP_GRAD || s == LS_STOP_LOSS || s == LS_STOP_TIME || s == LS_STOP_USER ||
        r.phase + 3 > (int)(sizeof res->phase / sizeof res->phase[0])) {
      free(init);
      init = NULL;
    } else {
      memcpy(theta, init, r.P * sizeof(double));
      r.best_f = r.best_g = INFINITY; /* the attempt is discarded */
      r.res->message[0] = 0;
    }
  }
  if (init || r.phase == 0) s = run_pipeline(&r, theta, pk);
  free(init);
  res->n_phases = r.phase;
  res->stop = s;
  res->wall = ls_run_wall(&r);
  res->cpu = ls_clock_cpu_seconds() - cpu0;
  for (int i = 0; i < res->n_phases; i++) res->iters += res->phase[i].iters;
  if (isfinite(r.best_f)) {
    memcpy(theta, r.best, r.P * sizeof(double));
    res->loss = r.best_f, res->grad_norm = r.best_g;
  } else {
    /* nothing finite was ever seen: leave theta as the caller gave it */
    res->loss = res->grad_norm = NAN;
    if (!res->message[0])
      snprintf(res->message, sizeof res->message, "no finite objective value was reached");
  }
  free(r.best);
  ls_objective_free(&r.obj);
  return LS_OK;
}
