/* Outputs of `landsym reproduce fig3`: per-path CSV tables, summary.csv / summary.json with
 * the barrier statistics per hidden width, a table on stdout, and the figures (Brea et al.
 * 2019 figure 3 A and B, and the barrier against H). Every file is written atomically. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/exp_fig3.h"
#include "landsym/io.h"
#include "landsym/out.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void stats_of(const ls_exp_fig3_run *runs, int nruns, int H, ls_exp_fig3_stats *s) {
  memset(s, 0, sizeof *s);
  s->H = H;
  double v[256];
  for (int i = 0; i < nruns; i++) {
    if (runs[i].H != H) continue;
    if (s->n < 256) v[s->n] = runs[i].barrier;
    s->n++;
    s->mean += runs[i].barrier;
    s->acc_drop_mean += runs[i].acc[0] - runs[i].acc_min;
    s->teacher_acc_mean += runs[i].teacher_acc;
    s->end_mean += runs[i].nmse_end, s->merged_mean += runs[i].merged_nmse;
  }
  if (!s->n) return;
  int m = s->n < 256 ? s->n : 256;
  s->mean /= s->n, s->acc_drop_mean /= s->n, s->teacher_acc_mean /= s->n;
  s->end_mean /= s->n, s->merged_mean /= s->n;
  for (int i = 0; i < nruns; i++)
    if (runs[i].H == H) {
      s->sd += (runs[i].barrier - s->mean) * (runs[i].barrier - s->mean);
      s->end_sd += (runs[i].nmse_end - s->end_mean) * (runs[i].nmse_end - s->end_mean);
    }
  s->sd = s->n > 1 ? sqrt(s->sd / (s->n - 1)) : 0;
  s->end_sd = s->n > 1 ? sqrt(s->end_sd / (s->n - 1)) : 0;
  qsort(v, (size_t)m, sizeof *v, cmp_double);
  s->min = v[0], s->max = v[m - 1];
  s->median = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* Spearman rank correlation of H and barrier over all runs (ties get mean ranks). */
static double spearman(const ls_exp_fig3_run *runs, int n) {
  double *rx = malloc((size_t)n * sizeof *rx), *ry = malloc((size_t)n * sizeof *ry);
  if (!rx || !ry || n < 2) {
    free(rx), free(ry);
    return NAN;
  }
  for (int i = 0; i < n; i++) {
    double lx = 0, ex = 0, ly = 0, ey = 0;
    for (int j = 0; j < n; j++) {
      lx += runs[j].H < runs[i].H, ex += runs[j].H == runs[i].H;
      ly += runs[j].barrier < runs[i].barrier, ey += runs[j].barrier == runs[i].barrier;
    }
    rx[i] = lx + 0.5 * (ex - 1), ry[i] = ly + 0.5 * (ey - 1);
  }
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; i++) mx += rx[i] / n, my += ry[i] / n;
  for (int i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx), syy += (ry[i] - my) * (ry[i] - my);
  }
  free(rx), free(ry);
  return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static ls_status write_path_csv(const char *dir, const ls_exp_fig3_run *r, ls_error *err) {
  char name[64];
  snprintf(name, sizeof name, "path_H%d_s%d.csv", r->H, r->seed);
  char *p = ls_path_join(dir, name);
  ls_buf b = {0};
  ls_buf_printf(&b, "index,d,d_over_d0,nmse,accuracy\n");
  for (int i = 0; i < r->n; i++)
    ls_buf_printf(&b, "%d,%.17g,%.17g,%.17g,%.17g\n", i, r->d[i], r->d[i] / r->d0, r->nmse[i],
                    r->acc[i]);
  ls_status st = !p || b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory")
                             : ls_file_write_atomic(p, b.s, b.len, err);
  free(p), ls_buf_free(&b);
  return st;
}

