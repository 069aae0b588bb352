/* Cooper 2020, section 5: networks whose last hidden layer is at least as wide as the data.
 *
 * With the inner parameters p_I fixed, the network's outputs on the data are affine in the
 * last layer p_F = (M_L, b_L): f(x_a) = M_L phi(x_a) + b_L with phi the last hidden layer's
 * outputs (Proposition 5.7: L restricted to the slice p_I x R^F is a nonnegative quadratic).
 *   - Corollary 5.9 / Theorem 5.11: when F = [Phi^T 1] (n x (m_{L-1} + 1)) has rank n, the
 *     minimum of the slice is zero loss, a global minimum g_p; along the line from p to g_p
 *     the residuals are (1 - t) r(p), so L(t) = (1 - t)^2 L(p) decreases strictly.
 *   - Theorem 5.15 / Proposition 5.13: the level set of any point contains the linear space
 *     of last-layer moves v with v F^T = 0, of dimension (m_{L-1} + 1 - rank F) m_L >= 1 when
 *     m_{L-1} >= n; a local minimum that is not global is therefore not strict (Lemma 5.12:
 *     not isolated).
 *   - Definition 3.4: attracting loci, estimated elsewhere (src/cli/locus_wide.c) from the
 *     distances computed here. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/locus.h"

/* F = [Phi^T 1]: n x (m + 1) row-major, Phi from ls_forward of the network cut after its
 * last hidden layer (whose "output" activation is then the hidden one). */
static ls_status design_matrix(const ls_net *net, const ls_data *d, const double *theta,
                               double *F, ls_error *err) {
  int L = net->n_layers, m = net->width[L - 1];
  ls_net cut = *net;
  cut.n_layers = L - 1;
  ls_work *w = ls_work_alloc(&cut, d->n);
  double *Phi = malloc(d->n * (size_t)m * sizeof *Phi);
  ls_status st = LS_OK;
  if (!w || !Phi) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st && (st = ls_forward(&cut, theta, d->n, d->x, Phi, w)))
    ls_error_set(err, st, "last hidden layer not finite");
  for (size_t a = 0; a < d->n && !st; a++) {
    memcpy(F + a * (size_t)(m + 1), Phi + a * (size_t)m, (size_t)m * sizeof *F);
    F[a * (size_t)(m + 1) + (size_t)m] = 1;
  }
  ls_work_free(w);
  free(Phi);
  return st;
}

/* Singular values (descending) and, when Vt != NULL, right singular vectors of A (r x c). */
static ls_status svd(const double *A, int r, int c, double *s, double *Vt, ls_error *err) {
  int k = r < c ? r : c;
  double *B = malloc((size_t)r * c * sizeof *B), *sup = malloc((size_t)(k + 1) * sizeof *sup);
  if (!B || !sup) {
    free(B), free(sup);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  memcpy(B, A, (size_t)r * c * sizeof *B);
  lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', Vt ? 'A' : 'N', r, c, B, c, s, NULL, 1,
                                   Vt, c, sup);
  free(B), free(sup);
  return info ? ls_error_set(err, LS_ERR_COMPUTE, "SVD failed (info %d)", (int)info) : LS_OK;
}

static int rank_of(const double *s, int k, double tol) {
  int r = 0;
  for (int i = 0; i < k; i++)
    if (s[i] > tol * fmax(s[0], 1e-300)) r++;
  return r;
}

static ls_status check_net(const ls_net *net, const ls_data *d, ls_error *err) {
  int L = net->n_layers;
  if (L < 2) return ls_error_set(err, LS_ERR_INPUT, "wide regime: the network needs a hidden layer");
  if (net->loss != LS_LOSS_MSE) return ls_error_set(err, LS_ERR_INPUT, "wide regime: needs the MSE loss");
  if (net->act[L].kind != LS_ACT_IDENTITY || !net->bias[L])
    return ls_error_set(err, LS_ERR_INPUT, "wide regime: needs an identity output layer with a bias");
  if (d->dout != net->width[L] || d->din != net->width[0])
    return ls_error_set(err, LS_ERR_INPUT, "wide regime: data and network shapes differ");
  return LS_OK;
}

