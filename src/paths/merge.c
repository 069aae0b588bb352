/* Permutation paths through permutation points: Brea et al. 2019, section 2.1 and
 * Algorithm 1 (constrained distance schedule), appendix C.1 (Lagrangian variant), and the
 * mirrored second half gamma(1/2 + t) = sigma_{l<->m}(gamma(1/2 - t)). */
#include <math.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/optim.h"
#include "landsym/paths.h"
#include "landsym/sym.h"
#include "optim/lm_loop.h"

void ls_path_opts_default(ls_path_opts *o) {
  memset(o, 0, sizeof *o);
  o->layer = 1, o->l = 0, o->m = 1;
  o->steps = 200;
  o->dmin_rel = 1e-4;
  o->method = LS_PATH_CONSTRAINED;
  o->maxeval = 1000;
  o->ftol_rel = 1e-14;
  o->lambda_min = 1e-3, o->lambda_max = 1e8;
  o->out_bound = 0;
  o->apex = 1;
}

void ls_path_free(ls_path *p) {
  if (!p) return;
  free(p->d), free(p->dist), free(p->lambda), free(p->loss), free(p->grad_norm), free(p->params);
  free(p->apex);
  memset(p, 0, sizeof *p);
}

/* Reparametrised objective of Algorithm 1: z equals theta except that the incoming
 * entries of unit l hold the centre c and those of unit m a direction v, with
 *   theta_l = c + d v / (2|v|),  theta_m = c - d v / (2|v|),
 * so ||theta_l - theta_m|| = d exactly. Chain rule:
 *   dL/dc = g_l + g_m,  dL/dv = d / (2|v|) (I - v v^T/|v|^2) (g_l - g_m). */
typedef struct {
  const ls_net *net;
  const ls_data *data;
  ls_work *work;
  size_t P;
  int nin;
  size_t *il, *im;
  double d;   /* absolute: the distance; relative: the ratio r */
  int relative;
  double *theta, *g;
  size_t evals;
  int failed;
  /* outgoing bound: column entries of units l, m in W_{k+1}, B and the penalty weight */
  int nout;
  size_t *ol, *om;
  double B, rho;
} merge_ctx;

/* beta = ||a_l - a_m|| ||c|| at z (c = the incoming centre, held in z at il). */
static double out_beta(const merge_ctx *c, const double *z, double *da, double *cn) {
  double s = 0, t = 0;
  for (int r = 0; r < c->nout; r++) {
    double e = z[c->ol[r]] - z[c->om[r]];
    s += e * e;
  }
  for (int j = 0; j < c->nin; j++) t += z[c->il[j]] * z[c->il[j]];
  *da = sqrt(s), *cn = sqrt(t);
  return *da * *cn;
}

/* Exterior penalty rho (beta - B)_+^2 of the outgoing bound, added to f and gz. */
static double out_penalty(const merge_ctx *c, const double *z, double *gz) {
  if (!(c->B > 0)) return 0;
  double da, cn, beta = out_beta(c, z, &da, &cn);
  if (beta <= c->B) return 0;
  double e = beta - c->B, k = 2 * c->rho * e;
  if (gz) {
    for (int r = 0; r < c->nout; r++) {
      double u = cn * (z[c->ol[r]] - z[c->om[r]]) / da; /* d beta / d a_l */
      gz[c->ol[r]] += k * u, gz[c->om[r]] -= k * u;
    }
    for (int j = 0; j < c->nin; j++) gz[c->il[j]] += k * da * z[c->il[j]] / cn;
  }
  return c->rho * e * e;
}

static void z_to_theta(const merge_ctx *c, const double *z, double *theta) {
  memcpy(theta, z, c->P * sizeof *theta);
  double vn = 0, cn = 0;
  for (int j = 0; j < c->nin; j++) vn += z[c->im[j]] * z[c->im[j]], cn += z[c->il[j]] * z[c->il[j]];
  vn = sqrt(vn), cn = sqrt(cn);
  double dd = c->relative ? c->d * cn : c->d;
  double s = vn > 0 ? 0.5 * dd / vn : 0;
  for (int j = 0; j < c->nin; j++) {
    double cj = z[c->il[j]], vj = z[c->im[j]];
    theta[c->il[j]] = cj + s * vj;
    theta[c->im[j]] = cj - s * vj;
  }
}

