/* Thesis section 6.2.5: a run stopped next to a symmetry-induced critical point. A critical
 * point theta* of a width-4 network (thesis teacher architecture fitted by Newton's method
 * to perturbed targets, so its loss is positive) is expanded to width 5 by splitting unit
 * 0 into two copies +-delta apart (outgoing weights halved). The split point is neither
 * converged (gradient of order delta) nor reducible at the default tolerance; merging the
 * closest pair and polishing must recover theta*'s loss, so the run is symmetry-induced
 * and flagged `approaching`. The class comes from the certificate (certify.h): Newton's
 * method from the split point merges the pair, so the run is a certified symmetry-induced
 * critical point with or without the merge test. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/optim.h"
#include "sym_util.h"

int main(void) {
  ls_config cfg;
  if (su_thesis_config(&cfg)) return check_done();
  ls_error err;
  ls_data *d = &cfg.data;
  for (size_t k = 0; k < d->n; k++) d->y[k] += 0.005 * sin(3 * d->x[2 * k]);
  const ls_net *t = &cfg.teacher;
  double t4[12];
  for (int p = 0; p < 12; p++) t4[p] = cfg.teacher_params[p];
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_NONE;
  o.polish = LS_POLISH_NEWTON;
  o.traj_per_decade = 0;
  o.grad_tol = 1e-13;
  o.polish_maxiter = 1000;
  ls_train_result tr = {0};
  ls_status st = ls_train(t, d, t4, &o, &tr, &err);
  ls_train_result_free(&tr);
  double l4, g4[12];
  ls_work *w = ls_work_alloc(t, d->n);
  if (st || !w || ls_loss_grad(t, d, t4, &l4, g4, w)) {
    CHECK(0, "width-4 critical point: %s", st ? err.msg : "loss failed");
    return check_done();
  }
  ls_work_free(w);
  double gi = 0;
  for (int p = 0; p < 12; p++) gi = fmax(gi, fabs(g4[p]));
  CHECK(l4 > 1e-8 && gi < 1e-10, "width-4 critical point of positive loss (%.3g, grad %.2g)",
        l4, gi);
  ls_net s = *t;
  s.width[1] = 5;
  const double delta = 1e-3;
  double th[15];
  for (int p = 0; p < 8; p++) th[p] = t4[p];
  th[8] = t4[0] - delta, th[9] = t4[1] + delta;
  th[0] += delta, th[1] -= delta;
  for (int i = 0; i < 4; i++) th[10 + i] = t4[8 + i];
  th[10] = th[14] = 0.5 * t4[8];
  ls_classify_result r;
  if (ls_classify_point(&s, d, th, NULL, NULL, NULL, &r, &err)) {
    CHECK(0, "classify: %s", err.msg);
    return check_done();
  }
  CHECK(!r.converged && !r.reducible, "split point: not converged (grad %.2g), not reducible",
        r.grad_inf);
  CHECK(r.approaching && r.near_saddle, "merge test: approaching a symmetry-induced point");
  CHECK(fabs(r.approach_loss - l4) <= 1e-9 * l4, "merged, polished loss = theta*'s (%.12g vs "
        "%.12g)", r.approach_loss, l4);
  CHECK((r.cls == LS_CLASS_SYMMETRY || r.cls == LS_CLASS_SADDLE) && r.sym_induced,
        "classified symmetry-induced (%s; certificate %s %s, reason: %s%s)", ls_class_name(r.cls),
        r.certificate, ls_cert_kind_name(r.crit.kind), r.crit.reason, r.mincert.reason);
  ls_class_kind cls_on = r.cls;
  ls_classify_result_free(&r);
  ls_classify_opts co;
  ls_classify_opts_default(&co);
  co.approach_dist = 0;
  if (ls_classify_point(&s, d, th, NULL, NULL, &co, &r, &err) == LS_OK) {
    CHECK(r.cls == cls_on && !r.approaching && r.crit.kind == LS_CERT_REDUCED,
          "test off: the same class (%s) from the certificate alone (Newton merges the pair: "
          "certified point %.1e from the run)", ls_class_name(r.cls), r.crit.dist);
    ls_classify_result_free(&r);
  }
  ls_config_free(&cfg);
  return check_done();
}
