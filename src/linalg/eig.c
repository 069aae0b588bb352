/* Dense symmetric eigen-decomposition through LAPACKE dsyevd. */
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"

ls_status ls_eig_sym(size_t n, const double *A, double *evals, double *evecs, ls_error *err) {
  if (n == 0) return LS_OK;
  double *a = evecs ? evecs : malloc(n * n * sizeof *a);
  if (!a) return ls_error_set(err, LS_ERR_NOMEM, "eig: no memory for a %zu x %zu matrix", n, n);
  if (a != A) memmove(a, A, n * n * sizeof *a);
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, evecs ? 'V' : 'N', 'U', (lapack_int)n, a,
                                   (lapack_int)n, evals);
  if (!evecs) free(a);
  if (info == -5) return ls_error_set(err, LS_ERR_COMPUTE, "eig: the matrix contains NaN or Inf");
  if (info < 0) return ls_error_set(err, LS_ERR_INPUT, "eig: dsyevd argument %d invalid", (int)-info);
  if (info > 0)
    return ls_error_set(err, LS_ERR_COMPUTE, "eig: dsyevd failed to converge (info %d; NaN in the matrix?)",
                        (int)info);
  return LS_OK;
}
