/* Run records DIR/runs/w<W>_s<S>.json (+ .npy): writing and reading back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/sweep_io.h"
#include "landsym/io.h"
#include "landsym/sweep.h"

ls_status ls_sweep_run_path(const char *dir, int width, long seed, const char *ext, char *buf,
                            size_t len, ls_error *err) {
  int n = snprintf(buf, len, "%s/runs/w%d_s%ld%s", dir, width, seed, ext);
  if (n < 0 || (size_t)n >= len) return ls_error_set(err, LS_ERR_INPUT, "%s: path too long", dir);
  return LS_OK;
}

/* JSON has no NaN or infinity: those are written as null and read back as NaN. */
static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static double real_of(const json_t *v) {
  return json_is_number(v) ? json_number_value(v) : NAN;
}

ls_status ls_sweep_run_write(const char *dir, const ls_seed_result *r, ls_error *err) {
  char path[4096], npy[4096];
  ls_status s;
  if ((s = ls_sweep_run_path(dir, r->width, r->seed, ".json", path, sizeof path, err)) ||
      (s = ls_sweep_run_path(dir, r->width, r->seed, ".npy", npy, sizeof npy, err)))
    return s;
  /* The .npy goes first: the record's presence is what marks the run finished. */
  if (r->params && (s = ls_npy_write(npy, r->params, 1, &r->nparams, err))) return s;
  const char *base = strrchr(npy, '/') + 1;
  json_t *o = json_pack("{s:i, s:I, s:o, s:o, s:s, s:b, s:I, s:o, s:o, s:o}", "width", r->width,
                        "seed", (json_int_t)r->seed, "loss", real_or_null(r->loss), "grad_inf",
                        real_or_null(r->grad_inf), "stop", r->stop, "converged", r->converged,
                        "iterations", (json_int_t)r->iterations, "time_s",
                        real_or_null(r->time_s), "params",
                        r->params ? json_string(base) : json_null(), "reason",
                        r->reason[0] ? json_string(r->reason) : json_null());
  /* 17 significant digits: every double reads back bit for bit. */
  char *text = o ? json_dumps(o, JSON_REAL_PRECISION(17)) : NULL;
  json_decref(o);
  if (!text) return ls_error_set(err, LS_ERR_NOMEM, "%s: cannot build the run record", path);
  size_t n = strlen(text);
  text[n] = '\n';
  s = ls_file_write_atomic(path, text, n + 1, err);
  free(text);
  return s;
}

ls_status ls_sweep_run_read(const char *path, ls_seed_result *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) return ls_error_set(err, LS_ERR_IO, "%s: no such run record", path);
  json_error_t je;
  json_t *o = json_loadf(f, 0, &je);
  fclose(f);
  if (!o) return ls_error_set(err, LS_ERR_INPUT, "%s: line %d: %s", path, je.line, je.text);
  const json_t *w = json_object_get(o, "width"), *sd = json_object_get(o, "seed"),
               *st = json_object_get(o, "stop"), *cv = json_object_get(o, "converged"),
               *it = json_object_get(o, "iterations");
  if (!json_is_integer(w) || !json_is_integer(sd) || !json_is_string(st) ||
      !json_is_boolean(cv) || !json_is_integer(it)) {
    json_decref(o);
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a run record (width, seed, stop, "
                        "converged or iterations missing)", path);
  }
  /* numbers where numbers belong: a record edited or cut short is not a finished run */
  const char *numeric[] = {"loss", "grad_inf", "time_s"};
  for (int i = 0; i < 3; i++) {
    const json_t *v = json_object_get(o, numeric[i]);
    if (v && !json_is_number(v) && !json_is_null(v)) {
      json_decref(o);
      return ls_error_set(err, LS_ERR_INPUT, "%s: not a run record (%s must be a number or null)",
                          path, numeric[i]);
    }
  }
  const json_t *pv = json_object_get(o, "params"), *rv = json_object_get(o, "reason");
  if ((pv && !json_is_string(pv) && !json_is_null(pv)) || (rv && !json_is_string(rv) && !json_is_null(rv))) {
    json_decref(o);
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a run record (params and reason must be "
                        "strings or null)", path);
  }
  if (json_integer_value(w) < 1 || json_integer_value(w) > 100000 || json_integer_value(it) < 0) {
    json_decref(o);
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a run record (width or iterations out of range)",
                        path);
  }
  out->has_params = json_is_string(pv);
  if (json_is_string(rv)) snprintf(out->reason, sizeof out->reason, "%s", json_string_value(rv));
  out->width = (int)json_integer_value(w);
  out->seed = (long)json_integer_value(sd);
  out->loss = real_of(json_object_get(o, "loss"));
  out->grad_inf = real_of(json_object_get(o, "grad_inf"));
  snprintf(out->stop, sizeof out->stop, "%s", json_string_value(st));
  out->converged = json_is_true(cv);
  out->iterations = (long)json_integer_value(it);
  out->time_s = real_of(json_object_get(o, "time_s"));
  json_decref(o);
  return LS_OK;
}
