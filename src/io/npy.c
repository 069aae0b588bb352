/* NumPy .npy reader and writer (format 1.0 written; 1.0, 2.0, 3.0 read).
 * Format: magic "\x93NUMPY", major, minor, header length (uint16 LE for 1.x, uint32
 * LE for 2.x/3.x), an ASCII Python dict {'descr': ..., 'fortran_order': ..., 'shape':
 * (...)} padded with spaces and '\n', then the raw data. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/io.h"

/* Find the value that follows 'key': in the header dict. */
static const char *dict_value(const char *h, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(h, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

typedef enum { NPY_F8, NPY_F4, NPY_I4, NPY_I8 } npy_kind;

static ls_status parse_header(const char *path, const char *h, npy_kind *kind, int *ndim,
                              size_t shape[2], ls_error *err) {
  const char *d = dict_value(h, "descr");
  if (!d || (*d != '\'' && *d != '"'))
    return ls_error_set(err, LS_ERR_INPUT, "%s: .npy header has no 'descr'", path);
  char descr[16] = {0};
  size_t k = 0;
  for (d++; *d && *d != '\'' && *d != '"' && k < sizeof descr - 1; d++) descr[k++] = *d;
  if (descr[0] == '>')
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: big-endian dtype '%s' not supported; save little-endian "
                        "('<f8', e.g. numpy: a.astype('<f8'))", path, descr);
  if (!strcmp(descr, "<f8")) *kind = NPY_F8;
  else if (!strcmp(descr, "<f4")) *kind = NPY_F4;
  else if (!strcmp(descr, "<i4")) *kind = NPY_I4;
  else if (!strcmp(descr, "<i8")) *kind = NPY_I8;
  else
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: dtype '%s' not supported (need float64 '<f8'; '<f4', '<i4', "
                        "'<i8' also read)", path, descr);
  const char *f = dict_value(h, "fortran_order");
  if (!f) return ls_error_set(err, LS_ERR_INPUT, "%s: .npy header has no 'fortran_order'", path);
  if (!strncmp(f, "True", 4))
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: Fortran-order array not supported; save C order "
                        "(numpy: np.ascontiguousarray)", path);
  if (strncmp(f, "False", 5))
    return ls_error_set(err, LS_ERR_INPUT, "%s: bad 'fortran_order' in .npy header", path);
  const char *s = dict_value(h, "shape");
  if (!s || *s != '(') return ls_error_set(err, LS_ERR_INPUT, "%s: .npy header has no 'shape'", path);
  s++;
  int nd = 0;
  size_t dims[8];
  for (;;) {
    while (*s == ' ' || *s == ',') s++;
    if (*s == ')') break;
    if (!isdigit((unsigned char)*s))
      return ls_error_set(err, LS_ERR_INPUT, "%s: bad 'shape' in .npy header", path);
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || nd >= 8) return ls_error_set(err, LS_ERR_INPUT, "%s: bad 'shape' in .npy header", path);
    dims[nd++] = (size_t)v;
    s = end;
  }
  if (nd < 1 || nd > 2)
    return ls_error_set(err, LS_ERR_INPUT, "%s: %d-D array not supported (need 1-D or 2-D)",
                        path, nd);
  *ndim = nd;
  shape[0] = dims[0];
  shape[1] = nd == 2 ? dims[1] : 1;
  return LS_OK;
}

static double load_elem(const unsigned char *p, npy_kind kind) {
  /* bytes are little-endian; assemble explicitly so the host's order does not matter */
  uint64_t u = 0;
  int nb = (kind == NPY_F4 || kind == NPY_I4) ? 4 : 8;
  for (int i = nb - 1; i >= 0; i--) u = (u << 8) | p[i];
  switch (kind) {
    case NPY_F8: {
      double d;
      memcpy(&d, &u, 8);
      return d;
    }
    case NPY_F4: {
      uint32_t u32 = (uint32_t)u;
      float fl;
      memcpy(&fl, &u32, 4);
      return fl;
    }
    case NPY_I4: return (double)(int32_t)(uint32_t)u;
    default: return (double)(int64_t)u;
  }
}

