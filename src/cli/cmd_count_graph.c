/* landsym count enumerate | graph | fig6 | fig4c: the brute-force list of subspaces, the
 * connectivity graph of figure 4 (DOT, GraphML), and the regenerated figures 4(c) and 6 of
 * Şimşek et al. 2021. Files are written to a temporary name and renamed when complete. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cmd_count.h"

/* ---- small file helpers ---- */

static int path_join(char *buf, size_t len, const char *dir, const char *name) {
  return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

/* Rename tmp -> final; on failure remove tmp. */
static int commit_file(const char *tmp, const char *final) {
  if (rename(tmp, final)) {
    fprintf(stderr, "landsym count: cannot rename %s to %s: %s\n", tmp, final, strerror(errno));
    remove(tmp);
    return 1;
  }
  return 0;
}

/* Close f, then keep tmp under its final name, or remove it when rc (the outcome of writing
 * it) or the close failed; returns the exit code. */
static int close_commit(FILE *f, int rc, const char *tmp, const char *final) {
  if (fclose(f)) rc = 1;
  if (rc) return remove(tmp), rc;
  return commit_file(tmp, final);
}

static int ensure_dir(const char *sub, const char *dir) {
  struct stat st;
  if (!stat(dir, &st)) {
    if (S_ISDIR(st.st_mode)) return 0;
    fprintf(stderr, "landsym count %s: --out '%s' exists and is not a directory\n", sub, dir);
    return 2;
  }
  if (mkdir(dir, 0777)) {
    fprintf(stderr, "landsym count %s: cannot create directory '%s': %s\n", sub, dir, strerror(errno));
    return 1;
  }
  return 0;
}

static int have_program(const char *name) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
  return system(cmd) == 0;
}

/* ---- enumerate ---- */

int count_cmd_enumerate(int argc, char **argv) {
  count_opts o;
  int begin = count_begin("enumerate", argc, argv, &o,
    "usage: landsym count enumerate R M [--critical] [--count] [--json]\n\n"
    "Brute-force list of the distinct affine subspaces P_pi Gamma_s of the expansion\n"
    "manifold r -> m (Simsek et al. 2021, Definitions 3.2-3.3): every tuple s and every\n"
    "permutation pi in S_m is visited and the resulting patterns are deduplicated. It does\n"
    "not use the closed forms, which is why it checks them. One pattern per line: slot i\n"
    "shows the teacher neuron it copies (1..R) or its zero-type group Z1, Z2, ... (groups\n"
    "are unlabelled, numbered by first occurrence). A summary with the closed form goes to\n"
    "stderr. 1 <= R <= M <= %d.\n"
    "  --critical   only the subspaces of Definition 4.1 (no zero-type neurons; G(r,m))\n"
    "  --count      print only the number of subspaces\n"
    "  --json       JSON object with the patterns and the closed form\n",
    LS_COUNT_ENUM_MAX_M);
  if (begin != COUNT_GO_ON) return begin;
  if (count_check_npos("enumerate", &o, 2, "R M")) return 2;
  long r, m;
  if (count_parse_int("enumerate", "R", o.pos[0], &r) || count_parse_int("enumerate", "M", o.pos[1], &m))
    return 2;
  if (r < 1) return fprintf(stderr, "landsym count enumerate: R must be >= 1 (got %ld)\n", r), 2;
  if (m > LS_COUNT_ENUM_MAX_M || r > m) {
    ls_error err;
    ls_count_patterns *p;
    ls_count_enumerate(&p, (int)(r > 100 ? 100 : r), (int)(m > 100 ? 100 : m), o.critical, &err);
    return count_fail("enumerate", &err);
  }
  ls_error err;
  ls_count_patterns *p;
  if (ls_count_enumerate(&p, (int)r, (int)m, o.critical, &err)) return count_fail("enumerate", &err);
  mpz_t cf;
  mpz_init(cf);
  if (o.critical) ls_count_G(cf, r, m, LS_COUNT_DEFAULT_MAX_BYTES, &err);
  else ls_count_T(cf, r, m, LS_COUNT_DEFAULT_MAX_BYTES, &err);
  char buf[128];
  if (o.json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n; i++) {
      ls_count_pattern_string(p, i, buf, sizeof buf);
      json_array_append_new(arr, json_string(buf));
    }
    json_t *j = json_pack("{s:I, s:I, s:b, s:I, s:I, s:o}", "r", (json_int_t)r, "m", (json_int_t)m,
                          "critical_only", o.critical, "count", (json_int_t)p->n, "closed_form",
                          (json_int_t)mpz_get_ui(cf), "patterns", arr);
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  } else if (o.count_only) {
    printf("%zu\n", p->n);
  } else {
    for (size_t i = 0; i < p->n; i++) {
      ls_count_pattern_string(p, i, buf, sizeof buf);
      printf("%s\n", buf);
    }
  }
  fprintf(stderr, "# %zu distinct subspaces by enumeration; closed form %s(%ld,%ld) = %lu\n", p->n,
          o.critical ? "G" : "T", r, m, mpz_get_ui(cf));
  int rc = mpz_cmp_ui(cf, (unsigned long)p->n) ? 1 : 0;
  if (rc) fprintf(stderr, "landsym count enumerate: enumeration and closed form disagree\n");
  mpz_clear(cf);
  ls_count_patterns_free(p);
  return rc;
}

