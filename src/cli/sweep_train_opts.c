/* The config's "train" section -> ls_train_opts, for `landsym sweep`. Keys are the
 * ls_train_opts field names (include/landsym/optim.h); absent keys keep the defaults. */
#include <string.h>

#if __has_include("landsym/config.h") && __has_include("landsym/optim.h")
#include "cli/sweep_job.h"
#include "landsym/optim.h"

static const char *const train_keys[] = {
    "first", "polish", "lr", "beta1", "beta2", "eps", "batch", "first_maxiter",
    "switch_grad_tol", "flow_rtol", "flow_atol", "flow_tmax", "flow_linsol",
    "dense_max_params", "newton_critical", "polish_maxiter", "grad_tol", "loss_tol",
    "time_limit", "patience", NULL};

ls_status cli_sweep_train_opts(const ls_config *c, ls_train_opts *o, ls_error *err) {
  ls_train_opts_default(o);
  json_t *t = ls_config_section(c, "train");
  if (!t) return LS_OK;
  if (!json_is_object(t))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train: must be an object", c->path);
  ls_status s = ls_config_check_keys(c, t, "train", train_keys, err);
  if (s) return s;
  const char *str;
  long v;
  double d;
#define GET_D(key, field)                                                              \
  if ((s = ls_config_get_double(c, t, "train", key, o->field, &d, err))) return s;     \
  o->field = d;
#define GET_N(key, field)                                                              \
  if ((s = ls_config_get_int(c, t, "train", key, 0, 1L << 62, (long)o->field, &v, err))) \
    return s;                                                                          \
  o->field = (size_t)v;
  if ((s = ls_config_get_string(c, t, "train", "first", ls_first_name(o->first), &str, err)) ||
      (s = ls_first_parse(str, &o->first, err)))
    return ls_error_prefix(err, "%s: train.first", c->path);
  if ((s = ls_config_get_string(c, t, "train", "polish", ls_polish_name(o->polish), &str, err)) ||
      (s = ls_polish_parse(str, &o->polish, err)))
    return ls_error_prefix(err, "%s: train.polish", c->path);
  if ((s = ls_config_get_string(c, t, "train", "flow_linsol", ls_linsol_name(o->flow_linsol),
                                &str, err)) ||
      (s = ls_linsol_parse(str, &o->flow_linsol, err)))
    return ls_error_prefix(err, "%s: train.flow_linsol", c->path);
  GET_D("lr", lr)
  GET_D("beta1", beta1)
  GET_D("beta2", beta2)
  GET_D("eps", eps)
  GET_N("batch", batch)
  GET_N("first_maxiter", first_maxiter)
  GET_D("switch_grad_tol", switch_grad_tol)
  GET_D("flow_rtol", flow_rtol)
  GET_D("flow_atol", flow_atol)
  GET_D("flow_tmax", flow_tmax)
  GET_N("dense_max_params", dense_max_params)
  if ((s = ls_config_get_int(c, t, "train", "newton_critical", 0, 1, o->newton_critical, &v,
                             err)))
    return s;
  o->newton_critical = (int)v;
  GET_N("polish_maxiter", polish_maxiter)
  GET_D("grad_tol", grad_tol)
  GET_D("loss_tol", loss_tol)
  GET_D("time_limit", time_limit)
  GET_N("patience", patience)
#undef GET_D
#undef GET_N
  return LS_OK;
}
#endif
