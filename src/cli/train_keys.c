/* The "train" section of a config and the flags that override it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/train_keys.h"

const train_key train_keys[] = {
    {"preset", TK_STRING, "thesis: Adam lr 1e-4 full batch, 10^7 steps, then SLSQP (thesis 6.2.1)"},
    {"method", TK_STRING, "first phase: none, gd, adam, flow (adam)"},
    {"polish", TK_STRING, "second phase: none, auto, newton, slsqp, lbfgs, slsqp+newton, lbfgs+newton, lm, lm+newton, newton+lm, lm-shallow (auto)"},
    {"critical", TK_BOOL, "Newton converges to the nearest critical point, saddles too (false)"},
    {"lr", TK_DOUBLE, "learning rate of gd and adam (1e-3)"},
    {"beta1", TK_DOUBLE, "Adam beta1 (0.9)"},
    {"beta2", TK_DOUBLE, "Adam beta2 (0.999)"},
    {"eps", TK_DOUBLE, "Adam epsilon (1e-8)"},
    {"batch", TK_COUNT, "minibatch size for gd and adam, 0 = full batch (0)"},
    {"max_iter", TK_COUNT, "iterations of the first phase (100000)"},
    {"switch_grad_tol", TK_DOUBLE, "first phase hands over to polishing below this gradient (1e-6)"},
    {"rtol", TK_DOUBLE, "gradient flow relative tolerance (1e-8)"},
    {"atol", TK_DOUBLE, "gradient flow absolute tolerance (1e-10)"},
    {"tmax", TK_DOUBLE, "gradient flow final time (1e12)"},
    {"linsol", TK_STRING, "gradient flow linear solver: auto, dense, spgmr (auto)"},
    {"polish_max_iter", TK_COUNT, "Newton iterations / 100x NLopt evaluations (1000)"},
    {"newton_max_params", TK_COUNT, "auto polish is lbfgs+newton up to this many parameters (1500)"},
    {"newton_switch_tol", TK_DOUBLE, "slsqp/lbfgs+newton hand over to Newton below this gradient (1e-9)"},
    {"lm_switch_tol", TK_DOUBLE, "auto: the first phase hands over to lm-shallow below this gradient (1e-2)"},
    {"lm_max_iter", TK_COUNT, "auto: lm-shallow iterations before the standard pipeline takes over, 0 = none (200)"},
    {"grad_tol", TK_DOUBLE, "stop when the gradient infinity-norm is below this (1e-15)"},
    {"loss_tol", TK_DOUBLE, "stop when the loss is at or below this (0: off)"},
    {"time_limit", TK_DOUBLE, "wall-time limit in seconds (0: none)"},
    {"patience", TK_COUNT, "stop after this many iterations without a lower loss (0: off)"},
    {"max_norm", TK_DOUBLE, "weight-norm barrier radius (0: off)"},
    {"barrier", TK_DOUBLE, "weight-norm barrier strength (1 when max_norm is set)"},
    {"merge_layer", TK_COUNT, "merge penalty: hidden layer (1-based)"},
    {"merge_i", TK_COUNT, "merge penalty: first neuron (0-based)"},
    {"merge_j", TK_COUNT, "merge penalty: second neuron (0-based)"},
    {"merge_lambda", TK_DOUBLE, "merge penalty strength (0: off)"},
    {"init", TK_STRING, "initial point: glorot or normal (glorot), unless --params"},
    {"init_scale", TK_DOUBLE, "standard deviation for init normal (1)"},
    {"traj_per_decade", TK_COUNT, "trajectory samples per decade of iterations (20)"},
};
const int train_nkeys = (int)(sizeof train_keys / sizeof train_keys[0]);

int train_key_from_text(const train_key *k, const char *text, json_t **out) {
  double d;
  long l;
  switch (k->type) {
    case TK_DOUBLE:
      if (cli_parse_double(text, &d)) return -1;
      *out = json_real(d);
      return 0;
    case TK_COUNT:
      if (cli_parse_long(text, &l) || l < 0) return -1;
      *out = json_integer(l);
      return 0;
    case TK_STRING: *out = json_string(text); return 0;
    case TK_BOOL:
      if (!strcmp(text, "true") || !strcmp(text, "1")) *out = json_true();
      else if (!strcmp(text, "false") || !strcmp(text, "0")) *out = json_false();
      else return -1;
      return 0;
  }
  return -1;
}

static ls_status get_count(const ls_config *cfg, const json_t *sec, const char *key, size_t def,
                           size_t *out, ls_error *err) {
  long v;
  ls_status s = ls_config_get_int(cfg, sec, "train", key, 0, 1L << 62, (long)def, &v, err);
  if (s == LS_OK) *out = (size_t)v;
  return s;
}

static ls_status get_bool(const ls_config *cfg, const json_t *sec, const char *key, int *out,
                          ls_error *err) {
  const json_t *v = json_object_get(sec, key);
  if (!v) return LS_OK;
  if (!json_is_boolean(v))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.%s: expected true or false", cfg->path, key);
  *out = json_is_true(v);
  return LS_OK;
}

#define TRY(x)                   \
  do {                           \
    ls_status s_ = (x);          \
    if (s_ != LS_OK) return s_;  \
  } while (0)

static ls_status named(const ls_config *cfg, const char *key, ls_status s, ls_error *err) {
  if (s != LS_OK) ls_error_prefix(err, "%s: train.%s", cfg->path, key);
  return s;
}

ls_status train_settings_read(const ls_config *cfg, const json_t *sec, train_settings *st,
                              ls_error *err) {
  static const char *allowed[sizeof train_keys / sizeof train_keys[0] + 1];
  for (int i = 0; i < train_nkeys; i++) allowed[i] = train_keys[i].key;
  allowed[train_nkeys] = NULL;
  ls_train_opts *o = &st->opts;
  ls_train_opts_default(o);
  st->init = "glorot";
  st->init_scale = 1;
  st->traj_per_decade = 20;
  if (!sec) return LS_OK;
  TRY(ls_config_check_keys(cfg, sec, "train", allowed, err));
  const char *s;
  TRY(ls_config_get_string(cfg, sec, "train", "preset", "none", &s, err));
  if (!strcmp(s, "thesis")) { /* thesis section 6.2.1 */
    o->first = LS_FIRST_ADAM, o->lr = 1e-4, o->first_maxiter = 10000000;
    o->polish = LS_POLISH_SLSQP;
  } else if (strcmp(s, "none")) {
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.preset: unknown preset '%s' (thesis)", cfg->path, s);
  }
  TRY(ls_config_get_string(cfg, sec, "train", "method", ls_first_name(o->first), &s, err));
  TRY(named(cfg, "method", ls_first_parse(s, &o->first, err), err));
  TRY(ls_config_get_string(cfg, sec, "train", "polish", ls_polish_name(o->polish), &s, err));
  TRY(named(cfg, "polish", ls_polish_parse(s, &o->polish, err), err));
  TRY(ls_config_get_string(cfg, sec, "train", "linsol", "auto", &s, err));
  TRY(named(cfg, "linsol", ls_linsol_parse(s, &o->flow_linsol, err), err));
  TRY(get_bool(cfg, sec, "critical", &o->newton_critical, err));
  struct {
    const char *k;
    double *p;
  } dk[] = {{"lr", &o->lr},           {"beta1", &o->beta1},       {"beta2", &o->beta2},
            {"eps", &o->eps},         {"switch_grad_tol", &o->switch_grad_tol},
            {"rtol", &o->flow_rtol},  {"atol", &o->flow_atol},    {"tmax", &o->flow_tmax},
            {"grad_tol", &o->grad_tol}, {"loss_tol", &o->loss_tol},
            {"time_limit", &o->time_limit}, {"max_norm", &o->penalty.max_norm},
            {"newton_switch_tol", &o->newton_switch_tol}, {"lm_switch_tol", &o->lm_switch_tol},
            {"merge_lambda", &o->penalty.merge_lambda}, {"init_scale", &st->init_scale}};
  for (size_t i = 0; i < sizeof dk / sizeof dk[0]; i++)
    TRY(ls_config_get_double(cfg, sec, "train", dk[i].k, *dk[i].p, dk[i].p, err));
  TRY(ls_config_get_double(cfg, sec, "train", "barrier", o->penalty.max_norm > 0 ? 1.0 : 0.0,
                           &o->penalty.barrier, err));
  struct {
    const char *k;
    size_t *p;
  } ck[] = {{"batch", &o->batch},           {"max_iter", &o->first_maxiter},
            {"polish_max_iter", &o->polish_maxiter}, {"patience", &o->patience},
            {"newton_max_params", &o->auto_newton_max}, {"lm_max_iter", &o->lm_max_iter}};
  for (size_t i = 0; i < sizeof ck / sizeof ck[0]; i++)
    TRY(get_count(cfg, sec, ck[i].k, *ck[i].p, ck[i].p, err));
  size_t ml = 0, mi = 0, mj = 1, tp = 20;
  TRY(get_count(cfg, sec, "merge_layer", 1, &ml, err));
  TRY(get_count(cfg, sec, "merge_i", 0, &mi, err));
  TRY(get_count(cfg, sec, "merge_j", 1, &mj, err));
  TRY(get_count(cfg, sec, "traj_per_decade", 20, &tp, err));
  if (ml > 1000 || mi > 100000000 || mj > 100000000)
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.merge_*: out of range", cfg->path);
  o->penalty.merge_layer = (int)ml, o->penalty.merge_i = (int)mi, o->penalty.merge_j = (int)mj;
  o->traj_per_decade = tp;
  st->traj_per_decade = (long)tp;
  TRY(ls_config_get_string(cfg, sec, "train", "init", "glorot", &st->init, err));
  if (strcmp(st->init, "glorot") && strcmp(st->init, "normal"))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init: unknown '%s' (glorot, normal)", cfg->path,
                        st->init);
  if (!(st->init_scale > 0))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init_scale: must be > 0", cfg->path);
  return LS_OK;
}
