/* The BLAS engine's first layer on sparse inputs (ls_data_sparse, src/data/sparse.c).
 *
 * With X the inputs (mostly zeros) and W_1 (w1 x din, row-major), the two products of
 * the first layer are formed from the nonzero x only, on rows of whole 4-double vectors
 * (wp = w1 rounded up to 4):
 *   forward   Z_1[k, :] += x_kj Wt[j, :] over sample k's nonzeros (by rows), Wt = W_1^T
 *             padded: a gather, the row of Z_1 in registers;
 *   gradient  A[j, :] += x_kj Delta_1[k, :] over column j's nonzeros (by columns) with k
 *             in the current span: Delta_1 rows of consecutive blocks are stashed (padded)
 *             for spans of LS_SP_SPAN samples, then each column is visited once, its sum
 *             in registers; A (din x wp) is added, transposed, to the group's partial once
 *             per group.
 * Both orders are fixed by the data and the groups, so the result does not depend on the
 * thread count.  It equals the dense products up to the order of the additions (the
 * dense sums add exact zeros besides the same terms): a rounding difference, at most
 * about n_terms u sum |terms|.
 *
 * Costs, measured on the 2-core AMD EPYC of the project (docs/engine.md, "Sparse
 * inputs"; bench/engine/bench_engine.c --sparse): a column visit starts with a cache miss
 * where the column's cursor lies, which the span amortises (1024 samples: about 20% slower
 * than 4096 at H = 10; 8192 no faster); on the 60,000 MNIST images (19.1% nonzero) loss and
 * gradient of 784-10-10-10 run 2.4x faster than the dense path, and on random nonzeros the
 * two are even at about 60% of the entries nonzero (1.2x at 50%: LS_SPARSE_MAX_FILL = 1/2
 * stays on the winning side). */
#include <stdlib.h>
#include <string.h>

#include "core/simd.h"
#include "gemm.h"

/* W_1^T and the accumulators hold rows of LS_SP_PAD(w1) doubles: whole 4-double vectors. */
#define LS_SP_PAD(w) (((size_t)(w) + 3) / 4 * 4)

const ls_data_sparse *ls_gm_sparse_inputs(const ls_data *d) {
  const ls_data_sparse *s = d->xs;
  return s && s->n == d->n && s->din == d->din && s->x == d->x ? s : NULL;
}

/* Samples whose Delta_1 rows are gathered before a pass over the by-columns index: each
 * pass visits every column once (a cache miss where the column's cursor lies), so the
 * span is made long enough for the visit to pay. */
#define LS_SP_SPAN 4096

size_t ls_gm_sparse_span(const ls_net *net, size_t n) {
  size_t nb = ls_gm_block(net, n, 0), m = LS_SP_SPAN / nb;
  return m ? m : 1;
}

/* Doubles of one thread's scratch: the accumulator (din x wp), Delta_1 padded (span
 * blocks x nb x wp), and din column cursors. */
static size_t thread_len(const ls_net *net, size_t n) {
  size_t wp = LS_SP_PAD(net->width[1]), din = (size_t)net->width[0];
  size_t rows = ls_gm_sparse_span(net, n) * ls_gm_block(net, n, 0);
  return din * wp + rows * wp + din;
}

size_t ls_gm_sparse_len(const ls_net *net, size_t n, int nthr) {
  return (size_t)net->width[0] * LS_SP_PAD(net->width[1]) + (size_t)nthr * thread_len(net, n);
}

ls_status ls_gm_sparse_ready(ls_work *w) {
  struct ls_gemm *g = w->gemm;
  if (g->wt) return LS_OK;
  size_t all = ls_gm_sparse_len(&w->net, w->n, g->nthr);
  g->wt = aligned_alloc(64, (all * sizeof(double) + 63) / 64 * 64);
  return g->wt ? LS_OK : LS_ERR_NOMEM;
}

ls_gm_sp ls_gm_sparse_scratch(const ls_work *w, int thread) {
  size_t wp = LS_SP_PAD(w->net.width[1]), din = (size_t)w->net.width[0];
  double *t = w->gemm->wt + din * wp + (size_t)thread * thread_len(&w->net, w->n);
  size_t rows = ls_gm_sparse_span(&w->net, w->n) * ls_gm_block(&w->net, w->n, 0);
  ls_gm_sp sp = {t, t + din * wp, (size_t *)(t + din * wp + rows * wp), 0, 0};
  return sp;
}

