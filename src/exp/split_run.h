/* Internals of the split test's mu sweep (src/exp/split_run.c, split_out.c). */
#ifndef LANDSYM_EXP_SPLIT_RUN_H
#define LANDSYM_EXP_SPLIT_RUN_H

#include "landsym/exp_split.h"

typedef struct {
  const ls_net *net;
  const ls_data *d;
  const double *theta;
  const ls_exp_split_opts *o;
  ls_exp_split_result *res;
  ls_split_spectrum_opts so;
  double zero_tol;    /* tol * max |eigenvalue| of H_r */
  double *Y, *U;      /* nin x nin, nin x nout */
  double *B, *M, *eb; /* nb x nb, nb x nb, nb (scratch of one grid point) */
  double *tb;         /* parameters of the lifted network */
} split_sweep;

/* Write split_sweep.csv, split_block.csv, the two figures and split_summary.json into
 * o->out_dir; figure failures go to fig_warn. */
ls_status split_write(const ls_exp_split_result *r, const ls_exp_split_opts *o,
                      ls_error *fig_warn, ls_error *err);

#endif
