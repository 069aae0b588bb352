/* Certified minima and saddles at a certified critical point: index, Morse-Bott count of
 * zero eigenvalues against the expansion manifold's dimension, and the thesis's
 * higher-order test with its escape checks on the extra kernel (include/landsym/certify.h;
 * Simsek et al. 2021 Propositions 4.3-4.4; Stoican 2022 sections 6.2.4-6.2.5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/certify.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/paths.h"
#include "landsym/sym.h"
#include "sym/unit.h"
#include "sym/valley.h"

void ls_mincert_opts_default(ls_mincert_opts *o) {
  o->eig_tol = 1e-7;
  o->radius_max = 1e-3;
  o->fourth_min = 1e-10;
  o->escape = 1;
}

const char *ls_mincert_kind_name(ls_mincert_kind k) {
  static const char *const n[] = {"none", "saddle", "morse_bott", "higher_order", "escape", "valley"};
  return (k >= 0 && k <= LS_MINCERT_VALLEY) ? n[k] : "?";
}

/* Orthonormalise v (n) against the k orthonormal rows of B; returns its remaining norm
 * (v normalised when above 0). */
static double orth(size_t n, const double *B, int k, double *v) {
  ls_orth_against(n, B, (size_t)k, v);
  double nn = 0;
  for (size_t i = 0; i < n; i++) nn += v[i] * v[i];
  nn = sqrt(nn);
  if (nn > 0)
    for (size_t i = 0; i < n; i++) v[i] /= nn;
  return nn;
}

/* Tangent of the expansion manifold through theta (one hidden layer, one output): the
 * outgoing-weight moves delta a keeping every group's signed sum and the cancelling
 * constants, i.e. the null space of those constraints (Simsek Definition 3.2 / Proposition
 * 4.4: the beta directions). Rows of T (orthonormal, P each); returns their number. */
static int tangent(const ls_net *net, const double *theta, double tol, double *T, int *nT,
                   ls_error *err) {
  *nT = 0;
  if (net->n_layers != 2 || net->width[2] != 1) return 0;
  ls_sym_reduction red;
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = tol;
  if (ls_sym_reduce(net, theta, &ro, &red, err)) return -1;
  const ls_sym_layer_groups *G = &red.layer[1];
  int m = net->width[1];
  size_t P = ls_net_nparams(net), a0 = ls_net_w_offset(net, 2);
  double c = 0;
  ls_act_odd_shift(&net->act[1], &c);
  double *C = calloc((size_t)(G->n_groups + 1) * P, sizeof *C), *v = malloc(P * sizeof *v);
  if (!C || !v) {
    free(C), free(v);
    ls_sym_reduction_free(&red);
    return -1;
  }
  int nc = 0, any = 0;
  double *K = C + (size_t)G->n_groups * P; /* scratch for the constant row */
  for (int i = 0; i < m; i++) {
    int g = G->group[i];
    double kap = G->sign[i] < 0 ? c : 0; /* constant of a negated unit: c a */
    if (g == G->const_group) { /* constant unit: f(b) a */
      double d4[4];
      ls_act_eval(&net->act[1], net->bias[1] ? theta[ls_net_b_offset(net, 1) + i] : 0.0, d4);
      kap = d4[0];
    }
    K[a0 + i] = kap;
    if (kap != 0) any = 1;
  }
  /* constraint rows, orthonormalised in place */
  for (int g = 0; g < G->n_groups; g++) {
    if (g == G->const_group) continue;
    memset(v, 0, P * sizeof *v);
    for (int i = 0; i < m; i++)
      if (G->group[i] == g) v[a0 + i] = G->sign[i];
    if (orth(P, C, nc, v) > 1e-12) memcpy(C + (size_t)nc++ * P, v, P * sizeof *v);
  }
  if (any && !net->bias[2]) {
    memcpy(v, K, P * sizeof *v);
    if (orth(P, C, nc, v) > 1e-12) memcpy(C + (size_t)nc++ * P, v, P * sizeof *v);
  }
  /* null space within the outgoing weights */
  for (int i = 0; i < m; i++) {
    memset(v, 0, P * sizeof *v);
    v[a0 + i] = 1;
    if (orth(P, C, nc, v) < 1e-8) continue;
    if (orth(P, T, *nT, v) > 1e-8) memcpy(T + (size_t)(*nT)++ * P, v, P * sizeof *v);
  }
  /* a unit with zero outgoing weights has free incoming weights (Definition 3.2's
   * zero-type neurons): the loss does not change along them */
  int D = sym_fan_in(net, 1);
  double amax = 0;
  for (int i = 0; i < m; i++) amax = fmax(amax, fabs(theta[a0 + i]));
  for (int i = 0; i < m; i++) {
    if (fabs(theta[a0 + i]) > tol * (amax > 0 ? amax : 1)) continue;
    for (int k = 0; k < D; k++) {
      memset(v, 0, P * sizeof *v);
      if (k < net->width[0]) v[ls_net_w_offset(net, 1) + (size_t)i * net->width[0] + k] = 1;
      else v[ls_net_b_offset(net, 1) + i] = 1;
      if (orth(P, T, *nT, v) > 1e-8) memcpy(T + (size_t)(*nT)++ * P, v, P * sizeof *v);
    }
  }
  free(C), free(v);
  ls_sym_reduction_free(&red);
  return 0;
}

