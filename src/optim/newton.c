/* Second-order polishing with the exact Hessian H = V diag(lambda) V^T (thesis section 3.5).
 *
 * Minimisation: trust-region Newton solved exactly in the eigenbasis (More & Sorensen):
 * p(mu) = -sum_i (g_i / (lambda_i + mu)) v_i with mu >= max(0, -lambda_min) chosen so that
 * ||p|| <= Delta; the "hard case" adds a multiple of the lowest eigenvector. Indefinite
 * Hessians thus give descent along negative curvature. Near the minimum the loss stops
 * being measurable (it is a sum of squared residuals of size eps): there a step is
 * accepted when it lowers the gradient norm.
 *
 * Critical-point mode: Levenberg-Marquardt on the gradient equation g(theta) = 0 with
 * Jacobian H, i.e. p = -sum_i (lambda_i g_i / (lambda_i^2 + mu)) v_i, accepted when
 * ||g||^2 decreases. It converges to the nearest critical point, saddles included.
 *
 * Networks above dense_max_params (or with newton_hessian "hvp") take the same two
 * methods on Hessian-vector products instead (newton_cg.c). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"
#include "phase.h"

typedef struct {
  size_t P;
  double *H, *V; /* Hessian; its eigenvectors as columns (row-major) */
  double *lam, *gt, *pt, *p, *g, *trial, *gtrial;
} nt_work;

static void nt_free(nt_work *w) {
  free(w->H), free(w->V), free(w->lam), free(w->gt), free(w->pt), free(w->p), free(w->g), free(w->trial),
      free(w->gtrial);
}

static int nt_alloc(nt_work *w, size_t P) {
  memset(w, 0, sizeof *w);
  w->P = P;
  w->H = malloc(P * P * sizeof(double));
  w->V = malloc(P * P * sizeof(double));
  double **v[] = {&w->lam, &w->gt, &w->pt, &w->p, &w->g, &w->trial, &w->gtrial};
  for (int i = 0; i < 7; i++)
    if (!(*v[i] = malloc(P * sizeof(double)))) return -1;
  return w->H && w->V ? 0 : -1;
}

/* Eigendecomposition of the objective Hessian at theta; gt = V^T g. */
static ls_stop_reason nt_eigen(ls_run *r, nt_work *w, const double *theta) {
  size_t P = w->P;
  ls_status st = ls_objective_hessian(&r->obj, theta, w->H);
  if (st != LS_OK) {
    snprintf(r->res->message, sizeof r->res->message,
             st == LS_ERR_COMPUTE ? "Hessian not available or not finite" : "Hessian failed");
    return st == LS_ERR_COMPUTE ? LS_STOP_NAN : LS_STOP_FAIL;
  }
  ls_error e;
  if (ls_eig_sym(P, w->H, w->lam, w->V, &e) != LS_OK) {
    snprintf(r->res->message, sizeof r->res->message, "eigen-solver failed: %.200s", e.msg);
    return LS_STOP_FAIL;
  }
  for (size_t j = 0; j < P; j++) w->gt[j] = 0;
  for (size_t i = 0; i < P; i++) {
    const double *Vi = w->V + i * P;
    double gi = w->g[i];
    for (size_t j = 0; j < P; j++) w->gt[j] += Vi[j] * gi;
  }
  return LS_STOP_NONE;
}

/* p = V pt. */
static void nt_to_params(nt_work *w) {
  size_t P = w->P;
  for (size_t i = 0; i < P; i++) {
    const double *Vi = w->V + i * P;
    double s = 0;
    for (size_t j = 0; j < P; j++) s += Vi[j] * w->pt[j];
    w->p[i] = s;
  }
}

/* ||p(mu)|| with p_i = -gt_i / (lambda_i + mu). */
static double tr_norm(const nt_work *w, double mu) {
  double s = 0;
  for (size_t i = 0; i < w->P; i++) {
    double d = w->gt[i] / (w->lam[i] + mu);
    s += d * d;
  }
  return sqrt(s);
}

