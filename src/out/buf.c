/* Growable text buffers (landsym/out.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/out.h"

/* Room for n more bytes plus the terminating NUL; 0, or -1 after marking oom. */
static int reserve(ls_buf *b, size_t n) {
  if (b->oom) return -1;
  if (b->s && b->len + n < b->cap) return 0;
  size_t cap = (b->cap + n + 1) * 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = 1;
    return -1;
  }
  b->s = s, b->cap = cap;
  return 0;
}

void ls_buf_printf(ls_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if (reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void ls_buf_append(ls_buf *b, const char *s, size_t len) {
  if (reserve(b, len)) return;
  memcpy(b->s + b->len, s, len);
  b->len += len;
  b->s[b->len] = '\0';
}

ls_status ls_buf_status(const ls_buf *b, ls_error *err) {
  return b->oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory building a text") : LS_OK;
}

ls_status ls_buf_save(const ls_buf *b, const char *path, ls_error *err) {
  ls_status st = ls_buf_status(b, err);
  return st ? st : ls_file_write_atomic(path, b->len ? b->s : "", b->len, err);
}

void ls_buf_free(ls_buf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}
