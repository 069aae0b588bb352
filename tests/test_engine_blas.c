/* The BLAS engine (src/deriv/gemm.c, gemm_hvp.c, gemm_hessian.c) against the generic path and against
 * central finite differences: networks of several depths and widths (not multiples of the
 * micro-kernel sizes), with and without biases, sigmoid, tanh, softplus and gelu hidden
 * layers, MSE and NLL, per-sample weights, sample counts below one block, one more than a
 * block, and several blocks plus a remainder.
 * Agreement bound with the generic path: 1e-12, relative to |L| for the loss and to the
 * largest entry of the generic gradient, H v or Hessian (the two differ only in
 * the order of the sums).  Finite differences (step 1e-5, central): 1e-6, same norms.
 * The BLAS path on 1 and 2 threads must agree bit for bit, and AUTO must keep the toy
 * network on the fused kernel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deriv/gemm.h"
#include "landsym/engine.h"
#include "random_problem.h"

#define TOL_PATH 1e-12
#define TOL_FD 1e-6

typedef struct {
  int L, widths[6], bias;
  ls_act_kind act;
  ls_loss_kind loss;
} shape;

static double max_rel(const double *a, const double *b, size_t n) {
  double m = 0, s = 0;
  for (size_t i = 0; i < n; i++) s = fmax(s, fabs(b[i]));
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i] - b[i]));
  return s > 0 ? m / s : m;
}

static ls_work *work(const ls_net *net, size_t n, ls_engine_kind e, int threads) {
  ls_ctx c = ls_ctx_threads(threads);
  c.engine = e;
  return ls_work_alloc_ctx(&c, net, n);
}

/* BLAS against generic: loss, gradient, H v. */
static void vs_generic(const ls_net *net, const ls_data *d, const double *th, const double *v,
                       const char *name) {
  size_t P = ls_net_nparams(net);
  double *g1 = malloc(P * sizeof *g1), *g2 = malloc(P * sizeof *g2);
  double *h1 = malloc(P * sizeof *h1), *h2 = malloc(P * sizeof *h2), L1, L2;
  ls_work *wb = work(net, d->n, LS_ENGINE_BLAS, 2), *wg = work(net, d->n, LS_ENGINE_GENERIC, 2);
  CHECK(ls_work_engine(wb) == LS_ENGINE_BLAS && ls_work_engine(wg) == LS_ENGINE_GENERIC,
        "%s: engines blas / generic as requested", name);
  int ok = !ls_loss_grad(net, d, th, &L1, g1, wb) && !ls_loss_grad(net, d, th, &L2, g2, wg) &&
           !ls_hvp(net, d, th, v, h1, wb) && !ls_hvp(net, d, th, v, h2, wg);
  double el = fabs(L1 - L2) / fabs(L2), eg = max_rel(g1, g2, P), eh = max_rel(h1, h2, P);
  CHECK(ok && el < TOL_PATH && eg < TOL_PATH && eh < TOL_PATH,
        "%s n=%zu: blas vs generic loss %.1e grad %.1e hvp %.1e", name, d->n, el, eg, eh);
  ls_work_free(wb), ls_work_free(wg);
  free(g1), free(g2), free(h1), free(h2);
}

/* BLAS dense Hessian (gemm_hessian.c) against generic (hessian.c), and its column q
 * against the BLAS H e_q for a few q (first and last of each layer). */
static void vs_generic_hessian(const ls_net *net, const ls_data *d, const double *th,
                               const char *name) {
  size_t P = ls_net_nparams(net);
  double *H1 = malloc(P * P * sizeof *H1), *H2 = malloc(P * P * sizeof *H2);
  double *e = calloc(P, sizeof *e), *hv = malloc(P * sizeof *hv), *col = malloc(P * sizeof *col);
  ls_work *wb = work(net, d->n, LS_ENGINE_BLAS, 2), *wg = work(net, d->n, LS_ENGINE_GENERIC, 2);
  int ok = !ls_hessian(net, d, th, H1, wb) && !ls_hessian(net, d, th, H2, wg);
  double eH = max_rel(H1, H2, P * P), ec = 0;
  for (int l = 1; l <= net->n_layers && ok; l++) {
    size_t qs[2] = {ls_net_w_offset(net, l), ls_net_w_offset(net, l + 1) - 1};
    for (int k = 0; k < 2; k++) {
      e[qs[k]] = 1;
      ok &= !ls_hvp(net, d, th, e, hv, wb);
      e[qs[k]] = 0;
      for (size_t r = 0; r < P; r++) col[r] = H1[r * P + qs[k]];
      ec = fmax(ec, max_rel(col, hv, P));
    }
  }
  CHECK(ok && eH < TOL_PATH && ec < TOL_PATH,
        "%s n=%zu: blas dense Hessian vs generic %.1e, columns vs blas H e_q %.1e", name, d->n,
        eH, ec);
  ls_work_free(wb), ls_work_free(wg);
  free(H1), free(H2), free(e), free(hv), free(col);
}

