/* Memory estimates of the engine (landsym/engine.h): what ls_work_alloc_ctx allocates,
 * what the workspace adds on the first Hessian-vector product or dense Hessian, and the
 * dense Hessian itself.  Upper bounds, counted from the allocations in engine.c,
 * hessian.c and gemm.c; none of them grows with P^2 except ls_hessian_bytes. */
#include "gemm.h"
#include "landsym/core.h"

/* Sizes of hessian.c's per-thread scratch (see its ensure_scratch): blocks of at most
 * LS_GRAD_BLOCK samples and about HB_BUDGET doubles of tangents, at least 32 samples. */
#define HB_BUDGET ((size_t)1 << 18)

static size_t sum_widths(const ls_net *net) {
  size_t s = 0;
  for (int l = 0; l <= net->n_layers; l++) s += (size_t)net->width[l];
  return s;
}

size_t ls_work_bytes(const ls_ctx *ctx, const ls_net *net, size_t n) {
  ls_ctx c = ctx ? *ctx : ls_ctx_default();
  size_t nt = (size_t)(c.threads < 1 ? 1 : (c.threads > 256 ? 256 : c.threads));
  size_t P = ls_net_nparams(net), m = (size_t)net->width[net->n_layers];
  size_t sw = sum_widths(net), cap = n < LS_GRAD_BLOCK ? (n ? n : 1) : LS_GRAD_BLOCK;
  size_t d = LS_GROUPS * (1 + P);                     /* group partials */
  d += nt * (4 * sw + m + 1) * cap;                   /* gradient blocks */
  if (ls_fused_supported(net)) d += nt * ls_fused_scratch(net);
  /* Hessian passes: one second-order block and the tangent scratch per thread */
  size_t ps = 3 * sw + (size_t)ls_net_max_width(net), tan = 32 * ps;
  if (tan < HB_BUDGET) tan = HB_BUDGET;
  d += nt * ((6 * sw + m + 1) * LS_GRAD_BLOCK + tan + LS_GRAD_BLOCK + 64);
  if (ls_engine_choose(net, n, c.engine) == LS_ENGINE_BLAS) {
    for (int hvp = 0; hvp <= 1; hvp++)
      d += nt * ls_gm_layout(net, ls_gm_block(net, n, hvp), hvp, NULL, NULL);
    if (net->width[0] >= LS_SPARSE_MIN_DIN) /* the sparse first layer, if the data take it */
      d += ls_gm_sparse_len(net, n, (int)nt);
  }
  return d * sizeof(double) + sizeof(struct ls_work) + sizeof(struct ls_gemm) + 4096;
}

size_t ls_hessian_bytes(const ls_net *net) {
  size_t P = ls_net_nparams(net);
  /* the P x P result, the layer index of each parameter, the chunk list */
  return P * P * sizeof(double) + P * (sizeof(int) + 64);
}

ls_status ls_dense_fits(size_t P, double copies, const char *what, ls_error *err) {
  double need = copies * (double)P * (double)P * sizeof(double), avail = ls_mem_available();
  if (need <= avail) return LS_OK;
  return ls_error_set(err, LS_ERR_INPUT,
                      "%s of %zu parameters needs %.1f GiB (%.3g x %zu x %zu doubles), more than "
                      "the %.1f GiB this machine has available", what, P, need / 1073741824.0,
                      copies, P, P, avail / 1073741824.0);
}
