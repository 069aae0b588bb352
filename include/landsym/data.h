/* landsym: data sets (inputs, targets, per-sample weights) and their sources. */
#ifndef LANDSYM_DATA_H
#define LANDSYM_DATA_H

#include <stddef.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* n samples; x is n x din row-major, y is n x dout row-major (for NLL: one-hot rows).
 * w holds per-sample weights that sum to 1 (quadrature weights, user weights);
 * w == NULL means the uniform 1/n. The loss is sum_k w_k * loss_k. */
typedef struct {
  size_t n;
  int din, dout;
  double *x, *y, *w;
} ls_data;

ls_status ls_data_alloc(ls_data *d, size_t n, int din, int dout, int with_weights, ls_error *err);
void ls_data_free(ls_data *d); /* accepts a zeroed struct */
/* Weight of sample k (w[k] or 1/n). */
static inline double ls_data_weight(const ls_data *d, size_t k) {
  return d->w ? d->w[k] : 1.0 / (double)d->n;
}

#ifdef __cplusplus
}
#endif
#endif
