/* The split test: Y and U of Theorem 3 (thesis section 6.2.6, extended to deeper layers
 * as in section 6.3.1), the lifted network, the change of coordinates that makes the
 * lifted Hessian block-diagonal, and the predicted inertia (Corollaries 3.1, 3.2). */
#include <lapacke.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/split.h"

ls_status ls_split_dims(const ls_net *net, int layer, int neuron, int *nin, int *nout,
                        ls_error *err) {
  if (ls_net_require_plain(net, "split_dims", err)) return LS_ERR_INPUT;
  int L = net->n_layers;
  if (L < 2)
    return ls_error_set(err, LS_ERR_INPUT, "the network has no hidden layer to split (%d layer)", L);
  if (layer < 1 || layer > L - 1)
    return ls_error_set(err, LS_ERR_INPUT, "layer %d out of range: hidden layers are 1..%d", layer,
                        L - 1);
  if (neuron < 0 || neuron >= net->width[layer])
    return ls_error_set(err, LS_ERR_INPUT, "neuron %d out of range: layer %d has neurons 0..%d",
                        neuron, layer, net->width[layer] - 1);
  if (nin) *nin = net->width[layer - 1] + (net->bias[layer] ? 1 : 0);
  if (nout) *nout = net->width[layer + 1];
  return LS_OK;
}

/* Per-sample dloss/df (weight not applied); same convention as the engine. */
static void sample_dloss(ls_loss_kind kind, int m, const double *f, const double *y, double *g) {
  if (kind == LS_LOSS_MSE) {
    for (int o = 0; o < m; o++) g[o] = 2 * (f[o] - y[o]);
    return;
  }
  double mx = f[0], sy = 0, se = 0;
  for (int o = 1; o < m; o++)
    if (f[o] > mx) mx = f[o];
  for (int o = 0; o < m; o++) se += exp(f[o] - mx), sy += y[o];
  for (int o = 0; o < m; o++) g[o] = exp(f[o] - mx) / se * sy - y[o];
}

/* Sample k's terms of Y and U (Theorem 3), from the engine's forward pass in lay:
 * delta_L = w_k dloss/df * act_L'(z_L), back to delta_{layer+1};
 * Y += sigma''(z) (a . delta) hin hin^T,  U += sigma'(z) hin delta^T  (hin = (h_{layer-1}, 1)).
 * dl: scratch of width[l] values per layer, hin: nin values. */
static void split_sample(const ls_net *net, const ls_data *d, const double *theta,
                         const ls_layers *lay, size_t k, int layer, int neuron, int nin, int nout,
                         double *Y, double *U, double **dl, double *hin) {
  int L = net->n_layers, r = net->width[layer], m = net->width[L];
  const double *z[LS_MAX_LAYERS + 1];
  for (int l = 1; l <= L; l++) z[l] = ls_layers_z(lay, l) + k * (size_t)net->width[l];
  const double *f = ls_layers_a(lay, L) + k * (size_t)m;
  const double *hp = ls_layers_a(lay, layer - 1) + k * (size_t)net->width[layer - 1];
  const double *Wn = theta + ls_net_w_offset(net, layer + 1); /* a = column `neuron` */
  sample_dloss(net->loss, m, f, d->y + k * (size_t)m, dl[L]);
  double wk = ls_data_weight(d, k);
  for (int o = 0; o < m; o++) {
    double a4[4];
    ls_act_eval(&net->act[L], z[L][o], a4);
    dl[L][o] *= wk * a4[1];
  }
  for (int l = L; l > layer + 1; l--) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    for (int j = 0; j < wi; j++) {
      double t = 0, a4[4];
      for (int i = 0; i < wo; i++) t += dl[l][i] * W[(size_t)i * wi + j];
      ls_act_eval(&net->act[l - 1], z[l - 1][j], a4);
      dl[l - 1][j] = t * a4[1];
    }
  }
  const double *delta = dl[layer + 1];
  double s4[4], ad = 0;
  ls_act_eval(&net->act[layer], z[layer][neuron], s4);
  for (int o = 0; o < nout; o++) ad += Wn[(size_t)o * r + neuron] * delta[o];
  memcpy(hin, hp, (size_t)net->width[layer - 1] * sizeof(double));
  if (net->bias[layer]) hin[nin - 1] = 1.0;
  double cy = s4[2] * ad;
  for (int i = 0; i < nin; i++) {
    for (int j = 0; j < nin; j++) Y[(size_t)i * nin + j] += cy * hin[i] * hin[j];
    for (int o = 0; o < nout; o++) U[(size_t)i * nout + o] += s4[1] * hin[i] * delta[o];
  }
}

