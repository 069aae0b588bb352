/* Loss, exact gradient, Hessian-vector product and Hessian of networks with gated linear
 * units (GLU): the plain per-sample path that ls_loss, ls_loss_grad, ls_hessian and ls_hvp
 * take when a hidden layer holds GLU units (networks without them keep the blocked and
 * fused kernels of engine.c / fused.c / hessian.c, unchanged).
 *
 * A GLU unit of layer l computes  h = f(z) + u f'(z),  z = w.a + b,  u = v.a + c
 * (a = a_{l-1}; Martinelli et al. 2025, arXiv 2506.14951, the limit of a pair of units
 * along a channel to infinity; see src/sym/channel.c for the derivation). With
 * s1 = dh/dz = f'(z) + u f''(z) and dh/du = f'(z), backpropagation of e = dloss/dh gives
 *   dz = e s1,  du = e f',  grad w += dz a, grad b += dz, grad v += du a, grad c += du,
 *   e_{l-1} += w dz + v du.
 * Ordinary units are the case u = 0, v absent: dz = e f'.
 *
 * Hessian-vector product (Pearlmutter's R-operator, as in hessian.c): for a direction V
 * (entries Vw, Vb, Vv, Vc at the parameters' positions)
 *   R z = w.Ra + Vw.a + Vb,   R u = v.Ra + Vv.a + Vc,   R h = s1 Rz + f' Ru,
 *   R s1 = f'' Rz + f'' Ru + u f''' Rz,
 *   R dz = Re s1 + e R s1,    R du = Re f' + e f'' Rz,
 *   R grad w += R dz a + dz Ra,  R grad v += R du a + du Ra  (biases: R dz, R du),
 *   R e_{l-1} += w R dz + Vw dz + v R du + Vv du.
 * At the output (identity or any activation f_L, then the loss): e_L = dloss/da_L (sample
 * weight included), R e_L = (d^2 loss / da_L^2) R a_L: MSE 2 w_k R a_L; NLL
 * w_k sum(y) (p * R a - p (p . R a)) with p = softmax(a_L).
 * Second-order units (net.h glu2): h = f(z) + u f'(z) + 1/2 q f''(z), q = x~^T M x~ with
 * x~ = (a, 1 if bias) and M symmetric (the limit of a channel of three or more units,
 * src/sym/channel.c). Then s1 = f' + u f'' + 1/2 q f3, dh/dq = f''/2, and with
 * dq/dM_ij = x~_i x~_j (twice off the diagonal: M is stored as its upper triangle),
 * dq/da = 2 (M x~) (the input part):
 *   dq_ = e f''/2,  grad M_ij += dq_ dq/dM_ij,  e_{l-1} += 2 dq_ (M x~),
 *   R q = 2 x~^T M R x~ + x~^T VM x~,   R h += f''/2 R q,
 *   R s1 += f3/2 R q + q/2 f4 R z,  R dq_ = (R e f'' + e f3 R z) / 2,
 *   R grad M_ij += R dq_ dq/dM_ij + dq_ (R x~_i x~_j + x~_i R x~_j) (twice off the diagonal),
 *   R e_{l-1} += 2 R dq_ (M x~) + 2 dq_ (VM x~ + M R x~).
 * The dense Hessian is the P products with the unit vectors (one primal pass per sample,
 * then the R pass along each e_j), symmetrised by averaging H and H^T (exact up to
 * rounding; the two triangles agree to rounding).
 * One thread, a fixed order over samples: results are reproducible bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glu.h"
#include "landsym/engine.h"

/* Per-sample state of every layer: width[l] values each (u, du only for GLU units: the
 * arrays are full width, unused entries 0). */
typedef struct {
  double *a[LS_MAX_LAYERS + 1], *z[LS_MAX_LAYERS + 1], *u[LS_MAX_LAYERS + 1];
  double *f1[LS_MAX_LAYERS + 1], *f2[LS_MAX_LAYERS + 1], *f3[LS_MAX_LAYERS + 1];
  double *f4[LS_MAX_LAYERS + 1], *q[LS_MAX_LAYERS + 1], *rq[LS_MAX_LAYERS + 1]; /* glu2 */
  double *e[LS_MAX_LAYERS + 1];                          /* dloss/da */
  double *ra[LS_MAX_LAYERS + 1], *rz[LS_MAX_LAYERS + 1], *ru[LS_MAX_LAYERS + 1];
  double *re[LS_MAX_LAYERS + 1];                         /* R dloss/da */
  double *buf;
} glu_state;