static void theta_to_z(const merge_ctx *c, const double *theta, double vlen, double *z) {
  memcpy(z, theta, c->P * sizeof *z);
  double vn = 0;
  for (int j = 0; j < c->nin; j++) {
    double t = theta[c->il[j]] - theta[c->im[j]];
    vn += t * t;
  }
  vn = sqrt(vn);
  for (int j = 0; j < c->nin; j++) {
    double a = theta[c->il[j]], b = theta[c->im[j]];
    z[c->il[j]] = 0.5 * (a + b);
    z[c->im[j]] = vn > 0 ? (a - b) * vlen / vn : 0;
  }
}

static double merge_objective(unsigned n, const double *z, double *gz, void *user) {
  merge_ctx *c = user;
  (void)n;
  z_to_theta(c, z, c->theta);
  double f;
  c->evals++;
  if (ls_loss_grad(c->net, c->data, c->theta, &f, c->g, c->work) || !isfinite(f)) {
    c->failed = 1;
    return HUGE_VAL;
  }
  if (gz) {
    memcpy(gz, c->g, c->P * sizeof *gz);
    double vn = 0, vg = 0, cn = 0;
    for (int j = 0; j < c->nin; j++) vn += z[c->im[j]] * z[c->im[j]], cn += z[c->il[j]] * z[c->il[j]];
    vn = sqrt(vn), cn = sqrt(cn);
    for (int j = 0; j < c->nin; j++) vg += z[c->im[j]] * (c->g[c->il[j]] - c->g[c->im[j]]);
    double dd = c->relative ? c->d * cn : c->d;
    double s = vn > 0 ? 0.5 * dd / vn : 0;
    /* relative: d = r |c| also moves with c: extra (r/2) c/|c| (v/|v| . (g_l - g_m)) */
    double sc = c->relative && cn > 0 && vn > 0 ? 0.5 * c->d * vg / (vn * cn) : 0;
    for (int j = 0; j < c->nin; j++) {
      double gl = c->g[c->il[j]], gm = c->g[c->im[j]];
      gz[c->il[j]] = gl + gm + sc * z[c->il[j]];
      gz[c->im[j]] = s * ((gl - gm) - z[c->im[j]] * vg / (vn * vn));
    }
  }
  return f + out_penalty(c, z, gz);
}

/* merge_objective as the NLopt wrapper's objective (ls_nlopt_minimize). */
static double merge_fn(size_t n, const double *z, double *gz, void *user, int *stop) {
  (void)stop;
  return merge_objective((unsigned)n, z, gz, user);
}

/* Second-order refinement of one constrained step (absolute distance, twice-differentiable
 * activations, small P): Levenberg-Marquardt Newton steps on the reparametrised objective
 * with the exact Hessian in z-coordinates,
 *   H_z = J^T H J + (second-order term of the map on the v-block),
 * where with f(v) = v/|v| and w = (d/2)(g_l - g_m),
 *   sum_k w_k d2 f_k / dv dv = -(w v^T + v w^T + (w.v) I)/|v|^3 + 3 (w.v) v v^T/|v|^5.
 * LBFGS alone converges slowly on these ill-conditioned problems. */
/* The loss depends on v only through v/|v|: |v| is a gauge freedom, along which the
 * z-Hessian is singular and the v-gradient scales as 1/|v|.  Fixing |v| = d keeps the
 * point (theta unchanged) and makes s = 1/2, so grad_z is on the scale of the loss
 * gradient and the stationarity ratio below does not drift with |v|. */
static void gauge_v(const merge_ctx *c, double *z) {
  double vn = 0;
  for (int j = 0; j < c->nin; j++) vn += z[c->im[j]] * z[c->im[j]];
  vn = sqrt(vn);
  if (!(vn > 0) || c->relative) return;
  for (int j = 0; j < c->nin; j++) z[c->im[j]] *= c->d / vn;
}

/* |grad_z f|_inf / |grad_theta L|_inf: gz and c->g taken at the same point. */
static double stat_ratio(const merge_ctx *c, const double *gz) {
  double a = 0, b = 0;
  for (size_t i = 0; i < c->P; i++) a = fmax(a, fabs(gz[i])), b = fmax(b, fabs(c->g[i]));
  return b > 0 ? a / b : (a > 0 ? HUGE_VAL : 0);
}

/* ---- newton_refine: a provider of the shared Levenberg-Marquardt loop (optim/lm_loop.h) */

typedef struct {
  merge_ctx *c;
  double *J, *H, *HJ, *A, *gz, *dz, *zt, *gt, *zbest;
  double rbest, fbest, mu;
} refine_ctx;

