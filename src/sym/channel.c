/* Channels to infinity: detection, the limit network (the pair replaced by a gated linear
 * unit), its polishing and inertia, and the certificate (include/landsym/channel.h;
 * Martinelli, Van Meegen, Simsek, Gerstner, Brea 2025, arXiv 2506.14951, section 3 and
 * their retrieval of such pairs in flavio-martinelli/channels-to-infinity).
 *
 * The limit. Write x for the layer's input with the constant 1 appended when the layer has
 * biases, w = (w_i + w_j)/2, delta = w_i - w_j, c = a_i + a_j, A = (a_i - a_j)/2 (so
 * a_i = c/2 + A, a_j = c/2 - A). Taylor expansion of f around w.x, with t = delta.x / 2:
 *   f(w_i.x) = f + t f' + t^2/2 f'' + t^3/6 f''' + O(t^4),
 *   f(w_j.x) = f - t f' + t^2/2 f'' - t^3/6 f''' + O(t^4),
 *   a_i f(w_i.x) + a_j f(w_j.x) = c f + 2 A t f' + c t^2 f'' + A t^3/3 f''' + ...
 *                               = c f(w.x) + (A delta.x) f'(w.x) + O(c |delta|^2 + A |delta|^3).
 * Along the channel |delta| -> 0 while A delta -> v stays finite (and c stays finite), so
 * the error terms vanish: the pair tends to c f(w.x) + (v.x) f'(w.x), v = A delta, which
 * is c (f(w.x) + (v'.x) f'(w.x)) with v' = v / c: one GLU unit of net.h with incoming
 * weights w, gate direction v' and outgoing weight c. With several outputs A and c are
 * vectors and v = A delta^T a matrix; one GLU unit represents it exactly when A is
 * parallel to c, otherwise v' = kappa delta with kappa = A.c / |c|^2 (least squares) and
 * the remainder shows in fn_dist0. (a_i (w_i - w_j), the form of the paper, differs from
 * A delta by c delta / 2 -> 0.)
 *
 * Odd symmetry: f(-z) = k - f(z) (sigmoid k = 1) gives a_j f(w_j.x) = a_j k - a_j f(-w_j.x),
 * so a pair with w_j ~ -w_i and a_i ~ a_j is the channel above for (-w_j, -a_j), the
 * constant a_j k moving into the next layer's bias.
 *
 * Groups of three or more units (g->size >= 3). With u_k = w + d_k, b_k the outgoing
 * weights, the same expansion around w.x, f(u_k.x) = f + (d_k.x) f' + (d_k.x)^2/2 f''
 * + (d_k.x)^3/6 f''' + ..., summed:
 *   sum_k b_k f(u_k.x) = c f(w.x) + (v.x) f'(w.x) + 1/2 (x^T M x) f''(w.x) + R,
 *   c = sum b_k, v = sum b_k d_k, M = sum b_k d_k d_k^T, |R| <= max|f'''|/6 sum |b_k||d_k|^3.
 * With |d_k| ~ eps and b_k ~ 1/eps (a pair, or any group whose first moment alone grows)
 * M = O(eps) -> 0 and the GLU limit c f + (v.x) f' is exact. With b_k ~ 1/eps^2 and
 * sum b_k d_k finite (three units spaced like a second difference, b ~ (1, -2, 1)/eps^2:
 * f(z + eps t) - 2 f(z) + f(z - eps t) = eps^2 t^2 f''(z) + O(eps^4)) M stays finite,
 * R = O(eps), and the limit is the second-order gated unit c f + (v.x) f' + 1/2 (x^T M x)
 * f'', the second-order gated unit of the engine (net.h glu2). group_score measures |M|
 * (m_norm) and calls a group of three or more units with |M| > |v| dist second order
 * (g->order = 2; along a pair channel |M| = |c| |delta|^2 / 4 and |v| dist = |A| |delta|^2
 * / 2, the ratio 2|c|/|A| -> 0; with outgoing weights ~ 1/eps^2 it grows like 1/eps): its
 * limit is that unit, with M' = c^T M / |c|^2 next to v' (ls_channel_limit). */