/* Trust-region step in the eigenbasis (pt); returns the predicted decrease of the
 * quadratic model -(g.p + p.H.p/2). cut: eigenvalues with |lambda| <= cut count as 0. */
static double tr_step(nt_work *w, double delta, double cut) {
  size_t P = w->P;
  double lmin = w->lam[0];
  int interior = 0;
  if (lmin >= -cut) { /* Newton step, pseudo-inverse over the numerically null directions */
    for (size_t i = 0; i < P; i++) w->pt[i] = w->lam[i] > cut ? -w->gt[i] / w->lam[i] : 0;
    interior = ls_norm2(P, w->pt) <= delta;
  }
  if (!interior) {
    double lo = fmax(0, -lmin), gnorm = ls_norm2(P, w->gt);
    double hi = lo + gnorm / delta + cut;
    if (tr_norm(w, lo + cut) <= delta) {
      /* hard case: g has (almost) no component along the lowest eigenvectors */
      double mu = lo + cut;
      for (size_t i = 0; i < P; i++) w->pt[i] = -w->gt[i] / (w->lam[i] + mu);
      double n2 = ls_norm2(P, w->pt), tau = sqrt(fmax(0, delta * delta - n2 * n2));
      w->pt[0] += w->gt[0] > 0 ? -tau : tau;
    } else {
      for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
        double mid = 0.5 * (lo + hi);
        if (tr_norm(w, mid) > delta) lo = mid;
        else hi = mid;
      }
      for (size_t i = 0; i < P; i++) w->pt[i] = -w->gt[i] / (w->lam[i] + hi);
    }
  }
  double pred = 0;
  for (size_t i = 0; i < P; i++) pred -= w->gt[i] * w->pt[i] + 0.5 * w->lam[i] * w->pt[i] * w->pt[i];
  return pred;
}

/* Levenberg-Marquardt step on g = 0 in the eigenbasis; returns the predicted ||g||^2. */
static double lm_step(nt_work *w, double mu) {
  double phi = 0;
  for (size_t i = 0; i < w->P; i++) {
    double l = w->lam[i];
    w->pt[i] = -l * w->gt[i] / (l * l + mu);
    double e = w->gt[i] + l * w->pt[i];
    phi += e * e;
  }
  return phi;
}

/* Evaluates the trial point theta + p into w->trial, w->gtrial; returns 0 if finite. */
static int nt_trial(ls_run *r, nt_work *w, const double *theta, double *f, double *gn) {
  for (size_t i = 0; i < w->P; i++) w->trial[i] = theta[i] + w->p[i];
  ls_status st = ls_objective_grad(&r->obj, w->trial, f, w->gtrial);
  if (st != LS_OK) return -1;
  *gn = ls_inf_norm(w->P, w->gtrial);
  return 0;
}

static void nt_accept(nt_work *w, double *theta) {
  memcpy(theta, w->trial, w->P * sizeof(double));
  memcpy(w->g, w->gtrial, w->P * sizeof(double));
}

#define NT_MAX_REJECT 40

int ls_newton_judge(const ls_run *r, double f, double ft, double gn, double gnt, double pred,
                    double pn, double *delta) {
  double ared = f - ft;
  double noise = r->obj.loss_noise + 8 * DBL_EPSILON * (fabs(f) + fabs(ft));
  double rho = ared / fmax(pred, 1e-300);
  if (fabs(ared) <= noise) { /* the loss cannot tell: judge by the gradient */
    if (gnt < gn) return 1;
    *delta = 0.25 * pn;
    return 0;
  }
  /* a loss increase at the level of cancellation in the outputs (large weights make the
   * loss's rounding error far above eps |f|) while the gradient halves: the step is
   * right, the loss cannot measure it */
  if (ared < 0 && -ared <= 1e-9 * fabs(f) && gnt < 0.5 * gn) return 1;
  if (rho < 0.25) *delta = 0.25 * pn;
  else if (rho > 0.75 && pn > 0.99 * *delta) *delta = fmin(2 * *delta, 1e10);
  return rho > 1e-4;
}

