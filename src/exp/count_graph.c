/* Brute-force subspaces and the connectivity graph of figure 4 (Şimşek et al. 2021,
 * Definitions 3.2-3.3 and 4.1, Theorem 3.1): the enumeration checks the closed forms T and
 * G; the graph for m = r+1 joins two subspaces that intersect, where the three-segment move
 * of Theorem 3.1 passes (blue = one vanishing output weight, green = two identical incoming
 * vectors). Files through landsym/out.h (atomic). */
#include <stdlib.h>
#include <string.h>

#include "exp/count_fmt.h"
#include "landsym/out.h"

static ls_status enum_print(FILE *out, const ls_count_patterns *p, long r, long m, int critical,
                            int count_only, ls_count_out format, const mpz_t cf, ls_error *err) {
  char buf[128];
  if (format == LS_COUNT_OUT_JSON) {
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n; i++)
      ls_count_pattern_string(p, i, buf, sizeof buf), json_array_append_new(arr, json_string(buf));
    return count_json_out(out, json_pack("{s:I, s:I, s:b, s:I, s:I, s:o}", "r", (json_int_t)r, "m",
                                         (json_int_t)m, "critical_only", critical, "count",
                                         (json_int_t)p->n, "closed_form", (json_int_t)mpz_get_ui(cf),
                                         "patterns", arr), err);
  }
  if (count_only) {
    fprintf(out, "%zu\n", p->n);
    return LS_OK;
  }
  for (size_t i = 0; i < p->n; i++) ls_count_pattern_string(p, i, buf, sizeof buf), fprintf(out, "%s\n", buf);
  return LS_OK;
}

ls_status ls_exp_count_enumerate(FILE *out, FILE *log, long r, long m, int critical,
                                 int count_only, ls_count_out format, ls_error *err) {
  if (r < 1) return ls_error_set(err, LS_ERR_INPUT, "R must be >= 1 (got %ld)", r);
  ls_count_patterns *p;
  /* sizes beyond the brute force: ls_count_enumerate names the limit */
  ls_status st = ls_count_enumerate(&p, (int)(r > 100 ? 100 : r), (int)(m > 100 ? 100 : m), critical, err);
  if (st) return st;
  mpz_t cf;
  mpz_init(cf);
  ls_error e2;
  if (critical) ls_count_G(cf, r, m, LS_COUNT_DEFAULT_MAX_BYTES, &e2);
  else ls_count_T(cf, r, m, LS_COUNT_DEFAULT_MAX_BYTES, &e2);
  st = enum_print(out, p, r, m, critical, count_only, format, cf, err);
  if (log)
    fprintf(log, "# %zu distinct subspaces by enumeration; closed form %s(%ld,%ld) = %lu\n", p->n,
            critical ? "G" : "T", r, m, mpz_get_ui(cf));
  if (!st && mpz_cmp_ui(cf, (unsigned long)p->n))
    st = ls_error_set(err, LS_ERR_COMPUTE, "enumeration and closed form disagree");
  mpz_clear(cf);
  ls_count_patterns_free(p);
  return st;
}

/* Node degrees by colour class and the components: the caption of figure 4. */
static void graph_stats(FILE *log, long r, const ls_count_patterns *p, const ls_count_graph *g) {
  size_t nb = 0, ng = 0, *deg = calloc(p->n, sizeof *deg);
  size_t dmin[2] = {(size_t)-1, (size_t)-1}, dmax[2] = {0, 0};
  for (size_t e = 0; deg && e < g->n_edges; e++) deg[g->edges[2 * e]]++, deg[g->edges[2 * e + 1]]++;
  for (size_t i = 0; deg && i < p->n; i++) {
    int c = ls_count_pattern_class(p, i);
    c ? ng++ : nb++;
    if (deg[i] < dmin[c]) dmin[c] = deg[i];
    if (deg[i] > dmax[c]) dmax[c] = deg[i];
  }
  fprintf(log,
          "# r=%ld -> m=%ld: %zu subspaces (%zu blue, %zu green), %zu edges, blue degree %zu..%zu, "
          "green degree %zu..%zu, %zu connected component(s)\n",
          r, r + 1, p->n, nb, ng, g->n_edges, dmin[0], dmax[0], dmin[1], dmax[1],
          ls_count_graph_components(g, p->n));
  free(deg);
}

/* The m = r+1 patterns and their graph, statistics to log. */
static ls_status graph_build(long r, FILE *log, ls_count_patterns **pp, ls_count_graph **gg,
                             ls_error *err) {
  if (r < 1) return ls_error_set(err, LS_ERR_INPUT, "R must be >= 1 (got %ld)", r);
  if (r > LS_COUNT_GRAPH_MAX_R)
    return ls_error_set(err, LS_ERR_INPUT, "R = %ld is too large for the brute-force graph (R <= %d)",
                        r, LS_COUNT_GRAPH_MAX_R);
  ls_status st = ls_count_enumerate(pp, (int)r, (int)r + 1, 0, err);
  if (st) return st;
  if ((st = ls_count_graph_build(gg, *pp, err))) {
    ls_count_patterns_free(*pp);
    return st;
  }
  if (log) graph_stats(log, r, *pp, *gg);
  return LS_OK;
}

