/* Sweep options and the manifest DIR/sweep.json that guards --resume. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exp/sweep_io.h"
#include "landsym/io.h"
#include "landsym/out.h"
#include "landsym/sweep.h"

#define MANIFEST_FORMAT "landsym-sweep-1"

void ls_sweep_opts_init(ls_sweep_opts *o) {
  memset(o, 0, sizeof *o);
  o->first_seed = 1;
  o->n_ranks = 1;
  o->version = "unknown";
}

ls_status ls_sweep_opts_validate(const ls_sweep_opts *o, ls_error *err) {
  if (!o->dir || !*o->dir) return ls_error_set(err, LS_ERR_INPUT, "no output directory given");
  if (!o->config || !json_is_object(o->config))
    return ls_error_set(err, LS_ERR_INPUT, "the experiment config must be a JSON object");
  if (o->n_seeds < 1 || o->n_seeds > 100000000)
    return ls_error_set(err, LS_ERR_INPUT, "seeds must be between 1 and 1e8 (got %ld)",
                        o->n_seeds);
  if (o->first_seed < 0 || o->first_seed > (1L << 53) - o->n_seeds)
    return ls_error_set(err, LS_ERR_INPUT, "first seed %ld out of range", o->first_seed);
  if (o->n_widths < 1 || o->n_widths > LS_SWEEP_MAX_WIDTHS)
    return ls_error_set(err, LS_ERR_INPUT, "between 1 and %d student widths needed (got %d)",
                        LS_SWEEP_MAX_WIDTHS, o->n_widths);
  for (int i = 0; i < o->n_widths; i++) {
    if (o->widths[i] < 1)
      return ls_error_set(err, LS_ERR_INPUT, "student width %d must be >= 1", o->widths[i]);
    for (int k = 0; k < i; k++)
      if (o->widths[k] == o->widths[i])
        return ls_error_set(err, LS_ERR_INPUT, "student width %d listed twice", o->widths[i]);
  }
  if (o->n_ranks < 1 || o->rank < 0 || o->rank >= o->n_ranks)
    return ls_error_set(err, LS_ERR_INPUT, "rank %d of %d is invalid", o->rank, o->n_ranks);
  return LS_OK;
}

/* Size and FNV-1a 64 hash of a regular file's bytes, as {"bytes": N, "fnv1a64": "hex"};
 * NULL when path is not a regular file. */
static json_t *file_fingerprint(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned long long h = 0xcbf29ce484222325ull, n = 0;
  unsigned char buf[1 << 16];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0)
    for (size_t i = 0; i < got; i++) h = (h ^ buf[i]) * 0x100000001b3ull, n++;
  int bad = ferror(f);
  fclose(f);
  if (bad) return NULL;
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", h);
  return json_pack("{s:I, s:s}", "bytes", (json_int_t)n, "fnv1a64", hex);
}

/* Every string of the config that names a regular file (relative to input_dir): the
 * data, teacher and parameter files of the experiment. */
static void inputs_walk(const json_t *v, const char *dir, json_t *out) {
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    if (!*s || json_object_get(out, s)) return;
    char path[4096];
    if (s[0] == '/' || !dir || !strcmp(dir, ".")) snprintf(path, sizeof path, "%s", s);
    else snprintf(path, sizeof path, "%s/%s", dir, s);
    json_t *fp = file_fingerprint(path);
    if (fp) json_object_set_new(out, s, fp);
  } else if (json_is_object(v)) {
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)v, k, c) inputs_walk(c, dir, out);
  } else if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++) inputs_walk(json_array_get(v, i), dir, out);
  }
}

static json_t *manifest_build(const ls_sweep_opts *o) {
  json_t *w = json_array(), *in = json_object();
  for (int i = 0; i < o->n_widths; i++) json_array_append_new(w, json_integer(o->widths[i]));
  inputs_walk(o->config, o->input_dir, in);
  return json_pack("{s:s, s:s, s:I, s:I, s:o, s:O, s:o}", "format", MANIFEST_FORMAT, "version",
                   o->version, "seeds", (json_int_t)o->n_seeds, "first_seed",
                   (json_int_t)o->first_seed, "widths", w, "config", o->config, "inputs", in);
}

/* The first input file whose fingerprint differs from the manifest's (a manifest written
 * before fingerprints existed has none to compare). */
static const char *inputs_diff(const json_t *had, const json_t *now) {
  if (!had) return NULL;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)had, k, v) {
    if (!json_equal(v, json_object_get(now, k))) return k;
  }
  json_object_foreach((json_t *)now, k, v) {
    if (!json_object_get(had, k)) return k;
  }
  return NULL;
}

/* Name the first top-level config section that differs between a and b. */
static const char *config_diff(const json_t *a, const json_t *b) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)a, key, v) {
    if (!json_equal(v, json_object_get(b, key))) return key;
  }
  json_object_foreach((json_t *)b, key, v) {
    if (!json_object_get(a, key)) return key;
  }
  return NULL;
}

