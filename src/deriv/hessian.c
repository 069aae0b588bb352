/* Exact Hessian and Hessian-vector product of the loss of an MLP.
 *
 * Method: forward-mode differentiation of backpropagation (Pearlmutter 1994, the
 * "R-operator"), carried for T tangent directions at once.  For a direction V of the
 * parameters (V_l, v_l the parts of W_l, b_l), with R{.} the directional derivative:
 *   forward   R z_l = W_l R a_{l-1} + V_l a_{l-1} + v_l,     R a_l = act_l'(z_l) R z_l
 *   output    R e_L = C R a_L  (C = d^2 loss / df^2, sample weight included)
 *   backward  R delta_l = act_l'(z_l) R e_l + act_l''(z_l) e_l R z_l,
 *             R e_{l-1} = W_l^T R delta_l + V_l^T delta_l
 *   result    R grad W_l = sum_k R delta_l a_{l-1}^T + delta_l R a_{l-1}^T,
 *             R grad b_l = sum_k R delta_l
 * where e_l = dloss/da_l and delta_l = dloss/dz_l.  H v = R grad for direction v.
 *
 * Dense Hessian: the directions are the unit vectors, taken in chunks of columns that
 * lie in one layer m.  Unit directions of layer m do not touch layers below m (R a_l = 0
 * for l < m), so each chunk runs forward from m and backward down to m only and fills
 * the rows of layers >= m; the other half comes from symmetry.  Chunks write disjoint
 * columns and may run on separate OpenMP threads: the result is bitwise the same
 * whatever the thread count. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "simd.h"
#include "work.h"

#define H_TMAX 64          /* most tangent directions per chunk                */
#define H_BUDGET (1 << 18) /* doubles of tangent scratch per thread (2 MiB)    */

typedef struct {
  int dense;        /* 0: unit directions c0..c0+T-1 (all in layer m); 1: vector v */
  int m, T;
  size_t c0;
  const double *v;
} dirset;

static size_t tan_per_sample(const ls_net *net) {
  size_t s = 0;
  for (int l = 1; l <= net->n_layers; l++) s += 3 * (size_t)net->width[l];
  return s + (size_t)ls_net_max_width(net);
}

static ls_status tan_alloc(ls_tan *t, const ls_net *net, size_t nb, size_t T) {
  memset(t, 0, sizeof *t);
  t->buf = calloc(tan_per_sample(net) * nb * T + T, sizeof(double));
  if (!t->buf) return LS_ERR_NOMEM;
  t->cap_nb = nb, t->cap_t = T;
  double *p = t->buf;
  for (int l = 1; l <= net->n_layers; l++) {
    size_t s = (size_t)net->width[l] * nb * T;
    t->rz[l] = p, p += s;
    t->ra[l] = p, p += s;
    t->rd[l] = p, p += s;
  }
  t->re = p, p += (size_t)ls_net_max_width(net) * nb * T;
  t->acc = p;
  return LS_OK;
}

/* Scratch for the Hessian passes, allocated once per workspace. */
static ls_status ensure_scratch(ls_work *w) {
  if (w->h_ready) return LS_OK;
  const ls_net *net = &w->net;
  size_t T = H_TMAX, nb = H_BUDGET / (tan_per_sample(net) * T);
  if (nb < 8) nb = 8;
  if (nb > LS_GRAD_BLOCK) nb = LS_GRAD_BLOCK;
  if (nb > w->n) nb = w->n ? w->n : 1;
  w->hblk = calloc((size_t)w->nthreads, sizeof *w->hblk);
  w->htan = calloc((size_t)w->nthreads, sizeof *w->htan);
  if (!w->hblk || !w->htan) return LS_ERR_NOMEM;
  for (int t = 0; t < w->nthreads; t++)
    if (ls_blk_alloc(&w->hblk[t], net, nb, 1) != LS_OK || tan_alloc(&w->htan[t], net, nb, T) != LS_OK) {
      for (int u = 0; u <= t; u++) ls_blk_free(&w->hblk[u]), free(w->htan[u].buf);
      free(w->hblk), free(w->htan);
      w->hblk = NULL, w->htan = NULL;
      return LS_ERR_NOMEM;
    }
  w->h_nb = nb, w->h_t = T;
  w->h_ready = 1;
  return LS_OK;
}

