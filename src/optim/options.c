/* Training options: defaults, validation, names. */
#include <math.h>
#include <string.h>

#include "landsym/optim.h"

void ls_train_opts_default(ls_train_opts *o) {
  memset(o, 0, sizeof *o);
  o->first = LS_FIRST_ADAM;
  o->polish = LS_POLISH_AUTO;
  o->lr = 1e-3;
  o->beta1 = 0.9, o->beta2 = 0.999, o->eps = 1e-8; /* Kingma & Ba; thesis section 3.4 */
  o->first_maxiter = 100000;
  o->switch_grad_tol = 1e-6;
  o->flow_rtol = 1e-8, o->flow_atol = 1e-10;
  o->flow_tmax = 1e12;
  o->dense_max_params = 2000;
  o->polish_maxiter = 1000;
  o->auto_newton_max = 1500;
  o->auto_slsqp_max = 4000;
  o->newton_switch_tol = 1e-9;
  o->lm_switch_tol = 1e-2;
  o->lm_max_iter = 200;
  o->lm_drift = 4;
  o->grad_tol = 1e-15;
  o->traj_per_decade = 20;
  o->traj_params = 1;
  o->progress_interval = 0.25;
}

void ls_train_opts_polish(ls_train_opts *o, ls_polish_kind kind, size_t maxiter, double grad_tol) {
  ls_train_opts_default(o);
  o->first = LS_FIRST_NONE;
  o->polish = kind;
  o->polish_maxiter = maxiter;
  o->grad_tol = grad_tol;
  o->traj_per_decade = 0;
}

/* 1 when the polishing includes Levenberg-Marquardt on the residuals (lm). */
static int uses_lm(const ls_train_opts *o) {
  ls_phase_list l;
  if (o->polish == LS_POLISH_AUTO && o->polish_list.n == 0) return 0;
  ls_polish_phases(o, 0, &l);
  for (int i = 0; i < l.n; i++)
    if (l.k[i] == LS_PHASE_LM) return 1;
  return 0;
}

static ls_status list_validate(const ls_phase_list *l, ls_error *err) {
  if (l->n < 0 || l->n > LS_PHASE_LIST_MAX)
    return ls_error_set(err, LS_ERR_INPUT, "a polishing list holds 0 to %d phases", LS_PHASE_LIST_MAX);
  for (int i = 0; i < l->n; i++)
    if (l->k[i] < LS_PHASE_NEWTON || l->k[i] > LS_PHASE_LM_SHALLOW)
      return ls_error_set(err, LS_ERR_INPUT, "polishing phase %d is not one of newton, slsqp, "
                          "lbfgs, lm, lm-shallow", i + 1);
  return LS_OK;
}

static int pos_finite(double x) { return x > 0 && isfinite(x); }

ls_status ls_train_opts_validate(const ls_train_opts *o, const ls_net *net, ls_error *err) {
  if ((unsigned)o->first > LS_FIRST_FLOW) return ls_error_set(err, LS_ERR_INPUT, "unknown first-phase method");
  if ((unsigned)o->polish > LS_POLISH_LM_SHALLOW) return ls_error_set(err, LS_ERR_INPUT, "unknown polishing method");
  if ((unsigned)o->flow_linsol > LS_LINSOL_SPGMR) return ls_error_set(err, LS_ERR_INPUT, "unknown linear solver");
  if ((unsigned)o->newton_hessian > LS_HESSIAN_HVP) return ls_error_set(err, LS_ERR_INPUT, "unknown newton_hessian");
  if (list_validate(&o->polish_list, err) != LS_OK) return LS_ERR_INPUT;
  if (o->first == LS_FIRST_NONE && o->polish == LS_POLISH_NONE && o->polish_list.n == 0)
    return ls_error_set(err, LS_ERR_INPUT, "method 'none' with polish 'none': nothing to do");
  if (!pos_finite(o->lr)) return ls_error_set(err, LS_ERR_INPUT, "lr must be > 0 (got %g)", o->lr);
  if (!(o->beta1 >= 0 && o->beta1 < 1)) return ls_error_set(err, LS_ERR_INPUT, "beta1 must be in [0,1) (got %g)", o->beta1);
  if (!(o->beta2 >= 0 && o->beta2 < 1)) return ls_error_set(err, LS_ERR_INPUT, "beta2 must be in [0,1) (got %g)", o->beta2);
  if (!pos_finite(o->eps)) return ls_error_set(err, LS_ERR_INPUT, "eps must be > 0 (got %g)", o->eps);
  if (!(o->switch_grad_tol >= 0) || !isfinite(o->switch_grad_tol))
    return ls_error_set(err, LS_ERR_INPUT, "switch_grad_tol must be >= 0 (got %g)", o->switch_grad_tol);
  if (!pos_finite(o->flow_rtol) || !pos_finite(o->flow_atol))
    return ls_error_set(err, LS_ERR_INPUT, "flow rtol and atol must be > 0 (got %g, %g)", o->flow_rtol, o->flow_atol);
  if (!pos_finite(o->flow_tmax)) return ls_error_set(err, LS_ERR_INPUT, "flow_tmax must be > 0 (got %g)", o->flow_tmax);
  if (!(o->grad_tol >= 0) || !isfinite(o->grad_tol))
    return ls_error_set(err, LS_ERR_INPUT, "grad_tol must be >= 0 (got %g)", o->grad_tol);
  if (!(o->loss_tol >= 0) || !isfinite(o->loss_tol))
    return ls_error_set(err, LS_ERR_INPUT, "loss_tol must be >= 0 (got %g)", o->loss_tol);
  if (!(o->time_limit >= 0) || !isfinite(o->time_limit))
    return ls_error_set(err, LS_ERR_INPUT, "time_limit must be >= 0 seconds (got %g)", o->time_limit);
  if (!(o->newton_switch_tol >= 0) || !isfinite(o->newton_switch_tol))
    return ls_error_set(err, LS_ERR_INPUT, "newton_switch_tol must be >= 0 (got %g)", o->newton_switch_tol);
  if (!(o->lm_switch_tol >= 0) || !isfinite(o->lm_switch_tol))
    return ls_error_set(err, LS_ERR_INPUT, "lm_switch_tol must be >= 0 (got %g)", o->lm_switch_tol);
  if (!(o->lm_drift >= 0) || !isfinite(o->lm_drift))
    return ls_error_set(err, LS_ERR_INPUT, "lm_drift must be >= 0 (got %g)", o->lm_drift);
  if (!(o->progress_interval >= 0)) return ls_error_set(err, LS_ERR_INPUT, "progress_interval must be >= 0");
  if (o->first != LS_FIRST_NONE && o->first_maxiter == 0)
    return ls_error_set(err, LS_ERR_INPUT, "max_iter of the first phase must be >= 1");
  if (o->polish != LS_POLISH_NONE && o->polish_maxiter == 0)
    return ls_error_set(err, LS_ERR_INPUT, "polish_max_iter must be >= 1");
  if (net) {
    if (o->batch && o->first == LS_FIRST_FLOW)
      return ls_error_set(err, LS_ERR_INPUT, "minibatches apply to gd and adam, not to the gradient flow");
    ls_status s = ls_penalty_validate(&o->penalty, net, err);
    if (s != LS_OK) return s;
    if (uses_lm(o)) {
      const ls_penalty *p = &o->penalty;
      const char *name = o->polish_list.n ? "lm" : ls_polish_name(o->polish);
      if (net->loss != LS_LOSS_MSE)
        return ls_error_set(err, LS_ERR_INPUT, "polish '%s' needs the MSE loss", name);
      if ((p->max_norm > 0 && p->barrier > 0) || p->merge_lambda != 0)
        return ls_error_set(err, LS_ERR_INPUT, "polish '%s' works on the loss alone: no max_norm or merge penalty",
                            name);
      if (o->newton_critical)
        return ls_error_set(err, LS_ERR_INPUT, "polish '%s' minimises; critical mode needs 'newton'",
                            name);
    }
  }
  return LS_OK;
}

