/* Forward pass, loss and exact gradient (backpropagation) of an MLP of any depth.
 *
 * Samples are processed in fixed blocks of LS_GRAD_BLOCK, each held unit-major
 * ([unit][sample]) so that every loop over samples is unit-stride and vectorises,
 * exp() of the activations included.  The blocks are split into at most LS_GROUPS fixed
 * groups of consecutive blocks; a group accumulates its blocks in order into its own
 * partial (loss, gradient), groups may run on separate OpenMP threads, and the partials
 * are summed in group order: results are bitwise identical whatever the thread count. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "glu.h"
#include "core/simd.h"
#include "work.h"

/* Below this many multiply-adds per pass, thread start-up costs more than it saves. */
#define LS_PAR_MIN_FLOPS 200000.0

static size_t n_blocks(size_t n) { return (n + LS_GRAD_BLOCK - 1) / LS_GRAD_BLOCK; }

size_t ls_groups(size_t nblocks) { return nblocks < LS_GROUPS ? (nblocks ? nblocks : 1) : LS_GROUPS; }

ls_status ls_blk_alloc(ls_blk *b, const ls_net *net, size_t cap, int second) {
  memset(b, 0, sizeof *b);
  int L = net->n_layers, m = net->width[L];
  size_t tot = 0;
  for (int l = 0; l <= L; l++) tot += (second ? 6 : 4) * (size_t)net->width[l];
  tot = (tot + (size_t)m + 1) * cap;
  b->buf = calloc(tot, sizeof(double));
  if (!b->buf) return LS_ERR_NOMEM;
  b->cap = cap;
  double *p = b->buf;
  for (int l = 0; l <= L; l++) {
    size_t s = cap * (size_t)net->width[l];
    b->a[l] = p, p += s;
    b->z[l] = p, p += s;
    b->d1[l] = p, p += s;
    b->dl[l] = p, p += s;
    if (second) {
      b->d2[l] = p, p += s;
      b->e[l] = p, p += s;
    }
  }
  b->p = p, p += cap * (size_t)m;
  b->c = p;
  return LS_OK;
}

void ls_blk_free(ls_blk *b) {
  if (b) free(b->buf), b->buf = NULL;
}

ls_work *ls_work_alloc_ctx(const ls_ctx *ctx, const ls_net *net, size_t n) {
  ls_ctx c = ctx ? *ctx : ls_ctx_default();
  ls_work *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->net = *net;
  w->n = n;
  w->nparams = ls_net_nparams(net);
  int nt = c.threads;
  w->nthreads = nt < 1 ? 1 : (nt > 256 ? 256 : nt);
  w->blas_threads = c.blas_threads < 1 ? 1 : c.blas_threads;
  w->engine = ls_engine_choose(net, n, c.engine); /* gemm_choice.c */
  size_t cap = n < LS_GRAD_BLOCK ? (n ? n : 1) : LS_GRAD_BLOCK;
  w->gblk = calloc((size_t)w->nthreads, sizeof *w->gblk);
  w->part = malloc(LS_GROUPS * (1 + w->nparams) * sizeof(double));
  if (!w->gblk || !w->part) goto fail;
  for (int t = 0; t < w->nthreads; t++)
    if (ls_blk_alloc(&w->gblk[t], net, cap, 0) != LS_OK) goto fail;
  if (ls_fused_supported(net)) {
    w->fz_len = ls_fused_scratch(net);
    w->fz = malloc((size_t)w->nthreads * w->fz_len * sizeof(double));
    if (!w->fz) goto fail;
    w->fused = w->engine == LS_ENGINE_FUSED;
  }
  return w;
fail:
  ls_work_free(w);
  return NULL;
}

ls_work *ls_work_alloc(const ls_net *net, size_t n) { return ls_work_alloc_ctx(NULL, net, n); }

ls_engine_kind ls_work_engine(const ls_work *w) { return w ? w->engine : LS_ENGINE_GENERIC; }

