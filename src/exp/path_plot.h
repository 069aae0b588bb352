/* gnuplot figures, text buffers and output folders shared by the experiments of the
 * permutation paths, saddles and channels and by the reproduce targets built on them
 * (fig2, fig3, fig6.9, simsek-fig2). A thin layer over the results writer
 * (landsym/out.h): the names stay those the experiments have always used. */
#ifndef LANDSYM_EXP_PATH_PLOT_H
#define LANDSYM_EXP_PATH_PLOT_H

#include <stddef.h>

#include "landsym/out.h"
#include "landsym/status.h"

/* Write DIR/BASE.dat (dat, len bytes) and DIR/BASE.gp (a header choosing the terminal
 * and output names, then body, which plots "BASE.dat"), and run gnuplot to draw
 * DIR/BASE.png and DIR/BASE.svg (ls_figure_save, 1000 x 600). */
ls_status path_plot(const char *dir, const char *base, const char *dat, size_t len,
                    const char *body, ls_error *err);

/* Growing text buffer for .dat files: the results writer's ls_buf. */
typedef ls_buf path_buf;
#define path_buf_printf ls_buf_printf
static inline void path_buf_free(path_buf *b) { ls_buf_free(b); }

/* malloc'd "dir/name" (ls_path_join). */
static inline char *path_join(const char *dir, const char *name) { return ls_path_join(dir, name); }
/* One output folder: created when missing, an existing directory is fine, an existing
 * other file is a bad input ("--out DIR exists and is not a directory"). */
ls_status path_mkdir(const char *dir, ls_error *err);
/* DIR/NAME holding json_dumps(j, flags) atomically, without a final newline: the summary
 * files of `landsym path`, `saddle` and `channel` as they have always been written. */
struct json_t;
ls_status path_json_write(const char *dir, const char *name, const struct json_t *j,
                          size_t flags, ls_error *err);

#endif
