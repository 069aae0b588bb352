/* Symmetry-induced critical points (Simsek et al. 2021, Definition 4.1, Propositions 4.3
 * and 4.4; Brea et al. 2019, permutation points of Definitions 4 and 6, Propositions 1-2):
 * certificate of criticality, Hessian null space and index against the predictions. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/sym.h"
#include "sym/unit.h"

ls_status ls_sym_hessian_eigs(const ls_net *net, const ls_data *d, const double *theta,
                              double *eig, ls_error *err) {
  size_t P = ls_net_nparams(net);
  if (ls_dense_fits(P, 1, "the Hessian spectrum", err)) return LS_ERR_INPUT;
  double *H = malloc(P * P * sizeof *H);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!H || !w) {
    st = ls_error_set(err, LS_ERR_NOMEM, "Hessian: out of memory for %zu parameters", P);
    goto done;
  }
  if ((st = ls_hessian(net, d, theta, H, w))) {
    ls_error_set(err, st, "Hessian could not be computed");
    goto done;
  }
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)P, H, (lapack_int)P, eig) != 0)
    st = ls_error_set(err, LS_ERR_COMPUTE, "symmetric eigen-decomposition failed");
done:
  free(H);
  ls_work_free(w);
  return st;
}

/* Zero, negative counts of a spectrum at relative tolerance tol. */
static void count_spectrum(int P, const double *e, double tol, int *zero, int *neg,
                           double *maxabs, double *gz, double *gnz) {
  double mx = 0;
  for (int i = 0; i < P; i++) mx = fmax(mx, fabs(e[i]));
  *maxabs = mx;
  *zero = *neg = 0;
  double thr = tol * (mx > 0 ? mx : 1);
  for (int i = 0; i < P; i++) {
    if (fabs(e[i]) <= thr) {
      (*zero)++;
      if (gz && fabs(e[i]) > *gz) *gz = fabs(e[i]);
    } else {
      if (e[i] < 0) (*neg)++;
      if (gnz && (*gnz == 0 || fabs(e[i]) < *gnz)) *gnz = fabs(e[i]);
    }
  }
}

static ls_status grad_norm(const ls_net *net, const ls_data *d, const double *th, double *loss,
                           double *gn, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = (g && w) ? ls_loss_grad(net, d, th, loss, g, w) : LS_ERR_NOMEM;
  double s = 0;
  for (size_t i = 0; !st && i < P; i++) s += g[i] * g[i];
  *gn = sqrt(s);
  free(g);
  ls_work_free(w);
  if (st) ls_error_set(err, st, "loss or gradient failed");
  return st;
}

/* A random direction in the equal-loss plateau of Brea Proposition 2(ii): outgoing weights
 * of units of equal incoming weights change by vectors summing to zero per group. */
static ls_status plateau_direction(const ls_net *net, const double *th, ls_rng *rs,
                                   double *dir, ls_error *err) {
  ls_sym_reduce_opts o;
  ls_sym_reduce_opts_default(&o);
  o.use_sign = 0;
  o.tol = 1e-12;
  ls_sym_reduction red;
  ls_status st = ls_sym_reduce(net, th, &o, &red, err);
  if (st) return st;
  memset(dir, 0, ls_net_nparams(net) * sizeof *dir);
  for (int l = 1; l < net->n_layers; l++) {
    ls_sym_layer_groups *g = &red.layer[l];
    int n_out = net->width[l + 1], m = net->width[l];
    double *W = dir + ls_net_w_offset(net, l + 1);
    for (int k = 0; k < g->n_groups; k++) {
      if (g->group_size[k] < 2) continue;
      for (int o2 = 0; o2 < n_out; o2++) {
        double s = 0;
        int last = -1;
        for (int i = 0; i < m; i++)
          if (g->group[i] == k) {
            last = i;
            s += (W[(size_t)o2 * m + i] = ls_rng_normal(rs));
          }
        W[(size_t)o2 * m + last] -= s; /* sum over the group is zero */
      }
    }
  }
  ls_sym_reduction_free(&red);
  return LS_OK;
}

