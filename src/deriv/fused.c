/* Fused loss and gradient of the common shallow case: one hidden layer with sigmoid or
 * tanh, identity output, MSE (biases optional, per-sample weights optional).
 *
 * The general path makes one pass over the block arrays per layer and direction (affine
 * map, activation, output, backward combine, weight-gradient dots).  Here each chunk of
 * LS_FZ_C samples goes forward and backward at once: its inputs, pre-activations,
 * outputs and output errors stay in registers or in a few L1 lines, the loop over hidden
 * units runs inside, and the gradient is accumulated lane-wise (LS_FZ_C partial sums per
 * parameter) and reduced in a fixed lane order at the end of the block.  The per-block
 * result therefore depends on the block alone, so the engine's fixed block partition and
 * ordered reduction keep results bitwise independent of the thread count.
 *
 * Sigmoid: s and s(1-s) come from e = exp(-|z|) and one reciprocal r = 1/(1+e)
 * (s = r or e r, s(1-s) = e r^2), as in the general path.  Tanh: em = expm1(-2|z|),
 * e = exp(-2|z|), r = 1/(2+em) = 1/(1+e) computed without cancellation, so
 * tanh = -em r and tanh' = 4 e r^2 with a single division. */
#include <math.h>
#include <string.h>

#include "core/simd.h"
#include "work.h"

int ls_fused_supported(const ls_net *net) {
  if (net->n_layers != 2 || net->loss != LS_LOSS_MSE || net->glu[1]) return 0;
  if (net->act[2].kind != LS_ACT_IDENTITY) return 0;
  if (net->act[1].kind != LS_ACT_SIGMOID && net->act[1].kind != LS_ACT_TANH) return 0;
  return net->width[0] >= 1 && net->width[0] <= LS_FZ_MAX_IN && net->width[1] >= 1 &&
         net->width[1] <= LS_FZ_MAX_HID && net->width[2] >= 1 && net->width[2] <= LS_FZ_MAX_OUT;
}

size_t ls_fused_scratch(const ls_net *net) {
  /* lane accumulators of every parameter, then act and act' of the hidden units */
  return (ls_net_nparams(net) + 2 * (size_t)net->width[1]) * 8;
}

/* exp and expm1 lane-wise through glibc's vector libm (one _ZGVeN8v call, two _ZGVdN4v). */
static inline __attribute__((always_inline)) ls_v8 v8_exp(ls_v8 x) {
  double a[8], r[8];
  memcpy(a, &x, sizeof a);
#pragma omp simd
  for (int l = 0; l < 8; l++) r[l] = exp(a[l]);
  memcpy(&x, r, sizeof r);
  return x;
}
static inline __attribute__((always_inline)) ls_v8 v8_expm1(ls_v8 x) {
  double a[8], r[8];
  memcpy(a, &x, sizeof a);
#pragma omp simd
  for (int l = 0; l < 8; l++) r[l] = expm1(a[l]);
  memcpy(&x, r, sizeof r);
  return x;
}
static inline __attribute__((always_inline)) ls_v8 v8_abs(ls_v8 x) { return (ls_v8)((ls_v8i)x & 0x7fffffffffffffffLL); }

/* Hidden activation and derivative from z and ex = exp(-|z|) (sigmoid) or
 * expm1(-2|z|) (tanh): *s = act(z), *d = act'(z). */
static inline __attribute__((always_inline)) void hidden(int sig, ls_v8 z, ls_v8 ex, ls_v8 *s, ls_v8 *d) {
  const ls_v8 one = {1, 1, 1, 1, 1, 1, 1, 1};
  if (sig) {
    ls_v8 r = one / (one + ex), sm = ex * r;
    ls_v8i pos = z >= 0; /* lanes of all ones where z >= 0 */
    *s = (ls_v8)(((ls_v8i)r & pos) | ((ls_v8i)sm & ~pos));
    *d = r * sm;
  } else {
    ls_v8 em = ex, e = v8_exp(-2 * v8_abs(z)), r = one / (2 + em);
    ls_v8 t = -em * r;
    *s = (ls_v8)((ls_v8i)t | ((ls_v8i)z & ((ls_v8i){0} + (-0x7fffffffffffffffLL - 1)))); /* copysign */
    *d = 4 * e * r * r;
  }
}

