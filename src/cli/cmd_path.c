/* landsym path: the permutation path between a minimum and its partner through the
 * permutation point of two units (Brea et al. 2019, section 2.1, Algorithm 1, appendix
 * C.1, figure 2). docs/path.md. */
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/path_fig2.h"
#include "cli/path_plot.h"
#include "landsym/certify.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/optim.h"
#include "landsym/paths.h"

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
} path_cli;

/* Outgoing bound kappa used by default with the relative distance (docs/path.md). */
#define OUT_BOUND_DEFAULT 4.0

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
  if (!o->out) return cli_usage_error("path", "--out DIR is required");
  if (o->fig2) {
    if (o->pt.config || o->pair || o->pt.params)
      return cli_usage_error("path", "--reproduce-fig2 takes only --out, --steps, --dmin, --maxeval, --out-bound, --distance, --no-plot, --json");
    o->pairs = "all";
    return -1;
  }
  if (!o->pt.config) return cli_usage_error("path", "--config FILE is required");
  if (!o->pair == !o->pairs) return cli_usage_error("path", "give exactly one of --pair L,M and --pairs all|cosine");
  return -1;
}

typedef struct {
  int l, m;
  ls_path p;
  double seconds, mirror_end_loss, pp_grad;
  ls_inertia pp_inertia;
  int pp_done;
  ls_crit_cert cert; /* certificate of the apex (permutation point), docs/classify.md */
} pair_run;

/* d of the largest loss (0: the apex). */
static double max_at_d(const ls_path *p) { return p->argmax < p->n ? p->d[p->argmax] : 0; }
static double max_loss(const ls_path *p) {
  return p->argmax < p->n ? p->loss[p->argmax] : p->apex_loss;
}
/* The loss at d = dmin d0 matches the exact end d = 0 (the merged narrow network,
 * re-optimised) within 1e-3 relative. */