static ls_status manifest_check(const ls_sweep_opts *o, const char *path, ls_error *err) {
  json_error_t je;
  json_t *m = json_load_file(path, 0, &je);
  if (!m)
    return ls_error_set(err, LS_ERR_INPUT, "%s: unreadable sweep manifest (line %d: %s)", path,
                        je.line, je.text);
  json_t *want = manifest_build(o);
  ls_status s = LS_OK;
  const char *fmt = json_string_value(json_object_get(m, "format"));
  const char *ver = json_string_value(json_object_get(m, "version"));
  const json_t *cfg = json_object_get(m, "config");
  if (!fmt || strcmp(fmt, MANIFEST_FORMAT))
    s = ls_error_set(err, LS_ERR_INPUT, "%s: not a landsym sweep manifest", path);
  else if (!json_equal(json_object_get(m, "seeds"), json_object_get(want, "seeds")))
    s = ls_error_set(err, LS_ERR_INPUT,
                     "%s: cannot resume: the sweep was started with %" JSON_INTEGER_FORMAT
                     " seeds, now %ld are asked for",
                     path, json_integer_value(json_object_get(m, "seeds")), o->n_seeds);
  else if (!json_equal(json_object_get(m, "first_seed"), json_object_get(want, "first_seed")))
    s = ls_error_set(err, LS_ERR_INPUT, "%s: cannot resume: the first seed differs", path);
  else if (!json_equal(json_object_get(m, "widths"), json_object_get(want, "widths")))
    s = ls_error_set(err, LS_ERR_INPUT, "%s: cannot resume: the student widths differ", path);
  else if (!cfg || !json_equal(cfg, o->config)) {
    const char *k = cfg ? config_diff(cfg, o->config) : NULL;
    s = ls_error_set(err, LS_ERR_INPUT,
                     "%s: cannot resume: the config differs from the one the sweep was "
                     "started with%s%s%s",
                     path, k ? " (section \"" : "", k ? k : "", k ? "\")" : "");
  } else if (inputs_diff(json_object_get(m, "inputs"), json_object_get(want, "inputs"))) {
    const char *f = inputs_diff(json_object_get(m, "inputs"), json_object_get(want, "inputs"));
    s = ls_error_set(err, LS_ERR_INPUT,
                     "%s: cannot resume: input file %s changed since the sweep started (size or "
                     "content differs from the manifest's fingerprint)",
                     path, f);
  } else if (!ver || strcmp(ver, o->version))
    s = ls_error_set(err, LS_ERR_INPUT,
                     "%s: cannot resume: the sweep was started by landsym %s, this is %s", path,
                     ver ? ver : "?", o->version);
  json_decref(want);
  json_decref(m);
  return s;
}

ls_status ls_sweep_prepare(const ls_sweep_opts *o, ls_error *err) {
  ls_status s = ls_sweep_opts_validate(o, err);
  if (s) return s;
  char path[4096], runs[4096];
  if (snprintf(path, sizeof path, "%s/sweep.json", o->dir) >= (int)sizeof path ||
      snprintf(runs, sizeof runs, "%s/runs", o->dir) >= (int)sizeof runs)
    return ls_error_set(err, LS_ERR_INPUT, "%s: path too long", o->dir);
  if ((s = ls_mkdir_p(runs, err))) return s; /* DIR and DIR/runs, like mkdir -p */
  struct stat st;
  if (stat(path, &st) == 0) {
    if (!o->resume)
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s already holds a sweep (%s); pass --resume to continue it or "
                          "choose another output directory",
                          o->dir, path);
    if ((s = manifest_check(o, path, err))) return s;
  } else {
    json_t *m = manifest_build(o);
    s = m ? ls_json_save(m, path, err)
          : ls_error_set(err, LS_ERR_NOMEM, "%s: cannot build the manifest", path);
    json_decref(m);
    if (s) return s;
  }
  /* A killed sweep may leave temp files of runs it was writing. */
  exp_remove_temps(runs);
  exp_remove_temps(o->dir);
  return LS_OK;
}

/* The manifest's numbers, checked before they size anything (seeds -3 or 1e8 once reached
 * calloc); NULL when they are fine. */
static const char *manifest_bad(json_int_t ns, json_int_t fs, const json_t *w) {
  if (ns < 1 || ns > 1000000) return "seeds: must be an integer in 1..1000000";
  if (fs < 0 || fs > ((json_int_t)1 << 53)) return "first_seed: must be an integer >= 0";
  for (size_t i = 0; i < json_array_size(w); i++) {
    json_t *v = json_array_get(w, i);
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
      return "widths: each must be an integer in 1..100000";
  }
  return NULL;
}

ls_status ls_sweep_manifest_read(const char *dir, ls_sweep_manifest *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  char path[4096];
  snprintf(path, sizeof path, "%s/sweep.json", dir);
  json_error_t je;
  json_t *m = json_load_file(path, 0, &je);
  if (!m)
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a sweep directory (%s)", dir,
                        je.line > 0 ? je.text : "no sweep.json");
  json_t *s = json_object_get(m, "seeds"), *f = json_object_get(m, "first_seed"),
         *w = json_object_get(m, "widths"), *c = json_object_get(m, "config");
  ls_status st = LS_OK;
  const char *bad = NULL;
  if (!json_is_integer(s) || !json_is_integer(f) || !json_is_array(w) || !json_is_object(c) ||
      json_array_size(w) < 1 || json_array_size(w) > LS_SWEEP_MAX_WIDTHS)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: malformed sweep manifest", path);
  else if ((bad = manifest_bad(json_integer_value(s), json_integer_value(f), w)))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: %s", path, bad);
  if (!st) {
    out->n_seeds = (long)json_integer_value(s);
    out->first_seed = (long)json_integer_value(f);
    out->n_widths = (int)json_array_size(w);
    for (int i = 0; i < out->n_widths; i++)
      out->widths[i] = (int)json_integer_value(json_array_get(w, (size_t)i));
    out->config = json_incref(c);
  }
  json_decref(m);
  return st;
}

void ls_sweep_manifest_free(ls_sweep_manifest *m) {
  json_decref(m->config);
  m->config = NULL;
}
