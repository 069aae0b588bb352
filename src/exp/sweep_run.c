/* The sweep runner: pending (width, seed) jobs over OpenMP threads, each finished run
 * written atomically before the thread takes the next job. */
#include <math.h>
#include <stdio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "landsym/io.h"
#include "landsym/sweep.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Job j of the canonical order: seed-major, widths in config order, so that the first
 * seeds of every width finish first. */
static void task_of(const ls_sweep_opts *o, long j, ls_sweep_task *t) {
  t->index = j;
  t->width_index = (int)(j % o->n_widths);
  t->width = o->widths[t->width_index];
  t->seed = o->first_seed + j / o->n_widths;
}

/* 1 when the run's record exists and matches the task (then *r is filled). */
/* A record counts only when it reads strictly (ls_sweep_run_read) and, for a run that did
 * not fail, its parameters read back whole: a truncated .npy is run again. */
static int run_finished(const ls_sweep_opts *o, const ls_sweep_task *t, ls_seed_result *r) {
  char path[4096];
  if (ls_sweep_run_path(o->dir, t->width, t->seed, ".json", path, sizeof path, NULL)) return 0;
  if (ls_sweep_run_read(path, r, NULL)) return 0;
  if (r->width != t->width || r->seed != t->seed) return 0;
  if (r->has_params) {
    double *th = NULL;
    int nd;
    size_t shape[2];
    if (ls_sweep_run_path(o->dir, t->width, t->seed, ".npy", path, sizeof path, NULL) ||
        ls_npy_read(path, &th, &nd, shape, NULL))
      return 0;
    free(th);
  }
  return 1;
}

static int is_failed(const ls_seed_result *r) { return !strcmp(r->stop, "failed"); }

/* Run one job and record it. LS_ERR_COMPUTE from the job is recorded as a finished run
 * (stop "failed"): it would fail again on every retry. */
static ls_status run_one(const ls_sweep_opts *o, ls_sweep_job job, void *ctx,
                         const ls_sweep_task *t, ls_seed_result *r, ls_error *e) {
  memset(r, 0, sizeof *r);
  r->loss = r->grad_inf = NAN;
  double t0 = now_s();
  ls_status s = job(ctx, t, r, e);
  r->time_s = now_s() - t0;
  r->width = t->width;
  r->seed = t->seed;
  if (s == LS_ERR_COMPUTE) {
    snprintf(r->reason, sizeof r->reason, "%s", e && e->msg[0] ? e->msg : "computation failed");
    snprintf(r->stop, sizeof r->stop, "failed");
    r->converged = 0;
    s = LS_OK;
  } else if (s == LS_OK && (!isfinite(r->loss) || !strcmp(r->stop, "nan"))) {
    /* the trainer stopped on a non-finite loss (e.g. init_scale 1e154): a failed run, as
     * docs/sweep.md promises, not a finished one; its parameters are not kept */
    snprintf(r->reason, sizeof r->reason, "non-finite loss (trainer stop: %s)",
             r->stop[0] ? r->stop : "none");
    snprintf(r->stop, sizeof r->stop, "failed");
    r->converged = 0;
    r->loss = r->grad_inf = NAN;
    free(r->params);
    r->params = NULL;
  }
  for (char *c = r->reason; *c; c++)
    if (*c == '\n' || *c == '\r') *c = ' ';
  /* The stop reason becomes a CSV field: keep it one token. */
  for (char *c = r->stop; *c; c++)
    if (*c == ',' || *c == '\n' || *c == '"' || *c == '\r') *c = '_';
  if (!r->stop[0]) snprintf(r->stop, sizeof r->stop, "unknown");
  if (s == LS_OK) s = ls_sweep_run_write(o->dir, r, e);
  free(r->params);
  r->params = NULL;
  return s;
}

ls_status ls_sweep_run(const ls_sweep_opts *o, ls_sweep_job job, void *job_ctx,
                       ls_sweep_stats *stats, ls_error *err) {
  memset(stats, 0, sizeof *stats);
  ls_status s = ls_sweep_opts_validate(o, err);
  if (s) return s;
  double t0 = now_s();
  long njobs = o->n_seeds * o->n_widths;
  long share = njobs / o->n_ranks + 1;
  long *pending = malloc((size_t)share * sizeof *pending);
  if (!pending) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld jobs", njobs);
  long np = 0;
  /* Static split over ranks: round-robin, so every rank gets every width. */
  for (long j = o->rank; j < njobs; j += o->n_ranks) {
    ls_sweep_task t;
    ls_seed_result r;
    task_of(o, j, &t);
    stats->total++;
    if (run_finished(o, &t, &r)) {
      stats->skipped++;
      stats->converged += r.converged;
      stats->failed += is_failed(&r);
    } else {
      pending[np++] = j;
    }
  }
  ls_sweep_progress p = {stats->skipped, stats->total, stats->skipped, stats->converged,
                         stats->failed, 0.0};
  if (o->progress) o->progress(o->progress_ctx, &p);

  int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
  int stop_all = 0;
  ls_status first = LS_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (long k = 0; k < np; k++) {
    int halt;
#pragma omp atomic read
    halt = stop_all;
    if (halt) continue;
    /* Jobs are single-threaded: parallel regions inside a job (engine, trainer) get one
     * thread. This ICV belongs to this thread's implicit task only. */
    omp_set_num_threads(1);
    ls_sweep_task t;
    ls_seed_result r;
    ls_error e = {LS_OK, ""};
    task_of(o, pending[k], &t);
    ls_status sk = run_one(o, job, job_ctx, &t, &r, &e);
#pragma omp critical(ls_sweep_progress)
    {
      if (sk == LS_OK) {
        stats->ran++;
        stats->converged += r.converged;
        stats->failed += is_failed(&r);
        p.done++;
        p.converged = stats->converged;
        p.failed = stats->failed;
        p.elapsed_s = now_s() - t0;
        if (o->progress) o->progress(o->progress_ctx, &p);
      } else {
        stats->unfinished++;
        if (first == LS_OK) {
          first = sk;
          if (err) *err = e;
          ls_error_prefix(err, "run w%d_s%ld", t.width, t.seed);
        }
        /* Input, I/O and memory errors would repeat on every run: stop taking jobs. */
#pragma omp atomic write
        stop_all = 1;
      }
    }
  }
  /* Jobs skipped after a stop are unfinished too. */
  stats->unfinished = stats->total - stats->skipped - stats->ran;
  stats->elapsed_s = now_s() - t0;
  free(pending);
  return first;
}
