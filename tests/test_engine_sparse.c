/* The BLAS engine's first layer on sparse inputs (src/data/sparse.c, src/deriv/gemm_sparse.c):
 *  - the index: both its by-rows and by-columns halves give back x exactly, and
 *    ls_data_sparse_worth takes sparse wide inputs only;
 *  - loss and gradient with the index against the dense BLAS path (no index) and against
 *    central finite differences (step 1e-5) of the loss along a random direction: first
 *    layers of 1, 3, 4, 10, 17 and 33 units (one to four vectors of outputs, and two
 *    passes), with and without biases, MSE and NLL, per-sample weights, all-zero samples
 *    and an all-zero column, sample counts of 1, 37, one block plus one, and several
 *    passes of stashed blocks plus a remainder;
 *  - the result on 1 and 2 threads: the same bits;
 *  - an index that does not fit the data (built for more samples, or for other inputs)
 *    is not used;
 *  - HVPs (dense path) do not change with the index present.
 * Bounds: 1e-12 against the dense path (relative to |L| and to the largest gradient
 * entry: the sums differ only in order), 1e-6 against finite differences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deriv/gemm.h"
#include "landsym/engine.h"
#include "random_problem.h"

static double max_rel(const double *a, const double *b, size_t n) {
  double m = 0, s = 0;
  for (size_t i = 0; i < n; i++) s = fmax(s, fabs(b[i])), m = fmax(m, fabs(a[i] - b[i]));
  return s > 0 ? m / s : m;
}

static ls_work *blas(const ls_net *net, size_t n, int threads) {
  ls_ctx c = ls_ctx_threads(threads);
  c.engine = LS_ENGINE_BLAS;
  return ls_work_alloc_ctx(&c, net, n);
}

/* inputs: a share `fill` nonzero in [-1, 1], every 7th sample and column 1 all zero */
static void sparse_inputs(ls_data *d, double fill, unsigned *seed) {
  for (size_t k = 0; k < d->n; k++)
    for (int j = 0; j < d->din; j++)
      d->x[k * d->din + j] =
          k % 7 == 3 || j == 1 || urand(seed) >= fill ? 0.0 : 2 * urand(seed) - 1;
}

static void index_exact(const ls_data *d, const char *name) {
  const ls_data_sparse *s = d->xs;
  size_t len = d->n * (size_t)d->din, bad = 0;
  double *r = calloc(len, sizeof *r), *c = calloc(len, sizeof *c);
  for (size_t k = 0; k < d->n; k++)
    for (size_t i = s->row[k]; i < s->row[k + 1]; i++) r[k * d->din + s->col[i]] = s->val[i];
  for (int j = 0; j < d->din; j++)
    for (size_t i = s->cptr[j]; i < s->cptr[j + 1]; i++) {
      c[s->cidx[i] * (size_t)d->din + j] = s->cval[i];
      if (i > s->cptr[j] && s->cidx[i] <= s->cidx[i - 1]) bad++;
    }
  for (size_t i = 0; i < len; i++) bad += r[i] != d->x[i] || c[i] != d->x[i];
  CHECK(bad == 0 && s->row[d->n] == s->nnz && s->cptr[d->din] == s->nnz,
        "%s: index (%zu nonzeros) gives back x by rows and by columns", name, s->nnz);
  free(r), free(c);
}

static void grads(const ls_net *net, const ls_data *d, const double *th, int threads, double *L,
                  double *g) {
  ls_work *w = blas(net, d->n, threads);
  if (ls_loss_grad(net, d, th, L, g, w)) *L = NAN;
  ls_work_free(w);
}

