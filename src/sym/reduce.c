/* Reduction of a point to its irreducible form (Simsek et al. 2021, Definition 3.1 and the
 * multi-layer version of section 5) and matching against a teacher up to symmetry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/sym.h"
#include "landsym/linalg.h"
#include "sym/unit.h"

void ls_sym_reduce_opts_default(ls_sym_reduce_opts *o) {
  o->tol = 1e-8;
  o->use_sign = 1;
}

static void layer_groups_free(ls_sym_layer_groups *g) {
  free(g->group), free(g->sign), free(g->group_size), free(g->zero_type), free(g->reduced_index);
  memset(g, 0, sizeof *g);
}

void ls_sym_reduction_free(ls_sym_reduction *red) {
  if (!red) return;
  free(red->theta);
  for (int l = 1; l <= LS_MAX_LAYERS; l++) layer_groups_free(&red->layer[l]);
  memset(red, 0, sizeof *red);
}

int ls_sym_is_irreducible(const ls_sym_reduction *red, int l) {
  for (int k = 1; k <= red->n_hidden; k++)
    if ((l == 0 || l == k) && red->layer[k].reduced_width != red->layer[k].width) return 0;
  return 1;
}

/* The network being reduced, one dense matrix per layer so that rows (units of layer l)
 * and columns (units of layer l-1) can be dropped and merged independently. */
typedef struct {
  ls_net net;
  double *W[LS_MAX_LAYERS + 1]; /* width[l] x width[l-1] */
  double *b[LS_MAX_LAYERS + 1]; /* width[l] or NULL */
} work_net;

static void work_free(work_net *w) {
  for (int l = 1; l <= LS_MAX_LAYERS; l++) free(w->W[l]), free(w->b[l]);
}

static ls_status work_load(work_net *w, const ls_net *net, const double *th, ls_error *err) {
  memset(w, 0, sizeof *w);
  w->net = *net;
  for (int l = 1; l <= net->n_layers; l++) {
    size_t n = (size_t)net->width[l] * net->width[l - 1];
    w->W[l] = malloc(n * sizeof(double));
    w->b[l] = net->bias[l] ? malloc((size_t)net->width[l] * sizeof(double)) : NULL;
    if (!w->W[l] || (net->bias[l] && !w->b[l])) {
      work_free(w);
      return ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
    }
    memcpy(w->W[l], th + ls_net_w_offset(net, l), n * sizeof(double));
    if (net->bias[l])
      memcpy(w->b[l], th + ls_net_b_offset(net, l), (size_t)net->width[l] * sizeof(double));
  }
  return LS_OK;
}

static ls_status work_pack(const work_net *w, double **theta, ls_error *err) {
  const ls_net *net = &w->net;
  double *th = malloc(ls_net_nparams(net) * sizeof *th);
  if (!th) return ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
  for (int l = 1; l <= net->n_layers; l++) {
    memcpy(th + ls_net_w_offset(net, l), w->W[l],
           (size_t)net->width[l] * net->width[l - 1] * sizeof(double));
    if (net->bias[l])
      memcpy(th + ls_net_b_offset(net, l), w->b[l], (size_t)net->width[l] * sizeof(double));
  }
  *theta = th;
  return LS_OK;
}

/* Incoming vector (row + bias) of unit i of layer l in the work net. */
static void work_in(const work_net *w, int l, int i, double *v) {
  int n = w->net.width[l - 1];
  memcpy(v, w->W[l] + (size_t)i * n, (size_t)n * sizeof(double));
  if (w->b[l]) v[n] = w->b[l][i];
}

static double maxabs_diff(int n, const double *a, const double *b, double s) {
  double m = 0;
  for (int i = 0; i < n; i++) {
    double d = fabs(a[i] - s * b[i]);
    if (d > m) m = d;
  }
  return m;
}

/* Keep the units listed in keep[0..nk-1] of layer l (rows of W_l, b_l) and set the columns
 * of W_{l+1} to the given outgoing vectors out[nk x width[l+1]]. */
