/* safetensors files: reader and writer of the format (include/landsym/safetensors.h). */
#include "landsym/safetensors.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/io.h"
#include "landsym/out.h"

/* Headers above this size are refused, as the reference implementation does. */
#define ST_MAX_HEADER ((uint64_t)100 * 1000 * 1000)

typedef struct {
  const char *name;
  int ndim, esize; /* element size: 8 (F64) or 4 (F32) */
  size_t shape[LS_ST_MAX_DIMS], numel;
  uint64_t begin, end;
} st_entry;

void ls_safetensors_free(ls_st_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n; i++) {
    free(f->t[i].name);
    free(f->t[i].data);
  }
  free(f->t);
  memset(f, 0, sizeof *f);
}

const ls_st_tensor *ls_safetensors_find(const ls_st_file *f, const char *name) {
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->t[i].name, name)) return &f->t[i];
  return NULL;
}

static ls_status get_u64(const json_t *v, const char *path, const char *name, const char *what,
                         uint64_t *out, ls_error *err) {
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': %s must be a non-negative integer",
                        path, name, what);
  *out = (uint64_t)json_integer_value(v);
  return LS_OK;
}

static ls_status parse_dtype(const json_t *v, const char *path, st_entry *e, ls_error *err) {
  const char *s = json_string_value(v);
  if (!s)
    return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': dtype missing or not a string",
                        path, e->name);
  if (!strcmp(s, "F64")) e->esize = 8;
  else if (!strcmp(s, "F32")) e->esize = 4;
  else
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: tensor '%s': dtype %s not supported (F64 or F32)", path, e->name, s);
  return LS_OK;
}

static ls_status parse_shape(const json_t *v, const char *path, st_entry *e, ls_error *err) {
  if (!json_is_array(v) || json_array_size(v) > LS_ST_MAX_DIMS)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: tensor '%s': shape must be an array of at most %d sizes", path,
                        e->name, LS_ST_MAX_DIMS);
  e->ndim = (int)json_array_size(v);
  e->numel = 1;
  for (int d = 0; d < e->ndim; d++) {
    uint64_t s = 0;
    ls_status st = get_u64(json_array_get(v, d), path, e->name, "shape entry", &s, err);
    if (st) return st;
    if (s && e->numel > (SIZE_MAX / 8) / s)
      return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': shape too large", path, e->name);
    e->shape[d] = (size_t)s;
    e->numel *= (size_t)s;
  }
  return LS_OK;
}

/* One header entry: dtype, shape and data_offsets, consistent with each other. */
static ls_status parse_entry(const json_t *obj, const char *path, st_entry *e, ls_error *err) {
  if (!json_is_object(obj))
    return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': expected an object", path, e->name);
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
      return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': unknown key '%s'", path,
                          e->name, key);
  }
  ls_status st = parse_dtype(json_object_get(obj, "dtype"), path, e, err);
  if (!st) st = parse_shape(json_object_get(obj, "shape"), path, e, err);
  if (st) return st;
  const json_t *off = json_object_get(obj, "data_offsets");
  if (!json_is_array(off) || json_array_size(off) != 2)
    return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': data_offsets must be [begin, end]",
                        path, e->name);
  if ((st = get_u64(json_array_get(off, 0), path, e->name, "data_offsets[0]", &e->begin, err)) ||
      (st = get_u64(json_array_get(off, 1), path, e->name, "data_offsets[1]", &e->end, err)))
    return st;
  if (e->end < e->begin || e->end - e->begin != (uint64_t)e->numel * (uint64_t)e->esize)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: tensor '%s': data_offsets [%llu, %llu] do not hold %zu elements of "
                        "%d bytes",
                        path, e->name, (unsigned long long)e->begin, (unsigned long long)e->end,
                        e->numel, e->esize);
  return LS_OK;
}

static int cmp_begin(const void *a, const void *b) {
  const st_entry *x = a, *y = b;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static ls_status check_metadata(const json_t *meta, const char *path, ls_error *err) {
  if (!json_is_object(meta))
    return ls_error_set(err, LS_ERR_INPUT, "%s: __metadata__ must be an object", path);
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)meta, key, val) {
    if (!json_is_string(val))
      return ls_error_set(err, LS_ERR_INPUT, "%s: __metadata__.%s must be a string", path, key);
  }
  return LS_OK;
}