void ls_work_free(ls_work *w) {
  if (!w) return;
  for (int t = 0; w->gblk && t < w->nthreads; t++) ls_blk_free(&w->gblk[t]);
  for (int t = 0; w->hblk && t < w->nthreads; t++) ls_blk_free(&w->hblk[t]);
  for (int t = 0; w->htan && t < w->nthreads; t++) free(w->htan[t].buf);
  free(w->gblk), free(w->hblk), free(w->htan), free(w->part), free(w->fz);
  ls_gemm_free(w->gemm);
  free(w);
}

void ls_work_set_fused(ls_work *w, int on) {
  if (!w) return;
  w->fused = on && w->fz != NULL;
  if (w->fused) w->engine = LS_ENGINE_FUSED;
  else if (!on || w->engine == LS_ENGINE_FUSED) w->engine = LS_ENGINE_GENERIC;
}

ls_status ls_work_check(const ls_net *net, size_t n, const ls_work *w) {
  if (!w || n > w->n || w->net.n_layers != net->n_layers) return LS_ERR_INPUT;
  for (int l = 0; l <= net->n_layers; l++)
    if (w->net.width[l] != net->width[l] || w->net.bias[l] != net->bias[l] ||
        w->net.glu[l] != net->glu[l] || w->net.glu2[l] != net->glu2[l])
      return LS_ERR_INPUT;
  return LS_OK;
}

/* z_l = W_l a_{l-1} + b_l, a_l = act_l(z_l), d1_l = act_l'(z_l) (d2_l too when second),
 * for l = 1..L, on samples k0..k0+nb-1; a_0 is the input block transposed. */
LS_HOT void ls_blk_forward(const ls_net *net, const double *theta, const double *x, size_t k0,
                           size_t nb, ls_blk *b, int second) {
  int din = net->width[0];
  const double *xb = x + k0 * (size_t)din;
  for (size_t k = 0; k < nb; k++)
    for (int j = 0; j < din; j++) b->a[0][(size_t)j * nb + k] = xb[k * (size_t)din + j];
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    const double *bias = net->bias[l] ? theta + ls_net_b_offset(net, l) : NULL;
    const double *ain = b->a[l - 1];
    /* one pass per neuron (inputs summed in registers), then its activation while the
     * row is still in L1 */
    for (int i = 0; i < wo; i++) {
      size_t r = (size_t)i * nb;
      double *zi = b->z[l] + r;
      const double *Wi = W + (size_t)i * wi;
      double bi = bias ? bias[i] : 0.0;
      ls_combine(zi, bi, Wi, 1, wi, ain, nb, nb, NULL);
      ls_act_apply(&net->act[l], nb, zi, b->a[l] + r, b->d1[l] + r, second ? b->d2[l] + r : NULL);
    }
  }
}

/* Per-sample loss of output row f against target row y, and (if g) dloss/df. */
double ls_sample_loss(ls_loss_kind kind, int m, const double *f, const double *y, double *g) {
  double loss = 0;
  if (kind == LS_LOSS_MSE) {
    for (int o = 0; o < m; o++) {
      double e = f[o] - y[o];
      loss += e * e;
      if (g) g[o] = 2 * e;
    }
    return loss;
  }
  /* softmax + NLL: loss = sum_o y_o (lse - f_o); dloss/df = p * sum(y) - y */
  double mx = f[0], sy = 0, se = 0;
  for (int o = 1; o < m; o++)
    if (f[o] > mx) mx = f[o];
  for (int o = 0; o < m; o++) se += exp(f[o] - mx), sy += y[o];
  double lse = mx + log(se);
  for (int o = 0; o < m; o++) {
    loss += y[o] * (lse - f[o]);
    if (g) g[o] = exp(f[o] - lse) * sy - y[o];
  }
  return loss;
}