static ls_status work_replace_layer(work_net *w, int l, int nk, const int *keep,
                                    const double *out, ls_error *err) {
  ls_net *net = &w->net;
  int n_in = net->width[l - 1], n_out = net->width[l + 1];
  double *W = malloc((size_t)nk * n_in * sizeof *W);
  double *b = w->b[l] ? malloc((size_t)nk * sizeof *b) : NULL;
  double *V = malloc((size_t)n_out * nk * sizeof *V);
  if (!W || !V || (w->b[l] && !b)) {
    free(W), free(b), free(V);
    return ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
  }
  for (int g = 0; g < nk; g++) {
    memcpy(W + (size_t)g * n_in, w->W[l] + (size_t)keep[g] * n_in, (size_t)n_in * sizeof *W);
    if (b) b[g] = w->b[l][keep[g]];
    for (int o = 0; o < n_out; o++) V[(size_t)o * nk + g] = out[(size_t)g * n_out + o];
  }
  free(w->W[l]), free(w->b[l]), free(w->W[l + 1]);
  w->W[l] = W, w->b[l] = b, w->W[l + 1] = V;
  net->width[l] = nk;
  return LS_OK;
}

/* Group the units of layer l by incoming weights (up to sign when sign_ok); units with
 * skip[i] set get group -1. */
static void group_units(const work_net *w, int l, double eps, int sign_ok, const int *skip,
                        double *vi, double *vr, int *rep, ls_sym_layer_groups *g) {
  int m = w->net.width[l], D = sym_fan_in(&w->net, l);
  g->n_groups = 0;
  for (int i = 0; i < m; i++) {
    g->group[i] = -1;
    g->sign[i] = 1;
    if (skip && skip[i]) continue;
    work_in(w, l, i, vi);
    for (int k = 0; k < g->n_groups && g->group[i] < 0; k++) {
      work_in(w, l, rep[k], vr);
      if (maxabs_diff(D, vi, vr, 1) <= eps) g->group[i] = k, g->sign[i] = 1;
      else if (sign_ok && maxabs_diff(D, vi, vr, -1) <= eps) g->group[i] = k, g->sign[i] = -1;
    }
    if (g->group[i] < 0) {
      rep[g->n_groups] = i;
      g->group[i] = g->n_groups++;
    }
  }
}

/* Constant vector left in the next layer's input by a choice of group orientations
 * (bit k of mask set: group k takes the negated representative): units whose sign differs
 * from their group's orientation contribute c * a (f(-x) = c - f(x)), constant units
 * (zero incoming weights) contribute f(b) * a when drop_const. */
static void constants_for(const work_net *w, int l, const ls_sym_layer_groups *g, double c,
                          unsigned long mask, const double *kconst, double *C) {
  int m = w->net.width[l], n_out = w->net.width[l + 1];
  for (int o = 0; o < n_out; o++) C[o] = kconst ? kconst[o] : 0;
  if (c == 0) return;
  for (int i = 0; i < m; i++) {
    if (g->group[i] < 0) continue;
    int s = (mask >> g->group[i]) & 1 ? -1 : 1;
    if (g->sign[i] != s)
      for (int o = 0; o < n_out; o++) C[o] += c * w->W[l + 1][(size_t)o * m + i];
  }
}

/* Smallest set of group flips (fewest bits, searched exhaustively up to 16 groups) that
 * leaves a constant within eps; -1 if none. */
static long find_orientation(const work_net *w, int l, const ls_sym_layer_groups *g, double c,
                             const double *kconst, double eps, double *C) {
  int n_out = w->net.width[l + 1], G = g->n_groups;
  unsigned long limit = G <= 16 ? 1UL << G : 1UL;
  long best = -1;
  int best_bits = 1 << 30;
  for (unsigned long mask = 0; mask < limit; mask++) {
    int bits = __builtin_popcountl(mask);
    if (bits >= best_bits) continue;
    constants_for(w, l, g, c, mask, kconst, C);
    if (ls_norm_inf((size_t)n_out, C) <= eps) best = (long)mask, best_bits = bits;
  }
  return best;
}

