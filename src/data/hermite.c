/* Gauss-Hermite quadrature for the standard normal density (data.h).
 * Golub & Welsch (1969): for monic orthogonal polynomials with recurrence
 * p_{k+1} = (x - a_k) p_k - b_k p_{k-1}, the nodes are the eigenvalues of the Jacobi
 * matrix J (diag a_k, off-diagonal sqrt(b_k)) and the weights are mu_0 v_{0,i}^2.
 * Probabilists' Hermite polynomials: a_k = 0, b_k = k, mu_0 = int phi = 1. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "landsym/data.h"

ls_status ls_hermite_rule(int points, double *nodes, double *weights, ls_error *err) {
  if (points < 1 || points > 500)
    return ls_error_set(err, LS_ERR_INPUT, "Gauss-Hermite points must be in 1..500 (got %d)",
                        points);
  size_t n = (size_t)points;
  double *e = malloc((n > 1 ? n - 1 : 1) * sizeof *e), *z = malloc(n * n * sizeof *z);
  if (!e || !z) {
    free(e), free(z);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %d Gauss-Hermite points", points);
  }
  for (size_t i = 0; i < n; i++) nodes[i] = 0.0;
  for (size_t k = 1; k < n; k++) e[k - 1] = sqrt((double)k);
  lapack_int info =
      LAPACKE_dstev(LAPACK_ROW_MAJOR, 'V', (lapack_int)n, nodes, e, z, (lapack_int)n);
  if (info != 0) {
    free(e), free(z);
    return ls_error_set(err, LS_ERR_COMPUTE, "dstev failed (info %d) for %d points", (int)info,
                        points);
  }
  /* The unit eigenvector for node x_i is proportional to (p_0(x_i), ..., p_{n-1}(x_i)) with
   * p_k the orthonormal Hermite polynomials, so its squared first component is
   * 1 / sum_k p_k(x_i)^2 (Christoffel function). Evaluating that formula keeps full
   * relative accuracy for the tiny outer weights, which dstev's eigenvectors only give
   * to absolute accuracy eps; one Newton step on p_n polishes each node first. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double x = nodes[i];
    for (int pass = 0; pass < 2; pass++) {
      double pm = 0.0, p = 1.0, dpm = 0.0, dp = 0.0, s2 = 1.0;
      for (size_t k = 0; k < n; k++) { /* p_{k+1} = (x p_k - sqrt(k) p_{k-1}) / sqrt(k+1) */
        double pn = (x * p - sqrt((double)k) * pm) / sqrt((double)k + 1);
        double dpn = (p + x * dp - sqrt((double)k) * dpm) / sqrt((double)k + 1);
        pm = p, p = pn, dpm = dp, dp = dpn;
        if (k + 1 < n) s2 += p * p;
      }
      if (pass == 0) {
        double step = p / dp;
        if (isfinite(step) && fabs(step) < 1e-6 * (1.0 + fabs(x))) x -= step;
      } else {
        nodes[i] = x;
        weights[i] = isfinite(s2) ? 1.0 / s2 : 0.0;
      }
    }
    sum += weights[i];
  }
  (void)z;
  for (size_t i = 0; i < n; i++) weights[i] /= sum;
  /* the rule is symmetric: make it exactly so (nodes odd, weights even) */
  for (size_t i = 0; i < n / 2; i++) {
    double x = 0.5 * (nodes[n - 1 - i] - nodes[i]), w = 0.5 * (weights[i] + weights[n - 1 - i]);
    nodes[i] = -x, nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = w;
  }
  if (n % 2) nodes[n / 2] = 0.0;
  free(e), free(z);
  return LS_OK;
}

ls_status ls_data_hermite(ls_data *d, int points, int dim, int dout, ls_error *err) {
  if (dim < 1 || dim > 2)
    return ls_error_set(err, LS_ERR_INPUT, "Gauss-Hermite data: dim must be 1 or 2 (got %d)", dim);
  if (points < 1 || points > 500)
    return ls_error_set(err, LS_ERR_INPUT, "Gauss-Hermite points must be in 1..500 (got %d)",
                        points);
  size_t m = (size_t)points, n = dim == 1 ? m : m * m;
  double *x = malloc(m * sizeof *x), *w = malloc(m * sizeof *w);
  if (!x || !w) {
    free(x), free(w);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_status st = ls_hermite_rule(points, x, w, err);
  if (!st) st = ls_data_alloc(d, n, dim, dout, 1, err);
  if (!st) {
    for (size_t s = 0; s < n; s++) {
      if (dim == 1) {
        d->x[s] = x[s];
        d->w[s] = w[s];
      } else {
        size_t i = s / m, j = s % m;
        d->x[2 * s] = x[i];
        d->x[2 * s + 1] = x[j];
        d->w[s] = w[i] * w[j];
      }
    }
  }
  free(x), free(w);
  return st;
}