/* ---- graph ---- */

/* Build the m = r+1 graph and print its statistics (figure 4 caption) to stderr. */
static int build_graph(const char *sub, long r, ls_count_patterns **pp, ls_count_graph **gg) {
  ls_error err;
  if (r < 1) return fprintf(stderr, "landsym count %s: R must be >= 1 (got %ld)\n", sub, r), 2;
  if (r > LS_COUNT_GRAPH_MAX_R) {
    fprintf(stderr, "landsym count %s: R = %ld is too large for the brute-force graph (R <= %d)\n",
            sub, r, LS_COUNT_GRAPH_MAX_R);
    return 2;
  }
  if (ls_count_enumerate(pp, (int)r, (int)r + 1, 0, &err)) return count_fail(sub, &err);
  if (ls_count_graph_build(gg, *pp, &err)) {
    ls_count_patterns_free(*pp);
    return count_fail(sub, &err);
  }
  const ls_count_patterns *p = *pp;
  const ls_count_graph *g = *gg;
  size_t nb = 0, ng = 0, *deg = calloc(p->n, sizeof *deg);
  size_t dmin[2] = {(size_t)-1, (size_t)-1}, dmax[2] = {0, 0};
  for (size_t e = 0; deg && e < g->n_edges; e++) deg[g->edges[2 * e]]++, deg[g->edges[2 * e + 1]]++;
  for (size_t i = 0; deg && i < p->n; i++) {
    int c = ls_count_pattern_class(p, i);
    c ? ng++ : nb++;
    if (deg[i] < dmin[c]) dmin[c] = deg[i];
    if (deg[i] > dmax[c]) dmax[c] = deg[i];
  }
  fprintf(stderr,
          "# r=%ld -> m=%ld: %zu subspaces (%zu blue, %zu green), %zu edges, blue degree %zu..%zu, "
          "green degree %zu..%zu, %zu connected component(s)\n",
          r, r + 1, p->n, nb, ng, g->n_edges, dmin[0], dmax[0], dmin[1], dmax[1],
          ls_count_graph_components(g, p->n));
  free(deg);
  return 0;
}

static int write_graph(FILE *f, const char *fmt, const ls_count_patterns *p, const ls_count_graph *g,
                       ls_error *err) {
  return !strcmp(fmt, "dot") ? ls_count_graph_write_dot(f, p, g, err)
                             : ls_count_graph_write_graphml(f, p, g, err);
}

