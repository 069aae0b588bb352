/* Classification of a converged point: global minimum, symmetry-induced critical point,
 * other local minimum, saddle, not converged (include/landsym/classify.h; thesis section
 * 6.2 and table 6.1; Simsek et al. 2021, Definitions 3.1-3.2, 4.1, Remark 4.2). */
#include "landsym/classify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/core.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/sym.h"
#include "sym/unit.h"


static const char *const class_names[LS_CLASS_COUNT] = {
    "global", "symmetry_induced", "local_min", "saddle", "not_converged", "channel",
    "near_global"};

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
  o->approach_dist = 1e-2;
  o->approach_loss_rtol = 1e-3;
  o->continue_iter = 30000;
  o->continue_lr = 1e-2;
  o->near_global_rloss = 1e-10;
  o->near_global_copy_rtol = 0.25;
}

ls_status ls_classify_opts_validate(const ls_classify_opts *o, ls_error *err) {
  const double v[] = {o->loss_floor, o->grad_tol, o->reduce_tol, o->match_tol,
                      o->sym_grad_tol, o->eig_tol, o->approach_dist, o->approach_loss_rtol,
                      o->continue_lr, o->near_global_rloss, o->near_global_copy_rtol};
  const char *n[] = {"loss_floor", "grad_tol", "reduce_tol", "match_tol", "sym_grad_tol",
                     "eig_tol", "approach_dist", "approach_loss_rtol", "continue_lr",
                     "near_global_rloss", "near_global_copy_rtol"};
  for (int i = 0; i < 11; i++)
    if (!(v[i] >= 0) || !isfinite(v[i]))
      return ls_error_set(err, LS_ERR_INPUT, "classify: %s must be a finite number >= 0", n[i]);
  return LS_OK;
}

void ls_classify_result_free(ls_classify_result *r) {
  if (!r) return;
  ls_crit_cert_free(&r->crit);
  free(r->groups);
  free(r->reduced_theta);
  free(r->continued_theta);
  ls_channel_report_free(&r->channel);
  memset(r, 0, sizeof *r);
}

/* Loss and gradient inf-norm of the reduced network over the original network's kinds of
 * parameters: a virtual bias that stayed is a fixed constant, not a parameter. */
static ls_status reduced_grad(const ls_net *net, const ls_net *rn, const double *th,
                              const ls_data *d, double *loss, double *ginf, ls_error *err) {
  double *g;
  ls_status st = ls_loss_grad_once(rn, d, th, loss, &g, "classify", err);
  for (int l = 1; !st && l <= rn->n_layers; l++)
    if (rn->bias[l] && !net->bias[l])
      for (int i = 0; i < rn->width[l]; i++) g[ls_net_b_offset(rn, l) + i] = 0;
  *ginf = st ? NAN : ls_norm_inf(ls_net_nparams(rn), g);
  free(g);
  return st;
}

/* Loss and gradient infinity-norm over all of net's parameters. */
static ls_status loss_grad_inf(const ls_net *net, const ls_data *d, const double *th,
                               double *loss, double *ginf, ls_error *err) {
  return reduced_grad(net, net, th, d, loss, ginf, err);
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
static double closest_pair(const ls_net *net, const double *th, int *bl, int *bi, int *bj);

static double min_unit_distance(const ls_net *net, const double *th) {
  int l, i, j;
  return closest_pair(net, th, &l, &i, &j);
}

/* Smallest Euclidean distance between the incoming weights (+ bias) of two units of one
 * hidden layer, and where (layer, units); NaN when out of memory. */
static double closest_pair(const ls_net *net, const double *th, int *bl, int *bi, int *bj) {
  double best = INFINITY;
  *bl = *bi = *bj = -1;
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
        if (sqrt(s) < best) best = sqrt(s), *bl = l, *bi = i, *bj = j;
      }
    }
  }
  free(vi), free(vj);
  return best;
}

/* Neuron groups of every hidden layer from the reduction; teacher units from the match
 * (unit[l] may be NULL). */
static ls_status collect_groups(const ls_sym_reduction *red, int *const *unit,
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
      if (unit && unit[l] && !q->zero_type) q->teacher_unit = unit[l][g->reduced_index[k]];
      for (int i = 0; i < g->width; i++)
        if (g->group[i] == k && g->sign[i] < 0) q->sign_mixed = 1;
    }
  }
  return LS_OK;
}



/* ---- virtual biases ---------------------------------------------------------------------
 * For an odd-up-to-constant activation (sigmoid: f(-x) = 1 - f(x)) without a bias in the
 * next layer, sign merges, sign flips and units with vanishing incoming weights all leave
 * constants c*a that only cancel in total (thesis section 6.2.2). The network is therefore
 * reduced and matched with a zero "virtual" bias in those layers (same function); the
 * constants gather there and must vanish for the teacher, which gets the same zero bias. */
static int needs_virtual_bias(const ls_net *net, int l) {
  double c = 0;
  return l < net->n_layers && !net->bias[l + 1] && ls_act_odd_shift(&net->act[l], &c) &&
         c != 0;
}

/* Copy theta of net into the layout of net2 (same widths, net2 has biases where net may
 * not; missing ones are 0, extra ones dropped). */
