/* Brute-force enumeration of the affine subspaces of a multi-layer expansion manifold
 * (Simsek et al. 2021, section 5, eq. 8) and their connectivity graph.
 *
 * Nothing here uses the closed forms: for every hidden layer every tuple
 * s = (k_1..k_r, b_1..b_j) of Definition 3.2 and every permutation of the m_l units is
 * walked, the sequential expansion (last hidden layer first) is sampled at P + 1 random
 * points with ls_sym_expand (random vector splits, zero-type weights), and the affine hull
 * of the samples is the subspace. Subspaces are compared through a canonical form
 * (dimension, orthogonal projector onto the direction space, point nearest the origin), so
 * the count of distinct ones can be held against prod_l T(r_l, m_l) (or prod_l G(r_l, m_l)
 * for Definition 4.1's critical subspaces, without zero-type units). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"
#include "landsym/sym.h"

/* One layer's choices: nc rows of (k[r], nz, b[nz], perm[m]) packed as ints. */
typedef struct {
  int r, m, nc, stride;
  int *rows; /* nc * stride: k[0..r-1], nz, b[0..m-1], perm[0..m-1] */
} layer_choices;

static int next_perm(int *a, int n) {
  int i = n - 2;
  while (i >= 0 && a[i] >= a[i + 1]) i--;
  if (i < 0) return 0;
  int j = n - 1;
  while (a[j] <= a[i]) j--;
  int t = a[i];
  a[i] = a[j], a[j] = t;
  for (int p = i + 1, q = n - 1; p < q; p++, q--) t = a[p], a[p] = a[q], a[q] = t;
  return 1;
}

/* First composition of n into p parts >= 1, then the next one; 0 when exhausted. */
static void comp_first(int n, int p, int *c) {
  for (int i = 0; i < p; i++) c[i] = 1;
  c[p - 1] = n - (p - 1);
}
static int comp_next(int p, int *c) {
  /* lexicographic: the last part i < p-1 with room to grow (its tail holds more than one
   * per part) grows by one, the parts after it drop to 1 and the last takes the rest */
  int tail = 0;
  for (int i = p - 2; i >= 0; i--) {
    tail += c[i + 1];
    if (tail > p - 1 - i) {
      c[i]++;
      int rest = tail - 1;
      for (int q = i + 1; q < p - 1; q++) c[q] = 1, rest--;
      c[p - 1] = rest;
      return 1;
    }
  }
  return 0;
}

static ls_status push_row(layer_choices *lc, int *cap, const int *k, int nz, const int *b,
                          const int *perm, ls_error *err) {
  if (lc->nc == *cap) {
    int nc = *cap ? 2 * *cap : 64;
    int *p = realloc(lc->rows, (size_t)nc * lc->stride * sizeof *p);
    if (!p) return ls_error_set(err, LS_ERR_NOMEM, "enumerate layers: out of memory");
    lc->rows = p, *cap = nc;
  }
  int *row = lc->rows + (size_t)lc->nc * lc->stride;
  memcpy(row, k, (size_t)lc->r * sizeof *row);
  row[lc->r] = nz;
  for (int g = 0; g < lc->m; g++) row[lc->r + 1 + g] = g < nz ? b[g] : 0;
  memcpy(row + lc->r + 1 + lc->m, perm, (size_t)lc->m * sizeof *row);
  lc->nc++;
  return LS_OK;
}

/* Every (tuple, permutation) of one layer r -> m (Definition 3.2; zero-type groups only when
 * !critical_only). */
static ls_status layer_choices_build(layer_choices *lc, int r, int m, int critical_only,
                                     ls_error *err) {
  lc->r = r, lc->m = m, lc->nc = 0, lc->stride = r + 1 + 2 * m, lc->rows = NULL;
  int cap = 0, k[64], b[64], perm[64];
  ls_status st = LS_OK;
  for (int K = critical_only ? m : r; K <= m && !st; K++) {
    int Z = m - K;
    comp_first(K, r, k);
    do {
      for (int j = Z == 0 ? 0 : 1; j <= Z && !st; j++) {
        if (j > 0) comp_first(Z, j, b);
        do {
          for (int i = 0; i < m; i++) perm[i] = i;
          do {
            st = push_row(lc, &cap, k, j, b, perm, err);
          } while (!st && next_perm(perm, m));
        } while (!st && j > 0 && comp_next(j, b));
      }
    } while (!st && comp_next(r, k));
  }
  return st;
}

