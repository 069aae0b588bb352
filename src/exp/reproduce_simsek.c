/* landsym reproduce simsek-fig2: figure 2 of Simsek et al. 2021, the gradient flow of the
 * permutation-symmetric loss L(w1, w2) = log(((w1 + w2 - 3)^2 + (w1 w2 - 2)^2)/2 + 1):
 * flow lines, the two global minima, the saddle on the symmetry subspace w1 = w2 (dashed),
 * and the numbers of Lemma 2.1 on this picture (docs/reproduce.md;
 * landsym/exp_reproduce_sweep.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "landsym/exp_reproduce_sweep.h"
#include "landsym/out.h"
#include "landsym/sym.h"

#define FIG2_LO (-0.5)
#define FIG2_HI 3.5
#define FIG2_GRID 101  /* landscape samples per axis */
#define FIG2_NEWTON 21 /* Newton starts per axis */
#define FIG2_DT 0.01
#define FIG2_STEPS 3000 /* flow time 30 */

/* Critical points of L by Newton from a grid of starts, deduplicated (1e-9). */
static int find_critical(double pts[][4], int cap) {
  int n = 0;
  for (int a = 0; a < FIG2_NEWTON; a++)
    for (int b = 0; b < FIG2_NEWTON; b++) {
      double w0[2] = {FIG2_LO + (FIG2_HI - FIG2_LO) * a / (FIG2_NEWTON - 1),
                      FIG2_LO + (FIG2_HI - FIG2_LO) * b / (FIG2_NEWTON - 1)};
      double w[2], eig[2];
      if (!ls_sym_fig2_critical(w0, w, eig)) continue;
      int dup = 0;
      for (int k = 0; k < n; k++)
        if (fabs(pts[k][0] - w[0]) + fabs(pts[k][1] - w[1]) < 1e-9) dup = 1;
      if (!dup && n < cap) pts[n][0] = w[0], pts[n][1] = w[1], pts[n][2] = eig[0], pts[n][3] = eig[1], n++;
    }
  return n;
}

/* Index 0 of fig2.dat: the landscape on a FIG2_GRID^2 grid. */
static void landscape(ls_buf *b) {
  for (int a = 0; a < FIG2_GRID; a++) {
    for (int c = 0; c < FIG2_GRID; c++) {
      double w[2] = {FIG2_LO + (FIG2_HI - FIG2_LO) * a / (FIG2_GRID - 1),
                     FIG2_LO + (FIG2_HI - FIG2_LO) * c / (FIG2_GRID - 1)}, L;
      ls_sym_fig2_loss(w, &L, NULL, NULL);
      ls_buf_printf(b, "%.6f %.6f %.8e\n", w[0], w[1], L);
    }
    ls_buf_printf(b, "\n");
  }
}

/* One flow line from w0 (every 10th point) into b; its smallest and largest distance
 * |w1 - w2| / sqrt(2) to the subspace w1 = w2 folded into *lo and *hi. */
static void flow_line(const double w0[2], double *traj, ls_buf *b, double *lo, double *hi) {
  ls_sym_fig2_flow(w0, FIG2_DT, FIG2_STEPS, traj);
  for (int k = 0; k <= FIG2_STEPS; k += 10)
    ls_buf_printf(b, "%.6f %.6f\n", traj[2 * k], traj[2 * k + 1]);
  ls_buf_printf(b, "\n");
  for (int k = 0; k <= FIG2_STEPS; k++) {
    double d = fabs(traj[2 * k] - traj[2 * k + 1]) / sqrt(2.0);
    *lo = fmin(*lo, d), *hi = fmax(*hi, d);
  }
}

/* Index 1: flow lines from starts on the square's border and on both sides of w1 = w2
 * close to it; index 2: flow lines started on w1 = w2. Lemma 2.1: the first never reach
 * the subspace (min_off > 0), the second never leave it (max_on = 0). */
