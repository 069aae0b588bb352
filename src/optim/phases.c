/* The table of training phases: name, the stop reasons after which the next phase takes
 * over, and the entry point with the options each phase reads. */
#include <stdio.h>
#include <string.h>

#include "phase.h"

#define BIT(s) (1u << (s))
/* a first-order phase hands over to polishing unless it converged or the run was cut short */
#define FIRST_HANDS_ON                                                                      \
  (BIT(LS_STOP_NONE) | BIT(LS_STOP_SWITCH) | BIT(LS_STOP_ITERS) | BIT(LS_STOP_PATIENCE) |   \
   BIT(LS_STOP_FLOWTIME) | BIT(LS_STOP_STALL) | BIT(LS_STOP_NAN) | BIT(LS_STOP_FAIL))
/* slsqp, lbfgs, lm: the next phase finishes what they left (switch, stall, budget, failure) */
#define POLISH_HANDS_ON \
  (BIT(LS_STOP_SWITCH) | BIT(LS_STOP_STALL) | BIT(LS_STOP_ITERS) | BIT(LS_STOP_FAIL))
/* newton: the next phase (lm: residuals from ~1e-11 to the rounding level) runs unless the
 * run was cut short */
#define NEWTON_HANDS_ON (~(BIT(LS_STOP_TIME) | BIT(LS_STOP_USER) | BIT(LS_STOP_NAN)))

static ls_stop_reason run_gd(ls_run *r, double *theta, int followed) {
  (void)followed;
  return ls_first_order_run(r, theta, 0);
}

static ls_stop_reason run_adam(ls_run *r, double *theta, int followed) {
  (void)followed;
  return ls_first_order_run(r, theta, 1);
}

static ls_stop_reason run_flow(ls_run *r, double *theta, int followed) {
  (void)followed;
  return ls_flow_run(r, theta);
}

static ls_stop_reason run_newton(ls_run *r, double *theta, int followed) {
  (void)followed;
  return ls_newton_run(r, theta);
}

static ls_stop_reason run_slsqp(ls_run *r, double *theta, int followed) {
  return ls_nlopt_run(r, theta, 0, 0, followed ? r->opt->newton_switch_tol : 0);
}

/* lbfgs before Newton runs on small networks (auto: P <= auto_newton_max): a long memory
 * there is cheap beside a gradient and walks curved valleys in fewer steps (thesis
 * problem, 20 seeds: median 465 iterations with 20 vectors, 297 with 100, and 19 seeds
 * converged instead of 17); alone it keeps 20 */
static ls_stop_reason run_lbfgs(ls_run *r, double *theta, int followed) {
  return ls_nlopt_run(r, theta, 1, followed ? 100 : 20, followed ? r->opt->newton_switch_tol : 0);
}

static ls_stop_reason run_lm(ls_run *r, double *theta, int followed) {
  return ls_lm_run(r, theta, followed);
}

/* auto's attempt: lm_max_iter iterations within lm_drift; otherwise polish_maxiter */
static ls_stop_reason run_lm_shallow(ls_run *r, double *theta, int followed) {
  (void)followed;
  return r->lm_attempt ? ls_lm_shallow_run(r, theta, r->opt->lm_max_iter, r->opt->lm_drift)
                       : ls_lm_shallow_run(r, theta, r->opt->polish_maxiter, 0);
}

static const ls_phase_desc phase_table[] = {
    {LS_PHASE_GD, "gd", 0, FIRST_HANDS_ON, run_gd},
    {LS_PHASE_ADAM, "adam", 0, FIRST_HANDS_ON, run_adam},
    {LS_PHASE_FLOW, "flow", 0, FIRST_HANDS_ON, run_flow},
    {LS_PHASE_NEWTON, "newton", 1, NEWTON_HANDS_ON, run_newton},
    {LS_PHASE_SLSQP, "slsqp", 1, POLISH_HANDS_ON, run_slsqp},
    {LS_PHASE_LBFGS, "lbfgs", 1, POLISH_HANDS_ON, run_lbfgs},
    {LS_PHASE_LM, "lm", 1, POLISH_HANDS_ON, run_lm},
    {LS_PHASE_LM_SHALLOW, "lm-shallow", 1, POLISH_HANDS_ON, run_lm_shallow},
};
#define N_PHASES (sizeof phase_table / sizeof phase_table[0])

