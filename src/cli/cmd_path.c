/* landsym path: the permutation path between a minimum and its partner through the
 * permutation point of two units (Brea et al. 2019, section 2.1, Algorithm 1, appendix
 * C.1, figure 2). docs/path.md. */
#include <stdio.h>

#include "cli/cli.h"
#include "landsym/exp_path.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym path --config FILE [--params P.npy|teacher] [--layer K]\n"
    "                    (--pair L,M | --pairs all|cosine) [--steps N] [--dmin X]\n"
    "                    [--distance abs|rel] [--out-bound K] [--lagrangian] [--maxeval N]\n"
    "                    --out DIR [--no-plot] [--json]\n"
    "       landsym path --reproduce-fig2 --out DIR [--steps N]\n\n"
    "Permutation path from a minimum to its partner minimum (units L and M of hidden\n"
    "layer K swapped) through their permutation point: the distance d between the two\n"
    "units' incoming weights (and biases) goes down from d0 to dmin*d0 in N log-spaced\n"
    "steps, every other parameter re-optimised (LBFGS) at each d with the distance held\n"
    "exactly (Brea et al. 2019, Algorithm 1); the second half is the first one mirrored\n"
    "(L and M swapped). The exact end d = 0 is the merged network (mean incoming,\n"
    "summed outgoing weights) re-optimised and lifted back with equal outgoing\n"
    "weights: a permutation point; its loss is reported beside the loss at dmin and\n"
    "counts in the barrier.\n\n";

/* What only the face sees: the point, --pair / --pairs, --json, --reproduce-fig2. */
typedef struct {
  cli_point pt;
  cli_list pair;
  int pairs, json, fig2, no_plot; /* pairs: -1 not given, 0 all, 1 cosine */
} path_cli;

/* The combinations of options: CLI_GO_ON when they are fine, else 2 after a usage error. */
static int check(const path_cli *c, ls_exp_path_opts *po) {
  if (c->fig2) {
    if (c->pt.config || c->pair.n || c->pt.params)
      return cli_usage_error("path", "--reproduce-fig2 takes only --out, --steps, --dmin, --maxeval, --out-bound, --distance, --no-plot, --json");
    return CLI_GO_ON;
  }
  if (!c->pt.config) return cli_usage_error("path", "--config FILE is required");
  if (!c->pair.n == (c->pairs < 0)) return cli_usage_error("path", "give exactly one of --pair L,M and --pairs all|cosine");
  po->pairs = c->pair.n ? LS_EXP_PATH_ONE : c->pairs == 1 ? LS_EXP_PATH_COSINE : LS_EXP_PATH_ALL;
  if (c->pair.n) po->l = c->pair.i[0], po->m = c->pair.i[1];
  return CLI_GO_ON;
}

/* argv into c and po: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, path_cli *c, ls_exp_path_opts *po) {
  cli_opt opts[] = {
      CLI_POINT_OPTS(&c->pt, 0, 0),
      CLI_INTS("pair", &c->pair, INT_MIN, INT_MAX, 2, 2, NULL, "L,M", "the two units (0-based)"),
      CLI_CHOICE("pairs", &c->pairs, "all|cosine", "all",
                 "every pair of the layer; 'cosine': the pair of highest cosine\n"
                 "similarity of incoming weights"),
      CLI_INT("steps", &po->steps, 1, 1000000, "N", "schedule length (default 200, or path.steps of the config)"),
      CLI_UNIT("dmin", &po->dmin, "X", "last distance relative to d0 (default 1e-4, or path.dmin)"),
      CLI_FLAG("lagrangian", &po->lagrangian,
               "minimise L + lambda d^2 for log-spaced lambda in [1e-3, 1e8]\n"
               "instead (Brea appendix C.1); stops once d <= dmin d0"),
      CLI_CHOICE("distance", &po->distance, "abs|rel", "abs|rel",
                 "schedule on the distance d (abs) or on the relative distance\n"
                 "d / ||(w_l + w_m)/2|| (rel), invariant under ReLU's rescaling\n"
                 "symmetry (default: rel for relu, abs otherwise)"),
      CLI_DOUBLE("out-bound", &po->out_bound, 0, DBL_MAX, 0, "K",
                 "bound the outgoing difference ||a_l - a_m|| ||c|| by K times its\n"
                 "start scale (||a_l - a_m|| + ||a_l + a_m||) ||c|| (exterior\n"
                 "penalty), so that the pair cannot become a dipole whose\n"
                 "outgoing weights grow without bound as d -> 0; 0 = none (default: 4 with\n"
                 "the relative distance, 0 otherwise)"),
      CLI_INT("maxeval", &po->maxeval, 1, 100000000, "N", "LBFGS evaluations per step (default 1000)"),
      CLI_STR_REQ("out", &po->out_dir, "DIR", "output directory (created)"),
      CLI_FLAG("no-plot", &c->no_plot, "skip the figures"),
      CLI_FLAG("json", &c->json, "summary JSON on stdout instead of the table"),
      CLI_FLAG("reproduce-fig2", &c->fig2, "Brea figure 2: the built-in 2-5-1 ReLU teacher of\n"
                                           "examples/fig2.json, all 10 pairs, 200 steps to 1e-4 d0"),
      CLI_END};
  opts[1].help = "start point (.npy/.json), or 'teacher' (default; needs a teacher\n"
                 "of the student's widths)";
  cli_spec spec = {.cmd = "path", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  po->layer = c->pt.layer, po->params = c->pt.params, po->plot = !c->no_plot, po->log = stderr;
  if (rc == CLI_GO_ON) rc = check(c, po);
  cli_opts_free(opts);
  return rc;
}

int cmd_path(int argc, char **argv) {
  path_cli c = {.pt = {NULL, NULL, 1}, .pair = {0, -1}, .pairs = -1};
  ls_exp_path_opts po;
  ls_exp_path_opts_default(&po);
  int rc = parse(argc, argv, &c, &po);
  if (rc != CLI_GO_ON) return rc;
  ls_exp_path_result r;
  ls_error err = {0};
  ls_status st;
  if (c.fig2) {
    ls_reproduce_opts ro = {NULL, po.out_dir, 0, 0, ls_ctx_default()};
    st = ls_exp_reproduce_fig2(&ro, &po, &r, &err);
  } else {
    ls_config cfg;
    st = ls_config_load(c.pt.config, &cfg, &err);
    if (!st) st = ls_exp_path_run(&cfg, &po, &r, &err), ls_config_free(&cfg);
  }
  if (st) return cli_fail("path", &err);
  st = ls_exp_path_print(stdout, &r, po.out_dir, c.json, &err);
  ls_exp_path_result_free(&r);
  return st ? cli_fail("path", &err) : 0;
}
