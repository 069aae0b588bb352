/* Problems shared by the trainer tests: the thesis teacher and grid (thesis section 6.2:
 * 41x41 points on [-5,5]^2, sigmoid, no bias, output weights 1,-1,1,-1), built by hand. */
#ifndef LANDSYM_TESTS_OPTIM_FIXTURE_H
#define LANDSYM_TESTS_OPTIM_FIXTURE_H

#include <stdlib.h>

#include "landsym/engine.h"
#include "landsym/optim.h"

static const double thesis_teacher[12] = {0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6,
                                          1, -1, 1, -1};

static inline void thesis_net(ls_net *net, int width) {
  int w[3] = {2, width, 1};
  ls_act a = {LS_ACT_SIGMOID, 0, 0};
  ls_net_init(net, 2, w, a, 0, NULL);
}

/* n x n grid on [-5,5]^2 with the thesis teacher's outputs. */
static inline void thesis_data(ls_data *d, int n) {
  ls_net t;
  thesis_net(&t, 4);
  ls_data_alloc(d, (size_t)n * n, 2, 1, 0, NULL);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double *x = d->x + 2 * ((size_t)i * n + j);
      x[0] = -5 + 10.0 * i / (n - 1), x[1] = -5 + 10.0 * j / (n - 1);
    }
  ls_work *w = ls_work_alloc(&t, d->n);
  ls_forward(&t, thesis_teacher, d->n, d->x, d->y, w);
  ls_work_free(w);
}

/* Deterministic uniform numbers in [-1, 1). */
static inline double fixture_rand(unsigned long long *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

#endif