#include "landsym/channel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"

void ls_channel_opts_default(ls_channel_opts *o) {
  o->dist_max = 0.1;
  o->out_min = 5;
  o->v_min = 1e-3;
  o->fn_rtol = 1;
  o->loss_rtol = 1e-10;
  o->grad_tol = 1e-10;
  o->eig_tol = 1e-7;
  o->polish_iter = 2000;
  o->flow = 0;
  o->flow_tmax = 1e8;
  o->flow_s_min = 1e-4;
}

ls_status ls_channel_opts_validate(const ls_channel_opts *o, ls_error *err) {
  const double v[] = {o->dist_max, o->out_min, o->v_min, o->fn_rtol, o->loss_rtol,
                      o->grad_tol, o->eig_tol, o->flow_tmax, o->flow_s_min};
  const char *n[] = {"dist_max", "out_min", "v_min", "fn_rtol", "loss_rtol", "grad_tol",
                     "eig_tol", "flow_tmax", "flow_s_min"};
  for (int i = 0; i < 9; i++)
    if (!(v[i] >= 0) || !isfinite(v[i]))
      return ls_error_set(err, LS_ERR_INPUT, "channel: %s must be a finite number >= 0", n[i]);
  return LS_OK;
}

void ls_channel_report_free(ls_channel_report *rep) {
  if (!rep) return;
  free(rep->limit_theta);
  free(rep->flow_samples);
  memset(rep, 0, sizeof *rep);
}

/* ---- the pair's parameters ------------------------------------------------------------ */

/* Incoming vector of unit i of layer l (weights, then the bias if any): len entries. */
static int in_len(const ls_net *net, int l) { return net->width[l - 1] + (net->bias[l] ? 1 : 0); }

static void in_vec(const ls_net *net, const double *th, int l, int i, double *out) {
  int wi = net->width[l - 1];
  memcpy(out, th + ls_net_w_offset(net, l) + (size_t)i * wi, (size_t)wi * sizeof *out);
  if (net->bias[l]) out[wi] = th[ls_net_b_offset(net, l) + i];
}

/* Outgoing weight of unit i of layer l to unit o of layer l+1. */
static double out_w(const ls_net *net, const double *th, int l, int i, int o) {
  return th[ls_net_w_offset(net, l + 1) + (size_t)o * net->width[l] + i];
}

static double norm(int n, const double *v) {
  double s = 0;
  for (int k = 0; k < n; k++) s += v[k] * v[k];
  return sqrt(s);
}

/* ---- the limit network ---------------------------------------------------------------- */

