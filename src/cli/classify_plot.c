/* Figures of `landsym classify`: loss curves by regime (Simsek figure 1c/1e), neuron group
 * sizes (figure 5 right), smallest Hessian eigenvalue against loss (thesis figure 6.3),
 * smallest distance between two neurons (thesis figure 6.7). Each figure is NAME.dat +
 * NAME.gp (kept, so users can restyle) rendered by gnuplot to NAME.png and NAME.svg. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/classify_sweep.h"
#include "landsym/io.h"

/* Growing text buffer. */
typedef struct {
  char *p;
  size_t n, cap;
  int oom;
} text;

static void tx(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void tx(text *t, const char *fmt, ...) {
  if (t->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      t->oom = 1;
      return;
    }
    if (t->p && t->n + (size_t)k < t->cap) {
      t->n += (size_t)k;
      return;
    }
    size_t cap = (t->cap ? 2 * t->cap : 4096) + (size_t)k;
    char *q = realloc(t->p, cap);
    if (!q) {
      t->oom = 1;
      return;
    }
    t->p = q, t->cap = cap;
  }
}

static ls_status write_text(const char *dir, const char *name, text *t, ls_error *err) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (t->oom) return ls_error_set(err, LS_ERR_NOMEM, "out of memory writing %s", path);
  ls_status st = ls_file_write_atomic(path, t->p ? t->p : "", t->n, err);
  free(t->p);
  memset(t, 0, sizeof *t);
  return st;
}

/* Header of every .gp: output names from `outbase`, PNG then SVG via replot. */
static void gp_head(text *g, const char *base, const char *title) {
  tx(g, "# %s (landsym classify). Run: gnuplot %s.gp\n", title, base);
  tx(g, "if (!exists(\"outbase\")) outbase = \"%s\"\n", base);
  tx(g, "set terminal pngcairo size 900,560\nset output outbase.\".png\"\n");
  tx(g, "set title \"%s\"\nset grid\n", title);
}

static void gp_tail(text *g) {
  tx(g, "set terminal svg size 900,560\nset output outbase.\".svg\"\nreplot\n");
}

/* Write NAME.gp and render it to NAME.png / NAME.svg through temporary names. */
static ls_status render(const char *dir, const char *base, text *g, ls_error *err) {
  char name[256];
  snprintf(name, sizeof name, "%s.gp", base);
  ls_status st = write_text(dir, name, g, err);
  if (st) return st;
  char cmd[8600];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && gnuplot -e 'outbase=\".%s.tmp\"' %s.gp >/dev/null 2>&1 && "
           "mv .%s.tmp.png %s.png && mv .%s.tmp.svg %s.svg",
           dir, base, base, base, base, base, base);
  if (system(cmd) != 0) {
    char p[4400];
    snprintf(p, sizeof p, "%s/.%s.tmp.png", dir, base), unlink(p);
    snprintf(p, sizeof p, "%s/.%s.tmp.svg", dir, base), unlink(p);
    return ls_error_set(err, LS_ERR_COMPUTE, "gnuplot failed to draw %s/%s.gp (is gnuplot "
                        "installed?)", dir, base);
  }
  return LS_OK;
}

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                      "#8c564b"};
#define N_COLOURS 6

/* Simsek figure 1c/1e: loss curves of every seed, one colour per student width. Needs the
 * trajectories the sweep writes with "sweep": {"trajectory": true}. */
