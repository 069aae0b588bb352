/* Theorems 1 and 2 of the thesis (Stoican 2022, section 6.2.5, "Applying the Theorems"):
 * a local minimum within a computable distance of a saddle x*, from third- and fourth-order
 * directional derivatives.
 *
 *   Theorem 1 (index 1). With the cone K = {u : |u| = 1, u^T H u <= 0} (figure 6.12),
 *     B = min_{u in K} max{D3(u), D3(-u)} = min_{u in K} |D3(u)|   (D3 is odd in u),
 *     if B > 0, D4(xi)(u) >= 0 for |xi - x*| < R and all unit u, and -3 lambda_min / B <= R,
 *     a local minimum lies within -3 lambda_min / B of x*.
 *   Theorem 2 (any index). If D4(xi)(u) >= delta > 0 for |xi - x*| < R and all unit u, and
 *     B = min_{|u| = 1} D3(u), r = (2/delta)(sqrt(B^2 - 3 lambda_min delta) - B) <= R,
 *     a local minimum lies within r of x*.
 * Here D3(x)(u) = d^3/dt^3 L(x + t u) and D4(x)(u) = d^4/dt^4 L(x + t u) at t = 0, taken as
 * central differences of q(t) = u^T H(x + t u) u (exact Hessian-vector products):
 *   D3 = (q(h) - q(-h)) / 2h,   D4 = (q(h) - 2 q(0) + q(-h)) / h^2.
 * The minima over u and xi are taken over sampled directions and points: a sampled B is an
 * upper bound of the true one and a sampled min D4 an upper bound of the true infimum, so a
 * hypothesis found violated is violated (up to the difference error), while one found to
 * hold is only not refuted by the samples; the radii are then estimates, not certificates.
 *
 * A symmetry-induced saddle line theta(mu) (two units with equal incoming weights and
 * outgoing weights mu a, (1 - mu) a) has L constant along its direction e, so e is in K
 * with D3(e) = D4(e) = 0: B = 0 and inf D4 <= 0, and neither theorem can apply at any point
 * of the line. The flat direction is tested explicitly (line_*). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/paths.h"
#include "landsym/rng.h"

void ls_saddle_thm_opts_default(ls_saddle_thm_opts *o) {
  o->n_dirs = 400;
  o->n_points = 8;
  o->h = 1e-3;
  o->eig_tol = 1e-8;
  o->seed = 1;
  o->line = NULL;
}

void ls_saddle_thm_result_free(ls_saddle_thm_result *r) {
  if (!r) return;
  free(r->eig), free(r->evec);
  memset(r, 0, sizeof *r);
}

typedef struct {
  const ls_net *net;
  const ls_data *d;
  size_t P;
  double *xt, *Hu;
  ls_work *w;
} thm_ctx;

/* q(t) = u^T H(x + t u) u */
static ls_status qval(thm_ctx *c, const double *x, const double *u, double t, double *q) {
  for (size_t i = 0; i < c->P; i++) c->xt[i] = x[i] + t * u[i];
  ls_status st = ls_hvp(c->net, c->d, c->xt, u, c->Hu, c->w);
  double s = 0;
  for (size_t i = 0; i < c->P; i++) s += u[i] * c->Hu[i];
  *q = s;
  return st;
}

/* Third and fourth directional derivatives of L at x along unit u. */
static ls_status d34(thm_ctx *c, const double *x, const double *u, double h, double *d3, double *d4) {
  double qp = NAN, q0 = NAN, qm = NAN;
  ls_status st = qval(c, x, u, h, &qp);
  if (!st) st = qval(c, x, u, 0, &q0);
  if (!st) st = qval(c, x, u, -h, &qm);
  if (d3) *d3 = (qp - qm) / (2 * h);
  if (d4) *d4 = (qp - 2 * q0 + qm) / (h * h);
  return st;
}

static void normalize(size_t P, double *u) {
  double s = 0;
  for (size_t i = 0; i < P; i++) s += u[i] * u[i];
  s = sqrt(s);
  if (s > 0)
    for (size_t i = 0; i < P; i++) u[i] /= s;
}

/* Smallest sampled fourth directional derivative D4 over the ball of radius R around x:
 * n_points points drawn uniformly in the ball, 16 random unit directions at each (u, xi
 * are work vectors of length P). *m is lowered to the minimum found; R <= 0 samples
 * nothing. */
