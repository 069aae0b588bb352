/* landsym: seed sweeps of a teacher-student experiment.
 *
 * A sweep runs one job per (student width, seed) pair. Each job is single-threaded and
 * fully determined by (config, seed, width), so the results do not depend on how jobs
 * are spread over OpenMP threads or MPI ranks. Layout of a sweep directory DIR:
 *
 *   DIR/sweep.json              manifest: version, config copy, seeds, first seed, widths
 *   DIR/runs/w<W>_s<S>.npy      final parameters of a finished run (written first)
 *   DIR/runs/w<W>_s<S>.json     record of a finished run (written last: its presence
 *                               means "finished"; both files are written atomically)
 *   DIR/summary.csv             one row per (width, seed), sorted by width then seed,
 *                               only reproducible columns (byte-identical across
 *                               thread counts, ranks and interrupted + resumed sweeps)
 *   DIR/timings.csv             wall-clock seconds per run (not reproducible)
 *
 * The library never uses MPI: a process runs the share of jobs given by (rank, n_ranks)
 * and the caller synchronises processes (see src/cli/cmd_sweep.c). */
#ifndef LANDSYM_SWEEP_H
#define LANDSYM_SWEEP_H

#include <jansson.h>
#include <stddef.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LS_SWEEP_MAX_WIDTHS 64
#define LS_SWEEP_STOP_LEN 32

/* One job of a sweep. index is the position in the canonical job order
 * (seed-major: j = (seed - first_seed) * n_widths + width_index). */
typedef struct {
  long seed;
  int width;
  int width_index;
  long index;
} ls_sweep_task;

/* What a job reports. The job fills everything except time_s (set by the runner);
 * params is malloc'd by the job (or NULL) and freed by the runner. */
typedef struct {
  int width;
  long seed;
  double loss;                  /* final training loss (NaN allowed) */
  double grad_inf;              /* infinity norm of the final gradient */
  char stop[LS_SWEEP_STOP_LEN]; /* why training stopped: "converged", "max_steps", ... */
  int converged;                /* 1 when the trainer's convergence test held */
  long iterations;              /* steps taken (reproducible measure of work) */
  double time_s;                /* wall-clock seconds of the job (not reproducible) */
  double *params;
  size_t nparams;
  char reason[160];             /* stop "failed": why (the error, or "non-finite loss") */
  int has_params;               /* read from a record: it names a parameter file */
} ls_seed_result;

/* Per-seed job: return LS_OK with out filled. A job that fails for a reason that would
 * repeat on every retry (LS_ERR_COMPUTE: NaN, singular system) is recorded as a finished
 * run with stop "failed"; any other status (LS_ERR_IO, LS_ERR_NOMEM, LS_ERR_INPUT) leaves
 * the run unrecorded so that --resume retries it, and LS_ERR_INPUT stops the sweep.
 * Called concurrently from several threads: ctx must be read-only. */
typedef ls_status (*ls_sweep_job)(void *ctx, const ls_sweep_task *task, ls_seed_result *out,
                                  ls_error *err);

/* Progress after each finished job (serialised by the runner; called from worker
 * threads). done and total count this process's share, including runs found finished
 * at start (skipped); skipped says how many of done those are. */
typedef struct {
  long done, total, skipped, converged, failed;
  double elapsed_s; /* since ls_sweep_run started */
} ls_sweep_progress;
typedef void (*ls_sweep_progress_fn)(void *ctx, const ls_sweep_progress *p);

typedef struct {
  const char *dir;       /* output directory (created if missing) */
  const json_t *config;  /* whole experiment config, copied into the manifest */
  const char *input_dir; /* where the config's relative file names resolve (NULL: "."): the
                            files it names (data, teacher, parameters) are fingerprinted in
                            the manifest, and a resume refuses a changed one */
  const char *version;   /* landsym version, recorded in the manifest */
  long n_seeds;          /* seeds first_seed .. first_seed + n_seeds - 1 */
  long first_seed;
  int n_widths;
  int widths[LS_SWEEP_MAX_WIDTHS];
  int resume;            /* 1: DIR may hold this sweep already; finished runs are kept */
  int threads;           /* OpenMP threads; <= 0: omp_get_max_threads() */
  int rank, n_ranks;     /* this process runs jobs j with j % n_ranks == rank */
  ls_sweep_progress_fn progress;
  void *progress_ctx;
} ls_sweep_opts;

