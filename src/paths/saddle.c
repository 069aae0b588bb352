/* The nearest symmetry-induced saddle line of a converged run: thesis (Stoican 2022)
 * section 6.2.5 and 6.3.2: penalty merge of the two closest units, reduce by one unit,
 * second-order re-optimisation of the narrow network, duplicate back into the line
 * theta(mu) of critical points (Fukumizu-Amari; thesis section 6.2.6, Theorem 3) and
 * compare with the split test's inertia prediction (include/landsym/split.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/paths.h"
#include "landsym/split.h"
#include "landsym/sym.h"

void ls_saddle_opts_default(ls_saddle_opts *o) {
  memset(o, 0, sizeof *o);
  o->layer = 1;
  o->lambda_min = 1e-3, o->lambda_max = 1e6;
  o->lambda_steps = 30;
  o->mu = -1;
  o->grad_tol = 1e-12;
  o->eig_tol = 1e-10;
}

void ls_saddle_result_free(ls_saddle_result *r) {
  if (!r) return;
  free(r->reduced), free(r->saddle), free(r->eig_saddle);
  memset(r, 0, sizeof *r);
}

/* Penalty merge: minimise L + lambda ||theta_l - theta_m||^2 for log-spaced lambda
 * (warm-started LBFGS), so the two units meet while the rest follows at low loss. */
static ls_status penalty_merge(const ls_net *net, const ls_data *data, double *theta,
                               const ls_saddle_opts *o, int k, int l, int m, ls_error *err) {
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_LBFGS, 20, 1e-15);
  to.penalty.merge_layer = k, to.penalty.merge_i = l, to.penalty.merge_j = m;
  int n = o->lambda_steps > 1 ? o->lambda_steps : 2;
  for (int s = 0; s < n; s++) {
    to.penalty.merge_lambda = o->lambda_min * pow(o->lambda_max / o->lambda_min, s / (n - 1.0));
    ls_train_result r = {0};
    ls_status st = ls_train(net, data, theta, &to, &r, err);
    ls_train_result_free(&r);
    if (st) return st;
  }
  return LS_OK;
}

static ls_status newton_min(const ls_net *net, const ls_data *data, double *theta, double gtol,
                            double *grad_inf, double *loss, ls_error *err) {
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_NEWTON, 20000, gtol);
  /* critical-point mode: converge to the nearest critical point, which does not wander
   * along the nearly flat valleys of the narrow network as a minimiser may */
  to.newton_critical = 1;
  ls_train_result r = {0};
  ls_status st = ls_train(net, data, theta, &to, &r, err);
  *grad_inf = r.grad_norm, *loss = r.loss;
  ls_train_result_free(&r);
  return st;
}

/* mu minimising ||lift(mu) - start||: only the outgoing weights of l and m depend on mu,
 * a_l = mu a, a_m = (1 - mu) a, so mu = (a.(a_l - a_m) + a.a) / (2 a.a). */
static double nearest_mu(const ls_net *net, const double *start, const double *lifted, int k,
                         int l, int m) {
  int w = net->width[k];
  const double *As = start + ls_net_w_offset(net, k + 1);
  const double *Al = lifted + ls_net_w_offset(net, k + 1);
  double aa = 0, ad = 0;
  for (int r = 0; r < net->width[k + 1]; r++) {
    double a = Al[(size_t)r * w + l] + Al[(size_t)r * w + m];
    aa += a * a;
    ad += a * (As[(size_t)r * w + l] - As[(size_t)r * w + m]);
  }
  return aa > 0 ? (ad + aa) / (2 * aa) : 0.5;
}

