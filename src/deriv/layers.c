/* Per-layer values of a forward pass: every layer's pre-activations z_l and activations
 * a_l for a batch of samples, held row-major (samples x units) for the modules that need
 * more than the network output (the split test's Y and U, the loci's hidden-layer
 * outputs, the closed-form Gauss-Newton matrix, the Jacobian of jacobian.c).
 *
 *   a_0 = x,  z_l = W_l a_{l-1} + b_l,  a_l = act_l(z_l)                  (l = 1..L)
 *   GLU unit (net.h): u_l = V_l a_{l-1} + c_l,  a_l = act_l(z_l) + u_l act_l'(z_l).
 *
 * Networks without GLU units: blocks of LS_GRAD_BLOCK samples, unit-major inside a block
 * as in engine.c (block_layer below); the outputs agree with ls_forward to rounding (the
 * loss kernels of engine.c and fused.c order their multiply-adds in their own way).
 * Networks with GLU units: the per-sample pass of glu.c, written the same way, so that a_L
 * is bitwise what ls_forward returns. */
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "core/simd.h"

/* a, z, da/dz per layer, u and da/du too in layers with GLU units (a_0 is the input) */
static size_t layers_len(const ls_net *net, size_t cap) {
  size_t tot = 0;
  for (int l = 1; l <= net->n_layers; l++) tot += (net->glu[l] ? 5 : 3) * (size_t)net->width[l];
  return tot * cap;
}

ls_layers *ls_layers_alloc(const ls_net *net, size_t n_samples, ls_error *err) {
  if (!net || net->n_layers < 1 || net->n_layers > LS_MAX_LAYERS) {
    ls_error_set(err, LS_ERR_INPUT, "layers: the network needs 1..%d layers", LS_MAX_LAYERS);
    return NULL;
  }
  size_t cap = n_samples ? n_samples : 1, bcap = cap < LS_GRAD_BLOCK ? cap : LS_GRAD_BLOCK;
  ls_layers *y = calloc(1, sizeof *y);
  if (y) y->buf = calloc(layers_len(net, cap), sizeof(double));
  if (!y || !y->buf || ls_blk_alloc(&y->blk, net, bcap, 0) != LS_OK) {
    ls_layers_free(y);
    ls_error_set(err, LS_ERR_NOMEM, "layers: out of memory for %zu samples", n_samples);
    return NULL;
  }
  y->net = *net, y->cap = cap;
  double *p = y->buf;
  for (int l = 1; l <= net->n_layers; l++) {
    size_t s = cap * (size_t)net->width[l];
    y->a[l] = p, p += s;
    y->z[l] = p, p += s;
    y->dz[l] = p, p += s;
    if (net->glu[l]) y->u[l] = p, p += s, y->du[l] = p, p += s;
  }
  return y;
}

void ls_layers_free(ls_layers *y) {
  if (!y) return;
  ls_blk_free(&y->blk);
  free(y->buf);
  free(y);
}

ls_status ls_layers_fits(const ls_net *net, size_t n, const ls_layers *y, ls_error *err) {
  if (!y) return ls_error_set(err, LS_ERR_INPUT, "layers: no workspace");
  if (n > y->cap)
    return ls_error_set(err, LS_ERR_INPUT, "layers: %zu samples exceed the workspace's %zu", n,
                        y->cap);
  int same = net->n_layers == y->net.n_layers;
  for (int l = 0; same && l <= net->n_layers; l++)
    same = net->width[l] == y->net.width[l] && net->glu[l] == y->net.glu[l] &&
           (l == 0 || net->bias[l] == y->net.bias[l]);
  if (!same) {
    char a[128], b[128];
    ls_net_describe(net, a, sizeof a), ls_net_describe(&y->net, b, sizeof b);
    return ls_error_set(err, LS_ERR_INPUT, "layers: network %s does not fit the workspace (%s)", a,
                        b);
  }
  return LS_OK;
}

/* Layer l over a block of nb samples held unit-major (row i: unit i, nb values):
 * z_i = b_i, then z_i += W_l[i][j] a_j for j in order, then a_i = act(z_i), act'(z_i).
 * One multiply-add per step, vectorised over the samples: in the x86-64-v3/v4 kernels
 * every sample's sum is a chain of fused multiply-adds (the closed-form Gauss-Newton
 * matrix of src/optim/shallow.c was computed on these values before it moved here). */