/* x minus its projection on the orthonormal columns q[0..dim-1] (each P long), twice for
 * stability (modified Gram-Schmidt); returns the squared norm of what is left. */
static double project_out(size_t P, int dim, const double *q, double *x) {
  ls_orth_against(P, q, (size_t)dim, x);
  double n = 0;
  for (size_t i = 0; i < P; i++) n += x[i] * x[i];
  return n;
}

/* Orthonormal basis (modified Gram-Schmidt, twice) of the columns v[0..n-1] (each P long)
 * into q (P x dim, column-major); a column is dropped when its remainder is below
 * tol * its norm. Returns dim. */
static int orth_basis(size_t P, int n, const double *v, double tol, double *q) {
  int dim = 0;
  double *x = malloc(P * sizeof *x);
  if (!x) return -1;
  for (int c = 0; c < n; c++) {
    double n0 = 0;
    for (size_t i = 0; i < P; i++) x[i] = v[(size_t)c * P + i], n0 += x[i] * x[i];
    if (n0 == 0) continue;
    double n1 = project_out(P, dim, q, x);
    if (n1 <= tol * tol * n0) continue;
    n1 = sqrt(n1);
    for (size_t i = 0; i < P; i++) q[(size_t)dim * P + i] = x[i] / n1;
    dim++;
  }
  free(x);
  return dim;
}

void ls_sym_layer_subspaces_free(ls_sym_layer_subspaces *s) {
  if (!s) return;
  free(s->dim), free(s->offset), free(s->basis), free(s->proj), free(s->first_combo);
  memset(s, 0, sizeof *s);
}

/* Is the canonical form (dim, proj, off) already in the list? */
static long find_same(const ls_sym_layer_subspaces *s, int dim, const double *proj,
                      const double *off, double tol) {
  size_t P = s->P;
  for (size_t t = 0; t < s->n; t++) {
    if (s->dim[t] != dim) continue;
    const double *pt = s->proj + t * P * P, *ot = s->offset + t * P;
    int same = 1;
    for (size_t i = 0; i < P && same; i++) same = fabs(ot[i] - off[i]) <= tol * (1 + fabs(off[i]));
    for (size_t i = 0; i < P * P && same; i++) same = fabs(pt[i] - proj[i]) <= tol;
    if (same) return (long)t;
  }
  return -1;
}

