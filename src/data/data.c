/* Data set allocation (see include/landsym/data.h). */
#include <stdlib.h>
#include <string.h>

#include "landsym/data.h"

ls_status ls_data_alloc(ls_data *d, size_t n, int din, int dout, int with_weights,
                        ls_error *err) {
  memset(d, 0, sizeof *d);
  if (n == 0 || din < 1 || dout < 1)
    return ls_error_set(err, LS_ERR_INPUT, "data set needs n >= 1, din >= 1, dout >= 1 (got %zu, %d, %d)",
                        n, din, dout);
  d->n = n;
  d->din = din;
  d->dout = dout;
  d->x = calloc(n * (size_t)din, sizeof(double));
  d->y = calloc(n * (size_t)dout, sizeof(double));
  d->w = with_weights ? calloc(n, sizeof(double)) : NULL;
  if (!d->x || !d->y || (with_weights && !d->w)) {
    ls_data_free(d);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu samples", n);
  }
  return LS_OK;
}

void ls_data_free(ls_data *d) {
  if (!d) return;
  ls_data_sparse_drop(d);
  free(d->x);
  free(d->y);
  free(d->w);
  memset(d, 0, sizeof *d);
}
