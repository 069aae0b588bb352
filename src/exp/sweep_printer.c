/* Progress of a sweep on stderr (landsym/exp_sweep.h). */
#include "landsym/exp_sweep.h"

#include <stdio.h>
#include <unistd.h>

void ls_sweep_printer_init(ls_sweep_printer *p, int quiet, const char *label) {
  p->quiet = quiet;
  p->tty = isatty(2);
  p->interval_s = 5.0;
  p->last_s = -1e300;
  p->drawn = 0;
  p->label = label ? label : "";
}

/* "1h02m", "3m05s", "12s" */
static void fmt_duration(char *buf, size_t len, double s) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60)
    snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
  else
    snprintf(buf, len, "%lds", t);
}

void ls_sweep_printer_update(void *ctx, const ls_sweep_progress *s) {
  ls_sweep_printer *p = ctx;
  if (p->quiet) return;
  int final = s->done >= s->total;
  double gap = p->tty ? 0.2 : p->interval_s;
  if (!final && s->elapsed_s - p->last_s < gap) return;
  p->last_s = s->elapsed_s;
  /* ETA from the runs finished by this process so far (skipped ones cost nothing). */
  long ran = s->done - s->skipped, left = s->total - s->done;
  char eta[32] = "?";
  if (final)
    fmt_duration(eta, sizeof eta, 0);
  else if (ran > 0)
    fmt_duration(eta, sizeof eta, s->elapsed_s / (double)ran * (double)left);
  char fail[32] = "";
  if (s->failed) snprintf(fail, sizeof fail, ", %ld failed", s->failed);
  if (p->tty) {
    enum { W = 30 };
    char bar[W + 1];
    int k = s->total ? (int)(W * s->done / s->total) : W;
    for (int i = 0; i < W; i++) bar[i] = i < k ? '#' : '.';
    bar[W] = 0;
    fprintf(stderr, "\r\033[K%s[%s] %ld/%ld, %ld converged%s, ETA %s", p->label, bar, s->done,
            s->total, s->converged, fail, eta);
    p->drawn = 1;
    if (final) ls_sweep_printer_end(p);
  } else {
    fprintf(stderr, "landsym sweep: %s%ld/%ld runs done, %ld converged%s, %.1f s, ETA %s\n",
            p->label, s->done, s->total, s->converged, fail, s->elapsed_s, eta);
  }
  fflush(stderr);
}

void ls_sweep_printer_end(ls_sweep_printer *p) {
  if (p->drawn) fputc('\n', stderr);
  p->drawn = 0;
}

void ls_sweep_printer_start(const ls_sweep_printer *p, const ls_exp_sweep *x,
                            const ls_sweep_opts *o, int n_ranks, int cuda) {
  if (p->quiet) return;
  fprintf(stderr, "landsym sweep: %s; %ld seed(s) x %d width(s) = %ld runs%s%s%s\n",
          ls_exp_sweep_describe(x), o->n_seeds, o->n_widths, o->n_seeds * o->n_widths,
          o->resume ? ", resuming" : "", n_ranks > 1 ? " over MPI ranks" : "",
          cuda ? " on the GPU" : "");
}

void ls_sweep_printer_done(const ls_sweep_printer *p, const ls_sweep_stats *all, double wall_s) {
  if (p->quiet) return;
  fprintf(stderr,
          "landsym sweep: %ld runs (%ld run now, %ld kept), %ld converged, %ld failed; "
          "%.2f s, %.2f runs/s\n",
          all->ran + all->skipped, all->ran, all->skipped, all->converged, all->failed, wall_s,
          wall_s > 0 ? (double)all->ran / wall_s : 0.0);
}