/* Merge the groups of layer l: summed signed outgoing weights, constants of negated units
 * and of constant units (zero incoming weights) into the next bias, or, without a bias,
 * cancelling each other; zero-type groups dropped. */
static ls_status reduce_layer(work_net *w, int l, const ls_sym_reduce_opts *o,
                              ls_sym_layer_groups *g, double *out_scale, ls_error *err) {
  ls_net *net = &w->net;
  int m = net->width[l], D = sym_fan_in(net, l), n_in = net->width[l - 1];
  int n_out = net->width[l + 1];
  double c = 0;
  int odd = ls_act_odd_shift(&net->act[l], &c);
  double in_scale = ls_norm_inf((size_t)(m * n_in), w->W[l]);
  if (w->b[l]) in_scale = fmax(in_scale, ls_norm_inf((size_t)m, w->b[l]));
  *out_scale = ls_norm_inf((size_t)(m * n_out), w->W[l + 1]);
  double eps_in = o->tol * (in_scale > 0 ? in_scale : 1);
  double eps_out = o->tol * (*out_scale > 0 ? *out_scale : 1);

  g->width = m;
  g->const_group = -1;
  g->group = malloc((size_t)m * sizeof(int));
  g->sign = malloc((size_t)m * sizeof(int));
  g->group_size = calloc((size_t)m + 1, sizeof(int));
  g->zero_type = calloc((size_t)m + 1, sizeof(int));
  g->reduced_index = malloc(((size_t)m + 1) * sizeof(int));
  int *rep = malloc((size_t)m * sizeof(int)), *keep = malloc((size_t)m * sizeof(int));
  int *is_const = calloc((size_t)m, sizeof(int));
  double *vi = malloc((size_t)D * sizeof(double)), *vr = malloc((size_t)D * sizeof(double));
  double *A = calloc((size_t)m * n_out, sizeof(double)), *C = calloc((size_t)n_out, sizeof(double));
  double *K = calloc((size_t)n_out, sizeof(double));
  ls_status st = LS_OK;
  if (!g->group || !g->sign || !g->group_size || !g->zero_type || !g->reduced_index || !rep ||
      !keep || !is_const || !vi || !vr || !A || !C || !K) {
    st = ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
    goto done;
  }
  /* Constant units: zero incoming weights, output f(b) whatever the input. */
  int n_const = 0;
  for (int i = 0; i < m && m > 1; i++) {
    work_in(w, l, i, vi);
    if (ls_norm_inf((size_t)n_in, vi) > eps_in) continue;
    double d[4];
    ls_act_eval(&net->act[l], w->b[l] ? w->b[l][i] : 0.0, d);
    for (int o2 = 0; o2 < n_out; o2++) K[o2] += d[0] * w->W[l + 1][(size_t)o2 * m + i];
    is_const[i] = 1, n_const++;
  }
  if (n_const == m) is_const[0] = 0, n_const--; /* keep one unit */
  int sign_ok = o->use_sign && odd;
  long mask = 0;
  group_units(w, l, eps_in, sign_ok, is_const, vi, vr, rep, g);
  if (!w->b[l + 1]) {
    /* No bias to absorb constants: choose orientations so that they cancel; failing
     * that, keep the constant units and drop the sign symmetry. */
    mask = find_orientation(w, l, g, c, K, eps_out, C);
    if (mask < 0) {
      if (sign_ok) g->sign_rejected = 1;
      if (n_const) g->const_rejected = 1;
      memset(is_const, 0, (size_t)m * sizeof *is_const);
      n_const = 0;
      memset(K, 0, (size_t)n_out * sizeof *K);
      group_units(w, l, eps_in, 0, NULL, vi, vr, rep, g);
      mask = 0;
    }
  }
  constants_for(w, l, g, c, (unsigned long)mask, K, C);
  for (int i = 0; i < m; i++) {
    if (is_const[i]) continue;
    int k = g->group[i], s = (mask >> k) & 1 ? -1 : 1;
    g->sign[i] *= s; /* now relative to the stored (possibly negated) representative */
    g->group_size[k]++;
    for (int o2 = 0; o2 < n_out; o2++)
      A[(size_t)k * n_out + o2] += g->sign[i] * w->W[l + 1][(size_t)o2 * m + i];
  }
  /* Representative of each group: the mean of its (sign-adjusted) members weighted by
   * their share beta_i = a_i.A / |A|^2 of the summed outgoing weights A, so that the
   * merged unit reproduces sum_i a_i f(w_i.x) to first order in the spread of the w_i
   * (a point near, not on, the expansion manifold). Plain mean when A vanishes. */
  double *Vg = calloc((size_t)g->n_groups * D + 1, sizeof *Vg);
  if (!Vg) {
    st = ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
    goto done;
  }
  for (int k = 0; k < g->n_groups; k++) {
    if (k == g->const_group) continue;
    const double *Ak = A + (size_t)k * n_out;
    double AA = 0;
    for (int o2 = 0; o2 < n_out; o2++) AA += Ak[o2] * Ak[o2];
    for (int i = 0; i < m; i++) {
      if (is_const[i] || g->group[i] != k) continue;
      double beta = 1.0 / g->group_size[k];
      if (AA > eps_out * eps_out) {
        beta = 0;
        for (int o2 = 0; o2 < n_out; o2++) beta += g->sign[i] * w->W[l + 1][(size_t)o2 * m + i] * Ak[o2];
        beta /= AA;
      }
      work_in(w, l, i, vi);
      for (int q = 0; q < D; q++) Vg[(size_t)k * D + q] += beta * g->sign[i] * vi[q];
    }
  }
  /* Separation diagnostics: spread inside groups, distance between groups. */
  g->max_in_group = 0, g->min_between = INFINITY;
  for (int i = 0; i < m; i++) {
    if (is_const[i]) continue;
    int k = g->group[i];
    work_in(w, l, i, vi);
    g->max_in_group = fmax(g->max_in_group, maxabs_diff(D, vi, Vg + (size_t)k * D, g->sign[i]) / (in_scale > 0 ? in_scale : 1));
  }
  for (int k = 0; k < g->n_groups; k++)
    for (int j = 0; j < k; j++) {
      if (k == g->const_group || j == g->const_group) continue;
      double dp = maxabs_diff(D, Vg + (size_t)k * D, Vg + (size_t)j * D, 1);
      if (sign_ok && !g->sign_rejected) dp = fmin(dp, maxabs_diff(D, Vg + (size_t)k * D, Vg + (size_t)j * D, -1));
      g->min_between = fmin(g->min_between, dp / (in_scale > 0 ? in_scale : 1));
    }
  for (int k = 0; k < g->n_groups; k++) {
    if (k == g->const_group) continue;
    double *row = w->W[l] + (size_t)rep[k] * n_in;
    for (int q = 0; q < n_in; q++) row[q] = Vg[(size_t)k * D + q];
    if (w->b[l]) w->b[l][rep[k]] = Vg[(size_t)k * D + n_in];
  }
  free(Vg);
  if (w->b[l + 1])
    for (int o2 = 0; o2 < n_out; o2++) w->b[l + 1][o2] += C[o2];
  if (n_const) { /* one extra group holds the absorbed constant units */
    int k = g->const_group = g->n_groups++;
    for (int i = 0; i < m; i++)
      if (is_const[i]) g->group[i] = k, g->sign[i] = 1, g->group_size[k]++;
  }
  int nk = 0;
  for (int k = 0; k < g->n_groups; k++) {
    g->reduced_index[k] = -1;
    if (k == g->const_group) {
      g->zero_type[k] = 1;
      continue;
    }
    g->zero_type[k] = ls_norm_inf((size_t)n_out, A + (size_t)k * n_out) <= eps_out;
    if (!g->zero_type[k]) {
      memmove(A + (size_t)nk * n_out, A + (size_t)k * n_out, (size_t)n_out * sizeof *A);
      g->reduced_index[k] = nk;
      keep[nk++] = rep[k];
    }
  }
  if (nk == 0) { /* constant function: a layer still needs one unit */
    g->reduced_index[0] = 0;
    memset(A, 0, (size_t)n_out * sizeof *A);
    keep[nk++] = rep[0];
  }
  st = work_replace_layer(w, l, nk, keep, A, err);
  g->reduced_width = nk;
  for (int k = 0; k < g->n_groups; k++)
    if (g->zero_type[k] && g->reduced_index[k] == 0) g->reduced_width = 0;
done:
  free(rep), free(keep), free(is_const), free(vi), free(vr), free(A), free(C), free(K);
  return st;
}

