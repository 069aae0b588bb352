/* The config's "train" section -> trainer options and initialisation for `landsym sweep`.
 * The section means the same as for `landsym train` (docs/train.md): when that command's
 * reader (cli/train_keys.h) is in the build it is used as is; otherwise the keys below,
 * a subset with the same names and defaults, are read. */
#include "cli/sweep_job.h"

#if __has_include("cli/train_keys.h")
#include "cli/train_keys.h"

ls_status cli_sweep_train_opts(const ls_config *c, cli_sweep_train *t, ls_error *err) {
  train_settings st;
  ls_status s = train_settings_read(c, ls_config_section(c, "train"), &st, err);
  if (s) return s;
  t->opts = st.opts;
  t->init_normal = !strcmp(st.init, "normal");
  t->init_scale = st.init_scale;
  return LS_OK;
}

#else
#include <string.h>

static const char *const train_keys[] = {
    "method", "polish", "critical", "lr", "beta1", "beta2", "eps", "batch", "max_iter",
    "switch_grad_tol", "rtol", "atol", "tmax", "linsol", "polish_max_iter",
    "newton_max_params", "grad_tol", "loss_tol", "time_limit", "patience", "init",
    "init_scale", NULL};

ls_status cli_sweep_train_opts(const ls_config *c, cli_sweep_train *t, ls_error *err) {
  ls_train_opts *o = &t->opts;
  ls_train_opts_default(o);
  t->init_normal = 0;
  t->init_scale = 1;
  json_t *sec = ls_config_section(c, "train");
  if (!sec) return LS_OK;
  ls_status s = ls_config_check_keys(c, sec, "train", train_keys, err);
  if (s) return s;
  const char *str;
  if ((s = ls_config_get_string(c, sec, "train", "method", ls_first_name(o->first), &str, err)) ||
      (s = ls_first_parse(str, &o->first, err)))
    return ls_error_prefix(err, "%s: train.method", c->path);
  if ((s = ls_config_get_string(c, sec, "train", "polish", ls_polish_name(o->polish), &str,
                                err)) ||
      (s = ls_polish_parse(str, &o->polish, err)))
    return ls_error_prefix(err, "%s: train.polish", c->path);
  if ((s = ls_config_get_string(c, sec, "train", "linsol", "auto", &str, err)) ||
      (s = ls_linsol_parse(str, &o->flow_linsol, err)))
    return ls_error_prefix(err, "%s: train.linsol", c->path);
  const json_t *crit = json_object_get(sec, "critical");
  if (crit && !json_is_boolean(crit))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.critical: expected true or false", c->path);
  if (crit) o->newton_critical = json_is_true(crit);
  struct {
    const char *k;
    double *p;
  } dk[] = {{"lr", &o->lr},           {"beta1", &o->beta1},       {"beta2", &o->beta2},
            {"eps", &o->eps},         {"switch_grad_tol", &o->switch_grad_tol},
            {"rtol", &o->flow_rtol},  {"atol", &o->flow_atol},    {"tmax", &o->flow_tmax},
            {"grad_tol", &o->grad_tol}, {"loss_tol", &o->loss_tol},
            {"time_limit", &o->time_limit}, {"init_scale", &t->init_scale}};
  for (size_t i = 0; i < sizeof dk / sizeof dk[0]; i++)
    if ((s = ls_config_get_double(c, sec, "train", dk[i].k, *dk[i].p, dk[i].p, err))) return s;
  struct {
    const char *k;
    size_t *p;
  } ck[] = {{"batch", &o->batch},
            {"max_iter", &o->first_maxiter},
            {"polish_max_iter", &o->polish_maxiter},
            {"patience", &o->patience},
            {"newton_max_params", &o->auto_newton_max}};
  for (size_t i = 0; i < sizeof ck / sizeof ck[0]; i++) {
    long v;
    if ((s = ls_config_get_int(c, sec, "train", ck[i].k, 0, 1L << 62, (long)*ck[i].p, &v, err)))
      return s;
    *ck[i].p = (size_t)v;
  }
  if ((s = ls_config_get_string(c, sec, "train", "init", "glorot", &str, err))) return s;
  if (strcmp(str, "glorot") && strcmp(str, "normal"))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init: unknown '%s' (glorot, normal)",
                        c->path, str);
  t->init_normal = !strcmp(str, "normal");
  if (!(t->init_scale > 0))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train.init_scale: must be > 0", c->path);
  return LS_OK;
}
#endif