void ls_gm_sparse_transpose(const ls_net *net, const double *theta, double *wt) {
  int wi = net->width[0], wo = net->width[1];
  size_t wp = LS_SP_PAD(wo);
  const double *W = theta + ls_net_w_offset(net, 1);
  for (int j = 0; j < wi; j++)
    for (size_t i = 0; i < wp; i++)
      wt[j * wp + i] = (int)i < wo ? W[i * (size_t)wi + j] : 0.0;
}

/* z[0..n) += the NV vectors of s (n <= 4 NV: the row's tail is not padded). */
static inline void add_row(double *z, int n, const ls_v4 *s, int nv) {
  double t[16];
  for (int c = 0; c < nv; c++) memcpy(t + 4 * c, &s[c], sizeof s[c]);
  for (int o = 0; o < n; o++) z[o] += t[o];
}

/* One sample's row of Z_1, outputs o0 .. o0 + 4 NV - 1: two sets of NV accumulators (even
 * and odd nonzeros) so that the additions of consecutive nonzeros overlap. */
#define SP_FORWARD(NV)                                                                      \
  static inline __attribute__((always_inline)) void fwd##NV(                                \
      const int32_t *col, const double *val, size_t beg, size_t end, const double *wt,      \
      size_t wp, double *z, int n) {                                                        \
    ls_v4 a[NV], b[NV];                                                                     \
    for (int c = 0; c < NV; c++) a[c] = b[c] = (ls_v4){0, 0, 0, 0};                         \
    size_t i = beg;                                                                         \
    for (; i + 2 <= end; i += 2) {                                                          \
      const ls_v4 *u = (const ls_v4 *)(wt + (size_t)col[i] * wp);                          \
      const ls_v4 *v = (const ls_v4 *)(wt + (size_t)col[i + 1] * wp);                      \
      double x0 = val[i], x1 = val[i + 1];                                                  \
      for (int c = 0; c < NV; c++) a[c] += x0 * u[c], b[c] += x1 * v[c];                    \
    }                                                                                       \
    if (i < end) {                                                                          \
      const ls_v4 *u = (const ls_v4 *)(wt + (size_t)col[i] * wp);                          \
      for (int c = 0; c < NV; c++) a[c] += val[i] * u[c];                                   \
    }                                                                                       \
    for (int c = 0; c < NV; c++) a[c] += b[c];                                              \
    add_row(z, n, a, NV);                                                                   \
  }
SP_FORWARD(1)
SP_FORWARD(2)
SP_FORWARD(3)
SP_FORWARD(4)

LS_HOT void ls_gm_sparse_forward(const ls_data_sparse *xs, size_t k0, size_t nb, int wo,
                                 const double *wt, double *z) {
  size_t wp = LS_SP_PAD(wo);
  for (size_t k = 0; k < nb; k++) {
    size_t beg = xs->row[k0 + k], end = xs->row[k0 + k + 1];
    for (int o0 = 0; o0 < wo; o0 += 16) { /* 16 outputs (4 vectors) a pass over the row */
      int n = wo - o0 < 16 ? wo - o0 : 16;
      double *zk = z + k * wo + o0;
      const double *w0 = wt + o0;
      switch ((n + 3) / 4) {
        case 1: fwd1(xs->col, xs->val, beg, end, w0, wp, zk, n); break;
        case 2: fwd2(xs->col, xs->val, beg, end, w0, wp, zk, n); break;
        case 3: fwd3(xs->col, xs->val, beg, end, w0, wp, zk, n); break;
        default: fwd4(xs->col, xs->val, beg, end, w0, wp, zk, n); break;
      }
    }
  }
}

/* Column j of the gradient, grad W_1^T[j, :] = sum_k x_kj Delta_1[k, :], over the block's
 * nonzeros of column j (cidx[p] in k0 .. k0+nb-1 from p = *cur on): NV vectors of the sum
 * in registers, two sets (even and odd nonzeros); the block's Delta_1 rows are padded to
 * wp.  Advances *cur past the block. */
