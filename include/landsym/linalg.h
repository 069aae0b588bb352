/* landsym: symmetric eigenproblems — dense (LAPACK) and Lanczos on an operator given as a
 * matrix-vector callback (e.g. the Hessian-vector product) — and the Hessian spectrum of a
 * network, dense when small, Lanczos otherwise. */
#ifndef LANDSYM_LINALG_H
#define LANDSYM_LINALG_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

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

typedef enum { LS_SPECTRUM_DENSE = 0, LS_SPECTRUM_LANCZOS } ls_spectrum_method;

/* Hessian eigenvalues of the loss at theta, ascending.  Dense (all P eigenvalues) when
 * P <= dense_max (0 means 3000); otherwise Lanczos on the Hessian-vector product for the
 * k smallest and k largest (n = 2k values, or all P if 2k >= P). */
typedef struct {
  double *evals;
  size_t n;
  ls_spectrum_method method;
  size_t n_hvp; /* Hessian-vector products used (Lanczos) */
} ls_spectrum;

ls_status ls_hessian_spectrum(const ls_net *net, const ls_data *d, const double *theta,
                              size_t dense_max, int k, ls_spectrum *out, ls_error *err);
void ls_spectrum_free(ls_spectrum *s); /* accepts a zeroed struct */
const char *ls_spectrum_method_name(ls_spectrum_method m);

#ifdef __cplusplus
}
#endif
#endif