static void run(int din, int h1, int bias, ls_loss_kind loss, size_t n, unsigned *seed) {
  ls_net net;
  int widths[4] = {din, h1, 6, loss == LS_LOSS_NLL ? 4 : 2};
  ls_act a = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net_init(&net, 3, widths, a, bias, NULL);
  net.loss = loss;
  char name[96];
  snprintf(name, sizeof name, "%d-%d-6-%d%s %s n=%zu", din, h1, widths[3], bias ? "+b" : "",
           ls_loss_name(loss), n);
  ls_data d;
  double *th = random_problem(&net, n, seed, &d);
  sparse_inputs(&d, 0.2, seed);
  size_t P = ls_net_nparams(&net);
  double *g0 = malloc(P * sizeof *g0), *g1 = malloc(P * sizeof *g1), *g2 = malloc(P * sizeof *g2);
  double *v = malloc(P * sizeof *v), *tp = malloc(P * sizeof *tp), L0, L1, L2, Lp, Lm;
  for (size_t i = 0; i < P; i++) th[i] *= 0.5, v[i] = 2 * urand(seed) - 1;
  grads(&net, &d, th, 1, &L0, g0); /* dense */
  CHECK(ls_data_sparse_build(&d, NULL) == LS_OK, "%s: index built", name);
  index_exact(&d, name);
  grads(&net, &d, th, 1, &L1, g1);
  grads(&net, &d, th, 2, &L2, g2);
  CHECK(fabs(L1 - L0) <= 1e-12 * fabs(L0) && max_rel(g1, g0, P) <= 1e-12,
        "%s: sparse vs dense loss %.1e grad %.1e", name, fabs(L1 - L0) / fabs(L0),
        max_rel(g1, g0, P));
  CHECK(L1 == L2 && !memcmp(g1, g2, P * sizeof *g1), "%s: 1 and 2 threads, the same bits", name);
  if (n >= 37) { /* finite differences of the loss along v */
    double h = 1e-5, gv = 0, gs = 0;
    ls_work *w = blas(&net, n, 1);
    for (size_t i = 0; i < P; i++) tp[i] = th[i] + h * v[i];
    ls_loss(&net, &d, tp, &Lp, w);
    for (size_t i = 0; i < P; i++) tp[i] = th[i] - h * v[i];
    ls_loss(&net, &d, tp, &Lm, w);
    for (size_t i = 0; i < P; i++) gv += g1[i] * v[i], gs += fabs(g1[i] * v[i]);
    double e = fabs((Lp - Lm) / (2 * h) - gv) / gs;
    CHECK(e < 1e-6, "%s: finite differences grad.v %.1e", name, e);
    /* HVPs take the dense path: unchanged by the index */
    ls_data dd = d;
    dd.xs = NULL;
    int ok = !ls_hvp(&net, &d, th, v, g2, w) && !ls_hvp(&net, &dd, th, v, tp, w);
    CHECK(ok && !memcmp(g2, tp, P * sizeof *tp), "%s: HVP the same with and without the index",
          name);
    ls_work_free(w);
  }
  ls_data_free(&d);
  free(th), free(g0), free(g1), free(g2), free(v), free(tp);
}

int main(void) {
  unsigned seed = 23;
  /* ls_data_sparse_worth: wide and sparse only */
  ls_data d;
  ls_data_alloc(&d, 50, 40, 1, 0, NULL);
  sparse_inputs(&d, 0.2, &seed);
  int wide_sparse = ls_data_sparse_worth(&d);
  for (size_t i = 0; i < d.n * d.din; i++) d.x[i] = 1.0 + (double)(i % 3);
  int wide_dense = ls_data_sparse_worth(&d);
  ls_data_free(&d);
  ls_data_alloc(&d, 50, 10, 1, 0, NULL);
  int narrow = ls_data_sparse_worth(&d); /* all zero, but only 10 inputs */
  ls_data_free(&d);
  CHECK(wide_sparse && !wide_dense && !narrow,
        "index worth it: 40 inputs 20%% nonzero %d, dense %d, 10 inputs %d", wide_sparse,
        wide_dense, narrow);

  static const int h1s[] = {1, 3, 4, 10, 17, 33};
  for (int i = 0; i < 6; i++)
    run(40, h1s[i], i % 2, i % 3 ? LS_LOSS_MSE : LS_LOSS_NLL, 37, &seed);
  ls_net probe;
  int pw[4] = {50, 10, 6, 2};
  ls_act sp = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net_init(&probe, 3, pw, sp, 1, NULL);
  size_t bs = ls_gm_block(&probe, (size_t)1 << 30, 0);
  size_t span = ls_gm_sparse_span(&probe, (size_t)1 << 30) * bs;
  run(50, 10, 1, LS_LOSS_NLL, 1, &seed);
  run(50, 10, 1, LS_LOSS_NLL, bs + 1, &seed);
  run(50, 10, 0, LS_LOSS_MSE, 2 * span + 3 * bs + 17, &seed);
  run(50, 25, 1, LS_LOSS_NLL, span + 5, &seed);

  /* an index for other data is not used: built on 300 samples, the loss on the first 200 */
  ls_net net;
  int w[4] = {40, 10, 6, 2};
  ls_net_init(&net, 3, w, sp, 1, NULL);
  double *th = random_problem(&net, 300, &seed, &d);
  sparse_inputs(&d, 0.2, &seed);
  ls_data_sparse_build(&d, NULL);
  ls_data part = d, dense = d;
  part.n = 200, part.w = NULL; /* samples 0..199 */
  dense.n = 200, dense.w = NULL, dense.xs = NULL;
  size_t P = ls_net_nparams(&net);
  double *ga = malloc(P * sizeof *ga), *gb = malloc(P * sizeof *gb), La, Lb;
  grads(&net, &part, th, 1, &La, ga);
  grads(&net, &dense, th, 1, &Lb, gb);
  CHECK(La == Lb && !memcmp(ga, gb, P * sizeof *ga),
        "an index built for 300 samples is not used on 200 of them");
  part.x = d.x + 100 * (size_t)d.din, dense.x = part.x; /* samples 100..299 */
  grads(&net, &part, th, 1, &La, ga);
  grads(&net, &dense, th, 1, &Lb, gb);
  CHECK(La == Lb && !memcmp(ga, gb, P * sizeof *ga),
        "an index built for other inputs (same count) is not used");
  ls_data_free(&d);
  free(th), free(ga), free(gb);
  return check_done();
}
