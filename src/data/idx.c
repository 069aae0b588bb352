/* IDX reader (MNIST format: http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"), plain or
 * gzip through zlib, and PCA of the inputs (data.h). The file reader inflates the whole
 * file and hands the bytes to ls_idx_parse, which does all the validation (and is the
 * fuzz target, tests/fuzz/fuzz_idx.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "landsym/data.h"
#include "landsym/linalg.h"

/* Bounds the array size (and hence what a gzip bomb can make us allocate). */
#define IDX_MAX_BYTES ((size_t)1 << 34)

ls_status ls_idx_parse(const unsigned char *buf, size_t len, const char *name,
                       unsigned char **data, int *ndim, size_t dims[4], ls_error *err) {
  *data = NULL;
  if (len < 4)
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated IDX header (%zu bytes, need the 4-byte magic)",
                        name, len);
  if (buf[0] || buf[1])
    return ls_error_set(err, LS_ERR_INPUT, "%s: not an IDX file (bad magic %02x %02x, need 00 00)", name,
                        buf[0], buf[1]);
  if (buf[2] != 0x08)
    return ls_error_set(err, LS_ERR_INPUT, "%s: IDX type 0x%02x not supported (need unsigned byte 0x08)",
                        name, buf[2]);
  int nd = buf[3];
  if (nd < 1 || nd > 4)
    return ls_error_set(err, LS_ERR_INPUT, "%s: IDX with %d dimensions not supported (1 to 4)", name, nd);
  size_t head = 4 + 4 * (size_t)nd;
  if (len < head)
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated IDX header (%zu bytes, %d dimensions need %zu)",
                        name, len, nd, head);
  size_t total = 1;
  for (int i = 0; i < nd; i++) {
    const unsigned char *b = buf + 4 + 4 * i;
    dims[i] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    if (dims[i] && total > IDX_MAX_BYTES / dims[i])
      return ls_error_set(err, LS_ERR_INPUT, "%s: IDX dimensions overflow (array larger than %zu bytes)",
                          name, IDX_MAX_BYTES);
    total *= dims[i];
  }
  if (len - head < total)
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated: header says %zu data bytes, file holds %zu",
                        name, total, len - head);
  if (len - head > total)
    return ls_error_set(err, LS_ERR_INPUT, "%s: %zu trailing bytes after the %zu data bytes the header declares",
                        name, len - head - total, total);
  unsigned char *out = malloc(total ? total : 1);
  if (!out) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", name);
  if (total) memcpy(out, buf + head, total);
  *data = out;
  *ndim = nd;
  return LS_OK;
}

/* Whole (inflated) file into a malloc'd buffer; a damaged gzip stream is an input error. */
static ls_status read_all(const char *path, unsigned char **buf, size_t *len, ls_error *err) {
  gzFile g = gzopen(path, "rb"); /* reads uncompressed files transparently */
  if (!g) return ls_error_set(err, LS_ERR_INPUT, "%s: cannot open", path);
  size_t cap = 1 << 16, got = 0;
  unsigned char *b = malloc(cap);
  ls_status st = b ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  while (!st) {
    if (got == cap) {
      if (cap > IDX_MAX_BYTES) {
        st = ls_error_set(err, LS_ERR_INPUT, "%s: larger than %zu bytes", path, IDX_MAX_BYTES);
        break;
      }
      unsigned char *nb = realloc(b, cap * 2);
      if (!nb) {
        st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
        break;
      }
      b = nb, cap *= 2;
    }
    size_t want = cap - got > (1u << 30) ? (1u << 30) : cap - got;
    int r = gzread(g, b + got, (unsigned)want);
    if (r < 0) {
      int code;
      const char *why = gzerror(g, &code);
      st = ls_error_set(err, LS_ERR_INPUT, "%s: corrupted gzip data (%s)", path, why);
    } else if (r == 0)
      break;
    else
      got += (size_t)r;
  }
  int code = gzclose(g); /* reports a gzip stream cut short or with a bad checksum */
  if (!st && code != Z_OK)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: corrupted or truncated gzip data (zlib code %d)", path, code);
  if (st) {
    free(b);
    return st;
  }
  *buf = b, *len = got;
  return LS_OK;
}

