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
/* LS_OK when `copies` P x P arrays of doubles fit in the memory the machine has available
 * now (ls_mem_available), else LS_ERR_INPUT with a message naming `what` (e.g. "the dense
 * Hessian"), the bytes needed and the bytes available: the dense-Hessian analyses refuse
 * as bad input rather than exhaust the machine. */
ls_status ls_dense_fits(size_t P, double copies, const char *what, ls_error *err);

/* Network output (before any softmax) for n inputs x (n x width[0]) into out (n x width[L]). */
ls_status ls_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     double *out, ls_work *w);
/* Loss only. */
ls_status ls_loss(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                  ls_work *w);
/* Loss and gradient (grad has ls_net_nparams entries, overwritten). */
ls_status ls_loss_grad(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                       double *grad, ls_work *w);
/* One loss and gradient without a workspace of the caller's (src/deriv/loss_grad_once.c):
 * *grad is malloc'd (P entries; NULL after a failure), and a failure leaves a message that
 * starts with `what` ("certify", "classify", ...). */
ls_status ls_loss_grad_once(const ls_net *net, const ls_data *d, const double *theta,
                            double *loss, double **grad, const char *what, ls_error *err);
/* Exact dense Hessian, row-major P x P (overwritten), symmetric. */
ls_status ls_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                     ls_work *w);
/* Exact Hessian-vector product Hv = H(theta) v (overwritten). */
ls_status ls_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                 double *Hv, ls_work *w);

/* The failure of the last call on w that did not return LS_OK: its code and a message
 * naming what was wrong (code LS_OK and an empty message while no call has failed). */
const ls_error *ls_work_error(const ls_work *w);

/* Per-layer values of a forward pass (src/deriv/layers.c).  For samples x_k, k < n:
 *   a_0 = x_k,  z_l = W_l a_{l-1} + b_l,  a_l = act_l(z_l)            (l = 1..L)
 * and for a GLU unit (net.h) u_l = V_l a_{l-1} + c_l, a_l = act_l(z_l) + u_l act_l'(z_l).
 * a_L is the network output: ls_forward's values to rounding (bitwise with GLU units). */
typedef struct ls_layers ls_layers;
/* Room for passes over up to n_samples samples of networks shaped like net. */
ls_layers *ls_layers_alloc(const ls_net *net, size_t n_samples, ls_error *err);
void ls_layers_free(ls_layers *y); /* accepts NULL */
/* Forward pass of n inputs x (n x width[0], row-major) at theta into y. Non-finite values
 * are returned as they are; LS_ERR_INPUT when net or n does not fit y. */
ls_status ls_layers_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                            ls_layers *y, ls_error *err);
size_t ls_layers_count(const ls_layers *y); /* samples of the last forward pass */
/* Values of layer l of the last pass, row-major n x width[l] (row k: sample k):
 * a for l = 0..L (a_0: the x of the last pass itself, not a copy), z for l = 1..L, u (the
 * GLU gates, 0 for ordinary units) for the layers with GLU units; NULL for any other l. */
const double *ls_layers_a(const ls_layers *y, int l);
const double *ls_layers_z(const ls_layers *y, int l);
const double *ls_layers_u(const ls_layers *y, int l);

/* Jacobian of the outputs in the parameters (src/deriv/jacobian.c): J is (n m) x P
 * row-major, m = width[L], row k m + o = d f_o(x_k) / d theta, by backpropagating each
 * output unit through the layers of one forward pass.  y: a workspace for at least n
 * samples, left holding the forward pass at theta (NULL: one is allocated).
 * For the MSE loss L = sum_k w_k |f(x_k) - y_k|^2 the gradient is 2 J^T (w (f - y)). */
ls_status ls_jacobian(const ls_net *net, const double *theta, size_t n, const double *x,
                      double *J, ls_layers *y, ls_error *err);
/* Residuals of the MSE loss: r_ko = sqrt(w_k) (f_o(x_k) - y_ko) (n x m), so that
 * L = |r|^2 and the Levenberg-Marquardt Jacobian is diag(sqrt w) J; f from ls_forward.
 * w: a workspace for net and d->n samples (NULL: one is allocated). */
ls_status ls_residuals(const ls_net *net, const ls_data *d, const double *theta, double *r,
                       ls_work *w, ls_error *err);

/* The kernel the hot loops (src/core/simd.h) run on this CPU: "default" (baseline
 * x86-64), "x86-64-v3" (AVX2+FMA) or "x86-64-v4" (AVX-512). A build configured with
 * -DLANDSYM_KERNEL=default|v3|v4 has only that kernel; the usual build (auto) carries all
 * three and the loader picks the best one the CPU has (docs/reliability.md). */
const char *ls_kernel_name(void);
/* 1 if this CPU can run kernel `name` (as above; "v3", "v4" accepted), else 0. */
int ls_kernel_supported(const char *name);

/* ---- Hessian spectrum (src/deriv/spectrum.c) ------------------------------------- */

typedef enum { LS_SPECTRUM_DENSE = 0, LS_SPECTRUM_LANCZOS } ls_spectrum_method;

/* Hessian eigenvalues of the loss at theta, ascending.  Dense (all P eigenvalues) when
 * P <= dense_max (0 means 3000); otherwise Lanczos on the Hessian-vector product for the
 * k smallest and k largest (n = 2k values, or all P if 2k >= P). */
typedef struct {
  double *evals;
  size_t n;
  ls_spectrum_method method;
  size_t n_hvp; /* Hessian-vector products used (Lanczos) */
} ls_spectrum;

ls_status ls_hessian_spectrum(const ls_net *net, const ls_data *d, const double *theta,
                              size_t dense_max, int k, ls_spectrum *out, ls_error *err);
void ls_spectrum_free(ls_spectrum *s); /* accepts a zeroed struct */
const char *ls_spectrum_method_name(ls_spectrum_method m);

#ifdef __cplusplus
}
#endif
#endif
