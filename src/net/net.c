/* Network specification: validation, parameter layout, descriptions. */
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
  return LS_OK;
}

size_t ls_net_w_offset(const ls_net *net, int l) {
  size_t off = 0;
  for (int k = 1; k < l; k++)
    off += (size_t)net->width[k] * (size_t)(net->width[k - 1] + (net->bias[k] ? 1 : 0));
  return off;
}

size_t ls_net_b_offset(const ls_net *net, int l) {
  return ls_net_w_offset(net, l) + (size_t)net->width[l] * (size_t)net->width[l - 1];
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
  if (used < len) snprintf(buf + used, len - used, " %s", ls_loss_name(net->loss));
}
