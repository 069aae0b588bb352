/* Escape checks at a critical point: thesis (Stoican 2022) section 6.2.4, Algorithm 1
 * (scan the loss along +/- the eigenvectors of the smallest eigenvalues) and Algorithm 2
 * (a breadth-first search across the flat surface: move along near-zero and negative
 * eigen-directions while the gradient stays ~0, recomputing the spectrum at each point). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/paths.h"

void ls_escape_opts_default(ls_escape_opts *o) {
  memset(o, 0, sizeof *o);
  o->eig_tol = 1e-8;
  o->max_dirs = 20;
  o->scan_max = 8, o->scan_step = 0.01;
  o->loss_rtol = 1e-10;
  o->bfs_depth = 5, o->bfs_nodes = 200, o->bfs_step = 0.01;
  o->grad_tol = 1e-9;
}

void ls_escape_result_free(ls_escape_result *r) {
  if (!r) return;
  free(r->best_theta), free(r->eig);
  memset(r, 0, sizeof *r);
}

typedef struct {
  const ls_net *net;
  const ls_data *data;
  const ls_escape_opts *o;
  size_t P;
  ls_work *w;
  double *H, *evals, *evecs, *trial, *g;
  double threshold; /* lower when loss < threshold */
  ls_escape_result *r;
  const double *start;
} esc_ctx;

static double dist2(const double *a, const double *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return sqrt(s);
}

/* Spectrum at x; returns the number of tested directions (columns of evecs, smallest
 * first) in *nd. */
static ls_status spectrum(esc_ctx *c, const double *x, int *nd, ls_error *err) {
  ls_status st = ls_hessian(c->net, c->data, x, c->H, c->w);
  if (st) return ls_error_set(err, st, "Hessian evaluation failed");
  st = ls_eig_sym(c->P, c->H, c->evals, c->evecs, err);
  if (st) return st;
  double mx = fmax(fabs(c->evals[0]), fabs(c->evals[c->P - 1]));
  int n = 0;
  while ((size_t)n < c->P && n < c->o->max_dirs && c->evals[n] < c->o->eig_tol * mx) n++;
  *nd = n;
  return LS_OK;
}

static void direction(const esc_ctx *c, int j, double *e) {
  for (size_t i = 0; i < c->P; i++) e[i] = c->evecs[i * c->P + (size_t)j];
}

static void note(esc_ctx *c, const double *x, double L, double eig, int bfs) {
  if (L < c->r->best_loss) {
    c->r->best_loss = L;
    memcpy(c->r->best_theta, x, c->P * sizeof *x);
    c->r->best_radius = dist2(x, c->start, c->P);
    c->r->best_eig = eig;
    if (L < c->threshold && !c->r->found_lower) c->r->found_lower = 1, c->r->found_by_bfs = bfs;
  }
}

/* Algorithm 1 at x along the first nd eigenvectors. */
static ls_status scan(esc_ctx *c, const double *x, int nd, int bfs, double *e, ls_error *err) {
  int ns = (int)floor(c->o->scan_max / c->o->scan_step + 0.5);
  for (int j = 0; j < nd; j++) {
    direction(c, j, e);
    for (int s = -ns; s <= ns; s++) {
      if (!s) continue;
      double eps = s * c->o->scan_step;
      for (size_t i = 0; i < c->P; i++) c->trial[i] = x[i] + eps * e[i];
      double L;
      ls_status st = ls_loss(c->net, c->data, c->trial, &L, c->w);
      if (st) return ls_error_set(err, st, "loss evaluation failed");
      if (isfinite(L)) note(c, c->trial, L, c->evals[j], bfs);
    }
  }
  return LS_OK;
}

