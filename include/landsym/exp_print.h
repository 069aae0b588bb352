/* landsym: the reports of the commands on a stream (src/exp/report.c): each
 * ls_exp_<cmd>_print writes what `landsym <cmd>` shows on stdout, the text table or lines,
 * or with json the result's summary object. Below, JSON results on a stream as one line (jansson, ", " and ": " separators, 17
 * significant digits, then a newline): the --json output of `landsym connect` and
 * `landsym expand` and the line-per-record output of `landsym invariance` and
 * `landsym locus`, which scripts read line by line. Multi-line JSON goes through
 * ls_json_print (landsym/out.h). */
#ifndef LANDSYM_EXP_PRINT_H
#define LANDSYM_EXP_PRINT_H

#include <stdio.h>

#include "landsym/exp_channel.h"
#include "landsym/exp_connect.h"
#include "landsym/exp_expand.h"
#include "landsym/exp_invariance.h"
#include "landsym/exp_locus.h"
#include "landsym/exp_path.h"
#include "landsym/exp_saddle.h"
#include "landsym/exp_split.h"
#include "landsym/exp_train.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

/* Print value on one line and a newline. Does not steal the reference. */
ls_status ls_exp_json_line(const struct json_t *value, FILE *fp, ls_error *err);
/* Each element of a JSON array on its own line (records, in order). */
ls_status ls_exp_json_lines(const struct json_t *array, FILE *fp, ls_error *err);

/* With json: the summary object (path, saddle, channel: indented as the summary files;
 * connect, expand, invariance: one line). Without: the text report. */
ls_status ls_exp_path_print(FILE *f, const ls_exp_path_result *r, const char *out_dir, int json,
                            ls_error *err);
ls_status ls_exp_saddle_print(FILE *f, const ls_exp_saddle_result *r, int json, ls_error *err);
ls_status ls_exp_channel_print(FILE *f, const ls_exp_channel_result *r, const char *out_dir,
                               int json, ls_error *err);
ls_status ls_exp_connect_print(FILE *f, const ls_exp_connect_result *r, int plot, int json,
                               ls_error *err);
ls_status ls_exp_expand_print(FILE *f, const ls_exp_expand_result *r, long seed, int json,
                              ls_error *err);
ls_status ls_exp_invariance_print(FILE *f, const ls_sym_invariance_opts *o,
                                  const ls_exp_invariance_result *r, int json, ls_error *err);
/* train: the run's result.json (ls_exp_train_json) on f; on log the figure warning and the
 * line "landsym train: STOP after T s: loss L, gradient G". Returns the exit code: 1 when
 * training ended in NaN or failed, else 0. */
int ls_exp_train_print(FILE *f, FILE *log, const ls_config *cfg, const ls_train_run *run,
                       int plot);
/* A progress callback (ls_progress_fn) for a terminal: rewrites one line on the FILE *user
 * (phase, iteration, loss, gradient, best loss, time). */
int ls_exp_train_progress_line(const ls_train_progress *p, void *user);
/* locus: the records one per line, then the summary line (certify) or the theorems' counts
 * (wide: n seeds; attract: n flows from N(0, scale^2) to t = tmax). */
ls_status ls_exp_locus_print(FILE *f, const ls_exp_locus_result *r, ls_error *err);
ls_status ls_exp_locus_wide_print(FILE *f, const ls_exp_locus_wide_result *r, long n,
                                  ls_error *err);
ls_status ls_exp_locus_attract_print(FILE *f, const ls_exp_locus_attract_result *r, long n,
                                     double scale, double tmax, ls_error *err);
/* split: the summary (ls_exp_split_summary) on f; on log the warnings of the sweep (not at
 * a critical point, incomplete inertias for a Lanczos window of lanczos_k, the figure
 * message fig when fig->code is set, the spectrum methods, the mismatches). */
ls_status ls_exp_split_print(FILE *f, FILE *log, const ls_exp_split_result *r, int lanczos_k,
                             const ls_error *fig, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
