/* Per-call time of ls_loss_grad on the thesis toy (builtin:thesis: 2-5-1 sigmoid student,
 * no biases, 1681 grid points), called from C in a loop: the reference the Python binding's
 * per-call overhead is measured against (bench/python/run.sh).
 * Usage: bench_call SECONDS ROUNDS [N] -> prints the best ns per call; N keeps only the first
 * N grid points (N = 1: almost no arithmetic, the call itself). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 0.3;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load("builtin:thesis", &cfg, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  if (argc > 3 && (size_t)atol(argv[3]) >= 1 && (size_t)atol(argv[3]) < cfg.data.n)
    cfg.data.n = (size_t)atol(argv[3]); /* the first N samples (weights: none, 1/n) */
  size_t P = ls_net_nparams(&cfg.student);
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g), f = 0, best = 1e30;
  ls_params_glorot(&cfg.student, 3, th);
  ls_work *w = ls_work_alloc(&cfg.student, cfg.data.n);
  for (int r = 0; r < rounds; r++) {
    size_t n = 0;
    double t0 = now(), t;
    do {
      for (int i = 0; i < 100; i++) ls_loss_grad(&cfg.student, &cfg.data, th, &f, g, w);
      n += 100;
    } while ((t = now() - t0) < secs);
    if (t / (double)n < best) best = t / (double)n;
  }
  printf("%.1f\n", best * 1e9);
  ls_work_free(w);
  free(th);
  free(g);
  ls_config_free(&cfg);
  return f > 0 ? 0 : 1;
}
