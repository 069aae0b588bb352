/* landsym: the equal-loss path between a point of an overparameterized network and its
 * permutation (Simsek et al. 2021, Theorem 3.1 and Figure 4; Brea et al. 2019, appendix
 * C.2; docs/connect.md) as a library call: the moves of Theorem 3.1 (ls_sym_connect),
 * the loss sampled along every segment (ls_sym_path_sample). Files in the output folder:
 *   connect_loss.csv    t, segment, move, loss, loss - loss(0)
 *   connect_path.npy    the waypoints (rows)
 *   connect_loss.{dat,gp,png,svg}   the figure (opts.plot)
 * On failure neither table is left behind. */
#ifndef LANDSYM_EXP_CONNECT_H
#define LANDSYM_EXP_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "landsym/config.h"
#include "landsym/status.h"
#include "landsym/sym.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  const char *params;  /* start point file of the student; NULL or "teacher": the teacher
                          expanded to the student's widths with seed (a global minimum) */
  int layer;           /* hidden layer to permute (default 1) */
  const int *perm;     /* target permutation (unit i of the end is unit perm[i] of the
                          start); NULL: random from seed */
  int n_perm;          /* entries of perm (must be the layer's width) */
  int samples;         /* samples per segment (default 50) */
  uint64_t seed;       /* expansion and random permutation (default 0) */
  double tol;          /* relative tolerance for equal units (default 1e-10) */
  const char *out_dir; /* results folder (created; default ".") */
  int plot;            /* draw the figure (default 1) */
} ls_exp_connect_opts;

void ls_exp_connect_opts_default(ls_exp_connect_opts *o);

typedef struct {
  char start[512];        /* where the start point came from */
  int layer, m;           /* the layer and its width */
  int *perm;              /* [m] the permutation used */
  ls_sym_path path;       /* the waypoints */
  int n_segments;
  int moves[8];           /* segments per move kind (ls_sym_path_move_name) */
  size_t n;               /* samples */
  double *t, *loss;       /* [n] path parameter and loss */
  double loss0, max_dev;  /* loss at the start, max |loss - loss0| */
  char *csv, *npy;        /* the two tables' paths */
  struct json_t *summary; /* the --json summary */
} ls_exp_connect_result;

ls_status ls_exp_connect_run(const ls_config *cfg, const ls_exp_connect_opts *o,
                             ls_exp_connect_result *r, ls_error *err);
void ls_exp_connect_result_free(ls_exp_connect_result *r); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
