/* The reproduce targets that sweep then classify: thesis table 6.1, Simsek et al. figures
 * 1c, 1e and 5 (landsym/exp_reproduce_sweep.h). */
#include <stdio.h>
#include <string.h>

#include "exp/reproduce_int.h"
#include "landsym/exp_reproduce_sweep.h"

void ls_sweep_classify_result_free(ls_sweep_classify_result *r) {
  if (!r) return;
  if (r->classified) ls_classified_sweep_free(&r->classes);
  r->classified = 0;
}

ls_status exp_reproduce_sweep(const ls_reproduce_opts *opts, long def, int quiet,
                              ls_exp_sweep_result *res, ls_error *err) {
  if (!opts->config)
    return ls_error_set(err, LS_ERR_INPUT, "no experiment config given");
  ls_exp_sweep_args a = {opts->config, opts->out_dir, opts->seeds ? opts->seeds : def,
                         opts->resume, 0, quiet, opts->ctx};
  return ls_exp_sweep_run(&a, res, err);
}

ls_status ls_exp_reproduce_sweep_classify(const ls_reproduce_opts *opts,
                                          ls_sweep_classify_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_status st = exp_reproduce_sweep(opts, 0, 0, &r->sweep, err);
  if (st) return st;
  snprintf(r->classify_dir, sizeof r->classify_dir, "%s/classify", opts->out_dir);
  ls_classify_dir_opts co;
  ls_classify_dir_opts_default(&co);
  co.dir = opts->out_dir;
  co.out = r->classify_dir;
  co.threads = opts->ctx.threads;
  ls_ctx one = ls_ctx_threads(1); /* one run per thread: BLAS single-threaded */
  ls_ctx_apply_blas(&one);
  if ((st = ls_classify_dir(&co, &r->classes, err))) return st;
  r->classified = 1;
  if (!(st = ls_classify_write_tables(&co, &r->classes, err)))
    st = ls_classify_write_figures(&co, &r->classes, err);
  return st;
}

ls_status ls_exp_reproduce_table61(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                   ls_error *err) {
  return ls_exp_reproduce_sweep_classify(opts, r, err);
}

const char *ls_exp_table61_thesis(void) {
  return "thesis (Stoican 2022, table 6.1, 1000 seeds): 574 global minima; 426 local minima =\n"
         "  55 symmetry-induced + 371 other. The thesis's 371 \"other\" minima were points where\n"
         "  the optimiser stopped; certified here they split into finite local minima and runs\n"
         "  that no certificate explains, mostly flat points that descend along a channel to\n"
         "  infinity (docs/reproduce.md).\n";
}

ls_status ls_exp_reproduce_fig1c(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                 ls_error *err) {
  return ls_exp_reproduce_sweep_classify(opts, r, err);
}

ls_status ls_exp_reproduce_fig1e(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                 ls_error *err) {
  return ls_exp_reproduce_sweep_classify(opts, r, err);
}

ls_status ls_exp_reproduce_fig5(const ls_reproduce_opts *opts, ls_sweep_classify_result *r,
                                ls_error *err) {
  return ls_exp_reproduce_sweep_classify(opts, r, err);
}
