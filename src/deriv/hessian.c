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
#include "core/simd.h"
#include "glu.h"
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
  t->buf = calloc(tan_per_sample(net) * nb * T + nb + T, sizeof(double));
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
  /* blocks long enough for the sample loops to vectorise (a multiple of 16, aiming at
   * >= 16 directions per chunk within the budget), then as many directions as fit */
  size_t ps = tan_per_sample(net), nb = H_BUDGET / (16 * ps) / 16 * 16;
  if (nb < 32) nb = 32;
  if (nb > LS_GRAD_BLOCK) nb = LS_GRAD_BLOCK;
  if (nb > w->n) nb = w->n ? w->n : 1;
  size_t T = H_BUDGET / (nb * ps);
  if (T > H_TMAX) T = H_TMAX;
  if (T < 1) T = 1;
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

/* Row (unit i, direction t) of a tangent array [unit][t][sample]. */
#define TROW(arr, i, t) ((arr) + ((size_t)(i) * T + (size_t)(t)) * nb)

/* One tangent pass over a block of nb samples: adds R grad for the directions D to
 * out(row, t) = out[row * ldo + t] for the rows of layers >= D->m.  Tangent arrays are
 * [unit][direction][sample], so every loop runs over samples (unit stride, vectorised). */
LS_HOT static void tan_pass(const ls_net *net, const double *theta, const ls_blk *b, size_t nb,
                            ls_tan *tn, const dirset *D, double *out, size_t ldo) {
  int L = net->n_layers, m = D->m;
  size_t T = (size_t)D->T;
  /* forward: R z_l, R a_l */
  for (int l = m; l <= L; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l);
    const double *W = theta + offW;
    double *rz = tn->rz[l], *ra = tn->ra[l];
    for (int i = 0; i < wo; i++)
      for (size_t t = 0; t < T; t++) {
        double *z = TROW(rz, i, t);
        if (l > m) ls_combine(z, 0.0, W + (size_t)i * wi, 1, wi, TROW(tn->ra[l - 1], 0, t), T * nb, nb, NULL);
        else memset(z, 0, nb * sizeof *z);
      }
    if (!D->dense && l == m) { /* unit direction: dz_i/dW_ij = a_j, dz_i/db_i = 1 */
      for (size_t t = 0; t < T; t++) {
        size_t p = D->c0 + t - offW;
        if (p < (size_t)wo * wi) memcpy(TROW(rz, p / wi, t), b->a[l - 1] + (p % wi) * nb, nb * sizeof(double));
        else {
          double *z = TROW(rz, p - (size_t)wo * wi, t);
          for (size_t k = 0; k < nb; k++) z[k] = 1;
        }
      }
    } else if (D->dense) { /* T = 1: R z_l += V_l a_{l-1} + v_l */
      const double *V = D->v + offW, *vb = net->bias[l] ? D->v + ls_net_b_offset(net, l) : NULL;
      for (int i = 0; i < wo; i++) {
        double *z = TROW(rz, i, 0), c = vb ? vb[i] : 0;
        for (int j = 0; j < wi; j++) {
          double vij = V[(size_t)i * wi + j];
          const double *aj = b->a[l - 1] + (size_t)j * nb;
#pragma omp simd
          for (size_t k = 0; k < nb; k++) z[k] += vij * aj[k];
        }
        if (c != 0)
          for (size_t k = 0; k < nb; k++) z[k] += c;
      }
    }
    for (int i = 0; i < wo; i++) {
      const double *d1 = b->d1[l] + (size_t)i * nb;
      for (size_t t = 0; t < T; t++) {
        const double *z = TROW(rz, i, t);
        double *r = TROW(ra, i, t);
#pragma omp simd
        for (size_t k = 0; k < nb; k++) r[k] = d1[k] * z[k];
      }
    }
  }
  /* output curvature: R e_L = C R a_L */
  int mo = net->width[L];
  double *re = tn->re, *acc = tn->acc;
  const double *raL = tn->ra[L];
  for (size_t t = 0; t < T; t++) {
    if (net->loss == LS_LOSS_MSE) {
      for (int o = 0; o < mo; o++) {
        const double *r = TROW(raL, o, t);
        double *q = TROW(re, o, t);
#pragma omp simd
        for (size_t k = 0; k < nb; k++) q[k] = b->c[k] * r[k];
      }
    } else { /* C = c (diag p - p p^T) */
      for (size_t k = 0; k < nb; k++) acc[k] = 0;
      for (int o = 0; o < mo; o++) {
        const double *r = TROW(raL, o, t), *p = b->p + (size_t)o * nb;
#pragma omp simd
        for (size_t k = 0; k < nb; k++) acc[k] += p[k] * r[k];
      }
      for (int o = 0; o < mo; o++) {
        const double *r = TROW(raL, o, t), *p = b->p + (size_t)o * nb;
        double *q = TROW(re, o, t);
#pragma omp simd
        for (size_t k = 0; k < nb; k++) q[k] = b->c[k] * p[k] * (r[k] - acc[k]);
      }
    }
  }
  /* backward */
  for (int l = L; l >= m; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    size_t offW = ls_net_w_offset(net, l);
    const double *W = theta + offW;
    double *rd = tn->rd[l];
    for (int i = 0; i < wo; i++) {
      const double *d1 = b->d1[l] + (size_t)i * nb, *d2 = b->d2[l] + (size_t)i * nb;
      const double *e = b->e[l] + (size_t)i * nb;
      for (size_t t = 0; t < T; t++) {
        const double *q = TROW(re, i, t), *z = TROW(tn->rz[l], i, t);
        double *r = TROW(rd, i, t);
#pragma omp simd
        for (size_t k = 0; k < nb; k++) r[k] = d1[k] * q[k] + d2[k] * e[k] * z[k];
      }
    }
    /* rows of W_l and b_l */
    const double *ain = b->a[l - 1], *ra_in = l > m ? tn->ra[l - 1] : NULL;
    for (int i = 0; i < wo; i++) {
      const double *di = b->dl[l] + (size_t)i * nb;
      for (int j = 0; j < wi; j++) {
        double *o = out + (offW + (size_t)i * wi + j) * ldo;
        const double *aj = ain + (size_t)j * nb;
        for (size_t t = 0; t < T; t++) {
          double s = ls_dot(aj, TROW(rd, i, t), nb);
          if (ra_in) s += ls_dot(di, TROW(ra_in, j, t), nb);
          o[t] += s;
        }
      }
      if (net->bias[l]) {
        double *o = out + (ls_net_b_offset(net, l) + (size_t)i) * ldo;
        for (size_t t = 0; t < T; t++) o[t] += ls_sum(TROW(rd, i, t), nb);
      }
    }
    if (l == m) break;
    /* R e_{l-1} = W_l^T R delta_l (+ V_l^T delta_l) */
    for (int j = 0; j < wi; j++)
      for (size_t t = 0; t < T; t++)
        ls_combine(TROW(re, j, t), 0.0, W + j, (size_t)wi, wo, TROW(rd, 0, t), T * nb, nb, NULL);
    if (D->dense) {
      const double *V = D->v + offW;
      for (int j = 0; j < wi; j++) {
        double *rj = TROW(re, j, 0);
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
#undef TROW

static ls_status check_args(const ls_net *net, const ls_data *d, ls_work *w) {
  if (ls_work_verify_data(net, d, w) != LS_OK) return LS_ERR_INPUT;
  return ls_work_result(w, ensure_scratch(w), "Hessian scratch");
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
  if (ls_net_n_glu(net)) /* networks with GLU units: glu.c */
    return ls_work_verify_data(net, d, w) ? LS_ERR_INPUT
                                          : ls_work_result(w, ls_glu_hessian(net, d, theta, H), "Hessian");
  if (w->engine == LS_ENGINE_BLAS) { /* gemm_hessian.c */
    if (ls_work_verify_data(net, d, w)) return LS_ERR_INPUT;
    return ls_hessian_result(w, ls_gemm_hessian(net, d, theta, H, w));
  }
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
  if (!ch) return ls_work_result(w, LS_ERR_NOMEM, "Hessian");
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
  return ls_hessian_result(w, ls_hessian_finish(net, H, P));
}

ls_status ls_hessian_result(ls_work *w, ls_status st) {
  return st == LS_ERR_COMPUTE ? ls_work_fail(w, st, "engine: the Hessian is not finite")
                              : ls_work_result(w, st, "Hessian");
}

ls_status ls_hessian_finish(const ls_net *net, double *H, size_t P) {
  /* Rows of layer < m in the columns of layer m come from symmetry; diagonal
   * blocks were computed in full and are averaged with their transpose. */
  int L = net->n_layers;
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
  if (ls_net_n_glu(net))
    return ls_work_verify_data(net, d, w) ? LS_ERR_INPUT
                                          : ls_work_result(w, ls_glu_hvp(net, d, theta, v, Hv), "Hessian-vector product");
  if (w->engine == LS_ENGINE_BLAS) /* gemm_hvp.c */
    return ls_work_verify_data(net, d, w) ? LS_ERR_INPUT
                                          : ls_work_result(w, ls_gemm_hvp(net, d, theta, v, Hv, w), "Hessian-vector product");
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
    if (!isfinite(Hv[i]))
      return ls_work_fail(w, LS_ERR_COMPUTE, "engine: the Hessian-vector product is not finite");
  return LS_OK;
}