/* Parse the header into entries sorted by offset; the tensors must tile [0, *total). */
static ls_status parse_header(const json_t *root, const char *path, st_entry **out, size_t *n,
                              uint64_t *total, ls_error *err) {
  if (!json_is_object(root))
    return ls_error_set(err, LS_ERR_INPUT, "%s: the header is not a JSON object", path);
  st_entry *e = calloc(json_object_size(root) + 1, sizeof *e);
  if (!e) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  size_t k = 0;
  const char *key;
  const json_t *val;
  ls_status st = LS_OK;
  json_object_foreach((json_t *)root, key, val) {
    if (!strcmp(key, "__metadata__")) st = check_metadata(val, path, err);
    else {
      e[k].name = key;
      st = parse_entry(val, path, &e[k++], err);
    }
    if (st) break;
  }
  qsort(e, k, sizeof *e, cmp_begin);
  uint64_t at = 0;
  for (size_t i = 0; !st && i < k; i++) {
    if (e[i].begin != at)
      st = ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': data starts at byte %llu, expected "
                        "%llu (tensors must tile the data without gaps or overlaps)",
                        path, e[i].name, (unsigned long long)e[i].begin, (unsigned long long)at);
    at = e[i].end;
  }
  if (st) {
    free(e);
    return st;
  }
  *out = e;
  *n = k;
  *total = at;
  return LS_OK;
}

static ls_status read_bytes(FILE *fp, void *buf, size_t len, const char *path, const char *what,
                            ls_error *err) {
  if (len && fread(buf, 1, len, fp) != len)
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated file (%s)", path, what);
  return LS_OK;
}

/* Decode one little-endian element to double. */
static double decode(const unsigned char *p, int esize) {
  uint64_t u = 0;
  for (int b = esize - 1; b >= 0; b--) u = (u << 8) | p[b];
  if (esize == 8) {
    double d;
    memcpy(&d, &u, 8);
    return d;
  }
  uint32_t u32 = (uint32_t)u;
  float f;
  memcpy(&f, &u32, 4);
  return (double)f;
}

static ls_status fill_tensor(const st_entry *e, const unsigned char *buf, const char *path,
                             ls_st_tensor *t, ls_error *err) {
  t->name = strdup(e->name);
  t->data = malloc((e->numel ? e->numel : 1) * sizeof *t->data);
  if (!t->name || !t->data) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  t->ndim = e->ndim;
  memcpy(t->shape, e->shape, sizeof t->shape);
  t->numel = e->numel;
  for (size_t i = 0; i < e->numel; i++) {
    t->data[i] = decode(buf + e->begin + i * (size_t)e->esize, e->esize);
    if (!isfinite(t->data[i]))
      return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': element %zu is %s", path,
                          e->name, i, isnan(t->data[i]) ? "nan" : "inf");
  }
  return LS_OK;
}

/* Header length, header JSON, then exactly the bytes the header declares. */
static ls_status read_header(FILE *fp, const char *path, json_t **root, ls_error *err) {
  unsigned char len8[8];
  if (fread(len8, 1, 8, fp) != 8)
    return ls_error_set(err, LS_ERR_INPUT, "%s: truncated file (no 8-byte header length)", path);
  uint64_t hl = 0;
  for (int b = 7; b >= 0; b--) hl = (hl << 8) | len8[b];
  if (hl < 2 || hl > ST_MAX_HEADER)
    return ls_error_set(err, LS_ERR_INPUT, "%s: header length %llu out of range (2..%llu)",
                        path, (unsigned long long)hl, (unsigned long long)ST_MAX_HEADER);
  char *h = malloc(hl);
  if (!h) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  ls_status st = read_bytes(fp, h, hl, path, "header shorter than its declared length", err);
  if (!st && h[0] != '{')
    st = ls_error_set(err, LS_ERR_INPUT, "%s: the header does not start with '{'", path);
  json_error_t je;
  if (!st && !(*root = json_loadb(h, hl, JSON_REJECT_DUPLICATES, &je)))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: header JSON, column %d: %s", path, je.column,
                      je.text);
  free(h);
  return st;
}