static ls_stop_reason refine_start(void *ctx, double *z, double *f) {
  refine_ctx *q = ctx;
  gauge_v(q->c, z);
  *f = merge_objective((unsigned)q->c->P, z, q->gz, q->c);
  return LS_STOP_NONE;
}

static ls_stop_reason refine_eval(void *ctx, const double *z, double f, double *g) {
  (void)ctx, (void)z, (void)f, (void)g;
  return LS_STOP_NONE;
}

/* Keeps the iterate of smallest stationarity ratio; stops at LS_PATH_STAT_TOL, a vanishing
 * gradient or a failed evaluation. */
static ls_stop_reason refine_test(void *ctx, size_t it, const double *z, double f) {
  refine_ctx *q = ctx;
  merge_ctx *c = q->c;
  size_t P = c->P;
  (void)it;
  double gmax = 0, r = stat_ratio(c, q->gz);
  for (size_t i = 0; i < P; i++) gmax = fmax(gmax, fabs(q->gz[i]));
  if (!c->failed && r < q->rbest) q->rbest = r, q->fbest = f, memcpy(q->zbest, z, P * sizeof *z);
  if (gmax < 1e-15 || q->rbest <= LS_PATH_STAT_TOL) return LS_STOP_GRAD;
  return c->failed ? LS_STOP_NAN : LS_STOP_NONE;
}

/* The chain-rule Jacobian J = d theta / d z at z (s = d / (2|v|)). */
static void refine_jacobian(const merge_ctx *c, const double *z, double vn, double *J) {
  size_t P = c->P;
  int n = c->nin;
  double s = 0.5 * c->d / vn;
  memset(J, 0, P * P * sizeof *J);
  for (size_t i = 0; i < P; i++) J[i * P + i] = 1;
  for (int a = 0; a < n; a++) {
    size_t la = c->il[a], ma = c->im[a];
    J[la * P + la] = 1, J[ma * P + ma] = 0;
    J[ma * P + la] = 1; /* theta_m depends on c with weight 1 */
    for (int b = 0; b < n; b++) {
      double D = s * ((a == b) - z[c->im[a]] * z[c->im[b]] / (vn * vn));
      J[la * P + c->im[b]] = D;
      J[ma * P + c->im[b]] = -D;
    }
  }
}

/* The z-Hessian A = J^T H J + the v-block term of the map (the formula above gauge_v). */
static ls_stop_reason refine_model(void *ctx, const double *z, double f) {
  refine_ctx *q = ctx;
  merge_ctx *c = q->c;
  size_t P = c->P;
  int n = c->nin;
  double *J = q->J, *H = q->H, *HJ = q->HJ, *A = q->A;
  (void)f;
  z_to_theta(c, z, c->theta);
  if (ls_hessian(c->net, c->data, c->theta, H, c->work)) return LS_STOP_FAIL;
  double vn = 0, wv = 0;
  for (int j = 0; j < n; j++) vn += z[c->im[j]] * z[c->im[j]];
  vn = sqrt(vn);
  refine_jacobian(c, z, vn, J);
  for (size_t i = 0; i < P; i++)
    for (size_t j = 0; j < P; j++) {
      double t = 0;
      for (size_t k = 0; k < P; k++) t += H[i * P + k] * J[k * P + j];
      HJ[i * P + j] = t;
    }
  for (size_t i = 0; i < P; i++)
    for (size_t j = 0; j < P; j++) {
      double t = 0;
      for (size_t k = 0; k < P; k++) t += J[k * P + i] * HJ[k * P + j];
      A[i * P + j] = t;
    }
  for (int j = 0; j < n; j++) wv += 0.5 * c->d * (c->g[c->il[j]] - c->g[c->im[j]]) * z[c->im[j]];
  double v3 = vn * vn * vn, v5 = v3 * vn * vn;
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) {
      double wa = 0.5 * c->d * (c->g[c->il[a]] - c->g[c->im[a]]);
      double wb = 0.5 * c->d * (c->g[c->il[b]] - c->g[c->im[b]]);
      double va = z[c->im[a]], vb = z[c->im[b]];
      A[c->im[a] * P + c->im[b]] += -(wa * vb + va * wb + (a == b) * wv) / v3 + 3 * wv * va * vb / v5;
    }
  return LS_STOP_NONE;
}

