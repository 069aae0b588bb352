/* landsym: the reproduce targets built on a seed sweep, and Simsek et al.'s figure 2, as
 * library calls (`landsym reproduce NAME` prints what they return; docs/reproduce.md).
 * Each takes ls_reproduce_opts (landsym/exp_reproduce.h); opts->config must name the
 * experiment's config (the command line finds the example configs in examples/). */
#ifndef LANDSYM_EXP_REPRODUCE_SWEEP_H
#define LANDSYM_EXP_REPRODUCE_SWEEP_H

#include "landsym/exp_classify.h"
#include "landsym/exp_reproduce.h"
#include "landsym/exp_sweep.h"
#include "landsym/paths.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sweep, then classify: table6.1, fig1c, fig1e, fig5 ------------------------------- */

typedef struct {
  ls_exp_sweep_result sweep;   /* the sweep in out_dir (summary path, counts) */
  int classified;              /* 1: classes holds the classified sweep */
  ls_classified_sweep classes; /* every run classified (the table of ls_classify_print_table) */
  char classify_dir[4200];     /* out_dir/classify: tables, pruned networks, figures */
} ls_sweep_classify_result;
void ls_sweep_classify_result_free(ls_sweep_classify_result *r); /* accepts a zeroed one */

/* Sweep the config into out_dir (seeds: the config's unless opts->seeds), then classify
 * every run into out_dir/classify: tables, pruned networks and figures. A failure after
 * the classification (a table or figure not written) returns its error with r->classified
 * set, so that the table can still be shown. */
ls_status ls_exp_reproduce_sweep_classify(const ls_reproduce_opts *opts,
                                          ls_sweep_classify_result *r, ls_error *err);

/* Thesis (Stoican 2022) table 6.1 and figures 6.3, 6.7: examples/table6_1.json, a width-5
 * student of the thesis toy, 1000 seeds. */
ls_status ls_exp_reproduce_table61(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                   ls_error *err);
/* The thesis's own numbers beside which the certified table is read (several lines). */
const char *ls_exp_table61_thesis(void);
/* Simsek et al. 2021 figure 1c (examples/fig1c.json: students of width 5 and 45 of a
 * width-4 teacher, loss curves), 1e (fig1e.json: 3-hidden-layer students) and 5 (fig5.json:
 * neuron groups of width-10 students). */
ls_status ls_exp_reproduce_fig1c(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                 ls_error *err);
ls_status ls_exp_reproduce_fig1e(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                 ls_error *err);
ls_status ls_exp_reproduce_fig5(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                ls_error *err);

/* ---- thesis figures 6.9 and 6.12 -------------------------------------------------------- */

/* One run of the sweep: its class and, for a local minimum, the nearest symmetry-induced
 * saddle (ls_saddle_find) and Theorems 1 and 2 there (ls_saddle_theorems). */
typedef struct {
  int width;
  long seed;
  int is_min;               /* local minimum (not global): studied */
  ls_class_kind cls;
  double loss;
  int found;                /* saddle found */
  double distance, pair_distance, saddle_loss, saddle_grad;
  int layer, l, m;
  ls_saddle_thm_result thm;
  double *saddle;           /* the saddle point (owned) */
  char err[256];            /* why the run could not be studied ("" when it was) */
} ls_fig69_run;

typedef struct {
  ls_exp_sweep_result sweep;
  int n_runs;
  ls_fig69_run *runs;       /* by width, then seed */
  int n_min, n_found;       /* local minima; saddles found for them */
  int n_saddles;            /* of those, points with a negative eigenvalue */
  int n_thm1, n_thm2;       /* saddles where Theorem 1 / 2 applies */
  int n_err;                /* runs with an error */
  double dist_min, dist_median, dist_max; /* distance minimum -> saddle (n_found > 0) */
  int n_within1;            /* distances below 1 */
  int example;              /* run drawn in figure 6.12, -1: none */
} ls_fig69_result;
void ls_fig69_result_free(ls_fig69_result *r); /* accepts a zeroed one */

/* Sweep the config into out_dir (40 seeds unless opts->seeds; quietly), then study every
 * run over opts->ctx.threads threads, write fig6_9.csv and the figures fig6_9 (histogram
 * of the distances) and fig6_12 (the cones {u^T H u <= 0} at the example saddle: the
 * nearest of index 1, else of any index). Runs that fail keep their message in err and
 * count in n_err; the status is that of the sweep and the files. */
ls_status ls_exp_reproduce_fig69(const ls_reproduce_opts *opts, ls_fig69_result *r,
                                 ls_error *err);
/* The distances and the theorems' shares (and figure 6.12's example) as text on f. */
void ls_exp_fig69_print(FILE *f, const ls_fig69_result *r);

/* ---- Simsek et al. 2021 figure 2 ----------------------------------------------------------- */

#define LS_SIMSEK_FIG2_MAX_POINTS 16

/* The gradient flow of L(w1, w2) = log(((w1 + w2 - 3)^2 + (w1 w2 - 2)^2)/2 + 1) (Lemma 2.1's
 * picture): its critical points and the distances that show the lemma on the figure. */
typedef struct {
  int n_points;                              /* critical points found by Newton */
  double point[LS_SIMSEK_FIG2_MAX_POINTS][2];
  double eig[LS_SIMSEK_FIG2_MAX_POINTS][2];  /* Hessian eigenvalues, ascending */
  double loss[LS_SIMSEK_FIG2_MAX_POINTS];
  int n_min, n_saddle;
  int newton_grid;                           /* Newton starts per axis */
  int n_flows_off;                           /* flows started off w1 = w2 */
  double max_on;  /* flows started on w1 = w2: largest distance to it (Lemma 2.1: 0) */
  double min_off; /* flows started off it: smallest distance to it (Lemma 2.1: > 0) */
  int holds;      /* max_on == 0, min_off > 0, two minima and one saddle */
} ls_simsek_fig2_result;

/* Draw fig2.{dat,gp,png,svg} into opts->out_dir (no config, no seeds). */
ls_status ls_exp_reproduce_simsek_fig2(const ls_reproduce_opts *opts,
                                       ls_simsek_fig2_result *r, ls_error *err);
/* The critical points and Lemma 2.1's distances as text on f. */
void ls_exp_simsek_fig2_print(FILE *f, const ls_simsek_fig2_result *r);

#ifdef __cplusplus
}
#endif
#endif
