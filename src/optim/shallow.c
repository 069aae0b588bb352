/* Gauss-Newton matrix and exact Hessian of the MSE loss of a network with one hidden layer
 * and one output, in closed form (thesis section 3.5 for the Hessian of the squared loss).
 *
 * f(x) = sum_i a_i act(w_i . x + b_i) + c,  L = sum_k w_k r_k^2,  r_k = f(x_k) - y_k.
 * With J_k = grad_theta f(x_k):
 *   A = 2 sum_k w_k J_k J_k^T                    (Gauss-Newton, positive semi-definite)
 *   S = 2 sum_k w_k r_k hess_theta f(x_k)         (residual curvature)
 * and H = A + S. hess f(x_k) has nonzero blocks only inside a neuron: with u = (x_k, 1),
 *   d2f / d(w_i,b_i)^2 = a_i act''(z_ik) u u^T,   d2f / d(w_i,b_i) da_i = act'(z_ik) u.
 * One forward pass of the engine (ls_layers_forward), then one pass over the data; about a tenth of the cost of the general R-operator Hessian on
 * the thesis network, which is what makes a Newton-type step cost a few gradients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "core/simd.h"
#include "shallow.h"

/* Upper triangle of A += J J^T, J holding P rows of B entries (nb used, rows padded with
 * zeros to a multiple of 4 and the entries to a multiple of 8): 4 x 4 tiles of dot
 * products, eight running sums each in one vector (ls_v8 of simd.h: unaligned, may alias), so that
 * each step loads 8 vectors for 16 multiply-adds. OpenBLAS's syrk packs and tiles for
 * large matrices and is several times slower on 15 x 1681. */
/* always inlined: a 64-byte vector passed by value between the clones of LS_HOT functions
 * and a baseline-ISA function would not agree on the calling convention (-O0 builds) */
static inline __attribute__((always_inline)) double hsum8(ls_v8 v) {
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}
LS_HOT static void syrk_upper(size_t P, size_t nb, const double *J, double *A) {
  const size_t B = LS_SHALLOW_BLOCK, n8 = (nb + 7) / 8 * 8;
  for (size_t p0 = 0; p0 < P; p0 += 4)
    for (size_t q0 = p0; q0 < P; q0 += 4) {
      ls_v8 s[4][4] = {{{0}}};
      const double *Jp = J + p0 * B, *Jq = J + q0 * B;
      for (size_t k = 0; k < n8; k += 8) {
        ls_v8 x[4], y[4];
        for (int a = 0; a < 4; a++) x[a] = *(const ls_v8 *)(Jp + a * B + k), y[a] = *(const ls_v8 *)(Jq + a * B + k);
        for (int a = 0; a < 4; a++)
          for (int b = 0; b < 4; b++) s[a][b] += x[a] * y[b];
      }
      for (size_t a = 0; a < 4 && p0 + a < P; a++)
        for (size_t b = 0; b < 4 && q0 + b < P; b++)
          if (q0 + b >= p0 + a) A[(p0 + a) * P + q0 + b] += hsum8(s[a][b]);
    }
}

int ls_shallow_applies(const ls_objective *o) {
  const ls_net *net = o->net;
  return net->n_layers == 2 && net->width[2] == 1 && net->loss == LS_LOSS_MSE && !net->glu[1] &&
         net->act[2].kind == LS_ACT_IDENTITY && !(o->pen.max_norm > 0 && o->pen.barrier > 0) &&
         !(o->pen.merge_lambda > 0);
}

void ls_shallow_free(ls_shallow *s) {
  if (!s) return;
  free(s->buf), free(s->idx), free(s->w2);
  ls_layers_free(s->lay);
  memset(s, 0, sizeof *s);
}

ls_status ls_shallow_alloc(ls_shallow *s, const ls_objective *o) {
  memset(s, 0, sizeof *s);
  const ls_net *net = o->net;
  size_t m = (size_t)net->width[1], din = (size_t)net->width[0], B = LS_SHALLOW_BLOCK;
  s->P = o->P;
  s->u = (int)din + (net->bias[1] ? 1 : 0);
  /* z, act', act'', u columns (u x B, the last one all ones for the bias), J (B x P),
   * f (or one value per neuron), sqrt(2 w), 2 w r, scratch */
  size_t P4 = (s->P + 3) / 4 * 4; /* J rows padded with zero rows for syrk_upper */
  s->buf = calloc(3 * m * B + (size_t)s->u * B + B * P4 + 5 * B + m, sizeof(double));
  s->idx = malloc(m * (size_t)s->u * sizeof *s->idx);
  s->w2 = malloc(2 * o->data->n * sizeof(double));
  s->lay = ls_layers_alloc(net, o->data->n, NULL);
  if (!s->buf || !s->idx || !s->w2 || !s->lay) {
    ls_shallow_free(s);
    return LS_ERR_NOMEM;
  }
  for (size_t i = 0; i < m; i++)
    for (int j = 0; j < s->u; j++)
      s->idx[i * s->u + j] = (size_t)j < din ? ls_net_w_offset(net, 1) + i * din + j
                                            : ls_net_b_offset(net, 1) + i;
  /* the data's weights do not change: 2 w_k and its square root once */
  for (size_t k = 0; k < o->data->n; k++) {
    s->w2[k] = 2 * ls_data_weight(o->data, k);
    s->w2[o->data->n + k] = sqrt(s->w2[k]);
  }
  return LS_OK;
}