static ls_stop_reason refine_limit(void *ctx, int rej) {
  (void)ctx;
  return rej < 30 ? LS_STOP_NONE : LS_STOP_STALL;
}

/* dz = -(A + mu max|A_ii| I)^-1 gz by dposv; not positive definite: mu *= 10. */
static ls_lm_step refine_solve(void *ctx, double f, double *pred) {
  refine_ctx *q = ctx;
  size_t P = q->c->P;
  double *M = q->HJ, *A = q->A; /* HJ reused as the factorised matrix */
  (void)f;
  *pred = 0;
  memcpy(M, A, P * P * sizeof *M);
  double scale = 0;
  for (size_t i = 0; i < P; i++) scale = fmax(scale, fabs(A[i * P + i]));
  for (size_t i = 0; i < P; i++) M[i * P + i] += q->mu * fmax(scale, 1e-300), q->dz[i] = -q->gz[i];
  if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)P, 1, M, (lapack_int)P, q->dz, 1) != 0) {
    q->mu *= 10;
    return LS_LM_STEP_RETRY;
  }
  return LS_LM_STEP_OK;
}

static int refine_trial(void *ctx, double *zt, double *ft) {
  refine_ctx *q = ctx;
  gauge_v(q->c, zt);
  *ft = merge_objective((unsigned)q->c->P, zt, q->gt, q->c);
  return q->c->failed;
}

static void refine_raise(void *ctx) {
  refine_ctx *q = ctx;
  q->c->failed = 0;
  q->mu *= 10;
}

/* Accepts any step that does not raise f. */
static int refine_accept(void *ctx, double f, double ft, double pred) {
  refine_ctx *q = ctx;
  (void)pred;
  if (!(ft <= f)) {
    refine_raise(q);
    return 0;
  }
  memcpy(q->gz, q->gt, q->c->P * sizeof *q->gz);
  q->mu = fmax(q->mu / 10, 1e-16);
  return 1;
}

/* Returns the stationarity ratio reached (stat_ratio at the returned z).
 * On softplus paths the constrained infimum can lie at infinity: the loss keeps
 * decreasing along a valley whose weights grow without bound, so the iteration need not
 * reach LS_PATH_STAT_TOL; its damped steps zig-zag across the valley floor, and the
 * iterate with the smallest ratio (all iterates have f at most the start's) is kept
 * rather than wherever the iteration cap happens to stop. */
static double newton_refine(merge_ctx *c, double *z, double *fz) {
  size_t P = c->P;
  refine_ctx q = {c, calloc(P * P, sizeof(double)), malloc(P * P * sizeof(double)),
                  malloc(P * P * sizeof(double)), malloc(P * P * sizeof(double)),
                  malloc(P * sizeof(double)), malloc(P * sizeof(double)),
                  malloc(P * sizeof(double)), malloc(P * sizeof(double)),
                  malloc(P * sizeof(double)), HUGE_VAL, *fz, 1e-8};
  if (q.J && q.H && q.HJ && q.A && q.gz && q.dz && q.zt && q.gt && q.zbest) {
    ls_lm_provider pv = {&q, P, 200, q.dz, q.zt, refine_start, refine_eval, refine_test,
                         refine_model, refine_limit, refine_solve, refine_trial, refine_raise,
                         refine_accept, NULL, NULL};
    double f;
    ls_lm_loop(&pv, z, &f);
    f = merge_objective((unsigned)P, z, q.gz, c);
    if (!c->failed && stat_ratio(c, q.gz) < q.rbest)
      q.rbest = stat_ratio(c, q.gz), q.fbest = f, memcpy(q.zbest, z, P * sizeof *z);
    if (q.rbest < HUGE_VAL) memcpy(z, q.zbest, P * sizeof *z), *fz = q.fbest;
    c->failed = 0;
    merge_objective((unsigned)P, z, NULL, c); /* leaves c->g at z */
  }
  free(q.J), free(q.H), free(q.HJ), free(q.A), free(q.gz), free(q.dz), free(q.zt), free(q.gt);
  free(q.zbest);
  return q.rbest;
}

static ls_status path_alloc(ls_path *p, int n, size_t P, ls_error *err) {
  memset(p, 0, sizeof *p);
  p->P = P, p->n = n;
  p->d = calloc((size_t)n, sizeof *p->d);
  p->dist = calloc((size_t)n, sizeof *p->dist);
  p->lambda = calloc((size_t)n, sizeof *p->lambda);
  p->loss = calloc((size_t)n, sizeof *p->loss);
  p->grad_norm = calloc((size_t)n, sizeof *p->grad_norm);
  p->params = calloc((size_t)n * P, sizeof *p->params);
  if (!p->d || !p->dist || !p->lambda || !p->loss || !p->grad_norm || !p->params) {
    ls_path_free(p);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for a path of %d points", n);
  }
  return LS_OK;
}