static ls_status flows(ls_buf *b, ls_simsek_fig2_result *r, ls_error *err) {
  double *traj = malloc((size_t)(FIG2_STEPS + 1) * 2 * sizeof *traj);
  if (!traj) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  double starts[64][2], unused = 0, none = INFINITY;
  int ns = 0;
  for (int k = 0; k < 8; k++) {
    double t = FIG2_LO + (FIG2_HI - FIG2_LO) * (k + 0.5) / 8;
    starts[ns][0] = t, starts[ns++][1] = FIG2_LO;
    starts[ns][0] = t, starts[ns++][1] = FIG2_HI;
    starts[ns][0] = FIG2_LO, starts[ns++][1] = t;
    starts[ns][0] = FIG2_HI, starts[ns++][1] = t;
  }
  /* pairs just off the subspace, mirror images of each other */
  double near[4] = {0.0, 0.8, 2.2, 3.2};
  for (int k = 0; k < 4; k++) {
    starts[ns][0] = near[k] + 0.02, starts[ns++][1] = near[k] - 0.02;
    starts[ns][0] = near[k] - 0.02, starts[ns++][1] = near[k] + 0.02;
  }
  r->min_off = INFINITY, r->max_on = 0;
  ls_buf_printf(b, "\n");
  for (int s = 0; s < ns; s++) flow_line(starts[s], traj, b, &r->min_off, &unused);
  ls_buf_printf(b, "\n");
  double diag[4] = {FIG2_LO + 0.1, 0.6, 2.6, FIG2_HI - 0.1};
  for (int s = 0; s < 4; s++) {
    double w0[2] = {diag[s], diag[s]};
    flow_line(w0, traj, b, &none, &r->max_on);
  }
  r->n_flows_off = ns;
  free(traj);
  return LS_OK;
}

/* Index 3: minima, index 4: saddles (critical points found by Newton, classified by the
 * signs of the Hessian eigenvalues). */
static void critical_points(ls_buf *b, ls_simsek_fig2_result *r) {
  double pts[LS_SIMSEK_FIG2_MAX_POINTS][4];
  r->n_points = find_critical(pts, LS_SIMSEK_FIG2_MAX_POINTS);
  r->newton_grid = FIG2_NEWTON;
  for (int k = 0; k < r->n_points; k++) {
    r->point[k][0] = pts[k][0], r->point[k][1] = pts[k][1];
    r->eig[k][0] = pts[k][2], r->eig[k][1] = pts[k][3];
    ls_sym_fig2_loss(pts[k], &r->loss[k], NULL, NULL);
    if (pts[k][2] > 0) r->n_min++;
    else r->n_saddle++;
  }
  for (int pass = 0; pass < 2; pass++) {
    ls_buf_printf(b, "\n");
    for (int k = 0; k < r->n_points; k++) {
      int is_min = pts[k][2] > 0;
      if (is_min != (pass == 0)) continue;
      ls_buf_printf(b, "%.15f %.15f %.3e\n", pts[k][0], pts[k][1], r->loss[k]);
    }
    ls_buf_printf(b, "\n");
  }
}

static const char *const fig2_body =
    "set title \"Simsek et al. 2021, figure 2: gradient flow of a permutation-symmetric loss\"\n"
    "set xlabel \"w1\"\nset ylabel \"w2\"\n"
    "set size ratio -1\n"
    "set xrange [-0.5:3.5]\nset yrange [-0.5:3.5]\n"
    "set palette defined (0 \"white\", 1 \"#c8c8c8\", 2 \"#707070\")\n"
    "set cblabel \"L(w1,w2)\"\n"
    "set key outside right bottom box opaque\n"
    "plot \"fig2.dat\" index 0 using 1:2:3 with image notitle, \\\n"
    "     \"\" index 1 using 1:2 with lines lw 1 lc rgb \"#3070c0\" title \"flow lines\", \\\n"
    "     \"\" index 2 using 1:2 with lines lw 3 lc rgb \"#20a020\" title \"flow started on w1 = w2\", \\\n"
    "     \"\" index 3 using 1:2 with points pt 7 ps 2 lc rgb \"red\" title \"global minima\", \\\n"
    "     \"\" index 4 using 1:2 with points pt 7 ps 2 lc rgb \"purple\" title \"saddle\", \\\n"
    "     x with lines dt 2 lw 2 lc rgb \"black\" title \"symmetry subspace w1 = w2\"\n";

ls_status ls_exp_reproduce_simsek_fig2(const ls_reproduce_opts *opts,
                                       ls_simsek_fig2_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_status st = ls_mkdir_p(opts->out_dir, err);
  if (st) return st;
  ls_buf b = {0};
  landscape(&b);
  if ((st = flows(&b, r, err))) {
    ls_buf_free(&b);
    return st;
  }
  critical_points(&b, r);
  r->holds = r->max_on == 0 && r->min_off > 0 && r->n_min == 2 && r->n_saddle == 1;
  ls_figure f = {opts->out_dir, "fig2", NULL, 0, 0, 0};
  st = ls_buf_status(&b, err);
  if (!st) st = ls_figure_save(&f, b.s, b.len, fig2_body, err);
  ls_buf_free(&b);
  return st;
}
