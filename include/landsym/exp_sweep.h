/* landsym: the teacher-student seed sweep as an experiment (what `landsym sweep` runs).
 *
 * A config file names the teacher, the student, the data, a "train" section (trainer
 * options and the initial point, docs/train.md) and a "sweep" section
 *     "sweep": {"seeds": N, "first_seed": S, "student_widths": [w, ...], "trajectory": b,
 *               "init_from": DIR}
 * (all optional; init_from: each run starts from the final parameters of run (w, s) of the
 * sweep in DIR, to continue a sweep under another protocol). ls_exp_sweep_load reads it;
 * ls_exp_sweep_opts turns it into the runner's ls_sweep_opts (landsym/sweep.h);
 * ls_exp_sweep_job is the per-seed job: initialise the student of width w from the seed
 * (Glorot, or N(0, init_scale^2)), train, report. A run depends on (config, seed, width)
 * only, so results do not depend on threads or ranks.
 *
 * ls_exp_sweep_run does a whole sweep in one process (prepare, run, summarise); a caller
 * that spreads the jobs over processes (MPI, in the command-line tool) calls the steps
 * itself: ls_exp_sweep_setup, ls_sweep_prepare on one process, ls_exp_sweep_share on
 * every process, ls_sweep_summarize on one. */
#ifndef LANDSYM_EXP_SWEEP_H
#define LANDSYM_EXP_SWEEP_H

#include "landsym/config.h"
#include "landsym/ctx.h"
#include "landsym/optim.h"
#include "landsym/status.h"
#include "landsym/sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ls_exp_sweep ls_exp_sweep;

/* Load the config at path (or builtin:NAME), read its "sweep" section and check its
 * "train" section; LS_ERR_INPUT naming the field on any problem. */
ls_status ls_exp_sweep_load(const char *path, ls_exp_sweep **out, ls_error *err);
void ls_exp_sweep_free(ls_exp_sweep *x); /* accepts NULL */

/* The "sweep" section as runner options: config, input_dir, n_seeds (0 when the config
 * gives none), first_seed and widths of o; the other fields are left as they are. */
void ls_exp_sweep_opts(const ls_exp_sweep *x, ls_sweep_opts *o);
/* One line for the log: "student 2-5-1 sigmoid/identity mse on grid 41^2 ..., train
 * flow+newton". */
const char *ls_exp_sweep_describe(const ls_exp_sweep *x);
/* Output directory: needed when the config asks for trajectories ("sweep":
 * {"trajectory": true}), written to DIR/runs/w<W>_s<S>.traj.csv. */
void ls_exp_sweep_set_dir(ls_exp_sweep *x, const char *dir);

/* The student of width `width` (the sweep's width replaces every hidden width when the
 * config lists student_widths), its initial point from seed as train.init says (or the
 * end of run (width, seed) of the init_from sweep: LS_ERR_INPUT naming the file when it
 * is missing, unreadable or of another size), the data and the trainer options. */
void ls_exp_sweep_student(const ls_exp_sweep *x, int width, ls_net *net);
ls_status ls_exp_sweep_init(const ls_exp_sweep *x, const ls_net *net, int width, long seed,
                            double *theta, ls_error *err);
const ls_data *ls_exp_sweep_data(const ls_exp_sweep *x);
const ls_train_opts *ls_exp_sweep_train_opts(const ls_exp_sweep *x);

/* ls_sweep_job: ctx is the ls_exp_sweep (read-only). */
ls_status ls_exp_sweep_job(void *ctx, const ls_sweep_task *t, ls_seed_result *out,
                           ls_error *err);
/* The GPU backend (landsym/gpu.h): LS_ERR_INPUT naming what it cannot train (checked for
 * every width of o), and the batch job (ls_sweep_batch_job; ctx is the ls_exp_sweep). */
ls_status ls_exp_sweep_gpu_check(const ls_exp_sweep *x, const ls_sweep_opts *o,
                                 ls_error *err);
ls_status ls_exp_sweep_gpu_job(void *ctx, const ls_sweep_task *tasks, size_t n,
                               ls_seed_result *out, ls_error *err);

/* ---- progress on stderr ---------------------------------------------------------------- */

/* A redrawn bar on a terminal, a plain line every few seconds otherwise, nothing when
 * quiet; lines start with "landsym sweep: " and then label ("" or "rank 0 of 2: "). */
typedef struct {
  int quiet, tty;
  double interval_s; /* between plain lines */
  double last_s;     /* elapsed time of the last output */
  int drawn;         /* a bar line is on screen (needs a newline before other output) */
  const char *label;
} ls_sweep_printer;

void ls_sweep_printer_init(ls_sweep_printer *p, int quiet, const char *label);
/* ls_sweep_progress_fn; ctx is the ls_sweep_printer. */
void ls_sweep_printer_update(void *ctx, const ls_sweep_progress *s);
/* End the bar line if one is drawn. */
void ls_sweep_printer_end(ls_sweep_printer *p);
/* "landsym sweep: <describe>; N seed(s) x W width(s) = R runs[, resuming][ over MPI
 * ranks][ on the GPU]" (nothing when quiet). */
void ls_sweep_printer_start(const ls_sweep_printer *p, const ls_exp_sweep *x,
                            const ls_sweep_opts *o, int n_ranks, int cuda);
/* "landsym sweep: R runs (r run now, k kept), c converged, f failed; T s, x runs/s" over
 * all processes (nothing when quiet). */
void ls_sweep_printer_done(const ls_sweep_printer *p, const ls_sweep_stats *all, double wall_s);

/* ---- the whole sweep --------------------------------------------------------------------- */

typedef struct {
  const char *config; /* config file or builtin:NAME */
  const char *dir;    /* output directory (created) */
  long seeds;         /* 0: the config's sweep.seeds */
  int resume;         /* continue the sweep in dir */
  int cuda;           /* train batches of seeds on the GPU */
  int quiet;          /* no progress on stderr */
  ls_ctx ctx;         /* threads: OpenMP threads over jobs (each job single-threaded;
                         <= 0: all); blas_threads and engine are not used */
} ls_exp_sweep_args;

/* Fill o (ls_sweep_opts_init first) from x and a: the config's sweep section, then dir,
 * resume, threads and a seed count that overrides the config's; validate it, and check
 * that the GPU can train every width when a->cuda. LS_ERR_INPUT when no seed count is
 * given anywhere. */
ls_status ls_exp_sweep_setup(ls_exp_sweep *x, const ls_exp_sweep_args *a, ls_sweep_opts *o,
                             ls_error *err);
/* Run this process's share of o's jobs (one job per thread, BLAS single-threaded, no
 * nested OpenMP inside a job), on the CPU or in GPU batches. For that it sets, for the
 * whole process, OpenBLAS to one thread and OpenMP's max active levels to 1. */
ls_status ls_exp_sweep_share(ls_exp_sweep *x, const ls_sweep_opts *o, int cuda,
                             ls_sweep_stats *st, ls_error *err);

/* What a whole sweep did. */
typedef struct {
  ls_sweep_stats stats;
  double wall_s;       /* seconds of the runs (not reproducible) */
  char summary[4200];  /* DIR/summary.csv */
} ls_exp_sweep_result;

/* Load a->config, then prepare, run and summarise the sweep in a->dir in this process.
 * On a run error, res->stats.unfinished counts the runs --resume would retry. */
ls_status ls_exp_sweep_run(const ls_exp_sweep_args *a, ls_exp_sweep_result *res,
                           ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
