/* Equal-loss piecewise-linear paths between a point and its permutation (Simsek et al.
 * 2021, Theorem 3.1 and Figure 4; Brea et al. 2019, appendix C.2). Two moves keep the
 * network function exactly (up to rounding):
 *   shift   — the incoming weights of a unit whose outgoing weights are zero move freely;
 *   transfer — outgoing weights move between two units of equal incoming weights with
 *             their sum fixed (for w and -w of an odd activation: the difference fixed and
 *             the constant c*a compensated in the next bias).
 * With one free unit (outgoing zero) any permutation is a sequence of "move unit q into
 * the free slot h" = shift h onto q's incoming weights, then transfer q's outgoing to h,
 * after which q is free: the three segments of Figure 4(a) per transposition. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/sym.h"
#include "landsym/linalg.h"
#include "sym/unit.h"

enum { MOVE_START = 0, MOVE_FREE, MOVE_SHIFT, MOVE_TRANSFER, MOVE_RESTORE, MOVE_COUNT };

const char *ls_sym_path_move_name(int kind) {
  static const char *const names[MOVE_COUNT] = {"start", "free", "shift", "transfer",
                                                "restore"};
  return kind >= 0 && kind < MOVE_COUNT ? names[kind] : "?";
}

void ls_sym_path_free(ls_sym_path *p) {
  if (!p) return;
  free(p->points), free(p->kind);
  memset(p, 0, sizeof *p);
}

typedef struct {
  ls_sym_path *p;
  int cap;
} path_builder;

/* Append a waypoint; returns a pointer to it (a copy of the previous one) or NULL. */
static double *path_push(path_builder *b, int kind, const double *src) {
  ls_sym_path *p = b->p;
  if (p->n_points == b->cap) {
    int cap = b->cap ? 2 * b->cap : 16;
    double *np = realloc(p->points, (size_t)cap * p->P * sizeof *np);
    if (!np) return NULL;
    p->points = np;
    int *nk = realloc(p->kind, (size_t)cap * sizeof *nk);
    if (!nk) return NULL;
    p->kind = nk;
    b->cap = cap;
  }
  double *dst = p->points + (size_t)p->n_points * p->P;
  memcpy(dst, src ? src : dst - p->P, p->P * sizeof *dst);
  p->kind[p->n_points++] = kind;
  return dst;
}

static double *last_point(path_builder *b) {
  return b->p->points + (size_t)(b->p->n_points - 1) * b->p->P;
}

/* Make unit f of layer l free (outgoing zero) by transferring its outgoing weights to
 * unit k of the same group; rel = sign_f * sign_k; c is the odd shift constant. */
static ls_status push_free(path_builder *b, const ls_net *net, int l, int f, int k, int rel,
                           double c, double *af, double *ak) {
  double *th = path_push(b, MOVE_FREE, NULL);
  if (!th) return LS_ERR_NOMEM;
  int n_out = net->width[l + 1];
  sym_get_out(net, th, l, f, af);
  sym_get_out(net, th, l, k, ak);
  if (rel < 0 && net->bias[l + 1])
    for (int o = 0; o < n_out; o++) th[ls_net_b_offset(net, l + 1) + o] += c * af[o];
  for (int o = 0; o < n_out; o++) ak[o] += rel * af[o], af[o] = 0;
  sym_set_out(net, th, l, f, af);
  sym_set_out(net, th, l, k, ak);
  return LS_OK;
}