ls_status ls_split_matrices(const ls_net *net, const ls_data *d, const double *theta,
                            int layer, int neuron, double *Y, double *U, ls_error *err) {
  int nin, nout;
  ls_status st = ls_split_dims(net, layer, neuron, &nin, &nout, err);
  if (st) return st;
  int L = net->n_layers;
  if (d->din != net->width[0] || d->dout != net->width[L])
    return ls_error_set(err, LS_ERR_INPUT, "data (%d -> %d) does not fit the network (%d -> %d)",
                        d->din, d->dout, net->width[0], net->width[L]);
  size_t tot = 0;
  for (int l = 0; l <= L; l++) tot += (size_t)net->width[l];
  double *buf = malloc((tot + (size_t)nin) * sizeof(double));
  ls_layers *lay = buf ? ls_layers_alloc(net, d->n, err) : NULL;
  if (!buf || !lay) {
    free(buf);
    return buf ? LS_ERR_NOMEM : ls_error_set(err, LS_ERR_NOMEM, "out of memory in the split matrices");
  }
  double *dl[LS_MAX_LAYERS + 1], *p = buf;
  for (int l = 0; l <= L; l++) dl[l] = p, p += net->width[l];
  memset(Y, 0, (size_t)nin * nin * sizeof(double));
  memset(U, 0, (size_t)nin * nout * sizeof(double));
  /* the engine's forward pass over all samples, then the samples' terms in order */
  st = ls_layers_forward(net, theta, d->n, d->x, lay, err);
  for (size_t k = 0; !st && k < d->n; k++)
    split_sample(net, d, theta, lay, k, layer, neuron, nin, nout, Y, U, dl, p);
  free(buf);
  ls_layers_free(lay);
  if (st) return st;
  for (size_t i = 0; i < (size_t)nin * nin; i++)
    if (!isfinite(Y[i])) return ls_error_set(err, LS_ERR_COMPUTE, "split matrix Y is not finite");
  return LS_OK;
}

/* Copy theta of net into the lifted layout, duplicating row `neuron` of W_layer (and its
 * bias) as the last neuron, and splitting column `neuron` of W_{layer+1} into
 * (mu a, (1-mu) a). Linear in theta. */
static void lift_params(const ls_net *net, const ls_net *out, const double *theta, int layer,
                        int neuron, double mu, double *th) {
  int L = net->n_layers, r = net->width[layer];
  for (int l = 1; l <= L; l++) {
    int wi = net->width[l - 1], wo = net->width[l];
    const double *W = theta + ls_net_w_offset(net, l);
    double *V = th + ls_net_w_offset(out, l);
    if (l == layer) {
      memcpy(V, W, (size_t)wo * wi * sizeof(double));
      memcpy(V + (size_t)wo * wi, W + (size_t)neuron * wi, (size_t)wi * sizeof(double));
    } else if (l == layer + 1) {
      for (int o = 0; o < wo; o++) {
        memcpy(V + (size_t)o * (r + 1), W + (size_t)o * r, (size_t)r * sizeof(double));
        double a = W[(size_t)o * r + neuron];
        V[(size_t)o * (r + 1) + neuron] = mu * a;
        V[(size_t)o * (r + 1) + r] = (1 - mu) * a;
      }
    } else {
      memcpy(V, W, (size_t)wo * wi * sizeof(double));
    }
    if (net->bias[l]) {
      const double *b = theta + ls_net_b_offset(net, l);
      double *c = th + ls_net_b_offset(out, l);
      memcpy(c, b, (size_t)wo * sizeof(double));
      if (l == layer) c[r] = b[neuron];
    }
  }
}

ls_status ls_split_duplicate(const ls_net *net, const double *theta, int layer, int neuron,
                             double mu, ls_net *out, double *theta_out, ls_error *err) {
  ls_status st = ls_split_dims(net, layer, neuron, NULL, NULL, err);
  if (st) return st;
  if (!isfinite(mu)) return ls_error_set(err, LS_ERR_INPUT, "split mu must be finite");
  *out = *net;
  out->width[layer]++;
  if (theta_out) lift_params(net, out, theta, layer, neuron, mu, theta_out);
  return LS_OK;
}

