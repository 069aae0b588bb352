/* Exact gradient against central finite differences on random networks of depth 1-4,
 * every activation, with and without biases, both losses. */
#include <stdlib.h>

#include "check.h"
#include "random_problem.h"
#include "landsym/engine.h"

int main(void) {
  unsigned seed = 12345;
  for (int act = 0; act < LS_ACT_COUNT; act++)
    for (int depth = 1; depth <= 4; depth++)
      for (int bias = 0; bias <= 1; bias++)
        for (int loss = 0; loss <= 1; loss++) {
          ls_net net;
          random_net_init(&net, (ls_act_kind)act, depth, bias, (ls_loss_kind)loss);
          size_t P = ls_net_nparams(&net);
          ls_data d;
          double *th = random_problem(&net, 7, &seed, &d);
          double *g = malloc(P * sizeof *g);
          ls_work *w = ls_work_alloc(&net, d.n);
          double L, Lp, Lm, maxerr = 0;
          int bad = ls_loss_grad(&net, &d, th, &L, g, w) != LS_OK || !isfinite(L);
          for (size_t i = 0; i < P; i++) {
            /* fourth-order central difference: truncation error O(h^4) */
            double h = 1e-3, t = th[i], Lp2, Lm2;
            th[i] = t + h, bad |= ls_loss(&net, &d, th, &Lp, w) != LS_OK;
            th[i] = t - h, bad |= ls_loss(&net, &d, th, &Lm, w) != LS_OK;
            th[i] = t + 2 * h, bad |= ls_loss(&net, &d, th, &Lp2, w) != LS_OK;
            th[i] = t - 2 * h, bad |= ls_loss(&net, &d, th, &Lm2, w) != LS_OK;
            th[i] = t;
            double fd = (8 * (Lp - Lm) - (Lp2 - Lm2)) / (12 * h);
            double e = check_rel(g[i], fd, 1e-3);
            if (e > maxerr) maxerr = e;
          }
          CHECK(!bad && maxerr < 1e-7, "grad %s depth %d bias %d loss %s: %s, max rel err %.2e",
                ls_act_name((ls_act_kind)act), depth, bias, ls_loss_name(net.loss),
                bad ? "an evaluation FAILED" : "every evaluation ok", maxerr);
          ls_work_free(w);
          free(th), free(g);
          ls_data_free(&d);
        }
  return check_done();
}
