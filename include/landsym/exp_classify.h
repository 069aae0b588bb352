/* landsym: classifying a whole sweep directory (what `landsym classify DIR` runs).
 *
 * Every run DIR/runs/w<W>_s<S> of a sweep (landsym/sweep.h) is classified by
 * ls_classify_point (landsym/classify.h: global minimum, symmetry-induced critical point,
 * local minimum, saddle, channel to infinity, no certificate; thesis, Stoican 2022,
 * section 6.2, table 6.1), over OpenMP threads, one run per thread. The results give the
 * table 6.1 layout (ls_classify_print_table), the tables summary.csv, runs.csv and
 * groups.csv, the pruned networks pruned/w<W>_s<S>.{npy,json} and the figures
 * (docs/classify.md), all under an output folder (DIR/classify by default). */
#ifndef LANDSYM_EXP_CLASSIFY_H
#define LANDSYM_EXP_CLASSIFY_H

#include <stdio.h>

#include "landsym/classify.h"
#include "landsym/status.h"
#include "landsym/sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *dir;     /* sweep directory */
  const char *out;     /* output directory (created), usually DIR/classify */
  ls_classify_opts copts;
  int threads;         /* <= 0: all */
  int prune;           /* write pruned networks */
  int figures;         /* draw figures with gnuplot */
  int quiet;           /* no progress on stderr */
} ls_classify_dir_opts;

/* Defaults: ls_classify_opts_default, all threads, prune and figures on; dir and out
 * NULL (to be set). */
void ls_classify_dir_opts_default(ls_classify_dir_opts *o);

/* One classified run. */
typedef struct {
  int width;
  long seed;
  char stop[LS_SWEEP_STOP_LEN];
  int failed;       /* training failed (record stop "failed") or the point could not be
                       evaluated: class "failed", res holds no classification */
  char reason[200]; /* why, for failed runs */
  ls_classify_result res;
} ls_classified_run;

typedef struct {
  int n_widths, widths[LS_SWEEP_MAX_WIDTHS];
  long n_runs;
  ls_classified_run *runs;  /* width-major, then seed */
  int has_teacher;
  long n_residuals;         /* samples x outputs of the data */
  double prune_worst;       /* max prune_max_diff over runs */
  double prune_raw_worst;   /* max prune_raw_diff over runs (against the unpolished runs) */
  long n_polished;          /* runs polished onto the expansion manifold before pruning */
} ls_classified_sweep;

/* Read the manifest and config of o->dir, classify every run, write the pruned networks
 * (o->prune). Creates o->out. */
ls_status ls_classify_dir(const ls_classify_dir_opts *o, ls_classified_sweep *out,
                          ls_error *err);
void ls_classified_sweep_free(ls_classified_sweep *s); /* accepts a zeroed struct */

/* Per width: runs in each class and the finer counts of the table. */
typedef struct {
  long n[LS_CLASS_COUNT], total;
  long matched;        /* global minima whose reduced network is the teacher */
  long saddle_si;      /* saddles that are symmetry-induced */
  long approaching, approaching_nc, near_saddle, near_saddle_nc;
  long failed;         /* training failed or the point could not be evaluated */
  long channel_min, channel_rejected; /* minima at infinity; channel groups not certified */
  long escape;         /* unexplained runs the escape checks descend from */
  long continued;      /* runs whose class is their continued point's (classify.h) */
  long cert[LS_CLASS_COUNT]; /* runs of each class with a certificate other than "none" */
} ls_class_counts;
ls_class_counts ls_classify_count_width(const ls_classified_sweep *s, int width);

/* Table 6.1 layout, one block per width, then the certificate time and pruning error. */
void ls_classify_print_table(FILE *f, const ls_classified_sweep *s);
/* summary.csv, runs.csv, groups.csv under o->out (atomically). */
ls_status ls_classify_write_tables(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                                   ls_error *err);
/* Figures under o->out (landsym/out.h: .dat and .gp kept beside .png and .svg): loss
 * curves (when the sweep kept trajectories), neuron groups, smallest eigenvalue against
 * loss, smallest neuron distance, runs by certificate. */
ls_status ls_classify_write_figures(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                                    ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
