/* Figures of a classified sweep (landsym/exp_classify.h): loss curves by regime (Simsek
 * figure 1c/1e), neuron group sizes (figure 5 right), smallest Hessian eigenvalue against
 * loss (thesis figure 6.3), smallest distance between two neurons (thesis figure 6.7),
 * runs by certificate. Each
 * figure goes through ls_figure_save: NAME.dat and NAME.gp kept beside NAME.png and
 * NAME.svg. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landsym/exp_classify.h"
#include "landsym/io.h"
#include "landsym/out.h"

/* Write NAME.dat (d) and NAME.gp through ls_figure_save: 900 x 560 pixels, the title as
 * the script's first comment and as the plot's title, a grid, then the body g. */
static ls_status figure(const ls_classify_dir_opts *o, const char *name, const char *title,
                        ls_buf *d, ls_buf *g, ls_error *err) {
  ls_buf body = {0}, head = {0};
  ls_buf_printf(&head, "%s (landsym classify)", title);
  ls_buf_printf(&body, "set title \"%s\"\nset grid\n", title);
  if (g->len) ls_buf_append(&body, g->s, g->s[g->len - 1] == '\n' ? g->len - 1 : g->len);
  ls_status st = ls_buf_status(d, err);
  if (!st) st = ls_buf_status(g, err);
  if (!st) st = ls_buf_status(&body, err);
  if (!st) st = ls_buf_status(&head, err);
  ls_figure f = {o->out, name, head.s, 900, 560, 0};
  if (!st) st = ls_figure_save(&f, d->s ? d->s : "", d->len, body.len ? body.s : "", err);
  ls_buf_free(&body), ls_buf_free(&head), ls_buf_free(d), ls_buf_free(g);
  return st;
}

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                      "#8c564b"};
#define N_COLOURS 6

/* Simsek figure 1c/1e: loss curves of every seed, one colour per student width. Needs the
 * trajectories the sweep writes with "sweep": {"trajectory": true}. */
static ls_status fig_loss_curves(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                                 ls_error *err) {
  ls_buf d = {0}, g = {0};
  int any = 0;
  ls_buf_printf(&d, "# iteration+1 loss; one block (two blank lines) per width, one line per seed\n");
  for (int w = 0; w < s->n_widths; w++) {
    ls_buf_printf(&d, "# width %d\n", s->widths[w]);
    for (long i = 0; i < s->n_runs; i++) {
      const ls_classified_run *r = &s->runs[i];
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
        if (rows[k * nc + 1] > 0) ls_buf_printf(&d, "%.6g %.6g\n", rows[k * nc] + 1, rows[k * nc + 1]);
      ls_buf_printf(&d, "\n");
      any = 1;
      free(rows);
    }
    ls_buf_printf(&d, "\n");
  }
  if (!any) {
    ls_buf_free(&d);
    return LS_OK; /* no trajectories in this sweep */
  }
  ls_buf_printf(&g, "set logscale xy\nset format y \"10^{%%L}\"\nset format x \"10^{%%L}\"\n"
         "set xlabel \"iteration + 1\"\nset ylabel \"loss\"\nset key top right\nplot ");
  for (int w = 0; w < s->n_widths; w++)
    ls_buf_printf(&g, "%s\"loss_curves.dat\" index %d using 1:2 with lines lw 1 lc rgb \"%s\" title \"width %d\"",
       w ? ", " : "", w, colours[w % N_COLOURS], s->widths[w]);
  ls_buf_printf(&g, "\n");
  return figure(o, "loss_curves", "training loss of every seed by student width", &d, &g, err);
}

/* Simsek figure 5 right: hidden neurons of the global minima grouped by group size, as
 * copies of teacher neurons and as zero-type neurons (counts of neurons). */
static ls_status fig_groups(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
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
  ls_buf d = {0}, g = {0};
  ls_buf_printf(&d, "# group_size neurons_in_teacher_copy_groups neurons_in_zero_type_groups (%ld global "
         "minima)\n", nruns);
  for (int k = 1; k <= maxs; k++) ls_buf_printf(&d, "%d %ld %ld\n", k, copy[k], zero[k]);
  free(copy), free(zero);
  char title[256];
  snprintf(title, sizeof title, "hidden neurons of %ld global minima by group size", nruns);
  ls_buf_printf(&g, "set style data histograms\nset style histogram clustered gap 1\n"
         "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
         "set xlabel \"group size\"\nset ylabel \"neurons\"\nset yrange [0:*]\n"
         "plot \"neuron_groups.dat\" using 2:xtic(1) title \"copies of teacher neurons\" lc rgb "
         "\"#1f77b4\", \"\" using 3 title \"zero-type neurons\" lc rgb \"#d62728\"\n");
  return figure(o, "neuron_groups", title, &d, &g, err);
}

