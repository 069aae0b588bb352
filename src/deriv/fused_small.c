/* Loss and gradient of the narrowest fused case: one sigmoid hidden layer of at most
 * LS_FZS_MAX_HID units, one or two inputs, one identity output, MSE (biases and
 * per-sample weights optional): the thesis toy and the networks of its sweeps.
 *
 * Same arithmetic as the fused kernel of fused.c (same z, same exp, same sigmoid, same
 * output sum, so the loss and the activations are bitwise those of fused.c and of the
 * general path), scheduled for throughput rather than written per unit:
 *  - the hidden width is a compile-time constant, so the per-unit state of a chunk of
 *    eight samples lives in registers and the loops over units unroll;
 *  - the exps of all units of a chunk advance in lockstep (one Horner step for every
 *    unit, then the next), so the out-of-order core always has independent work and the
 *    long dependent chain of one exp never stalls it;
 *  - the backward pass of a chunk is deferred by one chunk and its per-unit updates are
 *    threaded between the Horner steps of the next chunk's exps (software pipelining):
 *    they need the previous chunk's output error, which is known by then, and fill the
 *    issue slots the exp chains leave free;
 *  - W2_i is factored out of the sums for W1 and b1 (grad W1_ij = W2_i sum_k g_k s'_ik
 *    x_kj), one multiplication per sample and unit less.
 * The gradient sums therefore group terms differently from fused.c (relative difference
 * ~1e-16); within a block they are taken in a fixed order, so results stay bitwise
 * independent of the thread count. */
#include <string.h>

#include "core/simd.h"
#include "work.h"

int ls_fused_small_supported(const ls_net *net) {
  return ls_fused_supported(net) && net->act[1].kind == LS_ACT_SIGMOID && net->width[0] <= 2 &&
         net->width[1] <= LS_FZS_MAX_HID && net->width[2] == 1;
}

static inline __attribute__((always_inline)) double lanes_sum(ls_v8 a) {
  return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7])); /* as fused.c */
}

