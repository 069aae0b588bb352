/* Config loading: student, optional teacher, data set and targets (config.h,
 * docs/config.md). */
#include <libgen.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "landsym/config.h"
#include "landsym/io.h"

const char *const ls_config_builtin_names[] = {"thesis", NULL};

/* Thesis section 6.2: teacher rows (w_i1, w_i2) = (0.6, 0.5), (-0.5, 0.5), (-0.2, -0.6),
 * (0.1, -0.6); outgoing weights a = (1, -1, 1, -1); sigmoid, no biases. */
static const char thesis_json[] =
    "{\"name\": \"thesis toy (Stoican 2022, section 6.2)\","
    " \"data\": {\"kind\": \"grid\", \"n\": 41, \"lo\": -5, \"hi\": 5},"
    " \"teacher\": {\"widths\": [2, 4, 1], \"activation\": \"sigmoid\", \"bias\": false,"
    "   \"params\": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},"
    " \"student\": {\"widths\": [2, 5, 1], \"activation\": \"sigmoid\", \"bias\": false,"
    "   \"loss\": \"mse\"}}";

json_t *ls_config_builtin(const char *name) {
  if (!strcmp(name, "thesis")) return json_loads(thesis_json, 0, NULL);
  return NULL;
}

void ls_config_free(ls_config *cfg) {
  if (!cfg) return;
  free(cfg->path);
  free(cfg->dir);
  json_decref(cfg->root);
  ls_data_free(&cfg->data);
  free(cfg->teacher_params);
  memset(cfg, 0, sizeof *cfg);
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* Teacher parameters: inline "params", "params_file", or drawn from "seed". */
static ls_status load_teacher_params(ls_config *cfg, const json_t *t, ls_error *err) {
  const char *file = cfg->path;
  size_t P = ls_net_nparams(&cfg->teacher);
  const json_t *pv = json_object_get(t, "params"), *fv = json_object_get(t, "params_file"),
               *sv = json_object_get(t, "seed");
  int given = (pv != NULL) + (fv != NULL) + (sv != NULL);
  if (given != 1)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: teacher: give exactly one of params, params_file, seed (got %d)",
                        file, given);
  char desc[128];
  ls_net_describe(&cfg->teacher, desc, sizeof desc);
  if (pv) {
    size_t n;
    ls_status st = ls_json_doubles(pv, file, "teacher.params", &cfg->teacher_params, &n, err);
    if (st) return st;
    if (n != P)
      return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.params: %zu values, teacher %s has %zu",
                          file, n, desc, P);
    return LS_OK;
  }
  if (fv) {
    if (!json_is_string(fv))
      return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.params_file: expected a path", file);
    char *path = ls_config_path(cfg, json_string_value(fv));
    if (!path) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    ls_status st = ls_params_read_net(path, &cfg->teacher, &cfg->teacher_params, err);
    free(path);
    if (st) ls_error_prefix(err, "%s: teacher.params_file", file);
    return st;
  }
  long seed;
  double scale;
  const char *init;
  ls_status st = ls_config_get_int(cfg, t, "teacher", "seed", 0, 0x7fffffffffffffffL, 0, &seed, err);
  if (!st) st = ls_config_get_string(cfg, t, "teacher", "init", "glorot", &init, err);
  if (!st) st = ls_config_get_double(cfg, t, "teacher", "scale", 1.0, &scale, err);
  if (st) return st;
  cfg->teacher_params = malloc(P * sizeof *cfg->teacher_params);
  if (!cfg->teacher_params) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!strcmp(init, "glorot")) ls_params_glorot(&cfg->teacher, (uint64_t)seed, cfg->teacher_params);
  else if (!strcmp(init, "normal")) {
    if (!(scale > 0))
      return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.scale: must be > 0", file);
    ls_params_normal(&cfg->teacher, (uint64_t)seed, scale, cfg->teacher_params);
  } else
    return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.init: '%s' unknown (glorot, normal)", file,
                        init);
  return LS_OK;
}

