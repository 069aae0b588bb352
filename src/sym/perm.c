/* Permutations of the hidden units of one layer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/sym.h"
#include "landsym/rng.h"
#include "sym/unit.h"

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
void ls_sym_perm_random(int n, int *perm, ls_rng *rng) {
  for (int i = 0; i < n; i++) perm[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)(ls_rng_next(rng) % (uint64_t)(i + 1));
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
  if (ls_net_require_plain(net, "sym_permute", err)) return LS_ERR_INPUT;
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
