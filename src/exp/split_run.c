/* The split test's mu sweep (landsym/exp_split.h; thesis section 6.2.6, Theorem 3).
 *
 * At the narrow critical point theta_r: loss, |grad| (Theorem 3 assumes grad = 0), the
 * spectrum of H_r, Y and U. Predicted inertia of the lifted point for split mu:
 *     In(H(theta_mu)) = In(H_r) + In(M(mu)),   M(mu) = [[mu(1-mu) Y, U], [U^T, 0]]
 * (ls_split_predict), compared at every grid point with the measured spectrum of the lifted
 * Hessian. Independently the split block B = T_b^T H' T_b is measured on the lifted Hessian
 * (ls_split_block_measured), with its coupling to the narrow coordinates (0 by Theorem 3)
 * and the distance of its eigenvalues to those of M(mu). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exp/split_run.h"
#include "landsym/engine.h"
#include "landsym/out.h"

ls_exp_split_opts ls_exp_split_opts_default(void) {
  ls_exp_split_opts o = {-1, -1, -1.0, 2.0, 61, 12, 1e-9, LS_SPLIT_SPECTRUM_AUTO, 3000, 0, NULL};
  return o;
}

ls_status ls_exp_split_opts_from_config(const ls_config *cfg, ls_exp_split_opts *o,
                                        ls_error *err) {
  ls_config_split s;
  ls_status st = ls_config_split_read(cfg, &s, err);
  if (st) return st;
  o->spectrum = (ls_split_spectrum_kind)s.spectrum;
  o->dense_max = (size_t)s.dense_max;
  o->lanczos_k = (int)s.lanczos_k;
  return LS_OK;
}

void ls_exp_split_result_free(ls_exp_split_result *r) {
  if (!r) return;
  free(r->y_eigs), free(r->mu), free(r->pred), free(r->meas), free(r->match);
  free(r->complete), free(r->lambda), free(r->coupling), free(r->block), free(r->block_pred);
  memset(r, 0, sizeof *r);
}

static ls_status check_opts(const ls_exp_split_opts *o, ls_error *err) {
  if (o->n_mu < 2 || o->n_mu > 100000 || !(o->mu_hi > o->mu_lo))
    return ls_error_set(err, LS_ERR_INPUT, "the mu grid needs mu_lo < mu_hi and 2..100000 points");
  if (o->nsmall < 1 || o->nsmall > 1000)
    return ls_error_set(err, LS_ERR_INPUT, "nsmall must be in 1..1000 (got %d)", o->nsmall);
  if (!(o->tol > 0 && o->tol < 1))
    return ls_error_set(err, LS_ERR_INPUT, "tol must lie in (0,1) (got %g)", o->tol);
  if (o->lanczos_k < 0 || o->lanczos_k > 100000)
    return ls_error_set(err, LS_ERR_INPUT, "lanczos_k must be in 0..100000 (got %d)", o->lanczos_k);
  return LS_OK;
}

/* loss and |grad| at theta_r. */
static ls_status narrow_gradient(split_sweep *s, ls_error *err) {
  size_t P = s->res->p_narrow;
  double *g = malloc(P * sizeof *g), gn = 0;
  ls_work *w = ls_work_alloc(s->net, s->d->n);
  ls_status st = g && w ? ls_loss_grad(s->net, s->d, s->theta, &s->res->loss, g, w) : LS_ERR_NOMEM;
  if (st) ls_error_set(err, st, "loss or gradient of the narrow network failed");
  else
    for (size_t i = 0; i < P; i++) gn += g[i] * g[i];
  s->res->grad_norm = sqrt(gn);
  free(g);
  ls_work_free(w);
  return st;
}