ls_status ls_split_transform(const ls_net *net, int layer, int neuron, double mu, double *T,
                             ls_error *err) {
  int nin, nout;
  ls_status st = ls_split_dims(net, layer, neuron, &nin, &nout, err);
  if (st) return st;
  ls_net out;
  ls_split_duplicate(net, NULL, layer, neuron, mu, &out, NULL, NULL);
  size_t Pr = ls_net_nparams(net), P = ls_net_nparams(&out);
  double *e = calloc(Pr, sizeof *e), *col = malloc(P * sizeof *col);
  if (!e || !col) {
    free(e), free(col);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory in the split transform");
  }
  memset(T, 0, P * P * sizeof(double));
  /* narrow coordinates: the lift is linear, so column c is the lift of e_c */
  for (size_t c = 0; c < Pr; c++) {
    e[c] = 1;
    lift_params(net, &out, e, layer, neuron, mu, col);
    e[c] = 0;
    for (size_t i = 0; i < P; i++) T[i * P + c] = col[i];
  }
  int r = net->width[layer], wi = net->width[layer - 1];
  size_t wo_off = ls_net_w_offset(&out, layer), b_off = out.bias[layer] ? ls_net_b_offset(&out, layer) : 0;
  for (int i = 0; i < nin; i++) { /* xi: w_j += (1-mu) xi, w_new -= mu xi */
    size_t c = Pr + (size_t)i, pj, pn;
    if (i < wi)
      pj = wo_off + (size_t)neuron * wi + i, pn = wo_off + (size_t)r * wi + i;
    else
      pj = b_off + (size_t)neuron, pn = b_off + (size_t)r;
    T[pj * P + c] = 1 - mu;
    T[pn * P + c] = -mu;
  }
  size_t a_off = ls_net_w_offset(&out, layer + 1);
  for (int o = 0; o < nout; o++) { /* beta: a_j += beta, a_new -= beta */
    size_t c = Pr + (size_t)nin + o;
    T[(a_off + (size_t)o * (r + 1) + neuron) * P + c] = 1;
    T[(a_off + (size_t)o * (r + 1) + r) * P + c] = -1;
  }
  free(e), free(col);
  return LS_OK;
}

void ls_split_block(const double *Y, const double *U, int nin, int nout, double mu, double *M) {
  int n = nin + nout;
  double s = mu * (1 - mu);
  memset(M, 0, (size_t)n * n * sizeof(double));
  for (int i = 0; i < nin; i++) {
    for (int j = 0; j < nin; j++) M[(size_t)i * n + j] = s * Y[(size_t)i * nin + j];
    for (int o = 0; o < nout; o++) {
      M[(size_t)i * n + nin + o] = U[(size_t)i * nout + o];
      M[(size_t)(nin + o) * n + i] = U[(size_t)i * nout + o];
    }
  }
}

ls_inertia ls_inertia_count(const double *eig, int n, double tol) {
  ls_inertia in = {0, 0, 0};
  for (int i = 0; i < n; i++) {
    if (eig[i] < -tol)
      in.neg++;
    else if (eig[i] > tol)
      in.pos++;
    else
      in.zero++;
  }
  return in;
}

ls_status ls_split_eigvals(const double *A, int n, double *eig, ls_error *err) {
  if (n <= 0) return LS_OK;
  return ls_eig_sym((size_t)n, A, eig, NULL, err);
}

