/* Expansion manifold of an irreducible point (Simsek et al. 2021, Definitions 3.2-3.3 and
 * the sequential multi-layer expansion of section 5, eq. 8), and the function-equality
 * certificate used to check points on it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/sym.h"
#include "sym/unit.h"

void ls_sym_expand_spec_default(ls_sym_expand_spec *s, int layer, int m) {
  memset(s, 0, sizeof *s);
  s->layer = layer;
  s->m = m;
  s->n_zero = -1;
  s->zero_type_out = 1;
  s->random_perm = 1;
}

/* Random composition of n into p >= 1 positive parts (n >= p): stars and bars by
 * choosing p-1 distinct cut points among n-1. */
static void random_composition(int n, int p, int *parts, ls_rng *rs) {
  for (int i = 0; i < p; i++) parts[i] = 1;
  for (int e = n - p; e > 0; e--) parts[ls_rng_next(rs) % (uint64_t)p]++;
}

/* Resolve the tuple s = (k_1..k_r, b_1..b_j) of Definition 3.2 from the spec. */
static ls_status resolve_tuple(const ls_sym_expand_spec *sp, int r, ls_rng *rs, int *k,
                               int *nz, int **b, ls_error *err) {
  int m = sp->m, K = 0, Z = 0;
  if (sp->k)
    for (int t = 0; t < r; t++) {
      if (sp->k[t] < 1)
        return ls_error_set(err, LS_ERR_INPUT, "multiplicity k_%d = %d must be >= 1", t + 1,
                            sp->k[t]);
      K += sp->k[t];
    }
  if (sp->b && sp->n_zero > 0)
    for (int g = 0; g < sp->n_zero; g++) {
      if (sp->b[g] < 1)
        return ls_error_set(err, LS_ERR_INPUT, "zero-type group size b_%d = %d must be >= 1",
                            g + 1, sp->b[g]);
      Z += sp->b[g];
    }
  else if (sp->n_zero == 0)
    Z = 0;
  else if (sp->k)
    Z = m - K;
  else
    Z = sp->n_zero > 0 ? sp->n_zero + (int)(ls_rng_next(rs) % (uint64_t)(m - r - sp->n_zero + 1))
                       : (int)(ls_rng_next(rs) % (uint64_t)(m - r + 1));
  if (!sp->k) K = m - Z;
  if (sp->k && K > m)
    return ls_error_set(err, LS_ERR_INPUT,
                        "tuple does not fit: multiplicities sum to %d, more than the target "
                        "width %d",
                        K, m);
  if (K + Z != m || K < r || Z < 0)
    return ls_error_set(err, LS_ERR_INPUT,
                        "tuple does not fit: multiplicities sum to %d and zero-type units to "
                        "%d, but the target width is %d (width r = %d)",
                        K, Z, m, r);
  if (sp->k) memcpy(k, sp->k, (size_t)r * sizeof *k);
  else random_composition(K, r, k, rs);
  int j = Z == 0 ? 0 : (sp->n_zero > 0 ? sp->n_zero : 1 + (int)(ls_rng_next(rs) % (uint64_t)Z));
  if (j > Z)
    return ls_error_set(err, LS_ERR_INPUT, "%d zero-type groups cannot hold %d units", j, Z);
  *nz = j;
  *b = malloc(((size_t)j + 1) * sizeof(int));
  if (!*b) return ls_error_set(err, LS_ERR_NOMEM, "expand: out of memory");
  if (sp->b && sp->n_zero > 0) memcpy(*b, sp->b, (size_t)j * sizeof(int));
  else if (j > 0) random_composition(Z, j, *b, rs);
  return LS_OK;
}

