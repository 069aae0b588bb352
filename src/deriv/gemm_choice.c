/* The engine the workspace runs (ls_work_alloc_ctx).
 *
 * Requests: FUSED takes the fused kernels where the network has one (fused.c: one hidden
 * layer, MSE, identity output, at most 16 inputs, 256 hidden units and 8 outputs), else
 * the generic path; GENERIC and BLAS are taken as asked.  Networks with GLU units always
 * run glu.c (reported as generic).
 *
 * AUTO: fused where supported (the toy problems: unchanged, bit for bit); otherwise BLAS
 * when the multiply-adds per sample, F = sum_l width[l-1] width[l], reach GM_AUTO_MIN_FMA,
 * else generic.  Measured on the 2-core AMD EPYC of the project (OpenBLAS 0.3.21, one
 * thread, sigmoid with biases, 10,000 samples, best of 5, ms per call generic / blas):
 *      network          F    loss+gradient   Hessian-vector product
 *      5-20-1         120    0.38 / 0.67     0.92 / 1.29
 *      10-10-10-1     210    0.71 / 0.93     1.76 / 1.86
 *      12-12-12-1     300    0.76 / 1.01     2.15 / 2.11
 *      10-10-10-10-1  310    1.08 / 1.30     3.01 / 2.73
 *      10-15-15-1     390    1.01 / 1.34     2.89 / 2.67
 *      30-20-1        620    1.61 / 1.12     2.62 / 2.02
 *      10-20-20-1     620    1.69 / 1.60     4.74 / 3.56
 *      20-20-20-1     820    3.32 / 1.77     5.41 / 3.85
 *      2-30-30-1      990    3.48 / 2.52     9.21 / 5.70
 *      30-25-25-10   1625    6.59 / 3.08    11.79 / 6.66
 *      100-50-1      5050   12.51 / 5.55    25.08 / 8.93
 *      784-25-25-10 20475   87.8  / 21.8   128.4  / 32.8
 * The generic path's per-unit loops (ls_combine) win while the layers are ~10 units wide
 * (each dgemm call has a fixed cost, and on 10 x 10 weight matrices its micro-kernel runs
 * mostly on edges); the two are even around F = 300-600 and from there on the matrix
 * products win by a factor growing with the width.  The threshold sits at the upper end
 * of the even range, so the small deep networks (10-10-10-10-1 of thesis section 6.3)
 * keep the generic path and their results. */
#include "work.h"

#define GM_AUTO_MIN_FMA 600

static double fma_per_sample(const ls_net *net) {
  double f = 0;
  for (int l = 1; l <= net->n_layers; l++) f += (double)net->width[l - 1] * net->width[l];
  return f;
}

ls_engine_kind ls_engine_choose(const ls_net *net, size_t n, ls_engine_kind requested) {
  (void)n;
  if (ls_net_n_glu(net)) return LS_ENGINE_GENERIC;
  switch (requested) {
    case LS_ENGINE_FUSED:
      return ls_fused_supported(net) ? LS_ENGINE_FUSED : LS_ENGINE_GENERIC;
    case LS_ENGINE_GENERIC:
    case LS_ENGINE_BLAS:
      return requested;
    default:
      break;
  }
  if (ls_fused_supported(net)) return LS_ENGINE_FUSED;
  return fma_per_sample(net) >= GM_AUTO_MIN_FMA ? LS_ENGINE_BLAS : LS_ENGINE_GENERIC;
}