static ls_status check_opts(const ls_net *net, const ls_path_opts *o, ls_error *err) {
  if (o->layer < 1 || o->layer >= net->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "layer %d is not a hidden layer (1..%d)", o->layer,
                        net->n_layers - 1);
  int w = net->width[o->layer];
  if (o->l < 0 || o->m < 0 || o->l >= w || o->m >= w || o->l == o->m)
    return ls_error_set(err, LS_ERR_INPUT, "pair %d,%d is not two distinct units of layer %d (0..%d)",
                        o->l, o->m, o->layer, w - 1);
  if (o->steps < 1) return ls_error_set(err, LS_ERR_INPUT, "steps must be >= 1");
  if (!(o->dmin_rel > 0 && o->dmin_rel < 1))
    return ls_error_set(err, LS_ERR_INPUT, "dmin must be in (0, 1) (got %g)", o->dmin_rel);
  if (o->maxeval < 1) return ls_error_set(err, LS_ERR_INPUT, "maxeval must be >= 1");
  if (o->method == LS_PATH_LAGRANGIAN && !(o->lambda_min > 0 && o->lambda_max > o->lambda_min))
    return ls_error_set(err, LS_ERR_INPUT, "need 0 < lambda_min < lambda_max");
  return LS_OK;
}

/* Loss and gradient norm of the loss at a point (no penalty). */
static ls_status loss_and_gnorm(const ls_net *net, const ls_data *data, const double *theta,
                                double *g, ls_work *w, double *loss, double *gn) {
  ls_status st = ls_loss_grad(net, data, theta, loss, g, w);
  double s = 0;
  for (size_t i = 0; i < ls_net_nparams(net); i++) s += g[i] * g[i];
  *gn = sqrt(s);
  return st;
}

/* One step of the schedule at c->d from z (LBFGS). LBFGS line searches fail at ReLU kinks
 * (LS_MIN_FAILURE / LS_MIN_ROUNDOFF_LIMITED): restarted with a fresh memory while the objective
 * still goes down. */
static ls_min_result solve_step(const ls_min_opts *mo, merge_ctx *c, double *z, double *f) {
  c->failed = 0;
  size_t e0 = c->evals;
  ls_min_result res = ls_nlopt_minimize(merge_fn, c, c->P, z, f, mo);
  for (int rs = 0; rs < 20 && (res == LS_MIN_FAILURE || res == LS_MIN_ROUNDOFF_LIMITED) &&
                   !c->failed && c->evals - e0 < (size_t)mo->maxeval;
       rs++) {
    double f2;
    ls_min_result res2 = ls_nlopt_minimize(merge_fn, c, c->P, z, &f2, mo);
    int better = f2 < *f * (1 - 1e-12);
    *f = fmin(*f, f2), res = res2;
    if (!better) break;
  }
  return res;
}

/* Second start for the last step: the exact end d = 0 (ls_path_apex of the last point)
 * split back to the last distance along the last point's direction v, every other
 * parameter (outgoing weights equal) from the apex; solved like a step. The last point is
 * replaced when this reaches a lower objective (by more than 1e-10 relative): warm starts along the schedule can stop at
 * a ReLU kink above the constrained minimum next to the merge. Returns 1 if replaced. */
static int refine_last(const ls_net *net, const ls_data *data, const ls_path_opts *o,
                       const ls_min_opts *mo, merge_ctx *c, double *z, double *cur) {
  size_t P = c->P;
  double *ap = malloc(P * sizeof *ap), *zz = malloc(P * sizeof *zz);
  int replaced = 0;
  ls_error e2 = {0};
  if (ap && zz &&
      ls_path_apex(net, data, cur, o->layer, o->l, o->m, ap, NULL, NULL, NULL, &e2) == LS_OK) {
    double f0 = merge_objective((unsigned)P, z, NULL, c), f1;
    memcpy(zz, ap, P * sizeof *zz);
    for (int j = 0; j < c->nin; j++) zz[c->im[j]] = z[c->im[j]];
    ls_min_result res = solve_step(mo, c, zz, &f1);
    /* only a clear improvement: at rounding level the path keeps its own end */
    if (!c->failed && res != LS_MIN_INVALID_ARGS && res != LS_MIN_OUT_OF_MEMORY &&
        f1 < f0 - 1e-10 * fabs(f0)) {
      memcpy(z, zz, P * sizeof *z);
      z_to_theta(c, z, cur);
      replaced = 1;
    }
    c->failed = 0;
  }
  free(ap), free(zz);
  return replaced;
}