/* Output layer: g = w_k dloss/df into e[L] (when second) and delta_L = g * act_L'.
 * Curvature of the per-sample loss in f (for the Hessian): MSE 2 w_k I;
 * NLL w_k sum(y) (diag p - p p^T), stored as c[k] and p[o][k]. */
LS_HOT double ls_blk_output(const ls_net *net, const ls_data *d, size_t k0, size_t nb,
                            ls_blk *b, int second) {
  int L = net->n_layers, m = net->width[L];
  const double *f = b->a[L], *d1 = b->d1[L];
  double *dl = b->dl[L], *g = second ? b->e[L] : b->dl[L];
  const double *y = d->y + k0 * (size_t)m;
  const double *wt = d->w ? d->w + k0 : NULL;
  double w0 = 1.0 / (double)d->n, loss = 0;
  if (net->loss == LS_LOSS_MSE) {
    for (int o = 0; o < m; o++) {
      const double *fo = f + (size_t)o * nb;
      double *go = g + (size_t)o * nb;
#pragma omp simd reduction(+ : loss)
      for (size_t k = 0; k < nb; k++) {
        double wk = wt ? wt[k] : w0, e = fo[k] - y[k * (size_t)m + o];
        loss += wk * e * e;
        go[k] = 2 * wk * e;
      }
    }
    if (second)
      for (size_t k = 0; k < nb; k++) b->c[k] = 2 * (wt ? wt[k] : w0);
  } else {
    for (size_t k = 0; k < nb; k++) {
      double wk = wt ? wt[k] : w0, mx = f[k], sy = 0, se = 0;
      for (int o = 1; o < m; o++) mx = fmax(mx, f[(size_t)o * nb + k]);
      for (int o = 0; o < m; o++) se += exp(f[(size_t)o * nb + k] - mx), sy += y[k * m + o];
      double lse = mx + log(se), lk = 0;
      for (int o = 0; o < m; o++) {
        double fo = f[(size_t)o * nb + k], yo = y[k * (size_t)m + o], po = exp(fo - lse);
        lk += yo * (lse - fo);
        g[(size_t)o * nb + k] = wk * (po * sy - yo);
        b->p[(size_t)o * nb + k] = po;
      }
      b->c[k] = wk * sy;
      loss += wk * lk;
    }
  }
  if (g != dl || net->act[L].kind != LS_ACT_IDENTITY)
    for (size_t i = 0; i < (size_t)m * nb; i++) dl[i] = g[i] * d1[i];
  return loss;
}

/* Backpropagation over one block, gradient added to g:
 * grad W_l = sum_k delta_l a_{l-1}^T, grad b_l = sum_k delta_l,
 * delta_{l-1} = (W_l^T delta_l) * act_{l-1}'(z_{l-1}). */
LS_HOT static void blk_backward_grad(const ls_net *net, const double *theta, size_t nb,
                                     ls_blk *b, double *g) {
  for (int l = net->n_layers; l >= 1; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    double *gW = g + ls_net_w_offset(net, l);
    const double *W = theta + ls_net_w_offset(net, l);
    const double *dl = b->dl[l], *ain = b->a[l - 1];
    for (int i = 0; i < wo; i++) {
      const double *di = dl + (size_t)i * nb;
      for (int j = 0; j < wi; j++) gW[(size_t)i * wi + j] += ls_dot(di, ain + (size_t)j * nb, nb);
      if (net->bias[l]) g[ls_net_b_offset(net, l) + i] += ls_sum(di, nb);
    }
    if (l == 1) break;
    for (int j = 0; j < wi; j++) {
      double *dj = b->dl[l - 1] + (size_t)j * nb;
      const double *d1j = b->d1[l - 1] + (size_t)j * nb;
      ls_combine(dj, 0.0, W + j, (size_t)wi, wo, dl, nb, nb, d1j);
    }
  }
}

