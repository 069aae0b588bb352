/* Error recording shared by all modules (see include/landsym/status.h). */
#include "landsym/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

ls_status ls_error_set(ls_error *err, ls_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return code;
}

ls_status ls_error_prefix(ls_error *err, const char *fmt, ...) {
  if (!err) return LS_OK;
  char head[512], old[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  snprintf(err->msg, sizeof err->msg, "%.400s: %.600s", head, old);
  return err->code;
}

int ls_status_exit_code(ls_status s) {
  if (s == LS_OK) return 0;
  return s == LS_ERR_INPUT ? 2 : 1;
}
