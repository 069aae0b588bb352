/* A cheap, fully deterministic sweep job for tests: plain gradient descent on the
 * thesis toy problem (section 6.2: 2-4-1 sigmoid teacher without biases) on a coarse
 * grid, student 2-w-1 initialised from the seed. Needs only the engine. */
#ifndef LANDSYM_TESTS_SWEEP_TOY_H
#define LANDSYM_TESTS_SWEEP_TOY_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/sweep.h"

typedef struct {
  ls_data data;
  int steps;
  double lr, tol;
} toy_ctx;

static const double toy_teacher[12] = {0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6,
                                       1,   -1,  1,    -1};

static int toy_net(ls_net *net, int width) {
  ls_act sig;
  int w[3] = {2, width, 1};
  return ls_act_parse("sigmoid", &sig, NULL) || ls_net_init(net, 2, w, sig, 0, NULL);
}

/* n x n grid on [-5,5]^2, targets from the teacher. */
static int toy_ctx_init(toy_ctx *c, int n, int steps) {
  memset(c, 0, sizeof *c);
  c->steps = steps;
  c->lr = 0.5;
  c->tol = 1e-3;
  ls_net t;
  if (toy_net(&t, 4) || ls_data_alloc(&c->data, (size_t)n * n, 2, 1, 0, NULL)) return -1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      c->data.x[2 * (i * n + j)] = -5 + 10.0 * i / (n - 1);
      c->data.x[2 * (i * n + j) + 1] = -5 + 10.0 * j / (n - 1);
    }
  ls_work *w = ls_work_alloc(&t, c->data.n);
  int bad = !w || ls_forward(&t, toy_teacher, c->data.n, c->data.x, c->data.y, w);
  ls_work_free(w);
  return bad ? -1 : 0;
}

/* splitmix64 -> uniform -> Box-Muller: the draw depends on the seed alone. */
static uint64_t toy_splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static double toy_normal(uint64_t *s) {
  double u = ((toy_splitmix(s) >> 11) + 0.5) * 0x1.0p-53;
  double v = (toy_splitmix(s) >> 11) * 0x1.0p-53;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static ls_status toy_job(void *vctx, const ls_sweep_task *t, ls_seed_result *out,
                         ls_error *err) {
  const toy_ctx *c = vctx;
  ls_net net;
  if (toy_net(&net, t->width)) return ls_error_set(err, LS_ERR_INPUT, "bad width");
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g);
  ls_work *w = ls_work_alloc(&net, c->data.n);
  if (!th || !g || !w) {
    free(th), free(g), ls_work_free(w);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  uint64_t s = (uint64_t)t->seed * 1000003u + (uint64_t)t->width;
  for (size_t i = 0; i < P; i++) th[i] = toy_normal(&s);
  double loss = NAN, gi = NAN;
  long it = 0;
  for (;; it++) {
    ls_loss_grad(&net, &c->data, th, &loss, g, w);
    gi = 0;
    for (size_t i = 0; i < P; i++) gi = fmax(gi, fabs(g[i]));
    if (gi < c->tol || it == c->steps || !isfinite(loss)) break;
    for (size_t i = 0; i < P; i++) th[i] -= c->lr * g[i];
  }
  ls_work_free(w);
  free(g);
  out->loss = loss;
  out->grad_inf = gi;
  out->converged = gi < c->tol;
  snprintf(out->stop, sizeof out->stop, "%s", out->converged ? "converged" : "max_steps");
  out->iterations = it;
  out->params = th;
  out->nparams = P;
  return LS_OK;
}

#endif
