/* landsym reproduce fig6.9 (and fig6.12): the thesis's section 6.2.5 over a whole table-6.1
 * sweep (Stoican 2022): for every local minimum, the nearest symmetry-induced saddle
 * (ls_saddle_find: penalty merge, reduction, Newton, duplication) and its distance, the
 * histogram of figure 6.9; Theorems 1 and 2 applied to every saddle found
 * (ls_saddle_theorems), the fraction for which one applies, and the cones of figure 6.12
 * for one example (docs/reproduce.md). */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/path_plot.h"
#include "cli/reproduce_fig69.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/io.h"
#include "landsym/paths.h"

typedef struct {
  int width;
  long seed;
  int is_min;               /* local minimum (not global): studied */
  ls_class_kind cls;
  double loss;
  int found;                /* saddle found */
  double distance, pair_distance, saddle_loss, saddle_grad;
  int layer, l, m;
  ls_saddle_thm_result thm;
  double *saddle;           /* kept for the example */
  char err[256];
} fig69_run;

static int cmp_run(const void *a, const void *b) {
  const fig69_run *x = a, *y = b;
  if (x->width != y->width) return x->width < y->width ? -1 : 1;
  return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Runs of the sweep in DIR/runs: w<W>_s<S>.npy. */
static int list_runs(const char *dir, fig69_run **runs) {
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
      fig69_run *p = realloc(*runs, (size_t)cap * sizeof *p);
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

/* Classify one run; for a local minimum find its nearest symmetry-induced saddle and apply
 * the theorems there. */
static void study_run(const ls_config *cfg, const char *dir, fig69_run *r) {
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
  if (!r->is_min) {
    free(theta);
    return;
  }
  ls_saddle_opts so;
  ls_saddle_opts_default(&so);
  ls_saddle_result sr = {0};
  if (ls_saddle_find(&net, &cfg->data, theta, &so, &sr, &err)) {
    snprintf(r->err, sizeof r->err, "saddle: %.200s", err.msg);
    free(theta);
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
    int k = sr.layer, mk = net.width[k];
    size_t off = ls_net_w_offset(&net, k + 1);
    for (int o = 0; o < net.width[k + 1]; o++) {
      double a = sr.saddle[off + (size_t)o * mk + sr.l] + sr.saddle[off + (size_t)o * mk + sr.m];
      line[off + (size_t)o * mk + sr.l] = a, line[off + (size_t)o * mk + sr.m] = -a;
    }
  }
  ls_saddle_thm_opts to;
  ls_saddle_thm_opts_default(&to);
  to.eig_tol = so.eig_tol; /* the inertia of ls_saddle_find */
  to.line = line;
  to.seed = (uint64_t)r->seed;
  if (ls_saddle_theorems(&net, &cfg->data, sr.saddle, &to, &r->thm, &err))
    snprintf(r->err, sizeof r->err, "theorems: %.200s", err.msg);
  r->saddle = sr.saddle, sr.saddle = NULL;
  free(line);
  ls_saddle_result_free(&sr);
  free(theta);
}

/* Figure 6.12: the loss around the example saddle in the plane of its most negative
 * eigenvector v and first positive one w, and the two cones {u^T H u <= 0} bounded by
 * t = +-tan(phi) s, tan(phi) = sqrt(-lambda_min / lambda_pos). */
static ls_status draw_cones(const ls_config *cfg, const char *out, const fig69_run *r,
                            ls_error *err) {
  ls_net net = cfg->student;
  for (int l = 1; l < net.n_layers; l++) net.width[l] = r->width;
  size_t P = r->thm.P;
  int pi = r->thm.pos_index, n = 81;
  double *v = malloc(P * sizeof *v), *w = malloc(P * sizeof *w), *L = malloc((size_t)n * n * sizeof *L);
  ls_status st = LS_OK;
  if (!v || !w || !L) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  (void)0;
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
  path_buf b = {0};
  for (int a = 0; a < n && !st; a++) {
    for (int c = 0; c < n; c++)
      path_buf_printf(&b, "%.6e %.6e %.10e\n", -rs + 2 * rs * a / (n - 1), -rt + 2 * rt * c / (n - 1),
                      L[(size_t)a * n + c] - r->saddle_loss);
    path_buf_printf(&b, "\n");
  }
  path_buf_printf(&b, "\n%.6e %.6e\n%.6e %.6e\n\n%.6e %.6e\n%.6e %.6e\n", -rs, -rt, rs, rt, -rs, rt, rs, -rt);
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
  if (!st && b.oom) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = path_plot(out, "fig6_12", b.s, b.len, body, err);
  path_buf_free(&b);
  free(v), free(w), free(L);
  return st;
}

int reproduce_fig69(const char *config, const char *out, const char *seeds, const char *threads,
                    int resume) {
  /* the sweep (an existing one in OUT is reused with --resume) */
  char *sa[16];
  int n = 0;
  sa[n++] = "sweep", sa[n++] = "--config", sa[n++] = (char *)config, sa[n++] = "--out";
  sa[n++] = (char *)out, sa[n++] = "--seeds", sa[n++] = (char *)(seeds ? seeds : "40");
  sa[n++] = "--quiet";
  if (threads) sa[n++] = "--threads", sa[n++] = (char *)threads;
  if (resume) sa[n++] = "--resume";
  sa[n] = NULL;
  int rc = cmd_sweep(n, sa);
  if (rc) return rc;
  ls_error err = {0};
  ls_config cfg;
  if (ls_config_load(config, &cfg, &err)) return cli_fail("reproduce fig6.9", &err);
  fig69_run *runs = NULL;
  int nr = list_runs(out, &runs);
  if (nr <= 0) {
    fprintf(stderr, "landsym reproduce fig6.9: no runs in %s/runs\n", out);
    ls_config_free(&cfg);
    free(runs);
    return 1;
  }
  int nt = threads ? atoi(threads) : 0;
#pragma omp parallel for schedule(dynamic) num_threads(nt > 0 ? nt : omp_get_max_threads())
  for (int i = 0; i < nr; i++) study_run(&cfg, out, &runs[i]);
  /* table */
  path_buf csv = {0};
  path_buf_printf(&csv, "width,seed,class,loss,pair_distance,distance,saddle_loss,saddle_grad_inf,"
                        "index,zero,lambda_min,line_curv,line_loss_change,line_d3,line_d4,B1,d4_min,r1,r2,thm1,thm2,why1,why2\n");
  int nmin = 0, nfound = 0, nsad = 0, n1 = 0, n2 = 0, nerr = 0, ex = -1;
  double dmax = 0;
  for (int i = 0; i < nr; i++) {
    fig69_run *r = &runs[i];
    if (r->err[0]) nerr++, fprintf(stderr, "landsym reproduce fig6.9: seed %ld: %s\n", r->seed, r->err);
    if (!r->is_min) continue;
    nmin++;
    if (!r->found) continue;
    nfound++;
    n1 += r->thm.thm1, n2 += r->thm.thm2;
    dmax = fmax(dmax, r->distance);
    /* the example of figure 6.12: the nearest saddle of index 1 (Theorem 1's case), else of
     * any index */
    if (r->thm.index >= 1 && isfinite(r->thm.lambda_pos) &&
        (ex < 0 || (r->thm.index == 1) > (runs[ex].thm.index == 1) ||
         ((r->thm.index == 1) == (runs[ex].thm.index == 1) && r->distance < runs[ex].distance)))
      ex = i;
    nsad += r->thm.index >= 1;
    path_buf_printf(&csv, "%d,%ld,%s,%.17g,%.6e,%.6e,%.17g,%.3e,%d,%d,%.6e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%.3e,%d,%d,\"%s\",\"%s\"\n",
                    r->width, r->seed, ls_class_name(r->cls), r->loss, r->pair_distance, r->distance,
                    r->saddle_loss, r->saddle_grad, r->thm.index, r->thm.n_zero, r->thm.lambda_min,
                    r->thm.line_curv, r->thm.line_loss_change, r->thm.line_d3, r->thm.line_d4, r->thm.B1, r->thm.d4_min_x, r->thm.r1, r->thm.r2,
                    r->thm.thm1, r->thm.thm2, r->thm.why1, r->thm.why2);
  }
  ls_status st = LS_OK;
  char *p = path_join(out, "fig6_9.csv");
  if (!p || csv.oom) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = ls_file_write_atomic(p, csv.s, csv.len, &err);
  free(p);
  path_buf_free(&csv);
  /* histogram of figure 6.9: 20 bins over [0, max distance] */
  int nb = 20, hist[20] = {0};
  double bw = dmax > 0 ? dmax / nb : 1;
  for (int i = 0; i < nr; i++)
    if (runs[i].is_min && runs[i].found) {
      int k = (int)(runs[i].distance / bw);
      hist[k < nb ? k : nb - 1]++;
    }
  path_buf h = {0};
  for (int k = 0; k < nb; k++) path_buf_printf(&h, "%.6e %.6e %d\n", (k + 0.5) * bw, bw, hist[k]);
  char body[1024];
  snprintf(body, sizeof body,
           "set title \"Thesis figure 6.9: distance from each local minimum to its nearest "
           "symmetry-induced saddle (%d minima)\"\n"
           "set xlabel \"distance ||saddle - local minimum||\"\nset ylabel \"local minima\"\n"
           "set style fill solid 0.6 border -1\nset boxwidth %g absolute\nset xrange [0:*]\nset yrange [0:*]\n"
           "plot \"fig6_9.dat\" using 1:3 with boxes lc rgb \"#3070c0\" notitle\n",
           nfound, bw);
  if (!st && h.oom) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = path_plot(out, "fig6_9", h.s, h.len, body, &err);
  path_buf_free(&h);
  if (!st && ex >= 0) st = draw_cones(&cfg, out, &runs[ex], &err);
  /* summary */
  printf("runs %d, local minima %d, saddles found %d\n", nr, nmin, nfound);
  if (nfound) {
    double *ds = malloc((size_t)nfound * sizeof *ds);
    int k = 0;
    for (int i = 0; ds && i < nr; i++)
      if (runs[i].is_min && runs[i].found) ds[k++] = runs[i].distance;
    for (int a = 1; ds && a < k; a++)
      for (int b2 = a; b2 > 0 && ds[b2 - 1] > ds[b2]; b2--) {
        double t = ds[b2];
        ds[b2] = ds[b2 - 1], ds[b2 - 1] = t;
      }
    if (ds)
      printf("distance to the nearest saddle: min %.3e, median %.3e, max %.3e\n", ds[0], ds[k / 2],
             ds[k - 1]);
    int below = 0;
    for (int i = 0; ds && i < k; i++) below += ds[i] < 1;
    if (ds) printf("  %d of %d within distance 1\n", below, k);
    free(ds);
    printf("points found with a negative eigenvalue (saddles): %d of %d (the others are degenerate, "
           "index 0)\n", nsad, nfound);
    printf("Theorem 1 applies (hypotheses hold on the samples) at %d of %d saddles (%.1f%%)\n", n1,
           nsad, nsad ? 100.0 * n1 / nsad : 0.0);
    printf("Theorem 2 applies at %d of %d saddles (%.1f%%)\n", n2, nsad, nsad ? 100.0 * n2 / nsad : 0.0);
  }
  if (ex >= 0)
    printf("figure 6.12 example: seed %ld, distance %.3e, %s; %s\n", runs[ex].seed, runs[ex].distance,
           runs[ex].thm.why1, runs[ex].thm.why2);
  for (int i = 0; i < nr; i++) {
    ls_saddle_thm_result_free(&runs[i].thm);
    free(runs[i].saddle);
  }
  free(runs);
  ls_config_free(&cfg);
  if (st) return cli_fail("reproduce fig6.9", &err);
  printf("wrote %s/fig6_9.csv, fig6_9.{dat,gp,png,svg}%s\n", out, ex >= 0 ? ", fig6_12.{dat,gp,png,svg}" : "");
  return nerr ? 1 : 0;
}