static ls_status read_tensors(FILE *fp, const char *path, const json_t *root, ls_st_file *f,
                              ls_error *err) {
  st_entry *e = NULL;
  size_t n = 0;
  uint64_t total = 0;
  ls_status st = parse_header(root, path, &e, &n, &total, err);
  if (st) return st;
  unsigned char *buf = total <= SIZE_MAX ? malloc(total ? total : 1) : NULL;
  f->t = calloc(n ? n : 1, sizeof *f->t);
  if (!buf || !f->t) st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  if (!st) st = read_bytes(fp, buf, total, path, "data shorter than the header declares", err);
  if (!st && fgetc(fp) != EOF)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: bytes after the last tensor's data", path);
  for (size_t i = 0; !st && i < n; i++) {
    st = fill_tensor(&e[i], buf, path, &f->t[i], err);
    f->n = i + 1;
  }
  free(buf);
  free(e);
  return st;
}

ls_status ls_safetensors_read(const char *path, ls_st_file *f, ls_error *err) {
  memset(f, 0, sizeof *f);
  ls_status st = ls_input_check(path, err);
  if (st) return st;
  FILE *fp = fopen(path, "rb");
  if (!fp) return ls_error_set(err, LS_ERR_IO, "%s: cannot open", path);
  json_t *root = NULL;
  st = read_header(fp, path, &root, err);
  if (!st) st = read_tensors(fp, path, root, f, err);
  json_decref(root);
  fclose(fp);
  if (st) ls_safetensors_free(f);
  return st;
}

/* ---- writer ---- */

static json_t *header_json(const ls_st_tensor *t, size_t n, const char *const *meta,
                           size_t n_meta) {
  json_t *root = json_object();
  if (n_meta) {
    json_t *m = json_object();
    for (size_t i = 0; i < n_meta; i++) json_object_set_new(m, meta[2 * i], json_string(meta[2 * i + 1]));
    json_object_set_new(root, "__metadata__", m);
  }
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *shape = json_array();
    for (int d = 0; d < t[i].ndim; d++) json_array_append_new(shape, json_integer((json_int_t)t[i].shape[d]));
    json_t *off = json_pack("[I,I]", (json_int_t)at, (json_int_t)(at + 8 * t[i].numel));
    at += 8 * t[i].numel;
    json_object_set_new(root, t[i].name,
                        json_pack("{s:s,s:o,s:o}", "dtype", "F64", "shape", shape,
                                  "data_offsets", off));
  }
  return root;
}

static ls_status check_tensors(const char *path, const ls_st_tensor *t, size_t n,
                               ls_error *err) {
  for (size_t i = 0; i < n; i++) {
    size_t numel = 1;
    for (int d = 0; d < t[i].ndim; d++) numel *= t[i].shape[d];
    if (t[i].ndim < 0 || t[i].ndim > LS_ST_MAX_DIMS || numel != t[i].numel)
      return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': shape does not match %zu elements",
                          path, t[i].name, t[i].numel);
    if (!strcmp(t[i].name, "__metadata__"))
      return ls_error_set(err, LS_ERR_INPUT, "%s: '__metadata__' is not a tensor name", path);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(t[i].name, t[j].name))
        return ls_error_set(err, LS_ERR_INPUT, "%s: tensor name '%s' given twice", path, t[i].name);
    for (size_t k = 0; k < t[i].numel; k++)
      if (!isfinite(t[i].data[k]))
        return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': element %zu is not finite", path,
                            t[i].name, k);
  }
  return LS_OK;
}

static void put_le(FILE *fp, uint64_t u, int bytes) {
  unsigned char b[8];
  for (int i = 0; i < bytes; i++) b[i] = (unsigned char)(u >> (8 * i));
  fwrite(b, 1, (size_t)bytes, fp);
}

ls_status ls_safetensors_write(const char *path, const ls_st_tensor *t, size_t n,
                               const char *const *meta, size_t n_meta, ls_error *err) {
  ls_status st = check_tensors(path, t, n, err);
  if (st) return st;
  json_t *root = header_json(t, n, meta, n_meta);
  char *h = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(root);
  if (!h) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  size_t hl = strlen(h), padded = (hl + 7) / 8 * 8; /* data 8-byte aligned */
  ls_atomic_file f;
  st = ls_atomic_open(&f, path, err);
  if (!st) {
    put_le(f.fp, padded, 8);
    fwrite(h, 1, hl, f.fp);
    for (size_t i = hl; i < padded; i++) fputc(' ', f.fp);
    for (size_t i = 0; i < n; i++)
      for (size_t k = 0; k < t[i].numel; k++) {
        uint64_t u;
        memcpy(&u, &t[i].data[k], 8);
        put_le(f.fp, u, 8);
      }
    st = ls_atomic_commit(&f, err);
  }
  free(h);
  return st;
}
