/* Second-order polishing with Hessian-vector products only: O(P) memory, for networks whose
 * dense Hessian (P^2 doubles, twice more in the eigen-solver) should not be formed
 * (newton.c chooses: ls_newton_uses_hvp).
 *
 * Minimisation: trust-region Newton-CG (Steihaug 1983, Toint 1981; Nocedal & Wright,
 * Numerical Optimization, 2nd ed., Algorithm 7.2). Conjugate gradients on H p = -g from
 * p = 0 stop at the residual ||H p + g|| <= eta ||g||, eta = min(0.5, sqrt(||g||))
 * (superlinear local convergence, N&W Theorem 7.2), at the trust-region boundary, or on a
 * direction d with d.H d < 0, followed to the boundary: descent along negative curvature,
 * as the dense solver's hard case. A direction whose curvature is at the rounding level
 * (|d.H d| <= 16 eps lambda_max |d|^2) ends CG where it is, as the dense solver leaves
 * out the eigenvectors of numerically zero eigenvalues (a degenerate minimum's flat
 * directions would otherwise be walked along at the trust radius). The model decrease -(g.p + p.Hp/2) comes from the
 * products CG already made. Steps are judged as in newton.c (ls_newton_judge).
 *
 * Critical-point mode: Levenberg-Marquardt on g(theta) = 0 with Jacobian H, as newton.c:
 * (H^2 + mu I) p = -H g by conjugate gradients (symmetric positive definite; two products
 * per iteration), accepted when ||g||^2 decreases. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"
#include "phase.h"

#define CG_MAX_ITER 500 /* CG iterations per step at most (more than P can be needed: in
                          floating point CG loses orthogonality on ill-conditioned H) */
#define NT_MAX_REJECT 40

typedef struct {
  ls_run *r;
  size_t P, nv;
  double *g, *p, *hp, *z, *res, *d, *hd, *t, *trial, *gtrial;
  double lmax; /* largest |curvature| CG has seen: the scale of H for the rounding cuts */
} cg_work;

static double dot(size_t n, const double *a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static void cg_free(cg_work *w) {
  free(w->g), free(w->p), free(w->hp), free(w->z), free(w->res), free(w->d), free(w->hd),
      free(w->t), free(w->trial), free(w->gtrial);
}

static int cg_alloc(cg_work *w, ls_run *r) {
  memset(w, 0, sizeof *w);
  w->r = r, w->P = r->P;
  double **v[] = {&w->g, &w->p, &w->hp, &w->z, &w->res, &w->d, &w->hd, &w->t, &w->trial, &w->gtrial};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!(*v[i] = malloc(w->P * sizeof(double)))) return -1;
  return 0;
}

static int hvp(cg_work *w, const double *theta, const double *v, double *out) {
  return ls_objective_hvp(&w->r->obj, theta, v, out) == LS_OK ? 0 : -1;
}

/* tau >= 0 with ||z + tau d|| = delta. */
static double to_boundary(size_t P, const double *z, const double *d, double delta) {
  double dd = dot(P, d, d), zd = dot(P, z, d), zz = dot(P, z, z);
  double disc = sqrt(fmax(0, zd * zd + dd * (delta * delta - zz)));
  return zd > 0 ? (delta * delta - zz) / (zd + disc) : (disc - zd) / dd;
}

typedef struct {
  cg_work *w;
  const double *theta;
} lz_ctx;

static int lz_mv(void *c, const double *x, double *y) {
  lz_ctx *z = c;
  return hvp(z->w, z->theta, x, y);
}

/* At g = 0 CG has no direction: the lowest eigenpair of H by Lanczos (on the products),
 * and when it is negative the step of length delta along its eigenvector (the dense
 * solver's hard case). Returns the model decrease (0: no negative curvature), -1 on
 * failure. */
static double lowest_curvature(cg_work *w, const double *theta, double delta) {
  size_t P = w->P;
  double lam;
  lz_ctx c = {w, theta};
  ls_error e;
  memset(w->p, 0, P * sizeof(double));
  memset(w->hp, 0, P * sizeof(double));
  if (ls_lanczos(P, lz_mv, &c, 1, LS_EIG_SMALLEST, NULL, &lam, w->d, NULL, &e) != LS_OK) return -1;
  w->lmax = fmax(w->lmax, fabs(lam));
  if (!(lam < 0)) return 0;
  for (size_t i = 0; i < P; i++) w->p[i] = delta * w->d[i], w->hp[i] = lam * w->p[i];
  return -0.5 * lam * delta * delta;
}

