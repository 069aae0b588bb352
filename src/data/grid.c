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