/* Units of layer l whose outgoing weights vanished because every unit they fed was
 * dropped at layer l+1: they are zero-type too. */
static ls_status cascade_layer(work_net *w, int l, double out_scale, double tol,
                               ls_sym_layer_groups *g, ls_error *err) {
  ls_net *net = &w->net;
  int m = net->width[l], n_out = net->width[l + 1];
  double eps_out = tol * (out_scale > 0 ? out_scale : 1);
  int *keep = malloc((size_t)m * sizeof(int)), *newidx = malloc((size_t)m * sizeof(int));
  double *A = malloc((size_t)m * n_out * sizeof(double) + 1);
  if (!keep || !newidx || !A) {
    free(keep), free(newidx), free(A);
    return ls_error_set(err, LS_ERR_NOMEM, "reduce: out of memory");
  }
  int nk = 0;
  for (int i = 0; i < m; i++) {
    double mx = 0;
    for (int o = 0; o < n_out; o++) mx = fmax(mx, fabs(w->W[l + 1][(size_t)o * m + i]));
    newidx[i] = -1;
    if (mx > eps_out) {
      for (int o = 0; o < n_out; o++) A[(size_t)nk * n_out + o] = w->W[l + 1][(size_t)o * m + i];
      newidx[i] = nk;
      keep[nk++] = i;
    }
  }
  ls_status st = LS_OK;
  if (nk > 0 && nk < m) {
    for (int k = 0; k < g->n_groups; k++)
      if (g->reduced_index[k] >= 0) {
        int ni = newidx[g->reduced_index[k]];
        if (ni < 0) g->zero_type[k] = 1;
        g->reduced_index[k] = ni;
      }
    g->reduced_width = nk;
    st = work_replace_layer(w, l, nk, keep, A, err);
  }
  free(keep), free(newidx), free(A);
  return st;
}

