/* The valley test of a flat critical point (include/landsym/certify.h, "Valley").
 *
 * At a certified critical point x whose Hessian has, besides the expansion manifold's
 * zero eigenvalues, nE more below the zero level thr = eig_tol max|lambda| and none
 * negative, the thesis's higher-order test (Stoican 2022 section 6.2.5, Theorems 1-2)
 * works on straight lines x + t u. Where the set of low loss is a curved valley, the cubic
 * term along the straight line is large while the loss along the valley is nearly
 * quadratic, and Theorem 2's radius says nothing. This test works on the valley instead:
 *   - the stiff directions S (eigenvalues above thr, so the block S^T H S is positive
 *     definite) are eliminated: y(t) = argmin over s of L(x + E t + S s), by Newton's
 *     method on S (the implicit function theorem makes y(t) a smooth curve near x);
 *   - the valley's loss L_v(t) = L(y(t)) has the gradient E^T grad L(y(t)) (envelope
 *     theorem: the S part of the gradient is zero on the valley), computed exactly, and
 *     the Hessian C read off the loss by central second differences at step h (cubic
 *     terms cancel; rounding of the loss, about u L, costs u L / h^2);
 *   - Newton's method on L_v moves x to the valley's stationary point (a critical point
 *     of L: both gradient parts are zero there), quadratically convergent when C > 0;
 *   - h = 1e-2 max(1, |x|_inf), quartered while the stiff Newton fails at a step of h;
 *   - at that point C is measured again at steps h, h/2, h/4: the three smallest
 *     eigenvalues must be positive and agree within 10% (rounding would grow 16-fold
 *     from h to h/4, the quartic remainder fall 16-fold: neither is what is measured).
 * Then the point is a strict local minimum: the Hessian is positive definite (its Schur
 * complement on the extra kernel is C), with the smallest curvature resolved on the loss
 * where the eigenvalue solver's error (about P u max|lambda|) hides it. The certified
 * point's loss and its distance from x are reported: a valley that descends further than
 * 0.1 max(1, |x|_inf) (a channel to infinity, for instance) fails the test. */
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "sym/valley.h"

enum {
  VALLEY_MAX_DIM = 6,  /* extra kernel dimensions tested (C costs 2 nE^2 valley points) */
  VALLEY_MAX_P = 400,  /* parameters (a dense Hessian per valley Newton step) */
  VALLEY_NEWTON = 40,  /* Newton steps on L_v (linear convergence: C is a difference quotient) */
  VALLEY_INNER = 30    /* Newton steps on the stiff directions per valley point */
};

typedef struct {
  const ls_net *net;
  const ls_data *d;
  size_t P;
  int nS, nE;
  double *S;          /* nS x P rows: the stiff eigenvectors */
  const double *E;    /* nE x P rows: the extra kernel */
  double gtol;        /* stiff gradient reached: 4 x the rounding bound at x */
  ls_work *w;
  double *g, *H, *HS, *Hs, *rhs, *t;
  ls_error *err;
} valley;

