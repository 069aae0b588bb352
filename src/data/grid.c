/* Regular grids and Gaussian samples (data.h). */
#include <math.h>

#include "landsym/data.h"
#include "landsym/rng.h"

/* Thesis section 6.2: {(x1, x2) | 4 x1 = -20..20, 4 x2 = -20..20}, i.e. n = 41 points
 * per axis on [-5, 5]; the coordinate lo + i*(hi-lo)/(n-1) is exact there (step 0.25). */
ls_status ls_data_grid(ls_data *d, size_t n, int dim, double lo, double hi, int dout,
                       ls_error *err) {
  if (n < 2 || dim < 1 || dim > 8 || !(hi > lo) || !isfinite(lo) || !isfinite(hi))
    return ls_error_set(err, LS_ERR_INPUT,
                        "grid needs n >= 2, 1 <= dim <= 8 and finite lo < hi (got n=%zu, "
                        "dim=%d, lo=%g, hi=%g)", n, dim, lo, hi);
  size_t total = 1;
  for (int k = 0; k < dim; k++) {
    if (total > ((size_t)1 << 26) / n)
      return ls_error_set(err, LS_ERR_INPUT, "grid of %zu^%d points is too large", n, dim);
    total *= n;
  }
  ls_status st = ls_data_alloc(d, total, dim, dout, 0, err);
  if (st) return st;
  double step = (hi - lo) / (double)(n - 1);
  for (size_t s = 0; s < total; s++) {
    size_t rem = s;
    for (int k = dim - 1; k >= 0; k--) { /* last coordinate fastest */
      size_t i = rem % n;
      rem /= n;
      d->x[s * (size_t)dim + (size_t)k] = i + 1 == n ? hi : lo + (double)i * step;
    }
  }
  return LS_OK;
}

ls_status ls_data_gaussian(ls_data *d, size_t n, int dim, uint64_t seed, int dout,
                           ls_error *err) {
  if (n < 1 || dim < 1)
    return ls_error_set(err, LS_ERR_INPUT, "gaussian data needs n >= 1 and dim >= 1");
  ls_status st = ls_data_alloc(d, n, dim, dout, 0, err);
  if (st) return st;
  ls_rng r;
  ls_rng_seed(&r, seed);
  ls_rng_normal_fill(&r, n * (size_t)dim, 1.0, d->x);
  return LS_OK;
}

ls_status ls_data_check_finite(const ls_data *d, const char *what, ls_error *err) {
  for (size_t k = 0; k < d->n; k++) {
    for (int j = 0; j < d->din; j++)
      if (!isfinite(d->x[k * (size_t)d->din + (size_t)j]))
        return ls_error_set(err, LS_ERR_INPUT, "%s: x[row %zu, col %d] is not finite", what, k, j);
    for (int j = 0; j < d->dout; j++)
      if (!isfinite(d->y[k * (size_t)d->dout + (size_t)j]))
        return ls_error_set(err, LS_ERR_INPUT, "%s: y[row %zu, col %d] is not finite", what, k, j);
    if (d->w && !isfinite(d->w[k]))
      return ls_error_set(err, LS_ERR_INPUT, "%s: weight[%zu] is not finite", what, k);
  }
  return LS_OK;
}

ls_status ls_data_check_nll_targets(const ls_data *d, const char *what, ls_error *err) {
  for (size_t k = 0; k < d->n; k++) {
    const double *y = d->y + k * (size_t)d->dout;
    double s = 0;
    for (int j = 0; j < d->dout; j++) {
      if (!(y[j] >= 0))
        return ls_error_set(err, LS_ERR_INPUT,
                            "%s: y[row %zu, col %d] = %g: NLL targets must be probabilities (>= 0)",
                            what, k, j, y[j]);
      s += y[j];
    }
    if (!(fabs(s - 1) <= 1e-6))
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: y[row %zu] sums to %.9g: NLL targets must sum to 1 in each row",
                          what, k, s);
  }
  return LS_OK;
}

ls_status ls_data_normalize_weights(double *w, size_t n, const char *what, ls_error *err) {
  double mx = 0;
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(w[k]) || w[k] < 0)
      return ls_error_set(err, LS_ERR_INPUT, "%s: element [%zu] = %g: weights must be finite and >= 0",
                          what, k, w[k]);
    if (w[k] > mx) mx = w[k];
  }
  if (!(mx > 0)) return ls_error_set(err, LS_ERR_INPUT, "%s: weights sum to 0", what);
  double sum = 0;
  for (size_t k = 0; k < n; k++) sum += w[k] / mx; /* in [1, n]: no overflow */
  for (size_t k = 0; k < n; k++) w[k] = w[k] / mx / sum;
  return LS_OK;
}