const ls_phase_desc *ls_phase_get(ls_phase_kind k) {
  for (size_t i = 0; i < N_PHASES; i++)
    if (phase_table[i].kind == k) return &phase_table[i];
  return NULL;
}

const char *ls_phase_name(ls_phase_kind k) {
  const ls_phase_desc *d = ls_phase_get(k);
  return d ? d->name : k == LS_PHASE_NONE ? "none" : "?";
}

ls_status ls_phase_list_parse(const char *s, ls_phase_list *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  const char *p = s;
  while (*p) {
    size_t len = strcspn(p, "+");
    const ls_phase_desc *d = NULL;
    for (size_t i = 0; i < N_PHASES && !d; i++)
      if (phase_table[i].polish && strlen(phase_table[i].name) == len &&
          !strncmp(phase_table[i].name, p, len))
        d = &phase_table[i];
    if (!d)
      return ls_error_set(err, LS_ERR_INPUT,
                          "unknown polishing phase '%.*s' in '%s' (newton, slsqp, lbfgs, lm, "
                          "lm-shallow, joined by '+')", (int)len, p, s);
    if (out->n == LS_PHASE_LIST_MAX)
      return ls_error_set(err, LS_ERR_INPUT, "polish '%s': at most %d phases", s,
                          LS_PHASE_LIST_MAX);
    out->k[out->n++] = d->kind;
    p += len;
    if (*p == '+' && !*++p) break;
  }
  if (out->n == 0 || p[-1] == '+')
    return ls_error_set(err, LS_ERR_INPUT, "polish '%s': empty phase list", s);
  return LS_OK;
}

/* The list each polishing kind stands for (auto excluded: it depends on P). */
static void kind_list(ls_polish_kind k, ls_phase_list *l) {
  static const struct {
    ls_polish_kind kind;
    int n;
    ls_phase_kind k[2];
  } lists[] = {
      {LS_POLISH_NEWTON, 1, {LS_PHASE_NEWTON}},
      {LS_POLISH_SLSQP, 1, {LS_PHASE_SLSQP}},
      {LS_POLISH_LBFGS, 1, {LS_PHASE_LBFGS}},
      {LS_POLISH_SLSQP_NEWTON, 2, {LS_PHASE_SLSQP, LS_PHASE_NEWTON}},
      {LS_POLISH_LBFGS_NEWTON, 2, {LS_PHASE_LBFGS, LS_PHASE_NEWTON}},
      {LS_POLISH_LM, 1, {LS_PHASE_LM}},
      {LS_POLISH_LM_NEWTON, 2, {LS_PHASE_LM, LS_PHASE_NEWTON}},
      {LS_POLISH_NEWTON_LM, 2, {LS_PHASE_NEWTON, LS_PHASE_LM}},
      {LS_POLISH_LM_SHALLOW, 1, {LS_PHASE_LM_SHALLOW}},
  };
  memset(l, 0, sizeof *l);
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
    if (lists[i].kind == k) {
      l->n = lists[i].n;
      for (int j = 0; j < l->n; j++) l->k[j] = lists[i].k[j];
    }
}

void ls_polish_phases(const ls_train_opts *o, size_t P, ls_phase_list *out) {
  if (o->polish_list.n > 0) {
    *out = o->polish_list;
    return;
  }
  ls_polish_kind k = o->polish;
  if (k == LS_POLISH_AUTO) /* small P: lbfgs+newton (newton alone in critical mode) */
    k = P <= o->auto_newton_max ? (o->newton_critical ? LS_POLISH_NEWTON : LS_POLISH_LBFGS_NEWTON)
        : P <= o->auto_slsqp_max ? LS_POLISH_SLSQP
                                 : LS_POLISH_LBFGS;
  kind_list(k, out);
}