static double dotp(size_t n, const double *a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* y = the valley point over xc + E t (*loss its loss, v->g its gradient). 0 on success,
 * 1 when the stiff block is not positive definite or Newton does not reach v->gtol,
 * -1 when an evaluation fails. */
static int valley_point(valley *v, const double *xc, const double *t, double *y, double *loss) {
  size_t P = v->P;
  int nS = v->nS;
  memcpy(y, xc, P * sizeof *y);
  for (int j = 0; j < v->nE; j++)
    for (size_t i = 0; i < P; i++) y[i] += t[j] * v->E[(size_t)j * P + i];
  for (int k = 0; k < VALLEY_INNER; k++) {
    if (ls_loss_grad(v->net, v->d, y, loss, v->g, v->w)) return -1;
    double gmax = 0;
    for (int a = 0; a < nS; a++) {
      v->rhs[a] = dotp(P, v->S + (size_t)a * P, v->g);
      gmax = fmax(gmax, fabs(v->rhs[a]));
    }
    if (gmax <= v->gtol) return 0;
    if (ls_hessian(v->net, v->d, y, v->H, v->w)) return -1;
    for (size_t i = 0; i < P; i++) /* HS = H S^T (P x nS) */
      for (int a = 0; a < nS; a++) v->HS[i * nS + a] = dotp(P, v->H + i * P, v->S + (size_t)a * P);
    for (int a = 0; a < nS; a++)
      for (int b = 0; b < nS; b++) {
        double s = 0;
        for (size_t i = 0; i < P; i++) s += v->S[(size_t)a * P + i] * v->HS[i * nS + b];
        v->Hs[a * nS + b] = s;
      }
    if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', nS, 1, v->Hs, nS, v->rhs, 1) != 0) return 1;
    for (int a = 0; a < nS; a++)
      for (size_t i = 0; i < P; i++) y[i] -= v->rhs[a] * v->S[(size_t)a * P + i];
  }
  return 1;
}

/* C = the valley's Hessian at xc (loss L0 there) by central second differences at step h
 * (nE x nE, row-major). Returns as valley_point. */
static int profile(valley *v, const double *xc, double L0, double h, double *C, double *y) {
  int nE = v->nE;
  double *t = v->t;
  for (int i = 0; i < nE; i++) {
    double Lp, Lm;
    memset(t, 0, (size_t)nE * sizeof *t);
    int r;
    t[i] = h;
    if ((r = valley_point(v, xc, t, y, &Lp))) return r;
    t[i] = -h;
    if ((r = valley_point(v, xc, t, y, &Lm))) return r;
    C[i * nE + i] = (Lp + Lm - 2 * L0) / (h * h);
    for (int j = 0; j < i; j++) {
      static const double sg[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
      double Lq[4];
      for (int q = 0; q < 4; q++) {
        memset(t, 0, (size_t)nE * sizeof *t);
        t[i] = sg[q][0] * h, t[j] = sg[q][1] * h;
        if ((r = valley_point(v, xc, t, y, &Lq[q]))) return r;
      }
      C[i * nE + j] = C[j * nE + i] = (Lq[0] - Lq[1] - Lq[2] + Lq[3]) / (4 * h * h);
    }
  }
  return 0;
}

/* Smallest eigenvalue of C and, when step != NULL, the Newton step -C^-1 c (C > 0). */
static ls_status newton_step(int nE, const double *C, const double *c, double *gmin, double *step,
                             ls_error *err) {
  double ev[VALLEY_MAX_DIM], Q[VALLEY_MAX_DIM * VALLEY_MAX_DIM];
  ls_status st = ls_eig_sym((size_t)nE, C, ev, Q, err);
  if (st) return st;
  *gmin = ev[0];
  if (!step || !(ev[0] > 0)) return LS_OK;
  for (int i = 0; i < nE; i++) step[i] = 0;
  for (int k = 0; k < nE; k++) {
    double p = 0;
    for (int i = 0; i < nE; i++) p += Q[i * nE + k] * c[i];
    for (int i = 0; i < nE; i++) step[i] -= Q[i * nE + k] * p / ev[k];
  }
  return LS_OK;
}

/* Newton's method on L_v from x (scale = max(1, |x|_inf)) with difference step h; then the curvature at h, h/2, h/4.
 * Returns 0 (certified, m filled), 1 (not certified, m->reason says why), 2 (the stiff
 * directions could not follow a step of h: worth a smaller h) or -1 (evaluation failed). */
static int run(valley *v, const double *x, double mx, double scale, double h, double *xc,
               double *y, ls_min_cert *m) {
  size_t P = v->P;
  int nE = v->nE;
  double C[VALLEY_MAX_DIM * VALLEY_MAX_DIM], c[VALLEY_MAX_DIM], step[VALLEY_MAX_DIM];
  double L0, Lx, gmin = 0;
  int r, it;
  memset(v->t, 0, (size_t)nE * sizeof *v->t);
  if ((r = valley_point(v, x, v->t, xc, &L0))) goto stiff;
  Lx = L0;
  for (it = 0; it < VALLEY_NEWTON; it++) {
    for (int j = 0; j < nE; j++) c[j] = dotp(P, v->E + (size_t)j * P, v->g);
    if ((r = profile(v, xc, L0, h, C, y))) goto stiff;
    if (newton_step(nE, C, c, &gmin, step, v->err)) return -1;
    if (!(gmin > 0)) {
      snprintf(m->reason, sizeof m->reason,
               "%d extra zero directions: the valley's curvature %.2e (relative) is not "
               "positive", nE, gmin / mx);
      return 1;
    }
    double sn = 0;
    for (int j = 0; j < nE; j++) sn = fmax(sn, fabs(step[j]));
    if ((r = valley_point(v, xc, step, y, &L0))) goto stiff;
    memcpy(xc, y, P * sizeof *y);
    if (ls_dist_inf(P, xc, x) > 0.1 * scale) {
      snprintf(m->reason, sizeof m->reason,
               "%d extra zero directions: the valley descends more than %.2g from the point "
               "(loss %.10g after %d Newton steps)", nE, 0.1 * scale, L0, it + 1);
      return 1;
    }
    if (sn <= 1e-6 * h) break;
  }
  if (it == VALLEY_NEWTON) {
    snprintf(m->reason, sizeof m->reason,
             "%d extra zero directions: Newton's method on the valley did not converge in %d "
             "steps (%.3g away, loss %.10g)", nE, VALLEY_NEWTON, ls_dist_inf(P, xc, x), L0);
    return 1;
  }
  double g3[3];
  for (int k = 0; k < 3; k++) {
    if ((r = profile(v, xc, L0, h / (1 << k), C, y))) goto stiff;
    if (newton_step(nE, C, c, &g3[k], NULL, v->err)) return -1;
  }
  double spread = fmax(fabs(g3[1] - g3[0]), fabs(g3[2] - g3[0]));
  if (!(g3[0] > 0 && g3[1] > 0 && g3[2] > 0 && spread <= 0.1 * g3[0])) {
    snprintf(m->reason, sizeof m->reason,
             "%d extra zero directions: the valley's curvature is not resolved (%.3e, %.3e, "
             "%.3e relative at steps %.2g, /2, /4)", nE, g3[0] / mx, g3[1] / mx, g3[2] / mx, h);
    return 1;
  }
  double gx = 0;
  (void)valley_point(v, xc, (double[VALLEY_MAX_DIM]){0}, y, &L0);
  for (size_t i = 0; i < P; i++) gx = fmax(gx, fabs(v->g[i]));
  m->kind = LS_MINCERT_VALLEY;
  m->valley_curv = g3[0] / mx;
  m->valley_dist = ls_dist_inf(P, xc, x);
  m->valley_loss = L0;
  snprintf(m->reason, sizeof m->reason,
           "valley: %d extra directions; curvature %.3e relative (steps %.2g, /2, /4 within "
           "%.1f%%); minimum %.3g away (%d Newton steps); loss %.3e below the point's, "
           "gradient %.2e",
           nE, m->valley_curv, h, 100 * spread / g3[0], m->valley_dist, it + 1, Lx - L0, gx);
  return 0;
stiff:
  if (r < 0) return -1;
  snprintf(m->reason, sizeof m->reason,
           "%d extra zero directions: the stiff directions could not be brought to a gradient "
           "of %.2e along the valley", nE, v->gtol);
  return 2;
}

ls_status ls_valley_test(const ls_net *net, const ls_data *d, const double *x, const double *lam,
                         const double *V, double thr, const double *E, int nE, ls_min_cert *m,
                         ls_error *err) {
  size_t P = ls_net_nparams(net);
  if (nE < 1 || nE > VALLEY_MAX_DIM || P > VALLEY_MAX_P) return LS_OK;
  valley v = {.net = net, .d = d, .P = P, .nE = nE, .E = E, .err = err};
  for (size_t j = 0; j < P; j++) v.nS += lam[j] > thr;
  size_t nS = (size_t)v.nS;
  double mx = fmax(fabs(lam[0]), fabs(lam[P - 1])), bound;
  v.S = malloc((nS ? nS : 1) * P * sizeof *v.S);
  v.g = malloc(P * sizeof *v.g), v.H = malloc(P * P * sizeof *v.H);
  v.HS = malloc((nS ? nS : 1) * P * sizeof *v.HS), v.Hs = malloc((nS * nS + 1) * sizeof *v.Hs);
  v.rhs = malloc((nS + 1) * sizeof *v.rhs), v.t = malloc((size_t)nE * sizeof *v.t);
  v.w = ls_work_alloc(net, d->n);
  double *xc = malloc(P * sizeof *xc), *y = malloc(P * sizeof *y);
  ls_status st = LS_OK;
  if (!v.S || !v.g || !v.H || !v.HS || !v.Hs || !v.rhs || !v.t || !v.w || !xc || !y) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory (valley test, P = %zu)", P);
    goto done;
  }
  for (size_t j = 0, a = 0; j < P; j++)
    if (lam[j] > thr) {
      for (size_t i = 0; i < P; i++) v.S[a * P + i] = V[i * P + j];
      a++;
    }
  if ((st = ls_cert_grad_bound(net, d, x, 64, &bound, err))) goto done;
  v.gtol = 4 * bound;
  /* h = 1e-2 max(1, |x|_inf), or smaller (down to 1e-7 max(1, |x|_inf)) when the stiff directions
   * cannot follow a step of h along the kernel (a kernel direction that moves a channel's
   * closely spaced incoming weights, for instance) */
  double scale = 1;
  int r = 2;
  for (size_t i = 0; i < P; i++) scale = fmax(scale, fabs(x[i]));
  for (double h = 1e-2 * scale; r == 2 && h >= 1e-7 * scale; h /= 4)
    r = run(&v, x, mx > 0 ? mx : 1, scale, h, xc, y, m);
  if (r < 0) {
    const ls_error *we = ls_work_error(v.w);
    st = we->code ? ls_error_set(err, we->code, "certify: valley test: %s", we->msg)
                  : ls_error_set(err, LS_ERR_COMPUTE, "certify: valley test: evaluation failed");
  }
done:
  free(v.S), free(v.g), free(v.H), free(v.HS), free(v.Hs), free(v.rhs), free(v.t), free(xc), free(y);
  ls_work_free(v.w);
  return st;
}
