/* landsym: a network's parameter vector as the state_dict of a PyTorch nn.Sequential in a
 * safetensors file (the layout is stated in include/landsym/safetensors.h). */
#ifndef LANDSYM_SAFETENSORS_NET_H
#define LANDSYM_SAFETENSORS_NET_H

#include "landsym/net.h"
#include "landsym/safetensors.h"

/* Name of layer l's tensor `what` ("weight", "bias", "glu_weight", "glu_bias") into buf. */
void ls_safetensors_param_name(int l, const char *what, char *buf, size_t len);
/* Write theta (ls_net_nparams(net) entries) as the state_dict tensors of net. */
ls_status ls_safetensors_params_write(const char *path, const ls_net *net, const double *theta,
                                      ls_error *err);
/* Read a parameter vector for net: every tensor the layout names must be present with its
 * shape, and no other tensor (the message names the missing, extra or misshapen one).
 * *theta is malloc'd. */
ls_status ls_safetensors_params_read_net(const char *path, const ls_net *net, double **theta,
                                         ls_error *err);

#endif