static int state_alloc(glu_state *s, const ls_net *net) {
  size_t tot = 0;
  for (int l = 0; l <= net->n_layers; l++) tot += 14 * (size_t)net->width[l];
  s->buf = calloc(tot ? tot : 1, sizeof(double));
  if (!s->buf) return -1;
  double *p = s->buf;
  for (int l = 0; l <= net->n_layers; l++) {
    size_t w = (size_t)net->width[l];
    double **arr[] = {&s->a[l], &s->z[l], &s->u[l], &s->f1[l], &s->f2[l], &s->f3[l],
                      &s->e[l], &s->ra[l], &s->rz[l], &s->ru[l], &s->re[l], &s->f4[l],
                      &s->q[l], &s->rq[l]};
    for (int k = 0; k < 14; k++) *arr[k] = p, p += w;
  }
  return 0;
}

/* Parameter offsets of every layer, computed once per pass. */
typedef struct {
  size_t w[LS_MAX_LAYERS + 2], b[LS_MAX_LAYERS + 2], v[LS_MAX_LAYERS + 2], c[LS_MAX_LAYERS + 2];
  size_t m[LS_MAX_LAYERS + 2];
} offsets;

static void offsets_init(const ls_net *net, offsets *o) {
  for (int l = 1; l <= net->n_layers; l++) {
    o->w[l] = ls_net_w_offset(net, l), o->b[l] = ls_net_b_offset(net, l);
    o->v[l] = ls_net_v_offset(net, l), o->c[l] = ls_net_c_offset(net, l);
    o->m[l] = ls_net_m_offset(net, l);
  }
}

/* Parameters of unit i of layer l: w (row), b (or NULL), v and c (GLU units, else NULL),
 * inside th (theta, a direction or the gradient). */
typedef struct {
  double *w, *b, *v, *c, *m; /* m: upper triangle of M (second-order units), else NULL */
} unit_par;

static inline unit_par unit_at(const ls_net *net, const offsets *o, const double *th, int l, int i) {
  int wi = net->width[l - 1], g = i - (net->width[l] - net->glu[l]);
  double *t = (double *)th; /* the caller decides whether it writes */
  unit_par p;
  p.w = t + o->w[l] + (size_t)i * wi;
  p.b = net->bias[l] ? t + o->b[l] + i : NULL;
  p.v = g >= 0 ? t + o->v[l] + (size_t)g * wi : NULL;
  p.c = g >= 0 && net->bias[l] ? t + o->c[l] + g : NULL;
  int g2 = g - (net->glu[l] - net->glu2[l]);
  p.m = g2 >= 0 ? t + o->m[l] + (size_t)g2 * ls_net_m_len(net, l) : NULL;
  return p;
}

