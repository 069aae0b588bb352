/* JSON through jansson (landsym/out.h). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/out.h"

/* 17 significant digits: every double reads back bit-exactly. */
#define LS_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(17))

json_t *ls_json_num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

ls_status ls_json_save(const json_t *value, const char *path, ls_error *err) {
  char *text = value ? json_dumps(value, LS_JSON_FLAGS) : NULL;
  if (!text) return ls_error_set(err, LS_ERR_NOMEM, "%s: cannot encode JSON", path);
  size_t n = strlen(text);
  text[n] = '\0';
  ls_buf b = {0};
  ls_buf_append(&b, text, n);
  ls_buf_append(&b, "\n", 1);
  free(text);
  ls_status st = ls_buf_save(&b, path, err);
  ls_buf_free(&b);
  return st;
}

ls_status ls_json_print(const json_t *value, FILE *fp, ls_error *err) {
  if (!value || json_dumpf(value, fp, LS_JSON_FLAGS) != 0 || fputc('\n', fp) == EOF)
    return ls_error_set(err, LS_ERR_IO, "cannot write JSON output");
  return LS_OK;
}
