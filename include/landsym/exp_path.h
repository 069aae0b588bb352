/* landsym: the permutation-path experiment (Brea et al. 2019, section 2.1, Algorithm 1,
 * appendix C.1, figure 2; docs/path.md) as a library call. For each chosen pair (l, m) of
 * units of hidden layer k, the distance d between their incoming weights goes from d0 down
 * to dmin d0 with every other parameter re-optimised (ls_path_build); the second half is
 * the first mirrored (l and m swapped); the exact end d = 0 is the merged network
 * re-optimised and lifted back (the permutation point), certified as a critical point
 * (certify.h). ls_exp_path_run writes, into the output folder,
 *   path_L_M.csv     index,half,s,d,distance,lambda,loss along the full path
 *   path_L_M.npy     the full path's parameters (rows)
 *   permpoint_L_M.npy, dmin_L_M.npy, partner_L_M.npy   the apex, the point at dmin, the
 *                    partner minimum; permpoint_certified_L_M.npy for smooth networks
 *   paths.{dat,gp,png,svg}, paths_full.{...}           the figures (opts.plot)
 *   summary.json     one entry per pair (ls_exp_path_result.summary)
 * and returns the paths with their headline numbers. */
#ifndef LANDSYM_EXP_PATH_H
#define LANDSYM_EXP_PATH_H

#include <stdio.h>

#include "landsym/certify.h"
#include "landsym/config.h"
#include "landsym/exp_reproduce.h"
#include "landsym/paths.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef enum {
  LS_EXP_PATH_ONE = 0,   /* the pair (l, m) */
  LS_EXP_PATH_ALL = 1,   /* every pair of the layer, in order (0,1), (0,2), ... */
  LS_EXP_PATH_COSINE = 2 /* the pair of highest cosine similarity of incoming weights */
} ls_exp_path_pairs;

/* The outgoing bound kappa used by default with the relative distance (docs/path.md). */
#define LS_EXP_PATH_OUT_BOUND_DEFAULT 4.0

typedef struct {
  int steps;               /* schedule length; 0: the config's path.steps, else 200 */
  double dmin;             /* last distance relative to d0; 0: path.dmin, else 1e-4 */
  int maxeval;             /* LBFGS evaluations per step; 0: path.maxeval, else 1000 */
  int lagrangian;          /* minimise L + lambda d^2 instead (Brea appendix C.1) */
  int layer;               /* hidden layer k (default 1) */
  const char *params;      /* start point file (.npy/.json); NULL or "teacher": the teacher,
                              which must have the student's widths */
  ls_exp_path_pairs pairs; /* which pairs (default LS_EXP_PATH_ALL) */
  int l, m;                /* the pair of LS_EXP_PATH_ONE */
  int distance;            /* -1: relative for a ReLU layer, absolute otherwise; 0 abs; 1 rel */
  double out_bound;        /* < 0: LS_EXP_PATH_OUT_BOUND_DEFAULT with the relative distance,
                              else 0 */
  const char *out_dir;     /* results folder (created) */
  int plot;                /* draw the figures (default 1) */
  FILE *log;               /* one progress line per pair; NULL: silent */
} ls_exp_path_opts;

/* Defaults above, with the path options of ls_path_opts_default. */
void ls_exp_path_opts_default(ls_exp_path_opts *o);

typedef struct {
  int l, m;
  ls_path p;              /* the first half and the apex (paths.h) */
  double seconds;         /* wall time of ls_path_build */
  double mirror_end_loss; /* loss at the partner minimum (end of the mirrored half) */
  double dipole;          /* ls_path_dipole at the point of dmin */
  int pp_done;            /* smooth networks: the permutation point refined by Newton */
  double pp_grad;         /* ... its gradient infinity-norm */
  ls_inertia pp_inertia;  /* ... and Hessian inertia */
  ls_crit_cert cert;      /* certificate of the apex (when p.has_apex) */
} ls_exp_path_pair;

typedef struct {
  int layer;
  ls_path_opts used;       /* the path options as run (relative and out_bound resolved) */
  int n;                   /* pairs run */
  ls_exp_path_pair *pairs; /* [n] */
  int best;                /* index of the lowest barrier */
  double seconds;          /* total path-building time */
  struct json_t *summary;  /* the content of summary.json */
} ls_exp_path_result;

/* Run the experiment on cfg's student and data. Bad options (layer, pair, start point) are
 * LS_ERR_INPUT. On failure r holds nothing to free. */
ls_status ls_exp_path_run(const ls_config *cfg, const ls_exp_path_opts *o, ls_exp_path_result *r,
                          ls_error *err);
void ls_exp_path_result_free(ls_exp_path_result *r); /* accepts a zeroed struct */

/* The loss at d = dmin d0 matches the exact end d = 0 within 1e-3 relative. */
int ls_exp_path_end_matches(const ls_path *p);
/* The largest loss along the path and the distance d where it is (0: the apex). */
double ls_exp_path_max_loss(const ls_path *p);
double ls_exp_path_max_at_d(const ls_path *p);

/* Brea et al. 2019 figure 2: a 2-5-1 ReLU teacher on 10^3 standard-normal 2D inputs, the
 * student equal to the teacher (a global minimum), every pair of the 5 units merged in 200
 * log-spaced steps down to 1e-4 of the initial distance. The paper does not print the
 * teacher; the seeded one of examples/fig2.json is built in. */
ls_status ls_exp_fig2_config(ls_config *cfg, ls_error *err);
/* Figure 2 into ro->out_dir (ro->config: another experiment instead of the built-in one).
 * po: the path options (NULL: ls_exp_path_opts_default with the config's path section);
 * its pairs, out_dir and params are overridden (all pairs, the teacher). res receives
 * the paths (ls_exp_path_result_free). */
ls_status ls_exp_reproduce_fig2(const ls_reproduce_opts *ro, const ls_exp_path_opts *po,
                                ls_exp_path_result *res, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
