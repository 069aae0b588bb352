/* Connectivity graph of the expansion manifold for m = r+1 (Şimşek et al. 2021, Theorem 3.1
 * proof sketch and figure 4): the three-segment move from a subspace with a vanishing output
 * weight (blue) shifts the free w' onto a teacher vector w_t, which lands in the subspace
 * where w_t is duplicated (green); the two subspaces meet there. Edges are computed as
 * "the two affine subspaces intersect", tested directly from the two patterns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/count.h"

#define MAXN (3 * LS_COUNT_ENUM_MAX_M + LS_COUNT_ENUM_MAX_M)

static int uf_find(int *par, int x) {
  while (par[x] != x) x = par[x] = par[par[x]];
  return x;
}

/* Incoming weights: slot i equals its teacher vector w_t or its group's free w'. Both
 * patterns' ties together must not identify two distinct teacher vectors. */
static int w_compatible(const signed char *A, const signed char *B, int r, int m) {
  /* nodes: slots 0..m-1, teachers m..m+r-1, groups of A m+r.., groups of B m+r+m.. */
  int par[MAXN], n = m + r + 2 * m;
  for (int i = 0; i < n; i++) par[i] = i;
  for (int i = 0; i < m; i++)
    for (int pat = 0; pat < 2; pat++) {
      int v = pat ? B[i] : A[i];
      int node = v > 0 ? m + v - 1 : m + r + pat * m + (-v - 1);
      par[uf_find(par, i)] = uf_find(par, node);
    }
  for (int t = 0; t < r; t++)
    for (int u = t + 1; u < r; u++)
      if (uf_find(par, m + t) == uf_find(par, m + u)) return 0;
  return 1;
}

/* Outgoing weights: variables a_1..a_m, constraints "sum over the slots of teacher t = a_t"
 * and "sum over a zero-type group = 0" from both patterns. With the a_t as independent
 * symbols (a generic teacher), the system is solvable iff row reduction of [A | C] leaves
 * no row that is zero in A but not in C. */
static int a_compatible(const signed char *A, const signed char *B, int r, int m) {
  double M[4 * LS_COUNT_ENUM_MAX_M][2 * LS_COUNT_ENUM_MAX_M];
  int rows = 0, cols = m + r;
  for (int pat = 0; pat < 2; pat++) {
    const signed char *P = pat ? B : A;
    for (int t = 1; t <= r; t++) { /* teacher sums */
      memset(M[rows], 0, sizeof M[rows]);
      for (int i = 0; i < m; i++) M[rows][i] = (P[i] == t);
      M[rows][m + t - 1] = 1;
      rows++;
    }
    for (int g = 1; g <= m; g++) { /* zero-type group sums */
      int any = 0;
      memset(M[rows], 0, sizeof M[rows]);
      for (int i = 0; i < m; i++)
        if (P[i] == -g) M[rows][i] = 1, any = 1;
      if (any) rows++;
    }
  }
  int prow = 0;
  for (int c = 0; c < m && prow < rows; c++) {
    int best = -1;
    for (int i = prow; i < rows; i++)
      if (fabs(M[i][c]) > 1e-9 && (best < 0 || fabs(M[i][c]) > fabs(M[best][c]))) best = i;
    if (best < 0) continue;
    for (int k = 0; k < cols; k++) {
      double t = M[prow][k];
      M[prow][k] = M[best][k], M[best][k] = t;
    }
    for (int i = 0; i < rows; i++)
      if (i != prow && fabs(M[i][c]) > 1e-12) {
        double f = M[i][c] / M[prow][c];
        for (int k = 0; k < cols; k++) M[i][k] -= f * M[prow][k];
      }
    prow++;
  }
  for (int i = prow; i < rows; i++)
    for (int k = m; k < cols; k++)
      if (fabs(M[i][k]) > 1e-9) return 0;
  return 1;
}

int ls_count_patterns_intersect(const ls_count_patterns *p, size_t i, size_t j) {
  const signed char *A = p->lab + i * (size_t)p->m, *B = p->lab + j * (size_t)p->m;
  for (int s = 0; s < p->m; s++) /* quick exit: one slot copying two different teachers */
    if (A[s] > 0 && B[s] > 0 && A[s] != B[s]) return 0;
  return w_compatible(A, B, p->r, p->m) && a_compatible(A, B, p->r, p->m);
}

