/* The BLAS engine: the dense Hessian, by the R-operator of gemm_hvp.c carried for T unit
 * directions at once (the method of hessian.c, on matrix products).
 *
 * The directions are the unit vectors of chunks of at most T columns inside one layer m;
 * they do not touch layers below m, so a chunk runs forward from m and backward down to m
 * and fills the rows of layers >= m, the rest coming from symmetry (ls_hessian_finish).
 * Tangent arrays are direction-major, [t][k][u] (direction t, sample k, unit u), so that
 * each is at once T nb rows of a layer and T blocks of nb rows:
 *   forward   R Z_l = R A_{l-1} W_l^T              (T nb x w_l: one dgemm; l > m)
 *             R Z_m = the unit direction's term: column i of R Z_m is A_{m-1} e_j for
 *             W_m(i, j), ones for b_m(i)
 *             R A_l = D1_l * R Z_l
 *   output    R E_L = C R A_L
 *   backward  R Delta_l = D1_l * R E_l + D2_l * E_l * R Z_l
 *             R grad W_l (direction t) += R Delta_l,t^T A_{l-1} + Delta_l^T R A_{l-1},t
 *                                             (two dgemm per direction, w_l x w_{l-1})
 *             R E_{l-1} = R Delta_l W_l       (T nb x w_{l-1}: one dgemm)
 * (no V_l^T Delta_l term: the pass stops at layer m).  Each chunk sums its blocks in block
 * order into its own T x P scratch; chunks may run on separate OpenMP threads (OpenBLAS on
 * one thread inside each) and write disjoint columns, so the result does not depend on
 * the thread count, bit for bit. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define GH_TMAX 64 /* directions per chunk at most */

#define GEMM(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)                                   \
  cblas_dgemm(CblasRowMajor, ta, tb, (int)(M), (int)(N), (int)(K), 1.0, A, lda, B, ldb, beta, \
              C, ldc)

typedef struct {
  double *rz[LS_MAX_LAYERS + 1], *ra[LS_MAX_LAYERS + 1], *rd[LS_MAX_LAYERS + 1], *re;
} gh_tan;

/* Lays out the tangents of T directions over nb samples in buf (NULL: only counts). */
static size_t gh_layout(const ls_net *net, size_t nb, size_t T, double *buf, gh_tan *t) {
  size_t off = 0, s;
  if (buf) memset(t, 0, sizeof *t);
  for (int l = 1; l <= net->n_layers; l++) {
    s = T * nb * (size_t)net->width[l];
    if (buf) t->rz[l] = buf + off, t->ra[l] = buf + off + s, t->rd[l] = buf + off + 2 * s;
    off += 3 * s;
  }
  if (buf) t->re = buf + off;
  return off + T * nb * (size_t)ls_net_max_width(net);
}

/* R Z_l and R A_l for l = m..L. */
static void gh_forward(const ls_net *net, const double *theta, size_t nb, const ls_gm_blk *b,
                       gh_tan *tn, int m, size_t c0, size_t T) {
  for (int l = m; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l), len = nb * (size_t)wo;
    double *rz = tn->rz[l];
    if (l > m) {
      GEMM(CblasNoTrans, CblasTrans, T * nb, wo, wi, tn->ra[l - 1], wi, theta + offW, wi, 0.0,
           rz, wo);
    } else {
      const double *ain = l > 1 ? b->a[l - 1] : b->a0;
      memset(rz, 0, T * len * sizeof(double));
      for (size_t t = 0; t < T; t++) {
        size_t p = c0 + t - offW;
        double *z = rz + t * len;
        if (p < (size_t)wo * wi)
          for (size_t k = 0; k < nb; k++) z[k * wo + p / wi] = ain[k * wi + p % wi];
        else
          for (size_t k = 0; k < nb; k++) z[k * wo + p - (size_t)wo * wi] = 1;
      }
    }
    const double *d1 = b->d1[l];
    for (size_t t = 0; t < T; t++)
      for (size_t i = 0; i < len; i++) tn->ra[l][t * len + i] = d1[i] * rz[t * len + i];
  }
}

/* R E_L = C R A_L (MSE: C = c_k I; NLL: c_k (diag p - p p^T)). */
static void gh_output(const ls_net *net, size_t nb, const ls_gm_blk *b, gh_tan *tn, size_t T) {
  int mo = net->width[net->n_layers];
  const double *ra = tn->ra[net->n_layers];
  for (size_t t = 0; t < T; t++)
    for (size_t k = 0; k < nb; k++) {
      const double *r = ra + (t * nb + k) * mo, *p = b->p + k * mo;
      double *q = tn->re + (t * nb + k) * mo, s = 0;
      if (net->loss == LS_LOSS_MSE) {
        for (int o = 0; o < mo; o++) q[o] = b->c[k] * r[o];
        continue;
      }
      for (int o = 0; o < mo; o++) s += p[o] * r[o];
      for (int o = 0; o < mo; o++) q[o] = b->c[k] * p[o] * (r[o] - s);
    }
}

