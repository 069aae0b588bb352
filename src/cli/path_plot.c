/* gnuplot helper shared by `landsym path` and `landsym saddle`. */
#include "cli/path_plot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landsym/io.h"

void path_buf_printf(path_buf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->oom = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap + (size_t)n + 1) * 2;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->oom = 1;
      return;
    }
    b->s = s, b->cap = cap;
  }
}

void path_buf_free(path_buf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

char *path_join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

ls_status path_mkdir(const char *dir, ls_error *err) {
  struct stat sb;
  if (stat(dir, &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) return LS_OK;
    return ls_error_set(err, LS_ERR_INPUT, "--out %s exists and is not a directory", dir);
  }
  if (mkdir(dir, 0777) != 0)
    return ls_error_set(err, LS_ERR_IO, "cannot create directory %s: %s", dir, strerror(errno));
  return LS_OK;
}

ls_status path_plot(const char *dir, const char *base, const char *dat, size_t len,
                    const char *body, ls_error *err) {
  char name[512];
  snprintf(name, sizeof name, "%s.dat", base);
  char *datp = path_join(dir, name);
  snprintf(name, sizeof name, "%s.gp", base);
  char *gpp = path_join(dir, name);
  path_buf gp = {0};
  ls_status st = LS_OK;
  if (!datp || !gpp) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = ls_file_write_atomic(datp, dat, len, err);
  if (!st) {
    path_buf_printf(&gp,
                    "# Run: gnuplot %s.gp   (set outbase to change the output names)\n"
                    "if (!exists(\"outbase\")) outbase = \"%s\"\n"
                    "set terminal pngcairo size 1000,600\n"
                    "set output outbase.\".png\"\n"
                    "%s\n"
                    "set terminal svg size 1000,600\n"
                    "set output outbase.\".svg\"\n"
                    "replot\n",
                    base, base, body);
    if (gp.oom) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    else st = ls_file_write_atomic(gpp, gp.s, gp.len, err);
  }
  if (!st) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && gnuplot -e 'outbase=\".%s.tmp\"' %s.gp >/dev/null 2>&1 && "
             "mv .%s.tmp.png %s.png && mv .%s.tmp.svg %s.svg",
             dir, base, base, base, base, base, base);
    if (system(cmd) != 0) {
      snprintf(cmd, sizeof cmd, "cd '%s' && rm -f .%s.tmp.png .%s.tmp.svg", dir, base, base);
      if (system(cmd)) {
      }
      st = ls_error_set(err, LS_ERR_COMPUTE, "gnuplot failed to draw %s (is gnuplot installed?)",
                        gpp);
    }
  }
  path_buf_free(&gp);
  free(datp), free(gpp);
  return st;
}