static void relayout(const ls_net *net, const double *th, const ls_net *net2, double *th2) {
  for (int l = 1; l <= net->n_layers; l++) {
    memcpy(th2 + ls_net_w_offset(net2, l), th + ls_net_w_offset(net, l),
           (size_t)net->width[l] * net->width[l - 1] * sizeof *th);
    if (net2->bias[l])
      for (int i = 0; i < net->width[l]; i++)
        th2[ls_net_b_offset(net2, l) + i] = net->bias[l] ? th[ls_net_b_offset(net, l) + i] : 0;
  }
}

/* net_v = net with virtual biases; theta_v allocated. */
static ls_status add_virtual_bias(const ls_net *net, const double *th, ls_net *net_v,
                                  double **th_v, ls_error *err) {
  *net_v = *net;
  for (int l = 1; l < net->n_layers; l++)
    if (needs_virtual_bias(net, l)) net_v->bias[l + 1] = 1;
  *th_v = malloc(ls_net_nparams(net_v) * sizeof **th_v);
  if (!*th_v) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  relayout(net, th, net_v, *th_v);
  return LS_OK;
}

/* ---- teacher match (thesis section 6.2.2) ----------------------------------------------
 * Without biases a sigmoid unit whose incoming weights vanish computes the constant
 * a * sigma(0): it plays the role of the missing bias and can absorb the constants c * a
 * left by sign-flipped units (sigma(-x) = 1 - sigma(x)). Such "constant units" are removed
 * before the reduced network is matched against the teacher, their constant K moved into
 * the next (possibly virtual) bias; where there is no bias, K itself must vanish. */
typedef struct {
  ls_net net;
  double *theta;
  double *K[LS_MAX_LAYERS + 1]; /* [width_{l+1}] constants of the removed units of layer l */
  int *idx[LS_MAX_LAYERS + 1];  /* [width_l] index of unit i in the stripped layer, or -1 */
} stripped_net;

static void stripped_free(stripped_net *s) {
  free(s->theta);
  for (int l = 0; l <= LS_MAX_LAYERS; l++) free(s->K[l]), free(s->idx[l]);
  memset(s, 0, sizeof *s);
}

static ls_status strip_constant_units(const ls_net *net, const double *th, double tol,
                                      stripped_net *s, ls_error *err) {
  memset(s, 0, sizeof *s);
  s->net = *net;
  int L = net->n_layers, M = ls_net_max_width(net) + 1;
  char *keep[LS_MAX_LAYERS + 1] = {0};
  double *v = malloc((size_t)M * sizeof *v);
  ls_status st = v ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  for (int l = 1; l < L && !st; l++) {
    keep[l] = malloc((size_t)net->width[l]);
    s->K[l] = calloc((size_t)net->width[l + 1], sizeof(double));
    if (!keep[l] || !s->K[l]) {
      st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
      break;
    }
    int nk = 0;
    double scale = fmax(1.0, ls_norm_inf((size_t)net->width[l] * net->width[l - 1],
                                     th + ls_net_w_offset(net, l)));
    for (int i = 0; i < net->width[l]; i++) {
      sym_get_in(net, th, l, i, v);
      double wmax = ls_norm_inf((size_t)net->width[l - 1], v);
      keep[l][i] = !(wmax <= tol * scale);
      nk += keep[l][i];
    }
    if (nk == 0) keep[l][0] = 1, nk = 1; /* a layer keeps one unit */
    if (!(s->idx[l] = malloc((size_t)net->width[l] * sizeof(int)))) {
      st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
      break;
    }
    for (int i = 0, r = 0; i < net->width[l]; i++) s->idx[l][i] = keep[l][i] ? r++ : -1;
    for (int i = 0; i < net->width[l]; i++) {
      if (keep[l][i]) continue;
      double d[4], b = net->bias[l] ? th[ls_net_b_offset(net, l) + i] : 0;
      ls_act_eval(&net->act[l], b, d);
      for (int o = 0; o < net->width[l + 1]; o++)
        s->K[l][o] += th[ls_net_w_offset(net, l + 1) + (size_t)o * net->width[l] + i] * d[0];
    }
    s->net.width[l] = nk;
  }
  if (!st && !(s->theta = calloc(ls_net_nparams(&s->net), sizeof(double))))
    st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  /* copy the kept rows / columns layer by layer */
  for (int l = 1; l <= L && !st; l++) {
    const double *W = th + ls_net_w_offset(net, l);
    double *Wn = s->theta + ls_net_w_offset(&s->net, l);
    int r = 0;
    for (int i = 0; i < net->width[l]; i++) {
      if (l < L && !keep[l][i]) continue;
      int c = 0;
      for (int j = 0; j < net->width[l - 1]; j++) {
        if (l > 1 && !keep[l - 1][j]) continue;
        Wn[(size_t)r * s->net.width[l - 1] + c++] = W[(size_t)i * net->width[l - 1] + j];
      }
      if (net->bias[l]) {
        double b = th[ls_net_b_offset(net, l) + i];
        s->theta[ls_net_b_offset(&s->net, l) + r] = b;
      }
      r++;
    }
  }
  /* constants of layer l go into bias l+1 where it exists */
  for (int l = 1; l < L && !st; l++) {
    if (!net->bias[l + 1]) continue;
    int r = 0;
    for (int i = 0; i < net->width[l + 1]; i++) {
      if (l + 1 < L && !keep[l + 1][i]) continue;
      s->theta[ls_net_b_offset(&s->net, l + 1) + r++] += s->K[l][i];
      s->K[l][i] = 0;
    }
  }
  for (int l = 0; l <= LS_MAX_LAYERS; l++) free(keep[l]);
  free(v);
  if (st) stripped_free(s);
  return st;
}

