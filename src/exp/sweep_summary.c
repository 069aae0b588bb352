/* summary.csv and timings.csv of a sweep, built from the run records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/sweep_io.h"
#include "landsym/io.h"
#include "landsym/out.h"
#include "landsym/sweep.h"

/* One run's rows: summary.csv (reproducible columns) and timings.csv. Numbers with %.17g
 * (they read back bit for bit), non-finite ones as nan / inf / -inf (ls_csv). */
static void add_run(ls_csv *sum, ls_csv *tim, const ls_seed_result *r) {
  ls_csv_int(sum, r->width), ls_csv_int(sum, r->seed);
  ls_csv_num(sum, r->loss), ls_csv_num(sum, r->grad_inf);
  ls_csv_str(sum, r->stop);
  ls_csv_int(sum, r->converged), ls_csv_int(sum, r->iterations);
  ls_csv_end(sum);
  ls_csv_int(tim, r->width), ls_csv_int(tim, r->seed), ls_csv_num(tim, r->time_s);
  ls_csv_end(tim);
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
  ls_csv sum = {0}, tim = {0};
  ls_csv_header(&sum, "width,seed,loss,grad_inf,stop,converged,iterations");
  ls_csv_header(&tim, "width,seed,time_s");
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
      add_run(&sum, &tim, &r);
    }
  }
  if (missing) {
    s = ls_error_set(err, LS_ERR_COMPUTE,
                     "%ld of %ld runs are not finished (first: %s); run again with --resume",
                     missing, o->n_seeds * o->n_widths, first_missing);
    goto done;
  }
  char *ps = ls_path_join(o->dir, "summary.csv"), *pt = ls_path_join(o->dir, "timings.csv");
  if (!ps || !pt) s = ls_error_set(err, LS_ERR_NOMEM, "out of memory writing the summary");
  if (!s) s = ls_csv_save(&sum, ps, err);
  if (!s) s = ls_csv_save(&tim, pt, err);
  free(ps), free(pt);
done:
  ls_csv_free(&sum);
  ls_csv_free(&tim);
  return s;
}
