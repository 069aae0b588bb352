/* Gated linear units (docs/engine.md): gradient against central differences of the loss,
 * exact Hessian against differences of the gradient, HVP against H v, on random networks
 * mixing ordinary and GLU units (6 activations, 1-2 hidden layers, biases or not, MSE and
 * NLL); and the GLU unit as the limit of a pair of ordinary units with outgoing weights
 * c/2 +- 1/eps and incoming weights w +- eps V/2 (Martinelli et al. 2025, arXiv
 * 2506.14951): outputs, loss and gradient (through the chain rule of that map) agree to
 * O(eps^2). Second-order units (net.h glu2): the same derivative checks with one of the
 * GLU units of every hidden layer second order, and the unit as the limit of three ordinary
 * units at w + eps s_k D (s = -1, 0, 1) with outgoing weights B/(2 eps^2) (1, -2, 1) +
 * V'/eps (-1/2, 0, 1/2) + (0, c, 0): c f + V' (D.x) f' + B/2 (D.x)^2 f'' up to O(eps^2)
 * (the third-order terms cancel by the symmetry of s). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "random_problem.h"
#include "landsym/engine.h"

static double maxabs(size_t n, const double *v) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fabs(v[i]) > m ? fabs(v[i]) : m;
  return m;
}

static void derivative_checks(void) {
  const ls_act_kind acts[] = {LS_ACT_SIGMOID, LS_ACT_TANH, LS_ACT_SOFTPLUS, LS_ACT_ERF,
                              LS_ACT_GELU, LS_ACT_SOFTPLUS_SIG};
  unsigned seed = 4242;
  for (size_t ia = 0; ia < sizeof acts / sizeof *acts; ia++)
    for (int depth = 2; depth <= 3; depth++)
      for (int bias = 0; bias <= 1; bias++)
        for (int lo = 0; lo <= 3; lo++) {
          int loss = lo & 1, order2 = lo >> 1;
          ls_net net;
          random_net_init(&net, acts[ia], depth, bias, (ls_loss_kind)loss);
          for (int l = 1; l < depth; l++) net.glu[l] = 1 + (l + (int)ia) % 2, net.glu2[l] = order2;
          if (depth == 3) net.act[depth] = (ls_act){LS_ACT_TANH, 1, 1}; /* output act too */
          char desc[160];
          ls_net_describe(&net, desc, sizeof desc);
          ls_error err;
          CHECK(ls_net_validate(&net, &err) == LS_OK, "%s: valid", desc);
          size_t P = ls_net_nparams(&net);
          ls_data d;
          double *th = random_problem(&net, 7, &seed, &d);
          double *g = malloc(P * sizeof *g), *gp = malloc(P * sizeof *gp),
                 *gm = malloc(P * sizeof *gm), *H = malloc(P * P * sizeof *H),
                 *v = malloc(P * sizeof *v), *hv = malloc(P * sizeof *hv);
          ls_work *w = ls_work_alloc(&net, d.n);
          double L0, Lp, Lm, Lp2, Lm2, h = 1e-4, eg = 0, eh = 0, ev = 0, asym = 0;
          CHECK(ls_loss_grad(&net, &d, th, &L0, g, w) == LS_OK, "%s: gradient ok", desc);
          double gmax = maxabs(P, g) > 1 ? maxabs(P, g) : 1;
          for (size_t i = 0; i < P; i++) { /* 4th-order central differences of the loss */
            double t = th[i];
            th[i] = t + h, ls_loss(&net, &d, th, &Lp, w);
            th[i] = t - h, ls_loss(&net, &d, th, &Lm, w);
            th[i] = t + 2 * h, ls_loss(&net, &d, th, &Lp2, w);
            th[i] = t - 2 * h, ls_loss(&net, &d, th, &Lm2, w);
            th[i] = t;
            double fd = (8 * (Lp - Lm) - (Lp2 - Lm2)) / (12 * h);
            eg = fmax(eg, fabs(g[i] - fd) / gmax);
          }
          CHECK(eg < 1e-8, "%s: gradient vs FD of the loss: %.1e (P = %zu)", desc, eg, P);
          CHECK(ls_hessian(&net, &d, th, H, w) == LS_OK, "%s: hessian ok", desc);
          double hmax = maxabs(P * P, H) > 1 ? maxabs(P * P, H) : 1;
          for (size_t i = 0; i < P; i++) { /* 4th-order differences of the gradient */
            double t = th[i];
            th[i] = t + h, ls_loss_grad(&net, &d, th, &Lp, gp, w);
            th[i] = t - h, ls_loss_grad(&net, &d, th, &Lm, gm, w);
            for (size_t r = 0; r < P; r++) hv[r] = 8 * (gp[r] - gm[r]);
            th[i] = t + 2 * h, ls_loss_grad(&net, &d, th, &Lp, gp, w);
            th[i] = t - 2 * h, ls_loss_grad(&net, &d, th, &Lm, gm, w);
            th[i] = t;
            for (size_t r = 0; r < P; r++)
              eh = fmax(eh, fabs(H[r * P + i] - (hv[r] - (gp[r] - gm[r])) / (12 * h)) / hmax);
          }
          CHECK(eh < 1e-8, "%s: hessian vs FD of the gradient: %.1e", desc, eh);
          for (size_t r = 0; r < P; r++)
            for (size_t c = 0; c < P; c++) asym = fmax(asym, fabs(H[r * P + c] - H[c * P + r]));
          CHECK(asym == 0, "%s: hessian symmetric", desc);
          for (size_t i = 0; i < P; i++) v[i] = 2 * urand(&seed) - 1;
          CHECK(ls_hvp(&net, &d, th, v, hv, w) == LS_OK, "%s: hvp ok", desc);
          for (size_t r = 0; r < P; r++) {
            double s = 0;
            for (size_t c = 0; c < P; c++) s += H[r * P + c] * v[c];
            ev = fmax(ev, fabs(s - hv[r]) / hmax);
          }
          CHECK(ev < 1e-13, "%s: hvp vs H v: %.1e", desc, ev);
          ls_work_free(w);
          free(th), free(g), free(gp), free(gm), free(H), free(v), free(hv);
          ls_data_free(&d);
        }
}

