/* Shared by the split and locus tests: the thesis toy data set (section 6.2), a dense
 * Hessian (exact engine Hessian, or central differences of the exact gradient where the
 * engine has none), symmetric eigenvalues, and a small Newton iteration on the gradient
 * that converges to the nearest critical point (minimum or saddle alike). */
#ifndef LANDSYM_TESTS_SPLIT_UTIL_H
#define LANDSYM_TESTS_SPLIT_UTIL_H

#include <lapacke.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/split.h"

static inline double tsu_urand(unsigned *s) { return (rand_r(s) + 0.5) / ((double)RAND_MAX + 1.0); }
static inline double tsu_normal(unsigned *s) {
  return sqrt(-2 * log(tsu_urand(s))) * cos(2 * M_PI * tsu_urand(s));
}

/* A 3-hidden-layer sigmoid network with biases (widths[0] inputs, one output) on n inputs
 * uniform in [-1,1] with random +-1 labels (parity-like, as the MNIST split study); returns
 * parameters uniform in [-1.5,1.5] (caller frees). */
static inline double *tsu_random_parity(const int widths[4], size_t n, unsigned *seed, ls_net *net,
                                        ls_data *d) {
  ls_act sig = {LS_ACT_SIGMOID, 0, 0};
  ls_net_init(net, 3, widths, sig, 1, NULL);
  ls_data_alloc(d, n, widths[0], 1, 0, NULL);
  for (size_t i = 0; i < d->n * (size_t)widths[0]; i++) d->x[i] = 2 * tsu_urand(seed) - 1;
  for (size_t i = 0; i < d->n; i++) d->y[i] = tsu_urand(seed) < 0.5 ? -1 : 1;
  size_t P = ls_net_nparams(net);
  double *th = malloc(P * sizeof *th);
  for (size_t i = 0; i < P; i++) th[i] = 1.5 * (2 * tsu_urand(seed) - 1);
  return th;
}

/* Thesis section 6.2: teacher 2-4-1 sigmoid without bias, 41 x 41 grid on [-5,5]^2. */
static inline void tsu_thesis_data(ls_data *d) {
  static const double teacher[12] = {0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1};
  int widths[3] = {2, 4, 1};
  ls_net t;
  ls_act sig = {LS_ACT_SIGMOID, 0, 0};
  ls_net_init(&t, 2, widths, sig, 0, NULL);
  ls_data_alloc(d, 41 * 41, 2, 1, 0, NULL);
  for (int i = 0; i < 41; i++)
    for (int j = 0; j < 41; j++) {
      d->x[2 * (i * 41 + j)] = -5 + 0.25 * i;
      d->x[2 * (i * 41 + j) + 1] = -5 + 0.25 * j;
    }
  ls_work *w = ls_work_alloc(&t, d->n);
  ls_forward(&t, teacher, d->n, d->x, d->y, w);
  ls_work_free(w);
}

/* Dense Hessian: the engine's exact one, else 4th-order central differences of the
 * exact gradient (symmetrised). */
static inline void tsu_hessian(const ls_net *net, const ls_data *d, const double *th, double *H) {
  size_t P = ls_net_nparams(net);
  ls_work *w = ls_work_alloc(net, d->n);
  if (ls_hessian(net, d, th, H, w) == LS_OK) {
    ls_work_free(w);
    return;
  }
  double *t = malloc(P * sizeof *t), *g[4], L;
  for (int k = 0; k < 4; k++) g[k] = malloc(P * sizeof(double));
  memcpy(t, th, P * sizeof *t);
  for (size_t i = 0; i < P; i++) {
    double h = 1e-4 * fmax(1, fabs(th[i])), s[4] = {-2, -1, 1, 2};
    for (int k = 0; k < 4; k++) {
      t[i] = th[i] + s[k] * h;
      ls_loss_grad(net, d, t, &L, g[k], w);
    }
    t[i] = th[i];
    for (size_t j = 0; j < P; j++)
      H[j * P + i] = (g[0][j] - 8 * g[1][j] + 8 * g[2][j] - g[3][j]) / (12 * h);
  }
  for (size_t i = 0; i < P; i++)
    for (size_t j = 0; j < i; j++) H[i * P + j] = H[j * P + i] = 0.5 * (H[i * P + j] + H[j * P + i]);
  for (int k = 0; k < 4; k++) free(g[k]);
  free(t);
  ls_work_free(w);
}

static inline double tsu_grad_norm(const ls_net *net, const ls_data *d, const double *th, double *loss) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), s = 0, L;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_loss_grad(net, d, th, &L, g, w);
  for (size_t i = 0; i < P; i++) s += g[i] * g[i];
  if (loss) *loss = L;
  free(g);
  ls_work_free(w);
  return sqrt(s);
}

/* Gradient descent warm-up, then Levenberg-Marquardt on the equation grad = 0
 * (step -(H^2 + lam I)^{-1} H g from the eigen-decomposed Hessian; lam shrinks on
 * success, grows on failure): it converges to a nearby critical point whatever its
 * index, quadratically once lam is small (plain Newton). With minimize, the step uses
 * |lambda_k| (saddle-free Newton) and is accepted when the loss decreases: it converges
 * to a local minimum. Returns |grad|. */