/* delta_l and e_l = dloss/da_l for l = L..1 (after ls_blk_output filled e_L, dl_L). */
LS_HOT static void blk_backward(const ls_net *net, const double *theta, size_t nb, ls_blk *b) {
  for (int l = net->n_layers; l >= 2; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    for (int j = 0; j < wi; j++) {
      double *ej = b->e[l - 1] + (size_t)j * nb, *dj = b->dl[l - 1] + (size_t)j * nb;
      const double *d1j = b->d1[l - 1] + (size_t)j * nb;
      for (size_t k = 0; k < nb; k++) ej[k] = 0;
      for (int i = 0; i < wo; i++) {
        double wij = W[(size_t)i * wi + j];
        const double *di = b->dl[l] + (size_t)i * nb;
#pragma omp simd
        for (size_t k = 0; k < nb; k++) ej[k] += wij * di[k];
      }
#pragma omp simd
      for (size_t k = 0; k < nb; k++) dj[k] = ej[k] * d1j[k];
    }
  }
}

/* dst[i] = sum_j M[i,j] src[j] for i < rows, each dst/src row of len doubles
 * (M row-major rows x cols, transposed when trans: M is cols x rows). */
LS_HOT static void rows_combine(int rows, int cols, const double *M, int trans,
                                const double *src, double *dst, size_t len) {
  for (int i = 0; i < rows; i++) {
    double *di = dst + (size_t)i * len;
    for (size_t q = 0; q < len; q++) di[q] = 0;
    for (int j = 0; j < cols; j++) {
      double mij = trans ? M[(size_t)j * rows + i] : M[(size_t)i * cols + j];
      if (mij == 0) continue;
      const double *sj = src + (size_t)j * len;
#pragma omp simd
      for (size_t q = 0; q < len; q++) di[q] += mij * sj[q];
    }
  }
}

/* One tangent pass over a block of nb samples: adds R grad for the directions D to
 * out(row, t) = out[row * ldo + t] for the rows of layers >= D->m. */
