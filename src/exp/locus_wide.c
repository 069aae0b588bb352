/* Cooper 2020's wide regime (section 5) and attracting loci (Definition 3.4) on the student
 * of a config (landsym/exp_locus.h; docs/locus.md).
 *   wide: for each seed, Theorem 5.11's strictly decreasing line from the initial point to
 *     a global minimum (certified by the loss sampled along it against (1 - t)^2 L(p));
 *     then the seed trained to a critical point and Proposition 5.13 checked on it: a local
 *     minimum found is global (zero loss) or not strict (a flat last-layer move keeps the
 *     outputs, Theorem 5.15).
 *   attract: gradient flow (CVODE) from initial points N(0, scale^2); each limit is
 *     assigned to the global minima, a star locus S_k or core locus C_{k,j} (distance below
 *     1e-4), another critical point, or no convergence; the fractions estimate which loci
 *     attract a set of positive measure. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/exp_locus.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/locus.h"
#include "landsym/optim.h"
#include "landsym/out.h"

void ls_exp_locus_wide_result_free(ls_exp_locus_wide_result *r) {
  if (!r) return;
  json_decref(r->records);
  memset(r, 0, sizeof *r);
}

void ls_exp_locus_attract_result_free(ls_exp_locus_attract_result *r) {
  if (!r) return;
  json_decref(r->records);
  memset(r, 0, sizeof *r);
}

/* Mean squared target (the scale of "zero loss"). */
static double target_power(const ls_data *d) {
  double yy = 0;
  for (size_t i = 0; i < d->n * (size_t)d->dout; i++) yy += d->y[i] * d->y[i] / (double)d->n;
  return yy;
}

/* Largest |eigenvalue| and smallest eigenvalue of the Hessian. */
static ls_status hessian_min(const ls_net *net, const ls_data *d, const double *th, double *lmin,
                             double *lmax, ls_error *err) {
  size_t P = ls_net_nparams(net);
  if (ls_dense_fits(P, 2, "locus --wide: the Hessian spectrum", err)) return LS_ERR_INPUT;
  double *H = malloc(P * P * sizeof *H), *e = malloc(P * sizeof *e);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!H || !e || !w) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st && (st = ls_hessian(net, d, th, H, w))) ls_error_set(err, st, "Hessian not finite");
  if (!st) st = ls_eig_sym(P, H, e, NULL, err);
  if (!st) *lmin = e[0], *lmax = fmax(fabs(e[0]), fabs(e[P - 1]));
  free(H), free(e);
  ls_work_free(w);
  return st;
}

/* Theorem 5.11: the line from th to its slice's global minimum, certified. */
static ls_status line_5_11(const ls_config *cfg, long s, double *th, double *end,
                           ls_exp_locus_wide_result *r, ls_error *err) {
  ls_locus_line_result lr;
  ls_params_glorot(&cfg->student, (uint64_t)s, th);
  ls_status st = ls_locus_descent_line(&cfg->student, &cfg->data, th, 101, end, &lr, err);
  if (st) return st;
  int ok = lr.rank == lr.n && lr.strictly_decreasing && lr.max_rel_dev < 1e-8 &&
           lr.loss_end <= 1e-20 * fmax(lr.loss0, 1e-300) + 1e-28;
  r->lines_ok += ok;
  r->worst_dev = fmax(r->worst_dev, lr.max_rel_dev), r->worst_end = fmax(r->worst_end, lr.loss_end);
  json_t *j = json_object();
  json_object_set_new(j, "seed", json_integer(s));
  json_object_set_new(j, "theorem", json_string("5.11"));
  json_object_set_new(j, "rank_F", json_integer(lr.rank));
  json_object_set_new(j, "n", json_integer(lr.n));
  json_object_set_new(j, "loss_start", ls_json_num(lr.loss0));
  json_object_set_new(j, "loss_end", ls_json_num(lr.loss_end));
  json_object_set_new(j, "step_norm", ls_json_num(lr.step_norm));
  json_object_set_new(j, "max_rel_dev_from_(1-t)^2", ls_json_num(lr.max_rel_dev));
  json_object_set_new(j, "strictly_decreasing", json_boolean(lr.strictly_decreasing));
  json_object_set_new(j, "certified", json_boolean(ok));
  json_array_append_new(r->records, j);
  return LS_OK;
}

