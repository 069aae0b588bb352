/* landsym reproduce fig6.9 (and fig6.12): the thesis's section 6.2.5 over a whole table-6.1
 * sweep (Stoican 2022): for every local minimum, the nearest symmetry-induced saddle
 * (ls_saddle_find: penalty merge, reduction, Newton, duplication) and its distance, the
 * histogram of figure 6.9; Theorems 1 and 2 applied to every saddle found
 * (ls_saddle_theorems), the fraction for which one applies, and the cones of figure 6.12
 * for one example (docs/reproduce.md); landsym/exp_reproduce_sweep.h. */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/reproduce_int.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/exp_reproduce_sweep.h"
#include "landsym/io.h"
#include "landsym/out.h"
#include "landsym/paths.h"

static int cmp_run(const void *a, const void *b) {
  const ls_fig69_run *x = a, *y = b;
  if (x->width != y->width) return x->width < y->width ? -1 : 1;
  return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Runs of the sweep in DIR/runs: w<W>_s<S>.npy. */
static int list_runs(const char *dir, ls_fig69_run **runs) {
  char path[4096];
  snprintf(path, sizeof path, "%s/runs", dir);
  DIR *dd = opendir(path);
  if (!dd) return -1;
  int n = 0, cap = 0;
  struct dirent *e;
  *runs = NULL;
  while ((e = readdir(dd))) {
    int w;
    long s;
    char tail[8];
    if (sscanf(e->d_name, "w%d_s%ld.%7s", &w, &s, tail) != 3 || strcmp(tail, "npy")) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 256;
      ls_fig69_run *p = realloc(*runs, (size_t)cap * sizeof *p);
      if (!p) break;
      *runs = p;
    }
    memset(&(*runs)[n], 0, sizeof **runs);
    (*runs)[n].width = w, (*runs)[n].seed = s;
    n++;
  }
  closedir(dd);
  if (n) qsort(*runs, (size_t)n, sizeof **runs, cmp_run);
  return n;
}

/* The nearest symmetry-induced saddle of the local minimum theta (ls_saddle_find: penalty
 * merge, reduction, Newton, duplication) and Theorems 1 and 2 there, along the saddle line. */
static void study_saddle(const ls_config *cfg, const ls_net *net, const double *theta,
                         ls_fig69_run *r) {
  ls_error err = {0};
  ls_saddle_opts so;
  ls_saddle_opts_default(&so);
  ls_saddle_result sr = {0};
  if (ls_saddle_find(net, &cfg->data, theta, &so, &sr, &err)) {
    snprintf(r->err, sizeof r->err, "saddle: %.200s", err.msg);
    return;
  }
  r->found = 1;
  r->distance = sr.distance, r->pair_distance = sr.pair_distance;
  r->saddle_loss = sr.saddle_loss, r->saddle_grad = sr.saddle_grad;
  r->layer = sr.layer, r->l = sr.l, r->m = sr.m;
  /* direction of the saddle line: d theta(mu)/d mu moves a = a_l + a_m from unit m to l */
  size_t P = sr.P;
  double *line = calloc(P, sizeof *line);
  if (line) {
    int k = sr.layer, mk = net->width[k];
    size_t off = ls_net_w_offset(net, k + 1);
    for (int o = 0; o < net->width[k + 1]; o++) {
      double a = sr.saddle[off + (size_t)o * mk + sr.l] + sr.saddle[off + (size_t)o * mk + sr.m];
      line[off + (size_t)o * mk + sr.l] = a, line[off + (size_t)o * mk + sr.m] = -a;
    }
  }
  ls_saddle_thm_opts to;
  ls_saddle_thm_opts_default(&to);
  to.eig_tol = so.eig_tol; /* the inertia of ls_saddle_find */
  to.line = line;
  to.seed = (uint64_t)r->seed;
  if (ls_saddle_theorems(net, &cfg->data, sr.saddle, &to, &r->thm, &err))
    snprintf(r->err, sizeof r->err, "theorems: %.200s", err.msg);
  r->saddle = sr.saddle, sr.saddle = NULL;
  free(line);
  ls_saddle_result_free(&sr);
}


/* Classify one run; for a local minimum find its nearest symmetry-induced saddle and apply
 * the theorems there. */
