/* ls_train: runs the list of phases (the first phase, then the polishing list; phases.c)
 * on the objective; the bookkeeping (best point, per-phase record, log-spaced trajectory)
 * is in run.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/core.h"
#include "phase.h"
#include "shallow.h"

/* The first phase of opts as a phase kind. */
static ls_phase_kind first_phase(const ls_train_opts *o) {
  return o->first == LS_FIRST_GD     ? LS_PHASE_GD
         : o->first == LS_FIRST_ADAM ? LS_PHASE_ADAM
         : o->first == LS_FIRST_FLOW ? LS_PHASE_FLOW
                                     : LS_PHASE_NONE;
}

/* The whole run: the first phase (if any), then the polishing list. */
static void run_list(const ls_train_opts *o, const ls_phase_list *polish, ls_phase_list *out) {
  memset(out, 0, sizeof *out);
  if (o->first != LS_FIRST_NONE) out->k[out->n++] = first_phase(o);
  for (int i = 0; i < polish->n && out->n < LS_PHASE_LIST_MAX + 1; i++) out->k[out->n++] = polish->k[i];
}

/* Runs phase d from the best point so far; fills res->phase[r->phase]. A Newton phase
 * that ends the run in critical mode ranks points by gradient, afresh. */
static ls_stop_reason run_phase(ls_run *r, double *theta, const ls_phase_desc *d, int followed) {
  ls_phase_result *ph = &r->res->phase[r->phase];
  double t_start = ls_run_wall(r);
  r->phase_iter = 0;
  r->stale = 0;
  snprintf(ph->name, sizeof ph->name, "%s", d->name);
  if (isfinite(r->best_f)) memcpy(theta, r->best, r->P * sizeof(double));
  r->rank_by_grad = d->kind == LS_PHASE_NEWTON && !followed && r->opt->newton_critical;
  if (r->rank_by_grad) r->best_g = INFINITY, r->best_f = INFINITY;
  ls_stop_reason s = d->run(r, theta, followed);
  ph->stop = s;
  ph->wall = ls_run_wall(r) - t_start;
  ph->iters = r->phase_iter;
  ph->loss = r->best_f;
  ph->grad_norm = r->best_g;
  ls_run_sample_best(r);
  ls_run_report(r, 1);
  return s;
}

/* Runs the phases of list in order: each after the first runs when the previous one
 * handed over (its descriptor's hands_on) and a finite point exists. Returns the last
 * phase's stop reason. */
static ls_stop_reason run_pipeline(ls_run *r, double *theta, const ls_phase_list *list) {
  ls_stop_reason s = LS_STOP_NONE;
  for (int i = 0; i < list->n; i++) {
    const ls_phase_desc *d = ls_phase_get(list->k[i]);
    if (i > 0) {
      const ls_phase_desc *prev = ls_phase_get(list->k[i - 1]);
      if (!(prev->hands_on & (1u << s)) || !isfinite(r->best_f)) break;
    }
    s = run_phase(r, theta, d, i + 1 < list->n);
    r->phase++;
  }
  return s;
}

static int has_phase(const ls_phase_list *l, ls_phase_kind k) {
  for (int i = 0; i < l->n; i++)
    if (l->k[i] == k) return 1;
  return 0;
}

/* Auto on a small shallow network: first a Levenberg-Marquardt attempt from an earlier
 * hand-over (first phase to max(lm_switch_tol, switch_grad_tol), then lm-shallow). Returns
 * 1 when the attempt decided the run (converged, or cut short), 0 when the standard
 * pipeline must start again from the initial point as if the attempt had not been made. */
static int lm_attempt(ls_run *r, double *theta, int standard_len, ls_stop_reason *s) {
  const ls_train_opts *o = r->opt;
  double *init = malloc(r->P * sizeof(double));
  if (!init) return 0;
  memcpy(init, theta, r->P * sizeof(double));
  ls_phase_list polish = {1, {LS_PHASE_LM_SHALLOW}}, list;
  run_list(o, &polish, &list);
  r->switch_tol = fmax(o->lm_switch_tol, o->switch_grad_tol);
  r->lm_attempt = 1;
  *s = run_pipeline(r, theta, &list);
  r->lm_attempt = 0;
  r->switch_tol = o->switch_grad_tol;
  int decided = *s == LS_STOP_GRAD || *s == LS_STOP_LOSS || *s == LS_STOP_TIME ||
                *s == LS_STOP_USER ||
                r->phase + standard_len > (int)(sizeof r->res->phase / sizeof r->res->phase[0]);
  if (!decided) {
    memcpy(theta, init, r->P * sizeof(double));
    r->best_f = r->best_g = INFINITY; /* the attempt is discarded */
    r->res->message[0] = 0;
  }
  free(init);
  return decided;
}