static ls_status graph_write(FILE *f, const char *fmt, const ls_count_patterns *p,
                             const ls_count_graph *g, ls_error *err) {
  return !strcmp(fmt, "dot") ? ls_count_graph_write_dot(f, p, g, err)
                             : ls_count_graph_write_graphml(f, p, g, err);
}

/* The graph to path, atomically. */
static ls_status graph_save(const char *path, const char *fmt, const ls_count_patterns *p,
                            const ls_count_graph *g, ls_error *err) {
  ls_atomic_file af = {0};
  ls_status st = ls_atomic_open(&af, path, err);
  if (st) return st;
  if ((st = graph_write(af.fp, fmt, p, g, err))) {
    ls_atomic_abort(&af);
    return st;
  }
  return ls_atomic_commit(&af, err);
}

ls_status ls_exp_count_graph(FILE *out, const char *path, FILE *log, long r, const char *format,
                             ls_error *err) {
  if (strcmp(format, "dot") && strcmp(format, "graphml"))
    return ls_error_set(err, LS_ERR_INPUT, "--format must be dot or graphml, got '%s'", format);
  ls_count_patterns *p;
  ls_count_graph *g;
  ls_status st = graph_build(r, log, &p, &g, err);
  if (st) return st;
  st = path ? graph_save(path, format, p, g, err) : graph_write(out, format, p, g, err);
  ls_count_graph_free(g);
  ls_count_patterns_free(p);
  return st;
}

/* DIR/fig4c.EXT drawn by graphviz into a hidden temporary name, renamed when complete. */
static ls_status graphviz(const char *dir, const char *layout, const char *ext, ls_error *err) {
  char *dot = ls_path_join(dir, "fig4c.dot");
  ls_buf cmd = {0}, tmp = {0}, fin = {0};
  ls_buf_printf(&tmp, "%s/.fig4c.%s.tmp", dir, ext);
  ls_buf_printf(&fin, "%s/fig4c.%s", dir, ext);
  ls_buf_printf(&cmd, "%s -T%s%s -o '%s' '%s'", layout, ext, !strcmp(ext, "png") ? " -Gdpi=110" : "",
                tmp.s ? tmp.s : "", dot ? dot : "");
  ls_status st = !dot ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : ls_buf_status(&cmd, err);
  if (!st && system(cmd.s)) st = ls_error_set(err, LS_ERR_COMPUTE, "'%s' failed", cmd.s);
  if (!st && rename(tmp.s, fin.s)) st = ls_error_set(err, LS_ERR_IO, "cannot rename %s to %s", tmp.s, fin.s);
  if (st && tmp.s) remove(tmp.s);
  free(dot), ls_buf_free(&cmd), ls_buf_free(&tmp), ls_buf_free(&fin);
  return st;
}

ls_status ls_exp_count_fig4c(const char *dir, long r, const char *layout, FILE *log, ls_error *err) {
  static const char *const layouts[] = {"neato", "circo", "sfdp", "dot", "fdp", "twopi"};
  int known = 0;
  for (int i = 0; i < 6; i++) known |= !strcmp(layout, layouts[i]);
  if (!known) return ls_error_set(err, LS_ERR_INPUT, "unknown --layout '%s'", layout);
  ls_buf probe = {0};
  ls_buf_printf(&probe, "command -v %s >/dev/null 2>&1", layout);
  int have = probe.s && system(probe.s) == 0;
  ls_buf_free(&probe);
  if (!have)
    return ls_error_set(err, LS_ERR_COMPUTE, "graphviz '%s' not found (install graphviz; scripts/setup.sh)", layout);
  ls_count_patterns *p;
  ls_count_graph *g;
  ls_status st = graph_build(r, log, &p, &g, err);
  if (st) return st;
  char *dot = ls_path_join(dir, "fig4c.dot"), *gml = ls_path_join(dir, "fig4c.graphml");
  st = dot && gml ? ls_mkdir_p(dir, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = graph_save(dot, "dot", p, g, err);
  if (!st) st = graph_save(gml, "graphml", p, g, err);
  if (!st) st = graphviz(dir, layout, "png", err);
  if (!st) st = graphviz(dir, layout, "svg", err);
  if (!st && log) fprintf(log, "# wrote %s/fig4c.{dot,graphml,png,svg}\n", dir);
  free(dot), free(gml);
  ls_count_graph_free(g);
  ls_count_patterns_free(p);
  return st;
}