static ls_status write_summary_csv(const char *dir, const ls_exp_fig3_run *runs, int nruns,
                                   ls_error *err) {
  ls_buf b = {0};
  ls_buf_printf(&b, "H,seed,l,m,cosine,d0,teacher_nll,teacher_acc,y2,barrier,argmax_d_over_d0,"
                      "max_at_end,nmse_end,merged_nmse,acc_start,acc_end,acc_min,evals,train_s,path_s,"
                      "merged_s\n");
  for (int i = 0; i < nruns; i++) {
    const ls_exp_fig3_run *r = &runs[i];
    ls_buf_printf(&b, "%d,%d,%d,%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.6g,%d,%.10g,%.10g,%.10g,"
                        "%.10g,%.10g,%zu,%.3f,%.3f,%.3f\n",
                    r->H, r->seed, r->l, r->m, r->cosine, r->d0, r->teacher_nll, r->teacher_acc,
                    r->y2, r->barrier, r->d[r->argmax] / r->d0, r->max_at_end, r->nmse_end,
                    r->merged_nmse, r->acc[0], r->acc_end, r->acc_min, r->evals, r->train_s,
                    r->path_s, r->merged_s);
  }
  char *p = ls_path_join(dir, "summary.csv");
  ls_status st = !p || b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory")
                             : ls_file_write_atomic(p, b.s, b.len, err);
  free(p), ls_buf_free(&b);
  return st;
}

static json_t *settings_json(const ls_config *cfg, const ls_exp_fig3_opts *o) {
  json_t *h = json_array();
  for (int i = 0; i < o->n_hidden; i++) json_array_append_new(h, json_integer(o->hidden[i]));
  return json_pack("{s:s, s:I, s:i, s:i, s:s, s:o, s:i, s:i, s:i, s:f, s:i, s:i, s:f, s:i}",
                   "data", cfg->data_desc, "samples", (json_int_t)cfg->data.n, "inputs",
                   cfg->data.din, "outputs", cfg->data.dout, "activation",
                   ls_act_name(cfg->student.act[1].kind), "hidden", h, "seeds", o->seeds, "layer",
                   o->layer, "steps", o->steps, "dmin", o->dmin, "maxeval", o->maxeval,
                   "train_iters", o->train_iters, "train_lr", o->train_lr, "train_polish",
                   o->train_polish);
}

static ls_status write_summary_json(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                                    const ls_exp_fig3_run *runs, int nruns, const ls_exp_fig3_stats *s,
                                    int decreasing, double rho, double seconds, ls_error *err) {
  json_t *root = json_object(), *ja = json_array(), *jh = json_array();
  json_object_set_new(root, "experiment",
                      json_string("Brea et al. 2019 figure 3: permutation paths of MNIST teachers"));
  json_object_set_new(root, "settings", settings_json(cfg, o));
  json_object_set_new(root, "teachers_done", json_integer(nruns));
  for (int i = 0; i < o->n_hidden; i++) {
    if (!s[i].n) continue;
    json_t *e = json_pack("{s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "H", s[i].H,
                          "runs", s[i].n, "barrier_mean", s[i].mean, "barrier_sd", s[i].sd,
                          "barrier_min", s[i].min, "barrier_median", s[i].median, "barrier_max",
                          s[i].max, "end_nmse_mean", s[i].end_mean, "end_nmse_sd", s[i].end_sd,
                          "accuracy_drop_mean", s[i].acc_drop_mean, "teacher_accuracy_mean",
                          s[i].teacher_acc_mean);
    json_object_set_new(e, "merged_nmse_mean",
                        isfinite(s[i].merged_mean) ? json_real(s[i].merged_mean) : json_null());
    json_array_append_new(jh, e);
  }
  json_object_set_new(root, "per_H", jh);
  json_object_set_new(root, "barrier_mean_decreases_with_H", json_boolean(decreasing & 1));
  json_object_set_new(root, "end_nmse_mean_decreases_with_H", json_boolean(decreasing >> 1));
  json_object_set_new(root, "spearman_H_barrier", isfinite(rho) ? json_real(rho) : json_null());
  json_object_set_new(root, "seconds_total", json_real(seconds));
  for (int i = 0; i < nruns; i++) {
    const ls_exp_fig3_run *r = &runs[i];
    json_array_append_new(
        ja, json_pack("{s:i, s:i, s:[i,i], s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:f, s:f, s:f, s:f, "
                      "s:I, s:f, s:f}",
                      "H", r->H, "seed", r->seed, "pair", r->l, r->m, "cosine", r->cosine, "d0",
                      r->d0, "teacher_nll", r->teacher_nll, "teacher_accuracy", r->teacher_acc,
                      "barrier", r->barrier, "max_at_d_over_d0", r->d[r->argmax] / r->d0,
                      "max_at_end", r->max_at_end, "nmse_end", r->nmse_end, "accuracy_start",
                      r->acc[0], "accuracy_end", r->acc_end, "accuracy_min", r->acc_min, "evals",
                      (json_int_t)r->evals, "train_seconds", r->train_s, "path_seconds",
                      r->path_s));
    json_object_set_new(json_array_get(ja, (size_t)i), "merged_nmse",
                        isfinite(r->merged_nmse) ? json_real(r->merged_nmse) : json_null());
  }
  json_object_set_new(root, "runs", ja);
  char *txt = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
  json_decref(root);
  char *p = ls_path_join(dir, "summary.json");
  ls_status st = !txt || !p ? ls_error_set(err, LS_ERR_NOMEM, "out of memory")
                            : ls_file_write_atomic(p, txt, strlen(txt), err);
  free(txt), free(p);
  return st;
}