LS_HOT static void tan_pass(const ls_net *net, const double *theta, const ls_blk *b, size_t nb,
                            ls_tan *tn, const dirset *D, double *out, size_t ldo) {
  int L = net->n_layers, m = D->m;
  size_t T = (size_t)D->T, NT = nb * T;
  /* forward */
  for (int l = m; l <= L; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l);
    double *rz = tn->rz[l], *ra = tn->ra[l];
    if (l > m) rows_combine(wo, wi, theta + offW, 0, tn->ra[l - 1], rz, NT);
    else memset(rz, 0, (size_t)wo * NT * sizeof(double));
    if (!D->dense && l == m) {
      for (size_t t = 0; t < T; t++) {
        size_t p = D->c0 + t - offW;
        if (p < (size_t)wo * wi) {
          size_t i = p / wi, j = p % wi;
          const double *aj = b->a[l - 1] + j * nb;
          for (size_t k = 0; k < nb; k++) rz[(i * nb + k) * T + t] = aj[k];
        } else {
          size_t i = p - (size_t)wo * wi;
          for (size_t k = 0; k < nb; k++) rz[(i * nb + k) * T + t] = 1;
        }
      }
    } else if (D->dense) { /* T = 1: R z_l += V_l a_{l-1} + v_l */
      const double *V = D->v + offW, *vb = net->bias[l] ? D->v + ls_net_b_offset(net, l) : NULL;
      for (int i = 0; i < wo; i++) {
        double *ri = rz + (size_t)i * nb, c = vb ? vb[i] : 0;
        for (int j = 0; j < wi; j++) {
          double vij = V[(size_t)i * wi + j];
          const double *aj = b->a[l - 1] + (size_t)j * nb;
#pragma omp simd
          for (size_t k = 0; k < nb; k++) ri[k] += vij * aj[k];
        }
        if (c != 0)
          for (size_t k = 0; k < nb; k++) ri[k] += c;
      }
    }
    for (size_t ik = 0; ik < (size_t)wo * nb; ik++) {
      double s = b->d1[l][ik];
      double *r = ra + ik * T;
      const double *zr = rz + ik * T;
#pragma omp simd
      for (size_t t = 0; t < T; t++) r[t] = s * zr[t];
    }
  }
  /* output curvature: R e_L = C R a_L */
  int mo = net->width[L];
  double *re = tn->re;
  const double *raL = tn->ra[L];
  if (net->loss == LS_LOSS_MSE) {
    for (int o = 0; o < mo; o++)
      for (size_t k = 0; k < nb; k++) {
        double c = b->c[k];
        size_t ik = ((size_t)o * nb + k) * T;
#pragma omp simd
        for (size_t t = 0; t < T; t++) re[ik + t] = c * raL[ik + t];
      }
  } else {
    double *acc = tn->acc;
    for (size_t k = 0; k < nb; k++) {
      for (size_t t = 0; t < T; t++) acc[t] = 0;
      for (int o = 0; o < mo; o++) {
        double po = b->p[(size_t)o * nb + k];
        const double *r = raL + ((size_t)o * nb + k) * T;
        for (size_t t = 0; t < T; t++) acc[t] += po * r[t];
      }
      for (int o = 0; o < mo; o++) {
        double cp = b->c[k] * b->p[(size_t)o * nb + k];
        size_t ik = ((size_t)o * nb + k) * T;
        for (size_t t = 0; t < T; t++) re[ik + t] = cp * (raL[ik + t] - acc[t]);
      }
    }
  }
  /* backward */
  for (int l = L; l >= m; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l);
    double *rd = tn->rd[l];
    const double *rz = tn->rz[l];
    for (size_t ik = 0; ik < (size_t)wo * nb; ik++) {
      double s1 = b->d1[l][ik], s2e = b->d2[l][ik] * b->e[l][ik];
      double *r = rd + ik * T;
      const double *er = re + ik * T, *zr = rz + ik * T;
#pragma omp simd
      for (size_t t = 0; t < T; t++) r[t] = s1 * er[t] + s2e * zr[t];
    }
    /* rows of W_l and b_l */
    double *acc = tn->acc;
    const double *ain = b->a[l - 1], *ra_in = l > m ? tn->ra[l - 1] : NULL;
    for (int i = 0; i < wo; i++) {
      const double *di = b->dl[l] + (size_t)i * nb;
      for (int j = 0; j < wi; j++) {
        const double *aj = ain + (size_t)j * nb;
        for (size_t t = 0; t < T; t++) acc[t] = 0;
        for (size_t k = 0; k < nb; k++) {
          const double *r = rd + ((size_t)i * nb + k) * T;
          double ajk = aj[k];
#pragma omp simd
          for (size_t t = 0; t < T; t++) acc[t] += ajk * r[t];
          if (ra_in) {
            const double *q = ra_in + ((size_t)j * nb + k) * T;
            double dik = di[k];
#pragma omp simd
            for (size_t t = 0; t < T; t++) acc[t] += dik * q[t];
          }
        }
        double *o = out + (offW + (size_t)i * wi + j) * ldo;
        for (size_t t = 0; t < T; t++) o[t] += acc[t];
      }
      if (net->bias[l]) {
        for (size_t t = 0; t < T; t++) acc[t] = 0;
        for (size_t k = 0; k < nb; k++) {
          const double *r = rd + ((size_t)i * nb + k) * T;
#pragma omp simd
          for (size_t t = 0; t < T; t++) acc[t] += r[t];
        }
        double *o = out + (ls_net_b_offset(net, l) + (size_t)i) * ldo;
        for (size_t t = 0; t < T; t++) o[t] += acc[t];
      }
    }
    if (l == m) break;
    /* R e_{l-1} = W_l^T R delta_l (+ V_l^T delta_l) */
    rows_combine(wi, wo, theta + offW, 1, rd, re, NT);
    if (D->dense) {
      const double *V = D->v + offW;
      for (int j = 0; j < wi; j++) {
        double *rj = re + (size_t)j * nb;
        for (int i = 0; i < wo; i++) {
          double vij = V[(size_t)i * wi + j];
          const double *di = b->dl[l] + (size_t)i * nb;
#pragma omp simd
          for (size_t k = 0; k < nb; k++) rj[k] += vij * di[k];
        }
      }
    }
  }
}

static ls_status check_args(const ls_net *net, const ls_data *d, ls_work *w) {
  if (ls_work_check(net, d->n, w) != LS_OK || d->din != net->width[0] ||
      d->dout != net->width[net->n_layers])
    return LS_ERR_INPUT;
  return ensure_scratch(w);
}

/* Forward and backward of one block for the Hessian passes. */
static void blk_prepare(const ls_net *net, const ls_data *d, const double *theta, size_t k0,
                        size_t cnt, ls_blk *b) {
  ls_blk_forward(net, theta, d->x, k0, cnt, b, 1);
  ls_blk_output(net, d, k0, cnt, b, 1);
  blk_backward(net, theta, cnt, b);
}