ls_status ls_channel_limit(const ls_net *net, const double *th, const ls_channel_group *gr,
                           ls_net *nl, double **th_lim, int *bias_added, ls_error *err) {
  int L = net->n_layers, l = gr->layer, W = l >= 1 && l < L ? net->width[l] : 0,
      G = W ? net->glu[l] : 0, n = gr->size;
  int bad = W == 0 || n < 2 || n > LS_CHANNEL_MAX_UNITS;
  for (int a = 0; !bad && a < n; a++) {
    bad |= gr->unit[a] < 0 || gr->unit[a] >= W - G || (gr->sign[a] != 1 && gr->sign[a] != -1);
    for (int b = 0; b < a; b++) bad |= gr->unit[a] == gr->unit[b];
  }
  if (bad)
    return ls_error_set(err, LS_ERR_INPUT, "channel: the group is not 2..%d distinct ordinary "
                        "units of a hidden layer", LS_CHANNEL_MAX_UNITS);
  if (l + 1 < L && net->glu[l + 1])
    return ls_error_set(err, LS_ERR_INPUT, "channel: layer %d feeds GLU units", l);
  int G2 = net->glu2[l], o2 = gr->order == 2;
  double ks = 0;
  int odd = ls_act_odd_shift(&net->act[l], &ks), flips = 0;
  for (int a = 0; a < n; a++) flips |= gr->sign[a] < 0;
  if (flips && !odd) return ls_error_set(err, LS_ERR_INPUT, "channel: a flip needs an odd activation");
  int m = net->width[l + 1], din = net->width[l - 1], len = in_len(net, l);
  *nl = *net;
  nl->width[l] = W - n + 1;
  nl->glu[l] = G + 1;
  nl->glu2[l] = G2 + o2;
  if (bias_added) *bias_added = 0;
  if (flips && ks != 0 && !net->bias[l + 1]) {
    nl->bias[l + 1] = 1;
    if (bias_added) *bias_added = 1;
  }
  size_t P2 = ls_net_nparams(nl);
  double *t2 = calloc(P2, sizeof *t2);
  int *src = malloc((size_t)W * sizeof *src), *in_g = calloc((size_t)W, sizeof *in_g);
  int ml = len * (len + 1) / 2;
  double *u = malloc(((size_t)(n + 2) * len + (size_t)ml) * sizeof *u),
         *wb = u ? u + (size_t)n * len : NULL, *vp = wb ? wb + len : NULL,
         *mp = vp ? vp + len : NULL;
  double *bo = malloc((size_t)(n + 2) * m * sizeof *bo), *c = bo ? bo + (size_t)n * m : NULL,
         *K = c ? c + m : NULL;
  if (!t2 || !src || !in_g || !u || !bo) {
    free(t2), free(src), free(in_g), free(u), free(bo);
    return ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  }
  /* members u_k = s_k w_k, b_k = s_k a_k; w = mean u_k, c = sum b_k,
   * V = sum_k b_k (u_k - w)^T (m x len), v' = c^T V / |c|^2; constants K = k sum_flipped a_k */
  memset(wb, 0, (size_t)len * sizeof *wb);
  memset(c, 0, 2 * (size_t)m * sizeof *c);
  for (int a = 0; a < n; a++) {
    int k = gr->unit[a], sg = gr->sign[a];
    in_g[k] = 1;
    in_vec(net, th, l, k, u + (size_t)a * len);
    for (int q = 0; q < len; q++) u[(size_t)a * len + q] *= sg, wb[q] += u[(size_t)a * len + q] / n;
    for (int o = 0; o < m; o++) {
      double ak = out_w(net, th, l, k, o);
      bo[(size_t)a * m + o] = sg * ak, c[o] += sg * ak;
      if (sg < 0) K[o] += ks * ak;
    }
  }
  double cc = 0, bb = 0;
  for (int o = 0; o < m; o++) cc += c[o] * c[o];
  for (int a = 0; a < n * m; a++) bb = fmax(bb, fabs(bo[a]));
  if (cc < 1e-24 * bb * bb) { /* no representable limit: keep c tiny, not zero */
    for (int o = 0; o < m; o++) c[o] = o == 0 ? 1e-12 * bb : 0;
    cc = 1e-24 * bb * bb;
  }
  double cb[LS_CHANNEL_MAX_UNITS]; /* c . b_k */
  for (int a = 0; a < n; a++) {
    cb[a] = 0;
    for (int o = 0; o < m; o++) cb[a] += c[o] * bo[(size_t)a * m + o];
  }
  for (int q = 0; q < len; q++) {
    double s = 0;
    for (int a = 0; a < n; a++) s += cb[a] * (u[(size_t)a * len + q] - wb[q]);
    vp[q] = cc > 0 ? s / cc : 0;
  }
  /* M' = sum_k (c . b_k) d_k d_k^T / |c|^2 (upper triangle), d_k = u_k - w */
  for (int p = 0, k = 0; p < len; p++)
    for (int q = p; q < len; q++, k++) {
      double s = 0;
      for (int a = 0; a < n; a++) s += cb[a] * (u[(size_t)a * len + p] - wb[p]) * (u[(size_t)a * len + q] - wb[q]);
      mp[k] = cc > 0 ? s / cc : 0;
    }
  /* new layer l: ordinary units outside the group, the old first-order GLU units, the new
   * unit (src -1) when first order, the old second-order units, the new one when second
   * order (net.h: the second-order units come last) */
  int nn = 0;
  for (int k = 0; k < W - G2; k++)
    if (!in_g[k]) src[nn++] = k;
  if (!o2) src[nn++] = -1;
  for (int k = W - G2; k < W; k++) src[nn++] = k;
  if (o2) src[nn++] = -1;
  for (int k = 1; k <= L; k++) /* untouched layers: same block */
    if (k != l && k != l + 1)
      memcpy(t2 + ls_net_w_offset(nl, k), th + ls_net_w_offset(net, k),
             (ls_net_w_offset(net, k + 1) - ls_net_w_offset(net, k)) * sizeof *t2);
  for (int q = 0; q < nn; q++) {
    int s = src[q];
    double *row = t2 + ls_net_w_offset(nl, l) + (size_t)q * din;
    double *b = net->bias[l] ? t2 + ls_net_b_offset(nl, l) + q : NULL;
    if (s >= 0) {
      memcpy(row, th + ls_net_w_offset(net, l) + (size_t)s * din, (size_t)din * sizeof *row);
      if (b) *b = th[ls_net_b_offset(net, l) + s];
    } else {
      memcpy(row, wb, (size_t)din * sizeof *row);
      if (b) *b = wb[din];
    }
    int g = q - (nn - (G + 1)); /* index among the GLU units */
    if (g < 0) continue;
    double *vr = t2 + ls_net_v_offset(nl, l) + (size_t)g * din;
    double *vc = net->bias[l] ? t2 + ls_net_c_offset(nl, l) + g : NULL;
    if (s >= 0) {
      int gs = s - (W - G);
      memcpy(vr, th + ls_net_v_offset(net, l) + (size_t)gs * din, (size_t)din * sizeof *vr);
      if (vc) *vc = th[ls_net_c_offset(net, l) + gs];
    } else {
      memcpy(vr, vp, (size_t)din * sizeof *vr);
      if (vc) *vc = vp[din];
    }
    int g2 = g - (nl->glu[l] - nl->glu2[l]); /* index among the second-order units */
    if (g2 < 0) continue;
    double *mr = t2 + ls_net_m_offset(nl, l) + (size_t)g2 * ml;
    if (s >= 0)
      memcpy(mr, th + ls_net_m_offset(net, l) + (size_t)(s - (W - G2)) * ml, (size_t)ml * sizeof *mr);
    else
      memcpy(mr, mp, (size_t)ml * sizeof *mr);
  }
  /* layer l+1: columns follow the units, the GLU's column is c; biases + constants */
  for (int o = 0; o < m; o++) {
    for (int q = 0; q < nn; q++)
      t2[ls_net_w_offset(nl, l + 1) + (size_t)o * nn + q] =
          src[q] >= 0 ? out_w(net, th, l, src[q], o) : c[o];
    if (nl->bias[l + 1])
      t2[ls_net_b_offset(nl, l + 1) + o] =
          (net->bias[l + 1] ? th[ls_net_b_offset(net, l + 1) + o] : 0) + K[o];
  }
  free(src), free(in_g), free(u), free(bo);
  *th_lim = t2;
  return LS_OK;
}