static inline double tsu_critical_point(const ls_net *net, const ls_data *d, double *th, int gd_steps,
                                 double lr, double gtol, int minimize) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), *H = malloc(P * P * sizeof *H), *ev = malloc(P * sizeof *ev);
  double *c = malloc(P * sizeof *c), *tn = malloc(P * sizeof *tn), L;
  ls_work *w = ls_work_alloc(net, d->n);
  for (int it = 0; it < gd_steps; it++) {
    ls_loss_grad(net, d, th, &L, g, w);
    for (size_t i = 0; i < P; i++) th[i] -= lr * g[i];
  }
  double gn = tsu_grad_norm(net, d, th, NULL), lam = 1e-3;
  for (int it = 0; it < 200 && gn > gtol; it++) {
    ls_loss_grad(net, d, th, &L, g, w);
    tsu_hessian(net, d, th, H);
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)P, H, (lapack_int)P, ev);
    double emax = fmax(fabs(ev[0]), fabs(ev[P - 1]));
    for (int tries = 0; tries < 30; tries++) {
      for (size_t k = 0; k < P; k++) { /* c = lambda_k / (lambda_k^2 + lam emax^2) V^T g */
        double s = 0;
        for (size_t i = 0; i < P; i++) s += H[i * P + k] * g[i];
        c[k] = s * (minimize ? fabs(ev[k]) : ev[k]) / (ev[k] * ev[k] + lam * emax * emax);
      }
      for (size_t i = 0; i < P; i++) {
        double s = 0;
        for (size_t k = 0; k < P; k++) s += H[i * P + k] * c[k];
        tn[i] = th[i] - s;
      }
      double Lnew, gnew = tsu_grad_norm(net, d, tn, &Lnew);
      if (minimize ? (Lnew < L || (Lnew == L && gnew < gn)) : gnew < gn) {
        memcpy(th, tn, P * sizeof *th);
        gn = gnew;
        if (getenv("TSU_TRACE")) fprintf(stderr, "it %d |g| %.3e lam %.1e\n", it, gn, lam);
        lam = fmax(lam / 10, 1e-30);
        break;
      }
      lam *= 10;
    }
  }
  free(g), free(H), free(ev), free(c), free(tn);
  ls_work_free(w);
  return gn;
}

/* Plant a critical point: given inputs d->x and parameters th, set the targets to
 * y = f(th) - r with r (norm scale per sample, rms) a random vector orthogonal to every
 * column of the Jacobian of the outputs (weighted by the sample weights), so that
 * grad = 2 sum_k w_k r_k grad f_k vanishes while the loss sum_k w_k r_k^2 does not.
 * One output only. */
static inline void tsu_plant_critical(const ls_net *net, ls_data *d, const double *th, double scale,
                               unsigned seed) {
  size_t P = ls_net_nparams(net), n = d->n;
  double *J = malloc(n * P * sizeof *J), *f = malloc(n * sizeof *f), *r = malloc(n * sizeof *r);
  double *v = malloc(n * sizeof *v), L;
  ls_work *w = ls_work_alloc(net, n), *w1 = ls_work_alloc(net, 1);
  ls_forward(net, th, n, d->x, f, w);
  ls_data one;
  ls_data_alloc(&one, 1, d->din, 1, 0, NULL);
  for (size_t k = 0; k < n; k++) { /* row k of J = grad f_k: MSE gradient with f - y = 1/2 */
    memcpy(one.x, d->x + k * d->din, (size_t)d->din * sizeof(double));
    one.y[0] = f[k] - 0.5;
    ls_loss_grad(net, &one, th, &L, J + k * P, w1);
  }
  for (size_t k = 0; k < n; k++) {
    double sw = sqrt(ls_data_weight(d, k));
    for (size_t i = 0; i < P; i++) J[k * P + i] *= sw;
    v[k] = r[k] = tsu_normal(&seed);
  }
  /* least squares J c = v, then r = v - J c is orthogonal to range(J); v is overwritten */
  double *Jc = malloc(n * P * sizeof *Jc);
  memcpy(Jc, J, n * P * sizeof *Jc);
  LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', (lapack_int)n, (lapack_int)P, 1, Jc, (lapack_int)P, v, 1);
  double rr = 0;
  for (size_t k = 0; k < n; k++) {
    double s = 0;
    for (size_t i = 0; i < P; i++) s += J[k * P + i] * v[i];
    r[k] -= s;
    rr += r[k] * r[k];
  }
  rr = sqrt(rr / n);
  for (size_t k = 0; k < n; k++) d->y[k] = f[k] - scale * r[k] / rr / sqrt(ls_data_weight(d, k) * n);
  ls_data_free(&one);
  ls_work_free(w), ls_work_free(w1);
  free(J), free(Jc), free(f), free(r), free(v);
}

#endif