/* Match the reduced network against the teacher: *error = max of the weight error and the
 * uncancelled constants (INFINITY when the shapes differ); unit[l][i] (allocated) = teacher
 * unit of unit i of layer l, -1 for a constant unit. */
static ls_status teacher_error(const ls_net *net, const double *th, const ls_net *teacher,
                               const double *theta_t, double tol, double *error,
                               int *unit[LS_MAX_LAYERS + 1], ls_error *err) {
  stripped_net s;
  ls_sym_match mt;
  ls_status st = strip_constant_units(net, th, tol, &s, err);
  if (st) return st;
  *error = INFINITY;
  if ((st = ls_sym_match_teacher(&s.net, s.theta, teacher, theta_t, &mt, err))) {
    stripped_free(&s);
    return st;
  }
  if (mt.same_shape) {
    /* constants that no bias took are not in the teacher */
    double e = mt.max_weight_error;
    for (int l = 1; l < net->n_layers; l++)
      for (int o = 0; o < s.net.width[l + 1]; o++) e = fmax(e, fabs(s.K[l][o]));
    *error = e;
    for (int l = 1; l < net->n_layers && !st; l++) {
      if (!(unit[l] = malloc((size_t)net->width[l] * sizeof(int)))) {
        st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
        break;
      }
      for (int i = 0; i < net->width[l]; i++)
        unit[l][i] = s.idx[l][i] < 0 ? -1 : mt.perm[l][s.idx[l][i]];
    }
  }
  ls_sym_match_free(&mt);
  stripped_free(&s);
  return st;
}


/* The pruned network loses the virtual biases that ended (near) zero: it then has the
 * original architecture. A non-zero one stays (the pruned network needs it). */
static ls_status drop_virtual_bias(const ls_net *net, ls_sym_reduction *red, double tol,
                                   ls_error *err) {
  ls_net n2 = red->net;
  double scale = fmax(1.0, ls_norm_inf(ls_net_nparams(&red->net), red->theta));
  for (int l = 1; l < net->n_layers; l++) {
    if (!needs_virtual_bias(net, l)) continue;
    const double *b = red->theta + ls_net_b_offset(&red->net, l + 1);
    if (ls_norm_inf((size_t)red->net.width[l + 1], b) <= tol * scale) n2.bias[l + 1] = 0;
  }
  double *t2 = malloc(ls_net_nparams(&n2) * sizeof *t2);
  if (!t2) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  relayout(&red->net, red->theta, &n2, t2);
  free(red->theta);
  red->theta = t2;
  red->net = n2;
  return LS_OK;
}

/* A zero-loss point that training left slightly off the expansion manifold merges with a
 * first-order error in the outputs. Newton's method on the pruned (irreducible, so
 * nondegenerate) network, fitted to the original network's outputs, removes that error;
 * the polished network is kept when it reproduces the original outputs better. */
static ls_status polish_pruned(const ls_net *net, const double *theta, const ls_data *d,
                               ls_sym_reduction *red, double *diff, int *polished,
                               ls_error *err) {
  size_t P = ls_net_nparams(&red->net);
  double *t = malloc(P * sizeof *t), d2;
  if (!t) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  memcpy(t, red->theta, P * sizeof *t);
  ls_train_opts o;
  ls_train_opts_polish(&o, LS_POLISH_NEWTON, 50, 1e-15);
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  ls_error e2;
  /* targets: the original network's outputs, so that the fit is to what must be kept */
  ls_data dd = *d;
  size_t ny = d->n * (size_t)net->width[net->n_layers];
  ls_work *w = ls_work_alloc(net, d->n);
  dd.y = malloc(ny * sizeof *dd.y);
  if (w && dd.y && ls_forward(net, theta, d->n, d->x, dd.y, w) == LS_OK &&
      ls_train(&red->net, &dd, t, &o, &tr, &e2) == LS_OK &&
      ls_prune_verify(net, theta, &red->net, t, d, &d2, err) == LS_OK && d2 < *diff) {
    *diff = d2;
    *polished = 1;
    memcpy(red->theta, t, P * sizeof *t);
  }
  ls_train_result_free(&tr);
  ls_work_free(w);
  free(dd.y);
  free(t);
  return LS_OK;
}

/* Thesis section 6.2.5: runs that stop with two neurons close together (about 5e-3) are
 * slowly approaching a symmetry-induced critical point along a flat valley (the loss is
 * flat to fourth order along a merge, so gradient flow and Newton crawl there). Merge the
 * closest pair (both units at their midpoint, outgoing weights added), polish the network
 * of one unit fewer with Newton's method to the nearest critical point, and accept when it
 * is critical (gradient <= sym_grad_tol) with the run's loss to approach_loss_rtol: the
 * expansion of that critical point (Simsek Proposition 4.3) is the point the run tends to. */
