/* landsym: the saddle experiment (thesis, Stoican 2022, sections 6.2.4-6.2.5 and 6.3.2;
 * docs/saddle.md) as a library call. From a converged point: the escape checks
 * (Algorithms 1 and 2, ls_escape_check), then the nearest symmetry-induced saddle line
 * (ls_saddle_find: penalty merge of the two closest units, reduction, Newton, duplication
 * back into theta(mu)), its certificate, the Hessian spectra at the start and the saddle,
 * loss slices, and optionally perturbed restarts from the saddle. Files in the output folder:
 *   saddle.npy, reduced.npy                         the saddle-line point, the reduced net
 *   spectrum_saddle.csv, spectrum_start.csv         Hessian eigenvalues
 *   slice1d.csv (+ slice1d.*, slice2d.* figures)    loss slices (figures 6.10, 6.11)
 *   retrain.csv                                     perturbed restarts (opts.perturb)
 *   summary.json                                    ls_exp_saddle_result.summary */
#ifndef LANDSYM_EXP_SADDLE_H
#define LANDSYM_EXP_SADDLE_H

#include <stdint.h>
#include <stdio.h>

#include "landsym/certify.h"
#include "landsym/config.h"
#include "landsym/paths.h"
#include "landsym/split.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  const char *params;  /* the converged point (.npy/.json) of the student (required) */
  int layer;           /* hidden layer (default 1) */
  double mu;           /* split on the saddle line; < 0: nearest to the start (default) */
  int escape;          /* also run the escape checks at the start */
  int escape_only;     /* only the escape checks */
  int slice_n;         /* grid points per axis of the slices (default 41) */
  int perturb;         /* perturbed restarts from the saddle point (default 0) */
  double sigma;        /* their Gaussian std (default 0.01) */
  uint64_t seed;       /* their seed (default 0) */
  const char *out_dir; /* results folder (created) */
  int plot;            /* draw the slice figures (default 1) */
  FILE *log;           /* one line per restart; NULL: silent */
} ls_exp_saddle_opts;

void ls_exp_saddle_opts_default(ls_exp_saddle_opts *o);

typedef struct {
  int have_escape, have_saddle;
  ls_escape_result escape;  /* when have_escape */
  ls_saddle_result saddle;  /* when have_saddle */
  ls_crit_cert cert;        /* certificate of the saddle-line point */
  size_t P;
  double *eig_start;        /* [P] Hessian eigenvalues at the start */
  ls_inertia start_inertia; /* their inertia (zero below 1e-10 max |eig|) */
  int n_retrain;            /* restarts run */
  double *retrain;          /* [n_retrain x 5]: trial, loss, grad_inf, dist_saddle, dist_start */
  int retrain_below_start;  /* restarts ending below the start's loss (1e-8 relative) */
  struct json_t *summary;   /* the content of summary.json */
} ls_exp_saddle_result;

/* Run on cfg's student and data. A ReLU network, a layer out of range or an unreadable
 * point is LS_ERR_INPUT. On failure r holds nothing to free. */
ls_status ls_exp_saddle_run(const ls_config *cfg, const ls_exp_saddle_opts *o,
                            ls_exp_saddle_result *r, ls_error *err);
void ls_exp_saddle_result_free(ls_exp_saddle_result *r); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
