/* Cooper 2020 star and core loci: construction, dimensions, and the predicted Hessian
 * spectrum there (section 3.1, Theorems 3.1 and 3.2; Proposition 6.1; Theorem 5.15). */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/locus.h"
#include "landsym/split.h"

ls_status ls_locus_check_net(const ls_net *net, ls_error *err) {
  if (ls_net_require_plain(net, "locus_check_net", err)) return LS_ERR_INPUT;
  int L = net->n_layers;
  if (L < 2)
    return ls_error_set(err, LS_ERR_INPUT, "the loci need at least one hidden layer (got %d layer)", L);
  for (int l = 1; l < L; l++) {
    double v[4];
    ls_act_eval(&net->act[l], 0.0, v);
    if (v[0] != 0.0)
      return ls_error_set(err, LS_ERR_INPUT,
                          "activation %s of layer %d has sigma(0) = %g; the star and core loci "
                          "need sigma(0) = 0 (tanh, erf, gelu, identity)",
                          ls_act_name(net->act[l].kind), l, v[0]);
    if (net->act[l].kind == LS_ACT_RELU)
      return ls_error_set(err, LS_ERR_INPUT,
                          "activation relu of layer %d is not smooth; the loci need a smooth sigma", l);
  }
  if (net->act[L].kind != LS_ACT_IDENTITY)
    return ls_error_set(err, LS_ERR_INPUT, "the loci need an identity output layer (got %s)",
                        ls_act_name(net->act[L].kind));
  if (net->loss != LS_LOSS_MSE)
    return ls_error_set(err, LS_ERR_INPUT, "the loci need the MSE loss (got %s)", ls_loss_name(net->loss));
  if (!net->bias[L])
    return ls_error_set(err, LS_ERR_INPUT, "the loci need a bias on the output layer");
  return LS_OK;
}

static ls_status check_layers(const ls_net *net, const int *k, int nk, ls_error *err) {
  int L = net->n_layers;
  if (nk < 1 || nk > L - 1)
    return ls_error_set(err, LS_ERR_INPUT, "need 1..%d zeroed layers, got %d", L - 1, nk);
  for (int i = 0; i < nk; i++) {
    if (k[i] < 1 || k[i] > L - 1)
      return ls_error_set(err, LS_ERR_INPUT, "layer %d out of range: hidden layers are 1..%d", k[i], L - 1);
    if (i && k[i] <= k[i - 1])
      return ls_error_set(err, LS_ERR_INPUT, "zeroed layers must increase strictly (%d after %d)",
                          k[i], k[i - 1]);
  }
  return LS_OK;
}

long ls_locus_free_mask(const ls_net *net, const int *k, int nk, unsigned char *mask,
                        ls_error *err) {
  if (check_layers(net, k, nk, err)) return -1;
  int L = net->n_layers;
  size_t P = ls_net_nparams(net);
  memset(mask, 1, P);
  for (int l = 1; l <= L; l++) {
    int zeroW = l == L;
    for (int i = 0; i < nk; i++) zeroW |= l == k[i];
    if (zeroW)
      memset(mask + ls_net_w_offset(net, l), 0, (size_t)net->width[l] * net->width[l - 1]);
    if (net->bias[l] && l >= k[0]) /* b_{k0} .. b_{L-1} zero, b_L fixed to the mean */
      memset(mask + ls_net_b_offset(net, l), 0, (size_t)net->width[l]);
  }
  long dim = 0;
  for (size_t i = 0; i < P; i++) dim += mask[i];
  return dim;
}