/* Spectrum of H_r, Y, U, eig(Y) and the predicted inertias inside and outside [0,1]. */
static ls_status narrow_point(split_sweep *s, ls_error *err) {
  ls_exp_split_result *r = s->res;
  ls_status st = narrow_gradient(s, err);
  if (st) return st;
  s->so.k = s->o->lanczos_k ? s->o->lanczos_k : 2 * s->o->nsmall + r->nin + r->nout;
  ls_spectrum sp = {0};
  st = ls_split_spectrum(s->net, s->d, s->theta, &s->so, s->o->tol, &sp, &r->narrow,
                         &r->narrow_complete, err);
  if (st) return st;
  r->n_hvp += sp.n_hvp;
  r->method_narrow = sp.method;
  r->lambda_max_narrow = fmax(fabs(sp.evals[0]), fabs(sp.evals[sp.n - 1]));
  ls_spectrum_free(&sp);
  if ((st = ls_split_matrices(s->net, s->d, s->theta, r->layer, r->neuron, s->Y, s->U, err)) ||
      (st = ls_split_eigvals(s->Y, r->nin, r->y_eigs, err)))
    return st;
  s->zero_tol = s->o->tol * r->lambda_max_narrow;
  ls_inertia pin, pout;
  ls_split_predict(s->Y, s->U, r->nin, r->nout, 0.5, s->zero_tol, &pin, &r->rank_u, NULL);
  ls_split_predict(s->Y, s->U, r->nin, r->nout, 2.0, s->zero_tol, &pout, NULL, NULL);
  r->pred_inside = ls_inertia_add(r->narrow, pin);
  r->pred_outside = ls_inertia_add(r->narrow, pout);
  r->zeros_added_predicted = r->nin + r->nout - 2 * r->rank_u;
  return LS_OK;
}

/* The lifted Lanczos window (every negative and zero eigenvalue: at most the narrow
 * point's plus the nin + nout of the block) and the eigenvalues kept per point. */
static void lifted_window(split_sweep *s) {
  ls_exp_split_result *r = s->res;
  int pmax = r->narrow.neg + r->narrow.zero + r->nin + r->nout, ns = s->o->nsmall;
  s->so.k = s->o->lanczos_k ? s->o->lanczos_k : (ns > pmax + 8 ? ns : pmax + 8);
  int k = (size_t)ns < r->p_lifted ? ns : (int)r->p_lifted;
  size_t dm = s->so.dense_max ? s->so.dense_max : 3000; /* 0 means 3000 (split.h) */
  if (s->so.kind == LS_SPLIT_SPECTRUM_LANCZOS || (s->so.kind == LS_SPLIT_SPECTRUM_AUTO && r->p_lifted > dm))
    if (k > s->so.k) k = s->so.k;
  r->k = k;
}

static ls_status alloc_result(split_sweep *s, ls_error *err) {
  ls_exp_split_result *r = s->res;
  size_t n = (size_t)s->o->n_mu, nb = (size_t)(r->nin + r->nout), k = (size_t)s->o->nsmall;
  r->n_mu = s->o->n_mu;
  r->y_eigs = malloc((size_t)r->nin * sizeof(double));
  r->mu = malloc(n * sizeof(double)), r->coupling = malloc(n * sizeof(double));
  r->pred = malloc(n * sizeof(ls_inertia)), r->meas = malloc(n * sizeof(ls_inertia));
  r->match = malloc(n * sizeof(int)), r->complete = malloc(n * sizeof(int));
  r->lambda = calloc(n * k, sizeof(double));
  r->block = malloc(n * nb * sizeof(double)), r->block_pred = malloc(n * nb * sizeof(double));
  s->Y = malloc((size_t)r->nin * r->nin * sizeof(double));
  s->U = malloc((size_t)r->nin * r->nout * sizeof(double));
  s->B = malloc(nb * nb * sizeof(double)), s->M = malloc(nb * nb * sizeof(double));
  s->eb = malloc(nb * sizeof(double)), s->tb = malloc(r->p_lifted * sizeof(double));
  if (!r->y_eigs || !r->mu || !r->coupling || !r->pred || !r->meas || !r->match ||
      !r->complete || !r->lambda || !r->block || !r->block_pred || !s->Y || !s->U || !s->B ||
      !s->M || !s->eb || !s->tb)
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", r->p_lifted);
  return LS_OK;
}

/* mu of grid point i; points meant to be 0 and 1 are set exactly. */
static double grid_mu(const ls_exp_split_opts *o, long i) {
  double mu = o->mu_lo + (o->mu_hi - o->mu_lo) * (double)i / (double)(o->n_mu - 1);
  if (fabs(mu) < 1e-12) mu = 0;
  if (fabs(mu - 1) < 1e-12) mu = 1;
  return mu;
}

