/* summary.csv and timings.csv of a sweep, built from the run records. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/sweep_io.h"
#include "landsym/io.h"
#include "landsym/sweep.h"

/* Growable text buffer. */
typedef struct {
  char *s;
  size_t n, cap;
  int oom;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      b->oom = 1;
      return;
    }
    if (b->s && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return;
    }
    size_t cap = b->cap ? 2 * b->cap : 4096;
    while (cap <= b->n + (size_t)k) cap *= 2;
    char *t = realloc(b->s, cap);
    if (!t) {
      b->oom = 1;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
}

/* %.17g reads back bit for bit; non-finite values as nan / inf / -inf. */
static void sb_real(strbuf *b, double x) {
  if (isnan(x))
    sb_printf(b, "nan");
  else if (isinf(x))
    sb_printf(b, x > 0 ? "inf" : "-inf");
  else
    sb_printf(b, "%.17g", x);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

ls_status ls_sweep_summarize(const ls_sweep_opts *o, ls_error *err) {
  ls_status s = ls_sweep_opts_validate(o, err);
  if (s) return s;
  /* Rows sorted by width, then seed: independent of the order runs finished in. */
  int widths[LS_SWEEP_MAX_WIDTHS];
  memcpy(widths, o->widths, (size_t)o->n_widths * sizeof *widths);
  qsort(widths, (size_t)o->n_widths, sizeof *widths, cmp_int);
  strbuf sum = {0}, tim = {0};
  sb_printf(&sum, "width,seed,loss,grad_inf,stop,converged,iterations\n");
  sb_printf(&tim, "width,seed,time_s\n");
  long missing = 0;
  char first_missing[4096] = "";
  for (int i = 0; i < o->n_widths; i++) {
    for (long k = 0; k < o->n_seeds; k++) {
      long seed = o->first_seed + k;
      char path[4096];
      ls_seed_result r;
      if ((s = ls_sweep_run_path(o->dir, widths[i], seed, ".json", path, sizeof path, err)))
        goto done;
      if (ls_sweep_run_read(path, &r, NULL) || r.width != widths[i] || r.seed != seed) {
        if (!missing++) snprintf(first_missing, sizeof first_missing, "%s", path);
        continue;
      }
      sb_printf(&sum, "%d,%ld,", r.width, r.seed);
      sb_real(&sum, r.loss);
      sb_printf(&sum, ",");
      sb_real(&sum, r.grad_inf);
      sb_printf(&sum, ",%s,%d,%ld\n", r.stop, r.converged, r.iterations);
      sb_printf(&tim, "%d,%ld,", r.width, r.seed);
      sb_real(&tim, r.time_s);
      sb_printf(&tim, "\n");
    }
  }
  if (missing) {
    s = ls_error_set(err, LS_ERR_COMPUTE,
                     "%ld of %ld runs are not finished (first: %s); run again with --resume",
                     missing, o->n_seeds * o->n_widths, first_missing);
    goto done;
  }
  if (sum.oom || tim.oom) {
    s = ls_error_set(err, LS_ERR_NOMEM, "out of memory writing the summary");
    goto done;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.csv", o->dir);
  if ((s = ls_file_write_atomic(path, sum.s, sum.n, err))) goto done;
  snprintf(path, sizeof path, "%s/timings.csv", o->dir);
  s = ls_file_write_atomic(path, tim.s, tim.n, err);
done:
  free(sum.s);
  free(tim.s);
  return s;
}