ls_status ls_idx_read(const char *path, unsigned char **data, int *ndim, size_t dims[4],
                      ls_error *err) {
  unsigned char *buf = NULL;
  size_t len = 0;
  ls_status st = read_all(path, &buf, &len, err);
  if (!st) st = ls_idx_parse(buf, len, path, data, ndim, dims, err);
  free(buf);
  return st;
}

ls_status ls_data_load_idx_labels(ls_data *d, const char *images, const char *labels, size_t limit,
                                  int dout, ls_idx_labels mode, ls_error *err) {
  memset(d, 0, sizeof *d);
  if (mode == LS_IDX_PARITY && dout != 1)
    return ls_error_set(err, LS_ERR_INPUT, "%s: parity targets need 1 output (got %d)", labels, dout);
  unsigned char *im = NULL, *lb = NULL;
  int ni, nl;
  size_t di[4], dl[4];
  ls_status st = ls_idx_read(images, &im, &ni, di, err);
  if (st) return st;
  st = ls_idx_read(labels, &lb, &nl, dl, err);
  if (!st && ni != 3)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: expected n x rows x cols images (got %d dimensions)", images, ni);
  if (!st && nl != 1)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: expected a 1-D label array (got %d dimensions)", labels, nl);
  if (!st && dl[0] != di[0])
    st = ls_error_set(err, LS_ERR_INPUT, "%s: %zu labels but %s holds %zu images", labels, dl[0], images,
                      di[0]);
  size_t n = st ? 0 : di[0];
  if (!st && limit && limit < n) n = limit;
  size_t din = st ? 0 : di[1] * di[2];
  if (!st && (n == 0 || din == 0)) st = ls_error_set(err, LS_ERR_INPUT, "%s: no samples", images);
  if (!st && din > (1u << 30)) st = ls_error_set(err, LS_ERR_INPUT, "%s: %zu pixels per image, too many", images, din);
  for (size_t k = 0; !st && mode == LS_IDX_ONEHOT && k < n; k++)
    if (lb[k] >= dout)
      st = ls_error_set(err, LS_ERR_INPUT, "%s: label %d of sample %zu, but only %d classes (outputs)",
                        labels, lb[k], k, dout);
  if (!st) st = ls_data_alloc(d, n, (int)din, dout, 0, err);
  if (!st)
    for (size_t k = 0; k < n; k++) {
      for (size_t j = 0; j < din; j++) d->x[k * din + j] = im[k * din + j] / 255.0;
      if (mode == LS_IDX_PARITY) /* thesis section 6.3: +1 for odd digits, -1 for even */
        d->y[k] = lb[k] % 2 ? 1.0 : -1.0;
      else
        d->y[k * (size_t)dout + lb[k]] = 1.0;
    }
  free(im), free(lb);
  return st;
}

ls_status ls_data_load_idx(ls_data *d, const char *images, const char *labels, size_t limit,
                           int dout, ls_error *err) {
  return ls_data_load_idx_labels(d, images, labels, limit, dout, LS_IDX_ONEHOT, err);
}

ls_status ls_data_standardize(ls_data *d, ls_error *err) {
  size_t n = d->n, p = (size_t)d->din;
  if (n == 0) return ls_error_set(err, LS_ERR_INPUT, "standardize: no samples");
  ls_data_sparse_drop(d); /* x is rewritten */
  for (size_t j = 0; j < p; j++) {
    double m = 0.0, v = 0.0;
    for (size_t s = 0; s < n; s++) m += d->x[s * p + j];
    m /= (double)n;
    for (size_t s = 0; s < n; s++) v += (d->x[s * p + j] - m) * (d->x[s * p + j] - m);
    double sd = sqrt(v / (double)n), scale = sd > 0.0 ? 1.0 / sd : 0.0; /* constant column -> 0 */
    for (size_t s = 0; s < n; s++) d->x[s * p + j] = (d->x[s * p + j] - m) * scale;
  }
  return LS_OK;
}

ls_status ls_data_pca(ls_data *d, int k, ls_error *err) { return ls_data_pca_var(d, k, NULL, err); }

ls_status ls_data_pca_var(ls_data *d, int k, double *var, ls_error *err) {
  size_t n = d->n, p = (size_t)d->din;
  ls_data_sparse_drop(d); /* x is replaced */
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
      if (var) var[m] = ev[c] / (double)n; /* C above is n times the covariance */
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
