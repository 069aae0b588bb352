/* landsym: symmetric eigenproblems — dense (LAPACK) and Lanczos on an operator given as a
 * matrix-vector callback (e.g. the Hessian-vector product). The Hessian spectrum of a
 * network, which evaluates the loss through the engine, is the engine's (landsym/engine.h,
 * ls_hessian_spectrum). */
#ifndef LANDSYM_LINALG_H
#define LANDSYM_LINALG_H

#include <stddef.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* |v|_inf = max_i |v_i|, and |a - b|_inf = max_i |a_i - b_i| (both 0 for n = 0; a NaN
 * entry is skipped, as fmax skips it). */
double ls_norm_inf(size_t n, const double *v);
double ls_dist_inf(size_t n, const double *a, const double *b);

/* w -= sum_i (q_i . w) q_i over the nq orthonormal rows of Q (row-major nq x n), done
 * twice ("twice is enough": classical Gram-Schmidt with reorthogonalisation). */
void ls_orth_against(size_t n, const double *Q, size_t nq, double *w);

/* All eigenvalues of the symmetric n x n matrix A (row-major; only the upper triangle is
 * read) into evals, ascending.  If evecs != NULL it receives the orthonormal eigenvectors
 * as the COLUMNS of a row-major n x n matrix (column i belongs to evals[i]). A is not
 * modified.  LAPACK dsyevd (divide and conquer). */
ls_status ls_eig_sym(size_t n, const double *A, double *evals, double *evecs, ls_error *err);

/* y = A x for a symmetric operator A of order n.  Return 0 for success, > 0 for a
 * recoverable failure, < 0 for a fatal one (both stop the Lanczos iteration). */
typedef int (*ls_matvec_fn)(void *ctx, const double *x, double *y);

typedef enum { LS_EIG_SMALLEST = 0, LS_EIG_LARGEST } ls_eig_which;

typedef struct {
  int basis;          /* Lanczos vectors per restart; 0 = max(4k, 60) (capped at n)         */
  int max_restarts;   /* 0 = 50                                                            */
  double tol;         /* residual ||A y - t y|| <= tol * max|Ritz value|; 0 = 1e-10         */
  unsigned long seed; /* start vectors (deterministic); 0 = 1                               */
} ls_lanczos_opts;

/* The k smallest or largest eigenvalues of A (ascending for SMALLEST, descending for
 * LARGEST, i.e. most extreme first) and, if evecs != NULL, unit eigenvectors as its rows
 * (k x n).  Lanczos with full reorthogonalisation, explicit restarts and locking of
 * converged Ritz pairs; a final round in the complement of the locked vectors catches
 * copies of repeated eigenvalues that one Krylov space cannot see.  n_matvec (if not
 * NULL) receives the number of operator applications. opts == NULL means defaults. */
ls_status ls_lanczos(size_t n, ls_matvec_fn mv, void *ctx, int k, ls_eig_which which,
                     const ls_lanczos_opts *opts, double *evals, double *evecs,
                     size_t *n_matvec, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