/* u^T H(x + h u) u by a Hessian-vector product. */
static ls_status curv(const ls_net *net, const ls_data *d, const double *x, const double *u,
                      double h, double *xt, double *hv, ls_work *w, double *q) {
  size_t P = ls_net_nparams(net);
  for (size_t i = 0; i < P; i++) xt[i] = x[i] + h * u[i];
  ls_status st = ls_hvp(net, d, xt, u, hv, w);
  double s = 0;
  for (size_t i = 0; i < P; i++) s += u[i] * hv[i];
  *q = s;
  return st;
}

/* Higher-order test (thesis Theorems 1-2 with lambda_min = 0) on the extra kernel E (rows):
 * T(u) = d/dt u^T H(x+tu) u and Q(u) = d^2/dt^2 u^T H(x+tu) u at t = 0 by central
 * differences of exact Hessian-vector products (step h = 1e-2: rounding of u^T H u, about
 * u max|lambda|, then costs 1e-12 max|lambda| in Q), on E's basis vectors and on
 * 2 dim E fixed pseudo-random unit combinations of them. */
static ls_status higher_order(const ls_net *net, const ls_data *d, const double *x,
                              const double *E, int nE, double mx, ls_min_cert *m,
                              ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *u = malloc(P * sizeof *u), *xt = malloc(P * sizeof *xt), *hv = malloc(P * sizeof *hv);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!u || !xt || !hv || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory");
    goto done;
  }
  m->third_max = 0, m->fourth_min = INFINITY;
  double lam_min = INFINITY;
  const double h = 1e-2;
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (int t = 0; t < 3 * nE; t++) {
    if (t < nE) {
      memcpy(u, E + (size_t)t * P, P * sizeof *u);
    } else {
      memset(u, 0, P * sizeof *u);
      double nn = 0;
      for (int j = 0; j < nE; j++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double cj = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        for (size_t i = 0; i < P; i++) u[i] += cj * E[(size_t)j * P + i];
      }
      for (size_t i = 0; i < P; i++) nn += u[i] * u[i];
      nn = sqrt(nn);
      if (!(nn > 0)) continue;
      for (size_t i = 0; i < P; i++) u[i] /= nn;
    }
    double qp, q0, qm;
    if ((st = curv(net, d, x, u, h, xt, hv, w, &qp)) || (st = curv(net, d, x, u, 0, xt, hv, w, &q0)) ||
        (st = curv(net, d, x, u, -h, xt, hv, w, &qm))) {
      ls_error_set(err, st, "certify: Hessian-vector product failed");
      goto done;
    }
    m->third_max = fmax(m->third_max, fabs(qp - qm) / (2 * h) / mx);
    m->fourth_min = fmin(m->fourth_min, (qp - 2 * q0 + qm) / (h * h) / mx);
    lam_min = fmin(lam_min, fmax(q0 / mx, 0));
  }
  /* Theorem 2 (thesis 6.2.5): B = min_u T(u) = -max |T| (T is odd in u), delta = min Q,
   * lambda_min >= 0 on the kernel: a local minimum lies within
   * r = (2 / delta) (sqrt(B^2 - 3 lambda_min delta) - B) (r = 0 when B^2 < 3 lambda delta) */
  if (nE > 0 && m->fourth_min > 0) {
    double B = -m->third_max, disc = B * B - 3 * lam_min * m->fourth_min;
    m->radius = disc > 0 ? 2 / m->fourth_min * (sqrt(disc) - B) : 0;
  }