ls_status ls_sym_connect(const ls_net *net, const double *theta, int l, const int *perm,
                         double tol, ls_sym_path *path, ls_error *err) {
  if (ls_net_require_plain(net, "sym_connect", err)) return LS_ERR_INPUT;
  memset(path, 0, sizeof *path);
  ls_status st = sym_check_layer(net, l, err);
  if (st) return st;
  int m = net->width[l], D = sym_fan_in(net, l), n_out = net->width[l + 1];
  if (!ls_sym_perm_valid(m, perm))
    return ls_error_set(err, LS_ERR_INPUT, "not a permutation of the %d units of layer %d", m, l);
  ls_sym_reduce_opts o;
  ls_sym_reduce_opts_default(&o);
  o.tol = tol;
  ls_sym_reduction red;
  if ((st = ls_sym_reduce(net, theta, &o, &red, err))) return st;
  const ls_sym_layer_groups *g = &red.layer[l];
  double c = 0;
  ls_act_odd_shift(&net->act[l], &c);
  size_t P = ls_net_nparams(net);
  path->P = P;
  path_builder b = {path, 0};
  int *origin = malloc((size_t)m * sizeof *origin);
  double *v = malloc((size_t)D * sizeof *v), *vf = malloc((size_t)D * sizeof *vf);
  double *a1 = malloc((size_t)n_out * sizeof *a1), *a2 = malloc((size_t)n_out * sizeof *a2);
  double *tmp = malloc(P * sizeof *tmp);
  if (!origin || !v || !vf || !a1 || !a2 || !tmp || !path_push(&b, MOVE_START, theta)) {
    st = ls_error_set(err, LS_ERR_NOMEM, "connect: out of memory");
    goto done;
  }
  /* A: find or make a free unit. Prefer a unit whose outgoing weights are exactly zero. */
  int f = -1;
  for (int i = 0; i < m && f < 0; i++) {
    sym_get_out(net, theta, l, i, a1);
    if (ls_norm_inf((size_t)n_out, a1) == 0) f = i;
  }
  for (int i = 0; i < m && f < 0; i++)
    for (int k = 0; k < i && f < 0; k++)
      if (g->group[k] == g->group[i]) {
        if ((st = push_free(&b, net, l, i, k, g->sign[i] * g->sign[k], c, a1, a2))) {
          ls_error_set(err, st, "connect: out of memory");
          goto done;
        }
        f = i;
      }
  for (int i = 0; i < m && f < 0; i++)
    if (g->zero_type[g->group[i]]) { /* outgoing tiny but not zero: set it to zero */
      double *th = path_push(&b, MOVE_FREE, NULL);
      if (!th) {
        st = ls_error_set(err, LS_ERR_NOMEM, "connect: out of memory");
        goto done;
      }
      memset(a1, 0, (size_t)n_out * sizeof *a1);
      sym_set_out(net, th, l, i, a1);
      f = i;
    }
  if (f < 0) {
    st = ls_error_set(err, LS_ERR_INPUT,
                      "layer %d is irreducible (%d distinct units, none with vanishing "
                      "outgoing weights): its permutations are isolated, no equal-loss path "
                      "exists (Theorem 3.1 needs m > r)",
                      l, m);
    goto done;
  }
  int nA = path->n_points; /* waypoints 0..nA-1 form segment group A */
  sym_get_in(net, last_point(&b), l, f, vf);
  /* B: move units into the free slot until every position holds its target unit. */
  for (int i = 0; i < m; i++) origin[i] = i;
  int h = f;
  for (;;) {
    int q = -1;
    if (perm[h] != f) { /* the unit that belongs at h */
      for (int p = 0; p < m && q < 0; p++)
        if (origin[p] == perm[h]) q = p;
    } else
      for (int p = 0; p < m && q < 0; p++)
        if (p != h && origin[p] != perm[p]) q = p;
    if (q < 0) break;
    double *th = last_point(&b);
    sym_get_in(net, th, l, q, v);
    sym_get_in(net, th, l, h, tmp);
    if (memcmp(tmp, v, (size_t)D * sizeof *v)) {
      if (!(th = path_push(&b, MOVE_SHIFT, NULL))) goto nomem;
      sym_set_in(net, th, l, h, v);
    }
    if (!(th = path_push(&b, MOVE_TRANSFER, NULL))) goto nomem;
    sym_get_out(net, th, l, q, a1);
    memset(a2, 0, (size_t)n_out * sizeof *a2);
    sym_set_out(net, th, l, h, a1);
    sym_set_out(net, th, l, q, a2);
    origin[h] = origin[q];
    origin[q] = f;
    h = q;
  }
  {
    double *th = last_point(&b);
    sym_get_in(net, th, l, h, tmp);
    if (memcmp(tmp, vf, (size_t)D * sizeof *vf)) {
      if (!(th = path_push(&b, MOVE_SHIFT, NULL))) goto nomem;
      sym_set_in(net, th, l, h, vf);
    }
  }
  /* C: the permuted image of A, walked backwards, restores the units used to make room. */
  for (int s = nA - 2; s >= 0; s--) {
    if ((st = ls_sym_permute(net, l, perm, path->points + (size_t)s * P, tmp, err))) goto done;
    if (!path_push(&b, MOVE_RESTORE, tmp)) goto nomem;
  }
  goto done;
nomem:
  st = ls_error_set(err, LS_ERR_NOMEM, "connect: out of memory");
done:
  free(origin), free(v), free(vf), free(a1), free(a2), free(tmp);
  ls_sym_reduction_free(&red);
  if (st) ls_sym_path_free(path);
  return st;
}

ls_status ls_sym_path_sample(const ls_net *net, const ls_data *d, const ls_sym_path *path,
                             int n_per, double *t, double *loss, ls_error *err) {
  if (n_per < 1 || path->n_points < 1)
    return ls_error_set(err, LS_ERR_INPUT, "path sampling needs >= 1 sample per segment");
  size_t P = path->P;
  int nseg = path->n_points - 1;
  double *th = malloc(P * sizeof *th);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = (th && w) ? LS_OK : ls_error_set(err, LS_ERR_NOMEM, "path: out of memory");
  size_t q = 0;
  for (int s = 0; s < nseg && !st; s++) {
    const double *p0 = path->points + (size_t)s * P, *p1 = p0 + P;
    for (int j = 0; j < n_per && !st; j++, q++) {
      double tau = (double)j / n_per;
      for (size_t i = 0; i < P; i++) th[i] = p0[i] + tau * (p1[i] - p0[i]);
      t[q] = nseg ? (s + tau) / nseg : 0;
      if ((st = ls_loss(net, d, th, &loss[q], w))) ls_error_set(err, st, "path: loss failed");
    }
  }
  if (!st) {
    t[q] = 1;
    if ((st = ls_loss(net, d, path->points + (size_t)nseg * P, &loss[q], w)))
      ls_error_set(err, st, "path: loss failed");
  }
  free(th);
  ls_work_free(w);
  return st;
}