static const char *first_names[] = {"none", "gd", "adam", "flow"};
static const char *polish_names[] = {"none",  "auto",         "newton",       "slsqp", "lbfgs",
                                     "slsqp+newton", "lbfgs+newton", "lm",    "lm+newton",    "newton+lm",
                                     "lm-shallow"};
static const char *linsol_names[] = {"auto", "dense", "spgmr"};
static const char *hessian_names[] = {"auto", "dense", "hvp"};
static const char *stop_names[] = {"none",     "grad_tol", "loss_tol", "switch",
                                   "max_iter", "time_limit", "flow_tmax", "patience",
                                   "stalled",  "nan",      "user",     "solver_failed"};

static int lookup(const char *s, const char **names, int n) {
  for (int i = 0; i < n; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

ls_status ls_first_parse(const char *s, ls_first_kind *out, ls_error *err) {
  int i = lookup(s, first_names, 4);
  if (i < 0) return ls_error_set(err, LS_ERR_INPUT, "unknown method '%s' (none, gd, adam, flow)", s);
  *out = (ls_first_kind)i;
  return LS_OK;
}

ls_status ls_polish_parse(const char *s, ls_polish_kind *out, ls_error *err) {
  int i = lookup(s, polish_names, (int)(sizeof polish_names / sizeof *polish_names));
  if (i < 0)
    return ls_error_set(err, LS_ERR_INPUT,
                        "unknown polish '%s' (none, auto, newton, slsqp, lbfgs, slsqp+newton, "
                        "lbfgs+newton, lm, lm+newton, newton+lm, lm-shallow)", s);
  *out = (ls_polish_kind)i;
  return LS_OK;
}

ls_status ls_linsol_parse(const char *s, ls_linsol_kind *out, ls_error *err) {
  int i = lookup(s, linsol_names, 3);
  if (i < 0) return ls_error_set(err, LS_ERR_INPUT, "unknown linear solver '%s' (auto, dense, spgmr)", s);
  *out = (ls_linsol_kind)i;
  return LS_OK;
}

ls_status ls_hessian_kind_parse(const char *s, ls_hessian_kind *out, ls_error *err) {
  int i = lookup(s, hessian_names, 3);
  if (i < 0) return ls_error_set(err, LS_ERR_INPUT, "unknown newton_hessian '%s' (auto, dense, hvp)", s);
  *out = (ls_hessian_kind)i;
  return LS_OK;
}

const char *ls_first_name(ls_first_kind k) { return (unsigned)k <= LS_FIRST_FLOW ? first_names[k] : "?"; }
const char *ls_polish_name(ls_polish_kind k) { return (unsigned)k <= LS_POLISH_LM_SHALLOW ? polish_names[k] : "?"; }
const char *ls_linsol_name(ls_linsol_kind k) { return (unsigned)k <= LS_LINSOL_SPGMR ? linsol_names[k] : "?"; }
const char *ls_hessian_kind_name(ls_hessian_kind k) { return (unsigned)k <= LS_HESSIAN_HVP ? hessian_names[k] : "?"; }
const char *ls_stop_name(ls_stop_reason r) { return (unsigned)r <= LS_STOP_FAIL ? stop_names[r] : "?"; }
