/* `landsym classify DIR`: classify every run of a sweep directory, write the tables,
 * pruned networks and figures. */
#ifndef LANDSYM_CLI_CLASSIFY_SWEEP_H
#define LANDSYM_CLI_CLASSIFY_SWEEP_H

#include <stdio.h>

#include "landsym/classify.h"
#include "landsym/sweep.h"

typedef struct {
  const char *dir;     /* sweep directory */
  const char *out;     /* output directory (DIR/classify) */
  ls_classify_opts copts;
  int threads;         /* <= 0: all */
  int prune;           /* write pruned networks */
  int figures;         /* draw figures with gnuplot */
  int quiet;
} cli_classify_opts;

/* One classified run. */
typedef struct {
  int width;
  long seed;
  char stop[LS_SWEEP_STOP_LEN];
  int failed;       /* training failed (record stop "failed") or the point could not be
                       evaluated: class "failed", res holds no classification */
  char reason[200]; /* why, for failed runs */
  ls_classify_result res;
} cli_classified_run;

typedef struct {
  int n_widths, widths[LS_SWEEP_MAX_WIDTHS];
  long n_runs;
  cli_classified_run *runs; /* width-major, then seed */
  int has_teacher;
  long n_residuals;         /* samples x outputs of the data */
  double prune_worst;       /* max prune_max_diff over runs */
  double prune_raw_worst;   /* max prune_raw_diff over runs (against the unpolished runs) */
  long n_polished;          /* runs polished onto the expansion manifold before pruning */
} cli_classified_sweep;

ls_status cli_classify_sweep(const cli_classify_opts *o, cli_classified_sweep *out,
                             ls_error *err);
void cli_classified_sweep_free(cli_classified_sweep *s);

/* Table 6.1 layout, one block per width. */
void cli_classify_print_table(FILE *f, const cli_classified_sweep *s);
/* "L1:0+3- L1:1+2+": the channel groups of a run, units (0-based) with their signs. */
void cli_channel_groups_string(const ls_channel_report *c, char *buf, size_t len);
/* summary.csv, runs.csv, groups.csv under o->out. */
ls_status cli_classify_write_tables(const cli_classify_opts *o, const cli_classified_sweep *s,
                                    ls_error *err);
/* Figures (gnuplot PNG + SVG, .dat and .gp kept) under o->out. */
ls_status cli_classify_write_figures(const cli_classify_opts *o, const cli_classified_sweep *s,
                                     ls_error *err);

#endif
