/* Certified critical points: reduce, polish, lift, check against the rounding bound
 * (include/landsym/certify.h; Simsek et al. 2021 Definition 3.1, Propositions 4.3, 4.4). */
#include "landsym/certify.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/sym.h"
#include "sym/unit.h"

void ls_cert_opts_default(ls_cert_opts *o) {
  o->reduce_tol = 1e-6;
  o->reduce_steps = 5;
  o->loss_rtol = 1e-3;
  o->loss_floor = 1e-16;
  o->zero_dist = 1e-2;
  o->kappa = 64;
  o->newton_iter = 100;
}

const char *ls_cert_kind_name(ls_cert_kind k) {
  return k == LS_CERT_IRREDUCIBLE ? "irreducible" : k == LS_CERT_REDUCED ? "reduced" : "none";
}

void ls_crit_cert_free(ls_crit_cert *c) {
  if (!c) return;
  free(c->theta);
  memset(c, 0, sizeof *c);
}

/* |g_p| rounding bound (certify.h): kappa u max_p [(|H||theta|)_p + 2 sum_k |J_kp|(|r_k|+s_k)]. */
ls_status ls_cert_grad_bound(const ls_net *net, const ls_data *d, const double *theta,
                             double kappa, double *bound, ls_error *err) {
  size_t P = ls_net_nparams(net), O = (size_t)net->width[net->n_layers], nr = d->n * O;
  int mse = net->loss == LS_LOSS_MSE;
  /* the Hessian and, for MSE, the (n m) x P Jacobian of the residuals */
  if (ls_dense_fits(P, 1 + (mse ? (double)nr / (double)P : 0), "certify: the gradient's rounding bound",
                    err))
    return LS_ERR_INPUT;
  double *H = malloc(P * P * sizeof *H), *t = calloc(P, sizeof *t);
  double *J = mse ? malloc(nr * P * sizeof *J) : NULL, *r = mse ? malloc(nr * sizeof *r) : NULL;
  double *f = mse ? malloc(nr * sizeof *f) : NULL;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!H || !t || !w || (mse && (!J || !r || !f))) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory (P = %zu)", P);
    goto done;
  }
  if ((st = ls_hessian(net, d, theta, H, w))) {
    ls_error_set(err, st, "certify: Hessian could not be computed");
    goto done;
  }
  double tmax = 1;
  for (size_t p = 0; p < P; p++) tmax = fmax(tmax, fabs(theta[p]));
  for (size_t p = 0; p < P; p++) {
    double s = 0;
    for (size_t q = 0; q < P; q++) s += fabs(H[p * P + q]) * fabs(theta[q]);
    t[p] = s;
  }
  if (mse) {
    if ((st = ls_residual_jacobian(net, d, theta, r, J, err)) ||
        (st = ls_forward(net, theta, d->n, d->x, f, w)))
      goto done;
    for (size_t k = 0; k < nr; k++) {
      double sw = sqrt(ls_data_weight(d, k / O));
      double s = fabs(r[k]) + sw * (fabs(f[k]) + fabs(d->y[k]));
      for (size_t p = 0; p < P; p++) t[p] += 2 * fabs(J[k * P + p]) * s;
    }
  } else {
    for (size_t p = 0; p < P; p++) t[p] += tmax;
  }
  double m = 0;
  for (size_t p = 0; p < P; p++) m = fmax(m, t[p]);
  *bound = kappa * 0.5 * DBL_EPSILON * m;
done:
  free(H), free(t), free(J), free(r), free(f);
  ls_work_free(w);
  return st;
}

static ls_status loss_ginf(const ls_net *net, const ls_data *d, const double *th, double *L,
                           double *gi, ls_error *err) {
  double *g;
  ls_status st = ls_loss_grad_once(net, d, th, L, &g, "certify", err);
  *gi = 0;
  for (size_t p = 0, P = ls_net_nparams(net); !st && p < P; p++) *gi = fmax(*gi, fabs(g[p]));
  if (!st && !isfinite(*gi)) *gi = INFINITY;
  free(g);
  return st;
}