static ls_status fig_loss_curves(const cli_classify_opts *o, const cli_classified_sweep *s,
                                 ls_error *err) {
  text d = {0}, g = {0};
  int any = 0;
  tx(&d, "# iteration+1 loss; one block (two blank lines) per width, one line per seed\n");
  for (int w = 0; w < s->n_widths; w++) {
    tx(&d, "# width %d\n", s->widths[w]);
    for (long i = 0; i < s->n_runs; i++) {
      const cli_classified_run *r = &s->runs[i];
      if (r->width != s->widths[w]) continue;
      char path[4200];
      snprintf(path, sizeof path, "%s/runs/w%d_s%ld.traj.csv", o->dir, r->width, r->seed);
      if (access(path, R_OK) != 0) continue;
      double *rows = NULL;
      size_t nr = 0, nc = 0;
      ls_error e2;
      if (ls_csv_read(path, &rows, &nr, &nc, &e2) || nc < 2) {
        free(rows);
        continue;
      }
      for (size_t k = 0; k < nr; k++)
        if (rows[k * nc + 1] > 0) tx(&d, "%.6g %.6g\n", rows[k * nc] + 1, rows[k * nc + 1]);
      tx(&d, "\n");
      any = 1;
      free(rows);
    }
    tx(&d, "\n");
  }
  if (!any) {
    free(d.p);
    return LS_OK; /* no trajectories in this sweep */
  }
  ls_status st = write_text(o->out, "loss_curves.dat", &d, err);
  if (st) return st;
  gp_head(&g, "loss_curves", "training loss of every seed by student width");
  tx(&g, "set logscale xy\nset format y \"10^{%%L}\"\nset format x \"10^{%%L}\"\n"
         "set xlabel \"iteration + 1\"\nset ylabel \"loss\"\nset key top right\nplot ");
  for (int w = 0; w < s->n_widths; w++)
    tx(&g, "%s\"loss_curves.dat\" index %d using 1:2 with lines lw 1 lc rgb \"%s\" title \"width %d\"",
       w ? ", " : "", w, colours[w % N_COLOURS], s->widths[w]);
  tx(&g, "\n");
  gp_tail(&g);
  return render(o->out, "loss_curves", &g, err);
}

/* Simsek figure 5 right: hidden neurons of the global minima grouped by group size, as
 * copies of teacher neurons and as zero-type neurons (counts of neurons). */