static ls_status parse_teacher(ls_config *cfg, const json_t *t, ls_error *err) {
  static const char *const keys[] = {"widths", "activation", "output_activation", "bias", "loss",
                                     "glu", "glu2", "params", "params_file", "seed", "init", "scale", "labels",
                                     "comment", NULL};
  const char *file = cfg->path;
  ls_status st = ls_config_check_keys(cfg, t, "teacher", keys, err);
  if (!st) st = ls_config_parse_net(cfg, t, "teacher", &cfg->teacher, err);
  if (st) return st;
  if (!json_object_get(t, "loss")) cfg->teacher.loss = cfg->student.loss;
  int L = cfg->teacher.n_layers, Ls = cfg->student.n_layers;
  if (cfg->teacher.width[0] != cfg->student.width[0])
    return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.widths[0]: %d inputs, student.widths[0] is %d",
                        file, cfg->teacher.width[0], cfg->student.width[0]);
  if (cfg->teacher.width[L] != cfg->student.width[Ls])
    return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.widths[%d]: %d outputs, student.widths[%d] is %d",
                        file, L, cfg->teacher.width[L], Ls, cfg->student.width[Ls]);
  cfg->has_teacher = 1;
  return load_teacher_params(cfg, t, err);
}

/* Input dimension of a generated data set: "dim" if given (must match the student),
 * else the student's input width. */
static ls_status data_dim(ls_config *cfg, const json_t *dv, long *dim, ls_error *err) {
  long din = cfg->student.width[0];
  ls_status st = ls_config_get_int(cfg, dv, "data", "dim", 1, 1 << 20, din, dim, err);
  if (st) return st;
  if (*dim != din)
    return ls_error_set(err, LS_ERR_INPUT, "%s: data.dim: %ld inputs, student.widths[0] is %ld",
                        cfg->path, *dim, din);
  return LS_OK;
}

static ls_status path_key(ls_config *cfg, const json_t *dv, const char *key, int required,
                          char **out, ls_error *err) {
  const char *rel;
  *out = NULL;
  ls_status st = ls_config_get_string(cfg, dv, "data", key, NULL, &rel, err);
  if (st) return st;
  if (!rel) {
    if (required) return ls_error_set(err, LS_ERR_INPUT, "%s: data.%s: required", cfg->path, key);
    return LS_OK;
  }
  *out = ls_config_path(cfg, rel);
  return *out ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
}

