/* The BLAS engine: the dense Hessian, by the R-operator of gemm_hvp.c carried for T unit
 * directions at once (the method of hessian.c, on matrix products).
 *
 * The directions are the unit vectors of chunks of at most T columns inside one layer m;
 * they do not touch layers below m, so a chunk runs forward from m and backward down to m
 * and fills the rows of layers >= m, the rest coming from symmetry (ls_hessian_finish).
 * Tangent arrays are [k][t][u] (sample k, direction t, unit u), so that each is at once
 * nb T rows of a layer and nb rows of T w_l values:
 *   forward   R Z_l = R A_{l-1} W_l^T              (nb T x w_l: one dgemm; l > m)
 *             R Z_m = the unit direction's term: column i of R Z_m is A_{m-1} e_j for
 *             W_m(i, j), ones for b_m(i)
 *             R A_l = D1_l * R Z_l
 *   output    R E_L = C R A_L
 *   backward  R Delta_l = D1_l * R E_l + D2_l * E_l * R Z_l
 *             R grad W_l += R Delta_l^T A_{l-1}    ((T w_l) x w_{l-1}: one dgemm)
 *                         + Delta_l^T R A_{l-1}    (w_l x (T w_{l-1}): one dgemm; l > m)
 *             R E_{l-1} = R Delta_l W_l           (nb T x w_{l-1}: one dgemm)
 * (no V_l^T Delta_l term: the pass stops at layer m).  Each chunk sums its blocks in block
 * order into its own scratch (per layer the two products' layouts [t][i][j] and [i][t][j]
 * and the bias sums [t][i]), added into the chunk's columns of H at its end.  Chunks may run
 * on separate OpenMP threads (OpenBLAS on one thread inside each) and write disjoint
 * columns, so the result does not depend on the thread count, bit for bit. */
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
  double *s1[LS_MAX_LAYERS + 1], *s2[LS_MAX_LAYERS + 1], *sb[LS_MAX_LAYERS + 1]; /* sums */
  size_t slen; /* doubles of the sums (s1[1] .. the last sb), zeroed per chunk */
} gh_tan;

/* Lays out the tangents of T directions over nb samples and the chunk's sums in buf
 * (NULL: only counts). */
static size_t gh_layout(const ls_net *net, size_t nb, size_t T, double *buf, gh_tan *t) {
  size_t off = 0, s;
  if (buf) memset(t, 0, sizeof *t);
  for (int l = 1; l <= net->n_layers; l++) {
    s = T * nb * (size_t)net->width[l];
    if (buf) t->rz[l] = buf + off, t->ra[l] = buf + off + s, t->rd[l] = buf + off + 2 * s;
    off += 3 * s;
  }
  if (buf) t->re = buf + off;
  off += T * nb * (size_t)ls_net_max_width(net);
  size_t s0 = off;
  for (int l = 1; l <= net->n_layers; l++) {
    size_t ww = T * (size_t)net->width[l] * (size_t)net->width[l - 1];
    if (buf) t->s1[l] = buf + off, t->s2[l] = buf + off + ww, t->sb[l] = buf + off + 2 * ww;
    off += 2 * ww + T * (size_t)net->width[l];
  }
  if (buf) t->slen = off - s0;
  return off;
}

/* R Z_l and R A_l for l = m..L. */
static void gh_forward(const ls_net *net, const double *theta, size_t nb, const ls_gm_blk *b,
                       gh_tan *tn, int m, size_t c0, size_t T) {
  for (int l = m; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l), len = nb * (size_t)wo;
    double *rz = tn->rz[l];
    (void)len;
    if (l > m) {
      GEMM(CblasNoTrans, CblasTrans, T * nb, wo, wi, tn->ra[l - 1], wi, theta + offW, wi, 0.0,
           rz, wo);
    } else {
      const double *ain = l > 1 ? b->a[l - 1] : b->a0;
      memset(rz, 0, T * len * sizeof(double));
      for (size_t t = 0; t < T; t++) {
        size_t p = c0 + t - offW;
        double *z = rz + t * wo;
        if (p < (size_t)wo * wi)
          for (size_t k = 0; k < nb; k++) z[k * T * wo + p / wi] = ain[k * wi + p % wi];
        else
          for (size_t k = 0; k < nb; k++) z[k * T * wo + p - (size_t)wo * wi] = 1;
      }
    }
    const double *d1 = b->d1[l];
    for (size_t k = 0; k < nb; k++)
      for (size_t t = 0; t < T; t++) {
        const double *z = rz + (k * T + t) * wo, *dk = d1 + k * wo;
        double *r = tn->ra[l] + (k * T + t) * wo;
        for (int u = 0; u < wo; u++) r[u] = dk[u] * z[u];
      }
  }
}