/* Thesis figure 6.3: smallest Hessian eigenvalue against the loss, one colour per class. */
static ls_status fig_eig_loss(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                              ls_error *err) {
  ls_buf d = {0}, g = {0};
  ls_buf_printf(&d, "# loss smallest_eigenvalue width seed; one block (two blank lines) per class\n");
  for (int c = 0; c < LS_CLASS_COUNT; c++) {
    ls_buf_printf(&d, "# %s\n", ls_class_name((ls_class_kind)c));
    int n = 0;
    for (long i = 0; i < s->n_runs; i++) {
      const ls_classified_run *r = &s->runs[i];
      if ((int)r->res.cls != c || r->res.n_eig < 1 || !(r->res.loss > 0)) continue;
      ls_buf_printf(&d, "%.6g %.6g %d %ld\n", r->res.loss, r->res.eig[0], r->width, r->seed);
      n++;
    }
    if (!n) ls_buf_printf(&d, "nan nan 0 0\n"); /* keep the block so that indices stay fixed */
    ls_buf_printf(&d, "\n\n");
  }
  ls_buf_printf(&g, "set logscale x\nset format x \"10^{%%L}\"\nset format y \"%%.1e\"\n"
         "set xlabel \"loss\"\nset ylabel \"smallest Hessian eigenvalue\"\nset key outside\nplot ");
  for (int c = 0; c < LS_CLASS_COUNT; c++)
    ls_buf_printf(&g, "%s\"eig_vs_loss.dat\" index %d using 1:2 with points pt 7 ps 0.6 lc rgb \"%s\" "
           "title \"%s\" noenhanced", c ? ", " : "", c, colours[c % N_COLOURS],
       ls_class_name((ls_class_kind)c));
  ls_buf_printf(&g, "\n");
  return figure(o, "eig_vs_loss", "smallest Hessian eigenvalue against the loss", &d, &g, err);
}

/* Row of the certified table (docs/classify.md) that a run counts in. */
enum { ROW_GLOBAL, ROW_SYM_MIN, ROW_SYM_SADDLE, ROW_LOCAL, ROW_SADDLE, ROW_CHANNEL,
       ROW_NEAR_GLOBAL, ROW_UNEXPLAINED, N_ROWS };
static const char *const row_names[N_ROWS] = {
    "global minima", "symmetry-induced minima", "symmetry-induced saddles",
    "finite local minima", "saddles (irreducible)", "channels", "near a global minimum",
    "unexplained"};
static int cert_row(const ls_classify_result *r) {
  if (!strcmp(ls_class_name(r->cls), "channel")) return ROW_CHANNEL;
  switch (r->cls) {
  case LS_CLASS_GLOBAL: return ROW_GLOBAL;
  case LS_CLASS_SYMMETRY: return ROW_SYM_MIN;
  case LS_CLASS_LOCAL: return ROW_LOCAL;
  case LS_CLASS_SADDLE: return r->sym_induced ? ROW_SYM_SADDLE : ROW_SADDLE;
  case LS_CLASS_NEAR_GLOBAL: return ROW_NEAR_GLOBAL;
  default: return ROW_UNEXPLAINED;
  }
}

/* Table 6.1 as a figure: runs per certified row, one bar per student width. */
static ls_status fig_certified(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                               ls_error *err) {
  long cnt[N_ROWS][LS_SWEEP_MAX_WIDTHS];
  memset(cnt, 0, sizeof cnt);
  for (long i = 0; i < s->n_runs; i++)
    for (int w = 0; w < s->n_widths; w++)
      if (s->runs[i].width == s->widths[w]) cnt[cert_row(&s->runs[i].res)][w]++;
  ls_buf d = {0}, g = {0};
  ls_buf_printf(&d, "# row");
  for (int w = 0; w < s->n_widths; w++) ls_buf_printf(&d, " width_%d", s->widths[w]);
  ls_buf_printf(&d, "\n");
  for (int k = 0; k < N_ROWS; k++) {
    ls_buf_printf(&d, "\"%s\"", row_names[k]);
    for (int w = 0; w < s->n_widths; w++) ls_buf_printf(&d, " %ld", cnt[k][w]);
    ls_buf_printf(&d, "\n");
  }
  ls_buf_printf(&g, "set style data histogram\nset style histogram clustered gap 1\n"
         "set style fill solid 0.8 border -1\nset yrange [0:*]\nset ylabel \"runs\"\n"
         "set xtics rotate by -30 noenhanced\nset key top right\nplot ");
  for (int w = 0; w < s->n_widths; w++)
    ls_buf_printf(&g, "%s\"certified_table.dat\" using %d:xtic(1) lc rgb \"%s\" title \"width %d\"",
       w ? ", " : "", w + 2, colours[w % N_COLOURS], s->widths[w]);
  ls_buf_printf(&g, "\n");
  return figure(o, "certified_table", "runs by certificate (table 6.1, certified)", &d, &g, err);
}

/* Thesis figure 6.7: histogram of the smallest distance between two neurons, over the
 * converged runs that are not global minima. */
static ls_status fig_min_dist(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
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
  ls_buf d = {0}, g = {0};
  ls_buf_printf(&d, "# bin_centre count (smallest distance between the incoming weights of two neurons; "
         "%ld non-global converged runs)\n", n);
  for (int b = 0; b < NB; b++) ls_buf_printf(&d, "%.6g %ld\n", (b + 0.5) * bw, cnt[b]);
  char title[256];
  snprintf(title, sizeof title, "smallest distance between two neurons (%ld local minima and "
           "saddles)", n);
  ls_buf_printf(&g, "set style fill solid 0.8 border -1\nset boxwidth %.6g\nset yrange [0:*]\n"
         "set xlabel \"smallest distance between two neurons\"\nset ylabel \"runs\"\n"
         "set key off\nplot \"min_neuron_distance.dat\" using 1:2 with boxes lc rgb \"#1f77b4\"\n",
     bw);
  return figure(o, "min_neuron_distance", title, &d, &g, err);
}

ls_status ls_classify_write_figures(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                                     ls_error *err) {
  ls_status st;
  if ((st = fig_loss_curves(o, s, err)) || (st = fig_groups(o, s, err)) ||
      (st = fig_eig_loss(o, s, err)) || (st = fig_min_dist(o, s, err)) ||
      (st = fig_certified(o, s, err)))
    return st;
  return LS_OK;
}