static inline double dot(int n, const double *a, const double *b) {
  double s = 0;
  for (int j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

/* x~ = (a, 1 if bias): its entry k of n~ = wi + bias */
static inline double xt(const double *a, int wi, int k) { return k < wi ? a[k] : 1; }

/* q = x~^T M x~ (M: upper triangle, row by row), and with y != NULL also
 * y[j] += alpha * 2 (M x~)_j for the input entries j < wi. */
static double quad(int wi, int bias, const double *m, const double *a, double *y, double alpha) {
  int n = wi + bias;
  double q = 0;
  for (int i = 0, k = 0; i < n; i++)
    for (int j = i; j < n; j++, k++) {
      double xi = xt(a, wi, i), xj = xt(a, wi, j);
      q += (i == j ? 1 : 2) * m[k] * xi * xj;
      if (!y) continue;
      if (i < wi) y[i] += alpha * 2 * m[k] * xj;
      if (j < wi && i != j) y[j] += alpha * 2 * m[k] * xi;
    }
  return q;
}

/* x~^T M r~ with r~ = (r, 0): the bilinear form of M between the input and a tangent */
static double bilin(int wi, int bias, const double *m, const double *a, const double *r) {
  int n = wi + bias;
  double s = 0;
  for (int i = 0, k = 0; i < n; i++)
    for (int j = i; j < n; j++, k++) {
      double ri = i < wi ? r[i] : 0, rj = j < wi ? r[j] : 0;
      s += m[k] * (i == j ? xt(a, wi, i) * ri : xt(a, wi, i) * rj + ri * xt(a, wi, j));
    }
  return s;
}

/* y[p] += alpha 2 (M r~)_p for the input entries p < wi, r~ = (r, 0) */
static void mvr(int wi, int bias, const double *m, const double *r, double *y, double alpha) {
  int n = wi + bias;
  for (int i = 0, k = 0; i < n; i++)
    for (int j = i; j < n; j++, k++) {
      if (i < wi && j < wi) y[i] += alpha * 2 * m[k] * r[j];
      if (i != j && j < wi && i < wi) y[j] += alpha * 2 * m[k] * r[i];
    }
}

/* g[k] += alpha dq/dM_k (x~_i x~_j, twice off the diagonal) + beta d(dq/dM_k)/da . r */
static void quad_grad(int wi, int bias, const double *a, const double *r, double alpha, double beta,
                      double *g) {
  int n = wi + bias;
  for (int i = 0, k = 0; i < n; i++)
    for (int j = i; j < n; j++, k++) {
      double f = i == j ? 1 : 2, xi = xt(a, wi, i), xj = xt(a, wi, j);
      g[k] += alpha * f * xi * xj;
      if (r) g[k] += beta * f * ((i < wi ? r[i] : 0) * xj + xi * (j < wi ? r[j] : 0));
    }
}

/* Forward pass of one sample: the primal values (primal) and/or the R pass along V (V != NULL;
 * it reads the primal values, so a primal pass of the same sample comes first or along). */
static void forward(const ls_net *net, const offsets *of, const double *th, const double *V,
                    const double *x, glu_state *s, int primal) {
  if (primal) memcpy(s->a[0], x, (size_t)net->width[0] * sizeof(double));
  if (V) memset(s->ra[0], 0, (size_t)net->width[0] * sizeof(double));
  for (int l = 1; l <= net->n_layers; l++) {
    int wi = net->width[l - 1];
    const double *a = s->a[l - 1], *ra = s->ra[l - 1];
    for (int i = 0; i < net->width[l]; i++) {
      unit_par p = unit_at(net, of, th, l, i);
      if (primal) {
        double z = dot(wi, p.w, a) + (p.b ? *p.b : 0), d[4];
        ls_act_eval(&net->act[l], z, d);
        double u = p.v ? dot(wi, p.v, a) + (p.c ? *p.c : 0) : 0;
        double q = p.m ? quad(wi, net->bias[l], p.m, a, NULL, 0) : 0;
        s->z[l][i] = z, s->u[l][i] = u, s->q[l][i] = q;
        s->f1[l][i] = d[1], s->f2[l][i] = d[2], s->f3[l][i] = d[3];
        s->f4[l][i] = p.m ? ls_act_d4(&net->act[l], z) : 0;
        s->a[l][i] = p.v ? d[0] + u * d[1] + 0.5 * q * d[2] : d[0];
      }
      if (!V) continue;
      unit_par q = unit_at(net, of, V, l, i);
      double f1 = s->f1[l][i], f2 = s->f2[l][i], u = s->u[l][i];
      double rz = dot(wi, p.w, ra) + dot(wi, q.w, a) + (q.b ? *q.b : 0);
      double ru = p.v ? dot(wi, p.v, ra) + dot(wi, q.v, a) + (q.c ? *q.c : 0) : 0;
      double rq = p.m ? 2 * bilin(wi, net->bias[l], p.m, a, ra) + quad(wi, net->bias[l], q.m, a, NULL, 0) : 0;
      double s1 = p.v ? f1 + u * f2 + 0.5 * s->q[l][i] * s->f3[l][i] : f1;
      s->rz[l][i] = rz, s->ru[l][i] = ru, s->rq[l][i] = rq;
      s->ra[l][i] = p.v ? s1 * rz + f1 * ru + 0.5 * f2 * rq : f1 * rz;
    }
  }
}

/* Output layer: (primal) loss of the sample (weight wk) returned and e_L; (tangent) R e_L. */
static double output(const ls_net *net, const double *y, double wk, glu_state *s, int primal,
                     int tangent) {
  int L = net->n_layers, m = net->width[L];
  const double *f = s->a[L];
  double loss = 0;
  if (net->loss == LS_LOSS_MSE) {
    for (int o = 0; o < m; o++) {
      double r = f[o] - y[o];
      if (primal) loss += wk * r * r, s->e[L][o] = 2 * wk * r;
      if (tangent) s->re[L][o] = 2 * wk * s->ra[L][o];
    }
    return loss;
  }
  double mx = f[0], se = 0, sy = 0, pr = 0;
  for (int o = 1; o < m; o++) mx = fmax(mx, f[o]);
  for (int o = 0; o < m; o++) se += exp(f[o] - mx), sy += y[o];
  double lse = mx + log(se);
  for (int o = 0; o < m; o++) {
    double po = exp(f[o] - lse);
    if (primal) loss += wk * y[o] * (lse - f[o]), s->e[L][o] = wk * (po * sy - y[o]);
    if (tangent) pr += po * s->ra[L][o];
  }
  if (tangent)
    for (int o = 0; o < m; o++) {
      double po = exp(f[o] - lse);
      s->re[L][o] = wk * sy * po * (s->ra[L][o] - pr);
    }
  return loss;
}

/* Backward pass of one sample. V == NULL: backpropagation of e (every layer's e is kept in
 * s) and, when g != NULL, the gradient added to g. V != NULL: the R pass, reading the primal
 * e of a preceding V == NULL pass; the sample's term of H V is added to g. */
static void backward(const ls_net *net, const offsets *of, const double *th, const double *V,
                     glu_state *s, double *g) {
  for (int l = net->n_layers; l >= 1; l--) {
    int wi = net->width[l - 1];
    const double *a = s->a[l - 1], *ra = s->ra[l - 1];
    double *ep = s->e[l - 1], *rep = s->re[l - 1];
    memset(V ? rep : ep, 0, (size_t)wi * sizeof(double));
    for (int i = 0; i < net->width[l]; i++) {
      unit_par p = unit_at(net, of, th, l, i);
      double e = s->e[l][i], f1 = s->f1[l][i], f2 = s->f2[l][i], u = s->u[l][i];
      double qv = s->q[l][i], f3p = s->f3[l][i];
      double s1 = p.v ? f1 + u * f2 + 0.5 * qv * f3p : f1;
      double dz = e * s1, du = p.v ? e * f1 : 0, dq = p.m ? 0.5 * e * f2 : 0;
      int bl = net->bias[l];
      if (!V) {
        for (int j = 0; j < wi; j++) ep[j] += p.w[j] * dz + (p.v ? p.v[j] * du : 0);
        if (p.m) quad(wi, bl, p.m, a, ep, dq);
        if (!g) continue;
        unit_par gp = unit_at(net, of, g, l, i);
        for (int j = 0; j < wi; j++) gp.w[j] += dz * a[j];
        if (gp.b) *gp.b += dz;
        if (p.v) {
          for (int j = 0; j < wi; j++) gp.v[j] += du * a[j];
          if (gp.c) *gp.c += du;
        }
        if (p.m) quad_grad(wi, bl, a, NULL, dq, 0, gp.m);
        continue;
      }
      unit_par q = unit_at(net, of, V, l, i), gp = unit_at(net, of, g, l, i);
      double re = s->re[l][i], rz = s->rz[l][i], ru = s->ru[l][i], f3 = s->f3[l][i];
      double rq = s->rq[l][i];
      double rs1 = p.v ? f2 * rz + f2 * ru + u * f3 * rz + 0.5 * f3 * rq + 0.5 * qv * s->f4[l][i] * rz
                       : f2 * rz;
      double rdz = re * s1 + e * rs1, rdu = p.v ? re * f1 + e * f2 * rz : 0;
      double rdq = p.m ? 0.5 * (re * f2 + e * f3 * rz) : 0;
      if (p.m) {
        quad_grad(wi, bl, a, ra, rdq, dq, gp.m);
        quad(wi, bl, p.m, a, rep, rdq);   /* 2 R dq (M x~) */
        quad(wi, bl, q.m, a, rep, dq);    /* 2 dq (VM x~) */
        mvr(wi, bl, p.m, ra, rep, dq);    /* 2 dq (M R x~) */
      }
      for (int j = 0; j < wi; j++) {
        gp.w[j] += rdz * a[j] + dz * ra[j];
        rep[j] += p.w[j] * rdz + q.w[j] * dz;
      }
      if (gp.b) *gp.b += rdz;
      if (p.v) {
        for (int j = 0; j < wi; j++) {
          gp.v[j] += rdu * a[j] + du * ra[j];
          rep[j] += p.v[j] * rdu + q.v[j] * du;
        }
        if (gp.c) *gp.c += rdu;
      }
    }
  }
}

/* Loss and gradient (g, when V == NULL), or H V (g, when V != NULL). */
static ls_status pass(const ls_net *net, const ls_data *d, const double *th, const double *V,
                      double *loss, double *g) {
  if (d->din != net->width[0] || d->dout != net->width[net->n_layers]) return LS_ERR_INPUT;
  glu_state s;
  if (state_alloc(&s, net)) return LS_ERR_NOMEM;
  offsets of;
  offsets_init(net, &of);
  size_t P = ls_net_nparams(net);
  int m = net->width[net->n_layers];
  if (g) memset(g, 0, P * sizeof *g);
  double tot = 0;
  for (size_t k = 0; k < d->n; k++) {
    forward(net, &of, th, V, d->x + k * (size_t)d->din, &s, 1);
    tot += output(net, d->y + k * (size_t)m, ls_data_weight(d, k), &s, 1, V != NULL);
    backward(net, &of, th, NULL, &s, V ? NULL : g);
    if (V) backward(net, &of, th, V, &s, g);
  }
  free(s.buf);
  if (loss) *loss = tot;
  return isfinite(tot) ? LS_OK : LS_ERR_COMPUTE;
}

ls_status ls_glu_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                         double *out) {
  glu_state s;
  if (state_alloc(&s, net)) return LS_ERR_NOMEM;
  offsets of;
  offsets_init(net, &of);
  int din = net->width[0], m = net->width[net->n_layers];
  for (size_t k = 0; k < n; k++) {
    forward(net, &of, theta, NULL, x + k * (size_t)din, &s, 1);
    memcpy(out + k * (size_t)m, s.a[net->n_layers], (size_t)m * sizeof(double));
  }
  free(s.buf);
  return LS_OK;
}

ls_status ls_glu_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                           double *loss, double *grad) {
  return pass(net, d, theta, NULL, loss, grad);
}

