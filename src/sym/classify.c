/* Classification of a converged point: global minimum, symmetry-induced critical point,
 * other local minimum, saddle, not converged (include/landsym/classify.h; thesis section
 * 6.2 and table 6.1; Simsek et al. 2021, Definitions 3.1-3.2, 4.1, Remark 4.2). */
#include "landsym/classify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/sym.h"
#include "sym/unit.h"

static const char *const class_names[LS_CLASS_COUNT] = {
    "global", "symmetry_induced", "local_min", "saddle", "not_converged"};

const char *ls_class_name(ls_class_kind k) {
  return (k >= 0 && k < LS_CLASS_COUNT) ? class_names[k] : "?";
}

void ls_classify_opts_default(ls_classify_opts *o) {
  o->loss_floor = 1e-16;
  o->grad_tol = 1e-8;
  o->reduce_tol = 1e-6;
  o->match_tol = 1e-5;
  o->sym_grad_tol = 1e-6;
  o->eig_tol = 1e-7;
}

ls_status ls_classify_opts_validate(const ls_classify_opts *o, ls_error *err) {
  const double v[] = {o->loss_floor, o->grad_tol, o->reduce_tol, o->match_tol,
                      o->sym_grad_tol, o->eig_tol};
  const char *n[] = {"loss_floor", "grad_tol", "reduce_tol", "match_tol", "sym_grad_tol",
                     "eig_tol"};
  for (int i = 0; i < 6; i++)
    if (!(v[i] >= 0) || !isfinite(v[i]))
      return ls_error_set(err, LS_ERR_INPUT, "classify: %s must be a finite number >= 0", n[i]);
  return LS_OK;
}

void ls_classify_result_free(ls_classify_result *r) {
  if (!r) return;
  free(r->groups);
  free(r->reduced_theta);
  memset(r, 0, sizeof *r);
}

/* Loss and gradient infinity-norm. */
static ls_status loss_grad_inf(const ls_net *net, const ls_data *d, const double *th,
                               double *loss, double *ginf, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!g || !w) st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  else if ((st = ls_loss_grad(net, d, th, loss, g, w)))
    ls_error_set(err, st, "classify: loss and gradient could not be computed");
  double m = 0;
  for (size_t k = 0; !st && k < P; k++) m = fmax(m, fabs(g[k]));
  *ginf = st ? NAN : m;
  free(g);
  ls_work_free(w);
  return st;
}

/* Smallest eigenvalues, zero and negative counts of the Hessian (dense up to 3000
 * parameters, Lanczos beyond: counts then cover the computed extreme eigenvalues). */
static ls_status spectrum(const ls_net *net, const ls_data *d, const double *th, double tol,
                          ls_classify_result *r, ls_error *err) {
  ls_spectrum sp;
  memset(&sp, 0, sizeof sp);
  ls_status st = ls_hessian_spectrum(net, d, th, 0, 20, &sp, err);
  if (st) return st;
  double mx = 0;
  for (size_t i = 0; i < sp.n; i++) mx = fmax(mx, fabs(sp.evals[i]));
  double thr = tol * (mx > 0 ? mx : 1);
  r->max_abs_eig = mx;
  r->n_zero_eigs = r->n_neg_eigs = 0;
  for (size_t i = 0; i < sp.n; i++) {
    if (fabs(sp.evals[i]) <= thr) r->n_zero_eigs++;
    else if (sp.evals[i] < 0) r->n_neg_eigs++;
  }
  r->n_eig = (int)(sp.n < LS_CLASSIFY_N_EIGS ? sp.n : LS_CLASSIFY_N_EIGS);
  for (int i = 0; i < r->n_eig; i++) r->eig[i] = sp.evals[i];
  ls_spectrum_free(&sp);
  return LS_OK;
}

/* Thesis figure 6.7: smallest distance between the incoming weights of two units. */
static double min_unit_distance(const ls_net *net, const double *th) {
  double best = INFINITY;
  int M = ls_net_max_width(net) + 1;
  double *vi = malloc((size_t)M * sizeof *vi), *vj = malloc((size_t)M * sizeof *vj);
  if (!vi || !vj) {
    free(vi), free(vj);
    return NAN;
  }
  for (int l = 1; l < net->n_layers; l++) {
    int D = sym_fan_in(net, l);
    for (int i = 0; i < net->width[l]; i++) {
      sym_get_in(net, th, l, i, vi);
      for (int j = i + 1; j < net->width[l]; j++) {
        sym_get_in(net, th, l, j, vj);
        double s = 0;
        for (int k = 0; k < D; k++) s += (vi[k] - vj[k]) * (vi[k] - vj[k]);
        best = fmin(best, sqrt(s));
      }
    }
  }
  free(vi), free(vj);
  return best;
}

