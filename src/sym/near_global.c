/* The teacher expansion nearest a run (include/landsym/classify.h, ls_teacher_expansion):
 * an exact zero-loss point built from the run, for runs that approach the global minimum
 * without reaching it (Simsek et al. 2021 figure 1c's vastly overparameterized students:
 * docs/classify.md "Near a global minimum").
 *
 * One hidden layer, f(x) = sum_k a_k g(u_k.x) (+ b), teacher sum_j alpha_j g(t_j.x) (+ b_t),
 * x with the constant 1 appended when the hidden layer has biases. By Simsek et al.
 * Proposition 4.4 (and Theorem 4.2 for the zero-loss set) every point of the teacher's
 * expansion manifold computes the teacher exactly: each unit either copies a teacher unit
 * (u_k = t_j; with an activation odd up to a constant, g(-z) = k_s - g(z), also u_k = -t_j,
 * taken with the signed weight -a_k and the constant k_s a_k), the signed outgoing weights
 * of the copies of t_j summing to alpha_j, or is a zero-type unit; here the zero-type units
 * sit at the origin, u_k = 0, computing the constant a_k g(0), and the constants add up to
 * the teacher's (0 without an output bias). The construction:
 *   1. unit k copies t_j with sign s when |s u_k - t_j| <= copy_rtol |t_j| (the nearest
 *      such pair), else it is a cloud unit; every teacher unit needs a copy;
 *   2. copies: u_k = s t_j, a_k += s delta_j / n_j, delta_j = alpha_j - sum_copies s a_k
 *      (the smallest equal share of the correction);
 *   3. cloud units: u_k = 0; the constant K = sum_flipped k_s a_k + sum_cloud a_k g(0) is
 *      cancelled by the output bias when there is one (b = b_t - K), else by shifting every
 *      cloud unit's a_k by -K / (n_cloud g(0)).
 * The point is then exact up to rounding, which the caller verifies (classify.c: its class
 * must be global with teacher_match); dist = max |theta* - theta|. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/classify.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "sym/unit.h"

void ls_teacher_expansion_free(ls_teacher_expansion *e) {
  if (!e) return;
  free(e->theta);
  memset(e, 0, sizeof *e);
}

/* Same one-hidden-layer architecture as the teacher (hidden widths aside). */
static int same_kind(const ls_net *n, const ls_net *t) {
  return n->n_layers == 2 && t->n_layers == 2 && n->width[0] == t->width[0] &&
         n->width[2] == t->width[2] && n->bias[1] == t->bias[1] && n->bias[2] == t->bias[2] &&
         n->act[1].kind == t->act[1].kind && n->act[1].alpha == t->act[1].alpha &&
         n->act[1].gamma == t->act[1].gamma && !ls_net_n_glu(n) && !ls_net_n_glu(t);
}

/* a_k to output o (row-major W_2: m x W). */
static double *out_w(const ls_net *n, double *th, int k, int o) {
  return th + ls_net_w_offset(n, 2) + (size_t)o * n->width[1] + k;
}