/* Pair network 2-3-1 (unit 0 ordinary, units 1, 2 the pair) and GLU network 2-2-1 with
 * glu[1] = 1 (unit 0 the same, unit 1 the GLU), sigmoid, biases; the GLU has incoming
 * (w, b), direction (v, c0) = V / cg and outgoing weight cg. */
static void limit_checks(void) {
  unsigned seed = 99;
  ls_net pn, gn;
  int wp[3] = {2, 3, 1}, wg[3] = {2, 2, 1};
  ls_act sig = {LS_ACT_SIGMOID, 1, 1};
  ls_net_init(&pn, 2, wp, sig, 1, NULL);
  ls_net_init(&gn, 2, wg, sig, 1, NULL);
  gn.glu[1] = 1;
  ls_data d;
  double *tp = random_problem(&pn, 40, &seed, &d);
  size_t Pp = ls_net_nparams(&pn), Pg = ls_net_nparams(&gn);
  CHECK(Pg == 3 * 3 + 3, "GLU 2-2-1 network with biases has %zu = 12 parameters", Pg);
  double u0[3] = {0.7, -1.1, 0.3}, w[3] = {-0.4, 0.9, 0.2}, V[3] = {0.5, -0.8, 0.6};
  double a0 = 0.8, cg = -0.6, bo = 0.1;
  double *tg = calloc(Pg, sizeof *tg);
  /* GLU network: W1 rows (u0, w without bias), b1, V1, c1, W2, b2 */
  size_t W1 = ls_net_w_offset(&gn, 1), B1 = ls_net_b_offset(&gn, 1), V1 = ls_net_v_offset(&gn, 1),
         C1 = ls_net_c_offset(&gn, 1), W2 = ls_net_w_offset(&gn, 2), B2 = ls_net_b_offset(&gn, 2);
  CHECK(W1 == 0 && B1 == 4 && V1 == 6 && C1 == 8 && W2 == 9 && B2 == 11,
        "GLU layout: W1 0, b1 4, V1 6, c1 8, W2 9, b2 11 (got %zu %zu %zu %zu %zu %zu)", W1, B1,
        V1, C1, W2, B2);
  for (int j = 0; j < 2; j++) tg[W1 + j] = u0[j], tg[W1 + 2 + j] = w[j], tg[V1 + j] = V[j] / cg;
  tg[B1] = u0[2], tg[B1 + 1] = w[2], tg[C1] = V[2] / cg;
  tg[W2] = a0, tg[W2 + 1] = cg, tg[B2] = bo;
  ls_work *ww_g = ls_work_alloc(&gn, d.n), *ww_p = ls_work_alloc(&pn, d.n);
  double *fg = malloc(d.n * sizeof *fg), *fp = malloc(d.n * sizeof *fp);
  double *gg = malloc(Pg * sizeof *gg), *gp = malloc(Pp * sizeof *gp);
  double Lg, Lp;
  ls_forward(&gn, tg, d.n, d.x, fg, ww_g);
  ls_loss_grad(&gn, &d, tg, &Lg, gg, ww_g);
  /* GLU gradient in the coordinates (w, b, V, cg) of the limit: dL/dV = dL/dv' / cg,
   * dL/dcg at fixed V = dL/dcg at fixed v' - v'.dL/dV */
  double gl[9];
  for (int j = 0; j < 2; j++) gl[j] = gg[W1 + 2 + j], gl[3 + j] = gg[V1 + j] / cg;
  gl[2] = gg[B1 + 1], gl[5] = gg[C1] / cg;
  gl[6] = gg[W2 + 1];
  for (int j = 0; j < 3; j++) gl[6] -= (V[j] / cg) * gl[3 + j];
  gl[7] = gg[W2], gl[8] = gg[B2];
  double prev_f = 0, prev_g = 0;
  for (int k = 0; k < 3; k++) {
    double eps = 1e-2 * pow(10, -0.5 * k);
    size_t pw = ls_net_w_offset(&pn, 1), pb = ls_net_b_offset(&pn, 1),
           po = ls_net_w_offset(&pn, 2), pbo = ls_net_b_offset(&pn, 2);
    for (int j = 0; j < 2; j++) {
      tp[pw + j] = u0[j];
      tp[pw + 2 + j] = w[j] + eps * V[j] / 2;
      tp[pw + 4 + j] = w[j] - eps * V[j] / 2;
    }
    tp[pb] = u0[2], tp[pb + 1] = w[2] + eps * V[2] / 2, tp[pb + 2] = w[2] - eps * V[2] / 2;
    tp[po] = a0, tp[po + 1] = cg / 2 + 1 / eps, tp[po + 2] = cg / 2 - 1 / eps, tp[pbo] = bo;
    ls_forward(&pn, tp, d.n, d.x, fp, ww_p);
    ls_loss_grad(&pn, &d, tp, &Lp, gp, ww_p);
    double ef = 0;
    for (size_t i = 0; i < d.n; i++) ef = fmax(ef, fabs(fp[i] - fg[i]));
    /* chain rule of the pair map: dL/dw = g_i + g_j, dL/dV = eps/2 (g_i - g_j),
     * dL/dcg = (g_ai + g_aj)/2 */
    double gc[9];
    for (int j = 0; j < 2; j++) {
      double gi = gp[pw + 2 + j], gj = gp[pw + 4 + j];
      gc[j] = gi + gj, gc[3 + j] = eps / 2 * (gi - gj);
    }
    gc[2] = gp[pb + 1] + gp[pb + 2], gc[5] = eps / 2 * (gp[pb + 1] - gp[pb + 2]);
    gc[6] = (gp[po + 1] + gp[po + 2]) / 2, gc[7] = gp[po], gc[8] = gp[pbo];
    double eg = 0;
    for (int j = 0; j < 9; j++) eg = fmax(eg, fabs(gc[j] - gl[j]));
    CHECK(ef < 2 * eps * eps && fabs(Lp - Lg) < 2 * eps * eps,
          "eps %.1e: pair vs GLU outputs max diff %.2e, loss diff %.2e (< 2 eps^2)", eps, ef,
          fabs(Lp - Lg));
    CHECK(eg < 10 * eps * eps, "eps %.1e: pair gradient through the map vs GLU gradient %.2e",
          eps, eg);
    if (k > 0)
      CHECK(prev_f / ef > 8 && prev_f / ef < 12 && prev_g / eg > 8 && prev_g / eg < 12,
            "eps / sqrt(10): output error / %.2f, gradient error / %.2f (second order: 10)",
            prev_f / ef, prev_g / eg);
    prev_f = ef, prev_g = eg;
  }
  ls_work_free(ww_g), ls_work_free(ww_p);
  free(tp), free(tg), free(fg), free(fp), free(gg), free(gp);
  ls_data_free(&d);
}

