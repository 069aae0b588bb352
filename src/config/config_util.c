/* Config helpers shared by every section parser: typed getters, key checks, paths,
 * sections (config.h). Messages always read "FILE: FIELD: problem". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/config.h"

const char *const ls_config_known_sections[] = {
    "data",    "teacher", "student", "name",   "description", "comment", "seed",
    "output",  "eval",    "train",   "sweep",  "classify",    "expand",  "connect",
    "split",   "path",    "saddle",  "locus",  "reproduce",   "count",   "figures",
    "analysis", NULL};

/* Known sections that no command reads (their settings are command-line options): present
 * in a config they would be ignored, so any content there is refused rather than passed
 * silently. A command that starts reading one takes it off this list. */
const char *const ls_config_unread_sections[] = {
    "output", "eval", "classify", "expand", "connect", "saddle", "locus", "count", "figures",
    "analysis", NULL};

json_t *ls_config_section(const ls_config *cfg, const char *name) {
  if (!cfg || !cfg->root) return NULL;
  return json_object_get(cfg->root, name);
}

static const char *cfg_file(const ls_config *cfg) {
  return cfg && cfg->path ? cfg->path : "config";
}

/* "where.key", or just key at top level. */
static void field(char *buf, size_t len, const char *where, const char *key) {
  if (where && *where) snprintf(buf, len, "%s.%s", where, key);
  else snprintf(buf, len, "%s", key);
}

ls_status ls_config_check_keys(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *const *allowed, ls_error *err) {
  if (!json_is_object(obj))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected an object", cfg_file(cfg),
                        where && *where ? where : "(top level)");
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (!strcmp(key, *a)) ok = 1;
    if (!ok) {
      char known[600] = "", f[256];
      for (const char *const *a = allowed; *a; a++) {
        if (strlen(known) + strlen(*a) + 3 >= sizeof known) break;
        if (a != allowed) strcat(known, ", ");
        strcat(known, *a);
      }
      field(f, sizeof f, where, key);
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s: unknown key (known: %s)", cfg_file(cfg), f,
                          known);
    }
  }
  return LS_OK;
}

char *ls_config_path(const ls_config *cfg, const char *rel) {
  const char *dir = cfg && cfg->dir ? cfg->dir : ".";
  size_t n = strlen(dir) + strlen(rel) + 2;
  char *p = malloc(n);
  if (!p) return NULL;
  if (rel[0] == '/' || !strcmp(dir, ".")) snprintf(p, n, "%s", rel);
  else snprintf(p, n, "%s/%s", dir, rel);
  return p;
}

ls_status ls_config_get_int(const ls_config *cfg, const json_t *obj, const char *where,
                            const char *key, long lo, long hi, long def, long *out,
                            ls_error *err) {
  const json_t *v = json_object_get(obj, key);
  char f[256];
  field(f, sizeof f, where, key);
  if (!v) {
    *out = def;
    return LS_OK;
  }
  if (json_is_integer(v)) { /* exact for every 64-bit value (seeds above 2^53) */
    json_int_t i = json_integer_value(v);
    if (i < lo || i > hi)
      return ls_error_set(err, LS_ERR_INPUT, "%s: %s: %lld out of range %ld..%ld", cfg_file(cfg), f,
                          (long long)i, lo, hi);
    *out = (long)i;
    return LS_OK;
  }
  double d = json_is_real(v) ? json_real_value(v) : NAN;
  if (!json_is_real(v) || d != floor(d))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected an integer", cfg_file(cfg), f);
  if (d < (double)lo || d > (double)hi || fabs(d) >= 0x1p63)
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: %.0f out of range %ld..%ld", cfg_file(cfg), f,
                        d, lo, hi);
  *out = (long)d;
  return LS_OK;
}

ls_status ls_config_get_double(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *key, double def, double *out, ls_error *err) {
  const json_t *v = json_object_get(obj, key);
  char f[256];
  field(f, sizeof f, where, key);
  if (!v) {
    *out = def;
    return LS_OK;
  }
  if (!json_is_number(v) || !isfinite(json_number_value(v)))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected a finite number", cfg_file(cfg), f);
  *out = json_number_value(v);
  return LS_OK;
}

ls_status ls_config_get_string(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *key, const char *def, const char **out,
                               ls_error *err) {
  const json_t *v = json_object_get(obj, key);
  char f[256];
  field(f, sizeof f, where, key);
  if (!v) {
    *out = def;
    return LS_OK;
  }
  if (!json_is_string(v))
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s: expected a string", cfg_file(cfg), f);
  *out = json_string_value(v);
  return LS_OK;
}
