/* Escape checks (thesis section 6.2.4, Algorithms 1 and 2) and the saddle pipeline
 * (section 6.3.2) on a softplus teacher-student problem with a constructed saddle line:
 * the 4-unit network obtained by merging two teacher units is brought to a minimum
 * (Newton), lifted to 5 units with split mu = 0.3 (a point of a known line of critical
 * points), and perturbed. Truths: the lifted line is critical (Fukumizu-Amari), the
 * pipeline recovers it, the teacher (zero loss) has no lower point, and a strict saddle
 * (negative eigenvalue) has one along its eigenvector. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/optim.h"
#include "landsym/paths.h"
#include "landsym/rng.h"

static const double teacher[] = {1.305, 0.264, 0.545, 1.087, -0.913, 0.912, -0.827, -0.508,
                                 0.065, -0.823, 0.439, -0.183, -0.041, 0.357, -0.058, -0.745,
                                 0.914,  1.155, 1.063,  -1.451, 0.1};

int main(void) {
  int widths[3] = {2, 5, 1};
  ls_act a = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net net;
  ls_data d = {0};
  ls_error err = {0};
  ls_net_init(&net, 2, widths, a, 1, &err);
  ls_data_gaussian(&d, 150, 2, 2019, 1, &err);
  ls_data_teacher_targets(&d, &net, teacher, 0, &err);
  size_t P = ls_net_nparams(&net);

  /* a known saddle line: merge units 0 and 2, Newton to a minimum, lift with mu = 0.3 */
  ls_net nr;
  double *tr = NULL;
  ls_path_merge_units(&net, teacher, 1, 0, 2, &nr, &tr, &err);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.first = LS_FIRST_ADAM, to.first_maxiter = 2000, to.polish = LS_POLISH_NEWTON;
  to.traj_per_decade = 0, to.polish_maxiter = 20000, to.grad_tol = 1e-13;
  ls_train_result tres = {0};
  ls_train(&nr, &d, tr, &to, &tres, &err);
  printf("  narrow minimum: loss %.10e, |grad|_inf %.2e\n", tres.loss, tres.grad_norm);
  double narrow_loss = tres.loss;
  ls_train_result_free(&tres);
  double *line = malloc(P * sizeof *line);
  ls_path_lift(&nr, tr, 1, 0, 0.3, &net, 0, 2, line, &err);
  double *g = malloc(P * sizeof *g), L;
  ls_work *w = ls_work_alloc(&net, d.n);
  ls_loss_grad(&net, &d, line, &L, g, w);
  double gi = 0;
  for (size_t i = 0; i < P; i++) gi = fmax(gi, fabs(g[i]));
  CHECK(gi < 1e-11, "lifted point mu = 0.3 is critical (|grad|_inf %.2e)", gi);

  /* escape check at the teacher (zero loss): nothing lower */
  ls_escape_opts eo;
  ls_escape_opts_default(&eo);
  eo.scan_max = 2, eo.scan_step = 0.05, eo.bfs_nodes = 20, eo.bfs_depth = 2;
  ls_escape_result er = {0};
  ls_status st = ls_escape_check(&net, &d, teacher, &eo, &er, &err);
  CHECK(st == LS_OK && !er.found_lower && er.loss0 == 0,
        "escape at the global minimum: nothing lower (%d directions tested)", er.n_dirs);
  ls_escape_result_free(&er);

  /* escape check on the saddle line: the split test's negative direction is found */
  st = ls_escape_check(&net, &d, line, &eo, &er, &err);
  CHECK(st == LS_OK, "escape check on the saddle line runs (%s)", st ? err.msg : "ok");
  printf("  saddle line point: %d negative, %d near-zero directions; loss0 %.6e best %.6e\n",
         er.n_negative, er.n_near_zero, er.loss0, er.best_loss);
  CHECK(er.n_negative == 0 || er.found_lower,
        "escape: a lower point is found whenever the Hessian has a negative eigenvalue");
  if (er.n_negative > 0) {
    double ld;
    ls_loss(&net, &d, er.best_theta, &ld, w);
    CHECK(ld == er.best_loss && ld < er.loss0, "escape: the reported lower point has the reported loss");
  }
  ls_escape_result_free(&er);

  /* the saddle pipeline from a perturbed point recovers the line */
  double *start = malloc(P * sizeof *start);
  ls_rng rng;
  ls_rng_seed(&rng, 7);
  for (size_t i = 0; i < P; i++) start[i] = line[i] + 1e-3 * ls_rng_normal(&rng);
  ls_saddle_opts so;
  ls_saddle_opts_default(&so);
  ls_saddle_result sr = {0};
  st = ls_saddle_find(&net, &d, start, &so, &sr, &err);
  CHECK(st == LS_OK, "saddle pipeline runs (%s)", st ? err.msg : "ok");
  if (!st) {
    double dl = 0, dr = 0;
    for (size_t i = 0; i < P; i++) dl += (sr.saddle[i] - line[i]) * (sr.saddle[i] - line[i]);
    size_t Pr = ls_net_nparams(&nr);
    for (size_t i = 0; i < Pr; i++) dr = fmax(dr, fabs(sr.reduced[i] - tr[i]));
    CHECK(sr.l == 0 && sr.m == 2, "saddle: merged the constructed pair (%d,%d)", sr.l, sr.m);
    /* the narrow network's critical set is flat along a valley: recovery is to within the
     * perturbation, at the same loss */
    CHECK(dr < 1e-2 && fabs(sr.reduced_loss - narrow_loss) < 1e-9 * narrow_loss,
          "saddle: narrow critical point recovered (max diff %.2e, loss %.10e vs %.10e)", dr,
          sr.reduced_loss, narrow_loss);
    CHECK(fabs(sr.mu - 0.3) < 0.05, "saddle: split mu %.4f near the constructed 0.3", sr.mu);
    CHECK(sqrt(dl) < 1e-2, "saddle: recovered point within %.2e of the constructed line point",
          sqrt(dl));
    CHECK(sr.saddle_grad < 1e-10, "saddle: recovered point is critical (%.2e)", sr.saddle_grad);
    CHECK(ls_inertia_equal(sr.inertia, sr.predicted),
          "saddle: Hessian inertia (%d,%d,%d) = split-test prediction (%d,%d,%d)", sr.inertia.neg,
          sr.inertia.zero, sr.inertia.pos, sr.predicted.neg, sr.predicted.zero, sr.predicted.pos);
    CHECK(fabs(sr.distance - sqrt(dl)) < 2e-3 + 1e-2,
          "saddle: distance start -> saddle %.3e is of the perturbation's size", sr.distance);
  }
  ls_saddle_result_free(&sr);

  /* slices: endpoints of the 1D slice are the two points' losses */
  double t[5], lo[5], La, Lb;
  ls_slice_1d(&net, &d, line, teacher, 0, 1, 5, t, lo, &err);
  ls_loss(&net, &d, line, &La, w);
  ls_loss(&net, &d, teacher, &Lb, w);
  CHECK(lo[0] == La && fabs(lo[4] - Lb) < 1e-14, "1D slice ends at the two points' losses");
  free(tr), free(line), free(g), free(start);
  ls_work_free(w);
  ls_data_free(&d);
  return check_done();
}