static ls_status approach_test(const ls_net *net, const ls_data *d, const double *theta,
                               const ls_classify_opts *o, ls_classify_result *r,
                               ls_error *err) {
  int l, i, j;
  double dist = closest_pair(net, theta, &l, &i, &j);
  if (!(dist <= o->approach_dist) || l < 1) return LS_OK;
  size_t P = ls_net_nparams(net);
  int D = sym_fan_in(net, l);
  double *th = malloc(P * sizeof *th), *vi = malloc((size_t)D * sizeof *vi),
         *vj = malloc((size_t)D * sizeof *vj);
  ls_status st = LS_OK;
  ls_sym_reduction red;
  memset(&red, 0, sizeof red);
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  if (!th || !vi || !vj) {
    st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
    goto done;
  }
  memcpy(th, theta, P * sizeof *th);
  sym_get_in(net, th, l, i, vi);
  sym_get_in(net, th, l, j, vj);
  for (int k = 0; k < D; k++) vi[k] = 0.5 * (vi[k] + vj[k]);
  sym_set_in(net, th, l, i, vi);
  sym_set_in(net, th, l, j, vi);
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = 1e-12; /* only exactly equal units merge: the pair, nothing else */
  ro.use_sign = 0;
  if ((st = ls_sym_reduce(net, th, &ro, &red, err))) goto done;
  if (ls_net_nparams(&red.net) >= P) goto done; /* nothing merged */
  ls_train_opts to;
  /* minimise: the reduced network's local minimum (thesis 6.2.5) */
  ls_train_opts_polish(&to, LS_POLISH_NEWTON, 200, 1e-13);
  ls_error e2;
  if (ls_train(&red.net, d, red.theta, &to, &tr, &e2) != LS_OK) goto done;
  double loss, ginf;
  if ((st = loss_grad_inf(&red.net, d, red.theta, &loss, &ginf, err))) goto done;
  r->approach_loss = loss;
  r->approach_grad_inf = ginf;
  r->near_saddle = isfinite(loss) && ginf <= o->sym_grad_tol &&
                   fabs(loss - r->loss) <= 0.1 * r->loss;
  r->approaching = isfinite(loss) && ginf <= o->sym_grad_tol &&
                   fabs(loss - r->loss) <= o->approach_loss_rtol * r->loss;
done:
  ls_train_result_free(&tr);
  ls_sym_reduction_free(&red);
  free(th), free(vi), free(vj);
  return st;
}

/* Zero-loss point of a one-hidden-layer network: the nearest point of the expansion
 * manifold (Simsek Definition 3.2: copies of the reduced units with outgoing weights
 * summing to the reduced ones, zero-type groups with equal incoming weights and outgoing
 * weights summing to zero). The reduced network is polished by Newton's method on the data
 * (irreducible, so nondegenerate: quadratic convergence), then every unit is moved onto it:
 * incoming weights set to its group's, outgoing weights shifted equally within the group.
 * Training alone cannot get there: along a merge the loss is flat to fourth order and the
 * gradient meets its rounding floor with units still about 1e-5 apart. Sign-merged or
 * constant units (sigmoid) are not handled: *ok = 0. th_p gets the projected point. */
static ls_status project_expansion(const ls_net *net, const double *theta, const ls_data *d,
                                   ls_sym_reduction *red, double *th_p, int *ok,
                                   ls_error *err) {
  *ok = 0;
  const ls_sym_layer_groups *G = &red->layer[1];
  if (net->n_layers != 2 || G->const_group >= 0) return LS_OK;
  for (int i = 0; i < net->width[1]; i++)
    if (G->sign[i] != 1) return LS_OK;
  for (int l = 1; l <= 2; l++)
    if (red->net.bias[l] != net->bias[l]) return LS_OK;
  size_t P = ls_net_nparams(net);
  int D = sym_fan_in(net, 1), O = net->width[2], n = net->width[1];
  double *v = malloc((size_t)D * sizeof *v), *a = malloc((size_t)O * sizeof *a),
         *target = malloc((size_t)O * sizeof *target), *sum = calloc((size_t)G->n_groups * (size_t)(D + O), sizeof *sum);
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  ls_status st = LS_OK;
  if (!v || !a || !target || !sum) {
    st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
    goto done;
  }
  ls_train_opts o;
  ls_train_opts_polish(&o, LS_POLISH_NEWTON, 50, 1e-16);
  ls_error e2;
  if (ls_train(&red->net, d, red->theta, &o, &tr, &e2) != LS_OK) goto done;
  memcpy(th_p, theta, P * sizeof *th_p);
  /* group sums: incoming weights (for zero-type means) and outgoing weights */
  for (int i = 0; i < n; i++) {
    double *s = sum + (size_t)G->group[i] * (size_t)(D + O);
    sym_get_in(net, theta, 1, i, v);
    sym_get_out(net, theta, 1, i, a);
    for (int k = 0; k < D; k++) s[k] += v[k];
    for (int k = 0; k < O; k++) s[D + k] += a[k];
  }
  for (int i = 0; i < n; i++) {
    int g = G->group[i], m = G->group_size[g], ri = G->reduced_index[g];
    const double *s = sum + (size_t)g * (size_t)(D + O);
    if (ri >= 0) {
      sym_get_in(&red->net, red->theta, 1, ri, v);
      sym_get_out(&red->net, red->theta, 1, ri, target);
    } else {
      for (int k = 0; k < D; k++) v[k] = s[k] / m;
      for (int k = 0; k < O; k++) target[k] = 0;
    }
    sym_get_out(net, theta, 1, i, a);
    for (int k = 0; k < O; k++) a[k] += (target[k] - s[D + k]) / m;
    sym_set_in(net, th_p, 1, i, v);
    sym_set_out(net, th_p, 1, i, a);
  }
  if (net->bias[2])
    memcpy(th_p + ls_net_b_offset(net, 2), red->theta + ls_net_b_offset(&red->net, 2),
           (size_t)O * sizeof *th_p);
  *ok = 1;
done:
  ls_train_result_free(&tr);
  free(v), free(a), free(target), free(sum);
  return st;
}

