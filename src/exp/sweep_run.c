/* The sweep runner: pending (width, seed) jobs over OpenMP threads, each finished run
 * written atomically before the thread takes the next job. */
#include <math.h>
#include <stdio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/core.h"
#include "landsym/io.h"
#include "landsym/sweep.h"

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

static ls_status record_one(const ls_sweep_opts *o, const ls_sweep_task *t, ls_seed_result *r,
                            ls_status s, ls_error *e);

/* Run one job and record it. LS_ERR_COMPUTE from the job is recorded as a finished run
 * (stop "failed"): it would fail again on every retry. */
static ls_status run_one(const ls_sweep_opts *o, ls_sweep_job job, void *ctx,
                         const ls_sweep_task *t, ls_seed_result *r, ls_error *e) {
  memset(r, 0, sizeof *r);
  r->loss = r->grad_inf = NAN;
  double t0 = ls_clock_seconds();
  ls_status s = job(ctx, t, r, e);
  r->time_s = ls_clock_seconds() - t0;
  return record_one(o, t, r, s, e);
}

/* Record a job's result r (status s of the job): a failure that would repeat is recorded
 * as stop "failed"; frees r->params. */
static ls_status record_one(const ls_sweep_opts *o, const ls_sweep_task *t, ls_seed_result *r,
                            ls_status s, ls_error *e) {
  r->width = t->width;
  r->seed = t->seed;
  if (s == LS_ERR_COMPUTE) {
    /* the error message (up to 1 KiB) is cut to the record's reason field */
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1,
             e && e->msg[0] ? e->msg : "computation failed");
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

/* The jobs of this rank's share (round-robin over ranks, so every rank gets every width),
 * in job order or, with by_width, width after width: finished runs are counted in stats
 * (resume), the others stored in pending[] (room for njobs / n_ranks + 1); returns their
 * count and reports the starting progress. */
static long pending_tasks(const ls_sweep_opts *o, int by_width, ls_sweep_task *pending,
                          ls_sweep_stats *stats, ls_sweep_progress *p) {
  long njobs = o->n_seeds * o->n_widths, np = 0;
  for (int wi = 0; wi < (by_width ? o->n_widths : 1); wi++)
    for (long j = by_width ? wi : 0; j < njobs; j += by_width ? o->n_widths : 1) {
      if (j % o->n_ranks != o->rank) continue;
      ls_sweep_task t;
      ls_seed_result r;
      task_of(o, j, &t);
      stats->total++;
      if (run_finished(o, &t, &r)) {
        stats->skipped++;
        stats->converged += r.converged;
        stats->failed += is_failed(&r);
      } else {
        pending[np++] = t;
      }
    }
  *p = (ls_sweep_progress){stats->skipped, stats->total, stats->skipped, stats->converged,
                           stats->failed, 0.0};
  if (o->progress) o->progress(o->progress_ctx, p);
  return np;
}

ls_status ls_sweep_run(const ls_sweep_opts *o, ls_sweep_job job, void *job_ctx,
                       ls_sweep_stats *stats, ls_error *err) {
  memset(stats, 0, sizeof *stats);
  ls_status s = ls_sweep_opts_validate(o, err);
  if (s) return s;
  double t0 = ls_clock_seconds();
  long njobs = o->n_seeds * o->n_widths;
  ls_sweep_task *pending = malloc(((size_t)(njobs / o->n_ranks) + 1) * sizeof *pending);
  if (!pending) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld jobs", njobs);
  ls_sweep_progress p;
  long np = pending_tasks(o, 0, pending, stats, &p);

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
    ls_sweep_task t = pending[k];
    ls_seed_result r;
    ls_error e = {LS_OK, ""};
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
        p.elapsed_s = ls_clock_seconds() - t0;
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
  stats->elapsed_s = ls_clock_seconds() - t0;
  free(pending);
  return first;
}

/* Batched runner (sweep.h): the pending jobs of this share, grouped by width in the
 * canonical order, go to the batch job `batch` at a time; the results of a batch are
 * recorded over the OpenMP threads. */
ls_status ls_sweep_run_batched(const ls_sweep_opts *o, size_t batch, ls_sweep_batch_job job,
                               void *job_ctx, ls_sweep_stats *stats, ls_error *err) {
  memset(stats, 0, sizeof *stats);
  ls_status s = ls_sweep_opts_validate(o, err);
  if (s) return s;
  if (batch < 1) batch = 1;
  double t0 = ls_clock_seconds();
  long njobs = o->n_seeds * o->n_widths;
  ls_sweep_task *pending = malloc(((size_t)(njobs / o->n_ranks) + 1) * sizeof *pending);
  ls_seed_result *res = malloc(batch * sizeof *res);
  if (!pending || !res) {
    free(pending), free(res);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld jobs", njobs);
  }
  ls_sweep_progress p;
  long np = pending_tasks(o, 1, pending, stats, &p);
  int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
  ls_status first = LS_OK;
  for (long k0 = 0; k0 < np && first == LS_OK;) {
    /* one batch: consecutive pending tasks of one width */
    size_t n = 1;
    while (n < batch && k0 + (long)n < np && pending[k0 + n].width == pending[k0].width) n++;
    memset(res, 0, n * sizeof *res);
    for (size_t i = 0; i < n; i++) res[i].loss = res[i].grad_inf = NAN, res[i].time_s = -1;
    double tb = ls_clock_seconds();
    ls_error e = {LS_OK, ""};
    ls_status sb = job(job_ctx, pending + k0, n, res, &e);
    double per = (ls_clock_seconds() - tb) / (double)n;
    if (sb != LS_OK && sb != LS_ERR_COMPUTE) {
      for (size_t i = 0; i < n; i++) free(res[i].params);
      first = sb;
      if (err) *err = e;
      ls_error_prefix(err, "batch of %zu runs from w%d_s%ld", n, pending[k0].width,
                      pending[k0].seed);
      break;
    }
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (size_t i = 0; i < n; i++) {
      ls_error ei = {LS_OK, ""};
      if (res[i].time_s < 0) res[i].time_s = per;
      ls_status si = record_one(o, pending + k0 + i, res + i, sb, &ei);
#pragma omp critical(ls_sweep_progress)
      {
        if (si == LS_OK) {
          stats->ran++;
          stats->converged += res[i].converged;
          stats->failed += is_failed(res + i);
        } else if (first == LS_OK) {
          first = si;
          if (err) *err = ei;
          ls_error_prefix(err, "run w%d_s%ld", pending[k0 + i].width, pending[k0 + i].seed);
        }
      }
    }
    k0 += (long)n;
    p.done = stats->skipped + stats->ran;
    p.converged = stats->converged;
    p.failed = stats->failed;
    p.elapsed_s = ls_clock_seconds() - t0;
    if (o->progress) o->progress(o->progress_ctx, &p);
  }
  stats->unfinished = stats->total - stats->skipped - stats->ran;
  stats->elapsed_s = ls_clock_seconds() - t0;
  free(pending), free(res);
  return first;
}