/* The kernel for DIN inputs and H hidden units (compile-time constants). */
static inline __attribute__((always_inline)) double small_impl(
    const int DIN, const int H, const double *W1, const double *b1, const double *W2,
    const double *b2, const double *x, const double *y, const double *wt, double w0,
    size_t nb, double *gW1, double *gb1, double *gW2, double *gb2) {
  const ls_v8 T0 = {ls_exp_tab[0], ls_exp_tab[1], ls_exp_tab[2], ls_exp_tab[3],
                    ls_exp_tab[4], ls_exp_tab[5], ls_exp_tab[6], ls_exp_tab[7]};
  const ls_v8 T1 = {ls_exp_tab[8], ls_exp_tab[9], ls_exp_tab[10], ls_exp_tab[11],
                    ls_exp_tab[12], ls_exp_tab[13], ls_exp_tab[14], ls_exp_tab[15]};
  const ls_v8 lo = (ls_v8){0} - 708.0, shift = (ls_v8){0} + LS_EXP_SHIFT;
  const ls_v8 one = (ls_v8){0} + 1.0;
  const ls_v8i sign = (ls_v8i){0} + (-0x7fffffffffffffffLL - 1);
  /* lane accumulators: sum_k u x_j (u = g s'), sum_k u, sum_k g s, sum_k g */
  ls_v8 aW1[LS_FZS_MAX_HID * 2] = {0}, ab1[LS_FZS_MAX_HID] = {0}, aW2[LS_FZS_MAX_HID] = {0};
  ls_v8 ab2 = {0}, lossv = {0};
  /* the previous chunk: inputs, output error, act and act' of every unit */
  ls_v8 xp[2] = {{0}, {0}}, gp = {0}, sp[LS_FZS_MAX_HID] = {0}, dp[LS_FZS_MAX_HID] = {0};
  /* backward of unit i of the previous chunk (adds zeros before the first chunk) */
#define LS_FZS_BACK(i)                                       \
  do {                                                       \
    aW2[i] += gp * sp[i];                                    \
    const ls_v8 u_ = gp * dp[i];                             \
    if (gb1) ab1[i] += u_;                                   \
    for (int j_ = 0; j_ < DIN; j_++) aW1[(i) * DIN + j_] += u_ * xp[j_]; \
  } while (0)

  for (size_t c = 0; c < nb; c += 8) {
    /* the chunk's inputs, targets and weights; lanes past nb get weight 0 (and x = y =
     * 0), so they add exact zeros */
    const int nl = nb - c < 8 ? (int)(nb - c) : 8;
    ls_v8 xc[2] = {{0}, {0}}, yc, wc;
    if (nl == 8) {
      if (wt) wc = *(const ls_v8 *)(wt + c);
      else wc = (ls_v8){0} + w0;
      if (DIN == 1) {
        xc[0] = *(const ls_v8 *)(x + c);
      } else {
        ls_v8 l8 = *(const ls_v8 *)(x + 2 * c), h8 = *(const ls_v8 *)(x + 2 * c + 8);
        xc[0] = __builtin_shuffle(l8, h8, (ls_v8i){0, 2, 4, 6, 8, 10, 12, 14});
        xc[1] = __builtin_shuffle(l8, h8, (ls_v8i){1, 3, 5, 7, 9, 11, 13, 15});
      }
      yc = *(const ls_v8 *)(y + c);
    } else {
      for (int l = 0; l < 8; l++) {
        const int in = l < nl;
        wc[l] = in ? (wt ? wt[c + l] : w0) : 0.0;
        for (int j = 0; j < DIN; j++) xc[j][l] = in ? x[(c + l) * DIN + j] : 0.0;
        yc[l] = in ? y[c + l] : 0.0;
      }
    }
    /* forward: z_i as in fused.c, then ls_v8_exp_neg(-|z_i|) for all units in lockstep
     * (the same operations, so the same bits), the backward of the previous chunk
     * threaded through the Horner steps */
    ls_v8 z[LS_FZS_MAX_HID], a[LS_FZS_MAX_HID], r[LS_FZS_MAX_HID], p[LS_FZS_MAX_HID];
    ls_v8i k[LS_FZS_MAX_HID];
    for (int i = 0; i < H; i++) {
      z[i] = (ls_v8){0} + (b1 ? b1[i] : 0.0);
      for (int j = 0; j < DIN; j++) z[i] += W1[i * DIN + j] * xc[j];
      a[i] = (ls_v8)((ls_v8i)z[i] | sign); /* -|z| */
      ls_v8i under = a[i] < lo;
      a[i] = (ls_v8)(((ls_v8i)a[i] & ~under) | ((ls_v8i)lo & under));
    }
    for (int i = 0; i < H; i++) {
      ls_v8 t = a[i] * LS_EXP_INVL + shift, kf = t - shift;
      k[i] = (ls_v8i)t - (ls_v8i)shift;
      r[i] = a[i] - kf * LS_EXP_L_HI;
      r[i] = r[i] - kf * LS_EXP_L_LO;
      p[i] = (ls_v8){0} + 1.0 / 5040.0;
    }
    static const double coef[7] = {1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    for (int st = 0; st < 7; st++) {
      for (int i = 0; i < H; i++) p[i] = p[i] * r[i] + coef[st];
      if (st < H) LS_FZS_BACK(st);
    }
    if (H > 7) LS_FZS_BACK(7);
    /* sigmoid as hidden() of fused.c, output sum in unit order */
    ls_v8 f = (ls_v8){0} + (b2 ? b2[0] : 0.0);
    for (int i = 0; i < H; i++) {
      ls_v8 tj = __builtin_shuffle(T0, T1, k[i] & 15);
      ls_v8 e = (ls_v8)((ls_v8i)tj + ((k[i] >> 4) << 52)) * p[i];
      ls_v8 q = one / (one + e), sm = e * q;
      ls_v8i pos = z[i] >= 0;
      sp[i] = (ls_v8)(((ls_v8i)q & pos) | ((ls_v8i)sm & ~pos));
      dp[i] = q * sm;
      f += W2[i] * sp[i];
    }
    /* output: loss w (f - y)^2, g = 2 w (f - y) */
    ls_v8 e = f - yc;
    lossv += wc * e * e;
    gp = 2 * wc * e;
    ab2 += gp;
    for (int j = 0; j < DIN; j++) xp[j] = xc[j];
  }
  for (int i = 0; i < H; i++) LS_FZS_BACK(i); /* the last chunk */
#undef LS_FZS_BACK
  for (int i = 0; i < H; i++) {
    for (int j = 0; j < DIN; j++) gW1[i * DIN + j] += W2[i] * lanes_sum(aW1[i * DIN + j]);
    if (gb1) gb1[i] += W2[i] * lanes_sum(ab1[i]);
    gW2[i] += lanes_sum(aW2[i]);
  }
  if (gb2) gb2[0] += lanes_sum(ab2);
  double loss = 0;
  for (int l = 0; l < 8; l++) loss += lossv[l];
  return loss;
}

LS_HOT double ls_fused_small_block(const ls_net *net, const double *theta, const ls_data *d,
                                   size_t k0, size_t nb, double *grad) {
  const int din = net->width[0], h = net->width[1];
  const double *W1 = theta + ls_net_w_offset(net, 1), *W2 = theta + ls_net_w_offset(net, 2);
  const double *b1 = net->bias[1] ? theta + ls_net_b_offset(net, 1) : NULL;
  const double *b2 = net->bias[2] ? theta + ls_net_b_offset(net, 2) : NULL;
  double *gW1 = grad + ls_net_w_offset(net, 1), *gW2 = grad + ls_net_w_offset(net, 2);
  double *gb1 = b1 ? grad + ls_net_b_offset(net, 1) : NULL;
  double *gb2 = b2 ? grad + ls_net_b_offset(net, 2) : NULL;
  const double *x = d->x + k0 * (size_t)din, *y = d->y + k0;
  const double *wt = d->w ? d->w + k0 : NULL;
  const double w0 = 1.0 / (double)d->n;
#define LS_FZS_CASE(DIN, H)                                                                \
  case (DIN - 1) * LS_FZS_MAX_HID + H - 1:                                                 \
    return small_impl(DIN, H, W1, b1, W2, b2, x, y, wt, w0, nb, gW1, gb1, gW2, gb2);
#define LS_FZS_CASES(DIN)                                                                  \
  LS_FZS_CASE(DIN, 1) LS_FZS_CASE(DIN, 2) LS_FZS_CASE(DIN, 3) LS_FZS_CASE(DIN, 4)          \
  LS_FZS_CASE(DIN, 5) LS_FZS_CASE(DIN, 6) LS_FZS_CASE(DIN, 7) LS_FZS_CASE(DIN, 8)
  switch ((din - 1) * LS_FZS_MAX_HID + h - 1) {
    LS_FZS_CASES(1)
    LS_FZS_CASES(2)
  }
#undef LS_FZS_CASES
#undef LS_FZS_CASE
  return 0; /* not reached: ls_fused_small_supported */
}
