/* The BLAS engine: loss and exact gradient of an MLP through matrix products.
 *
 * Samples are taken in fixed blocks of nb (ls_gm_block), held sample-major (gemm.h) so
 * that the inputs are used in place.  Per block, with A_0 the block's inputs:
 *   forward   Z_l = A_{l-1} W_l^T + 1 b_l^T,  A_l = act_l(Z_l),  D1_l = act_l'(Z_l)
 *   output    G = w_k dloss/df (MSE: 2 w_k (f - y)),  Delta_L = G * D1_L
 *   backward  grad W_l += Delta_l^T A_{l-1},  grad b_l += 1^T Delta_l,
 *             E_{l-1} = Delta_l W_l,  Delta_{l-1} = E_{l-1} * D1_{l-1}
 * (thesis ch. 2, backpropagation; * is the elementwise product).  The three products of
 * each layer are cblas_dgemm calls.  As in engine.c the blocks form at most LS_GROUPS
 * fixed groups of consecutive blocks, each reduced in block order into its own partial;
 * groups may run on separate OpenMP threads (BLAS on one thread inside each), and the
 * partials are summed in group order, so the result does not depend on the thread
 * count, bit for bit. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* Doubles of block state per sample the cache budget is shared by (inputs included). */
#define GM_BUDGET (96 * 1024) /* 768 KiB: inside one core's L2 */
#define GM_NB_MIN 32
#define GM_NB_MAX 512

size_t ls_gm_layout(const ls_net *net, size_t nb, int hvp, double *buf, ls_gm_blk *b) {
  int L = net->n_layers;
  size_t mw = (size_t)ls_net_max_width(net), off = 0;
#define TAKE(ptr, len) do { if (buf) (ptr) = buf + off; off += (len); } while (0)
  if (buf) memset(b, 0, sizeof *b);
  TAKE(b->z, nb * mw);
  for (int l = 1; l <= L; l++) {
    size_t s = nb * (size_t)net->width[l];
    TAKE(b->a[l], s);
    TAKE(b->d1[l], s);
    TAKE(b->dl[l], s);
    if (hvp) {
      TAKE(b->d2[l], s);
      TAKE(b->e[l], s);
      TAKE(b->rz[l], s);
      TAKE(b->ra[l], s);
    }
  }
  TAKE(b->p, nb * (size_t)net->width[L]);
  TAKE(b->c, nb);
  TAKE(b->rd, nb * mw);
  TAKE(b->re, nb * mw);
#undef TAKE
  return off;
}

size_t ls_gm_block(const ls_net *net, size_t n, int hvp) {
  size_t per = ls_gm_layout(net, 1, hvp, NULL, NULL) + (size_t)net->width[0];
  size_t nb = GM_BUDGET / per / 16 * 16;
  if (nb < GM_NB_MIN) nb = GM_NB_MIN;
  if (nb > GM_NB_MAX) nb = GM_NB_MAX;
  return nb < n ? nb : (n ? n : 1);
}

ls_status ls_gm_ready(ls_work *w, int hvp) {
  if (!w->gemm) {
    w->gemm = calloc(1, sizeof *w->gemm);
    if (!w->gemm) return LS_ERR_NOMEM;
    w->gemm->nthr = w->nthreads;
  }
  struct ls_gemm *g = w->gemm;
  double **buf = hvp ? &g->h : &g->g;
  size_t *len = hvp ? &g->hlen : &g->glen;
  if (*buf) return LS_OK;
  *len = ls_gm_layout(&w->net, ls_gm_block(&w->net, w->n, hvp), hvp, NULL, NULL);
  *buf = malloc((size_t)g->nthr * *len * sizeof(double));
  return *buf ? LS_OK : LS_ERR_NOMEM;
}

void ls_gemm_free(struct ls_gemm *g) {
  if (g) free(g->g), free(g->h), free(g->wt), free(g);
}

