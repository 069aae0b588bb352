/* Channels of three units (channel.c, "Groups of three or more units"). A 2-4-1 sigmoid
 * network with biases: unit 0 ordinary, units 1..3 at u_k = w + eps t_k E (t = (-1, -0.2,
 * 1.2), mean 0, so the group's centre is w and d_k = eps t_k E) with outgoing weights b_k
 * solving sum b_k = c, sum b_k t_k = alpha / eps, sum b_k t_k^2 = 2 beta / eps^2. Then
 *   v = sum b_k d_k = alpha E,  M = sum b_k d_k d_k^T = 2 beta E E^T  (exactly),
 * and sum_k b_k f(u_k.x) = c f + (v.x) f' + 1/2 (x^T M x) f'' + R with
 * R = eps^3 sum b_k t_k^3 (E.x)^3 / 6 f''' + ... = O(eps) in general (here O(eps^2), see
 * the check). beta != 0 (b ~ 1/eps^2): a second-order channel. Checked: the expansion's
 * error falls at least like eps (eps 1e-2 -> 1e-3 divides it by 10 or more); the group is found with
 * |M| = 2 |beta| |E|^2 (m_norm) and |M| > |v| dist, so it is second order (order 2) and
 * its limit is the second-order gated unit (net.h glu2): the limit network at the run's
 * parameters computes the targets to rounding, its distance to the run is the expansion's
 * error and falls with eps like it, and the run is certified a channel. beta = 0 (b ~ 1/eps, the third unit merely
 * sharing the first-order channel): |M| <= |v| dist and the one-GLU limit certifies the
 * run as a channel. Targets: the second-order (resp. first-order) limit's function, so the
 * runs approach a loss of 0 along their channel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/channel.h"
#include "landsym/engine.h"

static const double T[3] = {-1, -0.2, 1.2};
static const double W0[3] = {0.8, 0.5, -0.3}, A0 = 0.7, BOUT = 0.1; /* unit 0, output bias */
static const double WC[3] = {-0.4, 0.6, 0.2};                     /* group centre (w, b) */
static const double E[3] = {0.5, -0.3, 0.4};                      /* direction (w, b) */
static const double CC = 0.3, ALPHA = 0.8;

static double sig(double z) { return 1 / (1 + exp(-z)); }

