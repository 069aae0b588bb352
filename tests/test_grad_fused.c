/* The fused shallow kernel (src/deriv/fused.c) against the general block path: random
 * 1-hidden-layer networks (sigmoid, tanh; with and without biases; several input,
 * hidden and output widths), sample counts below the vector width, not a multiple of
 * the block, several blocks; uniform and per-sample weights.  Loss and gradient must
 * agree to 1e-14 (loss relative to L + sum w y^2, gradient relative to its largest entry); the fused path must also be
 * bitwise independent of the thread count, and unsupported networks must be unaffected. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/simd.h"
#include "deriv/work.h"
#include "landsym/engine.h"

static double urand(unsigned *s) { return (rand_r(s) + 0.5) / ((double)RAND_MAX + 1.0); }

/* Max difference of loss and gradient between the fused and the general path. */
static void compare(const ls_net *net, const ls_data *d, const double *th, size_t P,
                    double *el, double *eg, int *thr_same) {
  double *g1 = malloc(P * sizeof *g1), *g2 = malloc(P * sizeof *g2), *g3 = malloc(P * sizeof *g3);
  double L1, L2, L3, gmax = 0;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_work_set_fused(w, 1);
  ls_loss_grad(net, d, th, &L1, g1, w);
  ls_work_set_fused(w, 0);
  ls_loss_grad(net, d, th, &L2, g2, w);
  /* loss relative to L + sum_k w_k |y_k|^2: when f nearly matches y (one sample), the
   * rounding of f - y, not the kernel, limits the relative accuracy of L itself */
  double ys = 0;
  for (size_t k = 0; k < d->n; k++)
    for (int o = 0; o < d->dout; o++) ys += ls_data_weight(d, k) * d->y[k * d->dout + o] * d->y[k * d->dout + o];
  *el = fabs(L1 - L2) / (fabs(L2) + ys);
  *eg = 0;
  for (size_t i = 0; i < P; i++) gmax = fmax(gmax, fabs(g2[i]));
  for (size_t i = 0; i < P; i++) *eg = fmax(*eg, fabs(g1[i] - g2[i]) / gmax);
  ls_work_free(w);
  /* fused with 4 threads vs 1 thread: same bits */
  int nt = omp_get_max_threads();
  omp_set_num_threads(4);
  w = ls_work_alloc(net, d->n);
  ls_work_set_fused(w, 1);
  ls_loss_grad(net, d, th, &L3, g3, w);
  ls_work_free(w);
  omp_set_num_threads(nt);
  *thr_same = L3 == L1 && memcmp(g1, g3, P * sizeof *g1) == 0;
  free(g1), free(g2), free(g3);
}

