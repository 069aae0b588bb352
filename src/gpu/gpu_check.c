/* What the CUDA backend accepts (ls_gpu_check), checked on the host; needs no GPU. */
#include <stdio.h>

#include "gpu/gpu_internal.h"
#include "optim/run.h"

ls_status ls_gpu_check(const ls_net *net, const ls_data *d, const ls_train_opts *o,
                       ls_error *err) {
  static const char *const hint = "the GPU backend trains one-hidden-layer, one-output MSE "
                                  "networks (docs/gpu.md)";
  if (net->n_layers != 2)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: the student has %d weight layers; %s",
                        net->n_layers, hint);
  if (net->width[2] != 1)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: the student has %d outputs; %s", net->width[2],
                        hint);
  if (net->loss != LS_LOSS_MSE)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: loss '%s'; %s", ls_loss_name(net->loss), hint);
  if (net->act[2].kind != LS_ACT_IDENTITY)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: output activation '%s' (identity only)",
                        ls_act_name(net->act[2].kind));
  if (ls_gpu_act_code(net->act[1].kind) < 0)
    return ls_error_set(err, LS_ERR_INPUT,
                        "GPU: hidden activation '%s' (identity, sigmoid, tanh, softplus, erf, "
                        "gelu are available)",
                        ls_act_name(net->act[1].kind));
  size_t P = ls_net_nparams(net);
  if (P > LS_GPU_MAX_PARAMS)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: the student has %zu parameters (at most %d)", P,
                        LS_GPU_MAX_PARAMS);
  if (d->din != net->width[0] || d->dout != 1 || d->n < 1)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: data %d -> %d (%zu samples) does not fit the "
                        "student %d -> 1", d->din, d->dout, d->n, net->width[0]);
  if (!o) return LS_OK;
  if (o->first != LS_FIRST_FLOW && o->first != LS_FIRST_NONE)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: train.method '%s' (flow or none)",
                        ls_first_name(o->first));
  if (o->polish != LS_POLISH_NEWTON && o->polish != LS_POLISH_NONE)
    return ls_error_set(err, LS_ERR_INPUT, "GPU: train.polish '%s' (newton or none)",
                        ls_polish_name(o->polish));
  const char *bad = o->batch ? "batch" : o->newton_critical ? "critical"
                  : o->loss_tol > 0 ? "loss_tol" : o->time_limit > 0 ? "time_limit"
                  : o->patience ? "patience"
                  : (o->penalty.max_norm > 0 && o->penalty.barrier != 0) ? "max_norm"
                  : o->penalty.merge_lambda != 0 ? "merge_lambda" : NULL;
  if (bad) return ls_error_set(err, LS_ERR_INPUT, "GPU: train.%s is not available", bad);
  return LS_OK;
}

int ls_gpu_act_code(ls_act_kind k) {
  switch (k) {
    case LS_ACT_IDENTITY: return LS_GPU_ACT_IDENTITY;
    case LS_ACT_SIGMOID: return LS_GPU_ACT_SIGMOID;
    case LS_ACT_TANH: return LS_GPU_ACT_TANH;
    case LS_ACT_SOFTPLUS: return LS_GPU_ACT_SOFTPLUS;
    case LS_ACT_ERF: return LS_GPU_ACT_ERF;
    case LS_ACT_GELU: return LS_GPU_ACT_GELU;
    default: return -1;
  }
}

double ls_gpu_loss_noise(const ls_net *net, const ls_data *d) { return ls_loss_noise(net, d); }
