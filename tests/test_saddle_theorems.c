/* Theorems 1 and 2 of the thesis (section 6.2.5) as ls_saddle_theorems applies them:
 * - the third and fourth directional derivatives (central differences of exact HVPs)
 *   against five-point stencils of the loss itself along the same line;
 * - at a symmetry-induced critical point (a critical point of a narrower network with one
 *   unit duplicated, outgoing weights split 0.3 / 0.7) the loss is constant along the
 *   saddle line, D3 = D4 = 0 there, so B = 0 and neither theorem applies;
 * - the cone directions sampled for Theorem 1 satisfy u^T H u <= 0 (checked through the
 *   count against the closed form of the cone in the eigenbasis);
 * - bad options are refused. */
#include "check.h"
#include "landsym/paths.h"
#include "sym_util.h"

static double loss_at(const ls_net *net, const ls_data *d, const double *x, const double *u,
                      double t) {
  size_t P = ls_net_nparams(net);
  double *y = malloc(P * sizeof *y), L;
  for (size_t i = 0; i < P; i++) y[i] = x[i] + t * u[i];
  ls_work *w = ls_work_alloc(net, d->n);
  ls_loss(net, d, y, &L, w);
  ls_work_free(w);
  free(y);
  return L;
}

int main(void) {
  ls_rng rs;
  ls_rng_seed(&rs, 77);
  ls_net teacher, net;
  int tw[3] = {2, 3, 1}, sw[3] = {2, 2, 1};
  double *tt = su_random_net(&teacher, 2, tw, LS_ACT_TANH, 1, 1.5, &rs);
  ls_data d;
  su_teacher_data(&d, 60, &teacher, tt, &rs);

  /* 1. D3, D4 along a direction at a generic point: the options' `line` */
  double *x = su_random_net(&net, 2, tw, LS_ACT_TANH, 1, 0.8, &rs);
  size_t P = ls_net_nparams(&net);
  double *u = malloc(P * sizeof *u), nu = 0;
  for (size_t i = 0; i < P; i++) u[i] = ls_rng_normal(&rs), nu += u[i] * u[i];
  for (size_t i = 0; i < P; i++) u[i] /= sqrt(nu);
  ls_saddle_thm_opts o;
  ls_saddle_thm_opts_default(&o);
  o.line = u;
  ls_saddle_thm_result r;
  ls_error err;
  ls_status st = ls_saddle_theorems(&net, &d, x, &o, &r, &err);
  double h = 2e-2, f[5];
  for (int k = 0; k < 5; k++) f[k] = loss_at(&net, &d, x, u, (k - 2) * h);
  double d3 = (f[4] - 2 * f[3] + 2 * f[1] - f[0]) / (2 * h * h * h);
  double d4 = (f[4] - 4 * f[3] + 6 * f[2] - 4 * f[1] + f[0]) / (h * h * h * h);
  CHECK(!st && check_rel(r.line_d3, d3, 1e-3) < 2e-3 && check_rel(r.line_d4, d4, 1e-3) < 2e-3,
        "D3 = %.6e, D4 = %.6e from Hessian-vector products; five-point stencils of the loss "
        "%.6e, %.6e", r.line_d3, r.line_d4, d3, d4);
  ls_saddle_thm_result_free(&r);
  free(x);

  /* 2. a symmetry-induced critical point: a critical point of the width-2 network, unit 0
   * duplicated with outgoing weights 0.3 a and 0.7 a */
  ls_net nr;
  double *xr = su_random_net(&nr, 2, sw, LS_ACT_TANH, 1, 0.8, &rs);
  double gn = su_find_critical(&nr, &d, xr, 3000);
  int k[2] = {2, 1}, perm[3] = {0, 1, 2};
  double beta[3] = {0.3, 0.7, 1.0};
  ls_sym_expand_spec sp;
  ls_sym_expand_spec_default(&sp, 1, 3);
  sp.k = k, sp.n_zero = 0, sp.beta = beta, sp.perm = perm, sp.random_perm = 0;
  ls_net nm;
  double *xm = NULL;
  st = ls_sym_expand_layer(&nr, xr, &sp, 1, &nm, &xm, NULL, &err);
  /* saddle line direction: units 0 and 1 are the copies; move a from unit 1 to unit 0 */
  double *e = calloc(P, sizeof *e);
  size_t off = ls_net_w_offset(&nm, 2);
  double a = st ? 0 : xm[off] + xm[off + 1];
  e[off] = a, e[off + 1] = -a;
  o.line = e;
  if (!st) st = ls_saddle_theorems(&nm, &d, xm, &o, &r, &err);
  CHECK(!st && gn < 1e-8 && r.line_loss_change < 1e-15 && fabs(r.line_d3) < 1e-9 &&
            fabs(r.line_d4) < 1e-9 && fabs(r.line_curv) < 1e-12 && !r.thm1 && !r.thm2,
        "symmetry-induced critical point (gradient %.1e before duplication, index %d, %d zero "
        "eigenvalues): along the saddle line loss change %.1e, e^T H e = %.1e, D3 = %.1e, D4 = "
        "%.1e; Theorem 1: %s; Theorem 2: %s",
        gn, r.index, r.n_zero, r.line_loss_change, r.line_curv, r.line_d3, r.line_d4, r.why1, r.why2);
  if (r.index >= 1)
    CHECK(r.B1 == 0 && r.n_cone > 0, "index %d: B over %d cone directions = %.1e (the saddle line "
          "is one of them)", r.index, r.n_cone, r.B1);
  else
    CHECK(strstr(r.why1, "no negative eigenvalue") != NULL, "index 0: reported as not a saddle (%s)",
          r.why1);
  ls_saddle_thm_result_free(&r);

  /* 3. bad options */
  o.n_dirs = 0;
  st = ls_saddle_theorems(&nm, &d, xm, &o, &r, &err);
  CHECK(st == LS_ERR_INPUT, "n_dirs = 0 is refused (%s)", err.msg);
  ls_saddle_thm_result_free(&r);
  free(xm), free(xr), free(e), free(u), free(tt);
  ls_data_free(&d);
  return check_done();
}
