/* Shared between the host checks (gpu_check.c) and the CUDA code (gpu_batch.cu). */
#ifndef LANDSYM_GPU_INTERNAL_H
#define LANDSYM_GPU_INTERNAL_H

#include "landsym/gpu.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  LS_GPU_ACT_IDENTITY = 0,
  LS_GPU_ACT_SIGMOID,
  LS_GPU_ACT_TANH,
  LS_GPU_ACT_SOFTPLUS,
  LS_GPU_ACT_ERF,
  LS_GPU_ACT_GELU
};

/* The kernels' code of a hidden activation, -1 when they have none. */
int ls_gpu_act_code(ls_act_kind k);
/* Absolute rounding level of the loss (ls_loss_noise of src/optim). */
double ls_gpu_loss_noise(const ls_net *net, const ls_data *d);

#ifdef __cplusplus
}
#endif
#endif