static double pass_flops(const ls_net *net, size_t n) {
  double s = 0;
  for (int l = 1; l <= net->n_layers; l++) s += (double)net->width[l] * (net->width[l - 1] + 4);
  return s * (double)n;
}

/* Loss (and gradient when grad != NULL) over all blocks, reduced in block order. */
static ls_status loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                           double *loss, double *grad, ls_work *w) {
  if (ls_work_verify_data(net, d, w) != LS_OK) return LS_ERR_INPUT;
  if (ls_net_n_glu(net)) /* glu.c */
    return ls_work_result(w, ls_glu_loss_grad(net, d, theta, loss, grad), "loss");
  if (w->engine == LS_ENGINE_BLAS) /* gemm.c */
    return ls_work_result(w, ls_gemm_loss_grad(net, d, theta, loss, grad, w), "loss");
  size_t n = d->n, nb = n_blocks(n), ng = ls_groups(nb), P = w->nparams, stride = 1 + P;
  int fused = w->fused && ls_fused_supported(net);
  int par = ng > 1 && w->nthreads > 1 && pass_flops(net, n) * (grad ? 3 : 1) > LS_PAR_MIN_FLOPS;
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (par)
  for (size_t ig = 0; ig < ng; ig++) {
    ls_blk *b = &w->gblk[omp_get_thread_num()];
    double *part = w->part + ig * stride;
    memset(part, 0, (grad ? stride : 1) * sizeof(double));
    for (size_t ib = ig * nb / ng; ib < (ig + 1) * nb / ng; ib++) {
      size_t k0 = ib * LS_GRAD_BLOCK, cnt = n - k0 < LS_GRAD_BLOCK ? n - k0 : LS_GRAD_BLOCK;
      if (fused) { /* one hidden layer, identity output, MSE: fused.c */
        double *fz = w->fz + (size_t)omp_get_thread_num() * w->fz_len;
        part[0] += ls_fused_block(net, theta, d, k0, cnt, grad ? part + 1 : NULL, fz);
        continue;
      }
      ls_blk_forward(net, theta, d->x, k0, cnt, b, 0);
      part[0] += ls_blk_output(net, d, k0, cnt, b, 0);
      if (grad) blk_backward_grad(net, theta, cnt, b, part + 1);
    }
  }
  double s = 0;
  for (size_t ig = 0; ig < ng; ig++) s += w->part[ig * stride];
  *loss = s;
  if (grad) {
    memcpy(grad, w->part + 1, P * sizeof(double));
    for (size_t ig = 1; ig < ng; ig++) {
      const double *g = w->part + ig * stride + 1;
      for (size_t i = 0; i < P; i++) grad[i] += g[i];
    }
  }
  return isfinite(s) ? LS_OK : ls_work_fail(w, LS_ERR_COMPUTE, "engine: the loss is not finite (%g)", s);
}

ls_status ls_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     double *out, ls_work *w) {
  if (ls_work_verify(net, n, w) != LS_OK) return LS_ERR_INPUT;
  if (ls_net_n_glu(net)) return ls_work_result(w, ls_glu_forward(net, theta, n, x, out), "forward pass");
  int L = net->n_layers, m = net->width[L];
  ls_blk *b = &w->gblk[0];
  for (size_t k0 = 0; k0 < n; k0 += LS_GRAD_BLOCK) {
    size_t cnt = n - k0 < LS_GRAD_BLOCK ? n - k0 : LS_GRAD_BLOCK;
    ls_blk_forward(net, theta, x, k0, cnt, b, 0);
    for (size_t k = 0; k < cnt; k++)
      for (int o = 0; o < m; o++) out[(k0 + k) * m + o] = b->a[L][(size_t)o * cnt + k];
  }
  return LS_OK;
}

ls_status ls_loss(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                  ls_work *w) {
  return loss_grad(net, d, theta, loss, NULL, w);
}

ls_status ls_loss_grad(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                       double *grad, ls_work *w) {
  return loss_grad(net, d, theta, loss, grad, w);
}
