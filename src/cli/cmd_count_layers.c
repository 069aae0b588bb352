/* landsym count layers: brute-force count of the affine subspaces of a multi-layer
 * expansion (Simsek et al. 2021, section 5) against the product formulas prod_l T(r_l, m_l)
 * and prod_l G(r_l, m_l), and their connectivity graph (docs/count.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_count.h"
#include "landsym/net.h"
#include "landsym/sym.h"

static const char footer[] =
    "Exit 0 when the count equals the product formula (and the graph is connected when\n"
    "it must be), 1 otherwise, 2 bad usage.\n";

/* argv into o, json and the two width lists: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, ls_exp_count_layers_opts *o, int *json, const char **pos) {
  char header[1536];
  snprintf(header, sizeof header,
           "usage: landsym count layers R1,R2[,...] M1,M2[,...] [--critical] [--graph]\n"
           "                            [--din N] [--dout N] [--seed S] [--json]\n\n"
           "Brute force of section 5 (eq. 8): a random irreducible tanh network with hidden\n"
           "widths R1,R2,... (N inputs and outputs, biases) is expanded to M1,M2,... by every\n"
           "tuple of Definition 3.2 and every permutation of every hidden layer, last layer\n"
           "first; each expansion's affine subspace is the hull of P+1 random points of it, and\n"
           "distinct subspaces are counted and compared with prod_l T(R_l, M_l) (with\n"
           "--critical: no zero-type units, Definition 4.1, against prod_l G(R_l, M_l)).\n"
           "One hidden layer is accepted too. Widths M_l <= %d.\n\n", LS_SYM_ENUM_LAYERS_MAX_M);
  cli_opt opts[] = {
      CLI_FLAG("critical", &o->critical, "only the symmetry-induced critical subspaces"),
      CLI_FLAG("graph", &o->graph, "also the connectivity graph: an edge joins two subspaces that meet;\n"
                                   "its number of connected components (Theorem 3.1 / section 5: one\n"
                                   "when M_l > R_l in every layer)"),
      CLI_INT("din", &o->din, 1, 8, "N", "inputs (default 1)"),
      CLI_INT("dout", &o->dout, 1, 8, "N", "outputs (default 1)"),
      CLI_LONG("seed", &o->seed, 0, LONG_MAX, "S", "teacher and samples (default 1)"),
      CLI_FLAG("json", json, "one JSON object on stdout"),
      CLI_END};
  cli_spec spec = {.cmd = "count layers", .header = header, .footer = footer, .opts = opts,
                   .pos = pos, .max_pos = 2, .numbers = 1};
  int rc = cli_parse(&spec, argc, argv);
  if (rc == CLI_GO_ON && spec.npos != 2)
    return cli_usage_error("count layers", "expected R1,R2,... and M1,M2,...");
  return rc;
}

/* R1,R2,... and M1,M2,... into o (ls_exp_count_layers checks their sizes); 0 or 2 after a
 * usage error. */
static int parse_widths(const char *rs, const char *ms, ls_exp_count_layers_opts *o) {
  int nr = count_parse_list("layers", "R", rs, o->r, LS_MAX_LAYERS - 2);
  if (nr < 0) return 2;
  int nm = count_parse_list("layers", "M", ms, o->m, LS_MAX_LAYERS - 2);
  if (nm < 0) return 2;
  if (nr != nm)
    return cli_usage_error("count layers", "%d widths R but %d widths M: one of each per hidden layer", nr, nm);
  o->layers = nr;
  return 0;
}

int count_cmd_layers(int argc, char **argv) {
  ls_exp_count_layers_opts o = {.din = 1, .dout = 1, .seed = 1};
  const char *pos[2];
  int json = 0, rc = parse(argc, argv, &o, &json, pos);
  if (rc != CLI_GO_ON) return rc;
  if (parse_widths(pos[0], pos[1], &o)) return 2;
  ls_error err = {0};
  ls_exp_count_layers_result r;
  if (ls_exp_count_layers(&o, &r, &err)) return count_fail("layers", &err);
  const char *why = ls_exp_count_layers_failure(&o, &r);
  rc = ls_exp_count_layers_print(stdout, &o, &r, json, &err) ? count_fail("layers", &err) : why ? 1 : 0;
  if (why && rc == 1) fprintf(stderr, "landsym count layers: %s\n", why);
  ls_exp_count_layers_result_free(&r);
  return rc;
}
