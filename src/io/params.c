/* Parameter vectors in .npy, .json or .safetensors files (layout: net.h / DESIGN.md). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/io.h"
#include "landsym/safetensors.h"

static int has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n >= e && strcmp(path + n - e, ext) == 0;
}

ls_status ls_json_doubles(const json_t *arr, const char *file, const char *where,
                          double **out, size_t *n, ls_error *err) {
  if (!json_is_array(arr))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected an array of numbers", file, where);
  size_t len = json_array_size(arr);
  double *v = malloc((len ? len : 1) * sizeof *v);
  if (!v) return ls_error_set(err, LS_ERR_NOMEM, "%s: %s: out of memory", file, where);
  for (size_t i = 0; i < len; i++) {
    const json_t *e = json_array_get(arr, i);
    if (!json_is_number(e)) {
      free(v);
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s[%zu]: not a number", file, where, i);
    }
    v[i] = json_number_value(e);
    if (!isfinite(v[i])) {
      free(v);
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s[%zu]: not finite", file, where, i);
    }
  }
  *out = v;
  *n = len;
  return LS_OK;
}

static ls_status read_json(const char *path, double **theta, size_t *n, ls_error *err) {
  ls_status st0 = ls_input_check(path, err);
  if (st0) return st0;
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return ls_error_set(err, LS_ERR_INPUT, "%s: line %d, column %d: %s", path, je.line,
                        je.column, je.text);
  const json_t *arr = root;
  const char *where = "(top level)";
  if (json_is_object(root)) {
    arr = json_object_get(root, "params");
    where = "params";
    if (!arr) {
      json_decref(root);
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: expected a flat array of numbers or an object with \"params\"",
                          path);
    }
  }
  ls_status st = ls_json_doubles(arr, path, where, theta, n, err);
  json_decref(root);
  return st;
}

ls_status ls_params_read(const char *path, double **theta, size_t *n, ls_error *err) {
  if (has_ext(path, ".json")) return read_json(path, theta, n, err);
  if (has_ext(path, ".safetensors")) return ls_safetensors_params_read(path, theta, n, err);
  if (has_ext(path, ".npy")) {
    int nd;
    size_t shape[2];
    ls_status st = ls_npy_read(path, theta, &nd, shape, err);
    if (st) return st;
    if (nd != 1) {
      free(*theta);
      *theta = NULL;
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: a %zu x %zu array; a parameter vector is a 1-D array", path,
                          shape[0], shape[1]);
    }
    *n = shape[0];
    return LS_OK;
  }
  return ls_error_set(err, LS_ERR_INPUT, "%s: parameter files must end in .npy, .json or .safetensors", path);
}

ls_status ls_params_write(const char *path, const double *theta, size_t n, ls_error *err) {
  if (has_ext(path, ".npy")) return ls_npy_write(path, theta, 1, &n, err);
  if (has_ext(path, ".safetensors")) return ls_safetensors_params_write_flat(path, theta, n, err);
  if (!has_ext(path, ".json"))
    return ls_error_set(err, LS_ERR_INPUT, "%s: parameter files must end in .npy, .json or .safetensors", path);
  ls_atomic_file f;
  ls_status st = ls_atomic_open(&f, path, err);
  if (st) return st;
  fputs("{\"params\": [", f.fp);
  for (size_t i = 0; i < n; i++) fprintf(f.fp, "%s%.17g", i ? ", " : "", theta[i]);
  fputs("]}\n", f.fp);
  return ls_atomic_commit(&f, err);
}
