/* The training objective (loss + weight-norm barrier + merge penalty): value against the
 * closed forms, gradient against central differences of the value, Hessian against
 * central differences of the gradient, HVP against H v. Networks with biases and depth 2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "optim_fixture.h"

int main(void) {
  int widths[4] = {2, 4, 3, 2};
  ls_net net;
  ls_act a = {LS_ACT_TANH, 0, 0};
  ls_net_init(&net, 3, widths, a, 1, NULL);
  size_t P = ls_net_nparams(&net);
  ls_data d;
  ls_data_alloc(&d, 9, 2, 2, 0, NULL);
  unsigned long long s = 3;
  for (size_t i = 0; i < 18; i++) d.x[i] = fixture_rand(&s), d.y[i] = fixture_rand(&s);
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g), *g2 = malloc(P * sizeof *g2);
  double *H = malloc(P * P * sizeof *H), *v = malloc(P * sizeof *v), *Hv = malloc(P * sizeof *Hv);
  for (size_t i = 0; i < P; i++) th[i] = 0.8 * fixture_rand(&s), v[i] = fixture_rand(&s);
  double n2 = 0;
  for (size_t i = 0; i < P; i++) n2 += th[i] * th[i];

  ls_penalty pen = {0};
  pen.max_norm = 0.5 * sqrt(n2); /* barrier active */
  pen.barrier = 0.3;
  pen.merge_lambda = 0.7, pen.merge_layer = 2, pen.merge_i = 0, pen.merge_j = 2;
  ls_objective plain, obj;
  ls_error err;
  ls_objective_init(&plain, &net, &d, NULL, &err);
  ls_objective_init(&obj, &net, &d, &pen, &err);

  /* value: loss + c (||theta||^2 - M^2)^2 + lambda ||theta_i - theta_j||^2 */
  double L, F;
  ls_objective_value(&plain, th, &L);
  ls_objective_value(&obj, th, &F);
  double ex = n2 - pen.max_norm * pen.max_norm, merge = 0;
  size_t w2 = ls_net_w_offset(&net, 2), b2 = ls_net_b_offset(&net, 2);
  for (int k = 0; k < 4; k++) {
    double dd = th[w2 + 0 * 4 + k] - th[w2 + 2 * 4 + k];
    merge += dd * dd;
  }
  merge += (th[b2] - th[b2 + 2]) * (th[b2] - th[b2 + 2]);
  double want = L + pen.barrier * ex * ex + pen.merge_lambda * merge;
  CHECK(check_rel(F, want, 1e-300) < 1e-13, "objective %.15g = closed form %.15g", F, want);

  /* gradient vs 4th-order central differences of the value */
  ls_objective_grad(&obj, th, &F, g);
  double maxe = 0;
  for (size_t i = 0; i < P; i++) {
    double h = 1e-3, t = th[i], fp, fm, fp2, fm2;
    th[i] = t + h, ls_objective_value(&obj, th, &fp);
    th[i] = t - h, ls_objective_value(&obj, th, &fm);
    th[i] = t + 2 * h, ls_objective_value(&obj, th, &fp2);
    th[i] = t - 2 * h, ls_objective_value(&obj, th, &fm2);
    th[i] = t;
    double fd = (8 * (fp - fm) - (fp2 - fm2)) / (12 * h);
    maxe = fmax(maxe, check_rel(g[i], fd, 1e-2));
  }
  CHECK(maxe < 1e-7, "gradient with penalties vs finite differences: max rel err %.2e", maxe);

  /* Hessian vs central differences of the gradient */
  ls_status st = ls_objective_hessian(&obj, th, H);
  maxe = 0;
  for (size_t j = 0; j < P; j++) {
    double h = 1e-4, t = th[j], fp, fm;
    th[j] = t + h, ls_objective_grad(&obj, th, &fp, g);
    th[j] = t - h, ls_objective_grad(&obj, th, &fm, g2);
    th[j] = t;
    for (size_t i = 0; i < P; i++) maxe = fmax(maxe, check_rel(H[i * P + j], (g[i] - g2[i]) / (2 * h), 1e-1));
  }
  CHECK(st == LS_OK && maxe < 1e-6, "Hessian with penalties vs finite differences: max rel err %.2e", maxe);

  /* HVP vs H v */
  ls_objective_hvp(&obj, th, v, Hv);
  maxe = 0;
  for (size_t i = 0; i < P; i++) {
    double t = 0;
    for (size_t j = 0; j < P; j++) t += H[i * P + j] * v[j];
    maxe = fmax(maxe, check_rel(Hv[i], t, 1e-8));
  }
  CHECK(maxe < 1e-12, "HVP with penalties = H v: max rel err %.2e", maxe);

  /* inside the ball the barrier is exactly zero */
  ls_penalty in = {0};
  in.max_norm = 2 * sqrt(n2), in.barrier = 5;
  ls_objective ob2;
  ls_objective_init(&ob2, &net, &d, &in, &err);
  ls_objective_value(&ob2, th, &F);
  CHECK(F == L, "barrier is zero inside the ball: %.17g == %.17g", F, L);

  /* invalid penalties are rejected */
  ls_penalty bad = {0};
  bad.merge_lambda = 1, bad.merge_layer = 3, bad.merge_i = 0, bad.merge_j = 1;
  ls_objective ob3;
  st = ls_objective_init(&ob3, &net, &d, &bad, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "hidden layer"), "merge on the output layer rejected: %s", err.msg);

  ls_objective_free(&ob2);
  ls_objective_free(&ob3);
  ls_objective_free(&plain);
  ls_objective_free(&obj);
  free(th), free(g), free(g2), free(H), free(v), free(Hv);
  ls_data_free(&d);
  return check_done();
}
