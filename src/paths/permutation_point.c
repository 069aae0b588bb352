/* Permutation points: lift a narrow critical point back to the wide network (Brea et al.
 * 2019, Definition 4 / Lemma 1; Fukumizu-Amari line, thesis section 6.2.6) and certify it
 * with the trainer's Newton trust region in critical-point mode (ls_path_lift,
 * ls_path_permutation_point), and the exact end d = 0 of a permutation path, the apex
 * (ls_path_apex). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/paths.h"
#include "landsym/split.h"
#include "landsym/sym.h"

ls_status ls_path_lift(const ls_net *net_r, const double *theta_r, int k, int lr, double mu,
                       const ls_net *net, int l, int m, double *out, ls_error *err) {
  int w = net->width[k];
  if (l < 0 || m < 0 || l >= w || m >= w || l == m)
    return ls_error_set(err, LS_ERR_INPUT, "lift: units %d, %d of layer %d must differ", l, m, k);
  ls_net lifted;
  size_t P = ls_net_nparams(net);
  double *tmp = malloc(P * sizeof *tmp);
  int *perm = malloc((size_t)w * sizeof *perm);
  if (!tmp || !perm) {
    free(tmp), free(perm);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_status st = ls_split_duplicate(net_r, theta_r, k, lr, mu, &lifted, tmp, err);
  if (!st && (lifted.width[k] != w || ls_net_nparams(&lifted) != P))
    st = ls_error_set(err, LS_ERR_INPUT, "lift: the narrow network is not one unit narrower");
  if (!st) {
    /* lifted units: the narrow units in order, the copy (share 1 - mu) last. Target: unit l
     * is the original (share mu), unit m the copy, the others in order around m. */
    /* the narrow unit lr lands on l; the order of the others is kept */
    int *order = malloc((size_t)w * sizeof *order);
    if (!order) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    else {
      int n = 0;
      for (int j = 0; j < w - 1; j++)
        if (j != lr) order[n++] = j; /* narrow units other than lr, in order */
      n = 0;
      for (int i = 0; i < w; i++) {
        if (i == m) perm[i] = w - 1;
        else if (i == l) perm[i] = lr;
        else perm[i] = order[n++];
      }
      free(order);
      st = ls_sym_permute(net, k, perm, tmp, out, err);
    }
  }
  free(tmp), free(perm);
  return st;
}

static ls_status newton_polish(const ls_net *net, const ls_data *data, double *theta,
                               int critical, double *grad_inf, ls_error *err) {
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_NEWTON, 20000, 1e-15); /* degenerate minima: linear */
  to.newton_critical = critical;
  ls_train_result r = {0};
  ls_status st = ls_train(net, data, theta, &to, &r, err);
  if (!st && grad_inf) *grad_inf = r.grad_norm;
  ls_train_result_free(&r);
  return st;
}

ls_status ls_path_permutation_point(const ls_net *net, const ls_data *data, const double *theta,
                                    int k, int l, int m, double eig_tol, double *out,
                                    double *grad_inf, ls_inertia *inertia, ls_error *err) {
  ls_net nr;
  double *tr = NULL, *H = NULL, *eig = NULL;
  size_t P = ls_net_nparams(net);
  ls_status st = ls_path_merge_units(net, theta, k, l, m, &nr, &tr, err);
  if (!st) st = newton_polish(&nr, data, tr, 0, NULL, err); /* a minimum of the narrow net */
  int lr = l - (m < l);
  if (!st) st = ls_path_lift(&nr, tr, k, lr, 0.5, net, l, m, out, err);
  if (!st) st = newton_polish(net, data, out, 1, grad_inf, err);
  if (!st && inertia) {
    eig = malloc(P * sizeof *eig);
    if (!eig) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    if (!st) st = ls_sym_hessian_eigs(net, data, out, eig, err);
    if (!st) {
      double mx = fmax(fabs(eig[0]), fabs(eig[P - 1]));
      *inertia = ls_inertia_count(eig, (int)P, eig_tol * mx);
    }
  }
  free(tr), free(H), free(eig);
  return st;
}

static int net_smooth(const ls_net *net) {
  for (int L = 1; L <= net->n_layers; L++)
    if (net->act[L].kind == LS_ACT_RELU) return 0;
  return 1;
}

/* LBFGS on the narrow network (first derivatives only, so ReLU works); the trainer's
 * result carries the loss and gradient infinity-norm. LBFGS line searches stall at ReLU
 * kinks: restarted with a fresh memory while the loss still goes down. */
static ls_status lbfgs_polish(const ls_net *net, const ls_data *data, double *theta,
                              double *loss, double *grad_inf, ls_error *err) {
  ls_train_opts to;
  ls_train_opts_polish(&to, LS_POLISH_LBFGS, 200, 1e-15); /* NLopt: 20000 evaluations */
  ls_status st = LS_OK;
  double prev = HUGE_VAL;
  for (int rs = 0; rs < 20 && !st; rs++) {
    ls_train_result r = {0};
    st = ls_train(net, data, theta, &to, &r, err);
    if (!st) *loss = r.loss, *grad_inf = r.grad_norm;
    ls_train_result_free(&r);
    if (st || !(*loss < prev * (1 - 1e-13)) || *grad_inf <= to.grad_tol) break;
    prev = *loss;
  }
  return st;
}

ls_status ls_path_apex(const ls_net *net, const ls_data *data, const double *theta, int k, int l,
                       int m, double *out, double *loss, double *grad_inf, double *move,
                       ls_error *err) {
  ls_net nr;
  double *tr = NULL, *t0 = NULL, L = NAN, gi = NAN;
  ls_status st = ls_path_merge_units(net, theta, k, l, m, &nr, &tr, err);
  if (st) return st;
  size_t Pr = ls_net_nparams(&nr);
  t0 = malloc(Pr * sizeof *t0);
  if (!t0) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) memcpy(t0, tr, Pr * sizeof *t0), st = lbfgs_polish(&nr, data, tr, &L, &gi, err);
  /* twice differentiable: Newton to a minimum of the narrow network */
  if (!st && net_smooth(net)) {
    st = newton_polish(&nr, data, tr, 0, &gi, err);
    if (!st) {
      ls_work *w = ls_work_alloc(&nr, data->n);
      st = w ? ls_loss(&nr, data, tr, &L, w) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
      ls_work_free(w);
    }
  }
  if (!st) st = ls_path_lift(&nr, tr, k, l - (m < l), 0.5, net, l, m, out, err);
  if (!st && move) {
    double dn = 0, nn = 0;
    for (size_t i = 0; i < Pr; i++) dn += (tr[i] - t0[i]) * (tr[i] - t0[i]), nn += t0[i] * t0[i];
    *move = nn > 0 ? sqrt(dn / nn) : sqrt(dn);
  }
  if (!st && loss) *loss = L;
  if (!st && grad_inf) *grad_inf = gi;
  free(tr), free(t0);
  return st;
}
