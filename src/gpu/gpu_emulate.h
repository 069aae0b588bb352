/* Host emulation of the kernels of gpu_batch.cu: one block of one thread (NT = 1), so that
 * the algorithm (the Rosenbrock flow, the damped Newton, the shared-memory sums) runs and
 * can be tested on a machine without a GPU. Not part of the library. */
#ifndef LANDSYM_GPU_EMULATE_H
#define LANDSYM_GPU_EMULATE_H

#define __global__
#define __device__
#define __launch_bounds__(...)
#define __syncthreads() ((void)0)
#define NT 1
typedef struct {
  unsigned x;
} ls_emul_idx;
static const ls_emul_idx threadIdx = {0};
static ls_emul_idx blockIdx = {0}; /* the seed being emulated */
static double *ls_emul_smem;       /* the block's shared memory */
#define LS_SHARED_ARRAY(name) double *name = ls_emul_smem

#endif