ls_stop_reason ls_newton_start(ls_run *r, const double *theta, double *g, double *f,
                               double *gn) {
  if (ls_objective_grad(&r->obj, theta, f, g) != LS_OK) return ls_run_observe(r, theta, NAN, NAN);
  *gn = ls_inf_norm(r->P, g);
  return ls_run_observe(r, theta, *f, *gn);
}

int ls_newton_uses_hvp(const ls_train_opts *o, size_t P) {
  return o->newton_hessian == LS_HESSIAN_HVP ||
         (o->newton_hessian == LS_HESSIAN_AUTO && P > o->dense_max_params);
}

ls_stop_reason ls_newton_run(ls_run *r, double *theta) {
  const ls_train_opts *o = r->opt;
  if (ls_newton_uses_hvp(o, r->P)) return ls_newton_cg_run(r, theta);
  int critical = o->newton_critical;
  nt_work w;
  if (nt_alloc(&w, r->P)) {
    nt_free(&w);
    return LS_STOP_FAIL;
  }
  size_t P = r->P;
  double f, gn;
  ls_stop_reason s;
  s = ls_newton_start(r, theta, w.g, &f, &gn);
  double delta = 1.0, mu = -1;
  for (size_t it = 0; s == LS_STOP_NONE; it++) {
    if (it >= o->polish_maxiter) {
      s = LS_STOP_ITERS;
      break;
    }
    s = nt_eigen(r, &w, theta);
    if (s != LS_STOP_NONE) break;
    double lmax = fmax(fabs(w.lam[0]), fabs(w.lam[P - 1]));
    double cut = 16 * DBL_EPSILON * lmax; /* eigenvalue rounding level */
    double mu_min = cut * cut;
    if (mu < 0) mu = mu_min;
    double phi = 0;
    for (size_t i = 0; i < P; i++) phi += w.gt[i] * w.gt[i];
    int accepted = 0;
    for (int rej = 0; !accepted; rej++) {
      if (rej >= NT_MAX_REJECT || delta < 1e-300 || mu > 1e300 * fmax(lmax * lmax, 1e-300)) {
        snprintf(r->res->message, sizeof r->res->message,
                 "Newton: no acceptable step at gradient %.3g (rounding level reached)", gn);
        s = LS_STOP_STALL;
        break;
      }
      if (ls_run_time_left(r) <= 0) {
        s = LS_STOP_TIME;
        break;
      }
      double ft, gnt;
      if (critical) {
        double phi_pred = lm_step(&w, mu);
        nt_to_params(&w);
        if (nt_trial(r, &w, theta, &ft, &gnt)) {
          mu = fmax(4 * mu, 1e-12 * lmax * lmax);
          continue;
        }
        double phit = 0;
        for (size_t i = 0; i < P; i++) phit += w.gtrial[i] * w.gtrial[i];
        double rho = phi > phi_pred ? (phi - phit) / (phi - phi_pred) : 0;
        if (phit < phi) {
          accepted = 1;
          if (rho > 0.75) mu = fmax(mu / 4, mu_min);
          else if (rho < 0.25) mu *= 4;
        } else {
          mu = fmax(4 * mu, 1e-12 * lmax * lmax);
        }
      } else {
        double pred = tr_step(&w, delta, cut);
        nt_to_params(&w);
        double pn = ls_norm2(P, w.p);
        if (nt_trial(r, &w, theta, &ft, &gnt)) {
          delta = 0.25 * pn;
          continue;
        }
        accepted = ls_newton_judge(r, f, ft, gn, gnt, pred, pn, &delta);
      }
      if (accepted) {
        nt_accept(&w, theta);
        f = ft, gn = gnt;
        s = ls_run_observe(r, theta, f, gn);
      }
    }
  }
  nt_free(&w);
  return s;
}