/* ---- detection ------------------------------------------------------------------------ */

static int uf_find(int *p, int x) {
  while (p[x] != x) x = p[x] = p[p[x]];
  return x;
}

/* Score a cluster of units (signs chosen): fills g, returns 1 when it is a channel group. */
static int group_score(const ls_net *net, const double *th, const ls_channel_opts *o,
                       ls_channel_group *g, double *buf) {
  int l = g->layer, m = net->width[l + 1], len = in_len(net, l), n = g->size;
  double *u = buf, *wb = buf + (size_t)n * len, *c = wb + len, *V = c + m;
  double *Mq = V + (size_t)m * len; /* M of one output: len x len */
  memset(wb, 0, ((size_t)len + m + (size_t)m * len) * sizeof *wb);
  g->out_max = 0;
  for (int a = 0; a < n; a++) {
    in_vec(net, th, l, g->unit[a], u + (size_t)a * len);
    double an = 0;
    for (int q = 0; q < len; q++) u[(size_t)a * len + q] *= g->sign[a], wb[q] += u[(size_t)a * len + q] / n;
    for (int oo = 0; oo < m; oo++) {
      double ak = out_w(net, th, l, g->unit[a], oo);
      c[oo] += g->sign[a] * ak, an += ak * ak;
    }
    g->out_max = fmax(g->out_max, sqrt(an));
  }
  g->dist = 0;
  for (int a = 0; a < n; a++) {
    double d2 = 0;
    for (int q = 0; q < len; q++) {
      double e = u[(size_t)a * len + q] - wb[q];
      d2 += e * e;
      for (int oo = 0; oo < m; oo++) V[(size_t)oo * len + q] += g->sign[a] * out_w(net, th, l, g->unit[a], oo) * e;
    }
    g->dist = fmax(g->dist, sqrt(d2));
  }
  g->c_norm = norm(m, c);
  g->v_norm = norm(m * len, V);
  /* M = sum_k s_k a_k d_k d_k^T per output (the comment at the top), Frobenius norm */
  double m2 = 0;
  for (int oo = 0; oo < m; oo++) {
    memset(Mq, 0, (size_t)len * len * sizeof *Mq);
    for (int a = 0; a < n; a++) {
      double b = g->sign[a] * out_w(net, th, l, g->unit[a], oo);
      const double *ua = u + (size_t)a * len;
      for (int p = 0; p < len; p++)
        for (int q = 0; q < len; q++) Mq[(size_t)p * len + q] += b * (ua[p] - wb[p]) * (ua[q] - wb[q]);
    }
    for (size_t p = 0; p < (size_t)len * len; p++) m2 += Mq[p] * Mq[p];
  }
  g->m_norm = sqrt(m2);
  g->order = n >= 3 && g->m_norm > g->v_norm * g->dist ? 2 : 1;
  return g->out_max >= o->out_min * fmax(1, g->c_norm) && g->v_norm >= o->v_min;
}

