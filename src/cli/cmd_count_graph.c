/* landsym count enumerate | graph | fig6 | fig4c: the brute-force list of subspaces, the
 * connectivity graph of figure 4 (DOT, GraphML), and the regenerated figures 4(c) and 6 of
 * Şimşek et al. 2021 (library calls of landsym/exp_count.h). */
#include <string.h>

#include "cli/cmd_count.h"

int count_cmd_enumerate(int argc, char **argv) {
  count_opts o;
  char header[2048];
  cli_opt opts[] = {
      CLI_FLAG("critical", &o.critical, "only the subspaces of Definition 4.1 (no zero-type neurons; G(r,m))"),
      CLI_FLAG("count", &o.count_only, "print only the number of subspaces"),
      CLI_FLAG("json", &o.json, "JSON object with the patterns and the closed form"), CLI_END};
  snprintf(header, sizeof header,
    "usage: landsym count enumerate R M [--critical] [--count] [--json]\n\n"
    "Brute-force list of the distinct affine subspaces P_pi Gamma_s of the expansion\n"
    "manifold r -> m (Simsek et al. 2021, Definitions 3.2-3.3): every tuple s and every\n"
    "permutation pi in S_m is visited and the resulting patterns are deduplicated. It does\n"
    "not use the closed forms, which is why it checks them. One pattern per line: slot i\n"
    "shows the teacher neuron it copies (1..R) or its zero-type group Z1, Z2, ... (groups\n"
    "are unlabelled, numbered by first occurrence). A summary with the closed form goes to\n"
    "stderr. 1 <= R <= M <= %d.\n",
    LS_COUNT_ENUM_MAX_M);
  int begin = count_begin("enumerate", argc, argv, &o, opts, header, NULL);
  if (begin != CLI_GO_ON) return begin;
  if (count_check_npos("enumerate", &o, 2, "R M")) return 2;
  long r, m;
  if (count_parse_int("enumerate", "R", o.pos[0], &r) || count_parse_int("enumerate", "M", o.pos[1], &m))
    return 2;
  ls_error err;
  ls_count_out fmt = o.json ? LS_COUNT_OUT_JSON : LS_COUNT_OUT_TEXT;
  if (ls_exp_count_enumerate(stdout, stderr, r, m, o.critical, o.count_only, fmt, &err))
    return count_fail("enumerate", &err);
  return 0;
}

int count_cmd_graph(int argc, char **argv) {
  count_opts o;
  char header[2048];
  cli_opt opts[] = {
      CLI_STR("format", &o.format, "F", "dot (default) or graphml"),
      {.name = "output", .letter = 'o', .kind = CLI_KSTR, .dest = &o.output, .metavar = "FILE",
       .help = "write the graph to FILE (atomically) instead of stdout"},
      CLI_END};
  snprintf(header, sizeof header,
    "usage: landsym count graph R [--format dot|graphml] [--output FILE]\n\n"
    "Connectivity graph of the T(R,R+1) affine subspaces of the expansion manifold R -> R+1\n"
    "(Simsek et al. 2021, Theorem 3.1 and figure 4). Nodes are the subspaces, coloured as\n"
    "in figure 4: blue = one vanishing output weight, green = two identical incoming weight\n"
    "vectors. An edge joins two subspaces that intersect, which is where the three-segment\n"
    "move of Theorem 3.1 passes from one to the other. Written to stdout, or to FILE\n"
    "(atomically). Node/edge counts, degrees and components go to stderr. 1 <= R <= %d.\n\n",
    LS_COUNT_GRAPH_MAX_R);
  int begin = count_begin("graph", argc, argv, &o, opts, header, NULL);
  if (begin != CLI_GO_ON) return begin;
  if (count_check_npos("graph", &o, 1, "R")) return 2;
  long r;
  if (count_parse_int("graph", "R", o.pos[0], &r)) return 2;
  ls_error err;
  if (ls_exp_count_graph(stdout, o.output, stderr, r, o.format ? o.format : "dot", &err))
    return count_fail("graph", &err);
  return 0;
}

int count_cmd_fig4c(int argc, char **argv) {
  count_opts o;
  cli_opt opts[] = {
      CLI_STR_REQ("out", &o.out_dir, "DIR", "output directory"),
      CLI_LONG("r", &o.r, -1000000000, 1000000000, "R", "width of the irreducible point (default 3)"),
      CLI_STR("layout", &o.layout, "L", "graphviz layout: neato (default), circo, sfdp or dot"),
      CLI_END};
  int begin = count_begin("fig4c", argc, argv, &o, opts,
    "usage: landsym count fig4c --out DIR [--r R] [--layout neato|circo|sfdp|dot]\n\n"
    "Regenerates figure 4(c) of Simsek et al. 2021: the connectivity graph of the\n"
    "T(3,4) = 60 subspaces (24 blue, 36 green) for the expansion 3 -> 4 (--r changes R).\n"
    "Writes DIR/fig4c.dot, DIR/fig4c.graphml, and draws DIR/fig4c.png and DIR/fig4c.svg\n"
    "with graphviz (default layout neato; install graphviz, see scripts/setup.sh).\n\n", NULL);
  if (begin != CLI_GO_ON) return begin;
  if (count_check_npos("fig4c", &o, 0, "")) return 2;
  ls_error err;
  if (ls_exp_count_fig4c(o.out_dir, o.r ? o.r : 3, o.layout ? o.layout : "neato", stderr, &err))
    return count_fail("fig4c", &err);
  return 0;
}

int count_cmd_fig6(int argc, char **argv) {
  count_opts o;
  cli_opt opts[] = {
      CLI_STR_REQ("out", &o.out_dir, "DIR", "output directory"),
      CLI_LONG("rstar", &o.rstar, -1000000000, 1000000000, "RSTAR", "r* (default 30)"),
      CLI_LONG("m-max", &o.m_max, -1000000000, 1000000000, "MMAX", "last m (default 1000)"),
      CLI_LONG("kmax", &o.kmax, -1000000000, 1000000000, "KMAX", "R_1..R_KMAX (default 5)"),
      COUNT_MEM_OPT(&o), CLI_END};
  int begin = count_begin("fig6", argc, argv, &o, opts,
    "usage: landsym count fig6 --out DIR [--rstar 30] [--m-max 1000] [--kmax 5]\n\n"
    "Regenerates figure 6 of Simsek et al. 2021: R_k(r*,m) for k = 1..KMAX and the total\n"
    "sum_{k=1}^{r*-1} R_k (a_k = 1) for m = r*+1..MMAX, log-log. Writes DIR/fig6.dat\n"
    "(columns m, R_1..R_KMAX, total with 17 significant digits, then their log10), DIR/fig6.gp, and draws\n"
    "DIR/fig6.png and DIR/fig6.svg with gnuplot.\n\n", NULL);
  if (begin != CLI_GO_ON) return begin;
  if (count_check_npos("fig6", &o, 0, "")) return 2;
  long rs = o.rstar ? o.rstar : 30, mmax = o.m_max ? o.m_max : 1000, kmax = o.kmax ? o.kmax : 5;
  ls_error err;
  if (ls_exp_count_fig6(o.out_dir, rs, mmax, kmax, count_lib_opts(&o).max_bytes,
                        stderr, &err))
    return count_fail("fig6", &err);
  return 0;
}
