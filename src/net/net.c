/* Network specification: validation, parameter layout, descriptions. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "landsym/net.h"

ls_status ls_loss_parse(const char *name, ls_loss_kind *out, ls_error *err) {
  if (name && strcmp(name, "mse") == 0) *out = LS_LOSS_MSE;
  else if (name && strcmp(name, "nll") == 0) *out = LS_LOSS_NLL;
  else
    return ls_error_set(err, LS_ERR_INPUT, "unknown loss '%s' (known: mse, nll)",
                        name ? name : "(null)");
  return LS_OK;
}

const char *ls_loss_name(ls_loss_kind kind) { return kind == LS_LOSS_NLL ? "nll" : "mse"; }

ls_status ls_net_init(ls_net *net, int n_layers, const int *widths, ls_act hidden, int bias,
                      ls_error *err) {
  memset(net, 0, sizeof *net);
  if (n_layers < 1 || n_layers > LS_MAX_LAYERS)
    return ls_error_set(err, LS_ERR_INPUT, "number of layers %d out of range 1..%d", n_layers,
                        LS_MAX_LAYERS);
  net->n_layers = n_layers;
  for (int l = 0; l <= n_layers; l++) net->width[l] = widths[l];
  for (int l = 1; l <= n_layers; l++) {
    net->act[l] = hidden;
    net->bias[l] = bias ? 1 : 0;
  }
  net->act[n_layers].kind = LS_ACT_IDENTITY;
  net->loss = LS_LOSS_MSE;
  return ls_net_validate(net, err);
}

ls_status ls_net_validate(const ls_net *net, ls_error *err) {
  if (net->n_layers < 1 || net->n_layers > LS_MAX_LAYERS)
    return ls_error_set(err, LS_ERR_INPUT, "number of layers %d out of range 1..%d",
                        net->n_layers, LS_MAX_LAYERS);
  for (int l = 0; l <= net->n_layers; l++)
    if (net->width[l] < 1)
      return ls_error_set(err, LS_ERR_INPUT, "width of layer %d is %d (must be >= 1)", l,
                          net->width[l]);
  for (int l = 1; l <= net->n_layers; l++)
    if (net->act[l].kind < 0 || net->act[l].kind >= LS_ACT_COUNT)
      return ls_error_set(err, LS_ERR_INPUT, "layer %d: invalid activation", l);
  if (net->loss == LS_LOSS_NLL && net->width[net->n_layers] < 2)
    return ls_error_set(err, LS_ERR_INPUT, "nll loss needs at least 2 outputs");
  for (int l = 0; l <= LS_MAX_LAYERS; l++) {
    int hidden = l >= 1 && l < net->n_layers;
    if (net->glu[l] < 0 || (!hidden && net->glu[l] != 0) ||
        (hidden && net->glu[l] > net->width[l]))
      return ls_error_set(err, LS_ERR_INPUT,
                          "layer %d: %d GLU units (allowed: 0..width in hidden layers, 0 elsewhere)",
                          l, net->glu[l]);
    if (net->glu2[l] < 0 || net->glu2[l] > net->glu[l])
      return ls_error_set(err, LS_ERR_INPUT,
                          "layer %d: %d second-order GLU units (allowed: 0..the %d GLU units)",
                          l, net->glu2[l], net->glu[l]);
    if (net->glu2[l] && isnan(ls_act_d4(&net->act[l], 0.5)))
      return ls_error_set(err, LS_ERR_INPUT, "layer %d: second-order GLU units need the "
                          "activation's fourth derivative", l);
  }
  return LS_OK;
}

int ls_net_n_glu(const ls_net *net) {
  int s = 0;
  for (int l = 1; l < net->n_layers; l++) s += net->glu[l];
  return s;
}

int ls_net_n_glu2(const ls_net *net) {
  int s = 0;
  for (int l = 1; l < net->n_layers; l++) s += net->glu2[l];
  return s;
}

ls_status ls_net_require_plain(const ls_net *net, const char *what, ls_error *err) {
  if (ls_net_n_glu(net) == 0) return LS_OK;
  return ls_error_set(err, LS_ERR_INPUT, "%s: networks with GLU units are not supported", what);
}

size_t ls_net_w_offset(const ls_net *net, int l) {
  size_t off = 0;
  for (int k = 1; k < l; k++)
    off += (size_t)(net->width[k] + net->glu[k]) *
               (size_t)(net->width[k - 1] + (net->bias[k] ? 1 : 0)) +
           (size_t)net->glu2[k] * (size_t)ls_net_m_len(net, k);
  return off;
}

size_t ls_net_b_offset(const ls_net *net, int l) {
  return ls_net_w_offset(net, l) + (size_t)net->width[l] * (size_t)net->width[l - 1];
}

size_t ls_net_v_offset(const ls_net *net, int l) {
  return ls_net_b_offset(net, l) + (net->bias[l] ? (size_t)net->width[l] : 0);
}

size_t ls_net_c_offset(const ls_net *net, int l) {
  return ls_net_v_offset(net, l) + (size_t)net->glu[l] * (size_t)net->width[l - 1];
}

size_t ls_net_m_offset(const ls_net *net, int l) {
  return ls_net_c_offset(net, l) + (net->bias[l] ? (size_t)net->glu[l] : 0);
}

int ls_net_m_len(const ls_net *net, int l) {
  int n = net->width[l - 1] + (net->bias[l] ? 1 : 0);
  return n * (n + 1) / 2;
}

size_t ls_net_nparams(const ls_net *net) { return ls_net_w_offset(net, net->n_layers + 1); }

int ls_net_max_width(const ls_net *net) {
  int m = 0;
  for (int l = 0; l <= net->n_layers; l++)
    if (net->width[l] > m) m = net->width[l];
  return m;
}

void ls_net_describe(const ls_net *net, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = 0;
  for (int l = 0; l <= net->n_layers && used < len; l++)
    used += (size_t)snprintf(buf + used, len - used, "%s%d", l ? "-" : "", net->width[l]);
  for (int l = 1; l <= net->n_layers && used < len; l++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s%s", l == 1 ? " " : "/",
                             ls_act_name(net->act[l].kind), net->bias[l] ? "+b" : "");
  for (int l = 1; l < net->n_layers && used < len; l++)
    if (net->glu[l]) used += (size_t)snprintf(buf + used, len - used, " glu%d=%d", l, net->glu[l]);
  for (int l = 1; l < net->n_layers && used < len; l++)
    if (net->glu2[l]) used += (size_t)snprintf(buf + used, len - used, " glu2_%d=%d", l, net->glu2[l]);
  if (used < len) snprintf(buf + used, len - used, " %s", ls_loss_name(net->loss));
}
