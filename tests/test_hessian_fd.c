/* Exact Hessian against 4th-order central differences of the exact gradient, HVP against
 * H v and against the columns H e_i, and symmetry, on random networks of depth 1-4, every
 * activation, with and without biases, both losses, non-uniform sample weights. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "random_problem.h"
#include "landsym/engine.h"

int main(void) {
  unsigned seed = 777;
  double worst_fd = 0, worst_hvp = 0;
  for (int act = 0; act < LS_ACT_COUNT; act++)
    for (int depth = 1; depth <= 4; depth++)
      for (int bias = 0; bias <= 1; bias++)
        for (int loss = 0; loss <= 1; loss++) {
          ls_net net;
          random_net_init(&net, (ls_act_kind)act, depth, bias, (ls_loss_kind)loss);
          if (depth > 1) net.act[depth] = (ls_act){(ls_act_kind)((act + 3) % LS_ACT_COUNT), 0.5, 1.5};
          size_t P = ls_net_nparams(&net);
          ls_data d;
          double *th = random_problem(&net, 9, &seed, &d);
          double *H = malloc(P * P * sizeof *H);
          double *gp = malloc(P * sizeof *gp), *gm = malloc(P * sizeof *gm);
          double *gp2 = malloc(P * sizeof *gp2), *gm2 = malloc(P * sizeof *gm2);
          double *v = malloc(P * sizeof *v), *hv = malloc(P * sizeof *hv);
          ls_work *w = ls_work_alloc(&net, d.n);
          char desc[128];
          ls_net_describe(&net, desc, sizeof desc);
          CHECK(ls_hessian(&net, &d, th, H, w) == LS_OK, "hessian %s: status ok", desc);
          double hmax = 0;
          for (size_t i = 0; i < P * P; i++)
            if (fabs(H[i]) > hmax) hmax = fabs(H[i]);
          /* FD: column i of H from the gradient at theta +- h e_i, +- 2h e_i */
          double L, maxerr = 0, h = act == LS_ACT_RELU ? 1e-4 : 2e-4;
          for (size_t i = 0; i < P; i++) {
            double t = th[i];
            th[i] = t + h, ls_loss_grad(&net, &d, th, &L, gp, w);
            th[i] = t - h, ls_loss_grad(&net, &d, th, &L, gm, w);
            th[i] = t + 2 * h, ls_loss_grad(&net, &d, th, &L, gp2, w);
            th[i] = t - 2 * h, ls_loss_grad(&net, &d, th, &L, gm2, w);
            th[i] = t;
            for (size_t r = 0; r < P; r++) {
              double fd = (8 * (gp[r] - gm[r]) - (gp2[r] - gm2[r])) / (12 * h);
              double e = check_rel(H[r * P + i], fd, 1e-3 * (hmax > 1 ? hmax : 1));
              if (e > maxerr) maxerr = e;
            }
          }
          if (maxerr > worst_fd) worst_fd = maxerr;
          CHECK(maxerr < 1e-7, "hessian vs FD %s: max rel err %.2e", desc, maxerr);
          double asym = 0;
          for (size_t r = 0; r < P; r++)
            for (size_t c = 0; c < P; c++) {
              double e = fabs(H[r * P + c] - H[c * P + r]) / (hmax > 0 ? hmax : 1);
              if (e > asym) asym = e;
            }
          CHECK(asym <= 1e-12, "hessian symmetric %s: %.1e", desc, asym);
          /* HVP against H v for a random v, and against every column H e_i */
          for (size_t i = 0; i < P; i++) v[i] = 2 * urand(&seed) - 1;
          ls_hvp(&net, &d, th, v, hv, w);
          double herr = 0;
          for (size_t r = 0; r < P; r++) {
            double s = 0;
            for (size_t c = 0; c < P; c++) s += H[r * P + c] * v[c];
            double e = fabs(s - hv[r]) / (hmax * P > 0 ? hmax * P : 1);
            if (e > herr) herr = e;
          }
          for (size_t i = 0; i < P; i++) {
            memset(v, 0, P * sizeof *v);
            v[i] = 1;
            ls_hvp(&net, &d, th, v, hv, w);
            for (size_t r = 0; r < P; r++) {
              double e = fabs(H[r * P + i] - hv[r]) / (hmax > 0 ? hmax : 1);
              if (e > herr) herr = e;
            }
          }
          if (herr > worst_hvp) worst_hvp = herr;
          CHECK(herr < 1e-12, "hvp == H v and H e_i %s: %.1e", desc, herr);
          ls_work_free(w);
          free(th), free(H), free(gp), free(gm), free(gp2), free(gm2), free(v), free(hv);
          ls_data_free(&d);
        }
  printf("worst Hessian FD rel err %.2e, worst HVP mismatch %.2e\n", worst_fd, worst_hvp);
  return check_done();
}
