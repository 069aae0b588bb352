/* User data from .npy / .csv files (data.h). */
#include <stdlib.h>
#include <string.h>

#include "landsym/data.h"
#include "landsym/io.h"

ls_status ls_data_load_npy(ls_data *d, const char *xpath, const char *ypath,
                           const char *wpath, int din, int dout, ls_error *err) {
  memset(d, 0, sizeof *d);
  double *x = NULL, *y = NULL, *w = NULL;
  int nd;
  size_t xs[2], ys[2], ws[2];
  ls_status st = ls_npy_read(xpath, &x, &nd, xs, err);
  if (st) return st;
  if (nd == 1) xs[1] = 1;
  if ((int)xs[1] != din) {
    free(x);
    return ls_error_set(err, LS_ERR_INPUT, "%s: %zu input columns, network input width is %d",
                        xpath, xs[1], din);
  }
  if (xs[0] == 0) {
    free(x);
    return ls_error_set(err, LS_ERR_INPUT, "%s: no samples", xpath);
  }
  if (ypath) {
    st = ls_npy_read(ypath, &y, &nd, ys, err);
    if (!st && (ys[0] != xs[0] || (int)ys[1] != dout))
      st = ls_error_set(err, LS_ERR_INPUT,
                        "%s: shape (%zu, %zu), expected (%zu, %d) to match %s and the output width",
                        ypath, ys[0], ys[1], xs[0], dout, xpath);
  }
  if (!st && wpath) {
    st = ls_npy_read(wpath, &w, &nd, ws, err);
    if (!st && (nd != 1 || ws[0] != xs[0]))
      st = ls_error_set(err, LS_ERR_INPUT, "%s: expected a 1-D array of %zu weights", wpath, xs[0]);
    if (!st) st = ls_data_normalize_weights(w, xs[0], wpath, err);
  }
  if (!st) st = ls_data_alloc(d, xs[0], din, dout, w != NULL, err);
  if (!st) {
    memcpy(d->x, x, xs[0] * (size_t)din * sizeof *x);
    if (y) memcpy(d->y, y, xs[0] * (size_t)dout * sizeof *y);
    if (w) memcpy(d->w, w, xs[0] * sizeof *w);
  }
  free(x), free(y), free(w);
  return st;
}

ls_status ls_data_load_csv(ls_data *d, const char *path, int din, int dout,
                           int *has_targets, ls_error *err) {
  memset(d, 0, sizeof *d);
  double *t;
  size_t rows, cols;
  ls_status st = ls_csv_read(path, &t, &rows, &cols, err);
  if (st) return st;
  if (cols != (size_t)din && cols != (size_t)(din + dout)) {
    free(t);
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: %zu columns, expected %d inputs or %d inputs + %d targets", path,
                        cols, din, din, dout);
  }
  *has_targets = cols != (size_t)din;
  st = ls_data_alloc(d, rows, din, dout, 0, err);
  if (!st)
    for (size_t k = 0; k < rows; k++) {
      memcpy(d->x + k * (size_t)din, t + k * cols, (size_t)din * sizeof *t);
      if (*has_targets) memcpy(d->y + k * (size_t)dout, t + k * cols + din, (size_t)dout * sizeof *t);
    }
  free(t);
  return st;
}