int ls_gm_blas_threads(const ls_work *w, int par) {
  int t = par ? 1 : w->blas_threads, old = openblas_get_num_threads();
  if (old != t) openblas_set_num_threads(t);
  return old;
}

void ls_gm_blas_restore(const ls_work *w, int par, int old) {
  if (old != (par ? 1 : w->blas_threads)) openblas_set_num_threads(old);
}

void ls_gm_forward(const ls_net *net, const double *theta, const double *x, size_t k0,
                   size_t nb, ls_gm_blk *b, int hvp) {
  b->a0 = x + k0 * (size_t)net->width[0];
  b->k0 = k0;
  const double *ain = b->a0;
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    double beta = 0.0;
    if (net->bias[l]) { /* rows of Z start as b_l */
      const double *bias = theta + ls_net_b_offset(net, l);
      for (size_t k = 0; k < nb; k++) memcpy(b->z + k * wo, bias, (size_t)wo * sizeof(double));
      beta = 1.0;
    }
    if (l == 1 && b->xs) {
      if (beta == 0.0) memset(b->z, 0, nb * (size_t)wo * sizeof(double));
      ls_gm_sparse_forward(b->xs, k0, nb, wo, b->wt, b->z);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, wo, wi, 1.0, ain, wi, W, wi,
                  beta, b->z, wo);
    }
    ls_act_apply(&net->act[l], nb * (size_t)wo, b->z, b->a[l], b->d1[l], hvp ? b->d2[l] : NULL);
    ain = b->a[l];
  }
}

/* Softmax + NLL of one sample row f (m outputs): loss sum_o y_o (lse - f_o), gradient
 * w (p sum(y) - y) into g, probabilities into p; returns the unweighted loss. */
static double nll_row(int m, const double *f, const double *y, double wk, double *g, double *p,
                      double *c) {
  double mx = f[0], sy = 0, se = 0, lk = 0;
  for (int o = 1; o < m; o++) mx = fmax(mx, f[o]);
  for (int o = 0; o < m; o++) se += exp(f[o] - mx), sy += y[o];
  double lse = mx + log(se);
  for (int o = 0; o < m; o++) {
    p[o] = exp(f[o] - lse);
    lk += y[o] * (lse - f[o]);
    g[o] = wk * (p[o] * sy - y[o]);
  }
  *c = wk * sy;
  return lk;
}

double ls_gm_output(const ls_net *net, const ls_data *d, size_t k0, size_t nb, ls_gm_blk *b,
                    int hvp) {
  int L = net->n_layers, m = net->width[L];
  const double *f = b->a[L], *y = d->y + k0 * (size_t)m;
  double *g = hvp ? b->e[L] : b->dl[L], w0 = 1.0 / (double)d->n, loss = 0;
  for (size_t k = 0; k < nb; k++) {
    double wk = d->w ? d->w[k0 + k] : w0, lk = 0;
    const double *fk = f + k * m, *yk = y + k * m;
    double *gk = g + k * m;
    if (net->loss == LS_LOSS_MSE) {
      for (int o = 0; o < m; o++) {
        double e = fk[o] - yk[o];
        lk += e * e;
        gk[o] = 2 * wk * e;
      }
      b->c[k] = 2 * wk;
    } else {
      lk = nll_row(m, fk, yk, wk, gk, b->p + k * m, &b->c[k]);
    }
    loss += wk * lk;
  }
  size_t len = nb * (size_t)m;
  for (size_t i = 0; i < len; i++) b->dl[L][i] = g[i] * b->d1[L][i];
  return loss;
}