ls_status ls_locus_project(const ls_net *net, const ls_data *d, const int *k, int nk,
                           double *theta, ls_error *err) {
  ls_status st = ls_locus_check_net(net, err);
  if (st) return st;
  int L = net->n_layers, b = net->width[L];
  if (d->din != net->width[0] || d->dout != b)
    return ls_error_set(err, LS_ERR_INPUT, "data (%d -> %d) does not fit the network (%d -> %d)",
                        d->din, d->dout, net->width[0], b);
  size_t P = ls_net_nparams(net);
  unsigned char *mask = malloc(P);
  if (!mask) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (ls_locus_free_mask(net, k, nk, mask, err) < 0) {
    free(mask);
    return LS_ERR_INPUT;
  }
  for (size_t i = 0; i < P; i++)
    if (!mask[i]) theta[i] = 0;
  /* b_L = sum_a w_a y_a: the only value where dL/db_L = 2 sum_a w_a (b_L - y_a) vanishes */
  double *bL = theta + ls_net_b_offset(net, L);
  for (int o = 0; o < b; o++) {
    double s = 0;
    for (size_t a = 0; a < d->n; a++) s += ls_data_weight(d, a) * d->y[a * b + o];
    bL[o] = s;
  }
  free(mask);
  return LS_OK;
}

long ls_locus_dim_formula(const ls_net *net, const int *k, int nk) {
  int L = net->n_layers;
  long d = 0, c = (long)(net->width[L - 1] + 1) * net->width[L];
  for (int l = 1; l <= L; l++) d += (long)(net->width[l - 1] + 1) * net->width[l];
  for (int i = 0; i < nk; i++) c += (long)net->width[k[i] - 1] * net->width[k[i]];
  for (int j = k[0]; j <= L - 1; j++) c += net->width[j];
  return d - c;
}

void ls_locus_dims_equal_width(int ell, long m, long a, long b, long n, long *dim_m, long *dim_s,
                     long *dim_c) {
  *dim_m = (ell - 2) * m * m + (a + b + ell - 1) * m + b * (1 - n);
  *dim_s = (ell - 3) * m * m + (a + 1) * m;
  *dim_c = (ell - 4) * m * m + (a + 1) * m;
}

