/* Internal: views of one hidden unit (incoming row + bias, outgoing column) in the flat
 * parameter layout of net.h. */
#ifndef LANDSYM_SYM_UNIT_H
#define LANDSYM_SYM_UNIT_H

#include "landsym/net.h"

/* Fan-in of a unit of layer l including its bias. */
static inline int sym_fan_in(const ls_net *net, int l) {
  return net->width[l - 1] + (net->bias[l] ? 1 : 0);
}
/* Copy the incoming weights (+ bias) of unit i of layer l into v (sym_fan_in entries). */
static inline void sym_get_in(const ls_net *net, const double *th, int l, int i, double *v) {
  int n = net->width[l - 1];
  const double *W = th + ls_net_w_offset(net, l) + (size_t)i * n;
  for (int j = 0; j < n; j++) v[j] = W[j];
  if (net->bias[l]) v[n] = th[ls_net_b_offset(net, l) + i];
}
static inline void sym_set_in(const ls_net *net, double *th, int l, int i, const double *v) {
  int n = net->width[l - 1];
  double *W = th + ls_net_w_offset(net, l) + (size_t)i * n;
  for (int j = 0; j < n; j++) W[j] = v[j];
  if (net->bias[l]) th[ls_net_b_offset(net, l) + i] = v[n];
}
/* Outgoing weights of unit i of layer l: column i of W_{l+1} (width[l+1] entries). */
static inline void sym_get_out(const ls_net *net, const double *th, int l, int i, double *a) {
  const double *W = th + ls_net_w_offset(net, l + 1);
  for (int o = 0; o < net->width[l + 1]; o++) a[o] = W[(size_t)o * net->width[l] + i];
}
static inline void sym_set_out(const ls_net *net, double *th, int l, int i, const double *a) {
  double *W = th + ls_net_w_offset(net, l + 1);
  for (int o = 0; o < net->width[l + 1]; o++) W[(size_t)o * net->width[l] + i] = a[o];
}
/* Check that l names a hidden layer. */
static inline ls_status sym_check_layer(const ls_net *net, int l, ls_error *err) {
  if (l < 1 || l > net->n_layers - 1)
    return ls_error_set(err, LS_ERR_INPUT,
                        "layer %d is not a hidden layer (this %d-layer network has hidden "
                        "layers 1..%d)",
                        l, net->n_layers, net->n_layers - 1);
  return LS_OK;
}

#endif