/* Builds cfg->data; *has_y tells whether the targets came with it. */
static ls_status parse_data(ls_config *cfg, const json_t *dv, int *has_y, ls_error *err) {
  const char *file = cfg->path, *kind;
  int dout = cfg->student.width[cfg->student.n_layers];
  *has_y = 0;
  if (!json_is_object(dv))
    return ls_error_set(err, LS_ERR_INPUT, "%s: data: required, an object with \"kind\"", file);
  ls_status st = ls_config_get_string(cfg, dv, "data", "kind", NULL, &kind, err);
  if (st) return st;
  if (!kind) return ls_error_set(err, LS_ERR_INPUT, "%s: data.kind: required (grid, gaussian, hermite, npy, csv, idx)", file);
  long dim, n, seed, points;
  double lo, hi;
  if (!strcmp(kind, "grid")) {
    static const char *const keys[] = {"kind", "n", "lo", "hi", "dim", "comment", NULL};
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = data_dim(cfg, dv, &dim, err);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "n", 2, 1 << 26, 41, &n, err);
    if (!st) st = ls_config_get_double(cfg, dv, "data", "lo", -5.0, &lo, err);
    if (!st) st = ls_config_get_double(cfg, dv, "data", "hi", 5.0, &hi, err);
    if (!st && !(hi > lo))
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data.hi: must be > data.lo", file);
    if (!st && !isfinite(hi - lo))
      st = ls_error_set(err, LS_ERR_INPUT,
                        "%s: data.lo, data.hi: the range hi - lo = %g - (%g) overflows", file, hi, lo);
    if (!st) st = ls_data_grid(&cfg->data, (size_t)n, (int)dim, lo, hi, dout, err);
    if (!st)
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "grid %ld^%ld on [%g, %g]", n, dim, lo, hi);
  } else if (!strcmp(kind, "gaussian")) {
    static const char *const keys[] = {"kind", "n", "dim", "seed", "comment", NULL};
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = data_dim(cfg, dv, &dim, err);
    if (!st && !json_object_get(dv, "n"))
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data.n: required", file);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "n", 1, 1L << 30, 1, &n, err);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "seed", 0, 0x7fffffffffffffffL, 0, &seed, err);
    if (!st) st = ls_data_gaussian(&cfg->data, (size_t)n, (int)dim, (uint64_t)seed, dout, err);
    if (!st)
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "gaussian n=%ld dim=%ld seed=%ld", n, dim, seed);
  } else if (!strcmp(kind, "hermite")) {
    static const char *const keys[] = {"kind", "points", "dim", "comment", NULL};
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = data_dim(cfg, dv, &dim, err);
    if (!st && dim > 2)
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data.dim: hermite supports 1 or 2 inputs (got %ld)",
                        file, dim);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "points", 1, 500, 20, &points, err);
    if (!st) st = ls_data_hermite(&cfg->data, (int)points, (int)dim, dout, err);
    if (!st)
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "gauss-hermite %ld^%ld points", points, dim);
  } else if (!strcmp(kind, "npy")) {
    static const char *const keys[] = {"kind", "x", "y", "weights", "comment", NULL};
    char *x = NULL, *y = NULL, *w = NULL;
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = path_key(cfg, dv, "x", 1, &x, err);
    if (!st) st = path_key(cfg, dv, "y", 0, &y, err);
    if (!st) st = path_key(cfg, dv, "weights", 0, &w, err);
    if (!st) st = ls_data_load_npy(&cfg->data, x, y, w, cfg->student.width[0], dout, err);
    if (st && x) ls_error_prefix(err, "%s: data", file);
    if (!st) {
      *has_y = y != NULL;
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "npy %.200s (%zu samples)",
               json_string_value(json_object_get(dv, "x")), cfg->data.n);
    }
    free(x), free(y), free(w);
  } else if (!strcmp(kind, "csv")) {
    static const char *const keys[] = {"kind", "file", "comment", NULL};
    char *path = NULL;
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = path_key(cfg, dv, "file", 1, &path, err);
    if (!st) {
      st = ls_data_load_csv(&cfg->data, path, cfg->student.width[0], dout, has_y, err);
      if (st) ls_error_prefix(err, "%s: data.file", file);
    }
    if (!st)
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "csv %.200s (%zu samples)",
               json_string_value(json_object_get(dv, "file")), cfg->data.n);
    free(path);
  } else if (!strcmp(kind, "idx")) {
    static const char *const keys[] = {"kind", "images", "labels", "limit", "pca", "targets",
                                       "standardize", "comment", NULL};
    char *im = NULL, *lb = NULL;
    long limit, pca;
    const char *targets = NULL;
    ls_idx_labels mode = LS_IDX_ONEHOT;
    const json_t *sv = json_object_get(dv, "standardize");
    st = ls_config_check_keys(cfg, dv, "data", keys, err);
    if (!st) st = path_key(cfg, dv, "images", 1, &im, err);
    if (!st) st = path_key(cfg, dv, "labels", 1, &lb, err);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "limit", 0, 1L << 32, 0, &limit, err);
    if (!st) st = ls_config_get_int(cfg, dv, "data", "pca", 0, 1 << 20, 0, &pca, err);
    if (!st) st = ls_config_get_string(cfg, dv, "data", "targets", "onehot", &targets, err);
    if (!st && !strcmp(targets, "parity"))
      mode = LS_IDX_PARITY;
    else if (!st && strcmp(targets, "onehot"))
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data.targets: '%s' unknown (onehot, parity)", file, targets);
    if (!st && sv && !json_is_boolean(sv))
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data.standardize: must be true or false", file);
    if (!st) {
      st = ls_data_load_idx_labels(&cfg->data, im, lb, (size_t)limit, dout, mode, err);
      if (st) ls_error_prefix(err, "%s: data", file);
    }
    if (!st && pca && (st = ls_data_pca(&cfg->data, (int)pca, err)))
      ls_error_prefix(err, "%s: data.pca", file);
    if (!st && json_is_true(sv)) st = ls_data_standardize(&cfg->data, err);
    if (!st && cfg->data.din != cfg->student.width[0])
      st = ls_error_set(err, LS_ERR_INPUT, "%s: data: %d inputs%s, student.widths[0] is %d", file,
                        cfg->data.din, pca ? " after pca" : " (pixels)", cfg->student.width[0]);
    if (!st) {
      *has_y = 1;
      snprintf(cfg->data_desc, sizeof cfg->data_desc, "idx %.200s (%zu samples%s%s%s)",
               json_string_value(json_object_get(dv, "images")), cfg->data.n, pca ? ", pca" : "",
               json_is_true(sv) ? ", standardized" : "", mode == LS_IDX_PARITY ? ", parity" : "");
    }
    free(im), free(lb);
  } else
    st = ls_error_set(err, LS_ERR_INPUT, "%s: data.kind: '%s' unknown (grid, gaussian, hermite, npy, csv, idx)",
                      file, kind);
  return st;
}