ls_status ls_saddle_find(const ls_net *net, const ls_data *data, const double *theta,
                         const ls_saddle_opts *opts, ls_saddle_result *r, ls_error *err) {
  if (ls_net_require_plain(net, "saddle_find", err)) return LS_ERR_INPUT;
  ls_saddle_opts o;
  if (opts) o = *opts;
  else ls_saddle_opts_default(&o);
  memset(r, 0, sizeof *r);
  int k = o.layer > 0 ? o.layer : 1;
  size_t P = ls_net_nparams(net);
  ls_status st = ls_path_pick_pair(net, theta, k, 0, &r->l, &r->m, err);
  if (st) return st;
  r->layer = k, r->P = P;
  r->pair_distance = ls_path_unit_distance(net, theta, k, r->l, r->m);
  double *t = malloc(P * sizeof *t), *H = NULL, *Y = NULL, *U = NULL, *er = NULL;
  r->saddle = malloc(P * sizeof *r->saddle);
  r->eig_saddle = malloc(P * sizeof *r->eig_saddle);
  if (!t || !r->saddle || !r->eig_saddle) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  memcpy(t, theta, P * sizeof *t);
  ls_work *w = ls_work_alloc(net, data->n);
  if (!w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto done;
  }
  st = ls_loss(net, data, theta, &r->start_loss, w);
  ls_work_free(w);
  if (st) goto done;
  /* 1. penalty merge of the two closest units */
  st = penalty_merge(net, data, t, &o, k, r->l, r->m, err);
  if (st) goto done;
  /* 2. reduce by one unit, 3. second-order re-optimisation */
  st = ls_path_merge_units(net, t, k, r->l, r->m, &r->reduced_net, &r->reduced, err);
  if (st) goto done;
  st = newton_min(&r->reduced_net, data, r->reduced, o.grad_tol, &r->reduced_grad,
                  &r->reduced_loss, err);
  if (st) goto done;
  /* 4. duplicate back into the saddle line, at the split nearest to the start */
  int lr = r->l - (r->m < r->l);
  st = ls_path_lift(&r->reduced_net, r->reduced, k, lr, 0.5, net, r->l, r->m, r->saddle, err);
  if (st) goto done;
  r->mu = o.mu == -1 ? nearest_mu(net, theta, r->saddle, k, r->l, r->m) : o.mu;
  st = ls_path_lift(&r->reduced_net, r->reduced, k, lr, r->mu, net, r->l, r->m, r->saddle, err);
  if (st) goto done;
  double dd = 0;
  for (size_t i = 0; i < P; i++) dd += (r->saddle[i] - theta[i]) * (r->saddle[i] - theta[i]);
  r->distance = sqrt(dd);
  /* spectra: the saddle point and the split test's prediction */
  double *g = malloc(P * sizeof *g);
  w = ls_work_alloc(net, data->n);
  if (!g || !w) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = ls_loss_grad(net, data, r->saddle, &r->saddle_loss, g, w);
  if (!st) {
    double gi = 0;
    for (size_t i = 0; i < P; i++) gi = fmax(gi, fabs(g[i]));
    r->saddle_grad = gi;
  }
  free(g), ls_work_free(w);
  if (!st) st = ls_sym_hessian_eigs(net, data, r->saddle, r->eig_saddle, err);
  if (st) goto done;
  double mx = fmax(fabs(r->eig_saddle[0]), fabs(r->eig_saddle[P - 1]));
  r->inertia = ls_inertia_count(r->eig_saddle, (int)P, o.eig_tol * mx);
  int nin, nout;
  st = ls_split_dims(&r->reduced_net, k, lr, &nin, &nout, err);
  size_t Pr = ls_net_nparams(&r->reduced_net);
  if (!st) {
    Y = malloc((size_t)nin * nin * sizeof *Y), U = malloc((size_t)nin * nout * sizeof *U);
    er = malloc(Pr * sizeof *er);
    if (!Y || !U || !er) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  if (!st) st = ls_split_matrices(&r->reduced_net, data, r->reduced, k, lr, Y, U, err);
  if (!st) st = ls_sym_hessian_eigs(&r->reduced_net, data, r->reduced, er, err);
  if (!st) {
    double mr = fmax(fabs(er[0]), fabs(er[Pr - 1]));
    ls_inertia ir = ls_inertia_count(er, (int)Pr, o.eig_tol * mr), im;
    st = ls_split_predict(Y, U, nin, nout, r->mu, o.eig_tol * mx, &im, NULL, err);
    if (!st) r->predicted = ls_inertia_add(ir, im);
    /* degenerate local minimum near a saddle: the split test predicts no descent direction
     * at the start's split while the line has negative directions for other splits */
    ls_inertia other;
    double probe = r->mu > 0 && r->mu < 1 ? 2.0 : 0.5; /* the other side of [0, 1] */
    if (!st) st = ls_split_predict(Y, U, nin, nout, probe, o.eig_tol * mx, &other, NULL, err);
    if (!st)
      r->start_degenerate = r->predicted.neg == 0 && r->predicted.zero > 0 &&
                            ir.neg == 0 && other.neg > 0;
  }
done:
  free(t), free(H), free(Y), free(U), free(er);
  if (st) {
    free(r->reduced);
    r->reduced = NULL;
    ls_saddle_result_free(r);
  }
  return st;
}

/* A parameter vector and a work area for evaluating a slice, whose n points per axis must
 * be at least 2; the caller frees both, also on failure. */
static ls_status slice_setup(const ls_net *net, const ls_data *data, int n, double **x,
                             ls_work **w, ls_error *err) {
  *x = malloc(ls_net_nparams(net) * sizeof **x);
  *w = ls_work_alloc(net, data->n);
  if (!*x || !*w || n < 2)
    return ls_error_set(err, !*x || !*w ? LS_ERR_NOMEM : LS_ERR_INPUT,
                        "slice: out of memory or n < 2");
  return LS_OK;
}

ls_status ls_slice_1d(const ls_net *net, const ls_data *data, const double *a, const double *b,
                      double tmin, double tmax, int n, double *t, double *loss, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *x;
  ls_work *w;
  ls_status st = slice_setup(net, data, n, &x, &w, err);
  for (int i = 0; i < n && !st; i++) {
    t[i] = tmin + (tmax - tmin) * i / (n - 1.0);
    for (size_t j = 0; j < P; j++) x[j] = a[j] + t[i] * (b[j] - a[j]);
    st = ls_loss(net, data, x, &loss[i], w);
  }
  free(x), ls_work_free(w);
  return st;
}

ls_status ls_slice_2d(const ls_net *net, const ls_data *data, const double *o, const double *e1,
                      const double *e2, double r1, double r2, int n, double *loss,
                      ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *x;
  ls_work *w;
  ls_status st = slice_setup(net, data, n, &x, &w, err);
  for (int i = 0; i < n && !st; i++)
    for (int j = 0; j < n && !st; j++) {
      double s = -r1 + 2 * r1 * i / (n - 1.0), u = -r2 + 2 * r2 * j / (n - 1.0);
      for (size_t q = 0; q < P; q++) x[q] = o[q] + s * e1[q] + u * e2[q];
      st = ls_loss(net, data, x, &loss[(size_t)i * n + j], w);
    }
  free(x), ls_work_free(w);
  return st;
}
