/* Polishing of a zero-loss point onto the zero-residual set before it is reduced.
 * At a global minimum whose units have not fully merged, the loss is flat to fourth order
 * along a merge: units delta apart leave residuals of order delta^2 but gradients of order
 * delta^3, so Newton on the gradient stalls at its rounding floor (about 1e-16) with the
 * residuals still about 1e-11 (loss 1e-21). The residuals themselves carry the direction
 * (Simsek et al. 2021, Remark 4.2: the expansion manifold is where they vanish): the
 * trainer's Levenberg-Marquardt on the residuals (src/optim/lm.c) drives them to the
 * rounding level. */
#include "landsym/classify.h"
#include "landsym/engine.h"
#include "landsym/optim.h"

ls_status ls_prune_polish_gn(const ls_net *net, const ls_data *d, double *theta,
                             int max_iter, double *loss, ls_error *err) {
  if (net->loss != LS_LOSS_MSE || max_iter <= 0) return LS_OK;
  ls_lm_opts o = {(size_t)max_iter, 0, NULL, NULL};
  ls_stop_reason why;
  double f;
  ls_status st = ls_lm_polish(net, d, theta, &o, &f, &why, err);
  if (st == LS_OK && why != LS_STOP_NAN) *loss = f;
  return st;
}