/* Theorem 5.15's flat certificate at a non-global minimum; *flat when it holds. */
static ls_status flat_record(const ls_config *cfg, long s, const double *th, int *flat,
                             ls_exp_locus_wide_result *r, ls_error *err) {
  ls_locus_flat_result fr;
  ls_status st = ls_locus_flat_certificate(&cfg->student, &cfg->data, th, &fr, err);
  if (st) return st;
  *flat = fr.flat_dim > 0 && fabs(fr.loss_moved - fr.loss) <= 1e-12 * fmax(fr.loss, 1e-300) &&
          fr.max_out_change <= 1e-10;
  json_t *j = json_object();
  json_object_set_new(j, "seed", json_integer(s));
  json_object_set_new(j, "flat_dim", json_integer(fr.flat_dim));
  json_object_set_new(j, "loss", ls_json_num(fr.loss));
  json_object_set_new(j, "loss_after_unit_move", ls_json_num(fr.loss_moved));
  json_object_set_new(j, "max_output_change", ls_json_num(fr.max_out_change));
  json_array_append_new(r->records, j);
  return LS_OK;
}

/* Proposition 5.13 on the seed trained to a critical point. */
static ls_status prop_5_13(const ls_config *cfg, long s, double *th, double yy,
                           ls_exp_locus_wide_result *r, ls_error *err) {
  const ls_net *net = &cfg->student;
  const ls_data *d = &cfg->data;
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.traj_per_decade = 0, o.grad_tol = 1e-12;
  ls_train_result tr = {0};
  ls_status st = ls_train(net, d, th, &o, &tr, err);
  if (st) return st;
  int conv = tr.grad_norm <= 1e-8, flat = 0;
  ls_train_result_free(&tr);
  double lmin, lmax, Lp;
  if ((st = hessian_min(net, d, th, &lmin, &lmax, err))) return st;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_loss(net, d, th, &Lp, w);
  ls_work_free(w);
  const char *what;
  if (!conv) what = "not converged", r->n_unconv++;
  else if (lmin < -1e-8 * fmax(lmax, 1e-300)) what = "saddle", r->n_saddle++;
  else if (Lp <= 1e-20 * fmax(yy, 1e-300)) what = "global minimum", r->n_min++, r->n_global++;
  else {
    r->n_min++;
    if ((st = flat_record(cfg, s, th, &flat, r, err))) return st;
    if (flat) what = "local minimum, not strict (flat certificate)", r->n_flat++;
    else what = "local minimum WITHOUT certificate", r->n_bad++;
  }
  json_array_append_new(r->records, json_pack("{s:I,s:s,s:o,s:o,s:s}", "seed", (json_int_t)s,
                                               "proposition", "5.13", "loss", ls_json_num(Lp),
                                               "lambda_min", ls_json_num(lmin), "found", what));
  return LS_OK;
}

ls_status ls_exp_locus_wide(const ls_config *cfg, long n_seeds, long seed0,
                            ls_exp_locus_wide_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  const ls_net *net = &cfg->student;
  size_t P = ls_net_nparams(net);
  r->n_seeds = n_seeds, r->narrow = net->width[net->n_layers - 1] < (int)cfg->data.n;
  double *th = malloc(P * sizeof *th), *end = malloc(P * sizeof *end);
  r->records = json_array();
  ls_status st = !th || !end ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  double yy = target_power(&cfg->data);
  for (long s = seed0; s < seed0 + n_seeds && !st; s++) {
    st = line_5_11(cfg, s, th, end, r, err);
    if (!st) st = prop_5_13(cfg, s, th, yy, r, err);
  }
  free(th), free(end);
  if (st) ls_exp_locus_wide_result_free(r);
  return st;
}

