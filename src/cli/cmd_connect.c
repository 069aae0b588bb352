/* landsym connect: an explicit equal-loss piecewise-linear path between a point of an
 * overparameterized network and its permutation (Simsek et al. 2021, Theorem 3.1 and
 * Figure 4; Brea et al. 2019, appendix C.2), sampled densely, with the loss along it as
 * CSV and a figure (docs/connect.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_connect.h"
#include "landsym/exp_print.h"

static void connect_usage(FILE *out) {
  fprintf(out,
          "usage: landsym connect --config FILE [--params P] [--layer L]\n"
          "                       [--perm P0,P1,..|random] [--samples N] [--seed N]\n"
          "                       [--tol T] [--out-dir DIR] [--no-plot] [--json]\n\n"
          "Equal-loss path from a point of the student network to its permutation P_pi theta\n"
          "in hidden layer L, built from the moves of Theorem 3.1 (shift the incoming weights\n"
          "of a unit with zero outgoing weights; transfer outgoing weights between two units\n"
          "of equal incoming weights). The layer must be reducible (more units than its\n"
          "irreducible width). The loss is sampled along every segment.\n\n"
          "  --config FILE  experiment config (JSON) or builtin:NAME\n"
          "  --params P     the start point: 'teacher' (default: the teacher expanded to the\n"
          "                 student's widths with --seed, a global minimum) or a .npy/.json\n"
          "                 parameter file of the student network\n"
          "  --layer L      hidden layer to permute (default 1)\n"
          "  --perm P       target permutation of the layer's units (unit i of the end point\n"
          "                 is unit P_i of the start), or 'random' (default)\n"
          "  --samples N    samples per segment (default 50)\n"
          "  --seed N       seed for the expansion and a random permutation (default 0)\n"
          "  --tol T        relative tolerance for equal units (default 1e-10)\n"
          "  --out-dir DIR  write DIR/connect_loss.csv, connect_path.npy (waypoints) and the\n"
          "                 figure connect_loss.{png,svg,dat,gp} (default: current directory)\n"
          "  --no-plot      skip the figure\n"
          "  --json         summary as one JSON object on stdout\n"
          "  --help         this text\n");
}

typedef struct {
  cli_point pt;
  const char *perm, *out_dir;
  long samples, seed;
  double tol;
  int json, no_plot;
} connect_opts;

static int parse_opts(int argc, char **argv, connect_opts *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"layer", required_argument, 0, 'l'},  {"perm", required_argument, 0, 'P'},
      {"samples", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
      {"tol", required_argument, 0, 't'},    {"out-dir", required_argument, 0, 'o'},
      {"no-plot", no_argument, 0, 'N'},      {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->pt.layer = 1, o->samples = 50, o->tol = 1e-10, o->out_dir = ".";
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("connect", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'P': o->perm = optarg; break;
      case 'n':
        if (cli_opt_long("connect", "samples", optarg, 1, 100000, &o->samples)) return 2;
        break;
      case 's':
        if (cli_opt_long("connect", "seed", optarg, 0, LONG_MAX, &o->seed)) return 2;
        break;
      case 't':
        if (cli_parse_double(optarg, &o->tol) || !(o->tol > 0) || o->tol >= 1)
          return cli_usage_error("connect", "--tol needs a number in (0, 1), got '%s'", optarg);
        break;
      case 'o': o->out_dir = optarg; break;
      case 'N': o->no_plot = 1; break;
      case 'j': o->json = 1; break;
      case 'h': connect_usage(stdout); return 0;
      default:
        return cli_usage_error("connect", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("connect", "unexpected argument '%s'", argv[optind]);
  if (!o->pt.config) return cli_usage_error("connect", "--config FILE is required");
  return -1;
}

/* --perm P0,P1,..: the integers into a new array; *n = -1 when a entry is no integer (the
 * library then reports the bad permutation). */
static int *parse_perm(const char *s, int *n) {
  int *perm = malloc((strlen(s) / 2 + 2) * sizeof *perm);
  char *dup = strdup(s), *save = NULL;
  *n = 0;
  for (char *tok = perm && dup ? strtok_r(dup, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
    long v;
    if (cli_parse_long(tok, &v) || v < INT_MIN || v > INT_MAX) {
      *n = -1;
      break;
    }
    perm[(*n)++] = (int)v;
  }
  free(dup);
  return perm;
}

static void print(const ls_exp_connect_result *r, int no_plot) {
  printf("start:          %s\n", r->start);
  printf("layer:          %d, permutation", r->layer);
  for (int i = 0; i < r->m; i++) printf(" %d", r->perm[i]);
  printf("\nsegments:       %d (free %d, shift %d, transfer %d, restore %d)\n", r->n_segments,
         r->moves[1], r->moves[2], r->moves[3], r->moves[4]);
  printf("samples:        %zu\n", r->n);
  printf("loss at start:  %.17g\n", r->loss0);
  printf("max |L - L0|:   %.3e\n", r->max_dev);
  printf("files:          %s, %s%s\n", r->csv, r->npy, no_plot ? "" : ", connect_loss.{png,svg,dat,gp}");
}

int cmd_connect(int argc, char **argv) {
  connect_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("connect", &err);
  ls_exp_connect_opts co;
  ls_exp_connect_opts_default(&co);
  co.params = o.pt.params, co.layer = (int)o.pt.layer, co.samples = (int)o.samples;
  co.seed = (uint64_t)o.seed, co.tol = o.tol, co.out_dir = o.out_dir, co.plot = !o.no_plot;
  int *perm = o.perm && strcmp(o.perm, "random") ? parse_perm(o.perm, &co.n_perm) : NULL;
  co.perm = perm;
  ls_exp_connect_result r;
  ls_status st = ls_exp_connect_run(&cfg, &co, &r, &err);
  ls_config_free(&cfg);
  free(perm);
  if (st) return cli_fail("connect", &err);
  if (o.json) st = ls_exp_json_line(r.summary, stdout, &err);
  else print(&r, o.no_plot);
  ls_exp_connect_result_free(&r);
  return st ? cli_fail("connect", &err) : 0;
}