/* Newton's method in critical-point mode on (net, th), at most iter steps, to the rounding
 * level (no gradient tolerance: it stops when no step lowers |g|). ReLU networks: the
 * Hessian is that of the current activation pattern; a minimum sitting on a kink (a sample
 * where a unit's pre-activation is 0; the MSE gradient jumps there) is no smooth critical
 * point and keeps its gradient, so such points get no certificate. */
static void newton_polish(const ls_net *net, const ls_data *d, double *th, int iter) {
  ls_train_opts o;
  ls_train_opts_polish(&o, LS_POLISH_NEWTON, (size_t)iter, 0);
  o.newton_critical = 1;
  ls_train_result tr;
  memset(&tr, 0, sizeof tr);
  ls_error e;
  size_t P = ls_net_nparams(net);
  double *keep = malloc(P * sizeof *keep);
  if (!keep) return;
  memcpy(keep, th, P * sizeof *th);
  if (ls_train(net, d, th, &o, &tr, &e) != LS_OK) memcpy(th, keep, P * sizeof *th);
  for (size_t p = 0; p < P; p++)
    if (!isfinite(th[p])) {
      memcpy(th, keep, P * sizeof *th);
      break;
    }
  ls_train_result_free(&tr);
  free(keep);
}

/* Solve the n x n system A x = b in place (partial pivoting); -1 when singular. */
static int solve_small(int n, double *A, double *b) {
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int i = c + 1; i < n; i++)
      if (fabs(A[i * n + c]) > fabs(A[piv * n + c])) piv = i;
    if (!(fabs(A[piv * n + c]) > 1e-300)) return -1;
    if (piv != c) {
      for (int j = 0; j < n; j++) {
        double tmp = A[c * n + j];
        A[c * n + j] = A[piv * n + j], A[piv * n + j] = tmp;
      }
      double tmp = b[c];
      b[c] = b[piv], b[piv] = tmp;
    }
    for (int i = c + 1; i < n; i++) {
      double f = A[i * n + c] / A[c * n + c];
      for (int j = c; j < n; j++) A[i * n + j] -= f * A[c * n + j];
      b[i] -= f * b[c];
    }
  }
  for (int c = n - 1; c >= 0; c--) {
    double s = b[c];
    for (int j = c + 1; j < n; j++) s -= A[c * n + j] * b[j];
    b[c] = s / A[c * n + c];
  }
  return 0;
}

/* Lift the polished reduced point back onto net's width (one hidden layer). Unit i of group
 * g (reduced unit ri, sign s_i): incoming weights s_i v_ri; zero-type groups keep the mean
 * of their signed incoming weights; constant units keep zero incoming weights (and their
 * bias). Outgoing weights, per output: the least change from the run's a satisfying
 *   sum_{i in g} s_i a_i = A_ri (A = 0 for zero-type groups),
 *   sum_i kappa_i a_i = K     (kappa_i = c for a negated unit, f(b_i) for a constant one),
 * with K = 0 without an output bias (the constants must cancel); with a bias the bias takes
 * b_red - sum_i kappa_i a_i instead of the last constraint. Minimum-norm solution
 * a = a_run + C^T (C C^T)^-1 (e - C a_run). *ncon gets the number of constant constraints. */