ls_status ls_sym_expand_layer(const ls_net *net, const double *theta,
                              const ls_sym_expand_spec *sp, uint64_t seed, ls_net *net_m,
                              double **theta_m, int *group_of, ls_error *err) {
  if (ls_net_require_plain(net, "sym_expand_layer", err)) return LS_ERR_INPUT;
  *theta_m = NULL;
  int l = sp->layer;
  ls_status st = sym_check_layer(net, l, err);
  if (st) return st;
  int r = net->width[l], m = sp->m;
  if (m < r)
    return ls_error_set(err, LS_ERR_INPUT,
                        "target width m = %d is smaller than the width r = %d of layer %d", m,
                        r, l);
  ls_rng rs; /* one stream per layer */
  ls_rng_seed_stream(&rs, seed, (uint64_t)l);
  int D = sym_fan_in(net, l), n_out = net->width[l + 1], nz = 0, *b = NULL;
  int *k = malloc((size_t)r * sizeof *k), *pre = malloc((size_t)m * sizeof *pre);
  int *perm = malloc((size_t)m * sizeof *perm);
  double *in = malloc((size_t)m * D * sizeof *in), *out = malloc((size_t)m * n_out * sizeof *out);
  double *a = malloc((size_t)n_out * sizeof *a);
  if (!k || !pre || !perm || !in || !out || !a) {
    st = ls_error_set(err, LS_ERR_NOMEM, "expand: out of memory");
    goto done;
  }
  if ((st = resolve_tuple(sp, r, &rs, k, &nz, &b, err))) goto done;
  if (sp->perm) {
    if (!ls_sym_perm_valid(m, sp->perm)) {
      st = ls_error_set(err, LS_ERR_INPUT, "the permutation is not a permutation of %d units", m);
      goto done;
    }
    memcpy(perm, sp->perm, (size_t)m * sizeof *perm);
  } else if (sp->random_perm)
    ls_sym_perm_random(m, perm, &rs);
  else
    for (int i = 0; i < m; i++) perm[i] = i;

  /* Scales for random incoming weights of zero-type units and vector splits. */
  double in_rms = 0, out_rms = 0;
  for (int t = 0; t < r; t++) {
    sym_get_in(net, theta, l, t, in);
    for (int q = 0; q < D; q++) in_rms += in[q] * in[q];
    sym_get_out(net, theta, l, t, a);
    for (int o = 0; o < n_out; o++) out_rms += a[o] * a[o];
  }
  in_rms = sqrt(in_rms / (r * D)) + 1e-3;
  out_rms = sqrt(out_rms / (r * n_out)) + 1e-3;

  /* Replicated units: incoming copied, outgoing a_t^i = beta_i a_t (+ u_i with sum 0);
   * the last copy takes the remainder so that the sum is a_t up to one rounding. */
  int u = 0, bi = 0;
  for (int t = 0; t < r; t++) {
    sym_get_out(net, theta, l, t, a);
    double bsum = 0;
    for (int i = 0; i < k[t]; i++, u++) {
      pre[u] = t;
      sym_get_in(net, theta, l, t, in + (size_t)u * D);
      double *ou = out + (size_t)u * n_out;
      if (i == k[t] - 1) {
        for (int o = 0; o < n_out; o++) {
          double s = 0;
          for (int q = u - i; q < u; q++) s += out[(size_t)q * n_out + o];
          ou[o] = a[o] - s;
        }
        if (sp->beta) bsum += sp->beta[bi++];
        continue;
      }
      double beta = sp->beta ? sp->beta[bi++]
                    : sp->equal_split ? 1.0 / k[t]
                                      : 1.0 / k[t] + 0.5 * ls_rng_normal(&rs);
      bsum += beta;
      for (int o = 0; o < n_out; o++)
        ou[o] = beta * a[o] + (sp->vector_split ? 0.5 * out_rms * ls_rng_normal(&rs) : 0);
    }
    if (sp->beta && fabs(bsum - 1) > 1e-12) {
      st = ls_error_set(err, LS_ERR_INPUT,
                        "split coefficients of unit %d sum to %.17g, not 1 (Definition 4.1)",
                        t + 1, bsum);
      goto done;
    }
  }
  /* Zero-type groups: shared random incoming weights, outgoing summing to zero. */
  for (int g = 0; g < nz; g++) {
    double *v0 = in + (size_t)u * D;
    for (int q = 0; q < D; q++) v0[q] = in_rms * ls_rng_normal(&rs);
    for (int i = 0; i < b[g]; i++, u++) {
      pre[u] = -1 - g;
      if (i) memcpy(in + (size_t)u * D, v0, (size_t)D * sizeof *in);
      double *ou = out + (size_t)u * n_out;
      for (int o = 0; o < n_out; o++) {
        if (!sp->zero_type_out || b[g] == 1) ou[o] = 0;
        else if (i < b[g] - 1) ou[o] = out_rms * ls_rng_normal(&rs);
        else {
          double s = 0;
          for (int q = u - i; q < u; q++) s += out[(size_t)q * n_out + o];
          ou[o] = -s;
        }
      }
    }
  }
  *net_m = *net;
  net_m->width[l] = m;
  size_t Pm = ls_net_nparams(net_m);
  double *th = calloc(Pm, sizeof *th);
  if (!th) {
    st = ls_error_set(err, LS_ERR_NOMEM, "expand: out of memory");
    goto done;
  }
  for (int q = 1; q <= net->n_layers; q++) {
    if (q == l || q == l + 1) continue;
    memcpy(th + ls_net_w_offset(net_m, q), theta + ls_net_w_offset(net, q),
           (ls_net_w_offset(net, q + 1) - ls_net_w_offset(net, q)) * sizeof *th);
  }
  if (net->bias[l + 1])
    memcpy(th + ls_net_b_offset(net_m, l + 1), theta + ls_net_b_offset(net, l + 1),
           (size_t)n_out * sizeof *th);
  for (int i = 0; i < m; i++) {
    sym_set_in(net_m, th, l, i, in + (size_t)perm[i] * D);
    sym_set_out(net_m, th, l, i, out + (size_t)perm[i] * n_out);
    if (group_of) group_of[i] = pre[perm[i]];
  }
  *theta_m = th;
done:
  free(k), free(pre), free(perm), free(in), free(out), free(a), free(b);
  return st;
}