static ls_status config_build(ls_config *cfg, ls_error *err) {
  const char *file = cfg->path;
  json_t *root = cfg->root;
  ls_status st = ls_config_check_keys(cfg, root, "", ls_config_known_sections, err);
  if (st) return st;
  for (int i = 0; ls_config_unread_sections[i]; i++)
    if (json_object_get(root, ls_config_unread_sections[i]))
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: %s: no command reads this section (its settings are command-line "
                          "options, see landsym %s --help); remove it",
                          file, ls_config_unread_sections[i], ls_config_unread_sections[i]);
  const json_t *sv = json_object_get(root, "student"), *tv = json_object_get(root, "teacher");
  if (!json_is_object(sv))
    return ls_error_set(err, LS_ERR_INPUT, "%s: student: required, an object with \"widths\"", file);
  static const char *const skeys[] = {"widths", "activation", "output_activation", "bias", "loss",
                                      "glu", "glu2", "comment", NULL};
  st = ls_config_check_keys(cfg, sv, "student", skeys, err);
  if (!st) st = ls_config_parse_net(cfg, sv, "student", &cfg->student, err);
  if (!st && tv) st = parse_teacher(cfg, tv, err);
  int has_y = 0;
  if (!st) st = parse_data(cfg, json_object_get(root, "data"), &has_y, err);
  if (st) return st;
  if (has_y && cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: teacher: the data already carry targets; remove the teacher or the targets",
                        file);
  if (!has_y && !cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT, "%s: teacher: required when the data carry no targets", file);
  if (cfg->has_teacher) {
    const char *labels;
    st = ls_config_get_string(cfg, tv, "teacher", "labels", "soft", &labels, err);
    if (st) return st;
    if (strcmp(labels, "soft") && strcmp(labels, "onehot"))
      return ls_error_set(err, LS_ERR_INPUT, "%s: teacher.labels: '%s' unknown (soft, onehot)", file, labels);
    st = ls_data_teacher_targets(&cfg->data, &cfg->teacher, cfg->teacher_params,
                                 !strcmp(labels, "onehot"), err);
    if (st) return ls_error_prefix(err, "%s: teacher", file);
  }
  st = ls_data_check_finite(&cfg->data, file, err);
  if (!st && has_y && cfg->student.loss == LS_LOSS_NLL) {
    st = ls_data_check_nll_targets(&cfg->data, cfg->data_desc, err);
    if (st) ls_error_prefix(err, "%s", file);
  }
  /* mostly-zero inputs (raw MNIST pixels) get their sparse index for the first layer */
  if (!st) st = ls_data_sparse_index(&cfg->data, err);
  return st;
}

ls_status ls_config_load_json(json_t *root, const char *name, const char *dir,
                              ls_config *cfg, ls_error *err) {
  memset(cfg, 0, sizeof *cfg);
  cfg->path = dup_str(name ? name : "config");
  cfg->dir = dup_str(dir ? dir : ".");
  cfg->root = json_incref(root);
  if (!cfg->path || !cfg->dir) {
    ls_config_free(cfg);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_status st = config_build(cfg, err);
  if (st) ls_config_free(cfg);
  return st;
}

ls_status ls_config_load(const char *path, ls_config *cfg, ls_error *err) {
  memset(cfg, 0, sizeof *cfg);
  if (!strncmp(path, "builtin:", 8)) {
    json_t *root = ls_config_builtin(path + 8);
    if (!root)
      return ls_error_set(err, LS_ERR_INPUT, "%s: unknown built-in experiment (known: thesis)", path);
    ls_status st = ls_config_load_json(root, path, ".", cfg, err);
    json_decref(root);
    return st;
  }
  ls_status st0 = ls_input_check(path, err);
  if (st0) return st0;
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    if (je.line < 0)
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s", path, je.text);
    return ls_error_set(err, LS_ERR_INPUT, "%s: line %d, column %d: malformed JSON: %s", path,
                        je.line, je.column, je.text);
  }
  if (!json_is_object(root)) {
    json_decref(root);
    return ls_error_set(err, LS_ERR_INPUT, "%s: expected a JSON object at the top level", path);
  }
  char *tmp = dup_str(path);
  if (!tmp) {
    json_decref(root);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_status st = ls_config_load_json(root, path, dirname(tmp), cfg, err);
  free(tmp);
  json_decref(root);
  return st;
}
