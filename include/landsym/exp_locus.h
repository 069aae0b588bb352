/* landsym: Cooper 2020's loci of critical points as library calls (docs/locus.md).
 *   ls_exp_locus_certify: one point on each requested component of the star locus S_k
 *     (M_L = M_k = 0, b_k..b_{L-1} = 0, b_L = mean of the targets) and core locus C_{k,j}
 *     (also M_j = 0), free coordinates drawn N(0, scale^2), certified against the exact
 *     gradient and Hessian: Theorems 3.1 and 3.2, the closed-form spectrum on S_k, the
 *     dimensions of section 3.1.1 and Corollary 5.18's zero-eigenvalue bound.
 *   ls_exp_locus_wide: the wide regime (section 5): Theorem 5.11's strictly decreasing
 *     line from each seed's initial point to a global minimum, then Proposition 5.13 on the
 *     trained point (a local minimum found is global or not strict, Theorem 5.15).
 *   ls_exp_locus_attract: Definition 3.4: where gradient flows from N(0, scale^2) end
 *     (global minima, each S_k, each C_{k,j}, another critical point, no convergence).
 * Each returns its records (one JSON object per component or seed, in order, built through
 * jansson) and its counts; the student must be MSE with an identity output with bias. */
#ifndef LANDSYM_EXP_LOCUS_H
#define LANDSYM_EXP_LOCUS_H

#include <stdint.h>

#include "landsym/config.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  int star, core;      /* which loci (default both) */
  int layers[2];       /* only S_K (n_layers 1) or C_{K,J} (n_layers 2, K < J) */
  int n_layers;        /* 0: every component */
  uint64_t seed;       /* free coordinates of component c from seed + c (default 1) */
  double scale;        /* their standard deviation (default 1) */
  const char *out_dir; /* also write locus_<name>.npy and locus_<name>_eig.npy; NULL: no */
} ls_exp_locus_opts;

void ls_exp_locus_opts_default(ls_exp_locus_opts *o);

typedef struct {
  int total, certified;   /* components built and certified */
  struct json_t *records; /* one object per component: locus, layers, nparams, dim,
                             dim_formula, loss, grad_norm, inertia, max_dev_predicted_spectrum,
                             max_hessian_on_free_dirs, rank_phi, rank_phi_1, cor518_bound,
                             slice_flat_dim, positive_eigenvalues,
                             certified */
  struct json_t *summary; /* {"components": total, "certified": certified} */
} ls_exp_locus_result;

ls_status ls_exp_locus_certify(const ls_config *cfg, const ls_exp_locus_opts *o,
                               ls_exp_locus_result *r, ls_error *err);

typedef struct {
  int narrow;             /* last hidden width < samples: not the wide regime */
  long n_seeds;
  int lines_ok;           /* certified strictly decreasing lines to a global minimum */
  int n_min, n_global, n_flat, n_bad, n_saddle, n_unconv; /* Proposition 5.13 */
  double worst_dev, worst_end; /* largest deviation from (1-t)^2 L(p), largest end loss */
  struct json_t *records; /* per seed: the 5.11 line, the flat certificate (non-global
                             minima), the 5.13 verdict */
} ls_exp_locus_wide_result;

/* Seeds seed0 .. seed0 + n_seeds - 1 (Glorot initialisation). */
ls_status ls_exp_locus_wide(const ls_config *cfg, long n_seeds, long seed0,
                            ls_exp_locus_wide_result *r, ls_error *err);

#define LS_EXP_LOCUS_MAX_COMPONENTS 64
typedef struct {
  long n_seeds;
  int n_comp;                                  /* S_1, C_{1,2}, ..., S_2, ... in order */
  int comp[LS_EXP_LOCUS_MAX_COMPONENTS][2];    /* their layers */
  int comp_n[LS_EXP_LOCUS_MAX_COMPONENTS];     /* 1: star, 2: core */
  long count[LS_EXP_LOCUS_MAX_COMPONENTS];     /* flows ending on each */
  long n_global, n_other, n_unconv;
  struct json_t *records;                      /* per seed: loss, grad_inf, limit, distance */
} ls_exp_locus_attract_result;

/* Flows from N(0, scale^2) (seeds seed0 ..) to time tmax; a limit within 1e-4 of a
 * component is assigned to the most specific one. */
ls_status ls_exp_locus_attract(const ls_config *cfg, long n_seeds, long seed0, double scale,
                               double tmax, ls_exp_locus_attract_result *r, ls_error *err);

/* Free the records (each accepts a zeroed struct). */
void ls_exp_locus_result_free(ls_exp_locus_result *r);
void ls_exp_locus_wide_result_free(ls_exp_locus_wide_result *r);
void ls_exp_locus_attract_result_free(ls_exp_locus_attract_result *r);

#ifdef __cplusplus
}
#endif
#endif
