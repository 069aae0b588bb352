/* landsym: the split test of a critical point as one library call (thesis Stoican 2022,
 * section 6.2.6, Theorem 3 and Corollaries 3.1-3.2; section 6.3.1; docs/split.md).
 *
 * Neuron j of hidden layer l of a critical point theta_r is duplicated with its outgoing
 * weights split into (mu a, (1-mu) a). Theorem 3 (landsym/split.h) gives
 *     In(H(theta_mu)) = In(H_r) + In(M(mu)),   M(mu) = [[mu(1-mu) Y, U], [U^T, 0]],
 * so the inertia of the lifted Hessian is predicted from Y and U alone. ls_exp_split_run
 * sweeps mu over a grid, measures the lifted Hessian spectrum at each mu (dense or
 * Lanczos, ls_split_spectrum), compares it with the prediction, measures the split block
 * on the lifted Hessian against M(mu), and returns every number; with an output folder it
 * also writes, through landsym/out.h,
 *     split_sweep.csv      mu, predicted and measured inertia, match, smallest eigenvalues
 *     split_block.csv      mu, coupling, eigenvalues of the measured block and of M(mu)
 *     split_y_eigs.*       figure 6.16 style: eigenvalues of Y (.dat, .gp, .png, .svg)
 *     split_smallest.*     figures 6.17-6.18 style: smallest eigenvalues along mu
 *     split_summary.json   the summary (ls_exp_split_summary; non-finite numbers as null). */
#ifndef LANDSYM_EXP_SPLIT_H
#define LANDSYM_EXP_SPLIT_H

#include <stddef.h>

#include "landsym/config.h"
#include "landsym/config_split.h"
#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/split.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  int layer, neuron;     /* hidden layer (1..L-1) and neuron (0-based) duplicated */
  double mu_lo, mu_hi;   /* the grid mu_lo + (mu_hi - mu_lo) s / (n_mu - 1), s = 0..n_mu-1 */
  long n_mu;             /* >= 2; grid points within 1e-12 of 0 or 1 are set to 0 or 1 */
  int nsmall;            /* smallest eigenvalues kept and plotted per mu (12) */
  double tol;            /* zero threshold relative to max |eigenvalue| of H_r (1e-9) */
  ls_split_spectrum_kind spectrum; /* auto (dense up to dense_max parameters), dense, lanczos */
  size_t dense_max;      /* 3000 */
  int lanczos_k;         /* Lanczos window; 0: enough for the predicted negative and zero
                          * eigenvalues (narrow: 2 nsmall + nin + nout; lifted: the narrow
                          * point's negative and zero ones + nin + nout + 8, at least nsmall) */
  const char *out_dir;   /* results folder (created); NULL: no files */
} ls_exp_split_opts;

/* The defaults above; layer and neuron are -1 (must be set), mu grid -1:2:61. */
ls_exp_split_opts ls_exp_split_opts_default(void);
/* The config's "split" section (landsym/config_split.h) into o's spectrum choice. */
ls_status ls_exp_split_opts_from_config(const ls_config *cfg, ls_exp_split_opts *o,
                                        ls_error *err);

typedef struct {
  int layer, neuron, nin, nout; /* nin = width[l-1] + bias, nout = width[l+1] */
  size_t p_narrow, p_lifted;    /* parameters of the narrow and the lifted network */
  double loss, grad_norm;       /* at theta_r (Theorem 3 assumes grad = 0) */
  ls_spectrum_method method_narrow, method_lifted;
  size_t n_hvp;                 /* Hessian-vector products of all Lanczos runs */
  int narrow_complete;          /* 0 when the narrow Lanczos window missed some zeros */
  int incomplete;               /* inertias known only partly (narrow + lifted) */
  double lambda_max_narrow;     /* max |eigenvalue| of H_r, the scale of tol */
  ls_inertia narrow;            /* In(H_r) */
  int rank_u;
  double *y_eigs;               /* nin eigenvalues of Y, ascending */
  ls_inertia pred_inside, pred_outside; /* predicted In(H(theta_mu)), mu in (0,1) / outside [0,1] */
  int zeros_mu0, zeros_mu1;     /* measured zero eigenvalues at mu = 0, 1 (-1: not on the grid) */
  int zeros_added_predicted;    /* nin + nout - 2 rank U */
  double coupling_max, block_diff_max; /* Theorem 3's off-diagonal block; |eig B - eig M| */
  int mismatches;               /* grid points where predicted != measured inertia */
  /* per grid point s = 0..n_mu-1 */
  long n_mu;
  int k;                        /* smallest eigenvalues kept per point */
  double *mu;                   /* n_mu */
  ls_inertia *pred, *meas;      /* n_mu each */
  int *match, *complete;        /* n_mu each */
  double *lambda;               /* n_mu * k: the k smallest eigenvalues of H(theta_mu) */
  double *coupling;             /* n_mu */
  double *block, *block_pred;   /* n_mu * (nin + nout): eigenvalues of B and of M(mu) */
} ls_exp_split_result;

/* Run the sweep on the critical point theta of net (data d) and, with o->out_dir, write
 * the files listed at the top. Bad sizes or options are LS_ERR_INPUT before any file is
 * written. A figure that gnuplot could not draw is not an error: its message goes to
 * fig_warn (may be NULL; fig_warn->code is LS_OK when all figures were drawn). */
ls_status ls_exp_split_run(const ls_net *net, const ls_data *d, const double *theta,
                           const ls_exp_split_opts *o, ls_exp_split_result *res,
                           ls_error *fig_warn, ls_error *err);
void ls_exp_split_result_free(ls_exp_split_result *res); /* accepts a zeroed struct */

/* The summary object written to split_summary.json (new reference): layer, neuron,
 * grad_norm, loss, nin, nout, spectrum methods, inertias, Y eigenvalues, zero counts,
 * block agreement, number of mu values and of mismatches. */
struct json_t *ls_exp_split_summary(const ls_exp_split_result *res);

#ifdef __cplusplus
}
#endif
#endif