ls_status ls_sym_enum_layers(const ls_net *net, const double *theta, const int *m,
                             const ls_data *d, int critical_only, uint64_t seed,
                             ls_sym_layer_subspaces *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  int H = net->n_layers - 1;
  if (H < 1) return ls_error_set(err, LS_ERR_INPUT, "enumerate layers: the network has no hidden layer");
  for (int l = 1; l <= H; l++) {
    if (m[l - 1] < net->width[l])
      return ls_error_set(err, LS_ERR_INPUT, "enumerate layers: width m_%d = %d below r_%d = %d",
                          l, m[l - 1], l, net->width[l]);
    if (m[l - 1] > LS_SYM_ENUM_LAYERS_MAX_M)
      return ls_error_set(err, LS_ERR_INPUT, "enumerate layers: m_%d = %d above %d (the brute "
                          "force walks m! permutations per layer)", l, m[l - 1],
                          LS_SYM_ENUM_LAYERS_MAX_M);
  }
  layer_choices lc[LS_MAX_LAYERS];
  memset(lc, 0, sizeof lc);
  ls_status st = LS_OK;
  double combos = 1;
  for (int l = 1; l <= H && !st; l++) {
    st = layer_choices_build(&lc[l - 1], net->width[l], m[l - 1], critical_only, err);
    combos *= lc[l - 1].nc;
  }
  if (!st && combos > LS_SYM_ENUM_LAYERS_MAX_COMBOS)
    st = ls_error_set(err, LS_ERR_INPUT, "enumerate layers: %.0f (tuple, permutation) choices, "
                      "more than %d", combos, LS_SYM_ENUM_LAYERS_MAX_COMBOS);
  /* parameter count of the expanded network */
  ls_net net_m = *net;
  for (int l = 1; l <= H; l++) net_m.width[l] = m[l - 1];
  size_t P = ls_net_nparams(&net_m);
  int N = (int)P + 1, cap = 0;
  double *X = NULL, *D = NULL, *q = NULL, *proj = NULL, *off = NULL;
  ls_sym_expand_spec spec[LS_MAX_LAYERS];
  if (!st) {
    X = malloc((size_t)N * P * sizeof *X), D = malloc((size_t)N * P * sizeof *D);
    q = malloc(P * P * sizeof *q), proj = malloc(P * P * sizeof *proj), off = malloc(P * sizeof *off);
    if (!X || !D || !q || !proj || !off) st = ls_error_set(err, LS_ERR_NOMEM, "enumerate layers: out of memory");
  }
  out->P = P, out->n_hidden = H, out->combos = (size_t)combos;
  int idx[LS_MAX_LAYERS] = {0};
  for (size_t cmb = 0; !st && cmb < (size_t)combos; cmb++) {
    for (int l = 1; l <= H; l++) {
      const int *row = lc[l - 1].rows + (size_t)idx[l - 1] * lc[l - 1].stride;
      int r = lc[l - 1].r, mm = lc[l - 1].m;
      ls_sym_expand_spec_default(&spec[l - 1], l, mm);
      spec[l - 1].k = row, spec[l - 1].n_zero = row[r];
      spec[l - 1].b = row[r] > 0 ? row + r + 1 : NULL;
      spec[l - 1].perm = row + r + 1 + mm;
      spec[l - 1].random_perm = 0;
      spec[l - 1].vector_split = 1;
      spec[l - 1].zero_type_out = 1;
    }
    /* P + 1 random points of this subspace */
    for (int s = 0; s < N && !st; s++) {
      ls_net nm;
      double *tm = NULL;
      st = ls_sym_expand(net, theta, H, spec, seed * 1000003u + cmb * 4099u + (uint64_t)s, &nm, &tm, err);
      if (st) break;
      memcpy(X + (size_t)s * P, tm, P * sizeof *X);
      if (d && s < 2) {
        ls_sym_equiv_cert c;
        if ((st = ls_sym_equiv(net, theta, &nm, tm, d, &c, err))) {
          free(tm);
          break;
        }
        out->max_out_diff = fmax(out->max_out_diff, c.max_out_rel);
      }
      free(tm);
    }
    if (st) break;
    for (int s = 1; s < N; s++)
      for (size_t i = 0; i < P; i++) D[(size_t)(s - 1) * P + i] = X[(size_t)s * P + i] - X[i];
    int dim = orth_basis(P, N - 1, D, 1e-9, q);
    if (dim < 0) {
      st = ls_error_set(err, LS_ERR_NOMEM, "enumerate layers: out of memory");
      break;
    }
    /* projector onto the directions; offset = X0 minus its projection */
    for (size_t i = 0; i < P; i++)
      for (size_t j = 0; j < P; j++) {
        double v = 0;
        for (int e = 0; e < dim; e++) v += q[(size_t)e * P + i] * q[(size_t)e * P + j];
        proj[i * P + j] = v;
      }
    for (size_t i = 0; i < P; i++) {
      double v = 0;
      for (size_t j = 0; j < P; j++) v += proj[i * P + j] * X[j];
      off[i] = X[i] - v;
    }
    if (find_same(out, dim, proj, off, 1e-7) < 0) {
      if (out->n == (size_t)cap) {
        size_t nc = cap ? 2 * (size_t)cap : 64;
        int *dm = realloc(out->dim, nc * sizeof *dm);
        if (dm) out->dim = dm;
        size_t *fc = realloc(out->first_combo, nc * sizeof *fc);
        if (fc) out->first_combo = fc;
        double *o2 = realloc(out->offset, nc * P * sizeof *o2);
        if (o2) out->offset = o2;
        double *b2 = realloc(out->basis, nc * P * P * sizeof *b2);
        if (b2) out->basis = b2;
        double *p2 = realloc(out->proj, nc * P * P * sizeof *p2);
        if (p2) out->proj = p2;
        if (!dm || !fc || !o2 || !b2 || !p2) {
          st = ls_error_set(err, LS_ERR_NOMEM, "enumerate layers: out of memory");
          break;
        }
        cap = (int)nc;
      }
      out->dim[out->n] = dim;
      out->first_combo[out->n] = cmb;
      memcpy(out->offset + out->n * P, off, P * sizeof *off);
      memcpy(out->basis + out->n * P * P, q, (size_t)dim * P * sizeof *q);
      memcpy(out->proj + out->n * P * P, proj, P * P * sizeof *proj);
      out->n++;
    }
    /* mixed-radix counter over the layers' choices */
    for (int l = 0; l < H; l++) {
      if (++idx[l] < lc[l].nc) break;
      idx[l] = 0;
    }
  }
  for (int l = 0; l < H; l++) free(lc[l].rows);
  free(X), free(D), free(q), free(proj), free(off);
  if (st) ls_sym_layer_subspaces_free(out);
  return st;
}

