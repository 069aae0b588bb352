/* Activation functions with exact first, second and third derivatives (and the fourth, for
 * second-order gated units). */
#include <math.h>
#include <string.h>

#include "landsym/net.h"
#include "core/simd.h"

static const char *const act_names[LS_ACT_COUNT] = {
    "identity", "sigmoid", "tanh", "softplus", "g", "softplus_sigmoid", "erf", "gelu", "relu"};

const char *ls_act_name(ls_act_kind kind) {
  return (kind >= 0 && kind < LS_ACT_COUNT) ? act_names[kind] : "?";
}

ls_status ls_act_parse(const char *name, ls_act *out, ls_error *err) {
  for (int k = 0; k < LS_ACT_COUNT; k++)
    if (name && strcmp(name, act_names[k]) == 0) {
      out->kind = (ls_act_kind)k;
      out->alpha = 1.0;
      out->gamma = 1.0;
      return LS_OK;
    }
  return ls_error_set(err, LS_ERR_INPUT,
                      "unknown activation '%s' (known: identity, sigmoid, tanh, softplus, g, "
                      "softplus_sigmoid, erf, gelu, relu)",
                      name ? name : "(null)");
}

/* sigmoid and its derivatives at x, scaled for the chain rule of sigmoid(c*x):
 * d[k] += scale * c^k * sigma^(k)(c x). */
static void add_sigmoid(double x, double c, double scale, double d[4]) {
  /* s and 1-s both from e = exp(-|cx|), so s(1-s) keeps full relative accuracy on the tails */
  double t = c * x, e = exp(-fabs(t)), sp = 1 / (1 + e), sm = e * sp;
  double s = t >= 0 ? sp : sm, om = t >= 0 ? sm : sp, s1 = sp * sm;
  d[0] += scale * s;
  d[1] += scale * c * s1;
  d[2] += scale * c * c * s1 * (om - s);
  d[3] += scale * c * c * c * s1 * (1 - 6 * s1);
}

/* softplus(x) = log(1+e^x) = max(x,0) + log1p(e^-|x|); derivatives are sigmoid's. */
static void add_softplus(double x, double d[4]) {
  double e = exp(-fabs(x)), sp = 1 / (1 + e), sm = e * sp;
  double s = x >= 0 ? sp : sm, om = x >= 0 ? sm : sp, s1 = sp * sm;
  d[0] += (x > 0 ? x : 0) + log1p(e);
  d[1] += s;
  d[2] += s1;
  d[3] += s1 * (om - s);
}

void ls_act_eval(const ls_act *a, double x, double d[4]) {
  d[0] = d[1] = d[2] = d[3] = 0;
  switch (a->kind) {
    case LS_ACT_IDENTITY:
      d[0] = x;
      d[1] = 1;
      break;
    case LS_ACT_SIGMOID:
      add_sigmoid(x, 1, 1, d);
      break;
    case LS_ACT_TANH: { /* t from expm1(-2|x|), 1 - t^2 = 4e/(1+e)^2 from e = exp(-2|x|):
                           no cancellation near 0 nor on the tails */
      double em = expm1(-2 * fabs(x)), e = exp(-2 * fabs(x));
      double t = copysign(-em / (2 + em), x), u = 4 * e / ((1 + e) * (1 + e));
      d[0] = t;
      d[1] = u;
      d[2] = -2 * t * u;
      d[3] = u * (6 * t * t - 2);
      break;
    }
    case LS_ACT_SOFTPLUS:
      add_softplus(x, d);
      break;
    case LS_ACT_G: /* sigmoid(4x) + softplus(x) */
      add_softplus(x, d);
      add_sigmoid(x, 4, 1, d);
      break;
    case LS_ACT_SOFTPLUS_SIG: /* softplus(x) + alpha sigmoid(gamma x), Simsek et al. Remark 4.1 */
      add_softplus(x, d);
      add_sigmoid(x, a->gamma, a->alpha, d);
      break;
    case LS_ACT_ERF: { /* erf(x/sqrt2): f' = sqrt(2/pi) e^{-x^2/2}, f'' = -x f', f''' = (x^2-1) f' */
      double p = sqrt(2.0 / M_PI) * exp(-0.5 * x * x);
      d[0] = erf(x / M_SQRT2);
      d[1] = p;
      d[2] = -x * p;
      d[3] = (x * x - 1) * p;
      break;
    }
    case LS_ACT_GELU: { /* x Phi(x): f' = Phi + x phi, f'' = (2-x^2) phi, f''' = (x^3-4x) phi */
      double phi = exp(-0.5 * x * x) / sqrt(2 * M_PI), Phi = 0.5 * erfc(-x / M_SQRT2);
      d[0] = x * Phi;
      d[1] = Phi + x * phi;
      d[2] = (2 - x * x) * phi;
      d[3] = (x * x * x - 4 * x) * phi;
      break;
    }
    case LS_ACT_RELU:
      if (x > 0) {
        d[0] = x;
        d[1] = 1;
      }
      break;
    default:
      d[0] = NAN;
      break;
  }
}