/* Reads exactly n bytes; 1 if all arrived. */
static int read_n(FILE *fp, unsigned char *b, size_t n) { return fread(b, 1, n, fp) == n; }

/* The data of a .npy file: preamble, header dict, then exactly count elements (the file
 * read as a stream, never beyond the declared size plus one byte that must not exist). */
static ls_status npy_read_fp(const char *path, FILE *fp, double **data, int *ndim,
                             size_t shape[2], ls_error *err) {
  static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  unsigned char pre[12];
  if (!read_n(fp, pre, 10) || memcmp(pre, magic, 6))
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a .npy file (bad magic)", path);
  int major = pre[6];
  size_t hlen;
  if (major == 1) {
    hlen = pre[8] | (size_t)pre[9] << 8;
  } else if (major == 2 || major == 3) {
    if (!read_n(fp, pre + 10, 2))
      return ls_error_set(err, LS_ERR_INPUT, "%s: truncated .npy header", path);
    hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
  } else {
    return ls_error_set(err, LS_ERR_INPUT, "%s: unsupported .npy version %d", path, major);
  }
  /* numpy writes headers of a few hundred bytes; a longer one is not a parameter file */
  if (hlen > (1u << 20))
    return ls_error_set(err, LS_ERR_INPUT, "%s: .npy header of %zu bytes (more than 1 MiB)",
                        path, hlen);
  char *h = malloc(hlen + 1);
  if (!h) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  if (!read_n(fp, (unsigned char *)h, hlen)) {
    free(h);
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated .npy header", path);
  }
  h[hlen] = 0;
  npy_kind kind = NPY_F8;
  ls_status st = parse_header(path, h, &kind, ndim, shape, err);
  free(h);
  if (st) return st;
  size_t count = shape[0] * shape[1];
  size_t isz = (kind == NPY_F4 || kind == NPY_I4) ? 4 : 8;
  if ((shape[1] && count / shape[1] != shape[0]) || count > SIZE_MAX / 8)
    return ls_error_set(err, LS_ERR_INPUT, "%s: shape too large", path);
  /* the raw data in chunks of at most 1 MiB: a header declaring a huge shape over a short
   * file fails as truncated, not by allocating the declared size up front */
  size_t want = count * isz, have = 0, cap = 0;
  unsigned char *raw = NULL;
  while (have < want) {
    size_t chunk = want - have < ((size_t)1 << 20) ? want - have : ((size_t)1 << 20);
    if (have + chunk > cap) {
      size_t nc = cap ? cap : chunk;
      while (nc < have + chunk) nc *= 2;
      if (nc > want) nc = want;
      unsigned char *nr = realloc(raw, nc);
      if (!nr) {
        free(raw);
        return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory for %zu elements", path, count);
      }
      raw = nr, cap = nc;
    }
    size_t got = fread(raw + have, 1, chunk, fp);
    have += got;
    if (got < chunk) break;
  }
  if (have < want) {
    free(raw);
    if (ferror(fp)) return ls_error_set(err, LS_ERR_IO, "%s: read error", path);
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated: header says %zu elements, file holds %zu",
                        path, count, have / isz);
  }
  if (fgetc(fp) != EOF) {
    free(raw);
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: holds more data than its header declares (%zu elements of shape "
                        "%zu x %zu)", path, count, shape[0], shape[1]);
  }
  double *out = malloc((count ? count : 1) * sizeof *out);
  if (!out) {
    free(raw);
    return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory for %zu elements", path, count);
  }
  for (size_t i = 0; i < count; i++) {
    out[i] = load_elem(raw + i * isz, kind);
    if (!isfinite(out[i])) {
      const char *what = isnan(out[i]) ? "NaN" : "infinite";
      free(out);
      free(raw);
      if (*ndim == 2)
        return ls_error_set(err, LS_ERR_INPUT, "%s: element [%zu, %zu] is %s", path,
                            i / shape[1], i % shape[1], what);
      return ls_error_set(err, LS_ERR_INPUT, "%s: element [%zu] is %s", path, i, what);
    }
  }
  free(raw);
  *data = out;
  return LS_OK;
}

