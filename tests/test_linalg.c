/* Dense symmetric eigensolver against a closed form and eigen-residuals; Lanczos against
 * the dense solver on random matrices (distinct and repeated eigenvalues) and on a network
 * Hessian through the Hessian-vector product; the spectrum helper's two methods agree. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"

static double urand(unsigned *s) { return (rand_r(s) + 0.5) / ((double)RAND_MAX + 1.0); }

typedef struct {
  size_t n;
  const double *A;
} dense_op;

static int dense_mv(void *p, const double *x, double *y) {
  dense_op *o = p;
  for (size_t i = 0; i < o->n; i++) {
    double s = 0;
    for (size_t j = 0; j < o->n; j++) s += o->A[i * o->n + j] * x[j];
    y[i] = s;
  }
  return 0;
}

/* A = Q diag(lam) Q^T with Q from the eigenvectors of a random symmetric matrix. */
static void make_matrix(size_t n, const double *lam, double *A, unsigned *seed) {
  double *R = malloc(n * n * sizeof *R), *Q = malloc(n * n * sizeof *Q), *e = malloc(n * sizeof *e);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) R[i * n + j] = R[j * n + i] = urand(seed) - 0.5;
  ls_eig_sym(n, R, e, Q, NULL);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double s = 0;
      for (size_t q = 0; q < n; q++) s += Q[i * n + q] * lam[q] * Q[j * n + q];
      A[i * n + j] = s;
    }
  for (size_t i = 0; i < n; i++) /* exact symmetry */
    for (size_t j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
  free(R), free(Q), free(e);
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_dense(void) {
  /* second-difference matrix: eigenvalues 2 - 2 cos(j pi / (n+1)) */
  size_t n = 40;
  double *A = calloc(n * n, sizeof *A), *ev = malloc(n * sizeof *ev), *V = malloc(n * n * sizeof *V);
  for (size_t i = 0; i < n; i++) {
    A[i * n + i] = 2;
    if (i + 1 < n) A[i * n + i + 1] = A[(i + 1) * n + i] = -1;
  }
  CHECK(ls_eig_sym(n, A, ev, V, NULL) == LS_OK, "eig_sym status");
  double err = 0, res = 0, orth = 0;
  for (size_t j = 0; j < n; j++) {
    double ex = 2 - 2 * cos((double)(j + 1) * M_PI / (double)(n + 1));
    if (fabs(ev[j] - ex) > err) err = fabs(ev[j] - ex);
    for (size_t i = 0; i < n; i++) {
      double s = 0;
      for (size_t q = 0; q < n; q++) s += A[i * n + q] * V[q * n + j];
      if (fabs(s - ev[j] * V[i * n + j]) > res) res = fabs(s - ev[j] * V[i * n + j]);
    }
    for (size_t c = 0; c < n; c++) {
      double s = 0;
      for (size_t i = 0; i < n; i++) s += V[i * n + j] * V[i * n + c];
      if (fabs(s - (j == c)) > orth) orth = fabs(s - (j == c));
    }
  }
  CHECK(err < 1e-13, "eig_sym: second-difference eigenvalues vs closed form, max err %.1e", err);
  CHECK(res < 1e-13, "eig_sym: residual |A v - l v| %.1e", res);
  CHECK(orth < 1e-13, "eig_sym: eigenvectors orthonormal to %.1e", orth);
  int asc = 1;
  for (size_t j = 1; j < n; j++) asc &= ev[j] >= ev[j - 1];
  CHECK(asc, "eig_sym: ascending");
  A[3] = NAN, A[3 * n] = NAN;
  ls_error e;
  CHECK(ls_eig_sym(n, A, ev, NULL, &e) != LS_OK, "eig_sym: NaN matrix reported (%s)", e.msg);
  free(A), free(ev), free(V);
}

static void test_lanczos(int repeated, unsigned *seed) {
  size_t n = 150;
  int k = 6;
  double *lam = malloc(n * sizeof *lam), *A = malloc(n * n * sizeof *A);
  for (size_t i = 0; i < n; i++) lam[i] = 10 * urand(seed) - 3;
  if (repeated) /* triple smallest and double largest */
    lam[0] = lam[1] = lam[2] = -5, lam[3] = -4.5, lam[4] = lam[5] = 9, lam[6] = 12, lam[7] = 12;
  make_matrix(n, lam, A, seed);
  qsort(lam, n, sizeof *lam, cmp_d);
  dense_op op = {n, A};
  double ev[8], *vec = malloc((size_t)k * n * sizeof *vec);
  size_t nmv = 0;
  ls_error e;
  ls_status st = ls_lanczos(n, dense_mv, &op, k, LS_EIG_SMALLEST, NULL, ev, vec, &nmv, &e);
  double err = 0, res = 0;
  for (int i = 0; i < k; i++) {
    if (fabs(ev[i] - lam[i]) > err) err = fabs(ev[i] - lam[i]);
    double *y = malloc(n * sizeof *y);
    dense_mv(&op, vec + (size_t)i * n, y);
    for (size_t t = 0; t < n; t++)
      if (fabs(y[t] - ev[i] * vec[i * n + t]) > res) res = fabs(y[t] - ev[i] * vec[i * n + t]);
    free(y);
  }
  CHECK(st == LS_OK && err < 1e-9, "lanczos %s smallest %d of %zu: max err %.1e (%zu matvecs)",
        repeated ? "repeated" : "distinct", k, n, err, nmv);
  CHECK(res < 1e-8, "lanczos eigenvector residual %.1e", res);
  st = ls_lanczos(n, dense_mv, &op, k, LS_EIG_LARGEST, NULL, ev, NULL, &nmv, &e);
  err = 0;
  for (int i = 0; i < k; i++)
    if (fabs(ev[i] - lam[n - 1 - i]) > err) err = fabs(ev[i] - lam[n - 1 - i]);
  CHECK(st == LS_OK && err < 1e-9, "lanczos %s largest %d: max err %.1e (%zu matvecs)",
        repeated ? "repeated" : "distinct", k, err, nmv);
  CHECK(ls_lanczos(n, dense_mv, &op, 0, LS_EIG_LARGEST, NULL, ev, NULL, NULL, &e) == LS_ERR_INPUT,
        "lanczos k = 0 rejected (%s)", e.msg);
  free(lam), free(A), free(vec);
}

static void test_network(unsigned *seed) {
  int widths[4] = {3, 6, 4, 2};
  ls_net net;
  ls_act a = {LS_ACT_TANH, 0, 0};
  ls_net_init(&net, 3, widths, a, 1, NULL);
  size_t P = ls_net_nparams(&net);
  ls_data d;
  ls_data_alloc(&d, 50, 3, 2, 0, NULL);
  for (size_t i = 0; i < d.n * 3; i++) d.x[i] = 2 * urand(seed) - 1;
  for (size_t i = 0; i < d.n * 2; i++) d.y[i] = 2 * urand(seed) - 1;
  double *th = malloc(P * sizeof *th);
  for (size_t i = 0; i < P; i++) th[i] = 2 * urand(seed) - 1;
  ls_spectrum dense, lz;
  ls_error e;
  CHECK(ls_hessian_spectrum(&net, &d, th, 0, 5, &dense, &e) == LS_OK && dense.method == LS_SPECTRUM_DENSE &&
            dense.n == P,
        "spectrum: dense for P = %zu", P);
  CHECK(ls_hessian_spectrum(&net, &d, th, 10, 5, &lz, &e) == LS_OK && lz.method == LS_SPECTRUM_LANCZOS &&
            lz.n == 10,
        "spectrum: Lanczos when P > dense_max (%zu HVPs)", lz.n_hvp);
  double err = 0, scale = fabs(dense.evals[P - 1]);
  for (int i = 0; i < 5; i++) {
    err = fmax(err, fabs(lz.evals[i] - dense.evals[i]) / scale);
    err = fmax(err, fabs(lz.evals[5 + i] - dense.evals[P - 5 + i]) / scale);
  }
  CHECK(err < 1e-9, "spectrum: Lanczos extremes == dense extremes of the network Hessian, rel err %.1e", err);
  printf("network Hessian: lambda_min %.6e lambda_max %.6e\n", dense.evals[0], dense.evals[P - 1]);
  ls_spectrum_free(&dense), ls_spectrum_free(&lz);
  free(th);
  ls_data_free(&d);
}

int main(void) {
  unsigned seed = 4242;
  test_dense();
  test_lanczos(0, &seed);
  test_lanczos(1, &seed);
  test_network(&seed);
  return check_done();
}
