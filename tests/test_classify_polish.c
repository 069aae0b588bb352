/* Zero-loss points left slightly off the expansion manifold (Simsek et al. 2021, Remark 4.2):
 * the thesis teacher (2-4-1 sigmoid) with its neuron 0 split into two copies whose incoming
 * weights differ by +-delta (outgoing weights halved). The loss is of order delta^4 (flat to
 * fourth order along the merge), the outputs are off by order delta^2; classification must
 * polish the point back onto the manifold (shift of order delta, loss at rounding level), so
 * the pruned network reproduces the polished outputs to rounding, while against the
 * unpolished point the difference stays of order delta^2. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "sym_util.h"

int main(void) {
  ls_config cfg;
  if (su_thesis_config(&cfg)) return check_done();
  ls_error err;
  const ls_net *t = &cfg.teacher;
  ls_net s = *t;
  s.width[1] = 5;
  const double delta = 1e-5;
  /* layout: W1 (width x 2, row per unit), then W2 (1 x width); no biases */
  double th[15];
  const double *tt = cfg.teacher_params;
  for (int i = 0; i < 4; i++) th[2 * i] = tt[2 * i], th[2 * i + 1] = tt[2 * i + 1];
  th[8] = tt[0] - delta, th[9] = tt[1] + delta;
  th[0] += delta, th[1] -= delta;
  for (int i = 0; i < 4; i++) th[10 + i] = tt[8 + i];
  th[10] = th[14] = 0.5 * tt[8];
  ls_classify_result r;
  if (ls_classify_point(&s, &cfg.data, th, t, tt, NULL, &r, &err)) {
    CHECK(0, "classify: %s", err.msg);
    return check_done();
  }
  CHECK(r.loss > 1e-26 && r.loss < 1e-16, "split point has a tiny but nonzero loss (%.3g)",
        r.loss);
  CHECK(r.cls == LS_CLASS_GLOBAL && r.teacher_match, "global minimum matching the teacher");
  CHECK(r.gn_loss < 1e-28, "polished loss at rounding level (%.3g)", r.gn_loss);
  CHECK(r.polish_shift > 0.1 * delta && r.polish_shift < 10 * delta,
        "polishing moves the point by about delta (%.3g)", r.polish_shift);
  CHECK(r.prune_max_diff < 1e-13, "pruned network reproduces the polished outputs (%.3g)",
        r.prune_max_diff);
  CHECK(r.prune_raw_diff > 1e-13 && r.prune_raw_diff < 1e-8,
        "against the unpolished point the difference is of order delta^2 (%.3g)",
        r.prune_raw_diff);
  CHECK(r.reduced_width[1] == 4, "reduced to width 4");
  ls_classify_result_free(&r);
  ls_config_free(&cfg);
  return check_done();
}