int count_cmd_graph(int argc, char **argv) {
  count_opts o;
  int begin = count_begin("graph", argc, argv, &o,
    "usage: landsym count graph R [--format dot|graphml] [--output FILE]\n\n"
    "Connectivity graph of the T(R,R+1) affine subspaces of the expansion manifold R -> R+1\n"
    "(Simsek et al. 2021, Theorem 3.1 and figure 4). Nodes are the subspaces, coloured as\n"
    "in figure 4: blue = one vanishing output weight, green = two identical incoming weight\n"
    "vectors. An edge joins two subspaces that intersect, which is where the three-segment\n"
    "move of Theorem 3.1 passes from one to the other. Written to stdout, or to FILE\n"
    "(atomically). Node/edge counts, degrees and components go to stderr. 1 <= R <= %d.\n",
    LS_COUNT_GRAPH_MAX_R);
  if (begin != COUNT_GO_ON) return begin;
  const char *fmt = o.format ? o.format : "dot";
  if (strcmp(fmt, "dot") && strcmp(fmt, "graphml"))
    return fprintf(stderr, "landsym count graph: --format must be dot or graphml, got '%s'\n", fmt), 2;
  if (count_check_npos("graph", &o, 1, "R")) return 2;
  long r;
  if (count_parse_int("graph", "R", o.pos[0], &r)) return 2;
  ls_count_patterns *p;
  ls_count_graph *g;
  int rc = build_graph("graph", r, &p, &g);
  if (rc) return rc;
  ls_error err;
  if (!o.output) {
    if (write_graph(stdout, fmt, p, g, &err)) rc = count_fail("graph", &err);
  } else {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", o.output, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
      fprintf(stderr, "landsym count graph: cannot write '%s': %s\n", o.output, strerror(errno));
      rc = 2;
    } else {
      rc = write_graph(f, fmt, p, g, &err) ? count_fail("graph", &err) : 0;
      if (fclose(f) && !rc) rc = 1, fprintf(stderr, "landsym count graph: writing '%s' failed\n", o.output);
      if (rc) remove(tmp);
      else rc = commit_file(tmp, o.output);
    }
  }
  ls_count_graph_free(g);
  ls_count_patterns_free(p);
  return rc;
}

/* ---- fig4c ---- */

int count_cmd_fig4c(int argc, char **argv) {
  count_opts o;
  int begin = count_begin("fig4c", argc, argv, &o,
    "usage: landsym count fig4c --out DIR [--r R] [--layout neato|circo|sfdp|dot]\n\n"
    "Regenerates figure 4(c) of Simsek et al. 2021: the connectivity graph of the\n"
    "T(3,4) = 60 subspaces (24 blue, 36 green) for the expansion 3 -> 4 (--r changes R).\n"
    "Writes DIR/fig4c.dot, DIR/fig4c.graphml, and draws DIR/fig4c.png and DIR/fig4c.svg\n"
    "with graphviz (default layout neato; install graphviz, see scripts/setup.sh).\n");
  if (begin != COUNT_GO_ON) return begin;
  if (count_check_out_dir("fig4c", &o)) return 2;
  const char *layout = o.layout ? o.layout : "neato";
  if (strcmp(layout, "neato") && strcmp(layout, "circo") && strcmp(layout, "sfdp") &&
      strcmp(layout, "dot") && strcmp(layout, "fdp") && strcmp(layout, "twopi"))
    return fprintf(stderr, "landsym count fig4c: unknown --layout '%s'\n", layout), 2;
  long r = o.r ? o.r : 3;
  if (!have_program(layout)) {
    fprintf(stderr, "landsym count fig4c: graphviz '%s' not found (install graphviz; scripts/setup.sh)\n",
            layout);
    return 1;
  }
  ls_count_patterns *p;
  ls_count_graph *g;
  int rc = build_graph("fig4c", r, &p, &g);
  if (rc) return rc;
  if ((rc = ensure_dir("fig4c", o.out_dir))) goto done;
  char tmp[4096], fin[4096], cmd[8192];
  const char *fmts[2] = {"dot", "graphml"};
  for (int i = 0; i < 2 && !rc; i++) {
    char name[64];
    snprintf(name, sizeof name, "fig4c.%s", fmts[i]);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", o.out_dir, name);
    if (path_join(fin, sizeof fin, o.out_dir, name)) { rc = 2; break; }
    FILE *f = fopen(tmp, "w");
    ls_error err;
    if (!f) {
      fprintf(stderr, "landsym count fig4c: cannot write '%s': %s\n", tmp, strerror(errno));
      rc = 1;
      break;
    }
    rc = write_graph(f, fmts[i], p, g, &err) ? count_fail("fig4c", &err) : 0;
    rc = close_commit(f, rc, tmp, fin);
  }
  const char *outs[2] = {"png", "svg"};
  for (int i = 0; i < 2 && !rc; i++) {
    snprintf(tmp, sizeof tmp, "%s/.fig4c.%s.tmp", o.out_dir, outs[i]);
    snprintf(fin, sizeof fin, "%s/fig4c.%s", o.out_dir, outs[i]);
    snprintf(cmd, sizeof cmd, "%s -T%s%s -o '%s/.fig4c.%s.tmp' '%s/fig4c.dot'", layout, outs[i],
             !strcmp(outs[i], "png") ? " -Gdpi=110" : "", o.out_dir, outs[i], o.out_dir);
    if (system(cmd)) {
      fprintf(stderr, "landsym count fig4c: '%s' failed\n", cmd);
      remove(tmp);
      rc = 1;
    } else rc = commit_file(tmp, fin);
  }
  if (!rc) fprintf(stderr, "# wrote %s/fig4c.{dot,graphml,png,svg}\n", o.out_dir);
done:
  ls_count_graph_free(g);
  ls_count_patterns_free(p);
  return rc;
}

