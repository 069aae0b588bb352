/* landsym: Brea et al. 2019 figure 3 (section 3) as a library call: permutation paths of
 * MNIST teachers with two hidden layers of H units, student initialised at the teacher,
 * two units of high cosine similarity in the second hidden layer merged along a log-spaced
 * distance schedule (Algorithm 1, ls_path_build), every other parameter re-optimised on
 * the regression loss between teacher and student outputs before the softmax. Along the
 * path: Brea's normalised MSE
 *     L = (1/T) sum_mu ||y_mu - f(x_mu; theta)||^2 / <y^2>
 * (<y^2> the mean of y_mu^2 over patterns and outputs) and the training accuracy; the
 * barrier is the largest L along the path (docs/mnist.md). */
#ifndef LANDSYM_EXP_FIG3_H
#define LANDSYM_EXP_FIG3_H

#include <stddef.h>
#include <stdio.h>

#include "landsym/config.h"
#include "landsym/exp_reproduce.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LS_EXP_FIG3_MAX_H 16

/* The experiment's settings: the config's "reproduce" section (defaults in brackets). */
typedef struct {
  int hidden[LS_EXP_FIG3_MAX_H]; /* hidden widths H [10, 15, 20, 25] */
  int n_hidden;
  int seeds;              /* teachers per H [6] */
  int layer;              /* hidden layer whose units are merged [2] */
  int steps;              /* distances on the schedule [100] */
  double dmin;            /* last distance relative to the first [1e-4] */
  int maxeval;            /* LBFGS evaluations per distance [300] */
  int train_iters;        /* Adam steps for each teacher [1500] */
  double train_lr;        /* Adam learning rate [3e-3] */
  int train_polish;       /* LBFGS iterations after Adam (NLopt gets 100x as many
                             evaluations; 0 = none) [0] */
  int merged_maxeval;     /* LBFGS evaluations for the merged (narrower) network that
                             checks the end of the path; 0 = skip [3000] */
  FILE *log;              /* progress (teacher trained, each path step) or NULL; set by the
                             caller, not read from the config */
} ls_exp_fig3_opts;

/* One teacher and its path. */
typedef struct {
  int H, seed, l, m;      /* hidden width, seed, merged pair (0-based units of `layer`) */
  double cosine, d0;      /* cosine similarity and distance of the pair at the teacher */
  double teacher_nll, teacher_acc; /* teacher's training NLL and accuracy */
  double y2;              /* <y^2>: mean squared teacher output over patterns and outputs */
  size_t P;               /* parameters of the teacher */
  int n;                  /* points on the path (start included) */
  double *d, *nmse, *acc; /* [n] distance, normalised MSE, training accuracy */
  double barrier;         /* max normalised MSE along the path minus its start value */
  int argmax, max_at_end;
  double nmse_end, acc_end, acc_min;
  double merged_nmse;     /* the pair merged at the end, narrower network re-optimised */
  size_t evals;
  double train_s, path_s, merged_s; /* wall seconds */
} ls_exp_fig3_run;

void ls_exp_fig3_run_free(ls_exp_fig3_run *r); /* accepts a zeroed struct */

/* Read and check the "reproduce" section of cfg (LS_ERR_INPUT naming the field). */
ls_status ls_exp_fig3_opts_read(const ls_config *cfg, ls_exp_fig3_opts *o, ls_error *err);

/* Train the teacher of width H from seed (softmax NLL on cfg's data) and build its path;
 * theta_out (optional, malloc'd) receives the teacher's parameters. */
ls_status ls_exp_fig3_run_one(const ls_config *cfg, const ls_exp_fig3_opts *o, int H, int seed, ls_exp_fig3_run *r,
                       double **theta_out, ls_error *err);

/* Barrier statistics of the runs of one width. */
typedef struct {
  int H, n;
  double mean, sd, min, median, max, acc_drop_mean, teacher_acc_mean;
  double end_mean, end_sd, merged_mean; /* loss at the end of the path, merged reference */
} ls_exp_fig3_stats;

/* The headline numbers: statistics per H, whether the mean barrier and the mean loss at
 * the end of the path fall with H, Spearman's rank correlation of H and barrier. */
typedef struct {
  ls_exp_fig3_stats per_H[LS_EXP_FIG3_MAX_H];
  int n_hidden;
  int barrier_decreasing, end_decreasing;
  double spearman;
  double seconds;
} ls_exp_fig3_summary;

void ls_exp_fig3_summarise(const ls_exp_fig3_opts *o, const ls_exp_fig3_run *runs, int nruns,
                           ls_exp_fig3_summary *sum);
/* summary.csv, summary.json, paths/path_H*_s*.csv and (plot) the three figures in dir;
 * fills sum. */
ls_status ls_exp_fig3_write(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                            const ls_exp_fig3_run *runs, int nruns, double seconds, int plot,
                            ls_exp_fig3_summary *sum, ls_error *err);
/* The table of the summary (one row per H). */
void ls_exp_fig3_print(FILE *out, const ls_exp_fig3_opts *o, const ls_exp_fig3_summary *sum);

/* One finished teacher as DIR/runs/H<H>_s<seed>.json (every field at full precision, and
 * the data and settings it ran with). record_read sets *found = 0 and returns LS_OK where
 * there is no record; LS_ERR_INPUT (naming the file) where it is malformed or was run with
 * other data or settings (any but the widths and the number of seeds). */
ls_status ls_exp_fig3_record_write(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                                   const ls_exp_fig3_run *r, ls_error *err);
ls_status ls_exp_fig3_record_read(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                                  int H, int seed, ls_exp_fig3_run *r, int *found, ls_error *err);

/* The whole target: everything the run returns. */
typedef struct {
  ls_exp_fig3_opts opts;    /* the config's reproduce section, seeds overridden */
  ls_exp_fig3_run *runs;    /* nruns = n_hidden * seeds, H-major, seeds 1.. */
  int nruns;
  ls_exp_fig3_summary summary;
} ls_exp_fig3_result;

/* Load ro->config, train every teacher, build its path, write out_dir (teachers/ with the
 * teachers' parameters, runs/ with a record of each finished teacher, paths/, summary.csv,
 * summary.json, figures). The summary is rewritten after every teacher; with ro->resume a
 * teacher whose record is in out_dir is read back instead of run. ro->seeds > 0
 * overrides the config's seeds (at most 10000); ro->ctx.threads sets the engine's
 * threads (results do not depend on it). Progress lines go to log (may be NULL). */
ls_status ls_exp_reproduce_fig3(const ls_reproduce_opts *ro, ls_exp_fig3_result *res, FILE *log,
                                ls_error *err);
void ls_exp_fig3_result_free(ls_exp_fig3_result *res); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
