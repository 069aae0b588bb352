/* Random test problems for the finite-difference checks of the engine. */
#ifndef LANDSYM_TESTS_RANDOM_PROBLEM_H
#define LANDSYM_TESTS_RANDOM_PROBLEM_H

#include <stdlib.h>

#include "landsym/engine.h"

static double urand(unsigned *s) { return (rand_r(s) + 0.5) / ((double)RAND_MAX + 1.0); }

/* n samples for net: inputs in [-1,1], targets in [-1,1] (MSE) or (0,1) (NLL), random
 * sample weights summing to 1; returns parameters uniform in [-1.5,1.5] (caller frees). */
static double *random_problem(const ls_net *net, size_t n, unsigned *seed, ls_data *d) {
  int L = net->n_layers, nll = net->loss == LS_LOSS_NLL;
  if (ls_data_alloc(d, n, net->width[0], net->width[L], 1, NULL)) return NULL;
  for (size_t i = 0; i < d->n * d->din; i++) d->x[i] = 2 * urand(seed) - 1;
  for (size_t i = 0; i < d->n * d->dout; i++) d->y[i] = nll ? urand(seed) : 2 * urand(seed) - 1;
  double ws = 0;
  for (size_t k = 0; k < d->n; k++) ws += (d->w[k] = urand(seed));
  for (size_t k = 0; k < d->n; k++) d->w[k] /= ws;
  size_t P = ls_net_nparams(net);
  double *th = malloc(P * sizeof *th);
  if (th)
    for (size_t i = 0; i < P; i++) th[i] = 1.5 * (2 * urand(seed) - 1);
  return th;
}

/* The network of the finite-difference sweeps: widths 3-4-3-5-2 cut after `depth` layers,
 * with 2 outputs (MSE) or 3 (NLL), hidden activation `act` with parameters 0.7 and 2.5. */
static inline void random_net_init(ls_net *net, ls_act_kind act, int depth, int bias,
                                   ls_loss_kind loss) {
  int widths[6] = {3, 4, 3, 5, 2, 2};
  widths[depth] = loss == LS_LOSS_NLL ? 3 : 2;
  ls_act a = {act, 0.7, 2.5};
  ls_net_init(net, depth, widths, a, bias, NULL);
  net->loss = loss;
}

#endif
