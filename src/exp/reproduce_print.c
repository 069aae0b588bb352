/* Text reports of the reproduce targets built on the sweep and of Simsek et al.'s figure 2
 * (landsym/exp_reproduce_sweep.h): what `landsym reproduce fig6.9` and `... simsek-fig2`
 * print on stdout. */
#include <stdio.h>

#include "landsym/exp_reproduce_sweep.h"

void ls_exp_fig69_print(FILE *f, const ls_fig69_result *r) {
  fprintf(f, "runs %d, local minima %d, saddles found %d\n", r->n_runs, r->n_min, r->n_found);
  if (r->n_found) {
    int ns = r->n_saddles;
    fprintf(f, "distance to the nearest saddle: min %.3e, median %.3e, max %.3e\n", r->dist_min,
            r->dist_median, r->dist_max);
    fprintf(f, "  %d of %d within distance 1\n", r->n_within1, r->n_found);
    fprintf(f, "points found with a negative eigenvalue (saddles): %d of %d (the others are "
               "degenerate, index 0)\n", ns, r->n_found);
    fprintf(f, "Theorem 1 applies (hypotheses hold on the samples) at %d of %d saddles (%.1f%%)\n",
            r->n_thm1, ns, ns ? 100.0 * r->n_thm1 / ns : 0.0);
    fprintf(f, "Theorem 2 applies at %d of %d saddles (%.1f%%)\n", r->n_thm2, ns,
            ns ? 100.0 * r->n_thm2 / ns : 0.0);
  }
  if (r->example >= 0) {
    const ls_fig69_run *x = &r->runs[r->example];
    fprintf(f, "figure 6.12 example: seed %ld, distance %.3e, %s; %s\n", x->seed, x->distance,
            x->thm.why1, x->thm.why2);
  }
}

void ls_exp_simsek_fig2_print(FILE *f, const ls_simsek_fig2_result *r) {
  fprintf(f, "critical points (Newton from a %dx%d grid): %d minima, %d saddles\n",
          r->newton_grid, r->newton_grid, r->n_min, r->n_saddle);
  for (int k = 0; k < r->n_points; k++)
    fprintf(f, "  (%.12f, %.12f)  L = %.3e  Hessian eigenvalues %.6f, %.6f  %s\n", r->point[k][0],
            r->point[k][1], r->loss[k], r->eig[k][0], r->eig[k][1],
            r->eig[k][0] > 0 ? "minimum" : "saddle");
  fprintf(f, "Lemma 2.1 on the figure: flows started on w1 = w2: max distance to it %.3e; "
             "%d flows started off it: min distance %.3e\n", r->max_on, r->n_flows_off, r->min_off);
}