/* Certified critical point near the run (certify.h), with the classification's grouping
 * tolerance and loss tolerances. */
static ls_status certify_run(const ls_net *net, const ls_data *d, const double *theta,
                             const ls_classify_opts *o, ls_classify_result *r, ls_error *err) {
  ls_cert_opts co;
  ls_cert_opts_default(&co);
  co.reduce_tol = o->reduce_tol > 0 ? o->reduce_tol : co.reduce_tol;
  co.loss_floor = o->loss_floor;
  co.loss_rtol = o->approach_loss_rtol;
  if (ls_net_nparams(net) > 3000) {
    snprintf(r->crit.reason, sizeof r->crit.reason,
             "%zu parameters: the certificate's dense Hessian is limited to 3000",
             ls_net_nparams(net));
    return LS_OK;
  }
  return ls_cert_critical(net, d, theta, &co, &r->crit, err);
}

/* The class is the certificate that holds (docs/classify.md):
 *   global            loss at the floor (the run's or its certified point's)
 *   not_converged     no certificate: crit.reason or mincert.reason says why. A flat
 *                     point (zero eigenvalues beyond the symmetry's, none negative) from
 *                     which the higher-order test or the escape checks descend is here
 *                     too (certificate "escape"): not a minimum, and no negative
 *                     eigenvalue certifies a saddle (a channel to infinity, for instance)
 *   saddle            certified critical point with negative eigenvalues (its index)
 *   symmetry_induced  certified minimum whose certificate went through a reduction
 *   local_min         certified minimum of an irreducible network ("finite local minimum") */
static ls_status decide_class(const ls_net *net, const ls_data *d, int zero_loss,
                              double eig_tol, ls_classify_result *r, ls_error *err) {
  snprintf(r->certificate, sizeof r->certificate, "none");
  if (zero_loss) {
    r->cls = LS_CLASS_GLOBAL, r->sym_induced = 0;
    snprintf(r->certificate, sizeof r->certificate, "global");
    return LS_OK;
  }
  if (!isfinite(r->loss) || r->crit.kind == LS_CERT_NONE) {
    r->cls = LS_CLASS_NOT_CONVERGED;
    return LS_OK;
  }
  ls_mincert_opts mo;
  ls_mincert_opts_default(&mo);
  mo.eig_tol = eig_tol;
  ls_status st = ls_cert_minimum(net, d, &r->crit, &mo, &r->mincert, err);
  if (st) return st;
  int reduced = r->crit.kind == LS_CERT_REDUCED;
  r->sym_induced = reduced;
  if (r->mincert.kind != LS_MINCERT_NONE)
    snprintf(r->certificate, sizeof r->certificate, "%s", ls_mincert_kind_name(r->mincert.kind));
  switch (r->mincert.kind) {
  case LS_MINCERT_SADDLE:
    r->cls = LS_CLASS_SADDLE;
    break;
  case LS_MINCERT_MORSE_BOTT:
  case LS_MINCERT_HIGHER:
  case LS_MINCERT_VALLEY:
    r->cls = reduced ? LS_CLASS_SYMMETRY : LS_CLASS_LOCAL;
    break;
  default:
    r->cls = LS_CLASS_NOT_CONVERGED;
  }
  return LS_OK;
}