ls_status ls_glu_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                     double *Hv) {
  return pass(net, d, theta, v, NULL, Hv);
}

/* Dense Hessian: per sample one primal pass, then the R pass along every unit vector e_j,
 * whose sample terms add up in column j (C, column-major); then H = (C + C^T) / 2. */
ls_status ls_glu_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H) {
  if (d->din != net->width[0] || d->dout != net->width[net->n_layers]) return LS_ERR_INPUT;
  size_t P = ls_net_nparams(net);
  int m = net->width[net->n_layers];
  glu_state s;
  double *e = calloc(P, sizeof *e), *C = calloc(P * P, sizeof *C);
  ls_status st = (!e || !C || state_alloc(&s, net)) ? LS_ERR_NOMEM : LS_OK;
  if (st) {
    free(e), free(C);
    return st;
  }
  offsets of;
  offsets_init(net, &of);
  for (size_t k = 0; k < d->n; k++) {
    forward(net, &of, theta, NULL, d->x + k * (size_t)d->din, &s, 1);
    output(net, d->y + k * (size_t)m, ls_data_weight(d, k), &s, 1, 0);
    backward(net, &of, theta, NULL, &s, NULL);
    for (size_t j = 0; j < P; j++) {
      e[j] = 1;
      forward(net, &of, theta, e, NULL, &s, 0);
      output(net, d->y + k * (size_t)m, ls_data_weight(d, k), &s, 0, 1);
      backward(net, &of, theta, e, &s, C + j * P);
      e[j] = 0;
    }
  }
  for (size_t i = 0; i < P; i++)
    for (size_t j = i; j < P; j++) {
      double v = 0.5 * (C[j * P + i] + C[i * P + j]);
      H[i * P + j] = H[j * P + i] = v;
      if (!isfinite(v)) st = LS_ERR_COMPUTE;
    }
  free(s.buf), free(e), free(C);
  return st;
}
