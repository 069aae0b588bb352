/* landsym reproduce fig3: Brea et al. 2019 figure 3 (section 3): permutation paths of
 * MNIST teachers with two hidden layers of H units, student initialised at the teacher,
 * two units of high cosine similarity in the second hidden layer merged along a log-spaced
 * distance schedule (docs/mnist.md). */
#ifndef LANDSYM_CLI_REPRODUCE_FIG3_H
#define LANDSYM_CLI_REPRODUCE_FIG3_H

#include <stddef.h>

#include "landsym/config.h"
#include "landsym/status.h"

#define FIG3_MAX_H 16

/* The experiment's settings: the config's "reproduce" section (defaults in brackets). */
typedef struct {
  int hidden[FIG3_MAX_H]; /* hidden widths H [10, 15, 20, 25] */
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
} fig3_opts;

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
} fig3_run;

void fig3_run_free(fig3_run *r); /* accepts a zeroed struct */

/* Read and check the "reproduce" section of cfg (LS_ERR_INPUT naming the field). */
ls_status fig3_opts_read(const ls_config *cfg, fig3_opts *o, ls_error *err);

/* Train the teacher of width H from seed (softmax NLL on cfg's data) and build its path;
 * theta_out (optional, malloc'd) receives the teacher's parameters. */
ls_status fig3_run_one(const ls_config *cfg, const fig3_opts *o, int H, int seed, fig3_run *r,
                       double **theta_out, ls_error *err);

/* summary.csv, summary.json, paths/path_H*_s*.csv and the three figures in dir. */
ls_status fig3_write(const char *dir, const ls_config *cfg, const fig3_opts *o,
                     const fig3_run *runs, int nruns, double seconds, int plot, ls_error *err);

/* The command: config file, output directory, seeds override (NULL = the config's),
 * threads (NULL = 1). Returns the exit code. */
int reproduce_fig3(const char *config, const char *out, const char *seeds, const char *threads);

#endif