#define END_MATCH_RTOL 1e-3
static int end_matches(const ls_path *p) {
  double a = p->apex_loss, b = p->loss[p->n - 1];
  return fabs(a - b) <= END_MATCH_RTOL * fmax(fabs(a), 1e-12);
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int smooth_net(const ls_net *net) {
  for (int l = 1; l <= net->n_layers; l++)
    if (net->act[l].kind == LS_ACT_RELU) return 0;
  return 1;
}

static ls_status write_pair(const char *dir, const ls_net *net, const ls_data *data, int k,
                            pair_run *pr, ls_error *err) {
  ls_path *p = &pr->p;
  size_t P = p->P, N = ls_path_full_len(p);
  double *full = NULL, *s = NULL, *rows = NULL;
  char name[128], *f = NULL;
  ls_status st = ls_path_mirror(net, p, k, pr->l, pr->m, &full, &s, err);
  if (st) return st;
  ls_work *w = ls_work_alloc(net, data->n);
  rows = malloc(N * 7 * sizeof *rows);
  if (!w || !rows) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  size_t n = (size_t)p->n, mid = p->has_apex ? n : n - 1; /* row of the permutation point */
  for (size_t i = 0; i < N && !st; i++) {
    size_t src = i < n ? i : N - 1 - i;
    int apex = p->has_apex && i == n;
    rows[i * 7 + 0] = (double)i;
    rows[i * 7 + 1] = i <= mid ? 0 : 1;
    rows[i * 7 + 2] = s[i];
    rows[i * 7 + 3] = apex ? 0 : p->d[src];
    rows[i * 7 + 4] = apex ? 0 : p->dist[src];
    rows[i * 7 + 5] = apex ? 0 : p->lambda[src];
    rows[i * 7 + 6] = apex ? p->apex_loss : p->loss[src];
  }
  if (!st) st = ls_loss(net, data, full + (N - 1) * P, &pr->mirror_end_loss, w);
  snprintf(name, sizeof name, "path_%d_%d.csv", pr->l, pr->m);
  if (!st && (f = path_join(dir, name)))
    st = ls_csv_write(f, "index,half,s,d,distance,lambda,loss", rows, N, 7, err);
  free(f), f = NULL;
  snprintf(name, sizeof name, "path_%d_%d.npy", pr->l, pr->m);
  if (!st && (f = path_join(dir, name))) {
    size_t shape[2] = {N, P};
    st = ls_npy_write(f, full, 2, shape, err);
  }
  free(f), f = NULL;
  snprintf(name, sizeof name, "permpoint_%d_%d.npy", pr->l, pr->m);
  if (!st && (f = path_join(dir, name))) st = ls_params_write(f, full + mid * P, P, err);
  free(f), f = NULL;
  snprintf(name, sizeof name, "dmin_%d_%d.npy", pr->l, pr->m);
  if (!st && (f = path_join(dir, name))) st = ls_params_write(f, full + (n - 1) * P, P, err);
  free(f), f = NULL;
  snprintf(name, sizeof name, "partner_%d_%d.npy", pr->l, pr->m);
  if (!st && (f = path_join(dir, name))) st = ls_params_write(f, full + (N - 1) * P, P, err);
  free(f);
  ls_work_free(w);
  free(full), free(s), free(rows);
  return st;
}

static ls_status write_figures(const char *dir, const pair_run *runs, int n, int k, ls_error *err) {
  path_buf a = {0}, b = {0};
  for (int i = 0; i < n; i++) {
    const ls_path *p = &runs[i].p;
    path_buf_printf(&a, "# pair %d,%d: d/d0 d loss\n", runs[i].l, runs[i].m);
    path_buf_printf(&b, "# pair %d,%d: s/d0 loss (s = d0 - d, then d0 + d mirrored)\n", runs[i].l,
                    runs[i].m);
    for (int j = 0; j < p->n; j++)
      path_buf_printf(&a, "%.17g %.17g %.17g\n", p->d[j] / p->d0, p->d[j], p->loss[j]);
    for (int j = 0; j < p->n; j++)
      path_buf_printf(&b, "%.17g %.17g\n", 1 - p->d[j] / p->d0, p->loss[j]);
    if (p->has_apex) path_buf_printf(&b, "1 %.17g\n", p->apex_loss);
    for (int j = p->has_apex ? p->n - 1 : p->n - 2; j >= 0; j--)
      path_buf_printf(&b, "%.17g %.17g\n", 1 + p->d[j] / p->d0, p->loss[j]);
    path_buf_printf(&a, "\n\n");
    path_buf_printf(&b, "\n\n");
  }
  char body[2048], titles[1024] = "";
  size_t tl = 0;
  for (int i = 0; i < n && tl < sizeof titles - 16; i++)
    tl += (size_t)snprintf(titles + tl, sizeof titles - tl, "%s%d-%d", i ? " " : "", runs[i].l,
                           runs[i].m);
  snprintf(body, sizeof body,
           "set title \"loss along the merge of two units of layer %d (Brea et al. 2019, fig. 2)\"\n"
           "set xlabel \"distance d / d0\"\nset ylabel \"loss\"\nset logscale x\nset xrange [*:*] reverse\n"
           "set grid\nset key outside right\npairs = \"%s\"\n"
           "plot for [i=0:%d] \"paths.dat\" index i using 1:3 with lines lw 2 title \"pair \".word(pairs, i+1)",
           k, titles, n - 1);
  ls_status st = a.oom || b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) st = path_plot(dir, "paths", a.s, a.len, body, err);
  snprintf(body, sizeof body,
           "set title \"full permutation paths, layer %d: minimum -> permutation point -> partner\"\n"
           "set xlabel \"path coordinate s / d0 (1 = permutation point)\"\nset ylabel \"loss\"\n"
           "set grid\nset key outside right\npairs = \"%s\"\n"
           "plot for [i=0:%d] \"paths_full.dat\" index i using 1:2 with lines lw 2 title \"pair \".word(pairs, i+1)",
           k, titles, n - 1);
  if (!st) st = path_plot(dir, "paths_full", b.s, b.len, body, err);
  path_buf_free(&a), path_buf_free(&b);
  return st;
}

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

static ls_status start_point(const ls_config *cfg, const char *params, double **theta,
                             ls_error *err) {
  const ls_net *s = &cfg->student;
  if (params && strcmp(params, "teacher")) return ls_params_read_net(params, s, theta, err);
  if (!cfg->has_teacher || ls_net_nparams(&cfg->teacher) != ls_net_nparams(s) ||
      memcmp(cfg->teacher.width, s->width, sizeof s->width))
    return ls_error_set(err, LS_ERR_INPUT,
                        "--params teacher needs a teacher of the student's widths: give --params FILE");
  size_t P = ls_net_nparams(s);
  *theta = malloc(P * sizeof **theta);
  if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  memcpy(*theta, cfg->teacher_params, P * sizeof **theta);
  return LS_OK;
}