/* BLAS gradient and H v against central differences along v (of L and of grad). */
static void vs_fd(const ls_net *net, const ls_data *d, const double *th, const double *v,
                  const char *name) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), *hv = malloc(P * sizeof *hv), *tp = malloc(P * sizeof *tp);
  double *gp = malloc(P * sizeof *gp), *gm = malloc(P * sizeof *gm), *fd = malloc(P * sizeof *fd);
  double L0, Lp, Lm, h = 1e-5, gv = 0, gs = 0;
  ls_work *w = work(net, d->n, LS_ENGINE_BLAS, 1);
  ls_loss_grad(net, d, th, &L0, g, w);
  ls_hvp(net, d, th, v, hv, w);
  for (size_t i = 0; i < P; i++) tp[i] = th[i] + h * v[i];
  ls_loss_grad(net, d, tp, &Lp, gp, w);
  for (size_t i = 0; i < P; i++) tp[i] = th[i] - h * v[i];
  ls_loss_grad(net, d, tp, &Lm, gm, w);
  for (size_t i = 0; i < P; i++) gv += g[i] * v[i], gs += fabs(g[i] * v[i]);
  for (size_t i = 0; i < P; i++) fd[i] = (gp[i] - gm[i]) / (2 * h);
  double eg = fabs((Lp - Lm) / (2 * h) - gv) / gs, eh = max_rel(fd, hv, P);
  CHECK(eg < TOL_FD && eh < TOL_FD, "%s n=%zu: finite differences grad.v %.1e, Hv %.1e", name,
        d->n, eg, eh);
  ls_work_free(w);
  free(g), free(hv), free(tp), free(gp), free(gm), free(fd);
}

/* 1 and 2 threads: the same bits. */
static void threads_same(const ls_net *net, const ls_data *d, const double *th,
                         const double *v, const char *name) {
  size_t P = ls_net_nparams(net);
  double *g[2], *hv[2], *H[2], L[2];
  for (int t = 0; t < 2; t++) {
    g[t] = malloc(P * sizeof(double)), hv[t] = malloc(P * sizeof(double));
    H[t] = malloc(P * P * sizeof(double));
    ls_work *w = work(net, d->n, LS_ENGINE_BLAS, t + 1);
    ls_loss_grad(net, d, th, &L[t], g[t], w);
    ls_hvp(net, d, th, v, hv[t], w);
    ls_hessian(net, d, th, H[t], w);
    ls_work_free(w);
  }
  CHECK(L[0] == L[1] && !memcmp(g[0], g[1], P * sizeof(double)) &&
            !memcmp(hv[0], hv[1], P * sizeof(double)) && !memcmp(H[0], H[1], P * P * sizeof(double)),
        "%s n=%zu: 1 and 2 threads bitwise identical (loss, gradient, H v, Hessian)", name, d->n);
  for (int t = 0; t < 2; t++) free(g[t]), free(hv[t]), free(H[t]);
}

/* BLAS against the fused kernel on a network the fused kernel takes (and on the thesis
 * toy's narrow case): loss and gradient. */
static void vs_fused(int din, int hid, int dout, int bias, ls_act_kind act, size_t n,
                     unsigned *seed) {
  ls_net net;
  int wd[3] = {din, hid, dout};
  ls_act a = {act, 0, 0};
  ls_net_init(&net, 2, wd, a, bias, NULL);
  ls_data d;
  double *th = random_problem(&net, n, seed, &d), L1, L2;
  size_t P = ls_net_nparams(&net);
  double *g1 = malloc(P * sizeof *g1), *g2 = malloc(P * sizeof *g2);
  ls_work *wb = work(&net, n, LS_ENGINE_BLAS, 2), *wf = work(&net, n, LS_ENGINE_FUSED, 2);
  int ok = ls_work_engine(wf) == LS_ENGINE_FUSED && !ls_loss_grad(&net, &d, th, &L1, g1, wb) &&
           !ls_loss_grad(&net, &d, th, &L2, g2, wf);
  double el = fabs(L1 - L2) / fabs(L2), eg = max_rel(g1, g2, P);
  CHECK(ok && el < TOL_PATH && eg < TOL_PATH, "%s%s-%d-%d-%d n=%zu: blas vs fused loss %.1e grad %.1e",
        ls_act_name(act), bias ? "+b" : "", din, hid, dout, n, el, eg);
  ls_work_free(wb), ls_work_free(wf), ls_data_free(&d);
  free(th), free(g1), free(g2);
}

