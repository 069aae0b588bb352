/* IDX reader (MNIST format: http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"), plain or
 * gzip through zlib, and PCA of the inputs (data.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "landsym/data.h"
#include "landsym/linalg.h"

ls_status ls_idx_read(const char *path, unsigned char **data, int *ndim, size_t dims[4],
                      ls_error *err) {
  gzFile g = gzopen(path, "rb"); /* reads uncompressed files transparently */
  if (!g) return ls_error_set(err, LS_ERR_INPUT, "%s: cannot open", path);
  unsigned char head[4];
  if (gzread(g, head, 4) != 4 || head[0] || head[1]) {
    gzclose(g);
    return ls_error_set(err, LS_ERR_INPUT, "%s: not an IDX file (bad magic)", path);
  }
  if (head[2] != 0x08) {
    gzclose(g);
    return ls_error_set(err, LS_ERR_INPUT, "%s: IDX type 0x%02x not supported (need unsigned byte 0x08)",
                        path, head[2]);
  }
  int nd = head[3];
  if (nd < 1 || nd > 4) {
    gzclose(g);
    return ls_error_set(err, LS_ERR_INPUT, "%s: IDX with %d dimensions not supported", path, nd);
  }
  size_t total = 1;
  for (int i = 0; i < nd; i++) {
    unsigned char b[4];
    if (gzread(g, b, 4) != 4) {
      gzclose(g);
      return ls_error_set(err, LS_ERR_INPUT, "%s: truncated IDX header", path);
    }
    dims[i] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    if (dims[i] && total > ((size_t)1 << 34) / dims[i]) {
      gzclose(g);
      return ls_error_set(err, LS_ERR_INPUT, "%s: IDX array too large", path);
    }
    total *= dims[i];
  }
  unsigned char *buf = malloc(total ? total : 1);
  if (!buf) {
    gzclose(g);
    return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  }
  size_t got = 0;
  while (got < total) {
    unsigned chunk = total - got > (1u << 30) ? (1u << 30) : (unsigned)(total - got);
    int r = gzread(g, buf + got, chunk);
    if (r <= 0) break;
    got += (size_t)r;
  }
  gzclose(g);
  if (got < total) {
    free(buf);
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated: header says %zu bytes, file holds %zu",
                        path, total, got);
  }
  *data = buf;
  *ndim = nd;
  return LS_OK;
}

ls_status ls_data_load_idx(ls_data *d, const char *images, const char *labels, size_t limit,
                           int dout, ls_error *err) {
  memset(d, 0, sizeof *d);
  unsigned char *im = NULL, *lb = NULL;
  int ni, nl;
  size_t di[4], dl[4];
  ls_status st = ls_idx_read(images, &im, &ni, di, err);
  if (st) return st;
  st = ls_idx_read(labels, &lb, &nl, dl, err);
  if (!st && ni != 3) st = ls_error_set(err, LS_ERR_INPUT, "%s: expected n x rows x cols images", images);
  if (!st && (nl != 1 || dl[0] != di[0]))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: expected %zu labels to match %s", labels, di[0], images);
  size_t n = di[0];
  if (!st && limit && limit < n) n = limit;
  size_t din = st ? 0 : di[1] * di[2];
  if (!st && (n == 0 || din == 0)) st = ls_error_set(err, LS_ERR_INPUT, "%s: no samples", images);
  for (size_t k = 0; !st && k < n; k++)
    if (lb[k] >= dout)
      st = ls_error_set(err, LS_ERR_INPUT, "%s: label %d of sample %zu, but only %d classes (outputs)",
                        labels, lb[k], k, dout);
  if (!st) st = ls_data_alloc(d, n, (int)din, dout, 0, err);
  if (!st)
    for (size_t k = 0; k < n; k++) {
      for (size_t j = 0; j < din; j++) d->x[k * din + j] = im[k * din + j] / 255.0;
      d->y[k * (size_t)dout + lb[k]] = 1.0;
    }
  free(im), free(lb);
  return st;
}

ls_status ls_data_pca(ls_data *d, int k, ls_error *err) {
  size_t n = d->n, p = (size_t)d->din;
  if (k < 1 || (size_t)k > p)
    return ls_error_set(err, LS_ERR_INPUT, "pca: %d components out of range 1..%zu", k, p);
  double *mean = calloc(p, sizeof *mean), *C = calloc(p * p, sizeof *C),
         *ev = malloc(p * sizeof *ev), *V = malloc(p * p * sizeof *V),
         *z = malloc(n * (size_t)k * sizeof *z), *row = malloc(p * sizeof *row);
  ls_status st = LS_OK;
  if (!mean || !C || !ev || !V || !z || !row) st = ls_error_set(err, LS_ERR_NOMEM, "pca: out of memory");
  if (!st) {
    for (size_t s = 0; s < n; s++)
      for (size_t j = 0; j < p; j++) mean[j] += d->x[s * p + j];
    for (size_t j = 0; j < p; j++) mean[j] /= (double)n;
    for (size_t s = 0; s < n; s++) { /* upper triangle of the covariance */
      for (size_t j = 0; j < p; j++) row[j] = d->x[s * p + j] - mean[j];
      for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++) C[i * p + j] += row[i] * row[j];
    }
    st = ls_eig_sym(p, C, ev, V, err);
  }
  if (!st) {
    /* column c = p-1-m of V is the m-th leading axis */
    for (int m = 0; m < k; m++) {
      size_t c = p - 1 - (size_t)m, arg = 0;
      for (size_t j = 1; j < p; j++)
        if (fabs(V[j * p + c]) > fabs(V[arg * p + c])) arg = j;
      double sgn = V[arg * p + c] < 0 ? -1.0 : 1.0;
      for (size_t s = 0; s < n; s++) {
        double acc = 0.0;
        for (size_t j = 0; j < p; j++) acc += (d->x[s * p + j] - mean[j]) * V[j * p + c];
        z[s * (size_t)k + (size_t)m] = sgn * acc;
      }
    }
    free(d->x);
    d->x = z;
    z = NULL;
    d->din = k;
  }
  free(mean), free(C), free(ev), free(V), free(z), free(row);
  return st;
}
