/* A whole sweep in one process, and the steps a multi-process caller takes itself
 * (landsym/exp_sweep.h). */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "landsym/core.h"
#include "landsym/exp_sweep.h"

ls_status ls_exp_sweep_setup(ls_exp_sweep *x, const ls_exp_sweep_args *a, ls_sweep_opts *o,
                             ls_error *err) {
  o->version = LANDSYM_VERSION;
  ls_exp_sweep_opts(x, o);
  o->dir = a->dir;
  ls_exp_sweep_set_dir(x, a->dir);
  o->resume = a->resume;
  o->threads = a->ctx.threads;
  if (a->seeds) o->n_seeds = a->seeds;
  if (o->n_seeds < 1)
    return ls_error_set(err, LS_ERR_INPUT, "no seed count: give --seeds N or sweep.seeds in %s",
                        a->config);
  ls_status s = ls_sweep_opts_validate(o, err);
  if (!s && a->cuda) s = ls_exp_sweep_gpu_check(x, o, err);
  return s;
}

ls_status ls_exp_sweep_share(ls_exp_sweep *x, const ls_sweep_opts *o, int cuda,
                             ls_sweep_stats *st, ls_error *err) {
  /* OpenBLAS's own thread pool would make one job multi-threaded: jobs stay
   * single-threaded for bitwise reproducibility (and the cores are used by the jobs). */
  ls_ctx one = ls_ctx_threads(1);
  one.blas_threads = 1;
  ls_ctx_apply_blas(&one);
  omp_set_max_active_levels(1); /* parallel regions inside a job run on its one thread */
  return cuda ? ls_sweep_run_batched(o, 65536, ls_exp_sweep_gpu_job, x, st, err)
              : ls_sweep_run(o, ls_exp_sweep_job, x, st, err);
}

/* Prepare, run, summarise: the body of ls_exp_sweep_run once x is loaded. */
static ls_status run_loaded(ls_exp_sweep *x, const ls_exp_sweep_args *a,
                            ls_exp_sweep_result *res, ls_error *err) {
  ls_sweep_opts o;
  ls_sweep_opts_init(&o);
  ls_status s = ls_exp_sweep_setup(x, a, &o, err);
  if (!s) s = ls_sweep_prepare(&o, err);
  if (s) return s;
  ls_sweep_printer prog;
  ls_sweep_printer_init(&prog, a->quiet, "");
  o.progress = ls_sweep_printer_update;
  o.progress_ctx = &prog;
  ls_sweep_printer_start(&prog, x, &o, 1, a->cuda);
  double t0 = ls_clock_seconds();
  s = ls_exp_sweep_share(x, &o, a->cuda, &res->stats, err);
  res->wall_s = ls_clock_seconds() - t0;
  ls_sweep_printer_end(&prog);
  if (!s) s = ls_sweep_summarize(&o, err);
  if (s) return s;
  snprintf(res->summary, sizeof res->summary, "%s/summary.csv", o.dir);
  ls_sweep_printer_done(&prog, &res->stats, res->wall_s);
  return LS_OK;
}

ls_status ls_exp_sweep_run(const ls_exp_sweep_args *a, ls_exp_sweep_result *res,
                           ls_error *err) {
  memset(res, 0, sizeof *res);
  ls_exp_sweep *x = NULL;
  ls_status s = ls_exp_sweep_load(a->config, &x, err);
  if (!s) s = run_loaded(x, a, res, err);
  ls_exp_sweep_free(x);
  return s;
}