/* Defaults: one rank, first seed 1, no resume, default threads, no progress. */
void ls_sweep_opts_init(ls_sweep_opts *o);
ls_status ls_sweep_opts_validate(const ls_sweep_opts *o, ls_error *err);

/* Create DIR and DIR/runs (and missing parents, as mkdir -p), then either write the
 * manifest (new sweep) or check it against o (resume). LS_ERR_INPUT when DIR holds a sweep
 * and resume is off, or when the manifest differs from o (config, seeds, widths, version,
 * or an input file the config names whose size or FNV-1a 64 hash changed: the message
 * names the difference). Removes temporary files left by an interrupted sweep. Call it
 * once, before any process runs jobs. */
ls_status ls_sweep_prepare(const ls_sweep_opts *o, ls_error *err);

/* Outcome of ls_sweep_run for this process's share. */
typedef struct {
  long total;     /* jobs in this share */
  long skipped;   /* already finished at start */
  long ran;       /* finished by this call */
  long converged; /* converged among skipped + ran */
  long failed;    /* recorded with stop "failed" (skipped + ran) */
  long unfinished;/* not recorded (error); --resume retries them */
  double elapsed_s;
} ls_sweep_stats;

/* Run the pending jobs of this process's share over OpenMP threads (dynamic schedule,
 * one job per thread at a time). Each finished run is written before the next job on
 * that thread starts. Returns LS_OK when every job of the share is recorded; otherwise
 * the first error (its message names the run), with stats filled either way. */
ls_status ls_sweep_run(const ls_sweep_opts *o, ls_sweep_job job, void *job_ctx,
                       ls_sweep_stats *stats, ls_error *err);

/* A batch job runs n tasks of one width at once (e.g. on a GPU) and fills out[0..n-1] as
 * ls_sweep_job fills one result (params malloc'd or NULL, freed by the runner; time_s left
 * negative becomes the batch's wall time / n). LS_ERR_COMPUTE records every run of the
 * batch as "failed"; any other error leaves the batch unrecorded and stops the sweep. */
typedef ls_status (*ls_sweep_batch_job)(void *ctx, const ls_sweep_task *tasks, size_t n,
                                        ls_seed_result *out, ls_error *err);

/* Like ls_sweep_run, with the pending jobs of this share (grouped by width, seeds in order)
 * given to job in batches of at most `batch`; each batch's runs are written over the
 * threads before the next batch starts, so a killed sweep resumes as ls_sweep_run's does. */
ls_status ls_sweep_run_batched(const ls_sweep_opts *o, size_t batch, ls_sweep_batch_job job,
                               void *job_ctx, ls_sweep_stats *stats, ls_error *err);

/* Read every run of the manifest's (width, seed) grid and write DIR/summary.csv and
 * DIR/timings.csv atomically. LS_ERR_COMPUTE naming the count and the first missing run
 * when some run is not finished (nothing written then). */
ls_status ls_sweep_summarize(const ls_sweep_opts *o, ls_error *err);

/* What DIR/sweep.json records: the seeds, the widths and the experiment's config. */
typedef struct {
  long n_seeds, first_seed;
  int n_widths;
  int widths[LS_SWEEP_MAX_WIDTHS];
  json_t *config; /* the config copy (owned reference) */
} ls_sweep_manifest;

/* Read DIR/sweep.json. LS_ERR_INPUT when DIR holds no sweep or the manifest is malformed
 * (its numbers are checked before they size anything: seeds in 1..1e6, first_seed >= 0,
 * widths in 1..1e5). Free with ls_sweep_manifest_free. */
ls_status ls_sweep_manifest_read(const char *dir, ls_sweep_manifest *m, ls_error *err);
void ls_sweep_manifest_free(ls_sweep_manifest *m); /* accepts a zeroed struct */

/* "DIR/runs/w<width>_s<seed><ext>" into buf (ext ".json" or ".npy"). */
ls_status ls_sweep_run_path(const char *dir, int width, long seed, const char *ext, char *buf,
                            size_t len, ls_error *err);
/* Read a run record; LS_ERR_IO when absent, LS_ERR_INPUT when malformed.
 * out->params is left NULL. */
ls_status ls_sweep_run_read(const char *path, ls_seed_result *out, ls_error *err);
/* Write the run record (and params .npy if out->params) atomically, .npy first. */
ls_status ls_sweep_run_write(const char *dir, const ls_seed_result *r, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