static ls_status build_constrained(const ls_net *net, const ls_data *data, const ls_path_opts *o, ls_path *p, ls_work *work, double *g,
                                   ls_error *err) {
  size_t P = p->P;
  merge_ctx c = {net, data, work, P, 0, NULL, NULL, 0, o->relative, NULL, g, 0, 0, 0, NULL, NULL, 0, 0};
  int nmax = net->width[o->layer - 1] + 1, w = net->width[o->layer];
  c.nout = net->width[o->layer + 1];
  c.il = malloc((2 * (size_t)nmax + 2 * (size_t)c.nout) * sizeof *c.il);
  c.theta = malloc(P * sizeof *c.theta);
  double *z = malloc(P * sizeof *z);
  ls_status st = LS_OK;
  if (!c.il || !c.theta || !z) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  c.im = c.il + nmax;
  c.ol = c.im + nmax, c.om = c.ol + c.nout;
  for (int r = 0; r < c.nout; r++) {
    size_t row = ls_net_w_offset(net, o->layer + 1) + (size_t)r * (size_t)w;
    c.ol[r] = row + (size_t)o->l, c.om[r] = row + (size_t)o->m;
  }
  int smooth = 1;
  for (int L = 1; L <= net->n_layers; L++) smooth &= net->act[L].kind != LS_ACT_RELU;
  c.nin = ls_path_unit_in_index(net, o->layer, o->l, c.il);
  ls_path_unit_in_index(net, o->layer, o->m, c.im);
  if (o->out_bound > 0) {
    /* B from the start: kappa (||a_l - a_m|| + ||a_l + a_m||) ||c|| */
    double sd = 0, ss = 0, cn = 0;
    const double *t0 = p->params;
    for (int r = 0; r < c.nout; r++) {
      double al = t0[c.ol[r]], am = t0[c.om[r]];
      sd += (al - am) * (al - am), ss += (al + am) * (al + am);
    }
    for (int j = 0; j < c.nin; j++) {
      double cj = 0.5 * (t0[c.il[j]] + t0[c.im[j]]);
      cn += cj * cj;
    }
    c.B = o->out_bound * (sqrt(sd) + sqrt(ss)) * sqrt(cn);
    c.rho = c.B > 0 ? 100 / (c.B * c.B) : 0;
    p->out_bound = c.B;
  }
  /* LBFGS with 20 vectors, per step at most maxeval evaluations to relative loss change
   * ftol_rel */
  ls_min_opts mo = {1, 20, o->ftol_rel, 0, 0, o->maxeval, 0};
  double *prev = p->params;
  for (int s = 1; s <= o->steps; s++) {
    double d = p->d0 * pow(o->dmin_rel, (double)s / o->steps);
    /* warm start: the previous point with the difference shrunk to the scheduled d */
    c.d = d;
    theta_to_z(&c, prev, o->relative ? d * ls_path_pair_scale(net, prev, o->layer, o->l, o->m) : d, z);
    double f;
    ls_min_result res = solve_step(&mo, &c, z, &f);
    if (c.failed || res == LS_MIN_INVALID_ARGS || res == LS_MIN_OUT_OF_MEMORY) {
      st = ls_error_set(err, LS_ERR_COMPUTE, "LBFGS failed at step %d (d = %g): %s", s, d,
                        c.failed ? "non-finite loss" : "nlopt error");
      goto done;
    }
    /* the refinement's Hessian does not include the outgoing penalty */
    if (smooth && !o->relative && P <= 120 && !(c.B > 0)) {
      double r = newton_refine(&c, z, &f);
      if (r < HUGE_VAL) p->stat_worst = fmax(p->stat_worst, r);
    }
    double *cur = p->params + (size_t)s * P;
    z_to_theta(&c, z, cur);
    p->d[s] = d;
    p->dist[s] = ls_path_unit_distance(net, cur, o->layer, o->l, o->m);
    st = loss_and_gnorm(net, data, cur, g, work, &p->loss[s], &p->grad_norm[s]);
    if (st) {
      ls_error_set(err, st, "loss evaluation failed at step %d", s);
      goto done;
    }
    if (o->progress) o->progress(o->progress_user, s, o->steps, d, p->loss[s], p->evals + c.evals);
    prev = cur;
  }
  if (o->apex && o->steps >= 1 && refine_last(net, data, o, &mo, &c, z, p->params + (size_t)o->steps * P)) {
    double *cur = p->params + (size_t)o->steps * P;
    p->end_refined = 1;
    p->dist[o->steps] = ls_path_unit_distance(net, cur, o->layer, o->l, o->m);
    st = loss_and_gnorm(net, data, cur, g, work, &p->loss[o->steps], &p->grad_norm[o->steps]);
    if (st) ls_error_set(err, st, "loss evaluation failed at the last step");
  }
  p->evals += c.evals;
done:
  free(c.il), free(c.theta), free(z);
  return st;
}

