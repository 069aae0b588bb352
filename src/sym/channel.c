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
 * constant a_j k moving into the next layer's bias. */
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
  o->fn_rtol = 1;
  o->loss_rtol = 1e-6;
  o->grad_tol = 1e-10;
  o->eig_tol = 1e-7;
  o->polish_iter = 2000;
  o->flow = 0;
  o->flow_tmax = 1e8;
  o->flow_s_min = 1e-4;
}

ls_status ls_channel_opts_validate(const ls_channel_opts *o, ls_error *err) {
  const double v[] = {o->dist_max, o->out_min, o->fn_rtol, o->loss_rtol, o->grad_tol,
                      o->eig_tol, o->flow_tmax, o->flow_s_min};
  const char *n[] = {"dist_max", "out_min", "fn_rtol", "loss_rtol", "grad_tol", "eig_tol",
                     "flow_tmax", "flow_s_min"};
  for (int i = 0; i < 8; i++)
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

ls_status ls_channel_limit(const ls_net *net, const double *th, int l, int i, int j,
                           int flipped, ls_net *nl, double **th_lim, ls_error *err) {
  int L = net->n_layers, W = net->width[l], G = net->glu[l], m = net->width[l + 1];
  if (l < 1 || l >= L || i < 0 || j < 0 || i >= W - G || j >= W - G || i == j)
    return ls_error_set(err, LS_ERR_INPUT, "channel: units %d, %d of layer %d are not two "
                        "ordinary units of a hidden layer", i, j, l);
  if (l + 1 < L && net->glu[l + 1])
    return ls_error_set(err, LS_ERR_INPUT, "channel: layer %d feeds GLU units", l);
  double ks = 0;
  if (flipped && !ls_act_odd_shift(&net->act[l], &ks))
    return ls_error_set(err, LS_ERR_INPUT, "channel: flip needs an odd activation");
  double sj = flipped ? -1 : 1;
  *nl = *net;
  nl->width[l] = W - 1;
  nl->glu[l] = G + 1;
  if (flipped && ks != 0) nl->bias[l + 1] = 1;
  size_t P2 = ls_net_nparams(nl);
  double *t2 = calloc(P2, sizeof *t2);
  int len = in_len(net, l), *src = malloc((size_t)W * sizeof *src);
  double *wi = malloc(2 * (size_t)len * sizeof *wi), *wj = wi ? wi + len : NULL;
  double *A = malloc(2 * (size_t)m * sizeof *A), *c = A ? A + m : NULL;
  if (!t2 || !src || !wi || !A) {
    free(t2), free(src), free(wi), free(A);
    return ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  }
  /* new layer l: ordinary units but i, j; the old GLU units; the new GLU unit (src -1) */
  int nn = 0;
  for (int k = 0; k < W; k++)
    if (k != i && k != j) src[nn++] = k;
  src[nn++] = -1;
  for (int k = 1; k <= L; k++) /* untouched layers: same block */
    if (k != l && k != l + 1)
      memcpy(t2 + ls_net_w_offset(nl, k), th + ls_net_w_offset(net, k),
             (ls_net_w_offset(net, k + 1) - ls_net_w_offset(net, k)) * sizeof *t2);
  int din = net->width[l - 1];
  in_vec(net, th, l, i, wi);
  in_vec(net, th, l, j, wj);
  for (int o = 0; o < m; o++) {
    double ai = out_w(net, th, l, i, o), aj = sj * out_w(net, th, l, j, o);
    A[o] = (ai - aj) / 2, c[o] = ai + aj;
  }
  double cc = 0, ac = 0, aa = 0;
  for (int o = 0; o < m; o++) cc += c[o] * c[o], ac += A[o] * c[o], aa += A[o] * A[o];
  /* kappa = A.c / |c|^2; a vanishing c (no representable limit) is kept tiny, not zero */
  if (cc < 1e-24 * aa) {
    for (int o = 0; o < m; o++) c[o] = 1e-12 * A[o];
    cc = 1e-24 * aa, ac = 1e-12 * aa;
  }
  double kappa = cc > 0 ? ac / cc : 0;
  for (int n = 0; n < W - 1; n++) {
    int s = src[n];
    double *row = t2 + ls_net_w_offset(nl, l) + (size_t)n * din;
    double *b = net->bias[l] ? t2 + ls_net_b_offset(nl, l) + n : NULL;
    if (s >= 0) {
      memcpy(row, th + ls_net_w_offset(net, l) + (size_t)s * din, (size_t)din * sizeof *row);
      if (b) *b = th[ls_net_b_offset(net, l) + s];
    } else { /* the new GLU unit: w = (w_i + w_j)/2, v' = kappa (w_i - w_j) */
      for (int k = 0; k < din; k++) row[k] = (wi[k] + sj * wj[k]) / 2;
      if (b) *b = (wi[din] + sj * wj[din]) / 2;
    }
    int g = n - (W - 1 - (G + 1)); /* index among the GLU units */
    if (g < 0) continue;
    double *vr = t2 + ls_net_v_offset(nl, l) + (size_t)g * din;
    double *vc = net->bias[l] ? t2 + ls_net_c_offset(nl, l) + g : NULL;
    if (s >= 0) {
      int gs = s - (W - G);
      memcpy(vr, th + ls_net_v_offset(net, l) + (size_t)gs * din, (size_t)din * sizeof *vr);
      if (vc) *vc = th[ls_net_c_offset(net, l) + gs];
    } else {
      for (int k = 0; k < din; k++) vr[k] = kappa * (wi[k] - sj * wj[k]);
      if (vc) *vc = kappa * (wi[din] - sj * wj[din]);
    }
  }
  /* layer l+1: columns follow the units; the GLU's column is c; biases (+ flip constant) */
  for (int o = 0; o < m; o++) {
    for (int n = 0; n < W - 1; n++)
      t2[ls_net_w_offset(nl, l + 1) + (size_t)o * (W - 1) + n] =
          src[n] >= 0 ? out_w(net, th, l, src[n], o) : c[o];
    if (nl->bias[l + 1])
      t2[ls_net_b_offset(nl, l + 1) + o] =
          (net->bias[l + 1] ? th[ls_net_b_offset(net, l + 1) + o] : 0) +
          (flipped ? ks * out_w(net, th, l, j, o) : 0);
  }
  free(src), free(wi), free(A);
  *th_lim = t2;
  return LS_OK;
}

/* ---- detection ------------------------------------------------------------------------ */

/* The pair of ordinary units of one hidden layer that looks most like a channel: incoming
 * weights within dist_max * max(1, |w_i|) (directly or, for odd activations, after
 * flipping j), outgoing weights of opposite signs (after the flip) with (a_i - a_j)/2 at
 * least out_min times the largest outgoing weight of the layer's other units (and 1);
 * among those the largest |a_i - a_j|. */
static int find_pair(const ls_net *net, const double *th, const ls_channel_opts *o,
                     ls_channel_report *rep) {
  double best = 0;
  for (int l = 1; l < net->n_layers; l++) {
    if (l + 1 < net->n_layers && net->glu[l + 1]) continue;
    int W = net->width[l], nord = W - net->glu[l], m = net->width[l + 1], len = in_len(net, l);
    double ks = 0;
    int odd = ls_act_odd_shift(&net->act[l], &ks);
    double *wi = malloc(2 * (size_t)len * sizeof *wi), *wj = wi ? wi + len : NULL;
    if (!wi) return -1;
    for (int i = 0; i < nord; i++)
      for (int j = i + 1; j < nord; j++) {
        in_vec(net, th, l, i, wi);
        in_vec(net, th, l, j, wj);
        double other = 1; /* largest outgoing weight of the other units */
        for (int k = 0; k < W; k++)
          if (k != i && k != j)
            for (int q = 0; q < m; q++) other = fmax(other, fabs(out_w(net, th, l, k, q)));
        for (int fl = 0; fl <= odd; fl++) {
          double sj = fl ? -1 : 1, d2 = 0, A2 = 0, dotp = 0;
          for (int k = 0; k < len; k++) d2 += (wi[k] - sj * wj[k]) * (wi[k] - sj * wj[k]);
          for (int q = 0; q < m; q++) {
            double ai = out_w(net, th, l, i, q), aj = sj * out_w(net, th, l, j, q);
            A2 += (ai - aj) * (ai - aj) / 4, dotp += ai * aj;
          }
          double dist = sqrt(d2), An = sqrt(A2);
          if (dist > o->dist_max * fmax(1, norm(len, wi)) || dotp >= 0 ||
              An < o->out_min * other || An <= best)
            continue;
          best = An;
          rep->candidate = 1;
          rep->layer = l, rep->i = i, rep->j = j, rep->flipped = fl, rep->dist = dist;
          rep->a_i = out_w(net, th, l, i, 0), rep->a_j = sj * out_w(net, th, l, j, 0);
          double c2 = 0;
          for (int q = 0; q < m; q++) {
            double s = out_w(net, th, l, i, q) + sj * out_w(net, th, l, j, q);
            c2 += s * s;
          }
          rep->c_norm = sqrt(c2), rep->v_norm = An * dist;
        }
      }
    free(wi);
  }
  return 0;
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
  if (find_pair(net, theta, &o, rep)) return ls_error_set(err, LS_ERR_NOMEM, "channel: out of memory");
  if (!rep->candidate) {
    snprintf(rep->reason, sizeof rep->reason, "no pair of merging units with diverging "
             "opposite outgoing weights");
    return LS_OK;
  }
  if ((st = ls_channel_limit(net, theta, rep->layer, rep->i, rep->j, rep->flipped,
                             &rep->limit_net, &rep->limit_theta, err)))
    return st;
  const ls_net *nl = &rep->limit_net;
  size_t P = ls_net_nparams(nl);
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
  for (size_t p = 0; p < P; p++)
    rep->limit_shift = fmax(rep->limit_shift, fabs(rep->limit_theta[p] - t0[p]));
  if ((st = fn_distance(net, theta, nl, rep->limit_theta, d, &rep->fn_dist))) goto fail;
  rep->limit_critical = rep->limit_grad_inf <= o.grad_tol;
  rep->minimum = rep->limit_critical && rep->n_neg == 0;
  int lower = rep->limit_loss <= rep->loss * (1 + o.loss_rtol) + 1e-15;
  int close = rep->fn_dist <= o.fn_rtol * sqrt(rep->loss) + 1e-12;
  rep->found = lower && close;
  if (!lower)
    snprintf(rep->reason, sizeof rep->reason, "limit loss %.3e above the run's %.3e",
             rep->limit_loss, rep->loss);
  else if (!close)
    snprintf(rep->reason, sizeof rep->reason,
             "polished limit moved away: function distance %.3e > %.3g sqrt(loss) = %.3e",
             rep->fn_dist, o.fn_rtol, o.fn_rtol * sqrt(rep->loss));
  else
    snprintf(rep->reason, sizeof rep->reason, "channel (%s at infinity%s)",
             rep->minimum ? "minimum" : "saddle",
             rep->limit_critical ? "" : "; limit not critical");
  free(t0);
  if (rep->found && o.flow) return ls_channel_flow(net, d, theta, &o, rep, err);
  return LS_OK;
fail:
  free(t0);
  if (err && !err->msg[0]) ls_error_set(err, st, "channel: computation failed");
  return st;
}