ls_status ls_sym_reduce(const ls_net *net, const double *theta, const ls_sym_reduce_opts *opts,
                        ls_sym_reduction *red, ls_error *err) {
  if (ls_net_require_plain(net, "sym_reduce", err)) return LS_ERR_INPUT;
  ls_sym_reduce_opts o;
  if (opts) o = *opts;
  else ls_sym_reduce_opts_default(&o);
  memset(red, 0, sizeof *red);
  ls_status st = ls_net_validate(net, err);
  if (st) return st;
  if (!(o.tol >= 0))
    return ls_error_set(err, LS_ERR_INPUT, "reduce: tolerance must be >= 0");
  work_net w;
  if ((st = work_load(&w, net, theta, err))) return st;
  red->n_hidden = net->n_layers - 1;
  double out_scale[LS_MAX_LAYERS + 1] = {0};
  for (int l = 1; l < net->n_layers && !st; l++)
    st = reduce_layer(&w, l, &o, &red->layer[l], &out_scale[l], err);
  for (int l = net->n_layers - 2; l >= 1 && !st; l--)
    st = cascade_layer(&w, l, out_scale[l], o.tol, &red->layer[l], err);
  if (!st) st = work_pack(&w, &red->theta, err);
  red->net = w.net;
  work_free(&w);
  if (st) ls_sym_reduction_free(red);
  return st;
}