static ls_status build_lagrangian(const ls_net *net, const ls_data *data, const ls_path_opts *o,
                                  ls_path *p, ls_work *work, double *g, ls_error *err) {
  size_t P = p->P;
  double *cur = malloc(P * sizeof *cur);
  if (!cur) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  memcpy(cur, p->params, P * sizeof *cur);
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_LBFGS, (size_t)(o->maxeval + 99) / 100, 1e-15);
  to.penalty.merge_layer = o->layer, to.penalty.merge_i = o->l, to.penalty.merge_j = o->m;
  ls_status st = LS_OK;
  int s;
  double dend = p->d0 * o->dmin_rel;
  for (s = 1; s <= o->steps; s++) {
    double lam = o->lambda_min * pow(o->lambda_max / o->lambda_min, (s - 1.0) / (o->steps - 1 > 0 ? o->steps - 1 : 1));
    to.penalty.merge_lambda = lam;
    ls_train_result r = {0};
    st = ls_train(net, data, cur, &to, &r, err);
    p->evals += r.phase[0].evals;
    ls_train_result_free(&r);
    if (st) break;
    memcpy(p->params + (size_t)s * P, cur, P * sizeof *cur);
    p->lambda[s] = lam;
    p->dist[s] = ls_path_unit_distance(net, cur, o->layer, o->l, o->m);
    p->d[s] = o->relative ? p->dist[s] / ls_path_pair_scale(net, cur, o->layer, o->l, o->m) : p->dist[s];
    st = loss_and_gnorm(net, data, cur, g, work, &p->loss[s], &p->grad_norm[s]);
    if (st) {
      ls_error_set(err, st, "loss evaluation failed at step %d", s);
      break;
    }
    if (o->progress) o->progress(o->progress_user, s, o->steps, p->d[s], p->loss[s], p->evals);
    if (p->d[s] <= dend) {
      s++;
      break;
    }
  }
  if (!st) p->n = s > o->steps ? o->steps + 1 : s;
  free(cur);
  return st;
}

/* ||a_l - a_m|| ||(theta_l + theta_m)/2||: the outgoing difference in units invariant under
 * the pair's joint rescaling (w, b, a) -> (s w, s b, a / s). */
static double pair_beta(const ls_net *net, const double *theta, int k, int l, int m) {
  int w = net->width[k];
  const double *Wn = theta + ls_net_w_offset(net, k + 1);
  double s = 0;
  for (int r = 0; r < net->width[k + 1]; r++) {
    double e = Wn[(size_t)r * w + l] - Wn[(size_t)r * w + m];
    s += e * e;
  }
  return sqrt(s) * ls_path_pair_scale(net, theta, k, l, m);
}