static ls_status d4_min_in_ball(thm_ctx *c, const double *x, double R, int n_points, double h,
                                ls_rng *rs, double *u, double *xi, double *m) {
  size_t P = c->P;
  for (int p = 0; p < n_points && R > 0; p++) {
    for (size_t i = 0; i < P; i++) u[i] = ls_rng_normal(rs);
    normalize(P, u);
    double rad = R * pow(ls_rng_uniform(rs), 1.0 / (double)P);
    for (size_t i = 0; i < P; i++) xi[i] = x[i] + rad * u[i];
    for (int k = 0; k < 16; k++) {
      for (size_t i = 0; i < P; i++) u[i] = ls_rng_normal(rs);
      normalize(P, u);
      double d4;
      ls_status st = d34(c, xi, u, h, NULL, &d4);
      if (st) return st;
      *m = fmin(*m, d4);
    }
  }
  return LS_OK;
}

ls_status ls_saddle_theorems(const ls_net *net, const ls_data *d, const double *x,
                             const ls_saddle_thm_opts *o, ls_saddle_thm_result *r,
                             ls_error *err) {
  memset(r, 0, sizeof *r);
  size_t P = ls_net_nparams(net);
  if (o->n_dirs < 1 || !(o->h > 0) || o->n_points < 0)
    return ls_error_set(err, LS_ERR_INPUT, "saddle theorems: need n_dirs >= 1, h > 0, n_points >= 0");
  thm_ctx c = {net, d, P, malloc(P * sizeof(double)), malloc(P * sizeof(double)), ls_work_alloc(net, d->n)};
  double *H = malloc(P * P * sizeof *H), *u = malloc(P * sizeof *u), *xi = malloc(P * sizeof *xi);
  r->eig = malloc(P * sizeof *r->eig), r->evec = malloc(P * P * sizeof *r->evec);
  r->P = P;
  ls_status st = LS_OK;
  if (!c.xt || !c.Hu || !c.w || !H || !u || !xi || !r->eig || !r->evec) {
    st = ls_error_set(err, LS_ERR_NOMEM, "saddle theorems: out of memory");
    goto done;
  }
  if ((st = ls_hessian(net, d, x, H, c.w))) {
    ls_error_set(err, st, "saddle theorems: Hessian not finite");
    goto done;
  }
  if ((st = ls_eig_sym(P, H, r->eig, r->evec, err))) goto done;
  double emax = fmax(fabs(r->eig[0]), fabs(r->eig[P - 1])), ztol = o->eig_tol * fmax(emax, 1e-300);
  for (size_t i = 0; i < P; i++) {
    if (r->eig[i] < -ztol) r->index++;
    else if (r->eig[i] <= ztol) r->n_zero++;
  }
  r->lambda_min = r->eig[0];
  /* first eigenvalue above the zero band: the partner axis of figure 6.12's plane */
  r->lambda_pos = NAN;
  for (size_t i = 0; i < P; i++)
    if (r->eig[i] > ztol) {
      r->lambda_pos = r->eig[i], r->pos_index = (int)i;
      break;
    }
  /* the flat direction of a saddle line */
  r->line_d3 = r->line_d4 = r->line_loss_change = NAN;
  if (o->line) {
    memcpy(u, o->line, P * sizeof *u);
    normalize(P, u);
    double q0, L0, L1;
    if ((st = d34(&c, x, u, o->h, &r->line_d3, &r->line_d4)) || (st = qval(&c, x, u, 0, &q0))) goto done;
    r->line_curv = q0;
    for (size_t i = 0; i < P; i++) xi[i] = x[i] + 0.1 * u[i];
    if ((st = ls_loss(net, d, x, &L0, c.w)) || (st = ls_loss(net, d, xi, &L1, c.w))) goto done;
    r->line_loss_change = fabs(L1 - L0);
  }
  if (r->index == 0) {
    snprintf(r->why1, sizeof r->why1, "not a saddle: no negative eigenvalue");
    snprintf(r->why2, sizeof r->why2, "not a saddle: no negative eigenvalue");
    goto done;
  }
  /* sampled directions: eigenvectors, then random cone directions (Theorem 1) and random
   * unit directions (Theorem 2's B and the D4 condition) */
  ls_rng rs;
  ls_rng_seed(&rs, o->seed);
  r->B1 = INFINITY, r->B2 = INFINITY, r->d4_min_x = INFINITY, r->max_abs_d3 = 0;
  int n_cone = 0;
  for (int k = 0; k < o->n_dirs + (int)P; k++) {
    if (k < (int)P) {
      for (size_t i = 0; i < P; i++) u[i] = r->evec[i * P + (size_t)k];
    } else if (k % 2 == 0) {
      /* a cone direction: coordinates c_i on the eigenvectors, Gaussian on the negative and
       * zero ones, then the positive part scaled so that sum lambda_i c_i^2 <= 0 */
      double neg = 0, pos = 0, cc[4096];
      size_t np = P < 4096 ? P : 4096;
      for (size_t i = 0; i < np; i++) {
        cc[i] = ls_rng_normal(&rs);
        if (r->eig[i] <= ztol) neg += -r->eig[i] * cc[i] * cc[i];
        else pos += r->eig[i] * cc[i] * cc[i];
      }
      double s = pos > 0 ? sqrt(fmax(neg, 0) / pos) * ls_rng_uniform(&rs) : 1;
      for (size_t i = 0; i < np; i++)
        if (r->eig[i] > ztol) cc[i] *= s;
      for (size_t j = 0; j < P; j++) {
        double v = 0;
        for (size_t i = 0; i < np; i++) v += r->evec[j * P + i] * cc[i];
        u[j] = v;
      }
    } else {
      for (size_t i = 0; i < P; i++) u[i] = ls_rng_normal(&rs);
    }
    normalize(P, u);
    double d3, d4, q0;
    if ((st = d34(&c, x, u, o->h, &d3, &d4)) || (st = qval(&c, x, u, 0, &q0))) goto done;
    r->max_abs_d3 = fmax(r->max_abs_d3, fabs(d3));
    r->B2 = fmin(r->B2, fmin(d3, -d3)); /* D3 odd: u and -u both sampled */
    r->d4_min_x = fmin(r->d4_min_x, d4);
    if (q0 <= ztol) {
      n_cone++;
      r->B1 = fmin(r->B1, fabs(d3));
    }
  }
  if (o->line && r->line_curv <= ztol) r->B1 = fmin(r->B1, fabs(r->line_d3)), n_cone++;
  if (o->line) r->d4_min_x = fmin(r->d4_min_x, r->line_d4);
  r->n_cone = n_cone;
  /* the D4 condition on points of the ball: radius r1 for Theorem 1 (when finite) */
  double btol = 1e-6 * fmax(r->max_abs_d3, 1e-300);
  r->r1 = r->B1 > btol ? -3 * r->lambda_min / r->B1 : INFINITY;
  r->d4_min_ball = r->d4_min_x;
  double R = isfinite(r->r1) ? r->r1 : 0;
  if ((st = d4_min_in_ball(&c, x, R, o->n_points, o->h, &rs, u, xi, &r->d4_min_ball)))
    goto done;
  /* decisions */
  double d4tol = 1e-6 * fmax(fabs(r->d4_min_x), 1e-300);
  /* every failed hypothesis of Theorem 1 is named, in the theorem's order */
  int n1 = 0;
  r->why1[0] = 0;
  if (r->index != 1)
    n1 += snprintf(r->why1 + strlen(r->why1), sizeof r->why1 - strlen(r->why1), "index %d, not 1",
                   r->index) > 0;
  if (!(r->B1 > btol))
    n1 += snprintf(r->why1 + strlen(r->why1), sizeof r->why1 - strlen(r->why1),
                   "%sB = %.2e: a cone direction with zero third derivative%s", n1 ? "; " : "",
                   r->B1, o->line && fabs(r->line_d3) <= btol ? " (the saddle line)" : "") > 0;
  if (r->d4_min_ball < -d4tol)
    n1 += snprintf(r->why1 + strlen(r->why1), sizeof r->why1 - strlen(r->why1),
                   "%sfourth derivative %.2e < 0 %s", n1 ? "; " : "", r->d4_min_ball,
                   isfinite(r->r1) ? "within the radius" : "at the saddle") > 0;
  if (!n1) {
    r->thm1 = 1;
    snprintf(r->why1, sizeof r->why1, "hypotheses hold on the samples: radius %.3e", r->r1);
  }
  r->delta = r->d4_min_x;
  if (!(r->delta > 0)) {
    r->r2 = INFINITY;
    snprintf(r->why2, sizeof r->why2, "fourth derivative %.2e <= 0 at the saddle%s", r->delta,
             o->line && r->line_d4 <= r->delta ? " (along the saddle line)" : "");
  } else {
    r->r2 = 2 / r->delta * (sqrt(r->B2 * r->B2 - 3 * r->lambda_min * r->delta) - r->B2);
    /* the D4 >= delta condition on points of the ball of that radius */
    double m2 = INFINITY;
    if ((st = d4_min_in_ball(&c, x, r->r2, o->n_points, o->h, &rs, u, xi, &m2))) goto done;
    if (m2 < r->delta) {
      snprintf(r->why2, sizeof r->why2, "fourth derivative %.2e below delta = %.2e within the radius",
               m2, r->delta);
    } else {
      r->thm2 = 1;
      snprintf(r->why2, sizeof r->why2, "hypotheses hold on the samples: radius %.3e", r->r2);
    }
  }
done:
  free(c.xt), free(c.Hu), free(H), free(u), free(xi);
  ls_work_free(c.w);
  return st;
}