/* The channel group of net with the largest outgoing weight (0: none): members are
 * ordinary units of one hidden layer with |a_k| >= out_min, linked when their incoming
 * vectors (directly or, for odd activations, one negated) are within
 * dist_max * max(1, |w_k|, |w_q|); signs relative to the cluster's first unit, the whole
 * cluster flipped when that leaves a smaller constant k sum_flipped a_k. */
static int find_group(const ls_net *net, const double *th, const ls_channel_opts *o,
                      ls_channel_group *best) {
  int found = 0;
  for (int l = 1; l < net->n_layers; l++) {
    if (l + 1 < net->n_layers && net->glu[l + 1]) continue;
    int W = net->width[l], nord = W - net->glu[l], m = net->width[l + 1], len = in_len(net, l);
    double ks = 0;
    int odd = ls_act_odd_shift(&net->act[l], &ks);
    int *par = malloc((size_t)W * sizeof *par), *big = calloc((size_t)W, sizeof *big);
    double *wv = malloc((size_t)W * len * sizeof *wv);
    double *buf = malloc(((size_t)(LS_CHANNEL_MAX_UNITS + 1) * len + m + (size_t)m * len +
                          (size_t)len * len) * sizeof *buf);
    if (!par || !big || !wv || !buf) {
      free(par), free(big), free(wv), free(buf);
      return -1;
    }
    for (int k = 0; k < nord; k++) {
      par[k] = k;
      in_vec(net, th, l, k, wv + (size_t)k * len);
      double an = 0;
      for (int q = 0; q < m; q++) an += out_w(net, th, l, k, q) * out_w(net, th, l, k, q);
      big[k] = sqrt(an) >= o->out_min;
    }
    for (int i = 0; i < nord; i++)
      for (int j = i + 1; j < nord; j++) {
        if (!big[i] || !big[j]) continue;
        const double *a = wv + (size_t)i * len, *b = wv + (size_t)j * len;
        double dm = 0, dp = 0;
        for (int q = 0; q < len; q++) dm += (a[q] - b[q]) * (a[q] - b[q]), dp += (a[q] + b[q]) * (a[q] + b[q]);
        double d = odd ? fmin(sqrt(dm), sqrt(dp)) : sqrt(dm);
        if (d <= o->dist_max * fmax(1, fmax(norm(len, a), norm(len, b))))
          par[uf_find(par, i)] = uf_find(par, j);
      }
    for (int r = 0; r < nord; r++) {
      if (!big[r] || uf_find(par, r) != r) continue;
      ls_channel_group g;
      memset(&g, 0, sizeof g);
      g.layer = l;
      for (int k = 0; k < nord && g.size < LS_CHANNEL_MAX_UNITS; k++)
        if (big[k] && uf_find(par, k) == r) g.unit[g.size++] = k;
      if (g.size < 2) continue;
      /* signs: every assignment (first unit +) whose members lie within the linkage
       * distance of the first unit; the one with the smallest |c| (the outgoing weights
       * cancel along a channel), then the orientation with the smaller constant */
      const double *w0 = wv + (size_t)g.unit[0] * len;
      double best_c = INFINITY;
      int best_mask = -1;
      for (int mask = 0; mask < (1 << (g.size - 1)); mask++) {
        if (!odd && mask) break;
        double c2 = 0;
        int ok = 1;
        for (int a = 1; a < g.size && ok; a++) {
          double sg = (mask >> (a - 1)) & 1 ? -1 : 1, d2 = 0;
          const double *wk = wv + (size_t)g.unit[a] * len;
          for (int q = 0; q < len; q++) d2 += (sg * wk[q] - w0[q]) * (sg * wk[q] - w0[q]);
          ok = sqrt(d2) <= 2 * o->dist_max * fmax(1, fmax(norm(len, w0), norm(len, wk)));
        }
        for (int q = 0; ok && q < m; q++) {
          double cq = out_w(net, th, l, g.unit[0], q);
          for (int a = 1; a < g.size; a++)
            cq += ((mask >> (a - 1)) & 1 ? -1 : 1) * out_w(net, th, l, g.unit[a], q);
          c2 += cq * cq;
        }
        if (ok && c2 < best_c) best_c = c2, best_mask = mask;
      }
      if (best_mask < 0) continue;
      double K = 0, Kf = 0; /* constants of this orientation and of the flipped one */
      for (int a = 0; a < g.size; a++) {
        g.sign[a] = a && ((best_mask >> (a - 1)) & 1) ? -1 : 1;
        double ak = out_w(net, th, l, g.unit[a], 0);
        if (g.sign[a] < 0) K += ks * ak;
        else Kf += ks * ak;
      }
      if (fabs(Kf) < fabs(K))
        for (int a = 0; a < g.size; a++) g.sign[a] = -g.sign[a];
      if (group_score(net, th, o, &g, buf) && (!found || g.out_max > best->out_max)) {
        *best = g;
        found = 1;
      }
    }
    free(par), free(big), free(wv), free(buf);
  }
  return found;
}

