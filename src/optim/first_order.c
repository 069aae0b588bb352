/* First-order dynamics: full-batch or minibatch gradient descent and Adam.
 * Adam (Kingma & Ba; thesis section 3.4):
 *   m <- b1 m + (1-b1) g,  v <- b2 v + (1-b2) g^2,
 *   theta <- theta - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/rng.h"
#include "phase.h"

/* Fisher-Yates shuffle with unbiased bounded draws. */
static void shuffle(size_t *perm, size_t n, uint64_t *s) {
  for (size_t i = n - 1; i > 0; i--) {
    uint64_t bound = (uint64_t)i + 1, lim = UINT64_MAX - UINT64_MAX % bound, x;
    do x = ls_rng_splitmix64(s);
    while (x >= lim);
    size_t j = (size_t)(x % bound), t = perm[i];
    perm[i] = perm[j], perm[j] = t;
  }
}

/* Copies samples perm[0..b) of d into batch; weights rescaled so they keep the full
 * data's mean (w_k n / b), or left NULL (uniform 1/b) when d has none. */
static void fill_batch(const ls_data *d, const size_t *perm, size_t b, ls_data *batch) {
  batch->n = b;
  for (size_t k = 0; k < b; k++) {
    size_t i = perm[k];
    memcpy(batch->x + k * d->din, d->x + i * d->din, d->din * sizeof(double));
    memcpy(batch->y + k * d->dout, d->y + i * d->dout, d->dout * sizeof(double));
    if (d->w) batch->w[k] = d->w[i] * (double)d->n / (double)b;
  }
}

typedef struct {
  double *g, *m, *v;
  size_t *perm;
  ls_data batch;
} fo_work;

static void fo_free(fo_work *w) {
  free(w->g), free(w->m), free(w->v), free(w->perm);
  ls_data_free(&w->batch);
}

static int fo_alloc(fo_work *w, size_t P, const ls_data *d, size_t b) {
  memset(w, 0, sizeof *w);
  w->g = calloc(P, sizeof(double));
  w->m = calloc(P, sizeof(double));
  w->v = calloc(P, sizeof(double));
  if (!w->g || !w->m || !w->v) return -1;
  if (b) {
    w->perm = malloc(d->n * sizeof(size_t));
    if (!w->perm || ls_data_alloc(&w->batch, b, d->din, d->dout, d->w != NULL, NULL) != LS_OK)
      return -1;
    for (size_t i = 0; i < d->n; i++) w->perm[i] = i;
  }
  return 0;
}

/* Full objective and gradient at theta, then the run's stopping tests. */
static ls_stop_reason observe_full(ls_run *r, const double *theta, double *g, double switch_tol) {
  double f;
  ls_status st = ls_objective_grad(&r->obj, theta, &f, g);
  double gn = st == LS_OK ? ls_inf_norm(r->P, g) : NAN;
  if (st != LS_OK && st != LS_ERR_COMPUTE) return LS_STOP_FAIL;
  if (st != LS_OK) f = isfinite(f) ? f : NAN;
  ls_stop_reason s = ls_run_observe(r, theta, f, gn);
  if (s == LS_STOP_NONE && gn < switch_tol) s = LS_STOP_SWITCH;
  return s;
}

ls_stop_reason ls_first_order_run(ls_run *r, double *theta, int adam) {
  const ls_train_opts *o = r->opt;
  const ls_data *full = r->obj.data;
  size_t P = r->P, n = full->n;
  size_t b = o->batch && o->batch < n ? o->batch : 0;
  double switch_tol = r->switch_tol;
  fo_work w;
  if (fo_alloc(&w, P, full, b)) {
    fo_free(&w);
    return LS_STOP_FAIL;
  }
  uint64_t rng = o->seed;
  size_t pos = 0;
  double b1t = 1, b2t = 1; /* b1^t, b2^t */
  ls_stop_reason s = LS_STOP_ITERS;
  for (size_t it = 0; it < o->first_maxiter; it++) {
    if (!b) {
      s = observe_full(r, theta, w.g, switch_tol);
      if (s != LS_STOP_NONE) goto done;
    } else {
      if (pos == 0) { /* a new epoch: test the full objective, reshuffle */
        s = observe_full(r, theta, w.g, switch_tol);
        if (s != LS_STOP_NONE) goto done;
        shuffle(w.perm, n, &rng);
      }
      size_t m = n - pos < b ? n - pos : b;
      fill_batch(full, w.perm + pos, m, &w.batch);
      pos = pos + m == n ? 0 : pos + m;
      double f;
      r->obj.data = &w.batch;
      ls_status st = ls_objective_grad(&r->obj, theta, &f, w.g);
      r->obj.data = full;
      if (st != LS_OK) {
        s = ls_run_observe(r, theta, NAN, NAN);
        goto done;
      }
    }
    if (adam) {
      b1t *= o->beta1, b2t *= o->beta2;
      double c1 = 1 / (1 - b1t), c2 = 1 / (1 - b2t);
      for (size_t i = 0; i < P; i++) {
        double gi = w.g[i];
        w.m[i] = o->beta1 * w.m[i] + (1 - o->beta1) * gi;
        w.v[i] = o->beta2 * w.v[i] + (1 - o->beta2) * gi * gi;
        theta[i] -= o->lr * (w.m[i] * c1) / (sqrt(w.v[i] * c2) + o->eps);
      }
    } else {
      for (size_t i = 0; i < P; i++) theta[i] -= o->lr * w.g[i];
    }
  }
  /* the last update has not been looked at yet */
  s = observe_full(r, theta, w.g, switch_tol);
  if (s == LS_STOP_NONE) s = LS_STOP_ITERS;
done:
  fo_free(&w);
  return s;
}