/* Neuron groups of every hidden layer from the reduction; teacher units from the match. */
static ls_status collect_groups(const ls_sym_reduction *red, const ls_sym_match *mt,
                                ls_classify_result *r, ls_error *err) {
  int n = 0;
  for (int l = 1; l <= red->n_hidden; l++) n += red->layer[l].n_groups;
  r->groups = calloc((size_t)(n ? n : 1), sizeof *r->groups);
  if (!r->groups) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  r->n_groups = 0;
  for (int l = 1; l <= red->n_hidden; l++) {
    const ls_sym_layer_groups *g = &red->layer[l];
    for (int k = 0; k < g->n_groups; k++) {
      ls_neuron_group *q = &r->groups[r->n_groups++];
      q->layer = l;
      q->size = g->group_size[k];
      q->zero_type = g->zero_type[k] || g->reduced_index[k] < 0;
      q->teacher_unit = -1;
      if (mt && mt->perm[l] && !q->zero_type) q->teacher_unit = mt->perm[l][g->reduced_index[k]];
      for (int i = 0; i < g->width; i++)
        if (g->group[i] == k && g->sign[i] < 0) q->sign_mixed = 1;
    }
  }
  return LS_OK;
}

static double max_abs(size_t n, const double *v) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

ls_status ls_classify_point(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_net *teacher, const double *theta_t,
                            const ls_classify_opts *opts, ls_classify_result *r,
                            ls_error *err) {
  ls_classify_opts o;
  if (opts) o = *opts;
  else ls_classify_opts_default(&o);
  memset(r, 0, sizeof *r);
  r->match_error = NAN;
  ls_status st = ls_classify_opts_validate(&o, err);
  if (!st) st = ls_net_validate(net, err);
  if (st) return st;
  r->P = (int)ls_net_nparams(net);
  if ((st = loss_grad_inf(net, d, theta, &r->loss, &r->grad_inf, err))) return st;
  r->converged = isfinite(r->loss) && r->grad_inf <= o.grad_tol;
  r->min_neuron_dist = min_unit_distance(net, theta);
  if (!isfinite(r->loss)) {
    r->cls = LS_CLASS_NOT_CONVERGED;
    return LS_OK;
  }
  if ((st = spectrum(net, d, theta, o.eig_tol, r, err))) return st;

  /* Reduction to the irreducible form (Definition 3.1): groups and the pruned network. */
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = o.reduce_tol;
  ls_sym_reduction red;
  ls_sym_match mt;
  memset(&mt, 0, sizeof mt);
  if ((st = ls_sym_reduce(net, theta, &ro, &red, err))) return st;
  for (int l = 1; l < net->n_layers; l++) {
    r->reduced_width[l] = red.net.width[l];
    if (red.net.width[l] < net->width[l]) r->reducible = 1;
  }
  r->reduced_P = (int)ls_net_nparams(&red.net);
  if ((st = loss_grad_inf(&red.net, d, red.theta, &r->reduced_loss, &r->reduced_grad_inf, err)))
    goto done;
  if ((st = ls_prune_verify(net, theta, &red.net, red.theta, d, &r->prune_max_diff, err)))
    goto done;
  if (teacher && theta_t) {
    if ((st = ls_sym_match_teacher(&red.net, red.theta, teacher, theta_t, &mt, err))) goto done;
    if (mt.same_shape) {
      r->match_error = mt.max_weight_error;
      double scale = fmax(1.0, max_abs(ls_net_nparams(teacher), theta_t));
      r->teacher_match = mt.max_weight_error <= o.match_tol * scale;
    }
  }
  if ((st = collect_groups(&red, r->teacher_match ? &mt : NULL, r, err))) goto done;
  r->reduced_net = red.net;
  r->reduced_theta = red.theta;
  red.theta = NULL;

  /* Thesis table 6.1: a symmetry-induced point reduces to a critical point of a smaller
   * network (Simsek Proposition 4.3: expansions of critical points stay critical). */
  r->sym_induced = r->converged && r->reducible && r->reduced_grad_inf <= o.sym_grad_tol;
  /* Zero loss is a global minimum whatever the match says; teacher_match tells whether the
   * reduction explains it (Theorem 4.2: it must, for activations like sigma_{alpha,gamma}). */
  int zero_loss = r->loss <= o.loss_floor;
  if (!r->converged && !zero_loss) r->cls = LS_CLASS_NOT_CONVERGED;
  else if (zero_loss) r->cls = LS_CLASS_GLOBAL, r->sym_induced = 0;
  else if (r->n_neg_eigs > 0) r->cls = LS_CLASS_SADDLE;
  else if (r->sym_induced) r->cls = LS_CLASS_SYMMETRY;
  else r->cls = LS_CLASS_LOCAL;
done:
  ls_sym_match_free(&mt);
  ls_sym_reduction_free(&red);
  if (st) ls_classify_result_free(r);
  return st;
}