ls_status ls_locus_descent_line(const ls_net *net, const ls_data *d, const double *theta,
                                int n_t, double *end, ls_locus_line_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_status st = check_net(net, d, err);
  if (st) return st;
  if (n_t < 2) return ls_error_set(err, LS_ERR_INPUT, "descent line: need at least 2 samples");
  int L = net->n_layers, m = net->width[L - 1], b = net->width[L], n = (int)d->n, c = m + 1;
  size_t P = ls_net_nparams(net);
  r->n = n, r->m = m, r->b = b, r->n_t = n_t;
  int k = n < c ? n : c, lda = c, ldb = n > c ? n : c;
  double *F = malloc((size_t)n * c * sizeof *F), *s = malloc((size_t)k * sizeof *s);
  double *R = malloc((size_t)ldb * b * sizeof *R), *out = malloc((size_t)n * b * sizeof *out);
  double *pt = malloc(P * sizeof *pt);
  ls_work *w = ls_work_alloc(net, d->n);
  if (!F || !s || !R || !out || !pt || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((st = design_matrix(net, d, theta, F, err)) || (st = svd(F, n, c, s, NULL, err))) goto done;
  r->rank = rank_of(s, k, 1e-12);
  r->smin_rel = s[k - 1] / s[0];
  /* residuals y - f(p), then the minimum-norm last-layer change D ((m+1) x b) with F D = R
   * (LAPACK dgelsd); weights do not matter when the system is consistent (rank n) */
  if ((st = ls_forward(net, theta, d->n, d->x, out, w))) goto done;
  memset(R, 0, (size_t)ldb * b * sizeof *R);
  for (int a = 0; a < n; a++)
    for (int o = 0; o < b; o++) R[(size_t)a * b + o] = d->y[(size_t)a * b + o] - out[(size_t)a * b + o];
  double *Fc = malloc((size_t)n * c * sizeof *Fc), *sv = malloc((size_t)k * sizeof *sv);
  lapack_int rk, info = -1;
  if (Fc && sv) {
    memcpy(Fc, F, (size_t)n * c * sizeof *Fc);
    info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, n, c, b, Fc, lda, R, b, sv, -1.0, &rk);
  }
  free(Fc), free(sv);
  if (info) {
    st = ls_error_set(err, info < 0 ? LS_ERR_NOMEM : LS_ERR_COMPUTE, "least squares failed (info %d)", (int)info);
    goto done;
  }
  /* g_p: the last layer moved by D (row o of M_L gets D[0..m-1][o], b_L[o] gets D[m][o]) */
  memcpy(end, theta, P * sizeof *end);
  size_t wo = ls_net_w_offset(net, L), bo = ls_net_b_offset(net, L);
  double nn = 0;
  for (int o = 0; o < b; o++) {
    for (int i = 0; i < m; i++) {
      end[wo + (size_t)o * m + i] += R[(size_t)i * b + o];
      nn += R[(size_t)i * b + o] * R[(size_t)i * b + o];
    }
    end[bo + o] += R[(size_t)m * b + o];
    nn += R[(size_t)m * b + o] * R[(size_t)m * b + o];
  }
  r->step_norm = sqrt(nn);
  /* L along the line p + t (g_p - p), t = k / (n_t - 1) */
  double prev = INFINITY;
  r->strictly_decreasing = 1;
  for (int q = 0; q < n_t; q++) {
    double t = (double)q / (n_t - 1), Lt;
    for (size_t i = 0; i < P; i++) pt[i] = theta[i] + t * (end[i] - theta[i]);
    if ((st = ls_loss(net, d, pt, &Lt, w))) goto done;
    if (q == 0) r->loss0 = Lt;
    if (q == n_t - 1) r->loss_end = Lt;
    double pred = (1 - t) * (1 - t) * r->loss0;
    r->max_rel_dev = fmax(r->max_rel_dev, fabs(Lt - pred) / fmax(r->loss0, 1e-300));
    if (q > 0 && !(Lt < prev)) r->strictly_decreasing = 0;
    prev = Lt;
  }
done:
  free(F), free(s), free(R), free(out), free(pt);
  ls_work_free(w);
  return st;
}

ls_status ls_locus_flat_certificate(const ls_net *net, const ls_data *d, const double *theta,
                                    ls_locus_flat_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_status st = check_net(net, d, err);
  if (st) return st;
  int L = net->n_layers, m = net->width[L - 1], b = net->width[L], n = (int)d->n, c = m + 1;
  size_t P = ls_net_nparams(net);
  int k = n < c ? n : c;
  double *F = malloc((size_t)n * c * sizeof *F), *s = malloc((size_t)k * sizeof *s);
  double *Vt = malloc((size_t)c * c * sizeof *Vt), *pt = malloc(P * sizeof *pt);
  double *o0 = malloc((size_t)n * b * sizeof *o0), *o1 = malloc((size_t)n * b * sizeof *o1);
  ls_work *w = ls_work_alloc(net, d->n);
  if (!F || !s || !Vt || !pt || !o0 || !o1 || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((st = design_matrix(net, d, theta, F, err)) || (st = svd(F, n, c, s, Vt, err))) goto done;
  r->n = n, r->m = m, r->rank = rank_of(s, k, 1e-12);
  r->flat_dim = (long)(c - r->rank) * b;
  if (r->rank == c) goto done; /* no flat direction in the slice */
  /* v: the last right singular vector (F v = 0 up to s_min), put on output 0's row */
  memcpy(pt, theta, P * sizeof *pt);
  size_t wo = ls_net_w_offset(net, L), bo = ls_net_b_offset(net, L);
  for (int i = 0; i < m; i++) pt[wo + i] += Vt[(size_t)(c - 1) * c + i];
  pt[bo] += Vt[(size_t)(c - 1) * c + m];
  if ((st = ls_loss(net, d, theta, &r->loss, w)) || (st = ls_loss(net, d, pt, &r->loss_moved, w)) ||
      (st = ls_forward(net, theta, d->n, d->x, o0, w)) || (st = ls_forward(net, pt, d->n, d->x, o1, w)))
    goto done;
  for (size_t i = 0; i < (size_t)n * b; i++) r->max_out_change = fmax(r->max_out_change, fabs(o1[i] - o0[i]));
  r->step = 1;
done:
  free(F), free(s), free(Vt), free(pt), free(o0), free(o1);
  ls_work_free(w);
  return st;
}

ls_status ls_locus_distance(const ls_net *net, const ls_data *d, const double *theta,
                            const int *k, int nk, double *dist, ls_error *err) {
  /* the coordinates a point of the locus must have: M_L = 0, M_k = 0 (each k), b_j = 0 for
   * j = k[0]..L-1, b_L = weighted mean of the targets (ls_locus_project); the distance is
   * the norm of theta minus its projection */
  size_t P = ls_net_nparams(net);
  double *p = malloc(P * sizeof *p);
  if (!p) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  memcpy(p, theta, P * sizeof *p);
  ls_status st = ls_locus_project(net, d, k, nk, p, err);
  double s = 0;
  for (size_t i = 0; !st && i < P; i++) s += (p[i] - theta[i]) * (p[i] - theta[i]);
  *dist = sqrt(s);
  free(p);
  return st;
}