/* A figure of 1000 x 600 pixels: NAME.dat, NAME.gp, NAME.png, NAME.svg in dir. */
static ls_status plot(const char *dir, const char *name, const char *dat, size_t len,
                      const char *body, ls_error *err) {
  ls_figure fig = {dir, name, NULL, 1000, 600, 0};
  return ls_figure_save(&fig, dat, len, body, err);
}

static ls_status write_figures(const char *dir, const ls_exp_fig3_opts *o, const ls_exp_fig3_run *runs,
                               int nruns, const ls_exp_fig3_stats *s, ls_error *err) {
  ls_buf a = {0}, b = {0};
  /* barrier against H: block 0 every run, block 1 mean and sd per H */
  ls_buf_printf(&a, "# H seed barrier\n");
  for (int i = 0; i < nruns; i++) ls_buf_printf(&a, "%d %d %.10g\n", runs[i].H, runs[i].seed, runs[i].barrier);
  ls_buf_printf(&a, "\n\n# H mean sd median min max\n");
  for (int i = 0; i < o->n_hidden; i++)
    ls_buf_printf(&a, "%d %.10g %.10g %.10g %.10g %.10g\n", s[i].H, s[i].mean, s[i].sd,
                    s[i].median, s[i].min, s[i].max);
  /* paths: one block per run, d/d0, normalised MSE, accuracy */
  char titles[1024] = "";
  for (int i = 0; i < nruns; i++) {
    const ls_exp_fig3_run *r = &runs[i];
    ls_buf_printf(&b, "# H %d seed %d pair %d,%d\n", r->H, r->seed, r->l, r->m);
    for (int j = 0; j < r->n; j++)
      ls_buf_printf(&b, "%.10g %.10g %.10g\n", r->d[j] / r->d0, r->nmse[j], r->acc[j]);
    ls_buf_printf(&b, "\n\n");
  }
  for (int i = 0; i < o->n_hidden; i++) {
    size_t l = strlen(titles);
    snprintf(titles + l, sizeof titles - l, "%s%d", i ? " " : "", o->hidden[i]);
  }
  char body[2048];
  ls_status st = a.oom || b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  snprintf(body, sizeof body,
           "set title \"barrier (max normalised MSE along the path) against H, %d seeds\"\n"
           "set xlabel \"hidden units per layer H\"\nset ylabel \"barrier\"\nset logscale y\n"
           "set grid\nset key top right\nset xrange [%d:%d]\n"
           "plot \"fig3_barrier.dat\" index 0 using 1:3 with points pt 7 ps 0.8 lc rgb \"gray50\" "
           "title \"one teacher\", \\\n"
           "     \"fig3_barrier.dat\" index 1 using 1:4:5:6 with yerrorlines lw 2 pt 5 lc rgb "
           "\"black\" title \"median, min..max\", \\\n"
           "     \"fig3_barrier.dat\" index 1 using 1:2 with linespoints lw 2 dt 2 pt 9 lc rgb "
           "\"red\" title \"mean\"",
           o->seeds, o->hidden[0] - 3, o->hidden[o->n_hidden - 1] + 3);
  if (!st) st = plot(dir, "fig3_barrier", a.s, a.len, body, err);
  for (int fig = 0; fig < 2 && !st; fig++) {
    snprintf(body, sizeof body,
             "set title \"Brea et al. 2019 fig. 3%s: %s, merging two units of hidden layer %d\"\n"
             "set xlabel \"distance d / d0\"\nset ylabel \"%s\"\nset logscale x\n%s"
             "set xrange [*:*] reverse\nset grid\nset key outside right title \"H\"\n"
             "hs = \"%s\"\nseeds = %d\n"
             "plot for [i=0:%d] \"%s.dat\" index i using 1:%d with lines lw 1.5 "
             "lc (i/seeds + 1) title (i %% seeds == 0 ? word(hs, i/seeds + 1) : \"\")",
             fig ? "B" : "A", fig ? "training accuracy" : "normalised MSE (teacher vs student)",
             o->layer, fig ? "training accuracy" : "normalised MSE",
             fig ? "" : "set logscale y\n", titles, o->seeds, nruns - 1,
             fig ? "fig3_accuracy" : "fig3_nmse", fig ? 3 : 2);
    st = plot(dir, fig ? "fig3_accuracy" : "fig3_nmse", b.s, b.len, body, err);
  }
  ls_buf_free(&a), ls_buf_free(&b);
  return st;
}

