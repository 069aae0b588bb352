/* Flat parameter vectors as safetensors files: the single tensor "params", or the
 * state_dict tensors "k.weight", "k.bias", ... concatenated in layout order (mapping in
 * include/landsym/safetensors.h; the network-aware side is src/net/safetensors_params.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/safetensors.h"

/* The parts of a layer's block, in layout order. */
const char *const ls_safetensors_parts[4] = {"weight", "bias", "glu_weight", "glu_bias"};

ls_status ls_safetensors_params_write_flat(const char *path, const double *theta, size_t n,
                                           ls_error *err) {
  ls_st_tensor t = {.name = "params", .ndim = 1, .shape = {n}, .numel = n, .data = (double *)theta};
  const char *meta[] = {"format", "pt", "landsym.layout", "flat"};
  return ls_safetensors_write(path, &t, 1, meta, 2, err);
}

const ls_st_tensor *ls_safetensors_flat_tensor(const ls_st_file *f) {
  return f->n == 1 && !strcmp(f->t[0].name, "params") && f->t[0].ndim == 1 ? &f->t[0] : NULL;
}

/* Sort key of a state_dict name "k.part": 4 k + part index, or -1 for another name. */
static long name_key(const char *name) {
  char *end;
  long k = strtol(name, &end, 10);
  if (end == name || *end != '.' || k < 0 || k > 1000000) return -1;
  for (int p = 0; p < 4; p++)
    if (!strcmp(end + 1, ls_safetensors_parts[p])) return 4 * k + p;
  return -1;
}

typedef struct {
  long key;
  const ls_st_tensor *t;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  return x->key < y->key ? -1 : x->key > y->key;
}

/* Concatenate the state_dict tensors of f in layout order. */
static ls_status concat_state_dict(const ls_st_file *f, const char *path, double *theta,
                                   ls_error *err) {
  keyed *k = malloc((f->n ? f->n : 1) * sizeof *k);
  if (!k) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  for (size_t i = 0; i < f->n; i++) {
    k[i].key = name_key(f->t[i].name);
    k[i].t = &f->t[i];
    if (k[i].key < 0) {
      free(k);
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: tensor '%s' is neither 'params' nor an nn.Sequential parameter "
                          "('K.weight', 'K.bias')",
                          path, f->t[i].name);
    }
  }
  qsort(k, f->n, sizeof *k, cmp_keyed);
  size_t at = 0;
  for (size_t i = 0; i < f->n; i++) {
    memcpy(theta + at, k[i].t->data, k[i].t->numel * sizeof *theta);
    at += k[i].t->numel;
  }
  free(k);
  return LS_OK;
}

ls_status ls_safetensors_params_read(const char *path, double **theta, size_t *n,
                                     ls_error *err) {
  ls_st_file f;
  ls_status st = ls_safetensors_read(path, &f, err);
  if (st) return st;
  size_t total = 0;
  for (size_t i = 0; i < f.n; i++) total += f.t[i].numel;
  *theta = malloc((total ? total : 1) * sizeof **theta);
  if (!*theta) st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  else if (!f.n) st = ls_error_set(err, LS_ERR_INPUT, "%s: no tensor in the file", path);
  else if (ls_safetensors_flat_tensor(&f)) memcpy(*theta, f.t[0].data, total * sizeof **theta);
  else st = concat_state_dict(&f, path, *theta, err);
  ls_safetensors_free(&f);
  if (st) {
    free(*theta);
    *theta = NULL;
  } else {
    *n = total;
  }
  return st;
}