ls_status ls_count_graph_build(ls_count_graph **out, const ls_count_patterns *p, ls_error *err) {
  *out = NULL;
  if (p->r > LS_COUNT_GRAPH_MAX_R)
    return ls_error_set(err, LS_ERR_INPUT,
                        "r = %d is too large for the pairwise graph construction (at most %d)",
                        p->r, LS_COUNT_GRAPH_MAX_R);
  if (p->m != p->r + 1)
    return ls_error_set(err, LS_ERR_INPUT,
                        "the connectivity graph is defined for m = r+1 (got r=%d, m=%d)", p->r,
                        p->m);
  ls_count_graph *g = calloc(1, sizeof *g);
  size_t cap = 64;
  if (g) g->edges = malloc(2 * cap * sizeof *g->edges);
  if (!g || !g->edges) {
    free(g);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the graph");
  }
  for (size_t i = 0; i < p->n; i++)
    for (size_t j = i + 1; j < p->n; j++) {
      if (!ls_count_patterns_intersect(p, i, j)) continue;
      if (g->n_edges == cap) {
        size_t *e = realloc(g->edges, 4 * cap * sizeof *e);
        if (!e) {
          ls_count_graph_free(g);
          return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the graph edges");
        }
        g->edges = e, cap *= 2;
      }
      g->edges[2 * g->n_edges] = i, g->edges[2 * g->n_edges + 1] = j;
      g->n_edges++;
    }
  *out = g;
  return LS_OK;
}

void ls_count_graph_free(ls_count_graph *g) {
  if (!g) return;
  free(g->edges);
  free(g);
}

size_t ls_count_graph_components(const ls_count_graph *g, size_t n_nodes) {
  int *par = malloc((n_nodes ? n_nodes : 1) * sizeof *par);
  if (!par) return 0;
  for (size_t i = 0; i < n_nodes; i++) par[i] = (int)i;
  size_t comps = n_nodes;
  for (size_t e = 0; e < g->n_edges; e++) {
    int a = uf_find(par, (int)g->edges[2 * e]), b = uf_find(par, (int)g->edges[2 * e + 1]);
    if (a != b) par[a] = b, comps--;
  }
  free(par);
  return comps;
}

static const char *class_name(int c) { return c == 0 ? "blue" : c == 1 ? "green" : "other"; }
static const char *class_colour(int c) {
  return c == 0 ? "#1f5fd6" : c == 1 ? "#2ca02c" : "#808080";
}

ls_status ls_count_graph_write_dot(FILE *f, const ls_count_patterns *p, const ls_count_graph *g,
                                   ls_error *err) {
  char buf[128];
  fprintf(f,
          "// Connectivity graph of the %zu affine subspaces of the expansion manifold r=%d -> "
          "m=%d\n// (Simsek et al. 2021, figure 4): blue = one vanishing output weight, green = "
          "two identical incoming weight vectors.\n",
          p->n, p->r, p->m);
  fprintf(f, "graph expansion_r%d_m%d {\n  graph [overlap=false, splines=true];\n"
             "  node [shape=circle, style=filled, label=\"\", width=0.18, fixedsize=true];\n",
          p->r, p->m);
  for (size_t i = 0; i < p->n; i++) {
    int c = ls_count_pattern_class(p, i);
    ls_count_pattern_string(p, i, buf, sizeof buf);
    fprintf(f, "  n%zu [tooltip=\"%s\", class=\"%s\", fillcolor=\"%s\", color=\"%s\"];\n", i, buf,
            class_name(c), class_colour(c), class_colour(c));
  }
  for (size_t e = 0; e < g->n_edges; e++)
    fprintf(f, "  n%zu -- n%zu;\n", g->edges[2 * e], g->edges[2 * e + 1]);
  fprintf(f, "}\n");
  if (ferror(f)) return ls_error_set(err, LS_ERR_IO, "writing the DOT graph failed");
  return LS_OK;
}

ls_status ls_count_graph_write_graphml(FILE *f, const ls_count_patterns *p,
                                       const ls_count_graph *g, ls_error *err) {
  char buf[128];
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
             "  <key id=\"pattern\" for=\"node\" attr.name=\"pattern\" attr.type=\"string\"/>\n"
             "  <key id=\"class\" for=\"node\" attr.name=\"class\" attr.type=\"string\"/>\n"
             "  <key id=\"color\" for=\"node\" attr.name=\"color\" attr.type=\"string\"/>\n");
  fprintf(f, "  <graph id=\"expansion_r%d_m%d\" edgedefault=\"undirected\">\n", p->r, p->m);
  for (size_t i = 0; i < p->n; i++) {
    int c = ls_count_pattern_class(p, i);
    ls_count_pattern_string(p, i, buf, sizeof buf);
    fprintf(f,
            "    <node id=\"n%zu\"><data key=\"pattern\">%s</data><data key=\"class\">%s</data>"
            "<data key=\"color\">%s</data></node>\n",
            i, buf, class_name(c), class_colour(c));
  }
  for (size_t e = 0; e < g->n_edges; e++)
    fprintf(f, "    <edge source=\"n%zu\" target=\"n%zu\"/>\n", g->edges[2 * e],
            g->edges[2 * e + 1]);
  fprintf(f, "  </graph>\n</graphml>\n");
  if (ferror(f)) return ls_error_set(err, LS_ERR_IO, "writing the GraphML graph failed");
  return LS_OK;
}
