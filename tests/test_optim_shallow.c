/* Closed-form Gauss-Newton matrix and Hessian of one-hidden-layer MSE networks
 * (src/optim/shallow.c) against the engine's general Hessian (R-operator), on random
 * problems with and without biases, several activations, weighted samples and more
 * samples than one block; and the Gauss-Newton matrix against the Hessian at a
 * zero-residual point (the teacher itself), where the residual curvature vanishes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/optim/shallow.h"
#include "check.h"
#include "landsym/linalg.h"
#include "optim_fixture.h"
#include "random_problem.h"

static double max_abs(size_t n, const double *a) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
  return m;
}

int main(void) {
  struct {
    int din, m, bias1, bias2;
    ls_act_kind act;
    size_t n;
  } cases[] = {{2, 5, 0, 0, LS_ACT_SIGMOID, 300},  {3, 4, 1, 1, LS_ACT_TANH, 1100},
               {1, 6, 1, 0, LS_ACT_SOFTPLUS, 77},  {4, 3, 0, 1, LS_ACT_ERF, 600},
               {2, 7, 1, 1, LS_ACT_GELU, LS_SHALLOW_BLOCK + 1}};
  unsigned seed = 11;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    ls_net net;
    int w[3] = {cases[c].din, cases[c].m, 1};
    ls_act a = {cases[c].act, 0, 0};
    ls_net_init(&net, 2, w, a, 0, NULL);
    net.bias[1] = cases[c].bias1, net.bias[2] = cases[c].bias2;
    ls_data d;
    double *th = random_problem(&net, cases[c].n, &seed, &d);
    ls_objective o;
    ls_error err;
    CHECK(th && ls_objective_init(&o, &net, &d, NULL, &err) == LS_OK, "case %zu set up", c);
    size_t P = o.P;
    double *A = malloc(P * P * sizeof *A), *S = malloc(P * P * sizeof *S),
           *H = malloc(P * P * sizeof *H), *V = malloc(P * P * sizeof *V), *lam = malloc(P * sizeof *lam);
    ls_shallow sh;
    CHECK(ls_shallow_applies(&o) && ls_shallow_alloc(&sh, &o) == LS_OK, "case %zu applies", c);
    CHECK(ls_shallow_matrices(&sh, &o, th, A, S) == LS_OK && ls_objective_hessian(&o, th, H) == LS_OK,
          "case %zu matrices computed", c);
    double diff = 0, asym = 0;
    for (size_t i = 0; i < P; i++)
      for (size_t j = 0; j < P; j++) {
        diff = fmax(diff, fabs(A[i * P + j] + S[i * P + j] - H[i * P + j]));
        asym = fmax(asym, fabs(A[i * P + j] - A[j * P + i]) + fabs(S[i * P + j] - S[j * P + i]));
      }
    double scale = max_abs(P * P, H);
    CHECK(diff <= 1e-12 * scale && asym == 0, "case %zu (P=%zu, n=%zu): |A + S - H| = %.3g of %.3g, asymmetry %.3g",
          c, P, cases[c].n, diff, scale, asym);
    /* A = 2 sum w J J^T is positive semi-definite */
    CHECK(ls_eig_sym(P, A, lam, V, &err) == LS_OK && lam[0] >= -1e-13 * lam[P - 1],
          "case %zu: Gauss-Newton eigenvalues from %.3g to %.3g", c, lam[0], lam[P - 1]);
    ls_shallow_free(&sh);
    ls_objective_free(&o);
    free(A), free(S), free(H), free(V), free(lam), free(th);
    ls_data_free(&d);
  }

  /* zero residual: the teacher on its own data, S = 0 and A = H */
  {
    ls_net net;
    thesis_net(&net, 4);
    ls_data d;
    thesis_data(&d, 21);
    ls_objective o;
    ls_error err;
    ls_objective_init(&o, &net, &d, NULL, &err);
    double A[144], S[144], H[144];
    ls_shallow sh;
    ls_shallow_alloc(&sh, &o);
    ls_shallow_matrices(&sh, &o, thesis_teacher, A, S);
    ls_objective_hessian(&o, thesis_teacher, H);
    double diff = 0;
    for (int i = 0; i < 144; i++) diff = fmax(diff, fabs(A[i] - H[i]));
    CHECK(max_abs(144, S) < 1e-15 && diff < 1e-14 * max_abs(144, H),
          "teacher: |S| = %.3g, |A - H| = %.3g", max_abs(144, S), diff);
    ls_shallow_free(&sh);
    ls_objective_free(&o);

    /* two hidden layers, or a penalty: not applicable */
    ls_net deep;
    int w[4] = {2, 3, 3, 1};
    ls_act a = {LS_ACT_SIGMOID, 0, 0};
    ls_net_init(&deep, 3, w, a, 0, NULL);
    ls_objective_init(&o, &deep, &d, NULL, &err);
    CHECK(!ls_shallow_applies(&o), "a two-hidden-layer network is not shallow");
    ls_objective_free(&o);
    ls_penalty pen = {0};
    pen.max_norm = 1, pen.barrier = 1;
    ls_objective_init(&o, &net, &d, &pen, &err);
    CHECK(!ls_shallow_applies(&o), "the weight-norm barrier rules the closed form out");
    ls_objective_free(&o);
    ls_data_free(&d);
  }
  return check_done();
}