/* b solving the 3x3 Vandermonde system (Cramer's rule). */
static void weights(double eps, double beta, double b[3]) {
  double r[3] = {CC, ALPHA / eps, 2 * beta / (eps * eps)};
  double A[3][3] = {{1, 1, 1}, {T[0], T[1], T[2]}, {T[0] * T[0], T[1] * T[1], T[2] * T[2]}};
#define DET(m)                                                                             \
  (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -                                    \
   m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
  double D = DET(A);
  for (int k = 0; k < 3; k++) {
    double B[3][3];
    memcpy(B, A, sizeof B);
    for (int i = 0; i < 3; i++) B[i][k] = r[i];
    b[k] = DET(B) / D;
  }
#undef DET
}

static void build(const ls_net *N, double eps, double beta, double *th) {
  size_t wo = ls_net_w_offset(N, 1), bo = ls_net_b_offset(N, 1), oo = ls_net_w_offset(N, 2),
         ob = ls_net_b_offset(N, 2);
  double b[3];
  weights(eps, beta, b);
  th[wo] = W0[0], th[wo + 1] = W0[1], th[bo] = W0[2], th[oo] = A0, th[ob] = BOUT;
  for (int k = 0; k < 3; k++) {
    for (int q = 0; q < 2; q++) th[wo + 2 * (k + 1) + q] = WC[q] + eps * T[k] * E[q];
    th[bo + k + 1] = WC[2] + eps * T[k] * E[2];
    th[oo + k + 1] = b[k];
  }
}

/* The limit's function at x: unit 0 + c f + (v.x) f' + order/2 (x^T M x) f'' (+ bias),
 * v = alpha E, M = 2 beta E E^T, x = (x1, x2, 1). */
static double limit_fn(const double *x, double beta, int order) {
  double xe[3] = {x[0], x[1], 1}, z = 0, z0 = 0, ex = 0;
  for (int q = 0; q < 3; q++) z += WC[q] * xe[q], z0 += W0[q] * xe[q], ex += E[q] * xe[q];
  double s = sig(z), f1 = s * (1 - s), f2 = f1 * (1 - 2 * s);
  return BOUT + A0 * sig(z0) + CC * s + ALPHA * ex * f1 + (order == 2 ? beta * ex * ex * f2 : 0);
}

int main(void) {
  ls_error err;
  ls_act a = {LS_ACT_SIGMOID, 1, 1};
  int wn[3] = {2, 4, 1};
  ls_net N;
  ls_net_init(&N, 2, wn, a, 1, NULL);
  size_t P = ls_net_nparams(&N);
  double *th = malloc(P * sizeof *th), *out = NULL;
  ls_data d;
  ls_data_grid(&d, 9, 2, -3, 3, 1, &err);
  out = malloc(d.n * sizeof *out);
  ls_work *w = ls_work_alloc(&N, d.n);
  for (int order = 2; order >= 1; order--) {
    double beta = order == 2 ? 0.6 : 0;
    for (size_t k = 0; k < d.n; k++) d.y[k] = limit_fn(d.x + 2 * k, beta, order);
    double prev_err = 0, prev_fd = 0;
    for (int e = 0; e < 2; e++) {
      double eps = e ? 1e-3 : 1e-2;
      memset(th, 0, P * sizeof *th);
      build(&N, eps, beta, th);
      ls_forward(&N, th, d.n, d.x, out, w);
      double er = 0; /* max over the data of |run - limit of this order| */
      for (size_t k = 0; k < d.n; k++) er = fmax(er, fabs(out[k] - d.y[k]));
      if (order == 2) {
        CHECK(er < 20 * eps, "order 2, eps %.0e: three units against c f + (v.x) f' + "
              "1/2 (x^T M x) f'': max error %.2e (O(eps))", eps, er);
        /* at least first order (the bound); on this collinear stencil centred on its
         * mean it is second order: t^3 = e1 t^2 - e2 t + e3 on the nodes (e_i their
         * elementary symmetric functions, e1 = sum t = 0), so eps^3 sum b t^3 =
         * eps^3 (-e2 alpha / eps + e3 c) = O(eps^2), and likewise the fourth moment */
        if (e) CHECK(prev_err / er > 7 && prev_err / er < 130,
                     "order 2: eps / 10 divides the expansion's error by %.2f (O(eps) at "
                     "least: >= 10; this stencil: 100)", prev_err / er);
      }
      prev_err = er;
      ls_channel_opts co;
      ls_channel_opts_default(&co);
      co.polish_iter = order == 2 ? 1 : 200;
      /* order 1: the limit fits the targets exactly, so its distance to the run equals
       * sqrt(the run's loss); the default fn_rtol 1 would sit on that boundary */
      if (order == 1) co.fn_rtol = 2;
      ls_channel_report rep;
      ls_status st = ls_channel_find(&N, &d, th, &co, &rep, &err);
      const ls_channel_group *g = rep.n_groups ? &rep.groups[0] : NULL;
      int grp = !st && rep.n_groups == 1 && g->layer == 1 && g->size == 3 && g->unit[0] == 1 &&
                g->unit[1] == 2 && g->unit[2] == 3 && g->sign[0] == 1 && g->sign[1] == 1 &&
                g->sign[2] == 1;
      CHECK(grp, "order %d, eps %.0e: the group of units 1 2 3 found (%s)", order, eps,
            st ? err.msg : rep.reason);
      if (!grp) {
        ls_channel_report_free(&rep);
        continue;
      }
      double e2 = E[0] * E[0] + E[1] * E[1] + E[2] * E[2];
      /* the exact second moment: 2 beta E E^T + eps^2 (sum b t^2 - 2 beta / eps^2) E E^T */
      CHECK(fabs(g->m_norm - 2 * fabs(beta) * e2) <= 1e-8 + 1e-6 * e2,
            "order %d, eps %.0e: |M| = %.6e, 2 |beta| |E|^2 = %.6e", order, eps, g->m_norm,
            2 * fabs(beta) * e2);
      CHECK(fabs(g->v_norm - ALPHA * sqrt(e2)) <= 1e-9,
            "order %d, eps %.0e: |v| = %.9f = alpha |E| = %.9f", order, eps, g->v_norm,
            ALPHA * sqrt(e2));
      if (order == 2) {
        CHECK(g->m_norm > g->v_norm * g->dist && g->order == 2 && rep.limit_net.glu[1] == 1 &&
                  rep.limit_net.glu2[1] == 1 && rep.found && strstr(rep.reason, "channel"),
              "order 2, eps %.0e: |M| %.3e > |v| dist %.3e; the limit is one second-order "
              "gated unit (glu %d, glu2 %d) and certifies the channel (%s)", eps, g->m_norm,
              g->v_norm * g->dist, rep.limit_net.glu[1], rep.limit_net.glu2[1], rep.reason);
        /* the limit's parameters are differences of O(eps) offsets times O(1/eps^2)
         * weights: rounding of order u / eps^2 in them */
        CHECK(sqrt(rep.limit_loss0) < 1e-3 * er && rep.fn_dist0 <= er,
              "order 2, eps %.0e: at the run's parameters the limit computes the targets "
              "(RMS %.2e, rounding); its distance to the run %.3e is within the expansion's "
              "error %.3e", eps, sqrt(rep.limit_loss0), rep.fn_dist0, er);
        if (e) CHECK(prev_fd / rep.fn_dist0 > 7,
                     "order 2: eps / 10 divides the limit's distance to the run by %.2f "
                     "(%.3e, then %.3e)", prev_fd / rep.fn_dist0, prev_fd, rep.fn_dist0);
        prev_fd = rep.fn_dist0;
      } else {
        CHECK(g->order == 1 && g->m_norm <= g->v_norm * g->dist && rep.found &&
                  strstr(rep.reason, "channel"),
              "order 1, eps %.0e: |M| %.3e <= |v| dist %.3e; certified by the one-GLU limit "
              "(%s)", eps, g->m_norm, g->v_norm * g->dist, rep.reason);
      }
      ls_channel_report_free(&rep);
    }
  }
  ls_work_free(w);
  ls_data_free(&d);
  free(th), free(out);
  return check_done();
}
