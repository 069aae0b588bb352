/* Invariances of the engine:
 * - permuting the hidden neurons of any layer (rows of W_l, b_l and columns of W_{l+1})
 *   leaves the loss unchanged (1e-14 relative: only the order of one sum changes), permutes
 *   the gradient and the Hessian accordingly, and leaves the gradient norm and the Hessian
 *   spectrum unchanged;
 * - loss, gradient, Hessian and HVP are bitwise identical whatever the number of threads. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"

static double urand(unsigned *s) { return (rand_r(s) + 0.5) / ((double)RAND_MAX + 1.0); }

/* pi[i] = index in theta of the parameter that lands at position i after permuting the
 * neurons of hidden layer l by perm (new neuron i is old neuron perm[i]). */
static void param_perm(const ls_net *net, int l, const int *perm, size_t *pi) {
  size_t P = ls_net_nparams(net);
  for (size_t i = 0; i < P; i++) pi[i] = i;
  int wi = net->width[l - 1], wl = net->width[l], wo = net->width[l + 1];
  size_t oW = ls_net_w_offset(net, l), oW2 = ls_net_w_offset(net, l + 1);
  for (int i = 0; i < wl; i++)
    for (int j = 0; j < wi; j++) pi[oW + (size_t)i * wi + j] = oW + (size_t)perm[i] * wi + j;
  if (net->bias[l])
    for (int i = 0; i < wl; i++) pi[ls_net_b_offset(net, l) + i] = ls_net_b_offset(net, l) + perm[i];
  for (int o = 0; o < wo; o++)
    for (int i = 0; i < wl; i++) pi[oW2 + (size_t)o * wl + i] = oW2 + (size_t)o * wl + perm[i];
}

static void test_perm(ls_act_kind act, ls_loss_kind loss, unsigned *seed) {
  int widths[5] = {3, 6, 5, 4, 3};
  ls_net net;
  ls_net_init(&net, 4, widths, (ls_act){act, 0.7, 2.5}, 1, NULL);
  net.loss = loss;
  size_t P = ls_net_nparams(&net);
  ls_data d;
  ls_data_alloc(&d, 300, 3, 3, 0, NULL);
  for (size_t i = 0; i < d.n * 3; i++) d.x[i] = 2 * urand(seed) - 1;
  for (size_t i = 0; i < d.n * 3; i++) d.y[i] = urand(seed);
  double *th = malloc(P * sizeof *th), *tp = malloc(P * sizeof *tp);
  double *g = malloc(P * sizeof *g), *gp = malloc(P * sizeof *gp);
  double *H = malloc(P * P * sizeof *H), *Hp = malloc(P * P * sizeof *Hp);
  double *ev = malloc(P * sizeof *ev), *evp = malloc(P * sizeof *evp);
  size_t *pi = malloc(P * sizeof *pi);
  for (size_t i = 0; i < P; i++) th[i] = 2 * urand(seed) - 1;
  ls_work *w = ls_work_alloc(&net, d.n);
  double L, Lp;
  ls_loss_grad(&net, &d, th, &L, g, w);
  ls_hessian(&net, &d, th, H, w);
  ls_eig_sym(P, H, ev, NULL, NULL);
  double gn = 0;
  for (size_t i = 0; i < P; i++) gn += g[i] * g[i];
  for (int l = 1; l < net.n_layers; l++) {
    int perm[8], wl = net.width[l];
    for (int i = 0; i < wl; i++) perm[i] = i;
    for (int i = wl - 1; i > 0; i--) { /* Fisher-Yates */
      int j = rand_r(seed) % (i + 1), t = perm[i];
      perm[i] = perm[j], perm[j] = t;
    }
    param_perm(&net, l, perm, pi);
    for (size_t i = 0; i < P; i++) tp[i] = th[pi[i]];
    ls_loss_grad(&net, &d, tp, &Lp, gp, w);
    ls_hessian(&net, &d, tp, Hp, w);
    ls_eig_sym(P, Hp, evp, NULL, NULL);
    double ge = 0, he = 0, se = 0, gnp = 0, hmax = 0;
    for (size_t i = 0; i < P; i++) {
      ge = fmax(ge, check_rel(gp[i], g[pi[i]], 1e-12));
      gnp += gp[i] * gp[i];
      se = fmax(se, fabs(evp[i] - ev[i]));
      hmax = fmax(hmax, fabs(ev[i]));
      for (size_t j = 0; j < P; j++) he = fmax(he, fabs(Hp[i * P + j] - H[pi[i] * P + pi[j]]));
    }
    const char *an = ls_act_name(act), *ln = ls_loss_name(loss);
    CHECK(check_rel(Lp, L, 0) <= 1e-14, "perm layer %d %s %s: loss rel diff %.1e (bitwise %s)", l,
          an, ln, check_rel(Lp, L, 0), Lp == L ? "yes" : "no");
    CHECK(ge <= 1e-12, "perm layer %d %s %s: gradient permuted, rel %.1e", l, an, ln, ge);
    CHECK(check_rel(sqrt(gnp), sqrt(gn), 0) <= 1e-13, "perm layer %d %s %s: gradient norm unchanged", l, an, ln);
    CHECK(he <= 1e-12 * hmax, "perm layer %d %s %s: Hessian permuted, max diff %.1e", l, an, ln, he);
    CHECK(se <= 1e-12 * hmax, "perm layer %d %s %s: Hessian spectrum unchanged, max diff %.1e", l, an, ln, se);
  }
  ls_work_free(w);
  free(th), free(tp), free(g), free(gp), free(H), free(Hp), free(ev), free(evp), free(pi);
  ls_data_free(&d);
}