#define SP_GRAD(NV)                                                                         \
  static inline __attribute__((always_inline)) void grad##NV(                               \
      const uint32_t *cidx, const double *cval, size_t *cur, size_t end, size_t k0,         \
      size_t k1, const double *dpad, size_t wp, double *accj) {                             \
    ls_v4 a[NV], b[NV];                                                                     \
    for (int c = 0; c < NV; c++) a[c] = b[c] = (ls_v4){0, 0, 0, 0};                         \
    size_t p = *cur;                                                                        \
    for (; p + 2 <= end && cidx[p + 1] < k1; p += 2) {                                      \
      const ls_v4 *u = (const ls_v4 *)(dpad + (cidx[p] - k0) * wp);                        \
      const ls_v4 *v = (const ls_v4 *)(dpad + (cidx[p + 1] - k0) * wp);                    \
      double x0 = cval[p], x1 = cval[p + 1];                                                \
      for (int c = 0; c < NV; c++) a[c] += x0 * u[c], b[c] += x1 * v[c];                    \
    }                                                                                       \
    if (p < end && cidx[p] < k1) {                                                          \
      const ls_v4 *u = (const ls_v4 *)(dpad + (cidx[p] - k0) * wp);                        \
      for (int c = 0; c < NV; c++) a[c] += cval[p] * u[c];                                  \
      p++;                                                                                  \
    }                                                                                       \
    *cur = p;                                                                               \
    ls_v4 *r = (ls_v4 *)accj;                                                               \
    for (int c = 0; c < NV; c++) r[c] += a[c] + b[c];                                       \
  }
SP_GRAD(1)
SP_GRAD(2)
SP_GRAD(3)
SP_GRAD(4)

void ls_gm_sparse_start(const ls_data_sparse *xs, size_t k0, size_t *cur) {
  for (int j = 0; j < xs->din; j++) { /* first nonzero of column j at sample >= k0 */
    size_t lo = xs->cptr[j], hi = xs->cptr[j + 1];
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (xs->cidx[mid] < k0) lo = mid + 1;
      else hi = mid;
    }
    cur[j] = lo;
  }
}

void ls_gm_sparse_stash(size_t k0, size_t nb, int wo, const double *dl, ls_gm_sp *sp) {
  size_t wp = LS_SP_PAD(wo);
  if (sp->count == 0) sp->first = k0;
  double *d = sp->dpad + (k0 - sp->first) * wp;
  for (size_t k = 0; k < nb; k++) { /* Delta_1 rows padded with zeros to wp */
    memcpy(d + k * wp, dl + k * wo, (size_t)wo * sizeof(double));
    for (size_t o = (size_t)wo; o < wp; o++) d[k * wp + o] = 0.0;
  }
  sp->count += nb;
}

LS_HOT void ls_gm_sparse_grad(const ls_data_sparse *xs, int wo, ls_gm_sp *sp) {
  size_t wp = LS_SP_PAD(wo), k0 = sp->first, k1 = k0 + sp->count;
  sp->count = 0;
  for (int j = 0; j < xs->din; j++) {
    size_t end = xs->cptr[j + 1];
    if (j + 8 < xs->din) { /* the columns' cursors lie far apart: fetch ahead */
      __builtin_prefetch(xs->cidx + sp->cur[j + 8]);
      __builtin_prefetch(xs->cval + sp->cur[j + 8]);
    }
    if (sp->cur[j] >= end || xs->cidx[sp->cur[j]] >= k1) continue;
    size_t c0 = sp->cur[j], c = c0;
    for (size_t o0 = 0; o0 < wp; o0 += 16) { /* 16 outputs (4 vectors) a pass */
      double *accj = sp->acc + (size_t)j * wp + o0;
      const double *d0 = sp->dpad + o0;
      c = c0;
      switch ((wp - o0 < 16 ? wp - o0 : 16) / 4) {
        case 1: grad1(xs->cidx, xs->cval, &c, end, k0, k1, d0, wp, accj); break;
        case 2: grad2(xs->cidx, xs->cval, &c, end, k0, k1, d0, wp, accj); break;
        case 3: grad3(xs->cidx, xs->cval, &c, end, k0, k1, d0, wp, accj); break;
        default: grad4(xs->cidx, xs->cval, &c, end, k0, k1, d0, wp, accj); break;
      }
    }
    sp->cur[j] = c;
  }
}

void ls_gm_sparse_fold(const ls_net *net, double *acc, double *g) {
  int wi = net->width[0], wo = net->width[1];
  size_t wp = LS_SP_PAD(wo);
  double *gW = g + ls_net_w_offset(net, 1);
  for (int i = 0; i < wo; i++)
    for (int j = 0; j < wi; j++) gW[(size_t)i * wi + j] += acc[(size_t)j * wp + i];
}

void ls_gm_sparse_clear(const ls_net *net, double *acc) {
  memset(acc, 0, (size_t)net->width[0] * LS_SP_PAD(net->width[1]) * sizeof *acc);
}
