/* gnuplot figures for `landsym path` and `landsym saddle`: the .dat and .gp are kept
 * beside the PNG and SVG; every file is written atomically. */
#ifndef LANDSYM_CLI_PATH_PLOT_H
#define LANDSYM_CLI_PATH_PLOT_H

#include <stddef.h>

#include "landsym/status.h"

/* Write DIR/BASE.dat (dat, len bytes) and DIR/BASE.gp (a header choosing the terminal
 * and output names, then body, which plots "BASE.dat"), and run gnuplot to draw
 * DIR/BASE.png and DIR/BASE.svg. */
ls_status path_plot(const char *dir, const char *base, const char *dat, size_t len,
                    const char *body, ls_error *err);

/* Growing text buffer for .dat files. */
typedef struct {
  char *s;
  size_t len, cap;
  int oom;
} path_buf;
void path_buf_printf(path_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void path_buf_free(path_buf *b);

/* malloc'd "dir/name". */
char *path_join(const char *dir, const char *name);
/* mkdir -p for one level (existing directory is fine). */
ls_status path_mkdir(const char *dir, ls_error *err);

#endif