/* Singular values of an r x c row-major matrix (min(r,c) values, descending). */
static ls_status singular_values(const double *A, int r, int c, double *s, ls_error *err) {
  int k = r < c ? r : c;
  if (k == 0) return LS_OK;
  double *B = malloc((size_t)r * c * sizeof *B), *sup = malloc((size_t)k * sizeof *sup);
  if (!B || !sup) {
    free(B), free(sup);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  memcpy(B, A, (size_t)r * c * sizeof *B);
  lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', r, c, B, c, s, NULL, 1, NULL, 1, sup);
  free(B), free(sup);
  return info ? ls_error_set(err, LS_ERR_COMPUTE, "SVD failed (info %d)", (int)info) : LS_OK;
}

/* Outputs of hidden layer l for every sample: n x width[l] row-major (l = 0: inputs),
 * from the engine's forward pass. */
static ls_status layer_outputs(const ls_net *net, const ls_data *d, const double *theta, int l,
                               double *out, ls_error *err) {
  ls_layers *lay = ls_layers_alloc(net, d->n, err);
  if (!lay) return LS_ERR_NOMEM;
  ls_status st = ls_layers_forward(net, theta, d->n, d->x, lay, err);
  if (!st) memcpy(out, ls_layers_a(lay, l), d->n * (size_t)net->width[l] * sizeof *out);
  ls_layers_free(lay);
  return st;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

ls_status ls_locus_star_spectrum(const ls_net *net, const ls_data *d, const double *theta, int k,
                                 double *eig, ls_error *err) {
  ls_status st = ls_locus_check_net(net, err);
  if (st || (st = check_layers(net, &k, 1, err))) return st;
  int L = net->n_layers, b = net->width[L], mk1 = net->width[k - 1], mk = net->width[k];
  int mL1 = net->width[L - 1];
  size_t P = ls_net_nparams(net);
  double *H = malloc((size_t)d->n * mk1 * sizeof *H), *G = calloc((size_t)b * mk1, sizeof *G);
  int wmax = ls_net_max_width(net);
  double *J = calloc((size_t)wmax * mk, sizeof *J), *T = malloc((size_t)wmax * mk * sizeof *T);
  double *sg = malloc((size_t)(b + mk1) * sizeof *sg), *sj = malloc((size_t)(mL1 + mk) * sizeof *sj);
  if (!H || !G || !J || !T || !sg || !sj) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((st = layer_outputs(net, d, theta, k - 1, H, err))) goto done;
  const double *bL = theta + ls_net_b_offset(net, L);
  for (size_t a = 0; a < d->n; a++) /* G = sum_a w_a (b_L - y_a) h_{k-1}(x_a)^T */
    for (int o = 0; o < b; o++) {
      double r = ls_data_weight(d, a) * (bL[o] - d->y[a * b + o]);
      for (int q = 0; q < mk1; q++) G[(size_t)o * mk1 + q] += r * H[a * mk1 + q];
    }
  /* J = sigma'(0)^{L-k} M_{L-1} ... M_{k+1}, built from the right: start at I (m_k) */
  double s1[4];
  ls_act_eval(&net->act[k], 0.0, s1);
  int rows = mk;
  for (int i = 0; i < mk; i++) J[(size_t)i * mk + i] = s1[1];
  for (int j = k + 1; j <= L - 1; j++) {
    const double *W = theta + ls_net_w_offset(net, j);
    ls_act_eval(&net->act[j], 0.0, s1);
    int wo = net->width[j];
    for (int i = 0; i < wo; i++)
      for (int c = 0; c < mk; c++) {
        double s = 0;
        for (int q = 0; q < rows; q++) s += W[(size_t)i * rows + q] * J[(size_t)q * mk + c];
        T[(size_t)i * mk + c] = s1[1] * s;
      }
    memcpy(J, T, (size_t)wo * mk * sizeof *J);
    rows = wo;
  }
  int ng = b < mk1 ? b : mk1, nj = mL1 < mk ? mL1 : mk;
  if ((st = singular_values(G, b, mk1, sg, err)) || (st = singular_values(J, mL1, mk, sj, err)))
    goto done;
  size_t n = 0;
  for (int o = 0; o < b; o++) eig[n++] = 2.0; /* d2L/db_L^2 = 2 sum_a w_a */
  for (int i = 0; i < ng; i++)
    for (int j = 0; j < nj; j++) {
      eig[n++] = 2 * sg[i] * sj[j];
      eig[n++] = -2 * sg[i] * sj[j];
    }
  while (n < P) eig[n++] = 0.0;
  qsort(eig, P, sizeof *eig, cmp_double);
done:
  free(H), free(G), free(J), free(T), free(sg), free(sj);
  return st;
}

ls_status ls_locus_phi_rank(const ls_net *net, const ls_data *d, const double *theta, double tol,
                            int *rank_phi, int *rank_phi1, ls_error *err) {
  int L = net->n_layers, m = net->width[L - 1];
  size_t n = d->n;
  double *F = malloc(n * (size_t)(m + 1) * sizeof *F), *A = malloc(n * (size_t)m * sizeof *A);
  double *s = malloc((n + (size_t)m + 1) * sizeof *s);
  ls_status st = LS_OK;
  if (!F || !A || !s) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((st = layer_outputs(net, d, theta, L - 1, A, err))) goto done;
  for (size_t a = 0; a < n; a++) {
    memcpy(F + a * (m + 1), A + a * m, (size_t)m * sizeof *F);
    F[a * (m + 1) + m] = 1.0;
  }
  int r[2] = {0, 0};
  for (int t = 0; t < 2; t++) {
    int c = t ? m + 1 : m, kk = (int)n < c ? (int)n : c;
    if ((st = singular_values(t ? F : A, (int)n, c, s, err))) goto done;
    for (int i = 0; i < kk; i++)
      if (s[i] > tol * fmax(s[0], 1.0)) r[t]++;
  }
  *rank_phi = r[0], *rank_phi1 = r[1];
done:
  free(F), free(A), free(s);
  return st;
}