/* Fourth derivative of sigmoid(c x), times c^4: sigma'''' = s1 (1 - 2 s) (1 - 12 s1),
 * s1 = s (1 - s) (the derivative of sigma''' = s1 (1 - 6 s1)). */
static double d4_sigmoid(double x, double c) {
  double t = c * x, e = exp(-fabs(t)), sp = 1 / (1 + e), sm = e * sp;
  double s = t >= 0 ? sp : sm, om = t >= 0 ? sm : sp, s1 = sp * sm;
  return c * c * c * c * s1 * (om - s) * (1 - 12 * s1);
}

/* softplus'''' = sigma''' = s1 (1 - 6 s1) */
static double d4_softplus(double x) {
  double e = exp(-fabs(x)), s1 = e / ((1 + e) * (1 + e));
  return s1 * (1 - 6 * s1);
}

double ls_act_d4(const ls_act *a, double x) {
  switch (a->kind) {
    case LS_ACT_IDENTITY:
    case LS_ACT_RELU:
      return 0;
    case LS_ACT_SIGMOID:
      return d4_sigmoid(x, 1);
    case LS_ACT_SOFTPLUS:
      return d4_softplus(x);
    case LS_ACT_G:
      return d4_softplus(x) + d4_sigmoid(x, 4);
    case LS_ACT_SOFTPLUS_SIG:
      return d4_softplus(x) + a->alpha * d4_sigmoid(x, a->gamma);
    case LS_ACT_TANH: { /* tanh'''' = t u (16 - 24 t^2), u = 1 - t^2 */
      double e = exp(-2 * fabs(x)), t = copysign((1 - e) / (1 + e), x), u = 4 * e / ((1 + e) * (1 + e));
      return t * u * (16 - 24 * t * t);
    }
    case LS_ACT_ERF: /* (3 x - x^3) f' */
      return (3 * x - x * x * x) * sqrt(2.0 / M_PI) * exp(-0.5 * x * x);
    case LS_ACT_GELU: /* (-x^4 + 7 x^2 - 4) phi */
      return (-x * x * x * x + 7 * x * x - 4) * exp(-0.5 * x * x) / sqrt(2 * M_PI);
    default:
      return NAN;
  }
}

/* Sigmoid with value, 1st and 2nd derivative from a single exp per element (ls_exp_neg,
 * shared with the fused kernel): eight elements at a time as one vector (the exp is
 * inline, so nothing leaves registers), the tail element-wise with the same operations. */
static inline void sig_one(double x, double *y, double *d1, double *d2) {
  double e = ls_exp_neg(-fabs(x)), sp = 1 / (1 + e), sm = e * sp;
  double s = x >= 0 ? sp : sm, om = x >= 0 ? sm : sp;
  *y = s;
  if (d1) *d1 = sp * sm;
  if (d2) *d2 = sp * sm * (om - s);
}

LS_HOT static void apply_sigmoid(size_t n, const double *x, double *y, double *d1, double *d2) {
  const ls_v8 one = (ls_v8){0} + 1.0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    ls_v8 z = *(const ls_v8 *)(x + i);
    ls_v8 e = ls_v8_exp_neg((ls_v8)((ls_v8i)z | (-0x7fffffffffffffffLL - 1)));
    ls_v8 sp = one / (one + e), sm = e * sp;
    ls_v8i pos = z >= 0;
    ls_v8 s = (ls_v8)(((ls_v8i)sp & pos) | ((ls_v8i)sm & ~pos));
    ls_v8 om = (ls_v8)(((ls_v8i)sm & pos) | ((ls_v8i)sp & ~pos));
    *(ls_v8 *)(y + i) = s;
    if (d1) *(ls_v8 *)(d1 + i) = sp * sm;
    if (d2) *(ls_v8 *)(d2 + i) = sp * sm * (om - s);
  }
  for (; i < n; i++) sig_one(x[i], y + i, d1 ? d1 + i : NULL, d2 ? d2 + i : NULL);
}

