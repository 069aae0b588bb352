/* landsym path: the permutation path between a minimum and its partner through the
 * permutation point of two units (Brea et al. 2019, section 2.1, Algorithm 1, appendix
 * C.1, figure 2). docs/path.md. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/path_fig2.h"
#include "landsym/exp_path.h"
#include "landsym/out.h"

static void path_usage(FILE *out) {
  fprintf(out,
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
          "counts in the barrier.\n\n"
          "  --config FILE     experiment config (JSON) or builtin:NAME\n"
          "  --params P        start point (.npy/.json), or 'teacher' (default; needs a teacher\n"
          "                    of the student's widths)\n"
          "  --layer K         hidden layer (default 1)\n"
          "  --pair L,M        the two units (0-based)\n"
          "  --pairs all       every pair of the layer; 'cosine': the pair of highest cosine\n"
          "                    similarity of incoming weights\n"
          "  --steps N         schedule length (default 200, or path.steps of the config)\n"
          "  --dmin X          last distance relative to d0 (default 1e-4, or path.dmin)\n"
          "  --lagrangian      minimise L + lambda d^2 for log-spaced lambda in [1e-3, 1e8]\n"
          "                    instead (Brea appendix C.1); stops once d <= dmin d0\n"
          "  --distance abs|rel  schedule on the distance d (abs) or on the relative distance\n"
          "                    d / ||(w_l + w_m)/2|| (rel), invariant under ReLU's rescaling\n"
          "                    symmetry (default: rel for relu, abs otherwise)\n"
          "  --out-bound K     bound the outgoing difference ||a_l - a_m|| ||c|| by K times its\n"
          "                    start scale (||a_l - a_m|| + ||a_l + a_m||) ||c|| (exterior\n"
          "                    penalty), so that the pair cannot become a dipole whose\n"
          "                    outgoing weights grow without bound as d -> 0; 0 = none (default: 4 with\n"
          "                    the relative distance, 0 otherwise)\n"
          "  --maxeval N       LBFGS evaluations per step (default 1000)\n"
          "  --out DIR         output directory (created)\n"
          "  --no-plot         skip the figures\n"
          "  --json            summary JSON on stdout instead of the table\n"
          "  --reproduce-fig2  Brea figure 2: the built-in 2-5-1 ReLU teacher of\n"
          "                    examples/fig2.json, all 10 pairs, 200 steps to 1e-4 d0\n"
          "  --help            this text\n");
}

typedef struct {
  cli_point pt;
  const char *pair, *pairs, *out;
  long steps, maxeval;
  double dmin;
  int lagrangian, no_plot, json, fig2, distance; /* distance: -1 auto, 0 abs, 1 rel */
  double out_bound;                              /* -1: auto */
  int l, m;                                      /* --pair */
} path_cli;

static int parse_pair(const char *s, int *l, int *m) {
  char *e;
  long a = strtol(s, &e, 10);
  if (e == s || *e != ',') return -1;
  const char *t = e + 1;
  long b = strtol(t, &e, 10);
  if (e == t || *e) return -1;
  *l = (int)a, *m = (int)b;
  return 0;
}

/* The combinations of options: -1 when they are fine, else the exit code. */
static int check(path_cli *o) {
  if (!o->out) return cli_usage_error("path", "--out DIR is required");
  if (o->fig2) {
    if (o->pt.config || o->pair || o->pt.params)
      return cli_usage_error("path", "--reproduce-fig2 takes only --out, --steps, --dmin, --maxeval, --out-bound, --distance, --no-plot, --json");
    o->pairs = "all";
    return -1;
  }
  if (!o->pt.config) return cli_usage_error("path", "--config FILE is required");
  if (!o->pair == !o->pairs) return cli_usage_error("path", "give exactly one of --pair L,M and --pairs all|cosine");
  if (o->pair && parse_pair(o->pair, &o->l, &o->m))
    return cli_usage_error("path", "--pair must be two distinct units L,M, got '%s'", o->pair);
  return -1;
}