/* Backward R pass from L down to m, R grad of direction t added to S + t P. */
static void gh_backward(const ls_net *net, const double *theta, size_t nb, const ls_gm_blk *b,
                        gh_tan *tn, int m, size_t T, double *S, size_t P) {
  for (int l = net->n_layers; l >= m; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l), len = nb * (size_t)wo, lin = nb * (size_t)wi;
    const double *d1 = b->d1[l], *d2 = b->d2[l], *e = b->e[l], *rz = tn->rz[l];
    double *rd = tn->rd[l];
    for (size_t t = 0; t < T; t++)
      for (size_t i = 0; i < len; i++)
        rd[t * len + i] = d1[i] * tn->re[t * len + i] + d2[i] * e[i] * rz[t * len + i];
    const double *ain = l > 1 ? b->a[l - 1] : b->a0;
    for (size_t t = 0; t < T; t++) {
      double *st = S + t * P;
      GEMM(CblasTrans, CblasNoTrans, wo, wi, nb, rd + t * len, wo, ain, wi, 1.0, st + offW, wi);
      if (l > m)
        GEMM(CblasTrans, CblasNoTrans, wo, wi, nb, b->dl[l], wo, tn->ra[l - 1] + t * lin, wi,
             1.0, st + offW, wi);
      if (net->bias[l]) {
        double *sb = st + ls_net_b_offset(net, l);
        for (size_t k = 0; k < nb; k++)
          for (int i = 0; i < wo; i++) sb[i] += rd[t * len + k * wo + i];
      }
    }
    if (l == m) break;
    GEMM(CblasNoTrans, CblasNoTrans, T * nb, wi, wo, rd, wo, theta + offW, wi, 0.0, tn->re, wi);
  }
}

typedef struct {
  int m;
  size_t c0, T;
} gh_chunk;

/* Chunks of at most T columns, each inside one layer; returns their number (NULL: count). */
static size_t gh_chunks(const ls_net *net, size_t T, gh_chunk *ch) {
  size_t n = 0;
  for (int l = 1; l <= net->n_layers; l++) {
    size_t a = ls_net_w_offset(net, l), e = ls_net_w_offset(net, l + 1);
    for (size_t c = a; c < e; c += T, n++)
      if (ch) ch[n] = (gh_chunk){l, c, e - c < T ? e - c : T};
  }
  return n;
}

ls_status ls_gemm_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                          ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK || d->din != net->width[0] ||
      d->dout != net->width[net->n_layers])
    return LS_ERR_INPUT;
  size_t n = d->n, P = w->nparams, nb = ls_gm_block(net, w->n, 1), T = GH_TMAX;
  size_t nchunk = gh_chunks(net, T, NULL);
  size_t blen = ls_gm_layout(net, nb, 1, NULL, NULL), tlen = gh_layout(net, nb, T, NULL, NULL);
  size_t per = blen + tlen + T * P;
  int nthr = w->nthreads < (int)nchunk ? w->nthreads : (int)nchunk;
  if (nthr < 1) nthr = 1;
  gh_chunk *ch = malloc(nchunk * sizeof *ch);
  double *buf = malloc((size_t)nthr * per * sizeof(double));
  if (!ch || !buf) {
    free(ch), free(buf);
    return LS_ERR_NOMEM;
  }
  gh_chunks(net, T, ch);
  memset(H, 0, P * P * sizeof(double));
  int par = nthr > 1;
  int blas_old = ls_gm_blas_threads(w, par);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthr) if (par)
  for (size_t c = 0; c < nchunk; c++) {
    double *mine = buf + (size_t)omp_get_thread_num() * per, *S = mine + blen + tlen;
    ls_gm_blk b;
    gh_tan tn;
    ls_gm_layout(net, nb, 1, mine, &b);
    size_t Tc = ch[c].T, r0 = ls_net_w_offset(net, ch[c].m);
    gh_layout(net, nb, Tc, mine + blen, &tn);
    memset(S, 0, Tc * P * sizeof(double));
    for (size_t k0 = 0; k0 < n; k0 += nb) {
      size_t cnt = n - k0 < nb ? n - k0 : nb;
      ls_gm_forward(net, theta, d->x, k0, cnt, &b, 1);
      ls_gm_output(net, d, k0, cnt, &b, 1);
      ls_gm_backward(net, theta, cnt, &b, NULL, 1);
      gh_forward(net, theta, cnt, &b, &tn, ch[c].m, ch[c].c0, Tc);
      gh_output(net, cnt, &b, &tn, Tc);
      gh_backward(net, theta, cnt, &b, &tn, ch[c].m, Tc, S, P);
    }
    for (size_t r = r0; r < P; r++) /* column c0 + t of H, rows of layers >= m */
      for (size_t t = 0; t < Tc; t++) H[r * P + ch[c].c0 + t] = S[t * P + r];
  }
  ls_gm_blas_restore(w, par, blas_old);
  free(ch), free(buf);
  return ls_hessian_finish(net, H, P);
}
