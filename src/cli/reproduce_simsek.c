/* landsym reproduce simsek-fig2: figure 2 of Simsek et al. 2021, the gradient flow of the
 * permutation-symmetric loss L(w1, w2) = log(((w1 + w2 - 3)^2 + (w1 w2 - 2)^2)/2 + 1):
 * flow lines, the two global minima, the saddle on the symmetry subspace w1 = w2 (dashed),
 * and the numbers of Lemma 2.1 on this picture (docs/reproduce.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/path_plot.h"
#include "cli/reproduce_simsek.h"
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

int reproduce_simsek_fig2(const char *out) {
  ls_error err = {0};
  ls_status st = path_mkdir(out, &err);
  if (st) return fprintf(stderr, "landsym reproduce simsek-fig2: %s\n", err.msg), 2;
  path_buf b = {0};
  /* index 0: the landscape */
  b.len = 0;
  for (int a = 0; a < FIG2_GRID; a++) {
    for (int c = 0; c < FIG2_GRID; c++) {
      double w[2] = {FIG2_LO + (FIG2_HI - FIG2_LO) * a / (FIG2_GRID - 1),
                     FIG2_LO + (FIG2_HI - FIG2_LO) * c / (FIG2_GRID - 1)}, L;
      ls_sym_fig2_loss(w, &L, NULL, NULL);
      path_buf_printf(&b, "%.6f %.6f %.8e\n", w[0], w[1], L);
    }
    path_buf_printf(&b, "\n");
  }
  /* index 1: flow lines from starts on the square's border and on both sides of w1 = w2
   * close to it; index 2: flow lines started on w1 = w2 */
  path_buf_printf(&b, "\n");
  double *traj = malloc((size_t)(FIG2_STEPS + 1) * 2 * sizeof *traj);
  if (!traj) return fprintf(stderr, "landsym reproduce simsek-fig2: out of memory\n"), 1;
  double starts[64][2];
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
  double min_off = INFINITY, max_on = 0;
  for (int s = 0; s < ns; s++) {
    ls_sym_fig2_flow(starts[s], FIG2_DT, FIG2_STEPS, traj);
    for (int k = 0; k <= FIG2_STEPS; k += 10)
      path_buf_printf(&b, "%.6f %.6f\n", traj[2 * k], traj[2 * k + 1]);
    path_buf_printf(&b, "\n");
    for (int k = 0; k <= FIG2_STEPS; k++)
      min_off = fmin(min_off, fabs(traj[2 * k] - traj[2 * k + 1]) / sqrt(2.0));
  }
  path_buf_printf(&b, "\n");
  double diag[4] = {FIG2_LO + 0.1, 0.6, 2.6, FIG2_HI - 0.1};
  for (int s = 0; s < 4; s++) {
    double w0[2] = {diag[s], diag[s]};
    ls_sym_fig2_flow(w0, FIG2_DT, FIG2_STEPS, traj);
    for (int k = 0; k <= FIG2_STEPS; k += 10)
      path_buf_printf(&b, "%.6f %.6f\n", traj[2 * k], traj[2 * k + 1]);
    path_buf_printf(&b, "\n");
    for (int k = 0; k <= FIG2_STEPS; k++)
      max_on = fmax(max_on, fabs(traj[2 * k] - traj[2 * k + 1]) / sqrt(2.0));
  }
  free(traj);
  /* index 3: minima, index 4: saddles (critical points found by Newton, classified by the
   * signs of the Hessian eigenvalues) */
  double pts[16][4];
  int np = find_critical(pts, 16), nmin = 0, nsad = 0;
  for (int pass = 0; pass < 2; pass++) {
    path_buf_printf(&b, "\n");
    for (int k = 0; k < np; k++) {
      int is_min = pts[k][2] > 0;
      if (is_min != (pass == 0)) continue;
      double L;
      ls_sym_fig2_loss(pts[k], &L, NULL, NULL);
      path_buf_printf(&b, "%.15f %.15f %.3e\n", pts[k][0], pts[k][1], L);
    }
    path_buf_printf(&b, "\n");
  }
  for (int k = 0; k < np; k++) {
    if (pts[k][2] > 0) nmin++;
    else nsad++;
  }
  const char *body =
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
  if (b.oom) return fprintf(stderr, "landsym reproduce simsek-fig2: out of memory\n"), 1;
  st = path_plot(out, "fig2", b.s, b.len, body, &err);
  path_buf_free(&b);
  printf("critical points (Newton from a %dx%d grid): %d minima, %d saddles\n", FIG2_NEWTON,
         FIG2_NEWTON, nmin, nsad);
  for (int k = 0; k < np; k++) {
    double L;
    ls_sym_fig2_loss(pts[k], &L, NULL, NULL);
    printf("  (%.12f, %.12f)  L = %.3e  Hessian eigenvalues %.6f, %.6f  %s\n", pts[k][0], pts[k][1],
           L, pts[k][2], pts[k][3], pts[k][2] > 0 ? "minimum" : "saddle");
  }
  printf("Lemma 2.1 on the figure: flows started on w1 = w2: max distance to it %.3e; "
         "%d flows started off it: min distance %.3e\n", max_on, ns, min_off);
  if (st) return fprintf(stderr, "landsym reproduce simsek-fig2: %s\n", err.msg), 1;
  printf("wrote %s/fig2.dat, fig2.gp, fig2.png, fig2.svg\n", out);
  return max_on == 0 && min_off > 0 && nmin == 2 && nsad == 1 ? 0 : 1;
}