/* The classification of theta itself (ls_classify_point without the continuation). */
static ls_status classify_at(const ls_net *net, const ls_data *d, const double *theta,
                             const ls_net *teacher, const double *theta_t,
                             const ls_classify_opts *opts, ls_classify_result *r,
                             ls_error *err) {
  ls_classify_opts o = *opts;
  memset(r, 0, sizeof *r);
  r->continue_loss = r->continue_shift = NAN;
  r->near_global_dist = r->near_global_loss = NAN;
  r->match_error = NAN;
  r->approach_loss = r->approach_grad_inf = NAN;
  ls_status st = ls_classify_opts_validate(&o, err);
  if (!st) st = ls_net_validate(net, err);
  if (st) return st;
  r->P = (int)ls_net_nparams(net);
  if ((st = loss_grad_inf(net, d, theta, &r->loss, &r->grad_inf, err))) return st;
  r->converged = isfinite(r->loss) && r->grad_inf <= o.grad_tol;
  r->gn_loss = NAN;
  const double *theta_in = theta;
  /* Certificates (certify.h). A loss at the floor is its own certificate (the loss is
   * >= 0: a global minimum). Otherwise the run must have a certified critical point near
   * it; when that point's loss is at the floor, the run reaches a certified global minimum
   * and that point is what gets reduced, matched and pruned. */
  int global_run = isfinite(r->loss) && r->loss <= o.loss_floor;
  double t0 = ls_clock_seconds();
  /* GLU networks have no reduction theory yet: classified below from gradient and spectrum */
  if (!global_run && !ls_net_n_glu(net) && (st = certify_run(net, d, theta, &o, r, err)))
    return st;
  r->cert_seconds = ls_clock_seconds() - t0;
  int zero_cert = !global_run && r->crit.kind != LS_CERT_NONE && r->crit.loss <= o.loss_floor;
  int zero = global_run || zero_cert;
  /* A zero-loss point is polished further on its residuals first (gn_polish.c: Newton's
   * method stalls at the gradient's rounding floor with units still about 1e-5 apart and
   * outputs 1e-10 off); the polished point is what gets reduced, matched and pruned. */
  double *theta_gn = NULL;
  int zero_loss_point = (global_run && r->loss > 0) || zero_cert;
  if (zero_loss_point) {
    size_t P = ls_net_nparams(net);
    if (!(theta_gn = malloc(P * sizeof *theta_gn))) {
      ls_classify_result_free(r);
      return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
    }
    memcpy(theta_gn, zero_cert ? r->crit.theta : theta, P * sizeof *theta_gn);
    double lg = zero_cert ? r->crit.loss : r->loss;
    if ((st = ls_prune_polish_gn(net, d, theta_gn, 50, &lg, err))) {
      free(theta_gn);
      ls_classify_result_free(r);
      return st;
    }
    r->gn_loss = lg;
    theta = theta_gn;
  }
  r->min_neuron_dist = min_unit_distance(net, theta);
  if (!isfinite(r->loss)) {
    r->cls = LS_CLASS_NOT_CONVERGED;
    return LS_OK;
  }
  if ((st = spectrum(net, d, theta, o.eig_tol, r, err))) {
    free(theta_gn);
    return st;
  }
  if (ls_net_n_glu(net)) { /* GLU units: classes from the gradient and the spectrum only */
    int zl = r->loss <= o.loss_floor;
    r->cls = zl ? LS_CLASS_GLOBAL : !r->converged ? LS_CLASS_NOT_CONVERGED
             : r->n_neg_eigs > 0 ? LS_CLASS_SADDLE : LS_CLASS_LOCAL;
    snprintf(r->certificate, sizeof r->certificate, "%s", zl ? "global" : "spectrum");
    free(theta_gn);
    return LS_OK;
  }

  /* Reduction to the irreducible form (Definition 3.1): groups and the pruned network.
   * A zero-loss point whose units have not fully merged (the loss is flat to second order
   * along the merge, so training leaves them about sqrt of the gradient tolerance apart)
   * is reduced again at looser tolerances, up to 10^4 reduce_tol, until it matches the
   * teacher; prune_max_diff reports what the pruning changes in the outputs. */
  ls_sym_reduction red;
  memset(&red, 0, sizeof red);
  int *unit[LS_MAX_LAYERS + 1] = {0};
  ls_net net_v, teacher_v;
  double *theta_v = NULL, *theta_tv = NULL;
  if ((st = add_virtual_bias(net, theta, &net_v, &theta_v, err))) goto done;
  if (teacher && theta_t && (st = add_virtual_bias(teacher, theta_t, &teacher_v, &theta_tv, err)))
    goto done;
  double scale_t = teacher && theta_t ? fmax(1.0, ls_norm_inf(ls_net_nparams(teacher), theta_t)) : 1;
  int tries = (teacher && theta_t && zero) ? 5 : 1;
  for (int k = 0; k < tries; k++) {
    ls_sym_reduction_free(&red);
    for (int l = 0; l <= LS_MAX_LAYERS; l++) free(unit[l]), unit[l] = NULL;
    ls_sym_reduce_opts ro;
    ls_sym_reduce_opts_default(&ro);
    ro.tol = o.reduce_tol * pow(10.0, k);
    if ((st = ls_sym_reduce(&net_v, theta_v, &ro, &red, err))) goto done;
    if (!teacher || !theta_t) break;
    double e;
    if ((st = teacher_error(&red.net, red.theta, &teacher_v, theta_tv, ro.tol, &e, unit, err)))
      goto done;
    r->match_error = e;
    r->teacher_match = e <= o.match_tol * scale_t;
    if (r->teacher_match) break;
  }
  if (!r->teacher_match)
    for (int l = 0; l <= LS_MAX_LAYERS; l++) free(unit[l]), unit[l] = NULL;
  for (int l = 1; l < net->n_layers; l++) {
    r->reduced_width[l] = red.net.width[l];
    if (red.net.width[l] < net->width[l]) r->reducible = 1;
  }
  if ((st = drop_virtual_bias(net, &red, o.reduce_tol, err))) goto done;
  r->reduced_P = (int)ls_net_nparams(&red.net);
  if ((st = reduced_grad(net, &red.net, red.theta, d, &r->reduced_loss, &r->reduced_grad_inf,
                         err)))
    goto done;
  if (zero_loss_point) {
    size_t P = ls_net_nparams(net);
    double *th_p = malloc(P * sizeof *th_p), lp, gp;
    int ok = 0;
    if (!th_p) st = ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
    else st = project_expansion(net, theta, d, &red, th_p, &ok, err);
    if (!st && ok && loss_grad_inf(net, d, th_p, &lp, &gp, err) == LS_OK &&
        lp < r->gn_loss) {
      r->gn_loss = lp;
      free(theta_gn);
      theta = theta_gn = th_p;
      th_p = NULL;
    }
    free(th_p);
    if (st) goto done;
  }
  if ((st = ls_prune_verify(net, theta, &red.net, red.theta, d, &r->prune_max_diff, err)))
    goto done;
  if (theta != theta_in) {
    r->polish_shift = ls_dist_inf(ls_net_nparams(net), theta, theta_in);
  }
  if (zero && r->prune_max_diff > 1e-13 &&
      (st = polish_pruned(net, theta, d, &red, &r->prune_max_diff, &r->prune_polished, err)))
    goto done;
  if ((st = ls_prune_verify(net, theta_in, &red.net, red.theta, d, &r->prune_raw_diff, err)))
    goto done;
  if ((st = collect_groups(&red, unit, r, err))) goto done;
  r->reduced_net = red.net;
  r->reduced_theta = red.theta;
  red.theta = NULL;

  /* Thesis table 6.1: a symmetry-induced point reduces to a critical point of a smaller
   * network (Simsek Proposition 4.3: expansions of critical points stay critical). */
  r->sym_induced = r->converged && r->reducible && r->reduced_grad_inf <= o.sym_grad_tol;
  /* Zero loss is a global minimum whatever the match says; teacher_match tells whether the
   * reduction explains it (Theorem 4.2: it must, for activations like sigma_{alpha,gamma}). */
  int zero_loss = zero;
  /* not converged, or converged but not reducible at reduce_tol: two near-merged units */
  if (!zero_loss && !r->sym_induced && o.approach_dist > 0 &&
      (st = approach_test(net, d, theta, &o, r, err)))
    goto done;
  if (r->approaching) r->sym_induced = 1;
  t0 = ls_clock_seconds();
  st = decide_class(net, d, zero_loss, o.eig_tol, r, err);
  r->cert_seconds += ls_clock_seconds() - t0;
  /* A run that no finite certificate explains may sit in a channel to infinity
   * (channel.h, Martinelli et al. 2025): certified when its gated-linear-unit limit is a
   * critical point at or below the run's loss. Certified finite minima are not tested. */
  if (!st && r->cls == LS_CLASS_NOT_CONVERGED && isfinite(r->loss) &&
      !(st = ls_channel_find(net, d, theta_in, NULL, &r->channel, err)) && r->channel.found) {
    r->cls = LS_CLASS_CHANNEL;
    snprintf(r->certificate, sizeof r->certificate, "channel");
  }
done:
  free(theta_v), free(theta_tv), free(theta_gn);
  for (int l = 0; l <= LS_MAX_LAYERS; l++) free(unit[l]);
  ls_sym_reduction_free(&red);
  if (st) ls_classify_result_free(r);
  return st;
}