static int run_path(const path_cli *o, ls_config *cfg) {
  ls_error err = {0};
  const ls_net *net = &cfg->student;
  const ls_data *data = &cfg->data;
  int k = (int)o->pt.layer;
  double *theta = NULL;
  pair_run *runs = NULL;
  int nruns = 0;
  ls_path_opts po;
  ls_path_opts_default(&po);
  json_t *sec = ls_config_section(cfg, "path");
  static const char *const keys[] = {"steps", "dmin", "maxeval", "comment", NULL};
  ls_status st = LS_OK;
  long steps = 200, maxeval = 1000;
  double dmin = 1e-4;
  if (sec) {
    st = ls_config_check_keys(cfg, sec, "path", keys, &err);
    if (!st) st = ls_config_get_int(cfg, sec, "path", "steps", 1, 1000000, 200, &steps, &err);
    if (!st) st = ls_config_get_double(cfg, sec, "path", "dmin", 1e-4, &dmin, &err);
    if (!st) st = ls_config_get_int(cfg, sec, "path", "maxeval", 1, 100000000, 1000, &maxeval, &err);
    if (!st && !(dmin > 0 && dmin < 1))
      st = ls_error_set(&err, LS_ERR_INPUT, "%s: path.dmin must be in (0, 1) (got %g)", cfg->path, dmin);
  }
  po.steps = (int)(o->steps > 0 ? o->steps : steps);
  po.dmin_rel = o->dmin > 0 ? o->dmin : dmin;
  po.maxeval = (int)(o->maxeval > 0 ? o->maxeval : maxeval);
  po.method = o->lagrangian ? LS_PATH_LAGRANGIAN : LS_PATH_CONSTRAINED;
  po.layer = k;
  if (!st && (k >= net->n_layers))
    st = ls_error_set(&err, LS_ERR_INPUT, "--layer %d: the student has hidden layers 1..%d", k,
                      net->n_layers - 1);
  if (!st) st = start_point(cfg, o->pt.params, &theta, &err);
  if (!st) st = path_mkdir(o->out, &err);
  int w = st ? 0 : net->width[k];
  if (!st) {
    runs = calloc((size_t)(w * (w - 1) / 2 + 1), sizeof *runs);
    if (!runs) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
  }
  if (!st && o->pair) {
    if (parse_pair(o->pair, &runs[0].l, &runs[0].m) || runs[0].l < 0 || runs[0].m < 0 ||
        runs[0].l >= w || runs[0].m >= w || runs[0].l == runs[0].m)
      st = ls_error_set(&err, LS_ERR_INPUT, "--pair must be two distinct units of layer %d (0..%d), got '%s'",
                        k, w - 1, o->pair);
    nruns = 1;
  } else if (!st && !strcmp(o->pairs, "cosine")) {
    st = ls_path_pick_pair(net, theta, k, 1, &runs[0].l, &runs[0].m, &err);
    nruns = 1;
  } else if (!st) {
    for (int l = 0; l < w; l++)
      for (int m = l + 1; m < w; m++) runs[nruns].l = l, runs[nruns].m = m, nruns++;
  }
  int smooth = smooth_net(net);
  po.relative = o->distance >= 0 ? o->distance : net->act[k].kind == LS_ACT_RELU;
  po.out_bound = o->out_bound >= 0 ? o->out_bound : po.relative ? OUT_BOUND_DEFAULT : 0;
  for (int i = 0; i < nruns && !st; i++) {
    pair_run *r = &runs[i];
    po.l = r->l, po.m = r->m;
    double t0 = wall_now();
    st = ls_path_build(net, data, theta, &po, &r->p, &err);
    r->seconds = wall_now() - t0;
    if (st) {
      ls_error_prefix(&err, "pair %d,%d", r->l, r->m);
      break;
    }
    const double *end = r->p.params + (size_t)(r->p.n - 1) * r->p.P;
    /* the permutation point is a critical point only with a certificate (certify.h) */
    if (r->p.has_apex && (st = ls_cert_critical(net, data, r->p.apex, NULL, &r->cert, &err)))
      break;
    if (smooth) {
      double *pp = malloc(r->p.P * sizeof *pp);
      if (!pp) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
      else if (ls_path_permutation_point(net, data, end, k, r->l, r->m, 1e-10, pp, &r->pp_grad,
                                         &r->pp_inertia, &err) == LS_OK) {
        char name[96];
        snprintf(name, sizeof name, "permpoint_certified_%d_%d.npy", r->l, r->m);
        char *f = path_join(o->out, name);
        st = f ? ls_params_write(f, pp, r->p.P, &err) : ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
        free(f);
        r->pp_done = 1;
      }
      free(pp);
    }
    if (!st) st = write_pair(o->out, net, data, k, r, &err);
    fprintf(stderr,
            "landsym path: pair %d,%d: d0 %.4g, loss at dmin %.8g, at d = 0 %.8g, barrier %.6g at "
            "d = %.3g, %zu evaluations, %.2f s\n",
            r->l, r->m, r->p.d0, r->p.loss[r->p.n - 1], r->p.apex_loss, r->p.barrier,
            max_at_d(&r->p), r->p.evals, r->seconds);
  }
  if (!st && !o->no_plot) st = write_figures(o->out, runs, nruns, k, &err);
  json_t *j = NULL;
  if (!st) {
    j = json_object();
    json_t *arr = json_array();
    int best = 0;
    double total = 0;
    for (int i = 0; i < nruns; i++) {
      pair_run *r = &runs[i];
      ls_path *p = &r->p;
      if (p->barrier < runs[best].p.barrier) best = i;
      total += r->seconds;
      json_t *e = json_object();
      json_object_set_new(e, "pair", json_pack("[i,i]", r->l, r->m));
      json_object_set_new(e, "d0", json_real(p->d0));
      json_object_set_new(e, "d_end", json_real(p->d[p->n - 1]));
      json_object_set_new(e, "points", json_integer(p->n));
      json_object_set_new(e, "loss_start", json_real(p->loss[0]));
      json_object_set_new(e, "loss_d_min", json_real(p->loss[p->n - 1]));
      json_object_set_new(e, "loss_permutation_point", json_real(p->apex_loss));
      json_object_set_new(e, "end_matches_merge", json_boolean(end_matches(p)));
      json_object_set_new(e, "merge_rel_diff", json_real(fabs(p->loss[p->n - 1] - p->apex_loss) /
                                                         fmax(fabs(p->apex_loss), 1e-12)));
      json_object_set_new(e, "merged_reoptimised_loss", json_real(p->apex_loss));
      json_object_set_new(e, "end_refined", json_boolean(p->end_refined));
      json_object_set_new(e, "merge_move", json_real(p->apex_move));
      json_object_set_new(e, "merged_grad_inf", json_real(p->apex_grad));
      json_object_set_new(e, "barrier", json_real(p->barrier));
      json_object_set_new(e, "max_loss", json_real(max_loss(p)));
      json_object_set_new(e, "max_at_d", json_real(max_at_d(p)));
      json_object_set_new(e, "max_at_permutation_point", json_boolean(p->max_at_end));
      json_object_set_new(e, "out_bound", json_real(p->out_bound));
      json_object_set_new(e, "out_diff_end", json_real(p->beta_end));
      json_object_set_new(e, "dipole_share",
                          json_real(ls_path_dipole(net, p->params + (size_t)(p->n - 1) * p->P, k,
                                                   r->l, r->m)));
      json_object_set_new(e, "partner_loss", json_real(r->mirror_end_loss));
      json_object_set_new(e, "evaluations", json_integer((json_int_t)p->evals));
      json_object_set_new(e, "seconds", json_real(r->seconds));
      if (p->has_apex) {
        json_object_set_new(e, "apex_certificate", json_string(ls_cert_kind_name(r->cert.kind)));
        json_object_set_new(e, "apex_certified_grad_inf", json_real(r->cert.grad_inf));
        json_object_set_new(e, "apex_certified_bound", json_real(r->cert.bound));
        json_object_set_new(e, "apex_certified_loss", json_real(r->cert.loss));
        json_object_set_new(e, "apex_certified_dist", json_real(r->cert.dist));
        if (r->cert.kind == LS_CERT_NONE)
          json_object_set_new(e, "apex_certificate_reason", json_string(r->cert.reason));
      }
      if (r->pp_done) {
        json_object_set_new(e, "permutation_point_grad_inf", json_real(r->pp_grad));
        json_object_set_new(e, "permutation_point_inertia",
                            json_pack("{s:i,s:i,s:i}", "neg", r->pp_inertia.neg, "zero",
                                      r->pp_inertia.zero, "pos", r->pp_inertia.pos));
      }
      json_array_append_new(arr, e);
    }
    json_object_set_new(j, "config", json_string(cfg->path));
    json_object_set_new(j, "layer", json_integer(k));
    json_object_set_new(j, "method", json_string(o->lagrangian ? "lagrangian" : "constrained"));
    json_object_set_new(j, "distance", json_string(po.relative ? "relative" : "absolute"));
    json_object_set_new(j, "steps", json_integer(po.steps));
    json_object_set_new(j, "dmin", json_real(po.dmin_rel));
    json_object_set_new(j, "pairs", arr);
    json_object_set_new(j, "lowest_barrier_pair", json_pack("[i,i]", runs[best].l, runs[best].m));
    json_object_set_new(j, "lowest_barrier", json_real(runs[best].p.barrier));
    json_object_set_new(j, "seconds", json_real(total));
    char *sp = path_join(o->out, "summary.json");
    char *txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    if (!sp || !txt) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    else st = ls_file_write_atomic(sp, txt, strlen(txt), &err);
    if (!st && o->json) printf("%s\n", txt);
    free(sp), free(txt);
    if (!st && !o->json) {
      printf("pair   d0        d_end/d0  loss(dmin)     loss(d=0)      match  move      barrier      "
             "max at d    out_diff  dipole    seconds\n");
      for (int i = 0; i < nruns; i++) {
        ls_path *p = &runs[i].p;
        printf("%d,%d    %-9.4g %-9.3g %-14.8g %-14.8g %-6s %-9.2g %-12.6g %-11.3g %-9.3g %-9.2g %.2f\n",
               runs[i].l, runs[i].m, p->d0, p->d[p->n - 1] / p->d0, p->loss[p->n - 1],
               p->apex_loss, end_matches(p) ? "yes" : "no", p->apex_move, p->barrier,
               max_at_d(p), p->beta_end,
               ls_path_dipole(net, p->params + (size_t)(p->n - 1) * p->P, k, runs[i].l, runs[i].m),
               runs[i].seconds);
        if (p->has_apex)
          printf("       permutation point certificate: %s, |grad|_inf %.2e (rounding bound %.2e), "
                 "%.2e from the apex%s%s\n", ls_cert_kind_name(runs[i].cert.kind),
                 runs[i].cert.grad_inf, runs[i].cert.bound, runs[i].cert.dist,
                 runs[i].cert.kind == LS_CERT_NONE ? ": " : "", runs[i].cert.reason);
        if (runs[i].pp_done)
          printf("       permutation point: |grad|_inf %.2e, Hessian inertia (neg %d, zero %d, pos %d)\n",
                 runs[i].pp_grad, runs[i].pp_inertia.neg, runs[i].pp_inertia.zero,
                 runs[i].pp_inertia.pos);
      }
      printf("lowest barrier: pair %d,%d, %.8g; total %.2f s; files in %s\n", runs[best].l,
             runs[best].m, runs[best].p.barrier, total, o->out);
    }
  }
  json_decref(j);
  for (int i = 0; i < nruns; i++) ls_path_free(&runs[i].p), ls_crit_cert_free(&runs[i].cert);
  free(runs), free(theta);
  return st ? cli_fail("path", &err) : 0;
}

int cmd_path(int argc, char **argv) {
  path_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (o.fig2) {
    json_error_t je;
    json_t *root = json_loads(ls_fig2_config_json, 0, &je);
    if (!root) return ls_error_set(&err, LS_ERR_INPUT, "fig2 config: %s", je.text), cli_fail("path", &err);
    ls_status st = ls_config_load_json(root, "fig2 (examples/fig2.json)", ".", &cfg, &err);
    json_decref(root);
    if (st) return cli_fail("path", &err);
  } else if (ls_config_load(o.pt.config, &cfg, &err))
    return cli_fail("path", &err);
  rc = run_path(&o, &cfg);
  ls_config_free(&cfg);
  return rc;
}
