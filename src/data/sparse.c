/* The sparse index of a data set's inputs (include/landsym/data.h, ls_data_sparse).
 *
 * MNIST's raw pixels are 80.9% zero (about 150 nonzeros of 784 an image), so the first
 * layer's products, Z_1 = X W_1^T forward and grad W_1 = Delta_1^T X backward, need a
 * fifth of the multiply-adds when only the nonzero x are visited. */
#include <stdlib.h>
#include <string.h>

#include "landsym/data.h"

static size_t count_nonzero(const ls_data *d) {
  size_t nnz = 0, len = d->n * (size_t)d->din;
  for (size_t i = 0; i < len; i++) nnz += d->x[i] != 0.0;
  return nnz;
}

/* Whether an index of nnz nonzeros pays (see data.h). */
static int worth(const ls_data *d, size_t nnz) {
  return d->x && d->n && d->din >= LS_SPARSE_MIN_DIN &&
         (double)nnz / ((double)d->n * d->din) <= LS_SPARSE_MAX_FILL;
}

int ls_data_sparse_worth(const ls_data *d) {
  return d->x && d->n && d->din >= LS_SPARSE_MIN_DIN && worth(d, count_nonzero(d));
}

void ls_data_sparse_drop(ls_data *d) {
  ls_data_sparse *s = d->xs;
  if (!s) return;
  free(s->row), free(s->col), free(s->val), free(s->cptr), free(s->cidx), free(s->cval), free(s);
  d->xs = NULL;
}

/* The by-columns copy of the by-rows index (a counting sort on the column). */
static void fill_columns(ls_data_sparse *s) {
  memset(s->cptr, 0, ((size_t)s->din + 1) * sizeof *s->cptr);
  for (size_t i = 0; i < s->nnz; i++) s->cptr[s->col[i] + 1]++;
  for (int j = 0; j < s->din; j++) s->cptr[j + 1] += s->cptr[j];
  size_t *next = s->cptr; /* walks forward, restored below */
  for (size_t k = 0; k < s->n; k++)
    for (size_t i = s->row[k]; i < s->row[k + 1]; i++) {
      size_t p = next[s->col[i]]++;
      s->cidx[p] = (uint32_t)k, s->cval[p] = s->val[i];
    }
  for (int j = s->din; j > 0; j--) s->cptr[j] = s->cptr[j - 1];
  s->cptr[0] = 0;
}

/* The index of x's nnz nonzeros. */
static ls_status build(ls_data *d, size_t nnz, ls_error *err) {
  ls_data_sparse_drop(d);
  if (d->n >= ((size_t)1 << 32))
    return ls_error_set(err, LS_ERR_INPUT, "sparse index: %zu samples (at most 2^32 - 1)", d->n);
  size_t m = nnz ? nnz : 1;
  ls_data_sparse *s = calloc(1, sizeof *s);
  if (s) {
    s->row = malloc((d->n + 1) * sizeof *s->row);
    s->col = malloc(m * sizeof *s->col);
    s->val = malloc(m * sizeof *s->val);
    s->cptr = malloc(((size_t)d->din + 1) * sizeof *s->cptr);
    s->cidx = malloc(m * sizeof *s->cidx);
    s->cval = malloc(m * sizeof *s->cval);
  }
  d->xs = s;
  if (!s || !s->row || !s->col || !s->val || !s->cptr || !s->cidx || !s->cval) {
    ls_data_sparse_drop(d);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the sparse index of %zu inputs",
                        nnz);
  }
  s->n = d->n, s->din = d->din, s->nnz = nnz, s->x = d->x;
  size_t i = 0;
  for (size_t k = 0; k < d->n; k++) {
    s->row[k] = i;
    const double *xk = d->x + k * (size_t)d->din;
    for (int j = 0; j < d->din; j++)
      if (xk[j] != 0.0) s->col[i] = j, s->val[i++] = xk[j];
  }
  s->row[d->n] = i;
  fill_columns(s);
  return LS_OK;
}

ls_status ls_data_sparse_build(ls_data *d, ls_error *err) { return build(d, count_nonzero(d), err); }

ls_status ls_data_sparse_index(ls_data *d, ls_error *err) {
  if (!d->x || !d->n || d->din < LS_SPARSE_MIN_DIN) return LS_OK;
  size_t nnz = count_nonzero(d); /* one pass over x decides and sizes the index */
  return worth(d, nnz) ? build(d, nnz, err) : LS_OK;
}
