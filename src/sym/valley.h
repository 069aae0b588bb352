/* Internal: the valley test of a flat critical point (certify_valley.c; certify.h,
 * "Valley"). */
#ifndef LANDSYM_SYM_VALLEY_H
#define LANDSYM_SYM_VALLEY_H

#include "landsym/certify.h"

/* At the certified critical point x: lam (ascending) and V (eigenvectors as the columns of
 * a row-major P x P matrix) of its Hessian, thr the zero level (eigenvalues above it are the
 * stiff directions), E the nE orthonormal rows of the extra kernel. On success m->kind is
 * LS_MINCERT_VALLEY with m->valley_* and m->reason filled; otherwise m->reason says why and
 * m->kind is unchanged. Errors only for out of memory or a failed evaluation. */
ls_status ls_valley_test(const ls_net *net, const ls_data *d, const double *x, const double *lam,
                         const double *V, double thr, const double *E, int nE, ls_min_cert *m,
                         ls_error *err);

#endif
