/* landsym: network specification, activations, losses and the parameter layout.
 *
 * Parameter vector layout (DESIGN.md, shared by every module and file format):
 * for each layer l = 1..L in order, W_l row-major with shape (width[l] x width[l-1]),
 * followed by b_l (width[l]) if bias[l]. Hidden neuron i of layer l is row i of W_l
 * (plus b_l[i]); its outgoing weights are column i of W_{l+1}.
 *
 * Gated linear units (docs/engine.md): the last glu[l] units of hidden layer l compute
 * act(z) + u act'(z) with z = W_l[i] x + b_l[i] and u = V_l[g] x + c_l[g] (g = the unit's
 * index among the GLU units). Their extra parameters follow b_l in the layer's block:
 * V_l row-major (glu[l] x width[l-1]), then c_l (glu[l]) if bias[l]. A network without
 * GLU units (every glu[l] = 0) has exactly the layout above.
 *
 * Second-order gated units (the limit of a channel of three or more units whose outgoing
 * weights grow like 1/eps^2, src/sym/channel.c): the last glu2[l] of the GLU units of layer
 * l compute act(z) + u act'(z) + 1/2 q act''(z) with q = x~^T M x~, x~ = (x, 1 if bias[l])
 * of length n~ = width[l-1] + bias[l] and M symmetric, stored as its upper triangle row by
 * row (n~ (n~ + 1) / 2 entries per unit): after c_l, M_l (glu2[l] x n~ (n~ + 1) / 2). */
#ifndef LANDSYM_NET_H
#define LANDSYM_NET_H

#include <stddef.h>
#include <stdint.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LS_MAX_LAYERS 16

typedef enum {
  LS_ACT_IDENTITY = 0,
  LS_ACT_SIGMOID,       /* 1/(1+e^-x)                                       */
  LS_ACT_TANH,
  LS_ACT_SOFTPLUS,      /* log(1+e^x), stable for large |x|                 */
  LS_ACT_G,             /* sigmoid(4x) + softplus(x)                         */
  LS_ACT_SOFTPLUS_SIG,  /* softplus(x) + alpha*sigmoid(gamma*x), Simsek Thm 4.2 / Fig. 5 */
  LS_ACT_ERF,           /* erf(x/sqrt 2)                                     */
  LS_ACT_GELU,          /* x * Phi(x)                                        */
  LS_ACT_RELU,          /* max(0,x); derivatives where defined (0 at x=0)    */
  LS_ACT_COUNT
} ls_act_kind;

typedef struct {
  ls_act_kind kind;
  double alpha, gamma; /* parameters of LS_ACT_SOFTPLUS_SIG; ignored otherwise */
} ls_act;

typedef enum { LS_LOSS_MSE = 0, LS_LOSS_NLL } ls_loss_kind;

/* A multilayer perceptron: L = n_layers weight layers, width[0] inputs,
 * width[L] outputs; act[l] and bias[l] describe layer l = 1..L. */
typedef struct {
  int n_layers;
  int width[LS_MAX_LAYERS + 1];
  ls_act act[LS_MAX_LAYERS + 1];
  int bias[LS_MAX_LAYERS + 1];
  int glu[LS_MAX_LAYERS + 1]; /* GLU units at the end of hidden layer l (0: none) */
  int glu2[LS_MAX_LAYERS + 1]; /* of these, second-order units at the end (0: none) */
  ls_loss_kind loss; /* MSE: mean over samples of squared error summed over outputs (no 1/2);
                        NLL: softmax of the last layer's output + negative log-likelihood */
} ls_net;

/* Activation by name: identity, sigmoid, tanh, softplus, g, softplus_sigmoid, erf,
 * gelu, relu. Parameters alpha, gamma are set by the caller for softplus_sigmoid. */
ls_status ls_act_parse(const char *name, ls_act *out, ls_error *err);
const char *ls_act_name(ls_act_kind kind);
/* d[0] = f(x), d[1] = f'(x), d[2] = f''(x), d[3] = f'''(x). */
void ls_act_eval(const ls_act *a, double x, double d[4]);
/* f''''(x): the second-order gated units' Hessian needs it (src/deriv/glu.c). */
double ls_act_d4(const ls_act *a, double x);
/* Vectorised: y[i] = f(x[i]); d1, d2 may be NULL (then not computed). */
void ls_act_apply(const ls_act *a, size_t n, const double *x, double *y, double *d1, double *d2);
/* 1 if f is odd up to a constant: f(-x) = c - f(x) (sigmoid c=1, tanh/erf c=0). */
int ls_act_odd_shift(const ls_act *a, double *c);

ls_status ls_loss_parse(const char *name, ls_loss_kind *out, ls_error *err);
const char *ls_loss_name(ls_loss_kind kind);

/* Build a network with the given widths (n_layers+1 entries), one hidden activation,
 * identity output, bias on every layer or none, MSE loss. */
ls_status ls_net_init(ls_net *net, int n_layers, const int *widths, ls_act hidden, int bias,
                      ls_error *err);
ls_status ls_net_validate(const ls_net *net, ls_error *err);
size_t ls_net_nparams(const ls_net *net);
size_t ls_net_w_offset(const ls_net *net, int l); /* start of W_l, l = 1..L */
size_t ls_net_b_offset(const ls_net *net, int l); /* start of b_l (valid if bias[l]) */
size_t ls_net_v_offset(const ls_net *net, int l); /* start of V_l (GLU directions) */
size_t ls_net_c_offset(const ls_net *net, int l); /* start of c_l (valid if bias[l]) */
size_t ls_net_m_offset(const ls_net *net, int l); /* start of M_l (second-order units) */
int ls_net_m_len(const ls_net *net, int l);       /* entries of one unit's M: n~(n~+1)/2 */
int ls_net_n_glu(const ls_net *net);              /* GLU units in all layers */
int ls_net_n_glu2(const ls_net *net);             /* second-order GLU units in all layers */
/* LS_OK when net has no GLU unit, else an LS_ERR_INPUT naming what (e.g. "reduce") does
 * not take GLU units yet. */
ls_status ls_net_require_plain(const ls_net *net, const char *what, ls_error *err);
int ls_net_max_width(const ls_net *net);
/* Human-readable "2-5-1 sigmoid/identity nobias mse". */
void ls_net_describe(const ls_net *net, char *buf, size_t len);

/* ---- parameter vectors of a network ------------------------------------------------ */

/* Read a parameter vector (ls_params_read of landsym/io.h: .npy or .json) and check its
 * length against the network (the message names the file). */
ls_status ls_params_read_net(const char *path, const ls_net *net, double **theta,
                             ls_error *err);

/* Glorot (Xavier) normal: every weight of layer l drawn N(0, 2/(fan_in+fan_out)) with
 * fan_in = width[l-1], fan_out = width[l]; biases 0. Draws follow the parameter layout
 * (layer by layer, W row-major) from ls_rng seeded with `seed`; biases draw nothing. */
void ls_params_glorot(const ls_net *net, uint64_t seed, double *theta);
/* Every weight N(0, scale^2), biases 0, same draw order. */
void ls_params_normal(const ls_net *net, uint64_t seed, double scale, double *theta);

#ifdef __cplusplus
}
#endif
#endif
