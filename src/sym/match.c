/* Matching a network against a teacher up to the symmetries of the parameterization:
 * permutations of every hidden layer and, for odd activations f(-x) = c - f(x), the sign
 * flip (w, b, a) -> (-w, -b, -a) with c*a moved into the next layer's bias (without a
 * next bias, flips are used only when their constants cancel, as for the thesis teacher's
 * pairs of units with opposite outgoing weights). Used to
 * classify converged students as global minima (Simsek et al. 2021, Remark 4.2). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"
#include "landsym/sym.h"
#include "sym/unit.h"

/* Minimum-cost perfect assignment of an n x n cost matrix (Hungarian method with
 * potentials, O(n^3)); row i is assigned to column col_of[i]. */
static ls_status hungarian(int n, const double *cost, int *col_of, ls_error *err) {
  double *u = calloc((size_t)n + 1, sizeof *u), *v = calloc((size_t)n + 1, sizeof *v);
  double *minv = malloc(((size_t)n + 1) * sizeof *minv);
  int *p = calloc((size_t)n + 1, sizeof *p), *way = calloc((size_t)n + 1, sizeof *way);
  char *used = malloc((size_t)n + 1);
  if (!u || !v || !minv || !p || !way || !used) {
    free(u), free(v), free(minv), free(p), free(way), free(used);
    return ls_error_set(err, LS_ERR_NOMEM, "match: out of memory");
  }
  for (int i = 1; i <= n; i++) {
    p[0] = i;
    int j0 = 0;
    for (int j = 0; j <= n; j++) minv[j] = DBL_MAX, used[j] = 0;
    do {
      used[j0] = 1;
      int i0 = p[j0], j1 = 0;
      double delta = DBL_MAX;
      for (int j = 1; j <= n; j++)
        if (!used[j]) {
          double cur = cost[(size_t)(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
          if (cur < minv[j]) minv[j] = cur, way[j] = j0;
          if (minv[j] < delta) delta = minv[j], j1 = j;
        }
      for (int j = 0; j <= n; j++)
        if (used[j]) u[p[j]] += delta, v[j] -= delta;
        else minv[j] -= delta;
      j0 = j1;
    } while (p[j0] != 0);
    do {
      int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  for (int j = 1; j <= n; j++) col_of[p[j] - 1] = j - 1;
  free(u), free(v), free(minv), free(p), free(way), free(used);
  return LS_OK;
}

void ls_sym_match_free(ls_sym_match *m) {
  if (!m) return;
  for (int l = 0; l <= LS_MAX_LAYERS; l++) free(m->perm[l]), free(m->sign[l]);
  memset(m, 0, sizeof *m);
}

/* Flip the sign of unit i of layer l in place: (v, a) -> (-v, -a), next bias += c a. */
static void flip_unit(const ls_net *net, double *th, int l, int i, double c, double *v,
                      double *a) {
  int D = sym_fan_in(net, l), n_out = net->width[l + 1];
  sym_get_in(net, th, l, i, v);
  sym_get_out(net, th, l, i, a);
  if (net->bias[l + 1])
    for (int o = 0; o < n_out; o++) th[ls_net_b_offset(net, l + 1) + o] += c * a[o];
  for (int k = 0; k < D; k++) v[k] = -v[k];
  for (int o = 0; o < n_out; o++) a[o] = -a[o];
  sym_set_in(net, th, l, i, v);
  sym_set_out(net, th, l, i, a);
}

ls_status ls_sym_match_teacher(const ls_net *net, const double *theta, const ls_net *teacher,
                               const double *theta_t, ls_sym_match *match, ls_error *err) {
  memset(match, 0, sizeof *match);
  if (net->n_layers != teacher->n_layers) return LS_OK;
  for (int l = 0; l <= net->n_layers; l++)
    if (net->width[l] != teacher->width[l] || (l && net->bias[l] != teacher->bias[l]))
      return LS_OK;
  match->same_shape = 1;
  size_t P = ls_net_nparams(net);
  int M = ls_net_max_width(net) + 1;
  double *th = malloc(P * sizeof *th), *tmp = malloc(P * sizeof *tmp);
  double *cost = malloc((size_t)M * M * sizeof *cost);
  double *vi = malloc((size_t)M * sizeof *vi), *vj = malloc((size_t)M * sizeof *vj);
  int *col = malloc((size_t)M * sizeof *col), *perm = malloc((size_t)M * sizeof *perm);
  ls_status st = LS_OK;
  if (!th || !tmp || !cost || !vi || !vj || !col || !perm) {
    st = ls_error_set(err, LS_ERR_NOMEM, "match: out of memory");
    goto done;
  }
  memcpy(th, theta, P * sizeof *th);
  for (int l = 1; l < net->n_layers && !st; l++) {
    int m = net->width[l], D = sym_fan_in(net, l);
    double c = 0;
    int flip_ok = ls_act_odd_shift(&net->act[l], &c);
  retry:;
    match->perm[l] = malloc((size_t)m * sizeof(int));
    match->sign[l] = malloc((size_t)m * sizeof(int));
    if (!match->perm[l] || !match->sign[l]) {
      st = ls_error_set(err, LS_ERR_NOMEM, "match: out of memory");
      break;
    }
    for (int i = 0; i < m; i++) {
      sym_get_in(net, th, l, i, vi);
      for (int j = 0; j < m; j++) {
        sym_get_in(teacher, theta_t, l, j, vj);
        double dp = 0, dm = 0;
        for (int k = 0; k < D; k++) dp = fmax(dp, fabs(vi[k] - vj[k])), dm = fmax(dm, fabs(vi[k] + vj[k]));
        cost[(size_t)i * m + j] = flip_ok ? fmin(dp, dm) : dp;
        if (flip_ok && dm < dp) cost[(size_t)i * m + j] = dm;
      }
    }
    if ((st = hungarian(m, cost, col, err))) break;
    for (int i = 0; i < m; i++) {
      match->perm[l][i] = col[i];
      perm[col[i]] = i; /* aligned unit col[i] is student unit i */
      sym_get_in(net, th, l, i, vi);
      sym_get_in(teacher, theta_t, l, col[i], vj);
      double dp = 0, dm = 0;
      for (int k = 0; k < D; k++) dp = fmax(dp, fabs(vi[k] - vj[k])), dm = fmax(dm, fabs(vi[k] + vj[k]));
      match->sign[l][i] = (flip_ok && dm < dp) ? -1 : 1;
    }
    if (flip_ok && c != 0 && !net->bias[l + 1]) {
      /* without a next bias the constants c*a of the flipped units must cancel */
      int n_out = net->width[l + 1];
      double mx = 0, sc = 0;
      for (int o2 = 0; o2 < n_out; o2++) {
        double C = 0;
        for (int i = 0; i < m; i++) {
          double a = th[ls_net_w_offset(net, l + 1) + (size_t)o2 * m + i];
          sc = fmax(sc, fabs(a));
          if (match->sign[l][i] < 0) C += c * a;
        }
        mx = fmax(mx, fabs(C));
      }
      if (mx > 1e-8 * fmax(sc, 1)) {
        flip_ok = 0;
        goto retry;
      }
    }
    for (int i = 0; i < m; i++)
      if (match->sign[l][i] < 0) flip_unit(net, th, l, i, c, vi, cost);
    if ((st = ls_sym_permute(net, l, perm, th, tmp, err))) break;
    memcpy(th, tmp, P * sizeof *th);
  }
  if (!st) {
    match->max_weight_error = ls_dist_inf(P, th, theta_t);
  }
done:
  free(th), free(tmp), free(cost), free(vi), free(vj), free(col), free(perm);
  if (st) ls_sym_match_free(match);
  return st;
}
