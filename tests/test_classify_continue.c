/* Continuation of runs that no certificate explains (classify.h continue_iter,
 * docs/classify.md "Continuation"), on the thesis problem (builtin:thesis, 2-5-1 student).
 *
 * 1. A random point, far from any critical point: without the continuation it has no
 *    certificate (class not_converged, continue_loss NaN). With it, the class is certified,
 *    continued = 1, the run's own loss and reason are kept, the continued point's loss
 *    (recomputed here) is the row's loss and not above the run's, and classifying the
 *    continued point by itself gives the same class and certificate.
 * 2. Seed 119 of `landsym reproduce table6.1` (its trained parameters as the sweep wrote
 *    them): a plateau at loss 1.0100709e-4 where gradient flow and Newton stopped, whose
 *    gated-unit limit lies above it (docs/reproduce.md). Continued, it goes down the
 *    plateau by more than 4e-6 to a certified channel (minimum at infinity). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "sym_util.h"

static const double seed119[15] = {
    0.90039140401174322,  0.58338747264717472, -1.4353186554545445, 0.96460848131361432,
    -1.4385753594396353,  0.96477729055990402, -0.0034841892613832149,
    0.00071703635902454707, 1.4301954404901229, -0.95808562759144611, 0.45249889673458071,
    -25.138428005259346,  43.924113510214617,  -38.377246174698371, 19.13906177300424};

/* r (continued) against an independent classification of its continued point. */
static void check_continued(const ls_net *net, const ls_data *d, const ls_config *cfg,
                            const ls_classify_result *r, const char *what) {
  CHECK(r->continued == 1 && r->cls != LS_CLASS_NOT_CONVERGED && r->continued_theta,
        "%s: continued to a certified class (%s, continued %d)", what, ls_class_name(r->cls),
        r->continued);
  if (!r->continued_theta) return;
  double lc = su_loss(net, d, r->continued_theta);
  CHECK(fabs(lc - r->loss) <= 1e-14 * fmax(1, lc) && r->loss == r->continue_loss &&
            r->loss <= r->run_loss && r->run_reason[0],
        "%s: row loss %.17g = continued point's %.17g <= run's %.17g (reason: %s)", what,
        r->loss, lc, r->run_loss, r->run_reason);
  ls_classify_opts o;
  ls_classify_opts_default(&o);
  o.continue_iter = 0;
  ls_classify_result r2;
  ls_error err;
  if (ls_classify_point(net, d, r->continued_theta, &cfg->teacher, cfg->teacher_params, &o,
                        &r2, &err)) {
    CHECK(0, "%s: classify the continued point: %s", what, err.msg);
    return;
  }
  CHECK(r2.cls == r->cls && !strcmp(r2.certificate, r->certificate) && !r2.continued,
        "%s: the continued point by itself: %s / %s (continuation: %s / %s)", what,
        ls_class_name(r2.cls), r2.certificate, ls_class_name(r->cls), r->certificate);
  ls_classify_result_free(&r2);
}

int main(void) {
  ls_config cfg;
  if (su_thesis_config(&cfg)) return check_done();
  ls_net net = cfg.student;
  ls_data *d = &cfg.data;
  ls_error err;
  ls_classify_opts off, on;
  ls_classify_opts_default(&off);
  ls_classify_opts_default(&on);
  off.continue_iter = 0;
  CHECK(on.continue_iter == 30000 && on.continue_lr == 1e-2, "defaults: %zu steps, lr %g",
        on.continue_iter, on.continue_lr);

  /* 1. a random point */
  ls_rng rs;
  ls_rng_seed(&rs, 7);
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th);
  for (size_t p = 0; p < P; p++) th[p] = ls_rng_normal(&rs);
  ls_classify_result r;
  if (ls_classify_point(&net, d, th, &cfg.teacher, cfg.teacher_params, &off, &r, &err)) {
    CHECK(0, "random point: %s", err.msg);
    return check_done();
  }
  CHECK(r.cls == LS_CLASS_NOT_CONVERGED && !r.continued && isnan(r.continue_loss) &&
            r.run_loss == r.loss,
        "random point without continuation: %s, continued %d, continue_loss %g",
        ls_class_name(r.cls), r.continued, r.continue_loss);
  double l0 = r.loss;
  ls_classify_result_free(&r);
  if (ls_classify_point(&net, d, th, &cfg.teacher, cfg.teacher_params, &on, &r, &err)) {
    CHECK(0, "random point, continued: %s", err.msg);
    return check_done();
  }
  CHECK(r.run_loss == l0 && r.continue_shift > 0, "random point: run loss %.6g kept (%.6g), "
        "moved %.3g", r.run_loss, l0, r.continue_shift);
  check_continued(&net, d, &cfg, &r, "random point");
  ls_classify_result_free(&r);

  /* 2. the table 6.1 plateau */
  if (ls_classify_point(&net, d, seed119, &cfg.teacher, cfg.teacher_params, &on, &r, &err)) {
    CHECK(0, "seed 119: %s", err.msg);
    return check_done();
  }
  CHECK(r.run_loss > 1.01007e-4 && r.run_loss < 1.01008e-4, "seed 119: run loss %.10g",
        r.run_loss);
  CHECK(r.cls == LS_CLASS_CHANNEL && r.channel.found && r.channel.minimum &&
            r.loss < r.run_loss - 4e-6,
        "seed 119: continued to a minimum at infinity (%s, %s) at %.10g, from %.10g",
        ls_class_name(r.cls), r.channel.reason, r.loss, r.run_loss);
  check_continued(&net, d, &cfg, &r, "seed 119");
  ls_classify_result_free(&r);
  free(th);
  ls_config_free(&cfg);
  return check_done();
}