ls_status ls_sym_critical_certify(const ls_net *net_r, const double *theta_r,
                                  const ls_net *net_m, const double *theta_m, const ls_data *d,
                                  double tol, double zero_loss_tol, uint64_t seed,
                                  ls_sym_critical_cert *c, ls_error *err) {
  memset(c, 0, sizeof *c);
  if (net_r->n_layers != net_m->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "narrow and wide networks differ in depth");
  for (int l = 1; l < net_m->n_layers; l++)
    if (net_m->width[l] < net_r->width[l])
      return ls_error_set(err, LS_ERR_INPUT, "layer %d: width %d is narrower than %d", l,
                          net_m->width[l], net_r->width[l]);
  c->tol = tol;
  c->P_r = (int)ls_net_nparams(net_r);
  c->P_m = (int)ls_net_nparams(net_m);
  ls_status st;
  if ((st = grad_norm(net_r, d, theta_r, &c->loss_r, &c->grad_norm_r, err)) ||
      (st = grad_norm(net_m, d, theta_m, &c->loss_m, &c->grad_norm_m, err)))
    return st;
  c->zero_loss = net_m->loss == LS_LOSS_MSE && c->loss_r <= zero_loss_tol;
  double *er = malloc((size_t)c->P_r * sizeof *er), *em = malloc((size_t)c->P_m * sizeof *em);
  double *dir = malloc((size_t)c->P_m * sizeof *dir), *tp = malloc((size_t)c->P_m * sizeof *tp);
  if (!er || !em || !dir || !tp) {
    st = ls_error_set(err, LS_ERR_NOMEM, "certify: out of memory");
    goto done;
  }
  if ((st = ls_sym_hessian_eigs(net_r, d, theta_r, er, err)) ||
      (st = ls_sym_hessian_eigs(net_m, d, theta_m, em, err)))
    goto done;
  double mr;
  count_spectrum(c->P_r, er, tol, &c->zero_r, &c->neg_r, &mr, NULL, NULL);
  count_spectrum(c->P_m, em, tol, &c->zero_m, &c->neg_m, &c->max_abs_eig_m, &c->gap_zero,
                 &c->gap_nonzero);
  /* Predicted null space: see sym.h. One extra unit of layer l adds the beta direction
   * (Proposition 4.4); its output splits u orthogonal to a are isotropic and pair with
   * the incoming-weight differences through a fan_in x (width_{l+1}-1) coupling, whose
   * kernel adds max(0, width_{l+1}-1-fan_in). At zero loss the Hessian is 2 J^T J and
   * every first-order function-preserving direction is null: width_{l+1} output splits
   * and fan_in incoming differences with sum_i beta_i dw_i = 0. */
  c->zero_predicted = c->zero_r;
  c->index_predicted_min = c->neg_r;
  for (int l = 1; l < net_m->n_layers; l++) {
    int extra = net_m->width[l] - net_r->width[l];
    int D = sym_fan_in(net_m, l), w1 = net_m->width[l + 1];
    int z = c->zero_loss ? w1 + D : 1 + (w1 - 1 - D > 0 ? w1 - 1 - D : 0);
    c->zero_predicted += extra * z;
    c->plateau_dim += extra * w1;
    if (!c->zero_loss) c->index_predicted_min += extra * (w1 - 1 < D ? w1 - 1 : D);
  }
  c->index_bound = c->plateau_dim - c->zero_m > c->neg_r ? c->plateau_dim - c->zero_m : c->neg_r;
  /* Brea Proposition 2(ii): equal loss along the plateau; critical only at zero loss or
   * with one unit in the next layer (then the plateau is Definition 4.1's beta-space). */
  ls_rng rs;
  ls_rng_seed(&rs, seed);
  if ((st = plateau_direction(net_m, theta_m, &rs, dir, err))) goto done;
  double scale = 0, nd = 0;
  for (int i = 0; i < c->P_m; i++) scale = fmax(scale, fabs(theta_m[i])), nd = fmax(nd, fabs(dir[i]));
  double Lp = 0, gp = 0;
  for (int i = 0; i < c->P_m; i++) tp[i] = theta_m[i] + (nd > 0 ? 0.3 * scale / nd : 0) * dir[i];
  if ((st = grad_norm(net_m, d, tp, &Lp, &gp, err))) goto done;
  c->plateau_loss_diff = fabs(Lp - c->loss_m);
  c->plateau_grad_norm = gp;
done:
  free(er), free(em), free(dir), free(tp);
  return st;
}