static void run_shape(const shape *s, unsigned *seed) {
  ls_net net;
  ls_act a = {s->act, 0.7, 2.5};
  ls_net_init(&net, s->L, s->widths, a, s->bias, NULL);
  net.loss = s->loss;
  char name[96];
  int off = snprintf(name, sizeof name, "%s%s", ls_act_name(s->act), s->bias ? "+b" : "");
  for (int l = 0; l <= s->L; l++) off += snprintf(name + off, sizeof name - off, "-%d", s->widths[l]);
  snprintf(name + off, sizeof name - off, " %s", ls_loss_name(s->loss));
  size_t bs = ls_gm_block(&net, (size_t)1 << 30, 1), ns[4] = {1, 37, bs + 1, 3 * bs + 17};
  for (int i = 0; i < 4; i++) {
    ls_data d;
    double *th = random_problem(&net, ns[i], seed, &d);
    size_t P = ls_net_nparams(&net);
    double *v = malloc(P * sizeof *v);
    for (size_t j = 0; j < P; j++) th[j] *= 0.5, v[j] = 2 * urand(seed) - 1;
    vs_generic(&net, &d, th, v, name);
    if (i == 1 || i == 3) vs_fd(&net, &d, th, v, name), vs_generic_hessian(&net, &d, th, name);
    if (i == 3) threads_same(&net, &d, th, v, name);
    ls_data_free(&d);
    free(th), free(v);
  }
}

int main(void) {
  static const shape shapes[] = {
      {3, {7, 33, 19, 3}, 1, LS_ACT_SIGMOID, LS_LOSS_MSE},
      {2, {5, 50, 2}, 0, LS_ACT_TANH, LS_LOSS_MSE},
      {4, {12, 20, 21, 20, 4}, 1, LS_ACT_SOFTPLUS, LS_LOSS_NLL},
      {3, {30, 17, 9, 1}, 0, LS_ACT_GELU, LS_LOSS_MSE},
      {3, {41, 25, 25, 10}, 1, LS_ACT_SOFTPLUS, LS_LOSS_MSE},
  };
  unsigned seed = 17;
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) run_shape(&shapes[i], &seed);
  vs_fused(2, 5, 1, 0, LS_ACT_SIGMOID, 1681, &seed);
  vs_fused(9, 37, 3, 1, LS_ACT_TANH, 1001, &seed);
  vs_fused(16, 200, 8, 1, LS_ACT_SIGMOID, 333, &seed);
  /* the automatic choice: the thesis toy stays fused, a wide network takes BLAS */
  ls_net toy, wide;
  int wt[3] = {2, 5, 1}, ww[4] = {784, 25, 25, 10};
  ls_act sg = {LS_ACT_SIGMOID, 0, 0}, sp = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net_init(&toy, 2, wt, sg, 0, NULL);
  ls_net_init(&wide, 3, ww, sp, 1, NULL);
  ls_work *w1 = ls_work_alloc(&toy, 1681), *w2 = ls_work_alloc(&wide, 100);
  CHECK(ls_work_engine(w1) == LS_ENGINE_FUSED, "auto: thesis toy on %s",
        ls_engine_name(ls_work_engine(w1)));
  CHECK(ls_work_engine(w2) == LS_ENGINE_BLAS, "auto: 784-25-25-10 on %s",
        ls_engine_name(ls_work_engine(w2)));
  ls_work_free(w1), ls_work_free(w2);
  /* memory estimates: the workspace does not grow with n or P^2, the Hessian does */
  ls_ctx c2 = ls_ctx_threads(2);
  size_t b1 = ls_work_bytes(&c2, &wide, 10000), b6 = ls_work_bytes(&c2, &wide, 60000);
  size_t Pw = ls_net_nparams(&wide);
  CHECK(b1 == b6 && b6 < ((size_t)64 << 20), "ls_work_bytes(784-25-25-10, 2 threads) = %.1f MiB "
        "for 10,000 and 60,000 samples", b6 / 1048576.0);
  CHECK(ls_hessian_bytes(&wide) >= Pw * Pw * sizeof(double),
        "ls_hessian_bytes(784-25-25-10) = %.2f GiB >= P^2 doubles", ls_hessian_bytes(&wide) / 1073741824.0);
  return check_done();
}