/* R E_L = C R A_L (MSE: C = c_k I; NLL: c_k (diag p - p p^T)). */
static void gh_output(const ls_net *net, size_t nb, const ls_gm_blk *b, gh_tan *tn, size_t T) {
  int mo = net->width[net->n_layers];
  const double *ra = tn->ra[net->n_layers];
  for (size_t k = 0; k < nb; k++)
    for (size_t t = 0; t < T; t++) {
      const double *r = ra + (k * T + t) * mo, *p = b->p + k * mo;
      double *q = tn->re + (k * T + t) * mo, s = 0;
      if (net->loss == LS_LOSS_MSE) {
        for (int o = 0; o < mo; o++) q[o] = b->c[k] * r[o];
        continue;
      }
      for (int o = 0; o < mo; o++) s += p[o] * r[o];
      for (int o = 0; o < mo; o++) q[o] = b->c[k] * p[o] * (r[o] - s);
    }
}

/* Backward R pass from L down to m into the chunk's sums. */
static void gh_backward(const ls_net *net, const double *theta, size_t nb, const ls_gm_blk *b,
                        gh_tan *tn, int m, size_t T) {
  for (int l = net->n_layers; l >= m; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l), two = T * (size_t)wo, twi = T * (size_t)wi;
    const double *d1 = b->d1[l], *d2 = b->d2[l], *e = b->e[l], *rz = tn->rz[l];
    double *rd = tn->rd[l];
    for (size_t k = 0; k < nb; k++)
      for (size_t t = 0; t < T; t++) {
        size_t o = (k * T + t) * wo;
        const double *d1k = d1 + k * wo, *d2k = d2 + k * wo, *ek = e + k * wo;
        for (int u = 0; u < wo; u++)
          rd[o + u] = d1k[u] * tn->re[o + u] + d2k[u] * ek[u] * rz[o + u];
      }
    const double *ain = l > 1 ? b->a[l - 1] : b->a0;
    GEMM(CblasTrans, CblasNoTrans, two, wi, nb, rd, two, ain, wi, 1.0, tn->s1[l], wi);
    if (l > m)
      GEMM(CblasTrans, CblasNoTrans, wo, twi, nb, b->dl[l], wo, tn->ra[l - 1], twi, 1.0,
           tn->s2[l], twi);
    if (net->bias[l])
      for (size_t k = 0; k < nb; k++)
        for (size_t i = 0; i < two; i++) tn->sb[l][i] += rd[k * two + i];
    if (l == m) break;
    GEMM(CblasNoTrans, CblasNoTrans, nb * T, wi, wo, rd, wo, theta + offW, wi, 0.0, tn->re, wi);
  }
}

/* The chunk's sums into columns c0 .. c0+T-1 of H, rows of layers >= m. */
static void gh_store(const ls_net *net, const gh_tan *tn, int m, size_t c0, size_t T, double *H,
                     size_t P) {
  for (int l = m; l <= net->n_layers; l++) {
    size_t wi = (size_t)net->width[l - 1], wo = (size_t)net->width[l];
    size_t offW = ls_net_w_offset(net, l);
    for (size_t i = 0; i < wo; i++)
      for (size_t j = 0; j < wi; j++) {
        double *h = H + (offW + i * wi + j) * P + c0;
        for (size_t t = 0; t < T; t++)
          h[t] = tn->s1[l][(t * wo + i) * wi + j] + (l > m ? tn->s2[l][(i * T + t) * wi + j] : 0);
      }
    if (net->bias[l]) {
      size_t offb = ls_net_b_offset(net, l);
      for (size_t i = 0; i < wo; i++)
        for (size_t t = 0; t < T; t++) H[(offb + i) * P + c0 + t] = tn->sb[l][t * wo + i];
    }
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
  size_t per = blen + tlen;
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
    double *mine = buf + (size_t)omp_get_thread_num() * per;
    ls_gm_blk b;
    gh_tan tn;
    memset(&tn, 0, sizeof tn);
    ls_gm_layout(net, nb, 1, mine, &b);
    size_t Tc = ch[c].T;
    gh_layout(net, nb, Tc, mine + blen, &tn);
    memset(tn.s1[1], 0, tn.slen * sizeof(double));
    for (size_t k0 = 0; k0 < n; k0 += nb) {
      size_t cnt = n - k0 < nb ? n - k0 : nb;
      ls_gm_forward(net, theta, d->x, k0, cnt, &b, 1);
      ls_gm_output(net, d, k0, cnt, &b, 1);
      ls_gm_backward(net, theta, cnt, &b, NULL, 1);
      gh_forward(net, theta, cnt, &b, &tn, ch[c].m, ch[c].c0, Tc);
      gh_output(net, cnt, &b, &tn, Tc);
      gh_backward(net, theta, cnt, &b, &tn, ch[c].m, Tc);
    }
    gh_store(net, &tn, ch[c].m, ch[c].c0, Tc, H, P);
  }
  ls_gm_blas_restore(w, par, blas_old);
  free(ch), free(buf);
  return ls_hessian_finish(net, H, P);
}
