/* Network sections of a config ("teacher", "student"; schema in docs/config.md). */
#include <stdio.h>
#include <string.h>

#include "landsym/config.h"

static const char *file_of(const ls_config *cfg) { return cfg && cfg->path ? cfg->path : "config"; }

/* One activation: "name" or {"name": ..., "alpha": a, "gamma": g}. */
static ls_status parse_act(const ls_config *cfg, const json_t *v, const char *f, ls_act *a,
                           ls_error *err) {
  const char *name = NULL;
  if (json_is_string(v)) name = json_string_value(v);
  else if (json_is_object(v)) {
    static const char *const keys[] = {"name", "alpha", "gamma", NULL};
    ls_status st = ls_config_check_keys(cfg, v, f, keys, err);
    if (st) return st;
    name = json_string_value(json_object_get(v, "name"));
    if (!name) return ls_error_set(err, LS_ERR_INPUT, "%s: %s.name: expected a string", file_of(cfg), f);
  } else
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected an activation name or object",
                        file_of(cfg), f);
  ls_error e2;
  if (ls_act_parse(name, a, &e2))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: %s", file_of(cfg), f, e2.msg);
  if (json_is_object(v)) {
    ls_status st = ls_config_get_double(cfg, v, f, "alpha", a->alpha, &a->alpha, err);
    if (!st) st = ls_config_get_double(cfg, v, f, "gamma", a->gamma, &a->gamma, err);
    if (st) return st;
  }
  return LS_OK;
}

ls_status ls_config_parse_net(const ls_config *cfg, const json_t *obj, const char *where,
                              ls_net *net, ls_error *err) {
  const char *file = file_of(cfg);
  memset(net, 0, sizeof *net);
  const json_t *wv = json_object_get(obj, "widths");
  if (!json_is_array(wv))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths: required, an array [input, hidden..., output]",
                        file, where);
  size_t nw = json_array_size(wv);
  if (nw < 2 || nw > LS_MAX_LAYERS + 1)
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths: needs 2..%d entries (got %zu)", file,
                        where, LS_MAX_LAYERS + 1, nw);
  int L = (int)nw - 1;
  net->n_layers = L;
  for (int l = 0; l <= L; l++) {
    const json_t *e = json_array_get(wv, (size_t)l);
    if (!json_is_integer(e))
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths[%d]: expected an integer", file, where, l);
    json_int_t v = json_integer_value(e);
    if (v < 1)
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths[%d]: width must be >= 1 (got %lld)",
                          file, where, l, (long long)v);
    if (v > 1000000)
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths[%d]: width %lld is too large", file,
                          where, l, (long long)v);
    net->width[l] = (int)v;
  }
  /* hidden activations: one value for all, or a list with one per hidden layer */
  char f[256];
  ls_act hidden = {LS_ACT_SIGMOID, 1.0, 1.0};
  const json_t *av = json_object_get(obj, "activation");
  snprintf(f, sizeof f, "%s.activation", where);
  for (int l = 1; l < L; l++) net->act[l] = hidden;
  if (json_is_array(av)) {
    if ((int)json_array_size(av) != L - 1)
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s: %zu entries, the network has %d hidden layers",
                          file, f, json_array_size(av), L - 1);
    for (int l = 1; l < L; l++) {
      char fi[300];
      snprintf(fi, sizeof fi, "%s[%d]", f, l - 1);
      ls_status st = parse_act(cfg, json_array_get(av, (size_t)l - 1), fi, &net->act[l], err);
      if (st) return st;
    }
  } else if (av) {
    ls_status st = parse_act(cfg, av, f, &hidden, err);
    if (st) return st;
    for (int l = 1; l < L; l++) net->act[l] = hidden;
  }
  net->act[L].kind = LS_ACT_IDENTITY;
  net->act[L].alpha = net->act[L].gamma = 1.0;
  const json_t *ov = json_object_get(obj, "output_activation");
  if (ov) {
    snprintf(f, sizeof f, "%s.output_activation", where);
    ls_status st = parse_act(cfg, ov, f, &net->act[L], err);
    if (st) return st;
  }
  const json_t *bv = json_object_get(obj, "bias");
  if (!bv || json_is_boolean(bv)) {
    for (int l = 1; l <= L; l++) net->bias[l] = bv ? json_is_true(bv) : 0;
  } else if (json_is_array(bv) && (int)json_array_size(bv) == L) {
    for (int l = 1; l <= L; l++) {
      const json_t *e = json_array_get(bv, (size_t)l - 1);
      if (!json_is_boolean(e))
        return ls_error_set(err, LS_ERR_INPUT, "%s: %s.bias[%d]: expected true or false", file,
                            where, l - 1);
      net->bias[l] = json_is_true(e);
    }
  } else
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: %s.bias: expected true/false or a list of %d booleans (one per layer)",
                        file, where, L);
  /* gated linear units (docs/engine.md): "glu": n (the last n units of the only hidden
   * layer) or a list with one count per hidden layer; "glu2" the same for the second-order
   * units among them (net.h) */
  static const char *const gkey[2] = {"glu", "glu2"};
  for (int k = 0; k < 2; k++) {
    int *cnt = k ? net->glu2 : net->glu;
    const json_t *gv = json_object_get(obj, gkey[k]);
    if (!gv) continue;
    int ok = json_is_integer(gv) ? L == 2 : json_is_array(gv) && (int)json_array_size(gv) == L - 1;
    for (int l = 1; ok && l < L; l++) {
      const json_t *e = json_is_integer(gv) ? gv : json_array_get(gv, (size_t)l - 1);
      json_int_t v = json_is_integer(e) ? json_integer_value(e) : -1;
      int hi = k ? net->glu[l] : net->width[l];
      if (v < 0 || v > hi)
        return ls_error_set(err, LS_ERR_INPUT, "%s: %s.%s: layer %d: expected an integer in 0..%d",
                            file, where, gkey[k], l, hi);
      cnt[l] = (int)v;
    }
    if (!ok)
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: %s.%s: expected an integer (one hidden layer) or a list of %d integers",
                          file, where, gkey[k], L - 1);
  }
  const char *loss;
  ls_status st = ls_config_get_string(cfg, obj, where, "loss", "mse", &loss, err);
  if (st) return st;
  ls_error e2;
  if (ls_loss_parse(loss, &net->loss, &e2))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s.loss: %s", file, where, e2.msg);
  if (net->loss == LS_LOSS_NLL && net->width[L] < 2)
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s.widths[%d]: nll needs >= 2 outputs", file,
                        where, L);
  if (ls_net_validate(net, &e2))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: %s", file, where, e2.msg);
  return LS_OK;
}