/* RMS over the data of f_a - f_b (weights of the data, as the loss). */
static ls_status fn_distance(const ls_net *na, const double *ta, const ls_net *nb,
                             const double *tb, const ls_data *d, double *dist) {
  int m = d->dout;
  double *fa = malloc(d->n * (size_t)m * sizeof *fa), *fb = malloc(d->n * (size_t)m * sizeof *fb);
  ls_work *wa = ls_work_alloc(na, d->n), *wb = ls_work_alloc(nb, d->n);
  ls_status st = (!fa || !fb || !wa || !wb) ? LS_ERR_NOMEM : LS_OK;
  if (!st) st = ls_forward(na, ta, d->n, d->x, fa, wa);
  if (!st) st = ls_forward(nb, tb, d->n, d->x, fb, wb);
  double s = 0;
  for (size_t k = 0; !st && k < d->n; k++)
    for (int q = 0; q < m; q++) {
      double e = fa[k * m + q] - fb[k * m + q];
      s += ls_data_weight(d, k) * e * e;
    }
  *dist = st ? NAN : sqrt(s);
  free(fa), free(fb), ls_work_free(wa), ls_work_free(wb);
  return st;
}

/* Loss, gradient inf-norm and Hessian inertia of the (polished) limit. */
static ls_status limit_measure(const ls_data *d, const ls_channel_opts *o, ls_channel_report *rep,
                               ls_error *err) {
  const ls_net *nl = &rep->limit_net;
  size_t P = ls_net_nparams(nl);
  if (ls_dense_fits(P, 2, "channel: the limit's Hessian inertia", err)) return LS_ERR_INPUT;
  double *g = malloc(P * sizeof *g), *H = malloc(P * P * sizeof *H), *ev = malloc(P * sizeof *ev);
  ls_work *w = ls_work_alloc(nl, d->n);
  ls_status st = (!g || !H || !ev || !w) ? ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory")
                                         : LS_OK;
  if (!st && (st = ls_loss_grad(nl, d, rep->limit_theta, &rep->limit_loss, g, w)))
    ls_error_set(err, st, "channel: the limit's loss could not be computed");
  if (!st && (st = ls_hessian(nl, d, rep->limit_theta, H, w)))
    ls_error_set(err, st, "channel: the limit's Hessian could not be computed");
  if (!st) st = ls_eig_sym(P, H, ev, NULL, err);
  if (!st) {
    double gi = 0, emax = 0;
    for (size_t p = 0; p < P; p++) gi = fmax(gi, fabs(g[p])), emax = fmax(emax, fabs(ev[p]));
    rep->limit_grad_inf = gi;
    rep->eig_min = ev[0], rep->eig_max = ev[P - 1];
    rep->n_pos = rep->n_neg = rep->n_zero = 0;
    for (size_t p = 0; p < P; p++) {
      if (ev[p] < -o->eig_tol * emax) rep->n_neg++;
      else if (ev[p] > o->eig_tol * emax) rep->n_pos++;
      else rep->n_zero++;
    }
  }
  free(g), free(H), free(ev), ls_work_free(w);
  return st;
}