/* ---- fig6 ---- */

static const char *fig6_gp =
    "# Figure 6 of Simsek et al. 2021 (ICML): R_k(r*,m) = G(r*-k,m)/T(r*,m) and the total\n"
    "# sum_k a_k R_k (a_k = 1) for r* = %ld. Data: fig6.dat (written by landsym count fig6).\n"
    "# Run: gnuplot fig6.gp   (set outbase to change the output names)\n"
    "if (!exists(\"outbase\")) outbase = \"fig6\"\n"
    "if (!exists(\"datafile\")) datafile = \"fig6.dat\"\n"
    "# y is log10 of the ratio (columns %ld+3 ..): the values go below 1e-308\n"
    "set logscale x\n"
    "set xlabel \"width m of the overparameterized network\"\n"
    "set ylabel \"log_{10} R_k(r^*, m)\"\n"
    "set title \"Saddle subspaces per global-minimum subspace, r^* = %ld\"\n"
    "set key bottom left\n"
    "set grid\n"
    "set xrange [%ld:%ld]\n"
    "set style line 99 lc rgb \"#1f5fd6\" lw 3\n"
    "plot_cmd = \"plot 0 w l lc rgb 'gray' dt 2 notitle\"\n"
    "do for [k=1:%ld] { plot_cmd = plot_cmd . sprintf(\", datafile u 1:%%d w l lw 2 title 'k = %%d'\", k+%ld+2, k) }\n"
    "plot_cmd = plot_cmd . sprintf(\", datafile u 1:%%d w l ls 99 title 'total, a_k = 1'\", 2*%ld+3)\n"
    "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) { set terminal pngcairo size 900,620 enhanced font \",11\" } else { set terminal png size 900,620 }\n"
    "set output outbase.\".png\"\n"
    "eval plot_cmd\n"
    "set terminal svg size 900,620 enhanced dynamic font \",11\"\n"
    "set output outbase.\".svg\"\n"
    "eval plot_cmd\n"
    "unset output\n";