/* Why the run's own point has no certificate: its certificate ("escape" or none) with the
 * critical point's or the minimum's reason, then the channel test's when one was tried. */
static void unexplained_reason(const ls_classify_result *r, char *buf, size_t len) {
  const char *why = r->crit.kind == LS_CERT_NONE ? r->crit.reason : r->mincert.reason;
  const char *cert = strcmp(r->certificate, "none") ? r->certificate : "";
  snprintf(buf, len, "%.16s%s%.100s%s%.60s", cert, *cert ? ": " : "", why,
           r->channel.n_groups ? "; channel: " : "", r->channel.n_groups ? r->channel.reason : "");
}

/* Continuation of a run that no certificate explains. The optimiser stopped where no
 * certificate holds: most often a flat point from which the thesis's escape checks
 * (Stoican 2022, section 6.2.4, Algorithm 1) find a lower loss, a plateau on which
 * gradient flow and Newton creep (table 6.1: gradient flow to t = 1e12 lowers such a loss
 * by 3.5e-11). As the thesis does with a point its escape check leaves, training goes on
 * from it: Adam (full batch, lr continue_lr: its per-coordinate steps of about lr cross the
 * plateau), continue_iter steps, then Newton to the gradient floor; the trainer keeps its
 * lowest point, so the continued loss is never above the run's. The continued point is
 * classified like any run (without a further continuation); when it gets a certificate, r
 * becomes its classification with continued = 1 and the run's own loss and reason kept,
 * otherwise r stays the run's with continue_loss recorded. */
