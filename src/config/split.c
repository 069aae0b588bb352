/* The config's "split" section (landsym/config_split.h). */
#include <string.h>

#include <jansson.h>

#include "landsym/config_split.h"

ls_config_split ls_config_split_default(void) {
  ls_config_split s = {0, 3000, 0};
  return s;
}

ls_status ls_config_split_read(const ls_config *cfg, ls_config_split *out, ls_error *err) {
  static const char *const keys[] = {"spectrum", "dense_max", "lanczos_k", NULL};
  static const char *const kinds[] = {"auto", "dense", "lanczos"};
  *out = ls_config_split_default();
  json_t *sec = ls_config_section(cfg, "split"), *v;
  if (!sec) return LS_OK;
  ls_status st = ls_config_check_keys(cfg, sec, "split", keys, err);
  if (st) return st;
  if ((v = json_object_get(sec, "spectrum"))) {
    const char *t = json_is_string(v) ? json_string_value(v) : "";
    out->spectrum = -1;
    for (int i = 0; i < 3; i++)
      if (!strcmp(t, kinds[i])) out->spectrum = i;
    if (out->spectrum < 0)
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: split.spectrum must be \"auto\", \"dense\" or \"lanczos\"", cfg->path);
  }
  st = ls_config_get_int(cfg, sec, "split", "dense_max", 1, 1L << 40, 3000, &out->dense_max, err);
  if (!st) st = ls_config_get_int(cfg, sec, "split", "lanczos_k", 1, 100000, 0, &out->lanczos_k, err);
  return st;
}