static int parse(int argc, char **argv, path_cli *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"layer", required_argument, 0, 'l'},  {"pair", required_argument, 0, 'P'},
      {"pairs", required_argument, 0, 'A'},  {"steps", required_argument, 0, 's'},
      {"dmin", required_argument, 0, 'd'},   {"lagrangian", no_argument, 0, 'L'},
      {"maxeval", required_argument, 0, 'e'}, {"out", required_argument, 0, 'o'},
      {"no-plot", no_argument, 0, 'N'},      {"json", no_argument, 0, 'j'},
      {"reproduce-fig2", no_argument, 0, 'F'}, {"distance", required_argument, 0, 'D'},
      {"out-bound", required_argument, 0, 'B'}, {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->pt.layer = 1, o->steps = -1, o->dmin = -1, o->maxeval = -1, o->distance = -1, o->out_bound = -1;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("path", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'P': o->pair = optarg; break;
      case 'A':
        if (strcmp(optarg, "all") && strcmp(optarg, "cosine"))
          return cli_usage_error("path", "--pairs takes 'all' or 'cosine', got '%s'", optarg);
        o->pairs = optarg;
        break;
      case 's':
        if (cli_opt_long("path", "steps", optarg, 1, 1000000, &o->steps)) return 2;
        break;
      case 'd':
        if (cli_parse_double(optarg, &o->dmin) || !(o->dmin > 0 && o->dmin < 1))
          return cli_usage_error("path", "--dmin needs a number in (0, 1), got '%s'", optarg);
        break;
      case 'L': o->lagrangian = 1; break;
      case 'e':
        if (cli_opt_long("path", "maxeval", optarg, 1, 100000000, &o->maxeval)) return 2;
        break;
      case 'o': o->out = optarg; break;
      case 'N': o->no_plot = 1; break;
      case 'j': o->json = 1; break;
      case 'F': o->fig2 = 1; break;
      case 'D':
        if (strcmp(optarg, "abs") && strcmp(optarg, "rel"))
          return cli_usage_error("path", "--distance takes 'abs' or 'rel', got '%s'", optarg);
        o->distance = !strcmp(optarg, "rel");
        break;
      case 'B':
        if (cli_parse_double(optarg, &o->out_bound) || !(o->out_bound >= 0) || !isfinite(o->out_bound))
          return cli_usage_error("path", "--out-bound needs a number >= 0, got '%s'", optarg);
        break;
      case 'h': path_usage(stdout); return 0;
      default: return cli_usage_error("path", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("path", "unexpected argument '%s'", argv[optind]);
  return check(o);
}

/* The library's options from the command line (0 and -1: the config's or the default). */
static void to_opts(const path_cli *o, ls_exp_path_opts *po) {
  ls_exp_path_opts_default(po);
  po->steps = o->steps > 0 ? (int)o->steps : 0;
  po->dmin = o->dmin > 0 ? o->dmin : 0;
  po->maxeval = o->maxeval > 0 ? (int)o->maxeval : 0;
  po->lagrangian = o->lagrangian;
  po->layer = (int)o->pt.layer;
  po->params = o->pt.params;
  po->pairs = o->pair ? LS_EXP_PATH_ONE : o->pairs && !strcmp(o->pairs, "cosine") ? LS_EXP_PATH_COSINE
                                                                                 : LS_EXP_PATH_ALL;
  po->l = o->l, po->m = o->m;
  po->distance = o->distance, po->out_bound = o->out_bound;
  po->out_dir = o->out;
  po->plot = !o->no_plot;
  po->log = stderr;
}

static void print_pair(const ls_exp_path_pair *q) {
  const ls_path *p = &q->p;
  printf("%d,%d    %-9.4g %-9.3g %-14.8g %-14.8g %-6s %-9.2g %-12.6g %-11.3g %-9.3g %-9.2g %.2f\n",
         q->l, q->m, p->d0, p->d[p->n - 1] / p->d0, p->loss[p->n - 1], p->apex_loss,
         ls_exp_path_end_matches(p) ? "yes" : "no", p->apex_move, p->barrier,
         ls_exp_path_max_at_d(p), p->beta_end, q->dipole, q->seconds);
  if (p->has_apex)
    printf("       permutation point certificate: %s, |grad|_inf %.2e (rounding bound %.2e), "
           "%.2e from the apex%s%s\n", ls_cert_kind_name(q->cert.kind), q->cert.grad_inf,
           q->cert.bound, q->cert.dist, q->cert.kind == LS_CERT_NONE ? ": " : "", q->cert.reason);
  if (q->pp_done)
    printf("       permutation point: |grad|_inf %.2e, Hessian inertia (neg %d, zero %d, pos %d)\n",
           q->pp_grad, q->pp_inertia.neg, q->pp_inertia.zero, q->pp_inertia.pos);
}

int cli_path_print(const ls_exp_path_result *r, const char *out, int json) {
  ls_error err = {0};
  if (json) return ls_json_print(r->summary, stdout, &err) ? cli_fail("path", &err) : 0;
  printf("pair   d0        d_end/d0  loss(dmin)     loss(d=0)      match  move      barrier      "
         "max at d    out_diff  dipole    seconds\n");
  for (int i = 0; i < r->n; i++) print_pair(&r->pairs[i]);
  const ls_exp_path_pair *b = &r->pairs[r->best];
  printf("lowest barrier: pair %d,%d, %.8g; total %.2f s; files in %s\n", b->l, b->m,
         b->p.barrier, r->seconds, out);
  return 0;
}

int cmd_path(int argc, char **argv) {
  path_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_exp_path_opts po;
  to_opts(&o, &po);
  ls_exp_path_result r;
  ls_error err = {0};
  ls_status st;
  if (o.fig2) {
    ls_reproduce_opts ro = {NULL, o.out, 0, 0, ls_ctx_default()};
    st = ls_exp_reproduce_fig2(&ro, &po, &r, &err);
  } else {
    ls_config cfg;
    st = ls_config_load(o.pt.config, &cfg, &err);
    if (!st) st = ls_exp_path_run(&cfg, &po, &r, &err), ls_config_free(&cfg);
  }
  if (st) return cli_fail("path", &err);
  rc = cli_path_print(&r, o.out, o.json);
  ls_exp_path_result_free(&r);
  return rc;
}