/* The kernel for din inputs, m outputs (compile-time constants in the specialisations
 * below, so the loops over them unroll and the chunk state lives in registers). */
static inline __attribute__((always_inline)) double fused_impl(
    const int din, const int h, const int m, const int sig, const double *W1,
    const double *b1, const double *W2, const double *b2, const double *x, const double *y,
    const double *wt, double w0, size_t nb, ls_v8 *aW1, ls_v8 *ab1, ls_v8 *aW2, ls_v8 *ab2, ls_v8 *sa,
    ls_v8 *da, int grad) {
  ls_v8 lossv = {0};
  for (size_t c = 0; c < nb; c += 8) {
    /* the chunk's inputs, targets and weights, lane-major; lanes past nb get weight 0
     * (and x = y = 0), so they add exact zeros */
    const int nl = nb - c < 8 ? (int)(nb - c) : 8;
    ls_v8 xc[LS_FZ_MAX_IN], yc[LS_FZ_MAX_OUT], wc, f[LS_FZ_MAX_OUT];
    if (nl == 8) { /* whole vectors where the layout allows it (no lane-wise stores) */
      if (wt) wc = *(const ls_v8 *)(wt + c);
      else wc = (ls_v8){0} + w0;
      if (din == 1) {
        xc[0] = *(const ls_v8 *)(x + c);
      } else if (din == 2) {
        ls_v8 lo = *(const ls_v8 *)(x + 2 * c), hi = *(const ls_v8 *)(x + 2 * c + 8);
        xc[0] = __builtin_shuffle(lo, hi, (ls_v8i){0, 2, 4, 6, 8, 10, 12, 14});
        xc[1] = __builtin_shuffle(lo, hi, (ls_v8i){1, 3, 5, 7, 9, 11, 13, 15});
      } else {
        for (int l = 0; l < 8; l++)
          for (int j = 0; j < din; j++) xc[j][l] = x[(c + l) * din + j];
      }
      if (m == 1)
        yc[0] = *(const ls_v8 *)(y + c);
      else
        for (int l = 0; l < 8; l++)
          for (int o = 0; o < m; o++) yc[o][l] = y[(c + l) * m + o];
    } else {
      for (int l = 0; l < 8; l++) {
        const int in = l < nl;
        wc[l] = in ? (wt ? wt[c + l] : w0) : 0.0;
        for (int j = 0; j < din; j++) xc[j][l] = in ? x[(c + l) * din + j] : 0.0;
        for (int o = 0; o < m; o++) yc[o][l] = in ? y[(c + l) * m + o] : 0.0;
      }
    }
    for (int o = 0; o < m; o++) f[o] = (ls_v8){0} + (b2 ? b2[o] : 0.0);
    if (sig) {
      /* forward, one sweep: z_i = b1_i + sum_j W1_ij x_j (in j order, as the general
       * path), e = exp(-|z|) inline, r = 1/(1+e), s = r or e r, s' = e r^2, f += W2 s */
      for (int i = 0; i < h; i++) {
        const double *Wi = W1 + (size_t)i * din;
        ls_v8 z = (ls_v8){0} + (b1 ? b1[i] : 0.0);
        for (int j = 0; j < din; j++) z += Wi[j] * xc[j];
        ls_v8 s, dv;
        hidden(1, z, ls_v8_exp_neg(-v8_abs(z)), &s, &dv);
        sa[i] = s, da[i] = dv;
        for (int o = 0; o < m; o++) f[o] += W2[(size_t)o * h + i] * s;
      }
    } else {
      /* tanh through libmvec's expm1 and exp, in three sweeps over the hidden units so
       * that the calls, and then the divisions, of different units are independent:
       * z into da, expm1(-2|z|) into sa, then act, act', f += W2 s */
      for (int i = 0; i < h; i++) {
        const double *Wi = W1 + (size_t)i * din;
        ls_v8 z = (ls_v8){0} + (b1 ? b1[i] : 0.0);
        for (int j = 0; j < din; j++) z += Wi[j] * xc[j];
        da[i] = z;
      }
      for (int i = 0; i < h; i++) sa[i] = v8_expm1(-2 * v8_abs(da[i]));
      for (int i = 0; i < h; i++) {
        ls_v8 s, dv;
        hidden(0, da[i], sa[i], &s, &dv);
        sa[i] = s, da[i] = dv;
        for (int o = 0; o < m; o++) f[o] += W2[(size_t)o * h + i] * s;
      }
    }
    /* output: loss w |f - y|^2, g = dloss/df = 2 w (f - y) (kept in f) */
    for (int o = 0; o < m; o++) {
      ls_v8 e = f[o] - yc[o];
      lossv += wc * e * e;
      f[o] = 2 * wc * e;
    }
    if (!grad) continue;
    /* backward: grad W2_oi += g_o s_i, delta_i = act'_i sum_o W2_oi g_o,
     * grad W1_ij += delta_i x_j, grad b1_i += delta_i, grad b2_o += g_o */
    if (ab2)
      for (int o = 0; o < m; o++) ab2[o] += f[o];
    for (int i = 0; i < h; i++) {
      ls_v8 t = {0};
      for (int o = 0; o < m; o++) {
        aW2[(size_t)o * h + i] += f[o] * sa[i];
        t += W2[(size_t)o * h + i] * f[o];
      }
      t *= da[i];
      if (ab1) ab1[i] += t;
      ls_v8 *a1 = aW1 + (size_t)i * din;
      for (int j = 0; j < din; j++) a1[j] += t * xc[j];
    }
  }
  double loss = 0;
  for (int l = 0; l < 8; l++) loss += lossv[l];
  return loss;
}