void ls_gm_backward(const ls_net *net, const double *theta, size_t nb, ls_gm_blk *b,
                    double *g, int hvp) {
  for (int l = net->n_layers; l >= 1; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l), *dl = b->dl[l];
    const double *ain = l > 1 ? b->a[l - 1] : b->a0;
    if (g && l == 1 && b->xs) {
      ls_gm_sparse_stash(b->k0, nb, wo, dl, &b->sp); /* folded in by the caller */
    } else if (g) {
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, wo, wi, (int)nb, 1.0, dl, wo, ain,
                  wi, 1.0, g + ls_net_w_offset(net, l), wi);
    }
    if (g) {
      if (net->bias[l]) {
        double *gb = g + ls_net_b_offset(net, l);
        for (size_t k = 0; k < nb; k++)
          for (int i = 0; i < wo; i++) gb[i] += dl[k * wo + i];
      }
    }
    if (l == 1) break;
    double *e = hvp ? b->e[l - 1] : b->z; /* E_{l-1} = Delta_l W_l */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, wi, wo, 1.0, dl, wo, W, wi,
                0.0, e, wi);
    const double *d1 = b->d1[l - 1];
    double *dn = b->dl[l - 1];
    for (size_t i = 0; i < nb * (size_t)wi; i++) dn[i] = e[i] * d1[i];
  }
}

/* Loss (and gradient when grad) of net on d through the BLAS engine. */
ls_status ls_gemm_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                            double *loss, double *grad, ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK || d->din != net->width[0] ||
      d->dout != net->width[net->n_layers])
    return LS_ERR_INPUT;
  if (ls_gm_ready(w, 0) != LS_OK) return LS_ERR_NOMEM;
  const ls_data_sparse *xs = ls_gm_sparse_inputs(d);
  if (xs && ls_gm_sparse_ready(w) != LS_OK) return LS_ERR_NOMEM;
  if (xs) ls_gm_sparse_transpose(net, theta, w->gemm->wt);
  size_t n = d->n, bs = ls_gm_block(net, w->n, 0), nblk = (n + bs - 1) / bs;
  size_t ng = ls_groups(nblk), P = w->nparams, stride = 1 + P;
  size_t span = xs ? ls_gm_sparse_span(net, w->n) : 1;
  int par = ng > 1 && w->nthreads > 1;
  int blas_old = ls_gm_blas_threads(w, par);
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (par)
  for (size_t ig = 0; ig < ng; ig++) {
    ls_gm_blk b;
    int t = omp_get_thread_num();
    ls_gm_layout(net, bs, 0, w->gemm->g + (size_t)t * w->gemm->glen, &b);
    double *part = w->part + ig * stride;
    memset(part, 0, (grad ? stride : 1) * sizeof(double));
    size_t ib0 = ig * nblk / ng, ib1 = (ig + 1) * nblk / ng;
    if (xs) {
      b.xs = xs, b.wt = w->gemm->wt, b.sp = ls_gm_sparse_scratch(w, t);
      ls_gm_sparse_clear(net, b.sp.acc);
      ls_gm_sparse_start(xs, ib0 * bs, b.sp.cur);
    }
    for (size_t ib = ib0; ib < ib1; ib++) {
      size_t k0 = ib * bs, cnt = n - k0 < bs ? n - k0 : bs;
      ls_gm_forward(net, theta, d->x, k0, cnt, &b, 0);
      part[0] += ls_gm_output(net, d, k0, cnt, &b, 0);
      if (grad) ls_gm_backward(net, theta, cnt, &b, part + 1, 0);
      if (xs && grad && (ib + 1 == ib1 || (ib + 1 - ib0) % span == 0))
        ls_gm_sparse_grad(xs, net->width[1], &b.sp);
    }
    if (xs && grad) ls_gm_sparse_fold(net, b.sp.acc, part + 1);
  }
  ls_gm_blas_restore(w, par, blas_old);
  double s = 0;
  for (size_t ig = 0; ig < ng; ig++) s += w->part[ig * stride];
  *loss = s;
  if (grad) {
    memcpy(grad, w->part + 1, P * sizeof(double));
    for (size_t ig = 1; ig < ng; ig++)
      for (size_t i = 0; i < P; i++) grad[i] += w->part[ig * stride + 1 + i];
  }
  return isfinite(s) ? LS_OK : LS_ERR_COMPUTE;
}