LS_HOT static void block_layer(const ls_net *net, const double *theta, int l, ls_blk *b,
                               size_t nb) {
  int wi = net->width[l - 1], wo = net->width[l];
  const double *W = theta + ls_net_w_offset(net, l);
  const double *bias = net->bias[l] ? theta + ls_net_b_offset(net, l) : NULL;
  for (int i = 0; i < wo; i++) {
    double *zi = b->z[l] + (size_t)i * nb, bi = bias ? bias[i] : 0;
    for (size_t k = 0; k < nb; k++) zi[k] = bi;
    for (int j = 0; j < wi; j++) {
      double wij = W[(size_t)i * wi + j];
      const double *aj = b->a[l - 1] + (size_t)j * nb;
      for (size_t k = 0; k < nb; k++) zi[k] += wij * aj[k];
    }
    ls_act_apply(&net->act[l], nb, zi, b->a[l] + (size_t)i * nb, b->d1[l] + (size_t)i * nb, NULL);
  }
}

/* Block [k0, k0 + nb): inputs transposed in, the layers, their values transposed out. */
static void blocked_pass(const ls_net *net, const double *theta, const double *x, ls_layers *y,
                         size_t k0, size_t nb) {
  ls_blk *b = &y->blk;
  int din = net->width[0];
  for (int j = 0; j < din; j++)
    for (size_t k = 0; k < nb; k++) b->a[0][(size_t)j * nb + k] = x[(k0 + k) * din + j];
  for (int l = 1; l <= net->n_layers; l++) {
    block_layer(net, theta, l, b, nb);
    size_t w = (size_t)net->width[l];
    for (size_t i = 0; i < w; i++)
      for (size_t k = 0; k < nb; k++) {
        size_t r = (k0 + k) * w + i, c = i * nb + k;
        y->z[l][r] = b->z[l][c], y->a[l][r] = b->a[l][c], y->dz[l][r] = b->d1[l][c];
      }
  }
}

static double dot(int n, const double *a, const double *b) {
  double s = 0;
  for (int j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

/* Sample k of a network with GLU units, in the order of glu.c's forward pass. */
static void glu_sample(const ls_net *net, const double *theta, ls_layers *y, size_t k) {
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1], wo = net->width[l], g0 = wo - net->glu[l];
    const double *a = y->a[l - 1] + k * (size_t)wi;
    size_t r = k * (size_t)wo;
    for (int i = 0; i < wo; i++) {
      const double *w = theta + ls_net_w_offset(net, l) + (size_t)i * wi;
      double z = dot(wi, w, a) + (net->bias[l] ? theta[ls_net_b_offset(net, l) + i] : 0), d[4];
      ls_act_eval(&net->act[l], z, d);
      double u = 0;
      if (i >= g0) {
        const double *v = theta + ls_net_v_offset(net, l) + (size_t)(i - g0) * wi;
        u = dot(wi, v, a) + (net->bias[l] ? theta[ls_net_c_offset(net, l) + i - g0] : 0);
      }
      y->z[l][r + i] = z;
      y->a[l][r + i] = i >= g0 ? d[0] + u * d[1] : d[0];
      y->dz[l][r + i] = i >= g0 ? d[1] + u * d[2] : d[1];
      if (y->u[l]) y->u[l][r + i] = u, y->du[l][r + i] = i >= g0 ? d[1] : 0;
    }
  }
}

ls_status ls_layers_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                            ls_layers *y, ls_error *err) {
  if (ls_net_n_glu2(net))
    return ls_error_set(err, LS_ERR_INPUT, "per-layer values (Jacobian, Levenberg-Marquardt): "
                        "second-order GLU units are not supported (use Newton)");
  ls_status st = ls_layers_fits(net, n, y, err);
  if (st) return st;
  y->n = n;
  y->a[0] = (double *)x; /* read only */
  if (ls_net_n_glu(net)) {
    for (size_t k = 0; k < n; k++) glu_sample(net, theta, y, k);
    return LS_OK;
  }
  for (size_t k0 = 0; k0 < n; k0 += LS_GRAD_BLOCK)
    blocked_pass(net, theta, x, y, k0, n - k0 < LS_GRAD_BLOCK ? n - k0 : LS_GRAD_BLOCK);
  return LS_OK;
}

size_t ls_layers_count(const ls_layers *y) { return y ? y->n : 0; }

const double *ls_layers_a(const ls_layers *y, int l) {
  return y && l >= 0 && l <= y->net.n_layers ? y->a[l] : NULL;
}

const double *ls_layers_z(const ls_layers *y, int l) {
  return y && l >= 1 && l <= y->net.n_layers ? y->z[l] : NULL;
}

const double *ls_layers_u(const ls_layers *y, int l) {
  return y && l >= 1 && l <= y->net.n_layers ? y->u[l] : NULL;
}