LS_HOT ls_status ls_shallow_matrices(ls_shallow *s, const ls_objective *o, const double *theta,
                                     double *A, double *S) {
  const ls_net *net = o->net;
  const ls_data *d = o->data;
  const size_t B = LS_SHALLOW_BLOCK, P = s->P, n = d->n;
  const int din = net->width[0], m = net->width[1], u = s->u;
  const size_t oa = ls_net_w_offset(net, 2);
  const double *a = theta + oa;
  ls_status st = ls_layers_forward(net, theta, n, d->x, s->lay, NULL);
  if (st) return st;
  const double *Z = ls_layers_z(s->lay, 1), *F = ls_layers_a(s->lay, 2);
  double *z = s->buf, *d1 = z + m * B, *d2 = d1 + m * B, *uc = d2 + m * B, *J = uc + u * B;
  double *f = J + B * ((P + 3) / 4 * 4), *cr = f + (B > (size_t)m ? B : (size_t)m), *e1 = cr + B;
  memset(A, 0, P * P * sizeof(double));
  if (S) memset(S, 0, P * P * sizeof(double));
  for (size_t k0 = 0; k0 < n; k0 += B) {
    const size_t nb = n - k0 < B ? n - k0 : B;
    const double *x = d->x + k0 * din, *y = d->y + k0, *w2 = s->w2 + k0, *sw = s->w2 + n + k0;
    for (int j = 0; j < din; j++)
      for (size_t k = 0; k < nb; k++) uc[j * B + k] = x[k * din + j];
    if (u > din)
      for (size_t k = 0; k < nb; k++) uc[din * B + k] = 1;
    /* the hidden pre-activations of the block, unit-major, then act, act', act'' */
    for (int i = 0; i < m; i++) {
      double *zi = z + i * B;
      for (size_t k = 0; k < nb; k++) zi[k] = Z[(k0 + k) * m + i];
      ls_act_apply(&net->act[1], nb, zi, zi, d1 + i * B, S ? d2 + i * B : NULL);
    }
    for (size_t k = 0; k < nb; k++) f[k] = F[k0 + k];
    for (size_t k = 0; k < nb; k++) cr[k] = w2[k] * (f[k] - y[k]);
    /* columns sqrt(2 w_k) J_k (J is P x B, one row per parameter), then A += J J^T */
    for (int i = 0; i < m; i++) {
      const double *d1i = d1 + i * B, *zi = z + i * B;
      for (size_t k = 0; k < nb; k++) e1[k] = sw[k] * a[i] * d1i[k];
      for (int j = 0; j < u; j++) {
        double *Jp = J + s->idx[i * u + j] * B;
        const double *uj = uc + j * B;
        for (size_t k = 0; k < nb; k++) Jp[k] = e1[k] * uj[k];
      }
      double *Ja = J + (oa + i) * B;
      for (size_t k = 0; k < nb; k++) Ja[k] = sw[k] * zi[k];
    }
    if (net->bias[2]) memcpy(J + ls_net_b_offset(net, 2) * B, sw, nb * sizeof(double));
    if (nb % 8) /* the last block: zero the entries up to the vector length */
      for (size_t p = 0; p < P; p++) memset(J + p * B + nb, 0, (8 - nb % 8) * sizeof(double));
    syrk_upper(P, nb, J, A);
    /* S, within-neuron blocks: E1 = 2 w r act' and E2 = 2 w r a act'' (m x B, over the
     * neurons at once), S_(u_j, a_i) = (E1 u_j)_i, S_(u_j, u_l) = (E2 (u_j o u_l))_i */
    for (int i = 0; i < m && S; i++) {
      const double *d1i = d1 + i * B, *d2i = d2 + i * B;
      double *E1 = z + i * B, *E2 = d2 + i * B; /* act values are no longer needed */
      for (size_t k = 0; k < nb; k++) E1[k] = cr[k] * d1i[k];
      for (size_t k = 0; k < nb; k++) E2[k] = cr[k] * a[i] * d2i[k];
    }
    for (int j = 0; j < u && S; j++) {
      cblas_dgemv(CblasRowMajor, CblasNoTrans, m, (int)nb, 1.0, z, (int)B, uc + j * B, 1, 0.0, f, 1);
      for (int i = 0; i < m; i++) S[s->idx[i * u + j] * P + oa + i] += f[i];
      for (int l = j; l < u; l++) {
        const double *uj = uc + j * B, *ul = uc + l * B;
        for (size_t k = 0; k < nb; k++) e1[k] = uj[k] * ul[k];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, m, (int)nb, 1.0, d2, (int)B, e1, 1, 0.0, f, 1);
        for (int i = 0; i < m; i++) S[s->idx[i * u + j] * P + s->idx[i * u + l]] += f[i];
      }
    }
  }
  /* mirror: A and S were filled in their upper triangles */
  int finite = 1;
  for (size_t p = 0; p < P; p++)
    for (size_t q = p + 1; q < P; q++) {
      A[q * P + p] = A[p * P + q];
      if (S) S[q * P + p] = S[p * P + q];
    }
  for (size_t p = 0; p < P * P; p++) finite &= isfinite(A[p]) && (!S || isfinite(S[p]));
  return finite ? LS_OK : LS_ERR_COMPUTE;
}