ls_status ls_split_predict(const double *Y, const double *U, int nin, int nout, double mu,
                           double tol, ls_inertia *in, int *rank_u, ls_error *err) {
  double *A = malloc((size_t)nin * nout * sizeof *A), *S = malloc((size_t)(nin + nout) * sizeof *S);
  double *Q = malloc((size_t)nin * nin * sizeof *Q), *Vt = malloc((size_t)nout * nout * sizeof *Vt);
  double *sup = malloc((size_t)(nin + nout) * sizeof *sup);
  double *ZY = malloc((size_t)nin * nin * sizeof *ZY), *ZYZ = malloc((size_t)nin * nin * sizeof *ZYZ);
  ls_status st = LS_OK;
  if (!A || !S || !Q || !Vt || !sup || !ZY || !ZYZ) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory in the split prediction");
    goto done;
  }
  /* rho = rank U and Z = left singular vectors beyond rho (a basis of ker U^T) */
  memcpy(A, U, (size_t)nin * nout * sizeof *A);
  int k = nin < nout ? nin : nout, rho = 0;
  if (k > 0) {
    lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'A', 'N', nin, nout, A, nout, S, Q, nin,
                                     Vt, nout, sup);
    if (info) {
      st = ls_error_set(err, LS_ERR_COMPUTE, "SVD of U failed (info %d)", (int)info);
      goto done;
    }
    for (int i = 0; i < k; i++)
      if (S[i] > tol) rho++;
  } else {
    for (int i = 0; i < nin; i++)
      for (int j = 0; j < nin; j++) Q[(size_t)i * nin + j] = i == j;
  }
  int nz = nin - rho;
  /* ZYZ = Z^T Y Z, Z = columns rho..nin-1 of Q */
  for (int i = 0; i < nin; i++)
    for (int b = 0; b < nz; b++) {
      double s = 0;
      for (int j = 0; j < nin; j++) s += Y[(size_t)i * nin + j] * Q[(size_t)j * nin + rho + b];
      ZY[(size_t)i * nz + b] = s;
    }
  for (int a = 0; a < nz; a++)
    for (int b = 0; b < nz; b++) {
      double s = 0;
      for (int i = 0; i < nin; i++) s += Q[(size_t)i * nin + rho + a] * ZY[(size_t)i * nz + b];
      ZYZ[(size_t)a * nz + b] = s;
    }
  st = ls_split_eigvals(ZYZ, nz, S, err);
  if (st) goto done;
  ls_inertia y = ls_inertia_count(S, nz, tol);
  ls_inertia base = {rho, nout - rho, rho};
  double s = mu * (1 - mu);
  if (s > 0) {
    *in = ls_inertia_add(y, base);
  } else if (s < 0) {
    ls_inertia f = {y.pos, y.zero, y.neg};
    *in = ls_inertia_add(f, base);
  } else {
    ls_inertia z = {rho, nin + nout - 2 * rho, rho};
    *in = z;
  }
  if (rank_u) *rank_u = rho;
done:
  free(A), free(S), free(Q), free(Vt), free(sup), free(ZY), free(ZYZ);
  return st;
}

ls_status ls_split_spectrum(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_split_spectrum_opts *o, double tol, ls_spectrum *sp,
                            ls_inertia *in, int *complete, ls_error *err) {
  size_t dense_max = o->kind == LS_SPLIT_SPECTRUM_DENSE     ? SIZE_MAX
                     : o->kind == LS_SPLIT_SPECTRUM_LANCZOS ? 1
                                                            : o->dense_max;
  if (o->k < 1) return ls_error_set(err, LS_ERR_INPUT, "split spectrum: k = %d must be >= 1", o->k);
  ls_status st = ls_hessian_spectrum(net, d, theta, dense_max, o->k, sp, err);
  if (st) return st;
  size_t n = sp->n;
  double thr = tol * fmax(fabs(sp->evals[0]), fabs(sp->evals[n - 1]));
  int full = 1;
  if (sp->method == LS_SPECTRUM_DENSE) {
    *in = ls_inertia_count(sp->evals, (int)n, thr);
  } else {
    /* the k smallest: negatives and zeros; the rest of the P are positive if the window
     * ends above the threshold */
    int k = (int)(n / 2);
    *in = ls_inertia_count(sp->evals, k, thr);
    full = sp->evals[k - 1] > thr;
    in->pos += (int)ls_net_nparams(net) - k;
  }
  if (complete) *complete = full;
  return LS_OK;
}

/* Column c >= Pr of T (an xi or beta direction) as at most two (index, value) pairs: xi_i
 * moves w_j by (1-mu) and w_new by -mu, beta_o moves a_j by +1 and a_new by -1. */
static void block_column(const ls_net *net, const ls_net *out, int layer, int neuron, double mu, int b,
                         size_t idx[2], double val[2]) {
  int r = net->width[layer], wi = net->width[layer - 1], nin = wi + (net->bias[layer] ? 1 : 0);
  if (b < nin) {
    size_t wo = ls_net_w_offset(out, layer);
    if (b < wi) idx[0] = wo + (size_t)neuron * wi + b, idx[1] = wo + (size_t)r * wi + b;
    else idx[0] = ls_net_b_offset(out, layer) + neuron, idx[1] = ls_net_b_offset(out, layer) + r;
    val[0] = 1 - mu, val[1] = -mu;
  } else {
    size_t ao = ls_net_w_offset(out, layer + 1), o = (size_t)(b - nin);
    idx[0] = ao + o * (r + 1) + neuron, idx[1] = ao + o * (r + 1) + r;
    val[0] = 1, val[1] = -1;
  }
}

