/* CSV tables with text and number cells (landsym/out.h); RFC 4180 quoting. */
#include <math.h>
#include <string.h>

#include "landsym/out.h"

static void sep(ls_csv *t) {
  if (t->col++) ls_buf_append(&t->b, ",", 1);
}

void ls_csv_str(ls_csv *t, const char *s) {
  sep(t);
  if (!strpbrk(s, ",\"\r\n")) {
    ls_buf_append(&t->b, s, strlen(s));
    return;
  }
  ls_buf_append(&t->b, "\"", 1);
  for (const char *c = s; *c; c++) { /* a quote inside a quoted cell is doubled */
    if (*c == '"') ls_buf_append(&t->b, "\"\"", 2);
    else ls_buf_append(&t->b, c, 1);
  }
  ls_buf_append(&t->b, "\"", 1);
}

void ls_csv_num(ls_csv *t, double x) {
  sep(t);
  if (isnan(x)) ls_buf_append(&t->b, "nan", 3);
  else if (isinf(x)) ls_buf_printf(&t->b, "%s", x > 0 ? "inf" : "-inf");
  else ls_buf_printf(&t->b, "%.17g", x);
}

void ls_csv_int(ls_csv *t, long long x) {
  sep(t);
  ls_buf_printf(&t->b, "%lld", x);
}

void ls_csv_end(ls_csv *t) {
  ls_buf_append(&t->b, "\n", 1);
  t->col = 0;
}

void ls_csv_header(ls_csv *t, const char *names) {
  ls_buf_printf(&t->b, "%s\n", names);
  t->col = 0;
}

ls_status ls_csv_save(ls_csv *t, const char *path, ls_error *err) {
  return ls_buf_save(&t->b, path, err);
}

void ls_csv_free(ls_csv *t) {
  ls_buf_free(&t->b);
  t->col = 0;
}