static void study_run(const ls_config *cfg, const char *dir, ls_fig69_run *r) {
  ls_error err = {0};
  char path[4096];
  snprintf(path, sizeof path, "%s/runs/w%d_s%ld.npy", dir, r->width, r->seed);
  ls_net net = cfg->student;
  for (int l = 1; l < net.n_layers; l++) net.width[l] = r->width;
  double *theta = NULL;
  if (ls_params_read_net(path, &net, &theta, &err)) {
    snprintf(r->err, sizeof r->err, "%.200s", err.msg);
    return;
  }
  ls_classify_opts co;
  ls_classify_opts_default(&co);
  ls_classify_result cr = {0};
  if (ls_classify_point(&net, &cfg->data, theta, cfg->has_teacher ? &cfg->teacher : NULL,
                        cfg->teacher_params, &co, &cr, &err)) {
    snprintf(r->err, sizeof r->err, "classify: %.200s", err.msg);
    free(theta);
    return;
  }
  r->cls = cr.cls, r->loss = cr.loss;
  /* local minima of table 6.1: converged, not global, no negative eigenvalue (symmetry-
   * induced minima included, as in the thesis's 426) */
  r->is_min = (cr.cls == LS_CLASS_LOCAL || cr.cls == LS_CLASS_SYMMETRY) && cr.n_neg_eigs == 0;
  ls_classify_result_free(&cr);
  if (r->is_min) study_saddle(cfg, &net, theta, r);
  free(theta);
}
/* dir/NAME.dat (data) and NAME.gp (body) through ls_figure_save (1000 x 600). */
static ls_status plot(const char *dir, const char *name, const ls_buf *data, const char *body,
                      ls_error *err) {
  ls_status st = ls_buf_status(data, err);
  ls_figure f = {dir, name, NULL, 0, 0, 0};
  if (!st) st = ls_figure_save(&f, data->s ? data->s : "", data->len, body, err);
  return st;
}

/* Figure 6.12: the loss around the example saddle in the plane of its most negative
 * eigenvector v and first positive one w, and the two cones {u^T H u <= 0} bounded by
 * t = +-tan(phi) s, tan(phi) = sqrt(-lambda_min / lambda_pos). */
static ls_status draw_cones(const ls_config *cfg, const char *out, const ls_fig69_run *r,
                            ls_error *err) {
  ls_net net = cfg->student;
  for (int l = 1; l < net.n_layers; l++) net.width[l] = r->width;
  size_t P = r->thm.P;
  int pi = r->thm.pos_index, n = 81;
  double *v = malloc(P * sizeof *v), *w = malloc(P * sizeof *w), *L = malloc((size_t)n * n * sizeof *L);
  ls_status st = LS_OK;
  if (!v || !w || !L) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  double lm = r->thm.lambda_min, lp = r->thm.lambda_pos, tanphi = sqrt(-lm / lp);
  /* a window where the quadratic terms dominate: s up to rs along v, t up to rs tan(phi)
   * along w, so that the cone boundaries are the window's diagonals */
  /* the window: the largest s = 0.02 / 2^k at which the loss is below the saddle's on both
   * sides along v, clearly above rounding (the quadratic term dominates the cubic one) */
  double rs = 0.02, rt;
  if (!st) {
    for (size_t i = 0; i < P; i++) v[i] = r->thm.evec[i * P], w[i] = r->thm.evec[i * P + (size_t)pi];
    for (size_t i = 0; i < P; i++) w[i] = r->saddle[i] + v[i]; /* b = saddle + v: the 1-D slice */
    for (int k = 0; k < 30 && !st; k++, rs /= 2) {
      double t3[3], l3[3];
      if ((st = ls_slice_1d(&net, &cfg->data, r->saddle, w, -rs, rs, 3, t3, l3, err))) break;
      double noise = 1e-12 * fmax(fabs(r->saddle_loss), 1e-300);
      if (l3[0] < r->saddle_loss - noise && l3[2] < r->saddle_loss - noise) break;
    }
    for (size_t i = 0; i < P; i++) w[i] = r->thm.evec[i * P + (size_t)pi];
  }
  rt = rs * tanphi;
  if (!st) st = ls_slice_2d(&net, &cfg->data, r->saddle, v, w, rs, rt, n, L, err);
  ls_buf b = {0};
  for (int a = 0; a < n && !st; a++) {
    for (int c = 0; c < n; c++)
      ls_buf_printf(&b, "%.6e %.6e %.10e\n", -rs + 2 * rs * a / (n - 1), -rt + 2 * rt * c / (n - 1),
                      L[(size_t)a * n + c] - r->saddle_loss);
    ls_buf_printf(&b, "\n");
  }
  ls_buf_printf(&b, "\n%.6e %.6e\n%.6e %.6e\n\n%.6e %.6e\n%.6e %.6e\n", -rs, -rt, rs, rt, -rs, rt, rs, -rt);
  char body[2048];
  snprintf(body, sizeof body,
           "set title \"Thesis figure 6.12: the cones u^T H u <= 0 at the saddle of seed %ld (index %d)\" noenhanced\n"
           "set xlabel \"s, along the eigenvector of lambda_min = %.3e\" noenhanced\n"
           "set ylabel \"t, along the eigenvector of lambda_1 = %.3e\" noenhanced\n"
           "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset clip two\n"
           "set palette defined (-1 \"#2040a0\", 0 \"white\", 1 \"#a02020\")\n"
           "set cblabel \"L - L(saddle)\"\n"
           "stats \"fig6_12.dat\" index 0 using 3 nooutput\n"
           "m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max))\n"
           "set cbrange [-m:m]\n"
           "set key outside right bottom noenhanced\n"
           "plot \"fig6_12.dat\" index 0 using 1:2:3 with image notitle, \\\n"
           "     \"\" index 1 using 1:2 with lines lw 2 lc rgb \"black\" title \"cone boundaries t = +-%.3g s\"\n",
           r->seed, r->thm.index, lm, lp, -rs, rs, -rt, rt, tanphi);
  if (!st) st = plot(out, "fig6_12", &b, body, err);
  ls_buf_free(&b);
  free(v), free(w), free(L);
  return st;
}

