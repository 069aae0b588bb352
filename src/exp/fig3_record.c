/* One finished teacher of `reproduce fig3` as DIR/runs/H<H>_s<seed>.json: every field of
 * ls_exp_fig3_run at full precision and the settings it ran with. At the paper's scale a
 * teacher and its path take hours (docs/mnist.md); the record lets `--resume` keep each
 * finished one and lets teachers run in separate invocations end in one figure. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landsym/exp_fig3.h"
#include "landsym/out.h"

/* What must match for a record to be reused: the data and every setting but the list of
 * widths and the number of seeds (a record is one (H, seed)). */
static json_t *settings_key(const ls_config *cfg, const ls_exp_fig3_opts *o) {
  return json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:f, s:i, s:i, s:f, s:i, s:i}", "data",
                   cfg->data_desc, "samples", (json_int_t)cfg->data.n,
                   "inputs", cfg->data.din, "outputs", cfg->data.dout, "layer", o->layer, "steps",
                   o->steps, "dmin", o->dmin, "maxeval", o->maxeval, "train_iters", o->train_iters,
                   "train_lr", o->train_lr, "train_polish", o->train_polish, "merged_maxeval",
                   o->merged_maxeval);
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *num_array(const double *v, int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(a, num(v[i]));
  return a;
}

static char *record_path(const char *dir, int H, int seed) {
  char name[64];
  snprintf(name, sizeof name, "runs/H%d_s%d.json", H, seed);
  return ls_path_join(dir, name);
}

ls_status ls_exp_fig3_record_write(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                                   const ls_exp_fig3_run *r, ls_error *err) {
  char *rdir = ls_path_join(dir, "runs");
  ls_status st = rdir ? ls_mkdir_p(rdir, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(rdir);
  if (st) return st;
  json_t *j = json_pack("{s:o, s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:i, s:I}", "settings",
                        settings_key(cfg, o), "H", r->H, "seed", r->seed, "l", r->l, "m", r->m, "P",
                        (json_int_t)r->P, "n", r->n, "argmax", r->argmax, "max_at_end",
                        r->max_at_end, "evals", (json_int_t)r->evals);
  const struct { const char *k; double v; } f[] = {
      {"cosine", r->cosine},   {"d0", r->d0},           {"teacher_nll", r->teacher_nll},
      {"teacher_acc", r->teacher_acc}, {"y2", r->y2},   {"barrier", r->barrier},
      {"nmse_end", r->nmse_end}, {"acc_end", r->acc_end}, {"acc_min", r->acc_min},
      {"merged_nmse", r->merged_nmse}, {"train_s", r->train_s}, {"path_s", r->path_s},
      {"merged_s", r->merged_s}};
  for (size_t i = 0; j && i < sizeof f / sizeof *f; i++) json_object_set_new(j, f[i].k, num(f[i].v));
  if (j) {
    json_object_set_new(j, "d", num_array(r->d, r->n));
    json_object_set_new(j, "nmse", num_array(r->nmse, r->n));
    json_object_set_new(j, "acc", num_array(r->acc, r->n));
  }
  char *txt = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
  json_decref(j);
  char *p = record_path(dir, r->H, r->seed);
  st = !txt || !p ? ls_error_set(err, LS_ERR_NOMEM, "out of memory")
                  : ls_file_write_atomic(p, txt, strlen(txt), err);
  free(txt), free(p);
  return st;
}

/* A number of the record (null: NaN); -1 if absent or not a number. */
static int get_num(const json_t *j, const char *k, double *x) {
  const json_t *v = json_object_get(j, k);
  if (json_is_null(v)) return *x = NAN, 0;
  if (!json_is_number(v)) return -1;
  *x = json_number_value(v);
  return 0;
}

static int get_array(const json_t *j, const char *k, int n, double **out) {
  const json_t *a = json_object_get(j, k);
  if (!json_is_array(a) || json_array_size(a) != (size_t)n) return -1;
  *out = malloc((size_t)n * sizeof **out);
  if (!*out) return -1;
  for (int i = 0; i < n; i++) {
    const json_t *v = json_array_get(a, (size_t)i);
    if (json_is_null(v)) (*out)[i] = NAN;
    else if (json_is_number(v)) (*out)[i] = json_number_value(v);
    else return -1;
  }
  return 0;
}

static int fill(const json_t *j, ls_exp_fig3_run *r) {
  json_int_t P, evals;
  if (json_unpack((json_t *)j, "{s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:i, s:I}", "H", &r->H, "seed",
                  &r->seed, "l", &r->l, "m", &r->m, "P", &P, "n", &r->n, "argmax", &r->argmax,
                  "max_at_end", &r->max_at_end, "evals", &evals) ||
      P <= 0 || evals < 0 || r->n < 1 || r->argmax < 0 || r->argmax >= r->n)
    return -1;
  r->P = (size_t)P, r->evals = (size_t)evals;
  struct { const char *k; double *v; } f[] = {
      {"cosine", &r->cosine},   {"d0", &r->d0},           {"teacher_nll", &r->teacher_nll},
      {"teacher_acc", &r->teacher_acc}, {"y2", &r->y2},   {"barrier", &r->barrier},
      {"nmse_end", &r->nmse_end}, {"acc_end", &r->acc_end}, {"acc_min", &r->acc_min},
      {"merged_nmse", &r->merged_nmse}, {"train_s", &r->train_s}, {"path_s", &r->path_s},
      {"merged_s", &r->merged_s}};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    if (get_num(j, f[i].k, f[i].v)) return -1;
  return get_array(j, "d", r->n, &r->d) || get_array(j, "nmse", r->n, &r->nmse) ||
                 get_array(j, "acc", r->n, &r->acc) || !(r->d0 > 0)
             ? -1
             : 0;
}

ls_status ls_exp_fig3_record_read(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                                  int H, int seed, ls_exp_fig3_run *r, int *found, ls_error *err) {
  memset(r, 0, sizeof *r);
  *found = 0;
  char *p = record_path(dir, H, seed);
  if (!p) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (access(p, F_OK) != 0) return free(p), LS_OK;
  json_error_t je;
  json_t *j = json_load_file(p, 0, &je), *key = settings_key(cfg, o);
  ls_status st = LS_OK;
  if (!j)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: not a fig3 record (%s, line %d); delete it to rerun "
                      "that teacher", p, je.text, je.line);
  else if (!json_equal(json_object_get(j, "settings"), key))
    st = ls_error_set(err, LS_ERR_INPUT, "%s was run with other settings or data than this config; "
                      "use another --out folder or delete it", p);
  else if (fill(j, r) || r->H != H || r->seed != seed)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: a field is missing or out of range; delete it to "
                      "rerun that teacher", p);
  if (st) ls_exp_fig3_run_free(r);
  else *found = 1;
  json_decref(j), json_decref(key), free(p);
  return st;
}