/* One block of nb samples starting at sample k0: returns sum_k w_k |f(x_k) - y_k|^2 and,
 * when grad, adds the block's gradient to grad (P entries, engine layout). */
LS_HOT double ls_fused_block(const ls_net *net, const double *theta, const ls_data *d,
                             size_t k0, size_t nb, double *grad, double *scratch) {
  if (grad && ls_fused_small_supported(net)) return ls_fused_small_block(net, theta, d, k0, nb, grad);
  const int din = net->width[0], h = net->width[1], m = net->width[2];
  const int sig = net->act[1].kind == LS_ACT_SIGMOID;
  const size_t P = ls_net_nparams(net);
  const double *W1 = theta + ls_net_w_offset(net, 1), *W2 = theta + ls_net_w_offset(net, 2);
  const double *b1 = net->bias[1] ? theta + ls_net_b_offset(net, 1) : NULL;
  const double *b2 = net->bias[2] ? theta + ls_net_b_offset(net, 2) : NULL;
  /* lane accumulators, one ls_v8 per parameter in parameter order, then act and act' */
  ls_v8 *acc = (ls_v8 *)scratch, *sa = acc + P, *da = sa + h;
  ls_v8 *aW1 = acc + ls_net_w_offset(net, 1), *aW2 = acc + ls_net_w_offset(net, 2);
  ls_v8 *ab1 = b1 ? acc + ls_net_b_offset(net, 1) : NULL;
  ls_v8 *ab2 = b2 ? acc + ls_net_b_offset(net, 2) : NULL;
  if (grad) memset(acc, 0, P * sizeof(ls_v8));
  const double *x = d->x + k0 * (size_t)din, *y = d->y + k0 * (size_t)m;
  const double *wt = d->w ? d->w + k0 : NULL;
  const double w0 = 1.0 / (double)d->n;
  double loss;

  /* compile-time activation, and inputs/outputs for the common small shapes */
#define LS_FZ_CALL(DIN, M, SIG) \
  fused_impl(DIN, h, M, SIG, W1, b1, W2, b2, x, y, wt, w0, nb, aW1, ab1, aW2, ab2, sa, da, grad != NULL)
  if (sig && m == 1 && din == 1)
    loss = LS_FZ_CALL(1, 1, 1);
  else if (sig && m == 1 && din == 2)
    loss = LS_FZ_CALL(2, 1, 1);
  else if (sig)
    loss = LS_FZ_CALL(din, m, 1);
  else if (m == 1 && din == 1)
    loss = LS_FZ_CALL(1, 1, 0);
  else if (m == 1 && din == 2)
    loss = LS_FZ_CALL(2, 1, 0);
  else
    loss = LS_FZ_CALL(din, m, 0);
#undef LS_FZ_CALL
  if (grad)
    for (size_t p = 0; p < P; p++) {
      const ls_v8 a = acc[p]; /* pairwise, as ls_v4_hsum */
      grad[p] += ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
    }
  return loss;
}
