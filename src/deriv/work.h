/* Internal layout of the engine workspace (shared by the files of src/deriv). */
#ifndef LANDSYM_DERIV_WORK_H
#define LANDSYM_DERIV_WORK_H

#include "landsym/engine.h"

struct ls_work {
  ls_net net;
  size_t n; /* capacity in samples */
  double *buf;
  /* per layer l = 0..L, each n x width[l] row-major:
   * z pre-activation, a activation, d1 act'(z), delta backpropagated error */
  double *z[LS_MAX_LAYERS + 1], *a[LS_MAX_LAYERS + 1];
  double *d1[LS_MAX_LAYERS + 1], *delta[LS_MAX_LAYERS + 1];
};

ls_status ls_work_check(const ls_net *net, size_t n, const ls_work *w);
void ls_work_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                     ls_work *w);
double ls_sample_loss(ls_loss_kind kind, int m, const double *f, const double *y, double *g);

#endif