/* Three-unit network 2-4-1 (unit 0 ordinary, units 1-3 the group) and the network 2-2-1
 * with one second-order GLU unit, sigmoid, biases. */
static void limit2_checks(void) {
  unsigned seed = 77;
  ls_net pn, gn;
  int wp[3] = {2, 4, 1}, wg[3] = {2, 2, 1};
  ls_act sig = {LS_ACT_SIGMOID, 1, 1};
  ls_net_init(&pn, 2, wp, sig, 1, NULL);
  ls_net_init(&gn, 2, wg, sig, 1, NULL);
  gn.glu[1] = 1, gn.glu2[1] = 1;
  ls_error err;
  CHECK(ls_net_validate(&gn, &err) == LS_OK, "second-order GLU network valid");
  ls_data d;
  double *tp = random_problem(&pn, 40, &seed, &d);
  size_t Pg = ls_net_nparams(&gn);
  size_t W1 = ls_net_w_offset(&gn, 1), B1 = ls_net_b_offset(&gn, 1), V1 = ls_net_v_offset(&gn, 1),
         C1 = ls_net_c_offset(&gn, 1), M1 = ls_net_m_offset(&gn, 1), W2 = ls_net_w_offset(&gn, 2),
         B2 = ls_net_b_offset(&gn, 2);
  CHECK(Pg == 18 && W1 == 0 && B1 == 4 && V1 == 6 && C1 == 8 && M1 == 9 && W2 == 15 && B2 == 17,
        "second-order layout: W1 0, b1 4, V1 6, c1 8, M1 9 (6 = 3*4/2 entries), W2 15, b2 17, "
        "P 18 (got %zu %zu %zu %zu %zu %zu %zu, P %zu)", W1, B1, V1, C1, M1, W2, B2, Pg);
  double u0[3] = {0.7, -1.1, 0.3}, w[3] = {-0.4, 0.9, 0.2}, D[3] = {0.5, -0.8, 0.6};
  double a0 = 0.8, c = -0.6, Vp = 0.9, B = 0.7, bo = 0.1;
  double *tg = calloc(Pg, sizeof *tg);
  for (int j = 0; j < 2; j++)
    tg[W1 + j] = u0[j], tg[W1 + 2 + j] = w[j], tg[V1 + j] = Vp * D[j] / c;
  tg[B1] = u0[2], tg[B1 + 1] = w[2], tg[C1] = Vp * D[2] / c;
  for (int i = 0, k = 0; i < 3; i++) /* M = B D D^T / c, upper triangle */
    for (int j = i; j < 3; j++, k++) tg[M1 + k] = B * D[i] * D[j] / c;
  tg[W2] = a0, tg[W2 + 1] = c, tg[B2] = bo;
  ls_work *wg_ = ls_work_alloc(&gn, d.n), *wp_ = ls_work_alloc(&pn, d.n);
  double *fg = malloc(d.n * sizeof *fg), *fp = malloc(d.n * sizeof *fp), Lg, Lp, prev = 0;
  ls_forward(&gn, tg, d.n, d.x, fg, wg_);
  ls_loss(&gn, &d, tg, &Lg, wg_);
  size_t pw = ls_net_w_offset(&pn, 1), pb = ls_net_b_offset(&pn, 1), po = ls_net_w_offset(&pn, 2),
         pbo = ls_net_b_offset(&pn, 2);
  for (int k = 0; k < 3; k++) {
    double eps = 1e-2 * pow(10, -0.5 * k), s[3] = {-1, 0, 1};
    for (int j = 0; j < 2; j++) tp[pw + j] = u0[j];
    tp[pb] = u0[2], tp[po] = a0, tp[pbo] = bo;
    for (int m = 0; m < 3; m++) {
      for (int j = 0; j < 2; j++) tp[pw + 2 * (m + 1) + j] = w[j] + eps * s[m] * D[j];
      tp[pb + m + 1] = w[2] + eps * s[m] * D[2];
      tp[po + m + 1] = B / (2 * eps * eps) * (m == 1 ? -2 : 1) + Vp / eps * s[m] / 2 + (m == 1 ? c : 0);
    }
    ls_forward(&pn, tp, d.n, d.x, fp, wp_);
    ls_loss(&pn, &d, tp, &Lp, wp_);
    double ef = 0;
    for (size_t i = 0; i < d.n; i++) ef = fmax(ef, fabs(fp[i] - fg[i]));
    CHECK(ef < 2 * eps * eps && fabs(Lp - Lg) < 2 * eps * eps,
          "eps %.1e: three units (outgoing weights ~ %.0e) vs the second-order unit: outputs %.2e, "
          "loss %.2e apart (< 2 eps^2)", eps, B / (eps * eps), ef, fabs(Lp - Lg));
    if (k > 0)
      CHECK(prev / ef > 7 && prev / ef < 13, "eps / sqrt(10): output error / %.2f (second "
            "order: 10)", prev / ef);
    prev = ef;
  }
  /* M = 0: the first-order GLU exactly */
  ls_net g1 = gn;
  g1.glu2[1] = 0;
  double *t1 = calloc(ls_net_nparams(&g1), sizeof *t1), L1, L2, *f1 = malloc(d.n * sizeof *f1);
  memcpy(t1, tg, M1 * sizeof *t1);
  t1[M1] = tg[W2], t1[M1 + 1] = tg[W2 + 1], t1[M1 + 2] = tg[B2];
  for (int k = 0; k < 6; k++) tg[M1 + k] = 0;
  ls_work *w1 = ls_work_alloc(&g1, d.n);
  ls_loss(&gn, &d, tg, &L2, wg_), ls_loss(&g1, &d, t1, &L1, w1);
  CHECK(L1 == L2, "M = 0: the first-order GLU's loss bit for bit (%.17g, %.17g)", L1, L2);
  ls_work_free(wg_), ls_work_free(wp_), ls_work_free(w1);
  free(tp), free(tg), free(fg), free(fp), free(t1), free(f1);
  ls_data_free(&d);
}

int main(void) {
  derivative_checks();
  limit_checks();
  limit2_checks();
  ls_net bad;
  int wb[3] = {2, 3, 1};
  ls_net_init(&bad, 2, wb, (ls_act){LS_ACT_SIGMOID, 1, 1}, 0, NULL);
  bad.glu[2] = 1;
  ls_error err;
  CHECK(ls_net_validate(&bad, &err) == LS_ERR_INPUT, "GLU units in the output layer rejected: %s",
        err.msg);
  bad.glu[2] = 0, bad.glu[1] = 4;
  CHECK(ls_net_validate(&bad, &err) == LS_ERR_INPUT, "more GLU units than the width rejected");
  bad.glu[1] = 1, bad.glu2[1] = 2;
  CHECK(ls_net_validate(&bad, &err) == LS_ERR_INPUT, "more second-order than GLU units rejected: %s",
        err.msg);
  return check_done();
}