ls_status ls_sym_expand(const ls_net *net, const double *theta, int n,
                        const ls_sym_expand_spec *specs, uint64_t seed, ls_net *net_m,
                        double **theta_m, ls_error *err) {
  if (ls_net_require_plain(net, "sym_expand", err)) return LS_ERR_INPUT;
  *theta_m = NULL;
  for (int i = 0; i < n; i++) {
    ls_status st = sym_check_layer(net, specs[i].layer, err);
    if (st) return st;
    for (int j = 0; j < i; j++)
      if (specs[j].layer == specs[i].layer)
        return ls_error_set(err, LS_ERR_INPUT, "layer %d is expanded twice", specs[i].layer);
  }
  ls_net cur = *net;
  double *th = malloc(ls_net_nparams(net) * sizeof *th);
  if (!th) return ls_error_set(err, LS_ERR_NOMEM, "expand: out of memory");
  memcpy(th, theta, ls_net_nparams(net) * sizeof *th);
  /* Last hidden layer first (section 5: this order gives the largest manifold). */
  for (int l = net->n_layers - 1; l >= 1; l--)
    for (int i = 0; i < n; i++)
      if (specs[i].layer == l) {
        ls_net next;
        double *nt;
        ls_status st = ls_sym_expand_layer(&cur, th, &specs[i], seed, &next, &nt, NULL, err);
        free(th);
        if (st) return ls_error_prefix(err, "layer %d", l);
        th = nt, cur = next;
      }
  *net_m = cur;
  *theta_m = th;
  return LS_OK;
}

ls_status ls_sym_equiv(const ls_net *na, const double *ta, const ls_net *nb, const double *tb,
                       const ls_data *d, ls_sym_equiv_cert *cert, ls_error *err) {
  memset(cert, 0, sizeof *cert);
  if (na->width[0] != nb->width[0] || na->width[na->n_layers] != nb->width[nb->n_layers] ||
      d->din != na->width[0] || d->dout != na->width[na->n_layers])
    return ls_error_set(err, LS_ERR_INPUT, "equiv: networks and data disagree on dimensions");
  int dout = d->dout;
  ls_work *wa = ls_work_alloc(na, d->n), *wb = ls_work_alloc(nb, d->n);
  double *fa = malloc(d->n * dout * sizeof *fa), *fb = malloc(d->n * dout * sizeof *fb);
  ls_status st = LS_OK;
  if (!wa || !wb || !fa || !fb) {
    st = ls_error_set(err, LS_ERR_NOMEM, "equiv: out of memory");
    goto done;
  }
  if ((st = ls_forward(na, ta, d->n, d->x, fa, wa)) || (st = ls_forward(nb, tb, d->n, d->x, fb, wb))) {
    ls_error_set(err, st, "equiv: forward pass failed");
    goto done;
  }
  double mx = 0, scale = 1;
  for (size_t q = 0; q < d->n * dout; q++) {
    mx = fmax(mx, fabs(fa[q] - fb[q]));
    scale = fmax(scale, fabs(fa[q]));
  }
  cert->max_out_diff = mx;
  cert->max_out_rel = mx / scale;
  if ((st = ls_loss(na, d, ta, &cert->loss_a, wa)) || (st = ls_loss(nb, d, tb, &cert->loss_b, wb))) {
    ls_error_set(err, st, "equiv: loss is not finite");
    goto done;
  }
  cert->loss_diff = fabs(cert->loss_b - cert->loss_a);
done:
  ls_work_free(wa), ls_work_free(wb);
  free(fa), free(fb);
  return st;
}
