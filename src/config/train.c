/* The "train" section of a config -> trainer options (landsym/config_train.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/config_train.h"

static const ls_train_key train_keys[] = {
    {"preset", LS_TRAIN_KEY_STRING, "thesis: Adam lr 1e-4 full batch, 10^7 steps, then SLSQP (thesis 6.2.1)"},
    {"method", LS_TRAIN_KEY_STRING, "first phase: none, gd, adam, flow (adam)"},
    {"polish", LS_TRAIN_KEY_STRING, "second phase: none, auto, newton, slsqp, lbfgs, slsqp+newton, lbfgs+newton, lm, lm+newton, newton+lm, lm-shallow (auto)"},
    {"critical", LS_TRAIN_KEY_BOOL, "Newton converges to the nearest critical point, saddles too (false)"},
    {"lr", LS_TRAIN_KEY_DOUBLE, "learning rate of gd and adam (1e-3)"},
    {"beta1", LS_TRAIN_KEY_DOUBLE, "Adam beta1 (0.9)"},
    {"beta2", LS_TRAIN_KEY_DOUBLE, "Adam beta2 (0.999)"},
    {"eps", LS_TRAIN_KEY_DOUBLE, "Adam epsilon (1e-8)"},
    {"batch", LS_TRAIN_KEY_COUNT, "minibatch size for gd and adam, 0 = full batch (0)"},
    {"max_iter", LS_TRAIN_KEY_COUNT, "iterations of the first phase (100000)"},
    {"switch_grad_tol", LS_TRAIN_KEY_DOUBLE, "first phase hands over to polishing below this gradient (1e-6)"},
    {"rtol", LS_TRAIN_KEY_DOUBLE, "gradient flow relative tolerance (1e-8)"},
    {"atol", LS_TRAIN_KEY_DOUBLE, "gradient flow absolute tolerance (1e-10)"},
    {"tmax", LS_TRAIN_KEY_DOUBLE, "gradient flow final time (1e12)"},
    {"linsol", LS_TRAIN_KEY_STRING, "gradient flow linear solver: auto, dense, spgmr (auto)"},
    {"newton_hessian", LS_TRAIN_KEY_STRING, "Newton's Hessian: auto, dense (4 P^2 doubles), hvp (trust-region Newton-CG, O(P) memory) (auto: dense up to 2000 parameters)"},
    {"polish_max_iter", LS_TRAIN_KEY_COUNT, "Newton iterations / 100x NLopt evaluations (1000)"},
    {"newton_max_params", LS_TRAIN_KEY_COUNT, "auto polish is lbfgs+newton up to this many parameters (1500)"},
    {"newton_switch_tol", LS_TRAIN_KEY_DOUBLE, "slsqp/lbfgs+newton hand over to Newton below this gradient (1e-9)"},
    {"lm_switch_tol", LS_TRAIN_KEY_DOUBLE, "auto: the first phase hands over to lm-shallow below this gradient (1e-2)"},
    {"lm_max_iter", LS_TRAIN_KEY_COUNT, "auto: lm-shallow iterations before the standard pipeline takes over, 0 = none (200)"},
    {"grad_tol", LS_TRAIN_KEY_DOUBLE, "stop when the gradient infinity-norm is below this (1e-15)"},
    {"loss_tol", LS_TRAIN_KEY_DOUBLE, "stop when the loss is at or below this (0: off)"},
    {"time_limit", LS_TRAIN_KEY_DOUBLE, "wall-time limit in seconds (0: none)"},
    {"patience", LS_TRAIN_KEY_COUNT, "stop after this many iterations without a lower loss (0: off)"},
    {"max_norm", LS_TRAIN_KEY_DOUBLE, "weight-norm barrier radius (0: off)"},
    {"barrier", LS_TRAIN_KEY_DOUBLE, "weight-norm barrier strength (1 when max_norm is set)"},
    {"merge_layer", LS_TRAIN_KEY_COUNT, "merge penalty: hidden layer (1-based)"},
    {"merge_i", LS_TRAIN_KEY_COUNT, "merge penalty: first neuron (0-based)"},
    {"merge_j", LS_TRAIN_KEY_COUNT, "merge penalty: second neuron (0-based)"},
    {"merge_lambda", LS_TRAIN_KEY_DOUBLE, "merge penalty strength (0: off)"},
    {"init", LS_TRAIN_KEY_STRING, "initial point: glorot or normal (glorot), unless --params"},
    {"init_scale", LS_TRAIN_KEY_DOUBLE, "standard deviation for init normal (1)"},
    {"traj_per_decade", LS_TRAIN_KEY_COUNT, "trajectory samples per decade of iterations (20)"},
};
#define N_KEYS ((int)(sizeof train_keys / sizeof train_keys[0]))

const ls_train_key *ls_config_train_keys(int *n) {
  *n = N_KEYS;
  return train_keys;
}

/* Whole-string number parses (strtod/strtol); 0 on success. */
static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