void ls_fig69_result_free(ls_fig69_result *r) {
  if (!r) return;
  for (int i = 0; r->runs && i < r->n_runs; i++) {
    ls_saddle_thm_result_free(&r->runs[i].thm);
    free(r->runs[i].saddle);
  }
  free(r->runs);
  r->runs = NULL;
  r->n_runs = 0;
}

/* The example of figure 6.12: the nearest saddle of index 1 (Theorem 1's case), else of
 * any index; 1 when run i beats the current example ex. */
static int better_example(const ls_fig69_run *runs, int ex, int i) {
  const ls_fig69_run *r = &runs[i];
  if (!(r->thm.index >= 1 && isfinite(r->thm.lambda_pos))) return 0;
  if (ex < 0) return 1;
  int one = r->thm.index == 1, ex_one = runs[ex].thm.index == 1;
  return one > ex_one || (one == ex_one && r->distance < runs[ex].distance);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Counts, the example, and the distances' minimum, median and maximum. */
static ls_status summarize(ls_fig69_result *r, ls_error *err) {
  r->example = -1;
  for (int i = 0; i < r->n_runs; i++) {
    const ls_fig69_run *q = &r->runs[i];
    r->n_err += q->err[0] != 0;
    if (!q->is_min) continue;
    r->n_min++;
    if (!q->found) continue;
    r->n_found++;
    r->n_thm1 += q->thm.thm1, r->n_thm2 += q->thm.thm2;
    if (better_example(r->runs, r->example, i)) r->example = i;
    r->n_saddles += q->thm.index >= 1;
  }
  if (!r->n_found) return LS_OK;
  double *ds = malloc((size_t)r->n_found * sizeof *ds);
  if (!ds) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  int k = 0;
  for (int i = 0; i < r->n_runs; i++)
    if (r->runs[i].is_min && r->runs[i].found) ds[k++] = r->runs[i].distance;
  qsort(ds, (size_t)k, sizeof *ds, cmp_double);
  r->dist_min = ds[0], r->dist_median = ds[k / 2], r->dist_max = ds[k - 1];
  for (int i = 0; i < k; i++) r->n_within1 += ds[i] < 1;
  free(ds);
  return LS_OK;
}

/* fig6_9.csv: one row per local minimum whose saddle was found. */
static ls_status write_csv(const char *out, const ls_fig69_result *res, ls_error *err) {
  ls_buf csv = {0};
  ls_buf_printf(&csv, "width,seed,class,loss,pair_distance,distance,saddle_loss,saddle_grad_inf,"
                      "index,zero,lambda_min,line_curv,line_loss_change,line_d3,line_d4,B1,d4_min,r1,r2,thm1,thm2,why1,why2\n");
  for (int i = 0; i < res->n_runs; i++) {
    const ls_fig69_run *r = &res->runs[i];
    if (!r->is_min || !r->found) continue;
    ls_buf_printf(&csv, "%d,%ld,%s,%.17g,%.6e,%.6e,%.17g,%.3e,%d,%d,%.6e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%d,%d,\"%s\",\"%s\"\n",
                  r->width, r->seed, ls_class_name(r->cls), r->loss, r->pair_distance, r->distance,
                  r->saddle_loss, r->saddle_grad, r->thm.index, r->thm.n_zero, r->thm.lambda_min,
                  r->thm.line_curv, r->thm.line_loss_change, r->thm.line_d3, r->thm.line_d4, r->thm.B1, r->thm.d4_min_x, r->thm.r1, r->thm.r2,
                  r->thm.thm1, r->thm.thm2, r->thm.why1, r->thm.why2);
  }
  char *p = ls_path_join(out, "fig6_9.csv");
  ls_status st = p ? ls_buf_save(&csv, p, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(p);
  ls_buf_free(&csv);
  return st;
}

/* Figure 6.9: histogram of the distances, 20 bins over [0, max distance]. */
static ls_status draw_hist(const char *out, const ls_fig69_result *res, ls_error *err) {
  int nb = 20, hist[20] = {0};
  double bw = res->dist_max > 0 ? res->dist_max / nb : 1;
  for (int i = 0; i < res->n_runs; i++)
    if (res->runs[i].is_min && res->runs[i].found) {
      int k = (int)(res->runs[i].distance / bw);
      hist[k < nb ? k : nb - 1]++;
    }
  ls_buf h = {0};
  for (int k = 0; k < nb; k++) ls_buf_printf(&h, "%.6e %.6e %d\n", (k + 0.5) * bw, bw, hist[k]);
  char body[1024];
  snprintf(body, sizeof body,
           "set title \"Thesis figure 6.9: distance from each local minimum to its nearest "
           "symmetry-induced saddle (%d minima)\"\n"
           "set xlabel \"distance ||saddle - local minimum||\"\nset ylabel \"local minima\"\n"
           "set style fill solid 0.6 border -1\nset boxwidth %g absolute\nset xrange [0:*]\nset yrange [0:*]\n"
           "plot \"fig6_9.dat\" using 1:3 with boxes lc rgb \"#3070c0\" notitle\n",
           res->n_found, bw);
  ls_status st = plot(out, "fig6_9", &h, body, err);
  ls_buf_free(&h);
  return st;
}

/* Study every run of the sweep in out over the threads. */
static ls_status study_all(const ls_reproduce_opts *opts, const ls_config *cfg,
                           ls_fig69_result *r, ls_error *err) {
  const char *out = opts->out_dir;
  r->n_runs = list_runs(out, &r->runs);
  if (r->n_runs <= 0) {
    r->n_runs = 0;
    return ls_error_set(err, LS_ERR_COMPUTE, "no runs in %s/runs", out);
  }
  int nt = opts->ctx.threads;
#pragma omp parallel for schedule(dynamic) num_threads(nt > 0 ? nt : omp_get_max_threads())
  for (int i = 0; i < r->n_runs; i++) study_run(cfg, out, &r->runs[i]);
  return summarize(r, err);
}

ls_status ls_exp_reproduce_fig69(const ls_reproduce_opts *opts, ls_fig69_result *r,
                                 ls_error *err) {
  memset(r, 0, sizeof *r);
  r->example = -1;
  /* the sweep (an existing one in out_dir is reused with resume) */
  ls_status st = exp_reproduce_sweep(opts, 40, 1, &r->sweep, err);
  if (st) return st;
  ls_config cfg;
  if ((st = ls_config_load(opts->config, &cfg, err))) return st;
  const char *out = opts->out_dir;
  if (!(st = study_all(opts, &cfg, r, err)) && !(st = write_csv(out, r, err)) &&
      !(st = draw_hist(out, r, err)) && r->example >= 0)
    st = draw_cones(&cfg, out, &r->runs[r->example], err);
  ls_config_free(&cfg);
  return st;
}