/* Steihaug-Toint CG: the step into w->p, H p into w->hp; returns the model decrease, or
 * -1 when a product failed. */
static double steihaug(cg_work *w, const double *theta, double delta, double gnorm) {
  size_t P = w->P, maxit = CG_MAX_ITER;
  double tol = fmin(0.5, sqrt(gnorm)) * gnorm;
  memset(w->z, 0, P * sizeof(double));
  memset(w->hp, 0, P * sizeof(double));
  memcpy(w->res, w->g, P * sizeof(double));
  for (size_t i = 0; i < P; i++) w->d[i] = -w->g[i];
  double rr = dot(P, w->res, w->res);
  if (rr == 0) return lowest_curvature(w, theta, delta);
  int done = 0;
  for (size_t j = 0; j < maxit && !done && sqrt(rr) > tol; j++) {
    if (hvp(w, theta, w->d, w->hd)) return -1;
    double dhd = dot(P, w->d, w->hd), dd = dot(P, w->d, w->d);
    w->lmax = fmax(w->lmax, fabs(dhd) / dd);
    if (fabs(dhd) <= 16 * DBL_EPSILON * w->lmax * dd) break; /* numerically null curvature:
      left out, as the dense solver's pseudo-inverse leaves out its null eigenvectors */
    double alpha = rr / dhd;
    for (size_t i = 0; i < P; i++) w->t[i] = w->z[i] + alpha * w->d[i];
    if (dhd <= 0 || ls_norm2(P, w->t) >= delta) { /* boundary: along d from z */
      alpha = to_boundary(P, w->z, w->d, delta);
      done = 1;
    }
    for (size_t i = 0; i < P; i++) {
      w->z[i] += alpha * w->d[i];
      w->hp[i] += alpha * w->hd[i];
      w->res[i] += alpha * w->hd[i];
    }
    double rr1 = dot(P, w->res, w->res);
    for (size_t i = 0; i < P; i++) w->d[i] = -w->res[i] + (rr1 / rr) * w->d[i];
    rr = rr1;
  }
  memcpy(w->p, w->z, P * sizeof(double));
  return -(dot(P, w->g, w->p) + 0.5 * dot(P, w->p, w->hp));
}

/* LM step on g = 0: (H^2 + mu I) p = -H g by CG, H p into w->hp; returns the predicted
 * ||g + H p||^2, or -1 when a product failed. w->t holds H g on entry. */
static double lm_cg(cg_work *w, const double *theta, double mu) {
  size_t P = w->P, maxit = CG_MAX_ITER;
  double bnorm = ls_norm2(P, w->t), gnorm = ls_norm2(P, w->g);
  double tol = fmin(0.5, sqrt(gnorm)) * bnorm;
  memset(w->z, 0, P * sizeof(double));
  memset(w->hp, 0, P * sizeof(double));
  for (size_t i = 0; i < P; i++) w->res[i] = -w->t[i], w->d[i] = -w->t[i]; /* b - A 0 */
  double rr = dot(P, w->res, w->res);
  for (size_t j = 0; j < maxit && sqrt(rr) > tol; j++) {
    if (hvp(w, theta, w->d, w->hd) || hvp(w, theta, w->hd, w->gtrial)) return -1;
    double dd = dot(P, w->d, w->d);
    w->lmax = fmax(w->lmax, ls_norm2(P, w->hd) / sqrt(dd));
    for (size_t i = 0; i < P; i++) w->gtrial[i] += mu * w->d[i]; /* A d */
    double alpha = rr / dot(P, w->d, w->gtrial);
    for (size_t i = 0; i < P; i++) {
      w->z[i] += alpha * w->d[i];
      w->hp[i] += alpha * w->hd[i];
      w->res[i] -= alpha * w->gtrial[i];
    }
    double rr1 = dot(P, w->res, w->res);
    for (size_t i = 0; i < P; i++) w->d[i] = w->res[i] + (rr1 / rr) * w->d[i];
    rr = rr1;
  }
  memcpy(w->p, w->z, P * sizeof(double));
  double phi = 0;
  for (size_t i = 0; i < P; i++) phi += (w->g[i] + w->hp[i]) * (w->g[i] + w->hp[i]);
  return phi;
}