ls_status ls_channel_find(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *opts, ls_channel_report *rep, ls_error *err) {
  ls_channel_opts o;
  if (opts) o = *opts;
  else ls_channel_opts_default(&o);
  memset(rep, 0, sizeof *rep);
  ls_status st = ls_channel_opts_validate(&o, err);
  if (!st) st = ls_net_validate(net, err);
  if (st) return st;
  rep->loss = rep->limit_loss0 = rep->limit_loss = rep->fn_dist0 = rep->fn_dist = NAN;
  rep->limit_grad_inf = rep->eig_min = rep->eig_max = NAN;
  ls_work *w = ls_work_alloc(net, d->n);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  st = ls_loss(net, d, theta, &rep->loss, w);
  ls_work_free(w);
  if (st) return ls_error_set(err, st, "channel: the run's loss could not be computed");
  /* every channel in turn: find a group, replace it by its GLU, look again in the limit;
   * orig[l][k] is the run's index of ordinary unit k of layer l of the current network */
  ls_net cur = *net;
  size_t P = ls_net_nparams(net);
  double *tc = malloc(P * sizeof *tc);
  int *orig[LS_MAX_LAYERS + 1] = {0};
  for (int l = 1; l < net->n_layers && tc; l++) {
    if (!(orig[l] = malloc((size_t)net->width[l] * sizeof(int)))) break;
    for (int k = 0; k < net->width[l]; k++) orig[l][k] = k;
  }
  st = tc ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  if (tc) memcpy(tc, theta, P * sizeof *tc);
  while (!st && rep->n_groups < LS_CHANNEL_MAX_GROUPS) {
    ls_channel_group g;
    int f = find_group(&cur, tc, &o, &g);
    if (f < 0) st = ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
    if (f <= 0) break;
    ls_net nx;
    double *tx = NULL;
    int added = 0;
    if ((st = ls_channel_limit(&cur, tc, &g, &nx, &tx, &added, err))) break;
    rep->bias_added |= added;
    ls_channel_group go = g; /* in the run's indices */
    int l = g.layer, keep = 0;
    for (int a = 0; a < g.size; a++) go.unit[a] = orig[l][g.unit[a]];
    for (int k = 0; k < cur.width[l] - cur.glu[l]; k++) {
      int in = 0;
      for (int a = 0; a < g.size; a++) in |= g.unit[a] == k;
      if (!in) orig[l][keep++] = orig[l][k];
    }
    rep->groups[rep->n_groups++] = go;
    free(tc);
    tc = tx, cur = nx;
  }
  for (int l = 0; l <= LS_MAX_LAYERS; l++) free(orig[l]);
  if (st || rep->n_groups == 0) {
    free(tc);
    if (!st)
      snprintf(rep->reason, sizeof rep->reason,
               "no group of merging units with diverging outgoing weights");
    return st;
  }
  rep->limit_net = cur;
  rep->limit_theta = tc;
  const ls_net *nl = &rep->limit_net;
  P = ls_net_nparams(nl);
  double *t0 = malloc(P * sizeof *t0);
  if (!t0) return ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  memcpy(t0, rep->limit_theta, P * sizeof *t0);
  if ((st = fn_distance(net, theta, nl, t0, d, &rep->fn_dist0))) goto fail;
  w = ls_work_alloc(nl, d->n);
  st = w ? ls_loss(nl, d, t0, &rep->limit_loss0, w) : LS_ERR_NOMEM;
  ls_work_free(w);
  if (st) goto fail;
  /* the limit trained to machine precision: Newton (trust region) from the run's limit */
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_NEWTON, o.polish_iter, 1e-15);
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  st = ls_train(nl, d, rep->limit_theta, &to, &tr, err);
  ls_train_result_free(&tr);
  if (st) goto fail;
  if ((st = limit_measure(d, &o, rep, err))) goto fail;
  rep->limit_shift = ls_dist_inf(P, rep->limit_theta, t0);
  if ((st = fn_distance(net, theta, nl, rep->limit_theta, d, &rep->fn_dist))) goto fail;
  rep->limit_critical = rep->limit_grad_inf <= o.grad_tol;
  rep->minimum = rep->limit_critical && rep->n_neg == 0;
  int lower = rep->limit_loss <= rep->loss * (1 + o.loss_rtol) + 1e-15;
  int close = rep->fn_dist <= o.fn_rtol * sqrt(rep->loss) + 1e-12;
  rep->found = lower && close;
  /* the second-order group with the largest |M| (order 2: see the top), for the reason */
  const ls_channel_group *g3 = NULL;
  for (int k = 0; k < rep->n_groups; k++) {
    const ls_channel_group *q = &rep->groups[k];
    if (q->order == 2 && (!g3 || q->m_norm > g3->m_norm)) g3 = q;
  }
  if (!lower && g3) /* no commas: the reason goes into CSV files */
    snprintf(rep->reason, sizeof rep->reason,
             "limit loss %.3e above the run's %.3e; second-order group of %d units in "
             "layer %d (|M| %.2e |v| %.2e)",
             rep->limit_loss, rep->loss, g3->size, g3->layer, g3->m_norm, g3->v_norm);
  else if (!lower)
    snprintf(rep->reason, sizeof rep->reason, "limit loss %.3e above the run's %.3e",
             rep->limit_loss, rep->loss);
  else if (!close)
    snprintf(rep->reason, sizeof rep->reason,
             "polished limit moved away: function distance %.3e > %.3g sqrt(loss) = %.3e",
             rep->fn_dist, o.fn_rtol, o.fn_rtol * sqrt(rep->loss));
  else
    snprintf(rep->reason, sizeof rep->reason, "%d channel%s: %s at infinity%s", rep->n_groups,
             rep->n_groups > 1 ? "s" : "", rep->minimum ? "minimum" : "saddle",
             rep->limit_critical ? "" : " (limit not critical)");
  free(t0);
  if (rep->found && o.flow) return ls_channel_flow(net, d, theta, &o, rep, err);
  return LS_OK;
fail:
  free(t0);
  if (st == LS_ERR_COMPUTE) { /* e.g. a non-finite loss of the limit: no certificate */
    rep->found = 0;
    snprintf(rep->reason, sizeof rep->reason, "limit network could not be evaluated: %.100s",
             err && err->msg[0] ? err->msg : "non-finite values");
    for (char *c = rep->reason; *c; c++)
      if (*c == ',') *c = ';'; /* the reason goes into CSV files */
    return LS_OK;
  }
  if (err && !err->msg[0]) ls_error_set(err, st, "channel: computation failed");
  return st;
}