ls_status ls_sym_layer_graph(const ls_sym_layer_subspaces *s, size_t *n_edges, size_t **edges,
                             size_t *components, ls_error *err) {
  *n_edges = 0, *edges = NULL, *components = 0;
  size_t P = s->P, cap = 0;
  double *v = malloc(2 * P * P * sizeof *v), *q = malloc(2 * P * P * sizeof *q);
  double *x = malloc(P * sizeof *x);
  size_t *parent = malloc((s->n + 1) * sizeof *parent);
  ls_status st = LS_OK;
  if (!v || !q || !x || !parent) st = ls_error_set(err, LS_ERR_NOMEM, "graph: out of memory");
  for (size_t i = 0; i < s->n && !st; i++) parent[i] = i;
  for (size_t a = 0; a < s->n && !st; a++)
    for (size_t b = a + 1; b < s->n && !st; b++) {
      /* the subspaces c_a + span U_a and c_b + span U_b meet iff c_b - c_a lies in
       * span(U_a, U_b) */
      int da = s->dim[a], db = s->dim[b];
      memcpy(v, s->basis + a * P * P, (size_t)da * P * sizeof *v);
      memcpy(v + (size_t)da * P, s->basis + b * P * P, (size_t)db * P * sizeof *v);
      int dim = orth_basis(P, da + db, v, 1e-9, q);
      double n0 = 0;
      for (size_t i = 0; i < P; i++) {
        x[i] = s->offset[b * P + i] - s->offset[a * P + i];
        n0 += x[i] * x[i];
      }
      double n1 = project_out(P, dim, q, x);
      if (n1 > 1e-16 * (1 + n0)) continue;
      if (*n_edges == cap) {
        cap = cap ? 2 * cap : 256;
        size_t *e2 = realloc(*edges, 2 * cap * sizeof *e2);
        if (!e2) {
          st = ls_error_set(err, LS_ERR_NOMEM, "graph: out of memory");
          break;
        }
        *edges = e2;
      }
      (*edges)[2 * *n_edges] = a, (*edges)[2 * *n_edges + 1] = b;
      (*n_edges)++;
      /* union-find */
      size_t ra = a, rb = b;
      while (parent[ra] != ra) ra = parent[ra];
      while (parent[rb] != rb) rb = parent[rb];
      if (ra != rb) parent[rb] = ra;
    }
  for (size_t i = 0; i < s->n && !st; i++)
    if (parent[i] == i) (*components)++;
  free(v), free(q), free(x), free(parent);
  if (st) free(*edges), *edges = NULL, *n_edges = 0;
  return st;
}