ls_status ls_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                     ls_work *w) {
  ls_status st = check_args(net, d, w);
  if (st != LS_OK) return st;
  size_t P = w->nparams, n = d->n, nb = w->h_nb;
  int L = net->n_layers;
  /* chunks of at most h_t columns, each inside one layer */
  size_t nchunk = 0;
  for (int l = 1; l <= L; l++) {
    size_t Pl = ls_net_w_offset(net, l + 1) - ls_net_w_offset(net, l);
    nchunk += (Pl + w->h_t - 1) / w->h_t;
  }
  dirset *ch = malloc(nchunk * sizeof *ch);
  if (!ch) return LS_ERR_NOMEM;
  nchunk = 0;
  for (int l = 1; l <= L; l++) {
    size_t a = ls_net_w_offset(net, l), e = ls_net_w_offset(net, l + 1);
    for (size_t c = a; c < e; c += w->h_t)
      ch[nchunk++] = (dirset){0, l, (int)(e - c < w->h_t ? e - c : w->h_t), c, NULL};
  }
  memset(H, 0, P * P * sizeof(double));
  double work = (double)n * (double)P * (double)P;
  int par = nchunk > 1 && w->nthreads > 1 && work > 1e6;
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads) if (par)
  for (size_t c = 0; c < nchunk; c++) {
    int tid = omp_get_thread_num();
    ls_blk *b = &w->hblk[tid];
    for (size_t k0 = 0; k0 < n; k0 += nb) {
      size_t cnt = n - k0 < nb ? n - k0 : nb;
      blk_prepare(net, d, theta, k0, cnt, b);
      tan_pass(net, theta, b, cnt, &w->htan[tid], &ch[c], H + ch[c].c0, P);
    }
  }
  free(ch);
  /* Rows of layer < m in the columns of layer m come from symmetry; diagonal
   * blocks were computed in full and are averaged with their transpose. */
  int *layer = malloc(P * sizeof *layer);
  if (!layer) return LS_ERR_NOMEM;
  for (int l = 1; l <= L; l++)
    for (size_t i = ls_net_w_offset(net, l); i < ls_net_w_offset(net, l + 1); i++) layer[i] = l;
  int finite = 1;
  for (size_t r = 0; r < P; r++) {
    for (size_t c = r + 1; c < P; c++) {
      if (layer[r] == layer[c]) {
        double s = 0.5 * (H[r * P + c] + H[c * P + r]);
        H[r * P + c] = H[c * P + r] = s;
      } else {
        H[r * P + c] = H[c * P + r];
      }
    }
    finite &= isfinite(H[r * P + r]);
  }
  free(layer);
  return finite ? LS_OK : LS_ERR_COMPUTE;
}

ls_status ls_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                 double *Hv, ls_work *w) {
  ls_status st = check_args(net, d, w);
  if (st != LS_OK) return st;
  size_t P = w->nparams, n = d->n, nb = w->h_nb;
  dirset D = {1, 1, 1, 0, v};
  /* fixed groups of blocks, each into its own partial, summed in group order */
  size_t nblk = (n + nb - 1) / nb, ng = ls_groups(nblk);
  int par = ng > 1 && w->nthreads > 1 && (double)n * (double)P > 2e5;
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (par)
  for (size_t ig = 0; ig < ng; ig++) {
    int tid = omp_get_thread_num();
    double *part = w->part + ig * (P + 1);
    memset(part, 0, P * sizeof(double));
    for (size_t ib = ig * nblk / ng; ib < (ig + 1) * nblk / ng; ib++) {
      size_t k0 = ib * nb, cnt = n - k0 < nb ? n - k0 : nb;
      blk_prepare(net, d, theta, k0, cnt, &w->hblk[tid]);
      tan_pass(net, theta, &w->hblk[tid], cnt, &w->htan[tid], &D, part, 1);
    }
  }
  memcpy(Hv, w->part, P * sizeof(double));
  for (size_t ig = 1; ig < ng; ig++)
    for (size_t i = 0; i < P; i++) Hv[i] += w->part[ig * (P + 1) + i];
  for (size_t i = 0; i < P; i++)
    if (!isfinite(Hv[i])) return LS_ERR_COMPUTE;
  return LS_OK;
}