/* The components S_k (k = 1..L-1) and C_{k,j} (k < j), in order. */
static void components(const ls_net *net, ls_exp_locus_attract_result *r) {
  int L = net->n_layers, n = 0;
  for (int k = 1; k <= L - 1 && n < LS_EXP_LOCUS_MAX_COMPONENTS; k++) {
    r->comp[n][0] = k, r->comp_n[n++] = 1;
    for (int j = k + 1; j <= L - 1 && n < LS_EXP_LOCUS_MAX_COMPONENTS; j++)
      r->comp[n][0] = k, r->comp[n][1] = j, r->comp_n[n++] = 2;
  }
  r->n_comp = n;
}

/* The nearest component within 1e-4 (the most specific: a core point is also a star
 * point), or -1. */
static ls_status nearest(const ls_config *cfg, const double *th, const ls_exp_locus_attract_result *r,
                         int *best, double *bestd, ls_error *err) {
  *best = -1, *bestd = INFINITY;
  for (int c = 0; c < r->n_comp; c++) {
    double dist;
    ls_status st = ls_locus_distance(&cfg->student, &cfg->data, th, r->comp[c], r->comp_n[c], &dist, err);
    if (st) return st;
    if (dist <= 1e-4 && (*best < 0 || r->comp_n[c] > r->comp_n[*best] ||
                         (r->comp_n[c] == r->comp_n[*best] && dist < *bestd)))
      *best = c, *bestd = dist;
  }
  return LS_OK;
}

/* One flow from seed s and where it ends. */
static ls_status flow_one(const ls_config *cfg, long s, double scale, double tmax, double yy,
                          double *th, ls_exp_locus_attract_result *r, ls_error *err) {
  ls_params_normal(&cfg->student, (uint64_t)s, scale, th);
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_FLOW, o.polish = LS_POLISH_NONE, o.flow_tmax = tmax;
  o.traj_per_decade = 0, o.grad_tol = 1e-14;
  ls_train_result tr = {0};
  ls_status st = ls_train(&cfg->student, &cfg->data, th, &o, &tr, err);
  if (st) return st;
  double g = tr.grad_norm, Lp = tr.loss, bestd;
  ls_train_result_free(&tr);
  int best;
  if ((st = nearest(cfg, th, r, &best, &bestd, err))) return st;
  char name[32];
  const char *what = name;
  if (Lp <= 1e-10 * fmax(yy, 1e-300)) what = "global", r->n_global++;
  else if (best >= 0) {
    r->count[best]++;
    if (r->comp_n[best] == 1) snprintf(name, sizeof name, "S%d", r->comp[best][0]);
    else snprintf(name, sizeof name, "C%d_%d", r->comp[best][0], r->comp[best][1]);
  } else if (g <= 1e-6) what = "other critical", r->n_other++;
  else what = "not converged", r->n_unconv++;
  json_array_append_new(r->records, json_pack("{s:I,s:o,s:o,s:s,s:o}", "seed", (json_int_t)s, "loss",
                                               ls_json_num(Lp), "grad_inf", ls_json_num(g), "limit",
                                               what, "distance", ls_json_num(best >= 0 ? bestd : NAN)));
  return LS_OK;
}

ls_status ls_exp_locus_attract(const ls_config *cfg, long n_seeds, long seed0, double scale,
                               double tmax, ls_exp_locus_attract_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  r->n_seeds = n_seeds;
  components(&cfg->student, r);
  double yy = target_power(&cfg->data);
  double *th = malloc(ls_net_nparams(&cfg->student) * sizeof *th);
  r->records = json_array();
  ls_status st = th ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  for (long s = seed0; s < seed0 + n_seeds && !st; s++) st = flow_one(cfg, s, scale, tmax, yy, th, r, err);
  free(th);
  if (st) ls_exp_locus_attract_result_free(r);
  return st;
}
