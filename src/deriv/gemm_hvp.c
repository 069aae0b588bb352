/* The BLAS engine: exact Hessian-vector product by the R-operator (Pearlmutter 1994),
 * on the sample blocks of gemm.c.  For the direction V (V_l, v_l the parts of W_l, b_l),
 * R{.} the directional derivative, with the block's forward/backward state kept:
 *   forward   R Z_l = R A_{l-1} W_l^T + A_{l-1} V_l^T + 1 v_l^T,  R A_l = D1_l * R Z_l
 *             (R A_0 = 0)
 *   output    R E_L = C R A_L,  C = d^2 loss/df^2 per sample (MSE 2 w_k I;
 *             NLL w_k sum(y) (diag p - p p^T))
 *   backward  R Delta_l = D1_l * R E_l + D2_l * E_l * R Z_l
 *             R grad W_l += R Delta_l^T A_{l-1} + Delta_l^T R A_{l-1},
 *             R grad b_l += 1^T R Delta_l,
 *             R E_{l-1} = R Delta_l W_l + Delta_l V_l
 * and H v = R grad (the same equations as hessian.c, there per unit and direction).
 * Blocks, groups and the ordered reduction are those of gemm.c: the result does not
 * depend on the thread count. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define GEMM(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)                                   \
  cblas_dgemm(CblasRowMajor, ta, tb, (int)(M), (int)(N), (int)(K), 1.0, A, lda, B, ldb, beta, \
              C, ldc)

/* R Z_l and R A_l for l = 1..L. */
static void tan_forward(const ls_net *net, const double *theta, const double *v, size_t nb,
                        ls_gm_blk *b) {
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *ain = l > 1 ? b->a[l - 1] : b->a0;
    double *rz = b->rz[l], beta = 0.0;
    if (net->bias[l]) {
      const double *vb = v + ls_net_b_offset(net, l);
      for (size_t k = 0; k < nb; k++) memcpy(rz + k * wo, vb, (size_t)wo * sizeof(double));
      beta = 1.0;
    }
    GEMM(CblasNoTrans, CblasTrans, nb, wo, wi, ain, wi, v + ls_net_w_offset(net, l), wi, beta,
         rz, wo);
    if (l > 1)
      GEMM(CblasNoTrans, CblasTrans, nb, wo, wi, b->ra[l - 1], wi,
           theta + ls_net_w_offset(net, l), wi, 1.0, rz, wo);
    const double *d1 = b->d1[l];
    for (size_t i = 0; i < nb * (size_t)wo; i++) b->ra[l][i] = d1[i] * rz[i];
  }
}

/* R E_L = C R A_L into b->re. */
static void tan_output(const ls_net *net, size_t nb, ls_gm_blk *b) {
  int m = net->width[net->n_layers];
  const double *ra = b->ra[net->n_layers];
  for (size_t k = 0; k < nb; k++) {
    const double *r = ra + k * m, *p = b->p + k * m;
    double *q = b->re + k * m, s = 0;
    if (net->loss == LS_LOSS_MSE) {
      for (int o = 0; o < m; o++) q[o] = b->c[k] * r[o];
      continue;
    }
    for (int o = 0; o < m; o++) s += p[o] * r[o];
    for (int o = 0; o < m; o++) q[o] = b->c[k] * p[o] * (r[o] - s);
  }
}

/* Backward R pass, R grad added to hv. */
static void tan_backward(const ls_net *net, const double *theta, const double *v, size_t nb,
                         ls_gm_blk *b, double *hv) {
  for (int l = net->n_layers; l >= 1; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t len = nb * (size_t)wo, offW = ls_net_w_offset(net, l);
    const double *d1 = b->d1[l], *d2 = b->d2[l], *e = b->e[l], *rz = b->rz[l];
    for (size_t i = 0; i < len; i++) b->rd[i] = d1[i] * b->re[i] + d2[i] * e[i] * rz[i];
    const double *ain = l > 1 ? b->a[l - 1] : b->a0;
    GEMM(CblasTrans, CblasNoTrans, wo, wi, nb, b->rd, wo, ain, wi, 1.0, hv + offW, wi);
    if (l > 1)
      GEMM(CblasTrans, CblasNoTrans, wo, wi, nb, b->dl[l], wo, b->ra[l - 1], wi, 1.0, hv + offW,
           wi);
    if (net->bias[l]) {
      double *hb = hv + ls_net_b_offset(net, l);
      for (size_t k = 0; k < nb; k++)
        for (int i = 0; i < wo; i++) hb[i] += b->rd[k * wo + i];
    }
    if (l == 1) break;
    GEMM(CblasNoTrans, CblasNoTrans, nb, wi, wo, b->rd, wo, theta + offW, wi, 0.0, b->re, wi);
    GEMM(CblasNoTrans, CblasNoTrans, nb, wi, wo, b->dl[l], wo, v + offW, wi, 1.0, b->re, wi);
  }
}

ls_status ls_gemm_hvp(const ls_net *net, const ls_data *d, const double *theta,
                      const double *v, double *Hv, ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK || d->din != net->width[0] ||
      d->dout != net->width[net->n_layers])
    return LS_ERR_INPUT;
  if (ls_gm_ready(w, 1) != LS_OK) return LS_ERR_NOMEM;
  size_t n = d->n, bs = ls_gm_block(net, w->n, 1), nblk = (n + bs - 1) / bs;
  size_t ng = ls_groups(nblk), P = w->nparams;
  int par = ng > 1 && w->nthreads > 1;
  int blas_old = ls_gm_blas_threads(w, par);
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (par)
  for (size_t ig = 0; ig < ng; ig++) {
    ls_gm_blk b;
    ls_gm_layout(net, bs, 1, w->gemm->h + (size_t)omp_get_thread_num() * w->gemm->hlen, &b);
    double *part = w->part + ig * (P + 1);
    memset(part, 0, P * sizeof(double));
    for (size_t ib = ig * nblk / ng; ib < (ig + 1) * nblk / ng; ib++) {
      size_t k0 = ib * bs, cnt = n - k0 < bs ? n - k0 : bs;
      ls_gm_forward(net, theta, d->x, k0, cnt, &b, 1);
      ls_gm_output(net, d, k0, cnt, &b, 1);
      ls_gm_backward(net, theta, cnt, &b, NULL, 1);
      tan_forward(net, theta, v, cnt, &b);
      tan_output(net, cnt, &b);
      tan_backward(net, theta, v, cnt, &b, part);
    }
  }
  ls_gm_blas_restore(w, par, blas_old);
  memcpy(Hv, w->part, P * sizeof(double));
  for (size_t ig = 1; ig < ng; ig++)
    for (size_t i = 0; i < P; i++) Hv[i] += w->part[ig * (P + 1) + i];
  for (size_t i = 0; i < P; i++)
    if (!isfinite(Hv[i])) return LS_ERR_COMPUTE;
  return LS_OK;
}