/* Steps 1-3 above on e->theta (a copy of the run); 1 when built. */
static int build(const ls_net *net, const ls_net *t, const double *tt, double copy_rtol,
                 ls_teacher_expansion *e, int *tj, int *sg, double *u, double *v) {
  int W = net->width[1], J = t->width[1], m = net->width[2];
  int len = net->width[0] + (net->bias[1] ? 1 : 0);
  double ks = 0, g0[4];
  int odd = ls_act_odd_shift(&net->act[1], &ks);
  ls_act_eval(&net->act[1], 0, g0);
  double *th = e->theta;
  for (int k = 0; k < W; k++) { /* 1. assignment */
    sym_get_in(net, th, 1, k, u);
    double best = INFINITY;
    tj[k] = -1, sg[k] = 1;
    for (int j = 0; j < J; j++) {
      sym_get_in(t, tt, 1, j, v);
      double tn = 0;
      for (int q = 0; q < len; q++) tn += v[q] * v[q];
      for (int s = 1; s >= (odd ? -1 : 1); s -= 2) {
        double dd = 0;
        for (int q = 0; q < len; q++) dd += (s * u[q] - v[q]) * (s * u[q] - v[q]);
        double rel = sqrt(dd / tn);
        if (rel <= copy_rtol && rel < best) best = rel, tj[k] = j, sg[k] = s;
      }
    }
    if (tj[k] < 0) e->n_cloud++;
    else e->n_copies++;
  }
  for (int j = 0; j < J; j++) { /* 2. copies */
    int nj = 0;
    for (int k = 0; k < W; k++) nj += tj[k] == j;
    if (!nj) {
      snprintf(e->reason, sizeof e->reason, "teacher unit %d has no copy within %.3g of it",
               j, copy_rtol);
      return 0;
    }
    sym_get_in(t, tt, 1, j, v);
    for (int o = 0; o < m; o++) {
      double delta = tt[ls_net_w_offset(t, 2) + (size_t)o * J + j];
      for (int k = 0; k < W; k++)
        if (tj[k] == j) delta -= sg[k] * *out_w(net, th, k, o);
      for (int k = 0; k < W; k++)
        if (tj[k] == j) *out_w(net, th, k, o) += sg[k] * delta / nj;
    }
    for (int k = 0; k < W; k++) {
      if (tj[k] != j) continue;
      for (int q = 0; q < len; q++) u[q] = sg[k] * v[q];
      sym_set_in(net, th, 1, k, u);
    }
  }
  memset(u, 0, (size_t)len * sizeof *u); /* 3. the cloud at the origin, constants */
  for (int k = 0; k < W; k++)
    if (tj[k] < 0) sym_set_in(net, th, 1, k, u);
  for (int o = 0; o < m; o++) {
    double K = 0, scale = 0;
    for (int k = 0; k < W; k++) {
      double a = *out_w(net, th, k, o);
      scale = fmax(scale, fabs(a));
      if (tj[k] < 0) K += a * g0[0];
      else if (sg[k] < 0) K += ks * a;
    }
    if (net->bias[2]) {
      th[ls_net_b_offset(net, 2) + o] = tt[ls_net_b_offset(t, 2) + o] - K;
    } else if (e->n_cloud && g0[0] != 0) {
      for (int k = 0; k < W; k++)
        if (tj[k] < 0) *out_w(net, th, k, o) -= K / (e->n_cloud * g0[0]);
    } else if (fabs(K) > 1e-15 * fmax(1, scale)) {
      snprintf(e->reason, sizeof e->reason,
               "constant %.3g of the flipped copies with no cloud unit or bias to cancel it", K);
      return 0;
    }
  }
  return 1;
}

ls_status ls_teacher_expansion_near(const ls_net *net, const double *theta,
                                    const ls_net *teacher, const double *theta_t,
                                    double copy_rtol, ls_teacher_expansion *e, ls_error *err) {
  memset(e, 0, sizeof *e);
  e->dist = NAN;
  if (!same_kind(net, teacher)) {
    snprintf(e->reason, sizeof e->reason, "needs one hidden layer and the teacher's inputs, "
             "outputs, biases and activation");
    return LS_OK;
  }
  size_t P = ls_net_nparams(net);
  int W = net->width[1], len = net->width[0] + 1;
  int *tj = malloc((size_t)W * sizeof *tj), *sg = malloc((size_t)W * sizeof *sg);
  double *u = malloc((size_t)len * sizeof *u), *v = malloc((size_t)len * sizeof *v);
  e->theta = malloc(P * sizeof *e->theta);
  if (!tj || !sg || !u || !v || !e->theta) {
    free(tj), free(sg), free(u), free(v);
    ls_teacher_expansion_free(e);
    return ls_error_set(err, LS_ERR_NOMEM, "teacher expansion: out of memory");
  }
  memcpy(e->theta, theta, P * sizeof *e->theta);
  e->ok = build(net, teacher, theta_t, copy_rtol, e, tj, sg, u, v);
  if (e->ok) {
    e->dist = ls_dist_inf(P, e->theta, theta);
  } else {
    free(e->theta);
    e->theta = NULL;
  }
  free(tj), free(sg), free(u), free(v);
  return LS_OK;
}