static ls_status lift_one_layer(const ls_net *net, const double *theta,
                                const ls_sym_reduction *red, const double *th_r,
                                double *out, int *ncon, ls_error *err) {
  const ls_sym_layer_groups *G = &red->layer[1];
  const ls_net *rn = &red->net;
  int m = net->width[1], O = net->width[2], D = sym_fan_in(net, 1), ng = G->n_groups;
  size_t P = ls_net_nparams(net);
  double c = 0;
  ls_act_odd_shift(&net->act[1], &c); /* f(-x) = c - f(x); c = 0 otherwise (unused then) */
  double *v = malloc((size_t)D * sizeof *v), *mean = calloc((size_t)ng * D + 1, sizeof *mean);
  double *kap = calloc((size_t)m, sizeof *kap), *a = malloc((size_t)m * O * sizeof *a);
  double *A = malloc((size_t)(ng + 1) * (ng + 1) * sizeof *A), *e = malloc((size_t)(ng + 1) * sizeof *e);
  double *ar = malloc((size_t)O * sizeof *ar);
  ls_status st = LS_OK;
  if (!v || !mean || !kap || !a || !A || !e || !ar) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory");
    goto done;
  }
  memcpy(out, theta, P * sizeof *out);
  /* zero-type groups: mean signed incoming weights of the run */
  for (int i = 0; i < m; i++) {
    int g = G->group[i];
    if (G->reduced_index[g] >= 0 || g == G->const_group) continue;
    sym_get_in(net, theta, 1, i, v);
    for (int k = 0; k < D; k++) mean[(size_t)g * D + k] += G->sign[i] * v[k] / G->group_size[g];
  }
  int any_kappa = 0;
  for (int i = 0; i < m; i++) {
    int g = G->group[i], ri = G->reduced_index[g];
    if (g == G->const_group) {
      sym_get_in(net, theta, 1, i, v);
      for (int k = 0; k < net->width[0]; k++) v[k] = 0;
      sym_set_in(net, out, 1, i, v);
      double dd[4];
      ls_act_eval(&net->act[1], net->bias[1] ? v[net->width[0]] : 0.0, dd);
      kap[i] = dd[0];
    } else {
      if (ri >= 0) sym_get_in(rn, th_r, 1, ri, v);
      else memcpy(v, mean + (size_t)g * D, (size_t)D * sizeof *v);
      for (int k = 0; k < D; k++) v[k] *= G->sign[i];
      sym_set_in(net, out, 1, i, v);
      kap[i] = G->sign[i] < 0 ? c : 0;
    }
    if (kap[i] != 0) any_kappa = 1;
    sym_get_out(net, theta, 1, i, a + (size_t)i * O);
  }
  int cons = any_kappa && !net->bias[2]; /* the constants must cancel */
  *ncon = cons ? O : 0;
  /* constraint rows: groups other than the constant group, then the constant row */
  int nrow = 0, *row_of = malloc((size_t)ng * sizeof *row_of);
  if (!row_of) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory");
    goto done;
  }
  for (int g = 0; g < ng; g++) row_of[g] = g == G->const_group ? -1 : nrow++;
  int nc = nrow + cons;
  for (int o = 0; o < O; o++) {
    /* C C^T: diagonal group sizes (s_i^2 = 1), constant row couplings */
    memset(A, 0, (size_t)nc * nc * sizeof *A);
    for (int g = 0; g < nc; g++) e[g] = 0;
    for (int g = 0; g < ng; g++) {
      int q = row_of[g];
      if (q < 0) continue;
      int ri = G->reduced_index[g];
      if (ri >= 0) {
        sym_get_out(rn, th_r, 1, ri, ar);
        e[q] = ar[o];
      }
    }
    for (int i = 0; i < m; i++) {
      int q = row_of[G->group[i]];
      double ai = a[(size_t)i * O + o];
      if (q >= 0) {
        A[q * nc + q] += 1;
        e[q] -= G->sign[i] * ai;
        if (cons) A[q * nc + nrow] += G->sign[i] * kap[i], A[nrow * nc + q] += G->sign[i] * kap[i];
      }
      if (cons) A[nrow * nc + nrow] += kap[i] * kap[i], e[nrow] -= kap[i] * ai;
    }
    if (nc > 0 && solve_small(nc, A, e)) {
      free(row_of);
      st = ls_error_set(err, LS_ERR_COMPUTE, "certify: singular lift constraints");
      goto done;
    }
    for (int i = 0; i < m; i++) {
      int q = row_of[G->group[i]];
      double da = (q >= 0 ? G->sign[i] * e[q] : 0) + (cons ? kap[i] * e[nrow] : 0);
      a[(size_t)i * O + o] += da;
    }
  }
  free(row_of);
  for (int i = 0; i < m; i++) sym_set_out(net, out, 1, i, a + (size_t)i * O);
  if (net->bias[2]) {
    /* output bias: the reduced one minus the constants of the lifted units */
    double *b = out + ls_net_b_offset(net, 2);
    const double *br = rn->bias[2] ? th_r + ls_net_b_offset(rn, 2) : NULL;
    for (int o = 0; o < O; o++) {
      double k = 0;
      for (int i = 0; i < m; i++) k += kap[i] * a[(size_t)i * O + o];
      b[o] = (br ? br[o] : 0) - k;
    }
  }