/* The trial point theta + p into w->trial, its gradient into w->gtrial; 0 if finite. */
static int trial(cg_work *w, const double *theta, double *f, double *gn) {
  for (size_t i = 0; i < w->P; i++) w->trial[i] = theta[i] + w->p[i];
  if (ls_objective_grad(&w->r->obj, w->trial, f, w->gtrial) != LS_OK) return -1;
  *gn = ls_inf_norm(w->P, w->gtrial);
  return isfinite(*f) && isfinite(*gn) ? 0 : -1;
}

static ls_stop_reason stalled(ls_run *r, double gn) {
  snprintf(r->res->message, sizeof r->res->message,
           "Newton-CG: no acceptable step at gradient %.3g (rounding level reached)", gn);
  return LS_STOP_STALL;
}

static ls_stop_reason product_failed(ls_run *r) {
  snprintf(r->res->message, sizeof r->res->message,
           "Newton-CG: a Hessian-vector product failed or was not finite");
  return LS_STOP_NAN;
}

ls_stop_reason ls_newton_cg_run(ls_run *r, double *theta) {
  const ls_train_opts *o = r->opt;
  cg_work w;
  if (cg_alloc(&w, r)) {
    cg_free(&w);
    return LS_STOP_FAIL;
  }
  size_t P = r->P;
  double f, gn, delta = 1.0, mu = -1;
  ls_stop_reason s;
  s = ls_newton_start(r, theta, w.g, &f, &gn);
  for (size_t it = 0; s == LS_STOP_NONE; it++) {
    if (it >= o->polish_maxiter) {
      s = LS_STOP_ITERS;
      break;
    }
    double phi = dot(P, w.g, w.g);
    if (o->newton_critical && hvp(&w, theta, w.g, w.t)) {
      s = product_failed(r);
      break;
    }
    if (o->newton_critical) w.lmax = fmax(w.lmax, ls_norm2(P, w.t) / sqrt(phi));
    int accepted = 0;
    for (int rej = 0; !accepted; rej++) {
      double mu_min = (16 * DBL_EPSILON * w.lmax) * (16 * DBL_EPSILON * w.lmax);
      if (mu < 0) mu = fmax(mu_min, DBL_MIN);
      if (rej >= NT_MAX_REJECT || delta < 1e-300 || mu > 1e300 * fmax(w.lmax * w.lmax, 1e-300)) {
        s = stalled(r, gn);
        break;
      }
      if (ls_run_time_left(r) <= 0) {
        s = LS_STOP_TIME;
        break;
      }
      double pred = o->newton_critical ? lm_cg(&w, theta, mu) : steihaug(&w, theta, delta, sqrt(phi));
      if (pred < 0) {
        s = product_failed(r);
        break;
      }
      double ft, gnt, pn = ls_norm2(P, w.p);
      if (pn == 0) { /* g = 0 and no negative curvature: nothing left to take */
        s = stalled(r, gn);
        break;
      }
      if (trial(&w, theta, &ft, &gnt)) {
        if (o->newton_critical) mu = fmax(4 * mu, 1e-12 * w.lmax * w.lmax);
        else delta = 0.25 * pn;
        continue;
      }
      if (o->newton_critical) {
        double phit = dot(P, w.gtrial, w.gtrial);
        double rho = phi > pred ? (phi - phit) / (phi - pred) : 0;
        accepted = phit < phi;
        if (!accepted) mu = fmax(4 * mu, 1e-12 * w.lmax * w.lmax);
        else if (rho > 0.75) mu = fmax(mu / 4, mu_min);
        else if (rho < 0.25) mu *= 4;
      } else {
        accepted = ls_newton_judge(r, f, ft, gn, gnt, pred, pn, &delta);
      }
          if (accepted) {
        memcpy(theta, w.trial, P * sizeof(double));
        memcpy(w.g, w.gtrial, P * sizeof(double));
        f = ft, gn = gnt;
        s = ls_run_observe(r, theta, f, gn);
      }
    }
  }
  cg_free(&w);
  return s;
}