void ls_exp_fig3_summarise(const ls_exp_fig3_opts *o, const ls_exp_fig3_run *runs, int nruns,
                           ls_exp_fig3_summary *sum) {
  memset(sum, 0, sizeof *sum);
  sum->n_hidden = o->n_hidden;
  for (int i = 0; i < o->n_hidden; i++) stats_of(runs, nruns, o->hidden[i], &sum->per_H[i]);
  /* decreasing: the mean from each listed H to every larger one */
  sum->barrier_decreasing = sum->end_decreasing = 1;
  const ls_exp_fig3_stats *s = sum->per_H;
  for (int i = 0; i < o->n_hidden; i++)
    for (int j = 0; j < o->n_hidden; j++)
      if (s[j].H > s[i].H && s[i].n && s[j].n) { /* widths not run yet are left out */
        if (!(s[j].mean < s[i].mean)) sum->barrier_decreasing = 0;
        if (!(s[j].end_mean < s[i].end_mean)) sum->end_decreasing = 0;
      }
  sum->spearman = spearman(runs, nruns);
}

ls_status ls_exp_fig3_write(const char *dir, const ls_config *cfg, const ls_exp_fig3_opts *o,
                            const ls_exp_fig3_run *runs, int nruns, double seconds, int plot_figs,
                            ls_exp_fig3_summary *sum, ls_error *err) {
  ls_exp_fig3_summarise(o, runs, nruns, sum);
  sum->seconds = seconds;
  int decreasing = sum->barrier_decreasing | sum->end_decreasing << 1;
  char *pdir = ls_path_join(dir, "paths");
  ls_status st = pdir ? ls_mkdir_p(pdir, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  for (int i = 0; i < nruns && !st; i++) st = write_path_csv(pdir, &runs[i], err);
  free(pdir);
  if (!st) st = write_summary_csv(dir, runs, nruns, err);
  if (!st)
    st = write_summary_json(dir, cfg, o, runs, nruns, sum->per_H, decreasing, sum->spearman, seconds, err);
  if (!st && plot_figs) st = write_figures(dir, o, runs, nruns, sum->per_H, err);
  return st;
}

void ls_exp_fig3_print(FILE *out, const ls_exp_fig3_opts *o, const ls_exp_fig3_summary *sum) {
  const ls_exp_fig3_stats *s = sum->per_H;
  fprintf(out, "# Brea et al. 2019 fig. 3: barrier = max normalised MSE along the path (%d seeds)\n",
          o->seeds);
  fprintf(out, "%4s %11s %11s %11s %11s %11s %11s %11s %9s\n", "H", "mean", "sd", "min", "median",
          "max", "end_mean", "merged", "acc_drop");
  for (int i = 0; i < sum->n_hidden; i++)
    if (s[i].n) fprintf(out, "%4d %11.4g %11.4g %11.4g %11.4g %11.4g %11.4g %11.4g %9.4f\n", s[i].H, s[i].mean,
            s[i].sd, s[i].min, s[i].median, s[i].max, s[i].end_mean, s[i].merged_mean,
            s[i].acc_drop_mean);
  fprintf(out, "mean barrier decreases with H: %s; mean end loss decreases with H: %s; "
               "Spearman(H, barrier) = %.3f; %.1f s\n",
          sum->barrier_decreasing ? "yes" : "no", sum->end_decreasing ? "yes" : "no", sum->spearman,
          sum->seconds);
}
