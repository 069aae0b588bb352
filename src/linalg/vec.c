/* landsym: infinity norms of parameter vectors, the scale every certificate's bounds and
 * reported shifts are stated in (docs/classify.md). */
#include <math.h>

#include "landsym/linalg.h"

double ls_norm_inf(size_t n, const double *v) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

double ls_dist_inf(size_t n, const double *a, const double *b) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i] - b[i]));
  return m;
}