ls_status ls_path_build(const ls_net *net, const ls_data *data, const double *theta,
                        const ls_path_opts *opts, ls_path *path, ls_error *err) {
  if (ls_net_require_plain(net, "path_build", err)) return LS_ERR_INPUT;
  ls_path_opts o;
  if (opts) o = *opts;
  else ls_path_opts_default(&o);
  memset(path, 0, sizeof *path);
  ls_status st = check_opts(net, &o, err);
  if (st) return st;
  size_t P = ls_net_nparams(net);
  st = path_alloc(path, o.steps + 1, P, err);
  if (st) return st;
  ls_work *work = ls_work_alloc(net, data->n);
  double *g = malloc(P * sizeof *g);
  if (!work || !g) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  memcpy(path->params, theta, P * sizeof *theta);
  path->relative = o.relative;
  path->dist[0] = ls_path_unit_distance(net, theta, o.layer, o.l, o.m);
  path->d0 = path->d[0] =
      o.relative ? path->dist[0] / ls_path_pair_scale(net, theta, o.layer, o.l, o.m) : path->dist[0];
  if (!(path->d0 > 0) || !isfinite(path->d0)) {
    st = ls_error_set(err, LS_ERR_INPUT,
                      "units %d and %d of layer %d already coincide (distance 0): the start is "
                      "a permutation point",
                      o.l, o.m, o.layer);
    goto done;
  }
  st = loss_and_gnorm(net, data, theta, g, work, &path->loss[0], &path->grad_norm[0]);
  if (st) {
    ls_error_set(err, st, "loss evaluation failed at the start");
    goto done;
  }
  st = o.method == LS_PATH_LAGRANGIAN ? build_lagrangian(net, data, &o, path, work, g, err)
                                      : build_constrained(net, data, &o, path, work, g, err);
  if (st) goto done;
  const double *last = path->params + (size_t)(path->n - 1) * P;
  path->beta_end = pair_beta(net, last, o.layer, o.l, o.m);
  if (o.apex) {
    /* the exact end d = 0 (Brea section 2.1: the quarter-way point, then the outgoing
     * weights shifted to equal values at constant loss) */
    path->apex = malloc(P * sizeof *path->apex);
    if (!path->apex) {
      st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
      goto done;
    }
    st = ls_path_apex(net, data, last, o.layer, o.l, o.m, path->apex, &path->apex_loss,
                      &path->apex_grad, &path->apex_move, err);
    if (st) {
      ls_error_prefix(err, "exact end d = 0");
      goto done;
    }
    path->has_apex = 1;
  }
  path->argmax = 0;
  for (int i = 1; i < path->n; i++)
    if (path->loss[i] > path->loss[path->argmax]) path->argmax = i;
  double top = path->loss[path->argmax], end = path->loss[path->n - 1];
  if (path->has_apex) {
    end = path->apex_loss;
    if (end > top) top = end, path->argmax = path->n; /* n: the apex */
  }
  path->barrier = top - path->loss[0];
  /* the permutation point holds the maximum within 1e-4 relative (steps end at finite
   * optimiser tolerance, so the plateau before the merge fluctuates slightly) */
  double tol = 1e-4 * fmax(fabs(top), 1e-300);
  path->max_at_end = end >= top - tol;
done:
  ls_work_free(work);
  free(g);
  if (st) ls_path_free(path);
  return st;
}

size_t ls_path_full_len(const ls_path *p) {
  return p->has_apex ? 2 * (size_t)p->n + 1 : 2 * (size_t)p->n - 1;
}

ls_status ls_path_mirror(const ls_net *net, const ls_path *p, int k, int l, int m,
                         double **params, double **s, ls_error *err) {
  size_t P = p->P, N = ls_path_full_len(p);
  *params = NULL;
  if (s) *s = NULL;
  int w = net->width[k];
  int *perm = malloc((size_t)w * sizeof *perm);
  double *out = malloc(N * P * sizeof *out);
  double *sv = s ? malloc(N * sizeof *sv) : NULL;
  if (!perm || !out || (s && !sv)) {
    free(perm), free(out), free(sv);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < w; i++) perm[i] = i;
  perm[l] = m, perm[m] = l;
  memcpy(out, p->params, (size_t)p->n * P * sizeof *out);
  for (int j = 0; j < p->n; j++)
    if (sv) sv[j] = p->d0 - p->d[j];
  /* with the apex: it sits at d = 0 (s = d0) and is its own mirror image; every point of
   * the first half is then mirrored. Without it the last point stands for the permutation
   * point and is shared by both halves. */
  size_t at = (size_t)p->n;
  if (p->has_apex) {
    memcpy(out + at * P, p->apex, P * sizeof *out);
    if (sv) sv[at] = p->d0;
    at++;
  }
  ls_status st = LS_OK;
  for (int src = p->has_apex ? p->n - 1 : p->n - 2; src >= 0 && !st; src--, at++) {
    st = ls_sym_permute(net, k, perm, p->params + (size_t)src * P, out + at * P, err);
    if (sv) sv[at] = p->d0 + p->d[src];
  }
  free(perm);
  if (st) {
    free(out), free(sv);
    return st;
  }
  *params = out;
  if (s) *s = sv;
  return LS_OK;
}