static ls_status continue_run(const ls_net *net, const ls_data *d, const double *theta,
                              const ls_net *teacher, const double *theta_t,
                              const ls_classify_opts *o, ls_classify_result *r, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *tc = malloc(P * sizeof *tc);
  if (!tc) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  memcpy(tc, theta, P * sizeof *tc);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.first = LS_FIRST_ADAM;
  to.lr = o->continue_lr;
  to.first_maxiter = o->continue_iter;
  to.switch_grad_tol = 0; /* the run's gradient is small already: Adam runs all its steps */
  to.polish = LS_POLISH_NEWTON;
  to.traj_per_decade = 0;
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  double t0 = ls_clock_seconds();
  ls_status st = ls_train(net, d, tc, &to, &tr, err);
  ls_train_result_free(&tr);
  double secs = ls_clock_seconds() - t0;
  if (st) {
    free(tc);
    return st;
  }
  ls_classify_opts o2 = *o;
  o2.continue_iter = 0;
  ls_classify_result r2;
  if ((st = classify_at(net, d, tc, teacher, theta_t, &o2, &r2, err))) {
    free(tc);
    return st;
  }
  double shift = ls_dist_inf(P, tc, theta);
  if (r2.cls == LS_CLASS_NOT_CONVERGED || !(r2.loss <= r->loss)) {
    r->continue_loss = r2.loss, r->continue_shift = shift, r->continue_seconds = secs;
    ls_classify_result_free(&r2);
    free(tc);
    return LS_OK;
  }
  r2.continued = 1;
  r2.run_loss = r->loss;
  unexplained_reason(r, r2.run_reason, sizeof r2.run_reason);
  r2.continue_loss = r2.loss, r2.continue_shift = shift, r2.continue_seconds = secs;
  r2.continued_theta = tc;
  r2.cert_seconds += r->cert_seconds;
  ls_classify_result_free(r);
  *r = r2;
  return LS_OK;
}

/* Near a global minimum (docs/classify.md). A run that no certificate explains, with a
 * loss of at most near_global_rloss L(0) (L(0): the loss at theta = 0, the zero output of
 * an identity output layer), where the optimiser stopped short of the zero-loss set
 * (Simsek et al. figure 1c's wide students: a cloud of units whose functions cancel to
 * high order, converging at the pace of that cancellation). The teacher expansion built
 * from the run (near_global.c) is classified by itself: when it is a certified global
 * minimum that reduces to the teacher, the run is near_global, with that minimum's
 * distance and loss; the run's own reason stays in run_reason. */
static ls_status near_global(const ls_net *net, const ls_data *d, const double *theta,
                             const ls_net *teacher, const double *theta_t,
                             const ls_classify_opts *o, ls_classify_result *r, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *zero = calloc(P, sizeof *zero), L0, g0;
  if (!zero) return ls_error_set(err, LS_ERR_NOMEM, "classify: out of memory");
  ls_status st = loss_grad_inf(net, d, zero, &L0, &g0, err);
  free(zero);
  if (st || !(r->loss <= o->near_global_rloss * L0)) return st;
  ls_teacher_expansion e;
  if ((st = ls_teacher_expansion_near(net, theta, teacher, theta_t, o->near_global_copy_rtol,
                                      &e, err)) || !e.ok)
    return st;
  ls_classify_opts o2 = *o;
  o2.continue_iter = 0;
  ls_classify_result rs;
  if (!(st = classify_at(net, d, e.theta, teacher, theta_t, &o2, &rs, err))) {
    if (rs.cls == LS_CLASS_GLOBAL && rs.teacher_match) {
      unexplained_reason(r, r->run_reason, sizeof r->run_reason);
      r->cls = LS_CLASS_NEAR_GLOBAL;
      snprintf(r->certificate, sizeof r->certificate, "near_global");
      r->near_global_dist = e.dist, r->near_global_loss = rs.loss;
      r->near_global_cloud = e.n_cloud;
    }
    ls_classify_result_free(&rs);
  }
  ls_teacher_expansion_free(&e);
  return st;
}

ls_status ls_classify_point(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_net *teacher, const double *theta_t,
                            const ls_classify_opts *opts, ls_classify_result *r,
                            ls_error *err) {
  ls_classify_opts o;
  if (opts) o = *opts;
  else ls_classify_opts_default(&o);
  ls_status st = classify_at(net, d, theta, teacher, theta_t, &o, r, err);
  if (st) return st;
  r->run_loss = r->loss;
  if (r->cls != LS_CLASS_NOT_CONVERGED || !isfinite(r->loss) || ls_net_n_glu(net))
    return LS_OK;
  if (teacher && theta_t && o.near_global_rloss > 0) {
    if ((st = near_global(net, d, theta, teacher, theta_t, &o, r, err))) {
      ls_classify_result_free(r);
      return st;
    }
    if (r->cls == LS_CLASS_NEAR_GLOBAL) return LS_OK;
  }
  if (o.continue_iter > 0 && (st = continue_run(net, d, theta, teacher, theta_t, &o, r, err)))
    ls_classify_result_free(r);
  return st;
}