/* Allocates the run's state; LS_ERR_INPUT for a non-finite initial point. */
static ls_status run_init(ls_run *r, const ls_net *net, const ls_data *data, const double *theta,
                          const ls_train_opts *opts, ls_train_result *res, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_status st = ls_objective_init(&r->obj, net, data, &opts->penalty, err);
  if (st != LS_OK) return st;
  r->opt = opts;
  r->res = res;
  r->P = r->obj.P;
  r->best = malloc(r->P * sizeof(double));
  if (!r->best) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", r->P);
  for (size_t i = 0; i < r->P && st == LS_OK; i++)
    if (!isfinite(theta[i]))
      st = ls_error_set(err, LS_ERR_INPUT, "initial parameter %zu is not finite", i);
  if (st != LS_OK) {
    free(r->best);
    ls_objective_free(&r->obj);
    return st;
  }
  r->best_f = r->best_g = INFINITY;
  r->t0 = ls_clock_seconds();
  r->next_mark = 0;
  return LS_OK;
}

/* The result's totals and the returned point (theta untouched when nothing was finite). */
static void run_finish(ls_run *r, double *theta, ls_stop_reason s, double cpu0) {
  ls_train_result *res = r->res;
  res->n_phases = r->phase;
  res->stop = s;
  res->wall = ls_run_wall(r);
  res->cpu = ls_clock_cpu_seconds() - cpu0;
  for (int i = 0; i < res->n_phases; i++) res->iters += res->phase[i].iters;
  if (isfinite(r->best_f)) {
    memcpy(theta, r->best, r->P * sizeof(double));
    res->loss = r->best_f, res->grad_norm = r->best_g;
  } else {
    res->loss = res->grad_norm = NAN;
    if (!res->message[0])
      snprintf(res->message, sizeof res->message, "no finite objective value was reached");
  }
  free(r->best);
  ls_objective_free(&r->obj);
}

/* Refuses, before any work, a run whose peak memory (ls_train_bytes) is more than the
 * machine has available. */
static ls_status fits_memory(const ls_train_opts *o, const ls_net *net, size_t n, ls_error *err) {
  const char *peak;
  double need = ls_train_bytes(o, net, n, &peak), avail = ls_mem_available();
  if (need <= avail) return LS_OK;
  return ls_error_set(err, LS_ERR_INPUT,
                      "training %zu parameters on %zu samples needs %.1f GiB at its peak (phase "
                      "%s), more than the %.1f GiB this machine has available; Newton on "
                      "Hessian-vector products (newton_hessian \"hvp\") and lbfgs need O(P)",
                      ls_net_nparams(net), n, need / 1073741824.0, peak, avail / 1073741824.0);
}

ls_status ls_train(const ls_net *net, const ls_data *data, double *theta,
                   const ls_train_opts *opts, ls_train_result *res, ls_error *err) {
  memset(res, 0, sizeof *res);
  ls_status st = ls_train_opts_validate(opts, net, err);
  if (st != LS_OK) return st;
  if ((st = fits_memory(opts, net, data->n, err)) != LS_OK) return st;
  ls_run r;
  if ((st = run_init(&r, net, data, theta, opts, res, err)) != LS_OK) return st;
  double cpu0 = ls_clock_cpu_seconds();
  ls_phase_list polish, list;
  ls_polish_phases(opts, r.P, &polish);
  if (has_phase(&polish, LS_PHASE_LM_SHALLOW) && !ls_shallow_applies(&r.obj)) {
    free(r.best);
    ls_objective_free(&r.obj);
    return ls_error_set(err, LS_ERR_INPUT,
                        "polish lm-shallow needs one hidden layer, one output, the mse loss and no penalty");
  }
  run_list(opts, &polish, &list);
  r.switch_tol = polish.n > 0 ? opts->switch_grad_tol : 0;
  ls_stop_reason s = LS_STOP_NONE;
  int decided = 0;
  if (opts->polish == LS_POLISH_AUTO && opts->polish_list.n == 0 && polish.n == 2 &&
      polish.k[0] == LS_PHASE_LBFGS && opts->lm_max_iter > 0 && ls_shallow_applies(&r.obj))
    decided = lm_attempt(&r, theta, list.n, &s);
  if (!decided) s = run_pipeline(&r, theta, &list);
  run_finish(&r, theta, s, cpu0);
  return LS_OK;
}