/* The measured split block B against M(mu) at grid point i. */
static ls_status block_point(split_sweep *s, long i, double mu, ls_net *big, ls_error *err) {
  ls_exp_split_result *r = s->res;
  int nb = r->nin + r->nout;
  double *eb = r->block + i * nb, *em = r->block_pred + i * nb;
  ls_status st = ls_split_block_measured(s->net, r->layer, r->neuron, mu, big, s->d, s->tb,
                                         s->B, &r->coupling[i], err);
  if (!st) st = ls_split_eigvals(s->B, nb, eb, err);
  ls_split_block(s->Y, s->U, r->nin, r->nout, mu, s->M);
  if (!st) st = ls_split_eigvals(s->M, nb, em, err);
  if (st) return st;
  r->coupling_max = fmax(r->coupling_max, r->coupling[i]);
  for (int k = 0; k < nb; k++) r->block_diff_max = fmax(r->block_diff_max, fabs(eb[k] - em[k]));
  return LS_OK;
}

/* Grid point i: lifted spectrum and inertia against the prediction, then the block. */
static ls_status sweep_point(split_sweep *s, long i, ls_error *err) {
  ls_exp_split_result *r = s->res;
  double mu = grid_mu(s->o, i);
  ls_net big;
  ls_split_duplicate(s->net, s->theta, r->layer, r->neuron, mu, &big, s->tb, NULL);
  ls_spectrum sp = {0};
  ls_status st = ls_split_spectrum(&big, s->d, s->tb, &s->so, s->o->tol, &sp, &r->meas[i],
                                   &r->complete[i], err);
  if (st) return ls_error_prefix(err, "Hessian spectrum of the lifted network at mu = %g", mu);
  r->mu[i] = mu;
  r->method_lifted = sp.method;
  r->n_hvp += sp.n_hvp;
  r->incomplete += !r->complete[i];
  memcpy(r->lambda + i * r->k, sp.evals, (size_t)r->k * sizeof(double));
  ls_spectrum_free(&sp);
  if (mu == 0) r->zeros_mu0 = r->meas[i].zero;
  if (mu == 1) r->zeros_mu1 = r->meas[i].zero;
  if ((st = block_point(s, i, mu, &big, err))) return st;
  ls_inertia pm;
  ls_split_predict(s->Y, s->U, r->nin, r->nout, mu, s->zero_tol, &pm, NULL, NULL);
  r->pred[i] = ls_inertia_add(r->narrow, pm);
  r->match[i] = r->complete[i] && ls_inertia_equal(r->pred[i], r->meas[i]);
  r->mismatches += !r->match[i];
  return LS_OK;
}

static ls_status sweep(split_sweep *s, ls_error *err) {
  ls_exp_split_result *r = s->res;
  ls_status st = narrow_point(s, err);
  if (st) return st;
  lifted_window(s);
  for (long i = 0; i < r->n_mu && !st; i++) st = sweep_point(s, i, err);
  r->incomplete += !r->narrow_complete;
  return st;
}

ls_status ls_exp_split_run(const ls_net *net, const ls_data *d, const double *theta,
                           const ls_exp_split_opts *o, ls_exp_split_result *res,
                           ls_error *fig_warn, ls_error *err) {
  memset(res, 0, sizeof *res);
  if (fig_warn) fig_warn->code = LS_OK, fig_warn->msg[0] = '\0';
  ls_status st = check_opts(o, err);
  if (!st) st = ls_split_dims(net, o->layer, o->neuron, &res->nin, &res->nout, err);
  if (!st && o->out_dir) st = ls_mkdir_p(o->out_dir, err);
  if (st) return st;
  split_sweep s = {net, d, theta, o, res, {o->spectrum, o->dense_max, 1}, 0, NULL, NULL,
                   NULL, NULL, NULL, NULL};
  ls_net big;
  res->layer = o->layer, res->neuron = o->neuron, res->zeros_mu0 = res->zeros_mu1 = -1;
  res->p_narrow = ls_net_nparams(net);
  ls_split_duplicate(net, theta, o->layer, o->neuron, 0.5, &big, NULL, NULL);
  res->p_lifted = ls_net_nparams(&big);
  st = alloc_result(&s, err);
  if (!st) st = sweep(&s, err);
  free(s.Y), free(s.U), free(s.B), free(s.M), free(s.eb), free(s.tb);
  if (!st && o->out_dir) st = split_write(res, o, fig_warn, err);
  if (st) ls_exp_split_result_free(res);
  return st;
}