int main(void) {
  unsigned seed = 777;
  const size_t ns[] = {1, 3, 8, 13, 256, 300, 1681, 9000};
  const int dins[] = {1, 2, 3, 5}, hs[] = {1, 5, 17}, ms[] = {1, 2};
  double worst_l = 0, worst_g = 0;
  int cases = 0, bad_thr = 0;
  for (int act = 0; act < 2; act++)
    for (int bias = 0; bias <= 1; bias++)
      for (size_t in = 0; in < sizeof ns / sizeof *ns; in++)
        for (int id = 0; id < 4; id++)
          for (int ih = 0; ih < 3; ih++)
            for (int weighted = 0; weighted <= 1; weighted++) {
              int m = ms[(in + id + ih) % 2];
              if (ns[in] == 9000 && (ih < 2 || id > 1)) continue; /* keep the test short */
              int wd[3] = {dins[id], hs[ih], m};
              ls_act a = {act ? LS_ACT_TANH : LS_ACT_SIGMOID, 1, 1};
              ls_net net;
              ls_net_init(&net, 2, wd, a, bias, NULL);
              ls_data d;
              ls_data_alloc(&d, ns[in], wd[0], m, weighted, NULL);
              for (size_t i = 0; i < d.n * d.din; i++) d.x[i] = 6 * urand(&seed) - 3;
              for (size_t i = 0; i < d.n * d.dout; i++) d.y[i] = 2 * urand(&seed) - 1;
              if (weighted) {
                double s = 0;
                for (size_t k = 0; k < d.n; k++) s += (d.w[k] = urand(&seed));
                for (size_t k = 0; k < d.n; k++) d.w[k] /= s;
              }
              size_t P = ls_net_nparams(&net);
              double *th = malloc(P * sizeof *th);
              for (size_t i = 0; i < P; i++) th[i] = 2 * (2 * urand(&seed) - 1);
              double el, eg;
              int same;
              compare(&net, &d, th, P, &el, &eg, &same);
              worst_l = fmax(worst_l, el), worst_g = fmax(worst_g, eg), bad_thr += !same;
              cases++;
              if (el > 1e-14 || eg > 1e-14 || !same)
                CHECK(0, "%s bias %d n %zu %d-%d-%d w %d: loss %.1e grad %.1e threads %s",
                      ls_act_name(a.kind), bias, ns[in], wd[0], wd[1], wd[2], weighted, el,
                      eg, same ? "same" : "differ");
              free(th);
              ls_data_free(&d);
            }
  CHECK(worst_l <= 1e-14 && worst_g <= 1e-14, "%d random nets: fused vs general max rel diff "
        "loss %.1e, gradient %.1e (limit 1e-14)", cases, worst_l, worst_g);
  CHECK(bad_thr == 0, "fused path bitwise identical with 1 and 4 threads (%d differ)", bad_thr);

  /* the narrow sigmoid kernel (fused_small.c), every compiled width: 1-2 inputs x 1-8
   * hidden units, with and without biases and sample weights, n below, at and off the
   * chunk and block sizes; against the general path within 1e-14, and the loss against
   * fused.c's loss-only pass (same operations in the same order: mostly the same bits,
   * FMA contraction may differ in the last bit) within 1e-15 */
  {
    double wl = 0, wg = 0, wf = 0;
    int nc = 0, bad = 0, loss_bits = 0;
    const size_t nn[] = {5, 8, 259, 1681};
    for (int din = 1; din <= 2; din++)
      for (int h = 1; h <= LS_FZS_MAX_HID; h++)
        for (int bias = 0; bias <= 1; bias++)
          for (int weighted = 0; weighted <= 1; weighted++) {
            size_t n = nn[(din + h + bias + weighted) % 4];
            int wd[3] = {din, h, 1};
            ls_act a = {LS_ACT_SIGMOID, 1, 1};
            ls_net net;
            ls_net_init(&net, 2, wd, a, bias, NULL);
            ls_data d;
            ls_data_alloc(&d, n, din, 1, weighted, NULL);
            for (size_t i = 0; i < n * din; i++) d.x[i] = 6 * urand(&seed) - 3;
            for (size_t i = 0; i < n; i++) d.y[i] = 2 * urand(&seed) - 1;
            if (weighted)
              for (size_t k = 0; k < n; k++) d.w[k] = urand(&seed) / n;
            size_t P = ls_net_nparams(&net);
            double th[64], el, eg, L1, L2;
            for (size_t i = 0; i < P; i++) th[i] = 2 * (2 * urand(&seed) - 1);
            int same;
            compare(&net, &d, th, P, &el, &eg, &same);
            ls_work *w = ls_work_alloc(&net, n);
            double g[64];
            ls_loss_grad(&net, &d, th, &L1, g, w); /* fused_small.c */
            ls_loss(&net, &d, th, &L2, w);          /* fused.c (loss only) */
            ls_work_free(w);
            loss_bits += L1 == L2;
            wf = fmax(wf, fabs(L1 - L2) / fabs(L2));
            nc++, bad += !same || !ls_fused_small_supported(&net);
            wl = fmax(wl, el), wg = fmax(wg, eg);
            ls_data_free(&d);
          }
    CHECK(wl <= 1e-14 && wg <= 1e-14 && bad == 0 && wf <= 1e-15,
          "narrow sigmoid kernel, %d nets (1-2 inputs, 1-8 hidden): vs general path max rel "
          "diff loss %.1e gradient %.1e (limit 1e-14), threads bitwise; loss vs fused.c %.1e "
          "(bitwise in %d)", nc, wl, wg, wf, loss_bits);
  }

  /* saturated units: pre-activations up to about +-2000 (exp underflows, s = 0 or 1) */
  for (int act = 0; act < 2; act++) {
    int wd[3] = {2, 6, 1};
    ls_act a = {act ? LS_ACT_TANH : LS_ACT_SIGMOID, 1, 1};
    ls_net net;
    ls_net_init(&net, 2, wd, a, 1, NULL);
    ls_data d;
    ls_data_alloc(&d, 301, 2, 1, 0, NULL);
    for (size_t i = 0; i < d.n * d.din; i++) d.x[i] = 6 * urand(&seed) - 3;
    for (size_t i = 0; i < d.n; i++) d.y[i] = 2 * urand(&seed) - 1;
    size_t P = ls_net_nparams(&net);
    double th[32];
    for (size_t i = 0; i < P; i++) th[i] = (i < 12 ? 300 : 1) * (2 * urand(&seed) - 1);
    double el, eg;
    int same;
    compare(&net, &d, th, P, &el, &eg, &same);
    CHECK(el <= 1e-14 && eg <= 1e-14 && same, "%s saturated (|z| up to ~2000): loss %.1e grad %.1e",
          ls_act_name(a.kind), el, eg);
    ls_data_free(&d);
  }

  /* the shared inline exp (simd.h) against long double expl, scalar and eight-wide */
  double ulp_max = 0;
  for (int i = 0; i < 200000; i++) {
    double x = -708.0 * urand(&seed);
    if (i % 2) x *= 1e-3 * urand(&seed);
    double xs[8], ev[8];
    for (int l = 0; l < 8; l++) xs[l] = x * (1 - 0.01 * l);
    ls_v8 v = ls_v8_exp_neg(*(ls_v8 *)xs);
    memcpy(ev, &v, sizeof ev);
    for (int l = 0; l < 8; l++) {
      double a = ls_exp_neg(xs[l]), ulp = nextafter(a, INFINITY) - a;
      double e = (double)fabsl((long double)a - expl((long double)xs[l])) / ulp;
      if (ev[l] != a) e = 1e9; /* vector and scalar must agree bit for bit */
      ulp_max = fmax(ulp_max, e);
    }
  }
  CHECK(ulp_max <= 2.5 && ls_exp_neg(-800) == ls_exp_neg(-708) && ls_exp_neg(0) == 1,
        "ls_exp_neg on [-708, 0]: max error %.2f ulp vs expl (limit 2.5), clamped below -708",
        ulp_max);

  /* selection: supported nets only; the switch turns it off */
  ls_act sig = {LS_ACT_SIGMOID, 1, 1}, relu = {LS_ACT_RELU, 1, 1};
  int w2[3] = {2, 5, 1}, w3[4] = {2, 5, 5, 1};
  ls_net a, b, c;
  ls_net_init(&a, 2, w2, sig, 0, NULL);
  ls_net_init(&b, 2, w2, relu, 0, NULL);
  ls_net_init(&c, 3, w3, sig, 0, NULL);
  ls_net nll = a;
  nll.loss = LS_LOSS_NLL;
  CHECK(ls_fused_supported(&a) && !ls_fused_supported(&b) && !ls_fused_supported(&c) &&
            !ls_fused_supported(&nll),
        "fused kernel chosen for 2-5-1 sigmoid MSE only (not relu, depth 2, NLL)");
  return check_done();
}