done:
  free(v), free(mean), free(kap), free(a), free(A), free(e), free(ar);
  return st;
}

/* Units merged away (sum_l m_l - r_l), the constant-cancelling constraints (outputs, when
 * the next layer has no bias and negated or constant units carry constants) and the widths
 * of the reduction of theta at tol. */
static ls_status reduction_counts(const ls_net *net, const double *theta, double tol,
                                  int *extra, int *ncon, int *width, ls_error *err) {
  ls_sym_reduction red;
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = tol;
  ls_status st = ls_sym_reduce(net, theta, &ro, &red, err);
  if (st) return st;
  *extra = *ncon = 0;
  for (int l = 1; l < net->n_layers; l++) {
    const ls_sym_layer_groups *G = &red.layer[l];
    width[l] = red.net.width[l];
    *extra += net->width[l] - red.net.width[l];
    int carries = G->const_group >= 0;
    for (int i = 0; i < G->width; i++)
      if (G->sign[i] < 0) carries = 1;
    if (carries && !net->bias[l + 1]) *ncon += net->width[l + 1];
  }
  ls_sym_reduction_free(&red);
  return LS_OK;
}

/* One attempt at tolerance tol: *ok = 1 when certified (c filled). */
static ls_status attempt(const ls_net *net, const ls_data *d, const double *theta,
                         double loss_run, const ls_cert_opts *o, double tol, ls_crit_cert *c,
                         double *cand, int *ok, int *prev_extra, ls_error *err) {
  *ok = 0;
  size_t P = ls_net_nparams(net);
  ls_sym_reduction red;
  memset(&red, 0, sizeof red);
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = tol;
  ls_status st = ls_sym_reduce(net, theta, &ro, &red, err);
  if (st) return st;
  int reduced = 0, extra = 0;
  for (int l = 1; l < net->n_layers; l++) {
    if (red.net.width[l] < net->width[l]) reduced = 1;
    extra += net->width[l] - red.net.width[l];
  }
  if (extra == *prev_extra) goto done; /* the same reduction as the looser try before */
  *prev_extra = extra;
  int ncon = 0;
  if (!reduced) {
    memcpy(cand, theta, P * sizeof *cand);
    newton_polish(net, d, cand, o->newton_iter);
  } else if (net->n_layers != 2) {
    snprintf(c->reason, sizeof c->reason,
             "reducible at tol %.0e, but the exact lift needs one hidden layer", tol);
    goto done;
  } else {
    newton_polish(&red.net, d, red.theta, o->newton_iter);
    if ((st = lift_one_layer(net, theta, &red, red.theta, cand, &ncon, err))) {
      if (st == LS_ERR_COMPUTE) {
        snprintf(c->reason, sizeof c->reason, "lift failed at tol %.0e", tol);
        st = LS_OK;
      }
      goto done;
    }
  }
  double L, gi, bound;
  if ((st = loss_ginf(net, d, cand, &L, &gi, err)) ||
      (st = ls_cert_grad_bound(net, d, cand, o->kappa, &bound, err)))
    goto done;
  double dist = ls_dist_inf(P, cand, theta);
  double scale = fmax(1, ls_norm_inf(P, theta));
  int same_loss = isfinite(L) && (fabs(L - loss_run) <= o->loss_rtol * loss_run ||
                                  (L <= o->loss_floor && (loss_run <= o->loss_floor ||
                                                          dist <= o->zero_dist * scale)));
  int crit = gi <= bound;
  /* keep the attempt closest to a certificate as the reason */
  if (crit && same_loss) {
    /* symmetry-induced when the certified point itself reduces (Newton may have merged
     * units the run kept apart) */
    *ok = 1;
    c->reason[0] = 0;
    if ((st = reduction_counts(net, cand, o->reduce_tol, &extra, &ncon, c->reduced_width, err)))
      goto done;
    c->kind = extra > 0 ? LS_CERT_REDUCED : LS_CERT_IRREDUCIBLE;
    c->grad_inf = gi, c->bound = bound, c->loss = L, c->dist = dist, c->reduce_tol = o->reduce_tol;
    c->attempt_tol = tol;
    c->extra_units = extra, c->const_constraints = ncon;
    goto done;
  } else if (c->reason[0] == 0 || (same_loss && gi < c->grad_inf) || !isfinite(c->grad_inf)) {
    if (!same_loss)
      snprintf(c->reason, sizeof c->reason,
               "tol %.0e: %s point has loss %.3e, the run %.3e (gradient %.2e, bound %.2e)",
               tol, reduced ? "reduced, polished and lifted" : "polished", L, loss_run, gi, bound);
    else
      snprintf(c->reason, sizeof c->reason,
               "tol %.0e: %s point has gradient %.2e above its rounding bound %.2e "
               "(loss %.3e, %.2e from the run)",
               tol, reduced ? "reduced, polished and lifted" : "polished", gi, bound, L, dist);
  } else {
    goto done;
  }
  c->grad_inf = gi, c->bound = bound, c->loss = L, c->dist = dist, c->attempt_tol = tol;
  c->extra_units = extra, c->const_constraints = ncon;
  for (int l = 1; l < net->n_layers; l++) c->reduced_width[l] = red.net.width[l];
done:
  ls_sym_reduction_free(&red);
  return st;
}

