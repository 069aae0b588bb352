/* Permutations of the hidden units of one layer, and the seeded generator used by the
 * symmetry module (splitmix64: no global state, results depend only on the seed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/sym.h"
#include "landsym/rng.h"
#include "sym/unit.h"

uint64_t ls_sym_rng_next(uint64_t *s) { return ls_rng_splitmix64(s); }

double ls_sym_rng_uniform(uint64_t *s) {
  return ((double)(ls_sym_rng_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Box-Muller; one draw per call keeps the stream simple. */
double ls_sym_rng_normal(uint64_t *s) {
  double u = ls_sym_rng_uniform(s), v = ls_sym_rng_uniform(s);
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

int ls_sym_perm_valid(int n, const int *perm) {
  if (n < 1 || !perm) return 0;
  char *seen = calloc((size_t)n, 1);
  if (!seen) return 0;
  int ok = 1;
  for (int i = 0; i < n && ok; i++) {
    if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]) ok = 0;
    else seen[perm[i]] = 1;
  }
  free(seen);
  return ok;
}

/* Fisher-Yates. */
void ls_sym_perm_random(int n, int *perm, uint64_t *state) {
  for (int i = 0; i < n; i++) perm[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)(ls_sym_rng_next(state) % (uint64_t)(i + 1));
    int t = perm[i];
    perm[i] = perm[j], perm[j] = t;
  }
}

/* (P_pi theta)_i = theta_{pi(i)} for the units of layer l (Simsek et al., Notation):
 * rows of W_l, entries of b_l, columns of W_{l+1}; every other parameter is copied.
 * Pure data movement: applying the inverse permutation restores theta bitwise. The loss is
 * the same function value, but the next layer sums its inputs in a new order, so it agrees
 * to rounding (a few ulps), bitwise only when that reordered sum happens to round alike. */
ls_status ls_sym_permute(const ls_net *net, int l, const int *perm, const double *theta,
                         double *out, ls_error *err) {
  ls_status st = sym_check_layer(net, l, err);
  if (st) return st;
  int m = net->width[l];
  if (!ls_sym_perm_valid(m, perm))
    return ls_error_set(err, LS_ERR_INPUT, "not a permutation of the %d units of layer %d", m,
                        l);
  size_t P = ls_net_nparams(net);
  memcpy(out, theta, P * sizeof *out);
  int n_in = net->width[l - 1], n_out = net->width[l + 1];
  const double *W = theta + ls_net_w_offset(net, l), *V = theta + ls_net_w_offset(net, l + 1);
  double *Wo = out + ls_net_w_offset(net, l), *Vo = out + ls_net_w_offset(net, l + 1);
  for (int i = 0; i < m; i++) {
    memcpy(Wo + (size_t)i * n_in, W + (size_t)perm[i] * n_in, (size_t)n_in * sizeof *W);
    if (net->bias[l])
      out[ls_net_b_offset(net, l) + i] = theta[ls_net_b_offset(net, l) + perm[i]];
    for (int o = 0; o < n_out; o++) Vo[(size_t)o * m + i] = V[(size_t)o * m + perm[i]];
  }
  return LS_OK;
}
