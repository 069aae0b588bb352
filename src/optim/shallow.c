/* Gauss-Newton matrix and exact Hessian of the MSE loss of a network with one hidden layer
 * and one output, in closed form (thesis section 3.5 for the Hessian of the squared loss).
 *
 * f(x) = sum_i a_i act(w_i . x + b_i) + c,  L = sum_k w_k r_k^2,  r_k = f(x_k) - y_k.
 * With J_k = grad_theta f(x_k):
 *   A = 2 sum_k w_k J_k J_k^T                    (Gauss-Newton, positive semi-definite)
 *   S = 2 sum_k w_k r_k hess_theta f(x_k)         (residual curvature)
 * and H = A + S. hess f(x_k) has nonzero blocks only inside a neuron: with u = (x_k, 1),
 *   d2f / d(w_i,b_i)^2 = a_i act''(z_ik) u u^T,   d2f / d(w_i,b_i) da_i = act'(z_ik) u.
 * One pass over the data; about a tenth of the cost of the general R-operator Hessian on
 * the thesis network, which is what makes a Newton-type step cost a few gradients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "deriv/simd.h"
#include "shallow.h"

/* Upper triangle of A += J J^T, J holding P rows of B entries (nb used): eight running
 * sums per entry in one vector (GCC/Clang vector extension), four columns at a time so
 * each row of J is loaded once per four dot products. OpenBLAS's syrk packs and tiles for
 * large matrices and is several times slower on 15 x 1681. */
typedef double ls_v8d __attribute__((vector_size(64)));
static inline ls_v8d load8(const double *p) {
  ls_v8d v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline double hsum8(ls_v8d v) {
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}
LS_HOT static void syrk_upper(size_t P, size_t nb, const double *J, double *A) {
  const size_t B = LS_SHALLOW_BLOCK, n8 = nb / 8 * 8;
  for (size_t p = 0; p < P; p++) {
    const double *Jp = J + p * B;
    size_t q = p;
    for (; q + 4 <= P; q += 4) {
      const double *J0 = J + q * B, *J1 = J0 + B, *J2 = J1 + B, *J3 = J2 + B;
      ls_v8d s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
      for (size_t k = 0; k < n8; k += 8) {
        ls_v8d x = load8(Jp + k);
        s0 += x * load8(J0 + k), s1 += x * load8(J1 + k);
        s2 += x * load8(J2 + k), s3 += x * load8(J3 + k);
      }
      double t0 = hsum8(s0), t1 = hsum8(s1), t2 = hsum8(s2), t3 = hsum8(s3);
      for (size_t k = n8; k < nb; k++) {
        double x = Jp[k];
        t0 += x * J0[k], t1 += x * J1[k], t2 += x * J2[k], t3 += x * J3[k];
      }
      A[p * P + q] += t0, A[p * P + q + 1] += t1, A[p * P + q + 2] += t2, A[p * P + q + 3] += t3;
    }
    for (; q < P; q++) {
      const double *Jq = J + q * B;
      ls_v8d s0 = {0};
      for (size_t k = 0; k < n8; k += 8) s0 += load8(Jp + k) * load8(Jq + k);
      double t = hsum8(s0);
      for (size_t k = n8; k < nb; k++) t += Jp[k] * Jq[k];
      A[p * P + q] += t;
    }
  }
}

int ls_shallow_applies(const ls_objective *o) {
  const ls_net *net = o->net;
  return net->n_layers == 2 && net->width[2] == 1 && net->loss == LS_LOSS_MSE &&
         net->act[2].kind == LS_ACT_IDENTITY && !(o->pen.max_norm > 0 && o->pen.barrier > 0) &&
         !(o->pen.merge_lambda > 0);
}

void ls_shallow_free(ls_shallow *s) {
  if (!s) return;
  free(s->buf), free(s->idx);
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
  s->buf = malloc((3 * m * B + (size_t)s->u * B + B * s->P + 5 * B + m) * sizeof(double));
  s->idx = malloc(m * (size_t)s->u * sizeof *s->idx);
  if (!s->buf || !s->idx) {
    ls_shallow_free(s);
    return LS_ERR_NOMEM;
  }
  for (size_t i = 0; i < m; i++)
    for (int j = 0; j < s->u; j++)
      s->idx[i * s->u + j] = (size_t)j < din ? ls_net_w_offset(net, 1) + i * din + j
                                            : ls_net_b_offset(net, 1) + i;
  return LS_OK;
}

LS_HOT ls_status ls_shallow_matrices(ls_shallow *s, const ls_objective *o, const double *theta,
                                     double *A, double *S) {
  const ls_net *net = o->net;
  const ls_data *d = o->data;
  const size_t B = LS_SHALLOW_BLOCK, P = s->P, n = d->n;
  const int din = net->width[0], m = net->width[1], u = s->u;
  const double *W1 = theta + ls_net_w_offset(net, 1);
  const double *b1 = net->bias[1] ? theta + ls_net_b_offset(net, 1) : NULL;
  const size_t oa = ls_net_w_offset(net, 2);
  const double *a = theta + oa;
  const double c = net->bias[2] ? theta[ls_net_b_offset(net, 2)] : 0;
  double *z = s->buf, *d1 = z + m * B, *d2 = d1 + m * B, *uc = d2 + m * B, *J = uc + u * B;
  double *f = J + B * P, *sw = f + (B > (size_t)m ? B : (size_t)m), *cr = sw + B, *e1 = cr + B;
  memset(A, 0, P * P * sizeof(double));
  if (S) memset(S, 0, P * P * sizeof(double));
  for (size_t k0 = 0; k0 < n; k0 += B) {
    const size_t nb = n - k0 < B ? n - k0 : B;
    const double *x = d->x + k0 * din, *y = d->y + k0;
    for (int j = 0; j < din; j++)
      for (size_t k = 0; k < nb; k++) uc[j * B + k] = x[k * din + j];
    if (u > din)
      for (size_t k = 0; k < nb; k++) uc[din * B + k] = 1;
    for (int i = 0; i < m; i++) {
      double *zi = z + i * B;
      double bi = b1 ? b1[i] : 0;
      for (size_t k = 0; k < nb; k++) zi[k] = bi;
      for (int j = 0; j < din; j++) {
        double wij = W1[i * din + j];
        const double *xj = uc + j * B;
        for (size_t k = 0; k < nb; k++) zi[k] += wij * xj[k];
      }
      ls_act_apply(&net->act[1], nb, zi, zi, d1 + i * B, S ? d2 + i * B : NULL);
    }
    for (size_t k = 0; k < nb; k++) f[k] = c;
    for (int i = 0; i < m; i++)
      for (size_t k = 0; k < nb; k++) f[k] += a[i] * z[i * B + k];
    for (size_t k = 0; k < nb; k++) {
      double w2 = 2 * ls_data_weight(d, k0 + k);
      sw[k] = sqrt(w2);
      cr[k] = w2 * (f[k] - y[k]);
    }
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