int count_cmd_fig6(int argc, char **argv) {
  count_opts o;
  int begin = count_begin("fig6", argc, argv, &o,
    "usage: landsym count fig6 --out DIR [--rstar 30] [--m-max 1000] [--kmax 5]\n\n"
    "Regenerates figure 6 of Simsek et al. 2021: R_k(r*,m) for k = 1..KMAX and the total\n"
    "sum_{k=1}^{r*-1} R_k (a_k = 1) for m = r*+1..MMAX, log-log. Writes DIR/fig6.dat\n"
    "(columns m, R_1..R_KMAX, total with 17 significant digits, then their log10), DIR/fig6.gp, and draws\n"
    "DIR/fig6.png and DIR/fig6.svg with gnuplot.\n");
  if (begin != COUNT_GO_ON) return begin;
  if (count_check_out_dir("fig6", &o)) return 2;
  long rs = o.rstar ? o.rstar : 30, mmax = o.m_max ? o.m_max : 1000, kmax = o.kmax ? o.kmax : 5;
  if (rs < 2) return fprintf(stderr, "landsym count fig6: --rstar must be >= 2 (got %ld)\n", rs), 2;
  if (mmax <= rs)
    return fprintf(stderr, "landsym count fig6: --m-max (%ld) must exceed --rstar (%ld)\n", mmax, rs), 2;
  if (kmax < 1 || kmax > rs - 1)
    return fprintf(stderr, "landsym count fig6: --kmax must be in 1..%ld (got %ld)\n", rs - 1, kmax), 2;
  if (!have_program("gnuplot"))
    return fprintf(stderr, "landsym count fig6: gnuplot not found (scripts/setup.sh installs it)\n"), 1;
  ls_error err;
  ls_count_ratio_table *t;
  if (ls_count_ratio_table_alloc(&t, rs, rs + 1, mmax, (int)kmax, 96, &err)) return count_fail("fig6", &err);
  if (ls_count_ratio_table_compute(t, LS_COUNT_WEIGHTS_ONES, NULL, 0, 2,
                                   o.max_bytes ? o.max_bytes : LS_COUNT_DEFAULT_MAX_BYTES, &err)) {
    ls_count_ratio_table_free(t);
    return count_fail("fig6", &err);
  }
  int rc = ensure_dir("fig6", o.out_dir);
  char tmp[4096], fin[4096], cmd[8192];
  if (!rc) { /* data */
    snprintf(tmp, sizeof tmp, "%s/.fig6.dat.tmp", o.out_dir);
    snprintf(fin, sizeof fin, "%s/fig6.dat", o.out_dir);
    FILE *f = fopen(tmp, "w");
    if (!f) rc = 1, fprintf(stderr, "landsym count fig6: cannot write '%s': %s\n", tmp, strerror(errno));
    else {
      fprintf(f, "# r* = %ld; columns: m", rs);
      for (long k = 1; k <= kmax; k++) fprintf(f, " R_%ld", k);
      fprintf(f, " total(a_k=1,k=1..%ld)", rs - 1);
      for (long k = 1; k <= kmax; k++) fprintf(f, " log10(R_%ld)", k);
      fprintf(f, " log10(total)\n");
      /* log10 columns too: the ratios reach 1e-533, below what gnuplot's doubles hold */
      mpfr_t lg;
      mpfr_init2(lg, 96);
      for (long m = rs + 1; m <= mmax; m++) {
        size_t row = (size_t)(m - rs - 1);
        fprintf(f, "%ld", m);
        for (long k = 1; k <= kmax; k++) mpfr_fprintf(f, " %.16Re", t->R[row * (size_t)t->kmax + (size_t)(k - 1)]);
        mpfr_fprintf(f, " %.16Re", t->total[row]);
        for (long k = 1; k <= kmax; k++) {
          mpfr_log10(lg, t->R[row * (size_t)t->kmax + (size_t)(k - 1)], MPFR_RNDN);
          mpfr_fprintf(f, " %.10Rf", lg);
        }
        mpfr_log10(lg, t->total[row], MPFR_RNDN);
        mpfr_fprintf(f, " %.10Rf\n", lg);
      }
      mpfr_clear(lg);
      rc = close_commit(f, rc, tmp, fin);
    }
  }
  if (!rc) { /* script */
    snprintf(tmp, sizeof tmp, "%s/.fig6.gp.tmp", o.out_dir);
    snprintf(fin, sizeof fin, "%s/fig6.gp", o.out_dir);
    FILE *f = fopen(tmp, "w");
    if (!f) rc = 1, fprintf(stderr, "landsym count fig6: cannot write '%s'\n", tmp);
    else {
      fprintf(f, fig6_gp, rs, kmax, rs, rs + 1, mmax, kmax, kmax, kmax);
      rc = close_commit(f, rc, tmp, fin);
    }
  }
  if (!rc) { /* figures, drawn under temporary names then renamed */
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot -e 'outbase=\".fig6.tmp\"' fig6.gp", o.out_dir);
    if (system(cmd)) {
      fprintf(stderr, "landsym count fig6: gnuplot failed\n");
      rc = 1;
    }
    const char *ext[2] = {"png", "svg"};
    for (int i = 0; i < 2; i++) {
      snprintf(tmp, sizeof tmp, "%s/.fig6.tmp.%s", o.out_dir, ext[i]);
      snprintf(fin, sizeof fin, "%s/fig6.%s", o.out_dir, ext[i]);
      if (rc) remove(tmp);
      else rc = commit_file(tmp, fin);
    }
  }
  if (!rc) fprintf(stderr, "# wrote %s/fig6.{dat,gp,png,svg}\n", o.out_dir);
  ls_count_ratio_table_free(t);
  return rc;
}