static int parse_count(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0) return -1;
  *out = v;
  return 0;
}

ls_status ls_config_train_key_value(const ls_train_key *k, const char *text, json_t **out,
                                    ls_error *err) {
  double d;
  long l;
  *out = NULL;
  switch (k->type) {
    case LS_TRAIN_KEY_DOUBLE:
      if (!parse_double(text, &d)) *out = json_real(d);
      break;
    case LS_TRAIN_KEY_COUNT:
      if (!parse_count(text, &l)) *out = json_integer(l);
      break;
    case LS_TRAIN_KEY_STRING: *out = json_string(text); break;
    case LS_TRAIN_KEY_BOOL:
      if (!strcmp(text, "true") || !strcmp(text, "1")) *out = json_true();
      else if (!strcmp(text, "false") || !strcmp(text, "0")) *out = json_false();
      break;
  }
  if (*out) return LS_OK;
  const char *what = k->type == LS_TRAIN_KEY_DOUBLE  ? "a finite number"
                     : k->type == LS_TRAIN_KEY_COUNT ? "a non-negative integer"
                                                     : "true or false";
  return ls_error_set(err, LS_ERR_INPUT, "%s needs %s, got '%s'", k->key, what, text);
}

#define TRY(x)                  \
  do {                          \
    ls_status s_ = (x);         \
    if (s_ != LS_OK) return s_; \
  } while (0)

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

static ls_status named(const ls_config *cfg, const char *key, ls_status s, ls_error *err) {
  if (s != LS_OK) ls_error_prefix(err, "%s: train.%s", cfg->path, key);
  return s;
}

/* preset, method, polish, linsol, newton_hessian, critical. preset thesis: thesis section 6.2.1. */
static ls_status read_kinds(const ls_config *cfg, const json_t *sec, ls_train_opts *o,
                            ls_error *err) {
  const char *s;
  TRY(ls_config_get_string(cfg, sec, "train", "preset", "none", &s, err));
  if (!strcmp(s, "thesis")) {
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
  TRY(ls_config_get_string(cfg, sec, "train", "newton_hessian", "auto", &s, err));
  TRY(named(cfg, "newton_hessian", ls_hessian_kind_parse(s, &o->newton_hessian, err), err));
  return get_bool(cfg, sec, "critical", &o->newton_critical, err);
}

static ls_status read_doubles(const ls_config *cfg, const json_t *sec, ls_train_settings *st,
                              ls_error *err) {
  ls_train_opts *o = &st->opts;
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
  return ls_config_get_double(cfg, sec, "train", "barrier", o->penalty.max_norm > 0 ? 1.0 : 0.0,
                              &o->penalty.barrier, err);
}

static ls_status read_counts(const ls_config *cfg, const json_t *sec, ls_train_opts *o,
                             ls_error *err) {
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
  return LS_OK;
}

ls_status ls_config_train_read(const ls_config *cfg, const json_t *sec, ls_train_settings *st,
                               ls_error *err) {
  const char *allowed[N_KEYS + 1];
  for (int i = 0; i < N_KEYS; i++) allowed[i] = train_keys[i].key;
  allowed[N_KEYS] = NULL;
  ls_train_opts_default(&st->opts);
  st->init = "glorot";
  st->init_scale = 1;
  if (!sec) return LS_OK;
  TRY(ls_config_check_keys(cfg, sec, "train", allowed, err));
  TRY(read_kinds(cfg, sec, &st->opts, err));
  TRY(read_doubles(cfg, sec, st, err));
  TRY(read_counts(cfg, sec, &st->opts, err));
  TRY(ls_config_get_string(cfg, sec, "train", "init", "glorot", &st->init, err));
  if (strcmp(st->init, "glorot") && strcmp(st->init, "normal"))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init: unknown '%s' (glorot, normal)", cfg->path,
                        st->init);
  if (!(st->init_scale > 0))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init_scale: must be > 0", cfg->path);
  return LS_OK;
}

ls_status ls_config_train_settings(const ls_config *cfg, ls_train_settings *st, ls_error *err) {
  const json_t *sec = ls_config_section(cfg, "train");
  if (sec && !json_is_object(sec))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train: expected an object", cfg->path);
  return ls_config_train_read(cfg, sec, st, err);
}

ls_status ls_config_train_opts(const ls_config *cfg, ls_train_opts *opts, ls_error *err) {
  ls_train_settings st;
  TRY(ls_config_train_settings(cfg, &st, err));
  *opts = st.opts;
  return LS_OK;
}
