/* landsym count: exact counts of symmetry-induced subspaces (Şimşek et al. 2021) and of
 * permutation points (Brea et al. 2019). Dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_count.h"

static const struct {
  const char *name;
  int (*run)(int, char **);
  const char *summary;
} subs[] = {
    {"G", count_cmd_G, "G(r,m): symmetry-induced critical subspaces (Prop. 4.3)"},
    {"T", count_cmd_T, "T(r,m): affine subspaces of the expansion manifold (Thm. 3.1)"},
    {"g", count_cmd_g, "g(u) of Prop. 4.5 (Bell numbers)"},
    {"R", count_cmd_R, "ratios R_k(r*,m) = G(r*-k,m)/T(r*,m) and their total (eqs. 5-6)"},
    {"brea", count_cmd_brea, "K-th order permutation points (Brea et al. 2019, Prop. 3)"},
    {"enumerate", count_cmd_enumerate, "brute-force list of the distinct subspaces"},
    {"graph", count_cmd_graph, "connectivity graph for m = r+1 as DOT or GraphML (fig. 4)"},
    {"fig6", count_cmd_fig6, "regenerate figure 6 (ratios, r* = 30) with gnuplot"},
    {"fig4c", count_cmd_fig4c, "regenerate figure 4(c) (graph r=3 -> m=4) with graphviz"},
    {"layers", count_cmd_layers, "brute-force subspaces of multi-layer expansions vs the products (sec. 5)"},
};
#define NSUBS (sizeof subs / sizeof subs[0])

static void usage(FILE *f) {
  fprintf(f, "usage: landsym count <subcommand> [arguments] [options]\n"
             "       landsym count <subcommand> --help\n\nsubcommands:\n");
  for (size_t i = 0; i < NSUBS; i++) fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
  fprintf(f, "\nIntegers are printed in full. Examples:\n"
             "  landsym count T 3 4              -> 60\n"
             "  landsym count G 29 31:1000 --csv  (table over m)\n"
             "  landsym count T 3,3 4,4          (product over two hidden layers)\n"
             "  landsym count R 30 40 --digits 30\n");
}

int cmd_count(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "landsym count: missing subcommand\n");
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < NSUBS; i++)
    if (!strcmp(argv[1], subs[i].name)) return subs[i].run(argc - 1, argv + 1);
  return cli_usage_error("count", "unknown subcommand '%s'", argv[1]);
}
