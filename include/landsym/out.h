/* landsym: the results writer. Every command, every reproduce target and every library
 * experiment writes its results through this module:
 *   - output folders (ls_mkdir_p, like `mkdir -p`; an existing file of that name is a bad
 *     input), and paths joined in one place (ls_path_join);
 *   - atomic files (temp file "<path>.tmp.XXXXXX" in the same folder, fsync, rename; a
 *     failed run never leaves a partial file; the mode follows the umask);
 *   - growable text buffers (ls_buf) for tables and scripts built piece by piece;
 *   - CSV tables with mixed text and number cells (ls_csv), numbers with 17 significant
 *     digits so that they read back bit-exactly;
 *   - JSON only through jansson (ls_json_save; ls_json_num maps NaN and infinities to
 *     null, since JSON has no literal for them);
 *   - figures: the data file NAME.dat and the gnuplot script NAME.gp are kept beside
 *     NAME.png and NAME.svg, so a user can restyle the figure and re-run `gnuplot NAME.gp`.
 * Nothing here knows about networks: this module sits on the lowest floor beside core. */
#ifndef LANDSYM_OUT_H
#define LANDSYM_OUT_H

#include <stddef.h>
#include <stdio.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t; /* jansson's value type (jansson.h), kept out of this header */

/* ---- folders and paths --------------------------------------------------------------- */

/* Create dir and its missing parents (mode 0777 & ~umask). An existing directory is fine;
 * an existing non-directory anywhere on the way is LS_ERR_INPUT naming it. */
ls_status ls_mkdir_p(const char *dir, ls_error *err);
/* "dir/name" in a new string (free()); NULL when out of memory. dir NULL or "" gives name. */
char *ls_path_join(const char *dir, const char *name);

/* ---- atomic files --------------------------------------------------------------------- */

/* A file being written: data go to "<path>.tmp.XXXXXX" in the same directory, and
 * commit renames it onto path; abort (or a failed commit) removes it. */
typedef struct {
  FILE *fp;
  char *path;
  char *tmp;
} ls_atomic_file;

ls_status ls_atomic_open(ls_atomic_file *f, const char *path, ls_error *err);
/* Flush, close and rename; on failure the temp file is removed. Frees f's strings. */
ls_status ls_atomic_commit(ls_atomic_file *f, ls_error *err);
/* Close and remove the temp file; accepts a zeroed or already committed struct. */
void ls_atomic_abort(ls_atomic_file *f);
/* Write len bytes to path atomically. */
ls_status ls_file_write_atomic(const char *path, const void *buf, size_t len, ls_error *err);

/* ---- text buffers --------------------------------------------------------------------- */

/* A growable string; zero-initialise it ({0}). After an allocation failure it stops
 * growing and remembers the failure, so a caller can build a whole text and check once
 * (ls_buf_status) instead of after every append. s is NUL-terminated when len > 0. */
typedef struct {
  char *s;
  size_t len, cap;
  int oom;
} ls_buf;

void ls_buf_printf(ls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ls_buf_append(ls_buf *b, const char *s, size_t len);
/* LS_OK, or LS_ERR_NOMEM when an append failed. */
ls_status ls_buf_status(const ls_buf *b, ls_error *err);
/* Write the buffer to path atomically (after checking ls_buf_status). */
ls_status ls_buf_save(const ls_buf *b, const char *path, ls_error *err);
void ls_buf_free(ls_buf *b);

/* ---- CSV tables ----------------------------------------------------------------------- */

/* Cells are appended left to right; ls_csv_end ends the row. Text cells are quoted when
 * they hold a comma, a quote or a line break (RFC 4180); numbers are written with %.17g,
 * non-finite numbers as nan, inf, -inf (what numpy and pandas read back). */
typedef struct {
  ls_buf b;
  int col; /* cells in the current row so far */
} ls_csv;

void ls_csv_str(ls_csv *t, const char *s);
void ls_csv_num(ls_csv *t, double x);
void ls_csv_int(ls_csv *t, long long x);
void ls_csv_end(ls_csv *t);
/* A whole header row from a comma-separated list of names ("seed,loss,class"). */
void ls_csv_header(ls_csv *t, const char *names);
ls_status ls_csv_save(ls_csv *t, const char *path, ls_error *err);
void ls_csv_free(ls_csv *t);

/* ---- JSON (jansson) ------------------------------------------------------------------- */

/* A JSON number for x, or JSON null when x is NaN or infinite (new reference). */
struct json_t *ls_json_num(double x);
/* Write value to path atomically: indented 2, keys in insertion order, doubles with 17
 * significant digits, a final newline. Does not steal the reference. */
ls_status ls_json_save(const struct json_t *value, const char *path, ls_error *err);
/* The same text on a stream (standard output for --json). */
ls_status ls_json_print(const struct json_t *value, FILE *fp, ls_error *err);

/* ---- figures (gnuplot) ---------------------------------------------------------------- */

/* A figure in folder dir under base name NAME: data (may be NULL when the script reads
 * other files) is written to NAME.dat, and the script to NAME.gp as
 *     if (!exists("outbase")) outbase = "NAME"
 *     set terminal pngcairo size W,H ; set output outbase.".png" ; BODY
 *     set terminal svg size W,H ; set output outbase.".svg" ; replot
 * (replot redraws a single plot; a body that uses multiplot sets replot = 0 and the body
 * is repeated for the SVG instead). gnuplot then renders to temporary names that are
 * renamed onto NAME.png and NAME.svg only when both succeeded, so a failed run never
 * leaves a half-drawn figure. */
typedef struct {
  const char *dir;   /* output folder (created if missing) */
  const char *name;  /* base name, no extension */
  const char *title; /* first comment line of the script; may be NULL */
  int width, height; /* pixels; 0 gives 1000 x 600 */
  int multiplot;     /* the body draws several plots: repeat it for the SVG */
} ls_figure;

/* Write NAME.dat (when data != NULL) and NAME.gp, then render. Data and script are kept
 * even when gnuplot fails; the status is then LS_ERR_COMPUTE with a message naming the
 * script (callers that treat figures as optional may print it as a warning). */
ls_status ls_figure_save(const ls_figure *fig, const char *data, size_t data_len,
                         const char *body, ls_error *err);
/* 1 when a gnuplot executable is on PATH. */
int ls_figure_available(void);

#ifdef __cplusplus
}
#endif
#endif
