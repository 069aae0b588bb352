/* landsym: loss, exact gradient, exact Hessian and Hessian-vector product of an MLP.
 * Loss convention (DESIGN.md): MSE = sum_k w_k * sum_o (f_o(x_k) - y_ko)^2 with w_k = 1/n
 * by default; NLL = -sum_k w_k * sum_o y_ko log softmax(f(x_k))_o. */
#ifndef LANDSYM_ENGINE_H
#define LANDSYM_ENGINE_H

#include <stddef.h>

#include "landsym/ctx.h"
#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Workspace for one (network, sample count) pair; reuse it across calls to avoid
 * allocation in hot loops. Not shared between threads.  ls_work_alloc_ctx takes the
 * execution context (ctx.h): ctx->threads threads over sample blocks, ctx->blas_threads
 * inside a BLAS call when the sample loop runs on one thread, and ctx->engine, the
 * implementation of the loss/gradient and Hessian-vector passes (LS_ENGINE_AUTO: the
 * rule of src/deriv/gemm_choice.c; a request the network cannot take falls back to
 * generic).  ctx == NULL and ls_work_alloc mean ls_ctx_default(). */
typedef struct ls_work ls_work;
ls_work *ls_work_alloc_ctx(const ls_ctx *ctx, const ls_net *net, size_t n_samples);
ls_work *ls_work_alloc(const ls_net *net, size_t n_samples);
void ls_work_free(ls_work *w); /* accepts NULL */
/* The engine w actually runs (never LS_ENGINE_AUTO): fused, generic or blas.  The dense
 * Hessian always takes the generic layer-by-layer pass; the fused engine's
 * Hessian-vector products too. */
ls_engine_kind ls_work_engine(const ls_work *w);
/* Memory, in bytes (upper bounds), of a workspace for n samples under ctx (NULL: the
 * default context), the Hessian-vector and Hessian scratch it adds on first use
 * included; and of the dense Hessian's P x P result with ls_hessian's temporaries.
 * Only the latter grows with P^2. */
size_t ls_work_bytes(const ls_ctx *ctx, const ls_net *net, size_t n_samples);
size_t ls_hessian_bytes(const ls_net *net);

/* Network output (before any softmax) for n inputs x (n x width[0]) into out (n x width[L]). */
ls_status ls_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     double *out, ls_work *w);
/* Loss only. */
ls_status ls_loss(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                  ls_work *w);
/* Loss and gradient (grad has ls_net_nparams entries, overwritten). */
ls_status ls_loss_grad(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                       double *grad, ls_work *w);
/* Exact dense Hessian, row-major P x P (overwritten), symmetric. */
ls_status ls_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                     ls_work *w);
/* Exact Hessian-vector product Hv = H(theta) v (overwritten). */
ls_status ls_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                 double *Hv, ls_work *w);

/* The kernel the hot loops (src/deriv/simd.h) run on this CPU: "default" (baseline
 * x86-64), "x86-64-v3" (AVX2+FMA) or "x86-64-v4" (AVX-512). A build configured with
 * -DLANDSYM_KERNEL=default|v3|v4 has only that kernel; the usual build (auto) carries all
 * three and the loader picks the best one the CPU has (docs/reliability.md). */
const char *ls_kernel_name(void);
/* 1 if this CPU can run kernel `name` (as above; "v3", "v4" accepted), else 0. */
int ls_kernel_supported(const char *name);

#ifdef __cplusplus
}
#endif
#endif
