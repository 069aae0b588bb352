/* landsym: points on the expansion manifold of an irreducible point (Simsek et al. 2021,
 * Definitions 3.2-3.3, section 5) or symmetry-induced critical points (Definition 4.1;
 * Brea et al. 2019 permutation points), with their certificates (docs/expand.md), as a
 * library call. Unit t of the point is replicated k_t times with outgoing weights split to
 * sum to the original, zero-type groups fill the rest, and the units are permuted; the
 * output function is unchanged (ls_sym_equiv certifies it on the config's data). */
#ifndef LANDSYM_EXP_EXPAND_H
#define LANDSYM_EXP_EXPAND_H

#include <stdint.h>

#include "landsym/config.h"
#include "landsym/status.h"
#include "landsym/sym.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  const char *params;   /* NULL or "teacher": the config's teacher; else a parameter file */
  int student_shape;    /* params is a point of the student (default: of the teacher) */
  int layer;            /* hidden layer to expand; 0: every hidden layer to the student's
                           width, last first */
  int width;            /* target width of layer; 0: the student's */
  const int *k;         /* multiplicities k_1..k_r, or NULL (random) */
  int n_k;
  const int *zero;      /* sizes of zero-type groups, or NULL (the rest, random groups) */
  int n_zero;
  const double *beta;   /* collinear split coefficients (sum(k) of them), or NULL */
  int n_beta;
  int equal_split;      /* beta = 1/k_t (Brea permutation points) */
  int vector_split;     /* splits in any direction (Definition 3.2) */
  int zero_out_zero;    /* zero-type outgoing weights all zero (default: random, sum 0) */
  const int *perm;      /* final permutation of the m units, or NULL */
  int n_perm;
  int no_perm;          /* no final permutation (default: random) */
  int critical;         /* symmetry-induced critical point, certified (Definition 4.1) */
  double tol;           /* relative tolerance for equal units (1e-8) */
  double eig_tol;       /* with critical: zero eigenvalues (1e-10) */
  int tol_set;          /* tol was given (it then also sets eig_tol) */
  int allow_reducible;  /* expand a point that is not irreducible */
  uint64_t seed;        /* every random choice (default 0) */
  const char *out;      /* write the expanded parameters here (.npy/.json); NULL: none */
} ls_exp_expand_opts;

void ls_exp_expand_opts_default(ls_exp_expand_opts *o);

typedef struct {
  char point[512];          /* where the point came from ("teacher" or the file) */
  ls_net net, big;          /* the point's network and the expanded one */
  double *theta, *theta_m;  /* the point and the expanded point */
  ls_sym_reduction red;     /* the point's reduction (its irreducible widths) */
  int *group_of;            /* one layer expanded: origin of each new unit (zero-type
                               group g as -1 - g); else NULL */
  int m;                    /* entries of group_of */
  ls_sym_equiv_cert equiv;  /* same function on the data */
  int critical;             /* crit holds the critical-point certificate */
  ls_sym_critical_cert crit;
  struct json_t *summary;   /* the --json certificate */
} ls_exp_expand_result;

/* The combinations of options that cannot hold for any point (LS_ERR_INPUT): lists (k, zero,
 * beta, perm) or a width without a layer; critical with zero-type groups or vector splits
 * (Definition 4.1); beta with equal or vector splits. ls_exp_expand_run checks them first. */
ls_status ls_exp_expand_opts_check(const ls_exp_expand_opts *o, ls_error *err);
ls_status ls_exp_expand_run(const ls_config *cfg, const ls_exp_expand_opts *o,
                            ls_exp_expand_result *r, ls_error *err);
void ls_exp_expand_result_free(ls_exp_expand_result *r); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