ls_status ls_cert_critical(const ls_net *net, const ls_data *d, const double *theta,
                           const ls_cert_opts *opts, ls_crit_cert *c, ls_error *err) {
  ls_cert_opts o;
  if (opts) o = *opts;
  else ls_cert_opts_default(&o);
  memset(c, 0, sizeof *c);
  c->grad_inf = c->bound = c->loss = c->dist = NAN;
  if (!(o.reduce_tol > 0) || o.reduce_steps < 1 || !(o.loss_rtol >= 0) || !(o.kappa > 0) ||
      o.newton_iter < 0)
    return ls_error_set(err, LS_ERR_INPUT, "certify: bad options (reduce_tol > 0, "
                                          "reduce_steps >= 1, loss_rtol >= 0, kappa > 0)");
  ls_status st = ls_net_validate(net, err);
  if (st) return st;
  size_t P = ls_net_nparams(net);
  double L0, g0;
  if ((st = loss_ginf(net, d, theta, &L0, &g0, err))) return st;
  if (!isfinite(L0)) {
    snprintf(c->reason, sizeof c->reason, "loss is not finite");
    return LS_OK;
  }
  double *cand = malloc(P * sizeof *cand);
  if (!cand) return ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory");
  int ok = 0, prev_extra = -1;
  for (int k = 0; k < o.reduce_steps && !ok && !st; k++)
    st = attempt(net, d, theta, L0, &o, o.reduce_tol * pow(10.0, k), c, cand, &ok, &prev_extra,
                 err);
  if (!st && ok) {
    c->theta = cand;
    cand = NULL;
  }
  if (!st && !ok) c->kind = LS_CERT_NONE;
  free(cand);
  return st;
}