static ls_status fig_groups(const cli_classify_opts *o, const cli_classified_sweep *s,
                            ls_error *err) {
  int maxs = 1;
  for (long i = 0; i < s->n_runs; i++)
    for (int g = 0; g < s->runs[i].res.n_groups; g++)
      if (s->runs[i].res.groups[g].size > maxs) maxs = s->runs[i].res.groups[g].size;
  long *copy = calloc((size_t)maxs + 1, sizeof *copy), *zero = calloc((size_t)maxs + 1, sizeof *zero);
  if (!copy || !zero) {
    free(copy), free(zero);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  long nruns = 0;
  for (long i = 0; i < s->n_runs; i++) {
    const ls_classify_result *r = &s->runs[i].res;
    if (r->cls != LS_CLASS_GLOBAL) continue;
    nruns++;
    for (int g = 0; g < r->n_groups; g++)
      (r->groups[g].zero_type ? zero : copy)[r->groups[g].size] += r->groups[g].size;
  }
  text d = {0}, g = {0};
  tx(&d, "# group_size neurons_in_teacher_copy_groups neurons_in_zero_type_groups (%ld global "
         "minima)\n", nruns);
  for (int k = 1; k <= maxs; k++) tx(&d, "%d %ld %ld\n", k, copy[k], zero[k]);
  free(copy), free(zero);
  ls_status st = write_text(o->out, "neuron_groups.dat", &d, err);
  if (st) return st;
  char title[256];
  snprintf(title, sizeof title, "hidden neurons of %ld global minima by group size", nruns);
  gp_head(&g, "neuron_groups", title);
  tx(&g, "set style data histograms\nset style histogram clustered gap 1\n"
         "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
         "set xlabel \"group size\"\nset ylabel \"neurons\"\nset yrange [0:*]\n"
         "plot \"neuron_groups.dat\" using 2:xtic(1) title \"copies of teacher neurons\" lc rgb "
         "\"#1f77b4\", \"\" using 3 title \"zero-type neurons\" lc rgb \"#d62728\"\n");
  gp_tail(&g);
  return render(o->out, "neuron_groups", &g, err);
}

/* Thesis figure 6.3: smallest Hessian eigenvalue against the loss, one colour per class. */
static ls_status fig_eig_loss(const cli_classify_opts *o, const cli_classified_sweep *s,
                              ls_error *err) {
  text d = {0}, g = {0};
  tx(&d, "# loss smallest_eigenvalue width seed; one block (two blank lines) per class\n");
  for (int c = 0; c < LS_CLASS_COUNT; c++) {
    tx(&d, "# %s\n", ls_class_name((ls_class_kind)c));
    int n = 0;
    for (long i = 0; i < s->n_runs; i++) {
      const cli_classified_run *r = &s->runs[i];
      if ((int)r->res.cls != c || r->res.n_eig < 1 || !(r->res.loss > 0)) continue;
      tx(&d, "%.6g %.6g %d %ld\n", r->res.loss, r->res.eig[0], r->width, r->seed);
      n++;
    }
    if (!n) tx(&d, "nan nan 0 0\n"); /* keep the block so that indices stay fixed */
    tx(&d, "\n\n");
  }
  ls_status st = write_text(o->out, "eig_vs_loss.dat", &d, err);
  if (st) return st;
  gp_head(&g, "eig_vs_loss", "smallest Hessian eigenvalue against the loss");
  tx(&g, "set logscale x\nset format x \"10^{%%L}\"\nset format y \"%%.1e\"\n"
         "set xlabel \"loss\"\nset ylabel \"smallest Hessian eigenvalue\"\nset key outside\nplot ");
  for (int c = 0; c < LS_CLASS_COUNT; c++)
    tx(&g, "%s\"eig_vs_loss.dat\" index %d using 1:2 with points pt 7 ps 0.6 lc rgb \"%s\" "
           "title \"%s\" noenhanced", c ? ", " : "", c, colours[c % N_COLOURS],
       ls_class_name((ls_class_kind)c));
  tx(&g, "\n");
  gp_tail(&g);
  return render(o->out, "eig_vs_loss", &g, err);
}

/* Row of the certified table (docs/classify.md) that a run counts in. */
enum { ROW_GLOBAL, ROW_SYM_MIN, ROW_SYM_SADDLE, ROW_LOCAL, ROW_SADDLE, ROW_CHANNEL,
       ROW_UNEXPLAINED, N_ROWS };
static const char *const row_names[N_ROWS] = {
    "global minima", "symmetry-induced minima", "symmetry-induced saddles",
    "finite local minima", "saddles (irreducible)", "channels", "unexplained"};
static int cert_row(const ls_classify_result *r) {
  if (!strcmp(ls_class_name(r->cls), "channel")) return ROW_CHANNEL;
  switch (r->cls) {
  case LS_CLASS_GLOBAL: return ROW_GLOBAL;
  case LS_CLASS_SYMMETRY: return ROW_SYM_MIN;
  case LS_CLASS_LOCAL: return ROW_LOCAL;
  case LS_CLASS_SADDLE: return r->sym_induced ? ROW_SYM_SADDLE : ROW_SADDLE;
  default: return ROW_UNEXPLAINED;
  }
}

/* Table 6.1 as a figure: runs per certified row, one bar per student width. */
static ls_status fig_certified(const cli_classify_opts *o, const cli_classified_sweep *s,
                               ls_error *err) {
  long cnt[N_ROWS][LS_SWEEP_MAX_WIDTHS];
  memset(cnt, 0, sizeof cnt);
  for (long i = 0; i < s->n_runs; i++)
    for (int w = 0; w < s->n_widths; w++)
      if (s->runs[i].width == s->widths[w]) cnt[cert_row(&s->runs[i].res)][w]++;
  text d = {0}, g = {0};
  tx(&d, "# row");
  for (int w = 0; w < s->n_widths; w++) tx(&d, " width_%d", s->widths[w]);
  tx(&d, "\n");
  for (int k = 0; k < N_ROWS; k++) {
    tx(&d, "\"%s\"", row_names[k]);
    for (int w = 0; w < s->n_widths; w++) tx(&d, " %ld", cnt[k][w]);
    tx(&d, "\n");
  }
  ls_status st = write_text(o->out, "certified_table.dat", &d, err);
  if (st) return st;
  gp_head(&g, "certified_table", "runs by certificate (table 6.1, certified)");
  tx(&g, "set style data histogram\nset style histogram clustered gap 1\n"
         "set style fill solid 0.8 border -1\nset yrange [0:*]\nset ylabel \"runs\"\n"
         "set xtics rotate by -30 noenhanced\nset key top right\nplot ");
  for (int w = 0; w < s->n_widths; w++)
    tx(&g, "%s\"certified_table.dat\" using %d:xtic(1) lc rgb \"%s\" title \"width %d\"",
       w ? ", " : "", w + 2, colours[w % N_COLOURS], s->widths[w]);
  tx(&g, "\n");
  gp_tail(&g);
  return render(o->out, "certified_table", &g, err);
}

/* Thesis figure 6.7: histogram of the smallest distance between two neurons, over the
 * converged runs that are not global minima. */
static ls_status fig_min_dist(const cli_classify_opts *o, const cli_classified_sweep *s,
                              ls_error *err) {
  enum { NB = 40 };
  double mx = 0;
  long n = 0, cnt[NB] = {0};
  for (long i = 0; i < s->n_runs; i++) {
    const ls_classify_result *r = &s->runs[i].res;
    if ((r->cls == LS_CLASS_SYMMETRY || r->cls == LS_CLASS_LOCAL || r->cls == LS_CLASS_SADDLE) &&
        isfinite(r->min_neuron_dist))
      mx = fmax(mx, r->min_neuron_dist), n++;
  }
  double bw = mx > 0 ? mx / NB : 1.0 / NB;
  for (long i = 0; i < s->n_runs; i++) {
    const ls_classify_result *r = &s->runs[i].res;
    if ((r->cls == LS_CLASS_SYMMETRY || r->cls == LS_CLASS_LOCAL || r->cls == LS_CLASS_SADDLE) &&
        isfinite(r->min_neuron_dist)) {
      int b = (int)(r->min_neuron_dist / bw);
      cnt[b >= NB ? NB - 1 : b]++;
    }
  }
  text d = {0}, g = {0};
  tx(&d, "# bin_centre count (smallest distance between the incoming weights of two neurons; "
         "%ld non-global converged runs)\n", n);
  for (int b = 0; b < NB; b++) tx(&d, "%.6g %ld\n", (b + 0.5) * bw, cnt[b]);
  ls_status st = write_text(o->out, "min_neuron_distance.dat", &d, err);
  if (st) return st;
  char title[256];
  snprintf(title, sizeof title, "smallest distance between two neurons (%ld local minima and "
           "saddles)", n);
  gp_head(&g, "min_neuron_distance", title);
  tx(&g, "set style fill solid 0.8 border -1\nset boxwidth %.6g\nset yrange [0:*]\n"
         "set xlabel \"smallest distance between two neurons\"\nset ylabel \"runs\"\n"
         "set key off\nplot \"min_neuron_distance.dat\" using 1:2 with boxes lc rgb \"#1f77b4\"\n",
     bw);
  gp_tail(&g);
  return render(o->out, "min_neuron_distance", &g, err);
}

ls_status cli_classify_write_figures(const cli_classify_opts *o, const cli_classified_sweep *s,
                                     ls_error *err) {
  ls_status st;
  if ((st = fig_loss_curves(o, s, err)) || (st = fig_groups(o, s, err)) ||
      (st = fig_eig_loss(o, s, err)) || (st = fig_min_dist(o, s, err)) ||
      (st = fig_certified(o, s, err)))
    return st;
  return LS_OK;
}
