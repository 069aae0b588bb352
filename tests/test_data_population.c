/* Population loss under standard-normal input against its closed form. For the
 * activation erf(x/sqrt 2) and jointly Gaussian pre-activations z = w.x, z' = v.x,
 *   E[erf(z/sqrt2) erf(z'/sqrt2)] = (2/pi) asin(w.v / sqrt((1+|w|^2)(1+|v|^2))),
 * so the MSE between two 2-input erf networks without biases is a finite sum. The
 * Gauss-Hermite data set must reproduce it to near machine precision, the seeded
 * Gaussian samples within their Monte Carlo error. */
#include <stdlib.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/data.h"
#include "landsym/engine.h"

static double kernel(const double *w, const double *v) {
  double wv = w[0] * v[0] + w[1] * v[1], ww = w[0] * w[0] + w[1] * w[1], vv = v[0] * v[0] + v[1] * v[1];
  return 2.0 / M_PI * asin(wv / sqrt((1 + ww) * (1 + vv)));
}

int main(void) {
  ls_act erf = {LS_ACT_ERF, 1, 1};
  ls_net teacher, student;
  int tw[3] = {2, 2, 1}, sw[3] = {2, 3, 1};
  ls_net_init(&teacher, 2, tw, erf, 0, NULL);
  ls_net_init(&student, 2, sw, erf, 0, NULL);
  double tp[6] = {1.0, 0.5, -0.3, 0.8, 1.0, -0.7};
  double sp[9] = {0.9, 0.4, -0.2, 1.1, 0.5, -0.5, 1.2, -0.6, 0.3};
  /* closed form: combined network with outgoing weights (student a, -teacher a) */
  double W[5][2] = {{0.9, 0.4}, {-0.2, 1.1}, {0.5, -0.5}, {1.0, 0.5}, {-0.3, 0.8}};
  double A[5] = {1.2, -0.6, 0.3, -1.0, 0.7};
  double exact = 0;
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++) exact += A[i] * A[j] * kernel(W[i], W[j]);

  ls_error err = {0};
  int pts[4] = {10, 20, 40, 60};
  double errs[4];
  for (int t = 0; t < 4; t++) {
    ls_data d;
    ls_data_hermite(&d, pts[t], 2, 1, &err);
    ls_data_teacher_targets(&d, &teacher, tp, 0, &err);
    ls_work *w = ls_work_alloc(&student, d.n);
    double L;
    ls_loss(&student, &d, sp, &L, w);
    errs[t] = fabs(L - exact);
    printf("  %2d^2 Gauss-Hermite points: loss %.17g, closed form %.17g, error %.2e\n", pts[t], L,
           exact, errs[t]);
    ls_work_free(w);
    ls_data_free(&d);
  }
  CHECK(errs[3] < 1e-13 * exact, "60^2-point rule reproduces the population loss (rel err %.1e)",
        errs[3] / exact);
  CHECK(errs[1] < errs[0] && errs[2] < errs[1], "error decreases from 10 to 20 to 40 points");

  ls_data g;
  size_t n = 200000;
  ls_data_gaussian(&g, n, 2, 123, 1, &err);
  ls_data_teacher_targets(&g, &teacher, tp, 0, &err);
  ls_work *w = ls_work_alloc(&student, g.n);
  double L, sq = 0;
  ls_loss(&student, &g, sp, &L, w);
  /* standard error from the per-sample losses */
  double *out = malloc(n * sizeof *out);
  ls_forward(&student, sp, n, g.x, out, w);
  for (size_t k = 0; k < n; k++) {
    double e = (out[k] - g.y[k]) * (out[k] - g.y[k]);
    sq += (e - L) * (e - L);
  }
  double se = sqrt(sq / (n - 1) / n);
  CHECK(fabs(L - exact) < 4 * se, "Monte Carlo loss %.6f within 4 standard errors (%.1e) of %.6f", L,
        se, exact);
  free(out);
  ls_work_free(w);
  ls_data_free(&g);
  return check_done();
}
