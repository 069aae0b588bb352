/* The "train" section for the sweep's job (see train_section.h: a copy of
 * src/cli/train_keys.c's reader, to be replaced by the library's src/config/train.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exp/train_section.h"

/* Keys of the "train" section (docs/train.md). */
static const char *const allowed[] = {
    "preset", "method", "polish", "critical", "lr", "beta1", "beta2", "eps", "batch",
    "max_iter", "switch_grad_tol", "rtol", "atol", "tmax", "linsol", "polish_max_iter",
    "newton_max_params", "newton_switch_tol", "lm_switch_tol", "lm_max_iter", "grad_tol",
    "loss_tol", "time_limit", "patience", "max_norm", "barrier", "merge_layer", "merge_i",
    "merge_j", "merge_lambda", "init", "init_scale", "traj_per_decade", NULL};

/* Everything the section sets. */
typedef struct {
  ls_train_opts opts;
  const char *init; /* "glorot" or "normal" */
  double init_scale;
  long traj_per_decade;
} train_settings;

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

/* The merge penalty's neuron pair, the trajectory density and the initial point. */
static ls_status read_merge_init(const ls_config *cfg, const json_t *sec, train_settings *st,
                                 ls_error *err) {
  ls_train_opts *o = &st->opts;
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

static ls_status settings_read(const ls_config *cfg, const json_t *sec, train_settings *st,
                              ls_error *err) {
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
  return read_merge_init(cfg, sec, st, err);
}

ls_status exp_train_section_read(const ls_config *c, exp_train_section *t, ls_error *err) {
  train_settings st;
  ls_status s = settings_read(c, ls_config_section(c, "train"), &st, err);
  if (s) return s;
  t->opts = st.opts;
  t->init_normal = !strcmp(st.init, "normal");
  t->init_scale = st.init_scale;
  return LS_OK;
}