/* softplus(x) = max(x,0) + log1p(e), e = exp(-|x|), with its derivatives sigmoid(x) and
 * sigmoid'(x) = sp sm (as add_softplus), for eight elements: exp inline (ls_v8_exp_neg),
 * log1p from glibc's vector library through the fixed eight-trip simd loop.  Every
 * element takes this path (the tail padded), so an element's value does not depend on
 * where it sits in the array. */
static inline __attribute__((always_inline)) void softplus8(const double *x, double *y,
                                                            double *d1, double *d2) {
  const ls_v8 one = (ls_v8){0} + 1.0;
  ls_v8 z = *(const ls_v8 *)x;
  ls_v8 e = ls_v8_exp_neg((ls_v8)((ls_v8i)z | (-0x7fffffffffffffffLL - 1)));
  ls_v8 sp = one / (one + e), sm = e * sp;
  ls_v8i pos = z >= 0;
  if (d1) *(ls_v8 *)d1 = (ls_v8)(((ls_v8i)sp & pos) | ((ls_v8i)sm & ~pos));
  if (d2) *(ls_v8 *)d2 = sp * sm;
  double ev[8] __attribute__((aligned(64)));
  *(ls_v8 *)ev = e;
#pragma omp simd simdlen(8)
  for (int j = 0; j < 8; j++) y[j] = (x[j] > 0 ? x[j] : 0) + log1p(ev[j]);
}

LS_HOT static void apply_softplus(size_t n, const double *x, double *y, double *d1, double *d2) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) softplus8(x + i, y + i, d1 ? d1 + i : NULL, d2 ? d2 + i : NULL);
  if (i == n) return;
  double tx[8] = {0}, ty[8], t1[8], t2[8];
  memcpy(tx, x + i, (n - i) * sizeof(double));
  softplus8(tx, ty, t1, t2);
  memcpy(y + i, ty, (n - i) * sizeof(double));
  if (d1) memcpy(d1 + i, t1, (n - i) * sizeof(double));
  if (d2) memcpy(d2 + i, t2, (n - i) * sizeof(double));
}

LS_HOT static void apply_tanh(size_t n, const double *x, double *y, double *d1, double *d2) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    double em = expm1(-2 * fabs(x[i])), e = exp(-2 * fabs(x[i]));
    double t = copysign(-em / (2 + em), x[i]), u = 4 * e / ((1 + e) * (1 + e));
    y[i] = t;
    if (d1) d1[i] = u;
    if (d2) d2[i] = -2 * t * u;
  }
}

void ls_act_apply(const ls_act *a, size_t n, const double *x, double *y, double *d1, double *d2) {
  double d[4];
  switch (a->kind) {
    case LS_ACT_SIGMOID:
      apply_sigmoid(n, x, y, d1, d2);
      return;
    case LS_ACT_TANH:
      apply_tanh(n, x, y, d1, d2);
      return;
    case LS_ACT_SOFTPLUS:
      apply_softplus(n, x, y, d1, d2);
      return;
    case LS_ACT_IDENTITY:
      for (size_t i = 0; i < n; i++) {
        y[i] = x[i];
        if (d1) d1[i] = 1;
        if (d2) d2[i] = 0;
      }
      return;
    default:
      break;
  }
  for (size_t i = 0; i < n; i++) {
    ls_act_eval(a, x[i], d);
    y[i] = d[0];
    if (d1) d1[i] = d[1];
    if (d2) d2[i] = d[2];
  }
}

int ls_act_odd_shift(const ls_act *a, double *c) {
  switch (a->kind) {
    case LS_ACT_SIGMOID: /* sigma(-x) = 1 - sigma(x), thesis section 6.2.2 */
      *c = 1;
      return 1;
    case LS_ACT_IDENTITY:
    case LS_ACT_TANH:
    case LS_ACT_ERF:
      *c = 0;
      return 1;
    default:
      return 0;
  }
}