ls_status ls_escape_check(const ls_net *net, const ls_data *data, const double *theta,
                          const ls_escape_opts *opts, ls_escape_result *r, ls_error *err) {
  ls_escape_opts o;
  if (opts) o = *opts;
  else ls_escape_opts_default(&o);
  memset(r, 0, sizeof *r);
  if (!(o.scan_step > 0 && o.scan_max >= o.scan_step && o.bfs_step > 0 && o.max_dirs >= 1))
    return ls_error_set(err, LS_ERR_INPUT, "escape: need scan_step > 0, scan_max >= scan_step, bfs_step > 0, max_dirs >= 1");
  size_t P = ls_net_nparams(net);
  esc_ctx c = {net, data, &o, P, NULL, NULL, NULL, NULL, NULL, NULL, 0, r, theta};
  int maxq = o.bfs_nodes + 2 * o.max_dirs + 1;
  c.w = ls_work_alloc(net, data->n);
  c.H = malloc(P * P * sizeof *c.H);
  c.evecs = malloc(P * P * sizeof *c.evecs);
  c.evals = malloc(P * sizeof *c.evals);
  c.trial = malloc(P * sizeof *c.trial);
  c.g = malloc(P * sizeof *c.g);
  double *e = malloc(P * sizeof *e);
  double *queue = malloc((size_t)maxq * P * sizeof *queue);
  int *depth = malloc((size_t)maxq * sizeof *depth);
  r->best_theta = malloc(P * sizeof *r->best_theta);
  r->eig = malloc(P * sizeof *r->eig);
  r->P = P;
  ls_status st = LS_OK;
  if (!c.w || !c.H || !c.evecs || !c.evals || !c.trial || !c.g || !e || !queue || !depth ||
      !r->best_theta || !r->eig) {
    st = ls_error_set(err, LS_ERR_NOMEM, "escape: out of memory (P = %zu)", P);
    goto done;
  }
  st = ls_loss(net, data, theta, &r->loss0, c.w);
  if (st) {
    ls_error_set(err, st, "loss evaluation failed");
    goto done;
  }
  r->best_loss = r->loss0;
  memcpy(r->best_theta, theta, P * sizeof *theta);
  c.threshold = r->loss0 - o.loss_rtol * fmax(r->loss0, 1e-300);
  int nd;
  st = spectrum(&c, theta, &nd, err);
  if (st) goto done;
  memcpy(r->eig, c.evals, P * sizeof *r->eig);
  double mx = fmax(fabs(c.evals[0]), fabs(c.evals[P - 1]));
  r->n_dirs = nd;
  for (int j = 0; j < nd; j++) {
    if (c.evals[j] < -o.eig_tol * mx) r->n_negative++;
    else r->n_near_zero++;
  }
  /* Algorithm 1 at the start */
  st = scan(&c, theta, nd, 0, e, err);
  if (st || r->found_lower) goto done;
  /* Algorithm 2: BFS over flat moves; a point is kept when its gradient stays ~0 and it
   * is farther from the start (in steps) than its parent (thesis lines 19-26) */
  int head = 0, tail = 0;
  memcpy(queue, theta, P * sizeof *theta);
  depth[tail++] = 0;
  while (head < tail && r->bfs_visited < o.bfs_nodes && !r->found_lower) {
    const double *x = queue + (size_t)head * P;
    int dep = depth[head++];
    r->bfs_visited++;
    if (dep > 0) {
      double L;
      st = ls_loss(net, data, x, &L, c.w);
      if (st) goto done;
      note(&c, x, L, NAN, 1);
      if (r->found_lower) break;
      st = spectrum(&c, x, &nd, err);
      if (st) goto done;
      st = scan(&c, x, nd < 2 ? nd : 2, 1, e, err); /* re-test the smallest directions */
      if (st || r->found_lower) break;
    } else if (head == 1) {
      /* the start's spectrum was overwritten by nothing: recompute for its directions */
      st = spectrum(&c, x, &nd, err);
      if (st) goto done;
    }
    if (dep >= o.bfs_depth) continue;
    double dist_here = dist2(x, theta, P) / o.bfs_step;
    for (int j = 0; j < nd && tail < maxq; j++) {
      direction(&c, j, e);
      for (int sg = -1; sg <= 1 && tail < maxq; sg += 2) {
        double *y = queue + (size_t)tail * P;
        for (size_t i = 0; i < P; i++) y[i] = x[i] + sg * o.bfs_step * e[i];
        double f;
        st = ls_loss_grad(net, data, y, &f, c.g, c.w);
        if (st) goto done;
        double gn = 0;
        for (size_t i = 0; i < P; i++) gn += c.g[i] * c.g[i];
        if (sqrt(gn) <= o.grad_tol && dist2(y, theta, P) / o.bfs_step > dist_here + 0.5)
          depth[tail++] = dep + 1;
      }
    }
  }
done:
  ls_work_free(c.w);
  free(c.H), free(c.evecs), free(c.evals), free(c.trial), free(c.g), free(e), free(queue),
      free(depth);
  if (st) ls_escape_result_free(r);
  return st;
}
