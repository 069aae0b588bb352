/* landsym: Lemma 2.1 of Simsek et al. 2021 checked on the student of a config, as a
 * library call (docs/invariance.md): gradient flow from a point of a symmetry subspace
 * H_{i,j} (unit j a copy of unit i) stays on it, to rounding level relative to the largest
 * weight seen; flow from a point at distance `offset` off it keeps a positive distance (no
 * finite-time arrival). */
#ifndef LANDSYM_EXP_INVARIANCE_H
#define LANDSYM_EXP_INVARIANCE_H

#include "landsym/config.h"
#include "landsym/status.h"
#include "landsym/sym.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  const char *params;         /* starting point (.npy/.json); NULL: Glorot init from seed */
  ls_sym_invariance_opts sym; /* layer, units i and j, offset, tmax, seed (sym.h) */
} ls_exp_invariance_opts;

void ls_exp_invariance_opts_default(ls_exp_invariance_opts *o);

typedef struct {
  ls_sym_invariance_result res; /* the two flows */
  double on_tol;                /* 1e-12 max(1, largest weight on the on-subspace flow) */
  int stays_on;                 /* max distance of the on-subspace flow <= on_tol */
  int stays_off;                /* min distance of the off-subspace flow > 0 */
  struct json_t *summary;       /* the --json record */
} ls_exp_invariance_result;

ls_status ls_exp_invariance_run(const ls_config *cfg, const ls_exp_invariance_opts *o,
                                ls_exp_invariance_result *r, ls_error *err);
void ls_exp_invariance_result_free(ls_exp_invariance_result *r); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
