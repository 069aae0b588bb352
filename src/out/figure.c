/* Figures: data + gnuplot script kept beside PNG and SVG (landsym/out.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/out.h"

int ls_figure_available(void) {
  return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/* The script: png, the body, then svg by replot (or the body again for multiplots). */
static void script(ls_buf *gp, const ls_figure *fig, const char *body) {
  int w = fig->width > 0 ? fig->width : 1000, h = fig->height > 0 ? fig->height : 600;
  if (fig->title) ls_buf_printf(gp, "# %s\n", fig->title);
  ls_buf_printf(gp,
                "# Run: gnuplot %s.gp   (set outbase to change the output names)\n"
                "if (!exists(\"outbase\")) outbase = \"%s\"\n"
                "set terminal pngcairo size %d,%d\n"
                "set output outbase.\".png\"\n"
                "%s\n"
                "set terminal svg size %d,%d\n"
                "set output outbase.\".svg\"\n",
                fig->name, fig->name, w, h, body, w, h);
  if (fig->multiplot) ls_buf_printf(gp, "%s\n", body);
  else ls_buf_printf(gp, "replot\n");
}

/* gnuplot draws to hidden temporary names in dir; both are renamed only on success. */
static ls_status render(const ls_figure *fig, const char *gpp, ls_error *err) {
  size_t n = strlen(fig->dir) * 2 + strlen(fig->name) * 8 + 256;
  char *cmd = malloc(n);
  if (!cmd) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  const char *d = fig->dir, *b = fig->name;
  snprintf(cmd, n,
           "cd '%s' && gnuplot -e 'outbase=\".%s.tmp\"' '%s.gp' >/dev/null 2>&1 && "
           "mv '.%s.tmp.png' '%s.png' && mv '.%s.tmp.svg' '%s.svg'",
           d, b, b, b, b, b, b);
  int rc = system(cmd);
  if (rc != 0) {
    snprintf(cmd, n, "cd '%s' && rm -f '.%s.tmp.png' '.%s.tmp.svg'", d, b, b);
    if (system(cmd) != 0) { /* nothing left to clean up */
    }
  }
  free(cmd);
  if (rc == 0) return LS_OK;
  return ls_error_set(err, LS_ERR_COMPUTE, "gnuplot failed to draw %s (is gnuplot installed?)",
                      gpp);
}

/* "dir/name.ext" in a new string. */
static char *file_path(const ls_figure *fig, const char *ext) {
  ls_buf b = {0};
  ls_buf_printf(&b, "%s.%s", fig->name, ext);
  char *p = b.oom ? NULL : ls_path_join(fig->dir, b.s);
  ls_buf_free(&b);
  return p;
}

ls_status ls_figure_save(const ls_figure *fig, const char *data, size_t data_len,
                         const char *body, ls_error *err) {
  if (strchr(fig->dir, '\'') || strchr(fig->name, '\'') || strchr(fig->name, '/'))
    return ls_error_set(err, LS_ERR_INPUT, "figure %s/%s: quote or slash in the name",
                        fig->dir, fig->name);
  ls_status st = ls_mkdir_p(fig->dir, err);
  char *datp = file_path(fig, "dat"), *gpp = file_path(fig, "gp");
  ls_buf gp = {0};
  if (!st && (!datp || !gpp)) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st && data) st = ls_file_write_atomic(datp, data, data_len, err);
  if (!st) {
    script(&gp, fig, body);
    st = ls_buf_save(&gp, gpp, err);
  }
  if (!st) st = render(fig, gpp, err);
  free(datp), free(gpp);
  ls_buf_free(&gp);
  return st;
}