/* Same results, bit for bit, with 1 and with 4 threads. */
static void test_threads(unsigned *seed) {
  int widths[4] = {10, 10, 10, 1};
  ls_net net;
  ls_net_init(&net, 3, widths, (ls_act){LS_ACT_SIGMOID, 0, 0}, 1, NULL);
  size_t P = ls_net_nparams(&net);
  ls_data d;
  ls_data_alloc(&d, 3001, 10, 1, 0, NULL);
  for (size_t i = 0; i < d.n * 10; i++) d.x[i] = 2 * urand(seed) - 1;
  for (size_t i = 0; i < d.n; i++) d.y[i] = urand(seed) - 0.5;
  double *th = malloc(P * sizeof *th), *v = malloc(P * sizeof *v);
  for (size_t i = 0; i < P; i++) th[i] = urand(seed) - 0.5, v[i] = urand(seed) - 0.5;
  double L[2], *g[2], *H[2], *hv[2];
  for (int r = 0; r < 2; r++) {
    omp_set_num_threads(r ? 4 : 1);
    ls_work *w = ls_work_alloc(&net, d.n);
    g[r] = malloc(P * sizeof(double)), H[r] = malloc(P * P * sizeof(double)), hv[r] = malloc(P * sizeof(double));
    ls_loss_grad(&net, &d, th, &L[r], g[r], w);
    ls_hessian(&net, &d, th, H[r], w);
    ls_hvp(&net, &d, th, v, hv[r], w);
    ls_work_free(w);
  }
  CHECK(L[0] == L[1] && memcmp(g[0], g[1], P * sizeof(double)) == 0,
        "loss and gradient bitwise identical with 1 and 4 threads (n = %zu)", d.n);
  CHECK(memcmp(H[0], H[1], P * P * sizeof(double)) == 0, "Hessian bitwise identical with 1 and 4 threads");
  CHECK(memcmp(hv[0], hv[1], P * sizeof(double)) == 0, "HVP bitwise identical with 1 and 4 threads");
  for (int r = 0; r < 2; r++) free(g[r]), free(H[r]), free(hv[r]);
  free(th), free(v);
  ls_data_free(&d);
}

int main(void) {
  unsigned seed = 99;
  for (int act = 1; act < LS_ACT_COUNT; act++) test_perm((ls_act_kind)act, act % 2 ? LS_LOSS_MSE : LS_LOSS_NLL, &seed);
  test_threads(&seed);
  return check_done();
}