done:
  free(u), free(xt), free(hv);
  ls_work_free(w);
  return st;
}

ls_status ls_cert_minimum(const ls_net *net, const ls_data *d, const ls_crit_cert *cc,
                          const ls_mincert_opts *opts, ls_min_cert *m, ls_error *err) {
  ls_mincert_opts o;
  if (opts) o = *opts;
  else ls_mincert_opts_default(&o);
  memset(m, 0, sizeof *m);
  m->third_max = m->fourth_min = m->escape_loss = m->radius = NAN;
  m->valley_curv = m->valley_dist = m->valley_loss = NAN;
  if (!cc->theta) {
    snprintf(m->reason, sizeof m->reason, "no certified critical point");
    return LS_OK;
  }
  size_t P = ls_net_nparams(net);
  if (P > 3000) {
    snprintf(m->reason, sizeof m->reason, "%zu parameters: the dense spectrum is limited to 3000", P);
    return LS_OK;
  }
  const double *x = cc->theta;
  double *H = malloc(P * P * sizeof *H), *V = malloc(P * P * sizeof *V), *lam = malloc(P * sizeof *lam);
  double *T = malloc(P * P * sizeof *T), *E = malloc(P * P * sizeof *E), *v = malloc(P * sizeof *v);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  ls_escape_result er;
  memset(&er, 0, sizeof er);
  if (!H || !V || !lam || !T || !E || !v || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory (P = %zu)", P);
    goto done;
  }
  if ((st = ls_hessian(net, d, x, H, w))) {
    ls_error_set(err, st, "certify: Hessian could not be computed");
    goto done;
  }
  if ((st = ls_eig_sym(P, H, lam, V, err))) goto done;
  double mx = fmax(fabs(lam[0]), fabs(lam[P - 1]));
  if (!(mx > 0)) mx = 1;
  m->max_abs_eig = mx;
  double thr = o.eig_tol * mx, pos = INFINITY;
  m->zero_level = 0;
  for (size_t i = 0; i < P; i++) {
    if (lam[i] < -thr) m->index++;
    else if (fabs(lam[i]) <= thr) m->n_zero++, m->zero_level = fmax(m->zero_level, fabs(lam[i]) / mx);
    else pos = fmin(pos, lam[i] / mx);
  }
  m->margin = pos;
  /* expansion-manifold dimension through the point (nonzero loss; certify.h) */
  int D = sym_fan_in(net, 1), O = net->width[2];
  int z = 1 + (O - 1 - D > 0 ? O - 1 - D : 0);
  m->zero_predicted = cc->kind == LS_CERT_REDUCED ? cc->extra_units * z - cc->const_constraints : 0;
  if (cc->kind == LS_CERT_REDUCED && net->n_layers == 2 && O == 1) {
    /* units with zero outgoing weights: their D incoming weights are free (see tangent) */
    size_t a0 = ls_net_w_offset(net, 2);
    double amax = 0;
    for (int i = 0; i < net->width[1]; i++) amax = fmax(amax, fabs(x[a0 + i]));
    for (int i = 0; i < net->width[1]; i++)
      if (fabs(x[a0 + i]) <= cc->reduce_tol * (amax > 0 ? amax : 1)) m->zero_predicted += D;
  }
  if (m->index > 0) {
    m->kind = LS_MINCERT_SADDLE;
    goto done;
  }
  if (m->n_zero == m->zero_predicted) {
    m->kind = LS_MINCERT_MORSE_BOTT;
    goto done;
  }
  if (m->n_zero < m->zero_predicted) {
    snprintf(m->reason, sizeof m->reason,
             "%d zero eigenvalues, fewer than the %d of the expansion manifold (zero level "
             "%.2e, margin %.2e)", m->n_zero, m->zero_predicted, m->zero_level, m->margin);
    goto done;
  }
  /* extra kernel: the null eigenvectors orthogonal to the manifold's tangent */
  int nT = 0;
  if (tangent(net, x, cc->kind == LS_CERT_REDUCED ? cc->reduce_tol : 1e-12, T, &nT, err)) {
    snprintf(m->reason, sizeof m->reason, "expansion-manifold tangent not available");
    goto done;
  }
  if (cc->kind == LS_CERT_REDUCED && nT != m->zero_predicted) {
    snprintf(m->reason, sizeof m->reason,
             "tangent of dimension %d, prediction %d (the higher-order test needs one hidden "
             "layer and one output)", nT, m->zero_predicted);
    goto done;
  }
  int nE = 0;
  for (size_t j = 0; j < P; j++) {
    if (!(fabs(lam[j]) <= thr)) continue;
    for (size_t i = 0; i < P; i++) v[i] = V[i * P + j];
    if (orth(P, T, nT, v) > 1e-3 && orth(P, E, nE, v) > 1e-3) memcpy(E + (size_t)nE++ * P, v, P * sizeof *v);
  }
  m->extra_dim = nE;
  if ((st = higher_order(net, d, x, E, nE, mx, m, err))) goto done;
  double scale = 1;
  for (size_t i = 0; i < P; i++) scale = fmax(scale, fabs(x[i]));
  int near = m->fourth_min >= o.fourth_min && m->radius <= o.radius_max * scale;
  if (o.escape) {
    ls_escape_opts eo;
    ls_escape_opts_default(&eo); /* thesis settings: +/-8 in steps of 0.01, BFS step 0.01 */
    if ((st = ls_escape_check(net, d, x, &eo, &er, err))) goto done;
    m->escape_found = er.found_lower;
    m->escape_loss = er.best_loss;
  }
  if (m->escape_found) {
    m->kind = LS_MINCERT_ESCAPE;
    snprintf(m->reason, sizeof m->reason,
             "%d extra zero directions: the escape checks found a lower point (%.6g; third "
             "derivative %.2e, fourth %.2e relative)", nE, m->escape_loss, m->third_max,
             m->fourth_min);
  } else if (near) {
    m->kind = LS_MINCERT_HIGHER;
  } else {
    if (m->fourth_min > 0)
      snprintf(m->reason, sizeof m->reason,
               "%d extra zero directions: third derivative %.2e, fourth %.2e relative: Theorem "
               "2 places a minimum within %.2e (more than %.0e x |theta|), no escape found",
               nE, m->third_max, m->fourth_min, m->radius, o.radius_max);
    else /* Theorem 2 needs the fourth derivative positive along every kernel direction */
      snprintf(m->reason, sizeof m->reason,
               "%d extra zero directions: third derivative %.2e, fourth %.2e relative: not "
               "positive in every kernel direction, so Theorem 2 places no minimum; no escape "
               "found", nE, m->third_max, m->fourth_min);
    /* the valley test (certify_valley.c) replaces the reason when it runs */
    st = ls_valley_test(net, d, x, lam, V, thr, E, nE, m, err);
  }
done:
  ls_escape_result_free(&er);
  free(H), free(V), free(lam), free(T), free(E), free(v);
  ls_work_free(w);
  return st;
}