ls_status ls_npy_read(const char *path, double **data, int *ndim, size_t shape[2],
                      ls_error *err) {
  ls_status st = ls_input_check(path, err);
  if (st) return st;
  FILE *fp = fopen(path, "rb");
  if (!fp) return ls_error_set(err, LS_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  st = npy_read_fp(path, fp, data, ndim, shape, err);
  fclose(fp);
  return st;
}

/* Format 1.0 header: preamble + dict + spaces + '\n', total length a multiple of 64
 * (at least min_total bytes, so that a later rewrite with a larger shape fits). */
static void write_header(FILE *fp, int ndim, const size_t *shape, size_t min_total) {
  char dict[256];
  int dl;
  if (ndim == 1)
    dl = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }",
                  shape[0]);
  else
    dl = snprintf(dict, sizeof dict,
                  "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }", shape[0],
                  shape[1]);
  size_t total = 10 + (size_t)dl + 1;
  size_t padded = (total + 63) / 64 * 64;
  if (padded < min_total) padded = min_total;
  size_t hlen = padded - 10;
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                           (unsigned char)(hlen >> 8)};
  fwrite(pre, 1, 10, fp);
  fwrite(dict, 1, (size_t)dl, fp);
  for (size_t i = 10 + (size_t)dl; i < padded - 1; i++) fputc(' ', fp);
  fputc('\n', fp);
}

/* Doubles as little-endian bytes whatever the host order. */
static void write_doubles(FILE *fp, const double *data, size_t count) {
  for (size_t i = 0; i < count; i++) {
    uint64_t u;
    unsigned char b[8];
    memcpy(&u, &data[i], 8);
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)(u >> (8 * k));
    fwrite(b, 1, 8, fp);
  }
}

ls_status ls_npy_write(const char *path, const double *data, int ndim, const size_t *shape,
                       ls_error *err) {
  if (ndim < 1 || ndim > 2)
    return ls_error_set(err, LS_ERR_INPUT, "%s: can write 1-D or 2-D arrays only", path);
  ls_atomic_file f;
  ls_status st = ls_atomic_open(&f, path, err);
  if (st) return st;
  write_header(f.fp, ndim, shape, 0);
  write_doubles(f.fp, data, ndim == 1 ? shape[0] : shape[0] * shape[1]);
  return ls_atomic_commit(&f, err);
}

#define NPY_STREAM_HEADER 128 /* room for any (rows, cols) of 64-bit sizes */

ls_status ls_npy_stream_open(ls_npy_stream *s, const char *path, size_t cols, ls_error *err) {
  memset(s, 0, sizeof *s);
  if (cols == 0) return ls_error_set(err, LS_ERR_INPUT, "%s: stream needs >= 1 column", path);
  ls_status st = ls_atomic_open(&s->f, path, err);
  if (st) return st;
  s->cols = cols;
  size_t shape[2] = {0, cols};
  write_header(s->f.fp, 2, shape, NPY_STREAM_HEADER);
  return LS_OK;
}

ls_status ls_npy_stream_append(ls_npy_stream *s, const double *row, ls_error *err) {
  if (!s->f.fp) return ls_error_set(err, LS_ERR_IO, "npy stream not open");
  write_doubles(s->f.fp, row, s->cols);
  if (ferror(s->f.fp)) return ls_error_set(err, LS_ERR_IO, "%s: write failed", s->f.path);
  s->rows++;
  return LS_OK;
}

ls_status ls_npy_stream_close(ls_npy_stream *s, ls_error *err) {
  if (!s->f.fp) return ls_error_set(err, LS_ERR_IO, "npy stream not open");
  size_t shape[2] = {s->rows, s->cols};
  if (fseek(s->f.fp, 0, SEEK_SET) != 0) {
    ls_npy_stream_abort(s);
    return ls_error_set(err, LS_ERR_IO, "npy stream: cannot rewind");
  }
  write_header(s->f.fp, 2, shape, NPY_STREAM_HEADER);
  ls_status st = ls_atomic_commit(&s->f, err);
  memset(s, 0, sizeof *s);
  return st;
}

void ls_npy_stream_abort(ls_npy_stream *s) {
  if (!s) return;
  ls_atomic_abort(&s->f);
  memset(s, 0, sizeof *s);
}