/* Largest |T_r^T v| over the narrow columns: the adjoint of the (linear) lift. */
static double lift_adjoint_max(const ls_net *net, const ls_net *out, int layer, int neuron, double mu,
                               const double *v) {
  int L = net->n_layers, r = net->width[layer];
  double m = 0;
  for (int l = 1; l <= L; l++) {
    int wi = net->width[l - 1], wo = net->width[l], wi2 = out->width[l - 1];
    const double *V = v + ls_net_w_offset(out, l);
    for (int o = 0; o < wo; o++)
      for (int i = 0; i < wi; i++) {
        double s = V[(size_t)o * wi2 + i];
        if (l == layer && o == neuron) s += V[(size_t)r * wi2 + i];                  /* copied row */
        if (l == layer + 1 && i == neuron) s = mu * s + (1 - mu) * V[(size_t)o * wi2 + r]; /* split column */
        m = fmax(m, fabs(s));
      }
    if (net->bias[l]) {
      const double *c = v + ls_net_b_offset(out, l);
      for (int o = 0; o < wo; o++) m = fmax(m, fabs(c[o] + (l == layer && o == neuron ? c[r] : 0)));
    }
  }
  return m;
}

ls_status ls_split_block_measured(const ls_net *net, int layer, int neuron, double mu,
                                  const ls_net *lifted, const ls_data *d, const double *theta_lifted,
                                  double *B, double *coupling, ls_error *err) {
  int nin, nout;
  ls_status st = ls_split_dims(net, layer, neuron, &nin, &nout, err);
  if (st) return st;
  size_t Pr = ls_net_nparams(net), P = ls_net_nparams(lifted);
  int nb = nin + nout;
  ls_net expect;
  ls_split_duplicate(net, NULL, layer, neuron, mu, &expect, NULL, NULL);
  if (P != Pr + (size_t)nb || ls_net_nparams(&expect) != P || lifted->width[layer] != expect.width[layer])
    return ls_error_set(err, LS_ERR_INPUT, "split block: the lifted network (%zu parameters) is not layer %d widened by one",
                        P, layer);
  /* O(P nb) memory: the columns of T used here are sparse, T itself is never formed */
  double *v = calloc(P, sizeof *v), *hv = malloc(P * (size_t)nb * sizeof *hv);
  ls_work *w = ls_work_alloc(lifted, d->n);
  if (!v || !hv || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory in the split block");
    goto done;
  }
  size_t idx[64][2];
  double val[64][2];
  if (nb > 64) { /* nin + nout stays small for the networks this test is for */
    st = ls_error_set(err, LS_ERR_INPUT, "split block: nin + nout = %d exceeds 64", nb);
    goto done;
  }
  for (int b = 0; b < nb; b++) block_column(net, lifted, layer, neuron, mu, b, idx[b], val[b]);
  /* hv[:, b] = H' T e_(Pr+b) */
  for (int b = 0; b < nb && !st; b++) {
    v[idx[b][0]] = val[b][0], v[idx[b][1]] = val[b][1];
    st = ls_hvp(lifted, d, theta_lifted, v, hv + (size_t)b * P, w);
    v[idx[b][0]] = 0, v[idx[b][1]] = 0;
    if (st) ls_error_set(err, st, "split block: Hessian-vector product failed at mu = %g", mu);
  }
  if (st) goto done;
  double c = 0;
  for (int b = 0; b < nb; b++) {
    const double *h = hv + (size_t)b * P;
    for (int a = 0; a < nb; a++) B[a * nb + b] = val[a][0] * h[idx[a][0]] + val[a][1] * h[idx[a][1]];
    c = fmax(c, lift_adjoint_max(net, lifted, layer, neuron, mu, h));
  }
  /* symmetrise the rounding */
  for (int a = 0; a < nb; a++)
    for (int b = 0; b < a; b++) B[a * nb + b] = B[b * nb + a] = 0.5 * (B[a * nb + b] + B[b * nb + a]);
  *coupling = c;
done:
  free(v), free(hv);
  ls_work_free(w);
  return st;
}
