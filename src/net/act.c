/* Activation functions with exact first, second and third derivatives. */
#include <math.h>
#include <string.h>

#include "landsym/net.h"

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

/* Logistic sigmoid, stable on both tails. */
static double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* sigmoid and its derivatives at x, scaled for the chain rule of sigmoid(c*x):
 * d[k] += scale * c^k * sigma^(k)(c x). */
static void add_sigmoid(double x, double c, double scale, double d[4]) {
  double s = sigmoid(c * x), s1 = s * (1 - s);
  d[0] += scale * s;
  d[1] += scale * c * s1;
  d[2] += scale * c * c * s1 * (1 - 2 * s);
  d[3] += scale * c * c * c * s1 * (1 - 6 * s + 6 * s * s);
}

/* softplus(x) = log(1+e^x) = max(x,0) + log1p(e^-|x|); derivatives are sigmoid's. */
static void add_softplus(double x, double d[4]) {
  double s = sigmoid(x), s1 = s * (1 - s);
  d[0] += (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
  d[1] += s;
  d[2] += s1;
  d[3] += s1 * (1 - 2 * s);
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
    case LS_ACT_TANH: {
      double t = tanh(x), u = 1 - t * t;
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

void ls_act_apply(const ls_act *a, size_t n, const double *x, double *y, double *d1, double *d2) {
  double d[4];
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
