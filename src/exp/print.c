/* One-line JSON on a stream (landsym/exp_print.h). */
#include <jansson.h>

#include "landsym/exp_print.h"

ls_status ls_exp_json_line(const json_t *value, FILE *fp, ls_error *err) {
  if (!value || json_dumpf(value, fp, JSON_REAL_PRECISION(17) | JSON_INDENT(0)) != 0 ||
      fputc('\n', fp) == EOF)
    return ls_error_set(err, LS_ERR_IO, "cannot write JSON output");
  return LS_OK;
}

ls_status ls_exp_json_lines(const json_t *array, FILE *fp, ls_error *err) {
  ls_status st = LS_OK;
  for (size_t i = 0; i < json_array_size(array) && !st; i++)
    st = ls_exp_json_line(json_array_get(array, i), fp, err);
  return st;
}
