/* landsym saddle: from a converged run to its nearest symmetry-induced saddle line
 * (thesis, Stoican 2022, sections 6.2.4-6.2.5 and 6.3.2): escape checks, penalty merge of
 * the two closest units, reduction, Newton re-optimisation, duplication back into the
 * saddle line, spectra, the split test and loss slices. docs/saddle.md. */
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/path_plot.h"
#include "landsym/certify.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/rng.h"
#include "landsym/paths.h"
#include "landsym/sym.h"

static void saddle_usage(FILE *out) {
  fprintf(out,
          "usage: landsym saddle --config FILE --params P.npy --out DIR [--layer K] [--mu X]\n"
          "                      [--escape] [--escape-only] [--slice-n N] [--no-plot] [--json]\n\n"
          "Nearest symmetry-induced saddle line of a converged point (thesis section 6.3.2):\n"
          "the two closest units of layer K are merged with a growing penalty\n"
          "lambda ||w_l - w_m||^2, the network is reduced by one unit, brought to a critical\n"
          "point by Newton's method, and duplicated back into the line of critical points\n"
          "theta(mu) (unit l gets mu a, unit m (1 - mu) a), at the split nearest to the start.\n"
          "Reports the distance start -> saddle, Hessian spectra, the split test's predicted\n"
          "inertia and whether the start is a degenerate local minimum near the saddle; draws\n"
          "1D and 2D loss slices. Needs a twice-differentiable activation.\n\n"
          "  --config FILE   experiment config (JSON) or builtin:NAME\n"
          "  --params P      the converged point (.npy/.json) of the student network\n"
          "  --layer K       hidden layer (default 1)\n"
          "  --mu X          split on the saddle line (default: nearest to the start)\n"
          "  --escape        also run the escape checks at the start (thesis Algorithms 1, 2):\n"
          "                  loss along +/- the eigenvectors of negative and near-zero\n"
          "                  eigenvalues, then a bounded BFS across the flat surface\n"
          "  --escape-only   only the escape checks\n"
          "  --slice-n N     grid points per axis of the slices (default 41)\n"
          "  --perturb N     perturb the saddle point N times (Gaussian, std --sigma) and\n"
          "                  retrain each (Adam then Newton/NLopt polish; thesis 6.3.2)\n"
          "  --sigma S       std of the perturbation (default 0.01)\n"
          "  --seed N        seed of the perturbations (default 0)\n"
          "  --out DIR       output directory (created)\n"
          "  --no-plot       skip the figures\n"
          "  --json          summary JSON on stdout\n"
          "  --help          this text\n");
}

typedef struct {
  cli_point pt;
  const char *out;
  long slice_n, perturb, seed;
  double mu, sigma;
  int escape, escape_only, no_plot, json;
} saddle_cli;

static int parse(int argc, char **argv, saddle_cli *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"layer", required_argument, 0, 'l'},  {"mu", required_argument, 0, 'u'},
      {"escape", no_argument, 0, 'E'},       {"escape-only", no_argument, 0, 'O'},
      {"slice-n", required_argument, 0, 'n'}, {"out", required_argument, 0, 'o'},
      {"no-plot", no_argument, 0, 'N'},      {"json", no_argument, 0, 'j'},
      {"perturb", required_argument, 0, 'P'}, {"sigma", required_argument, 0, 'S'},
      {"seed", required_argument, 0, 's'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->pt.layer = 1, o->mu = -1, o->slice_n = 41, o->sigma = 0.01;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("saddle", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'u':
        if (cli_parse_double(optarg, &o->mu) || !isfinite(o->mu))
          return cli_usage_error("saddle", "--mu needs a finite number, got '%s'", optarg);
        break;
      case 'E': o->escape = 1; break;
      case 'O': o->escape = o->escape_only = 1; break;
      case 'n':
        if (cli_opt_long("saddle", "slice-n", optarg, 3, 1001, &o->slice_n)) return 2;
        break;
      case 'P':
        if (cli_opt_long("saddle", "perturb", optarg, 0, 10000, &o->perturb)) return 2;
        break;
      case 'S':
        if (cli_parse_double(optarg, &o->sigma) || !(o->sigma > 0) || !isfinite(o->sigma))
          return cli_usage_error("saddle", "--sigma needs a positive number, got '%s'", optarg);
        break;
      case 's':
        if (cli_opt_long("saddle", "seed", optarg, 0, LONG_MAX, &o->seed)) return 2;
        break;
      case 'o': o->out = optarg; break;
      case 'N': o->no_plot = 1; break;
      case 'j': o->json = 1; break;
      case 'h': saddle_usage(stdout); return 0;
      default: return cli_usage_error("saddle", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("saddle", "unexpected argument '%s'", argv[optind]);
  if (!o->pt.config) return cli_usage_error("saddle", "--config FILE is required");
  if (!o->pt.params) return cli_usage_error("saddle", "--params P.npy is required");
  if (!o->out) return cli_usage_error("saddle", "--out DIR is required");
  return -1;
}

static json_t *inertia_json(ls_inertia i) {
  return json_pack("{s:i,s:i,s:i}", "neg", i.neg, "zero", i.zero, "pos", i.pos);
}

static ls_status write_eigs(const char *dir, const char *name, const double *e, size_t n,
                            ls_error *err) {
  char *f = path_join(dir, name);
  if (!f) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = ls_csv_write(f, "eigenvalue", e, n, 1, err);
  free(f);
  return st;
}

/* 1D slice start (t = 0) -> saddle (t = 1), and a 2D slice around the saddle in the plane of
 * (start - saddle) and the eigenvector of the smallest Hessian eigenvalue at the saddle
 * (thesis figures 6.10, 6.11); log colour scale. */
static ls_status slices(const char *dir, const ls_net *net, const ls_data *d, const double *start,
                        const ls_saddle_result *r, int n, int plot, ls_error *err) {
  size_t P = r->P;
  int n1 = 4 * n;
  double *t = malloc((size_t)n1 * sizeof *t), *L = malloc((size_t)n1 * sizeof *L);
  double *L2 = malloc((size_t)n * n * sizeof *L2), *e1 = malloc(P * sizeof *e1);
  double *H = malloc(P * P * sizeof *H), *ev = malloc(P * P * sizeof *ev), *w = malloc(P * sizeof *w);
  path_buf a = {0}, b = {0};
  ls_status st = (!t || !L || !L2 || !e1 || !H || !ev || !w) ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) st = ls_slice_1d(net, d, r->saddle, start, -0.5, 1.5, n1, t, L, err);
  double dist = r->distance > 0 ? r->distance : 1;
  for (size_t i = 0; i < P && !st; i++) e1[i] = (start[i] - r->saddle[i]) / dist;
  ls_work *wk = st ? NULL : ls_work_alloc(net, d->n);
  if (!st && (!wk || ls_hessian(net, d, r->saddle, H, wk))) st = ls_error_set(err, LS_ERR_COMPUTE, "Hessian failed");
  ls_work_free(wk);
  if (!st) st = ls_eig_sym(P, H, w, ev, err);
  double *e2 = H; /* reuse: smallest eigenvector, orthogonalised against e1 */
  if (!st) {
    double dot = 0, nn = 0;
    for (size_t i = 0; i < P; i++) e2[i] = ev[i * P], dot += e2[i] * e1[i];
    for (size_t i = 0; i < P; i++) e2[i] -= dot * e1[i], nn += e2[i] * e2[i];
    nn = sqrt(nn);
    for (size_t i = 0; i < P; i++) e2[i] = nn > 0 ? e2[i] / nn : 0;
    st = ls_slice_2d(net, d, r->saddle, e1, e2, 1.5 * dist, 1.5 * dist, n, L2, err);
  }
  if (!st) {
    char *f = path_join(dir, "slice1d.csv");
    double *rows = malloc((size_t)n1 * 2 * sizeof *rows);
    if (!f || !rows) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n1 && !st; i++) rows[2 * i] = t[i], rows[2 * i + 1] = L[i];
    if (!st) st = ls_csv_write(f, "t,loss", rows, (size_t)n1, 2, err);
    free(f), free(rows);
  }
  if (!st && plot) {
    path_buf_printf(&a, "# t loss   (t = 0 saddle, t = 1 start)\n");
    for (int i = 0; i < n1; i++) path_buf_printf(&a, "%.17g %.17g\n", t[i], L[i]);
    char body[1024];
    snprintf(body, sizeof body,
             "set title \"loss from the saddle line (t = 0) to the start (t = 1), distance %.3g\"\n"
             "set xlabel \"t\"\nset ylabel \"loss\"\nset grid\nset key off\nset format y \"%%.3e\"\n"
             "set arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n"
             "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2\n"
             "plot \"slice1d.dat\" using 1:2 with lines lw 2",
             r->distance);
    st = a.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : path_plot(dir, "slice1d", a.s, a.len, body, err);
    double lmin = L2[0];
    for (int i = 0; i < n * n; i++) lmin = fmin(lmin, L2[i]);
    path_buf_printf(&b, "# s u loss  (s along start - saddle in units of the distance, u along the\n"
                        "# smallest Hessian eigenvector at the saddle; saddle at 0,0, start at 1,0)\n");
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++)
        path_buf_printf(&b, "%.17g %.17g %.17g\n", -1.5 + 3.0 * i / (n - 1), -1.5 + 3.0 * j / (n - 1),
                        L2[(size_t)i * n + j]);
      path_buf_printf(&b, "\n");
    }
    snprintf(body, sizeof body,
             "set title \"loss around the saddle (0,0) and the start (1,0)\"\n"
             "set xlabel \"along start - saddle (units of the distance)\"\n"
             "set ylabel \"along the smallest eigenvector\"\nset view map\nset logscale cb\n"
             "set cblabel \"loss\"\nset palette rgbformulae 33,13,10\nset size ratio -1\n"
             "set label 1 \"S\" at 0,0 front tc rgb \"white\"\nset label 2 \"start\" at 1,0 front tc rgb \"white\"\n"
             "splot \"slice2d.dat\" using 1:2:3 with pm3d notitle");
    if (!st) st = b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : path_plot(dir, "slice2d", b.s, b.len, body, err);
    (void)lmin;
  }
  path_buf_free(&a), path_buf_free(&b);
  free(t), free(L), free(L2), free(e1), free(H), free(ev), free(w);
  return st;
}

/* Thesis 6.3.2: the gradient vanishes on the saddle line, so perturb off it (Gaussian,
 * std sigma) and retrain; rows: trial, final loss, gradient inf-norm, distance to the
 * saddle point, distance to the start. */
static ls_status retrain(const ls_net *net, const ls_data *d, const double *saddle,
                         const double *start, int n, double sigma, uint64_t seed, double *rows,
                         ls_error *err) {
  size_t P = ls_net_nparams(net);
  double *x = malloc(P * sizeof *x);
  if (!x) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_rng rng;
  ls_rng_seed(&rng, seed);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.traj_per_decade = 0;
  to.first_maxiter = 20000;
  ls_status st = LS_OK;
  for (int t = 0; t < n && !st; t++) {
    for (size_t i = 0; i < P; i++) x[i] = saddle[i] + sigma * ls_rng_normal(&rng);
    ls_train_result r = {0};
    st = ls_train(net, d, x, &to, &r, err);
    double ds = 0, d0 = 0;
    for (size_t i = 0; i < P; i++)
      ds += (x[i] - saddle[i]) * (x[i] - saddle[i]), d0 += (x[i] - start[i]) * (x[i] - start[i]);
    rows[t * 5 + 0] = t, rows[t * 5 + 1] = r.loss, rows[t * 5 + 2] = r.grad_norm;
    rows[t * 5 + 3] = sqrt(ds), rows[t * 5 + 4] = sqrt(d0);
    ls_train_result_free(&r);
    fprintf(stderr, "landsym saddle: retrain %d/%d: loss %.10g\n", t + 1, n, rows[t * 5 + 1]);
  }
  free(x);
  return st;
}

int cmd_saddle(int argc, char **argv) {
  saddle_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("saddle", &err);
  const ls_net *net = &cfg.student;
  double *theta = NULL, *eig0 = NULL, *rt = NULL;
  ls_saddle_result sr = {0};
  ls_escape_result er = {0};
  int have_sr = 0, have_er = 0;
  ls_crit_cert sc; /* certificate of the saddle-line point (docs/classify.md) */
  memset(&sc, 0, sizeof sc);
  ls_status st = LS_OK;
  if (o.pt.layer >= net->n_layers)
    st = ls_error_set(&err, LS_ERR_INPUT, "--layer %ld: the student has hidden layers 1..%d", o.pt.layer,
                      net->n_layers - 1);
  for (int l = 1; l <= net->n_layers && !st; l++)
    if (net->act[l].kind == LS_ACT_RELU)
      st = ls_error_set(&err, LS_ERR_INPUT, "the saddle pipeline needs the Hessian: ReLU (layer %d) is not twice differentiable", l);
  if (!st) st = ls_params_read_net(o.pt.params, net, &theta, &err);
  if (!st) st = path_mkdir(o.out, &err);
  size_t P = ls_net_nparams(net);
  if (!st && o.escape) {
    st = ls_escape_check(net, &cfg.data, theta, NULL, &er, &err);
    have_er = !st;
  }
  if (!st && !o.escape_only) {
    ls_saddle_opts so;
    ls_saddle_opts_default(&so);
    so.layer = (int)o.pt.layer, so.mu = o.mu;
    st = ls_saddle_find(net, &cfg.data, theta, &so, &sr, &err);
    have_sr = !st;
    if (!st) st = ls_cert_critical(net, &cfg.data, sr.saddle, NULL, &sc, &err);
    eig0 = malloc(P * sizeof *eig0);
    if (!st && !eig0) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    if (!st) st = ls_sym_hessian_eigs(net, &cfg.data, theta, eig0, &err);
    char *f = NULL;
    if (!st && (f = path_join(o.out, "saddle.npy"))) st = ls_params_write(f, sr.saddle, P, &err);
    free(f), f = NULL;
    if (!st && (f = path_join(o.out, "reduced.npy")))
      st = ls_params_write(f, sr.reduced, ls_net_nparams(&sr.reduced_net), &err);
    free(f);
    if (!st) st = write_eigs(o.out, "spectrum_saddle.csv", sr.eig_saddle, P, &err);
    if (!st) st = write_eigs(o.out, "spectrum_start.csv", eig0, P, &err);
    if (!st) st = slices(o.out, net, &cfg.data, theta, &sr, (int)o.slice_n, !o.no_plot, &err);
    if (!st && o.perturb > 0) {
      rt = malloc((size_t)o.perturb * 5 * sizeof *rt);
      if (!rt) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
      if (!st) st = retrain(net, &cfg.data, sr.saddle, theta, (int)o.perturb, o.sigma,
                            (uint64_t)o.seed, rt, &err);
      char *f = st ? NULL : path_join(o.out, "retrain.csv");
      if (!st && f)
        st = ls_csv_write(f, "trial,loss,grad_inf,dist_saddle,dist_start", rt, (size_t)o.perturb, 5, &err);
      free(f);
    }
  }
  if (!st) {
    json_t *j = json_object();
    json_object_set_new(j, "config", json_string(cfg.path));
    json_object_set_new(j, "params", json_string(o.pt.params));
    if (have_er) {
      json_t *e = json_object();
      json_object_set_new(e, "loss", json_real(er.loss0));
      json_object_set_new(e, "directions", json_integer(er.n_dirs));
      json_object_set_new(e, "negative", json_integer(er.n_negative));
      json_object_set_new(e, "near_zero", json_integer(er.n_near_zero));
      json_object_set_new(e, "found_lower", json_boolean(er.found_lower));
      json_object_set_new(e, "found_by_bfs", json_boolean(er.found_by_bfs));
      json_object_set_new(e, "best_loss", json_real(er.best_loss));
      json_object_set_new(e, "best_distance", json_real(er.best_radius));
      json_object_set_new(e, "bfs_visited", json_integer(er.bfs_visited));
      json_object_set_new(j, "escape", e);
    }
    if (have_sr) {
      double mx0 = fmax(fabs(eig0[0]), fabs(eig0[P - 1]));
      ls_inertia i0 = ls_inertia_count(eig0, (int)P, 1e-10 * mx0);
      json_object_set_new(j, "layer", json_integer(sr.layer));
      json_object_set_new(j, "pair", json_pack("[i,i]", sr.l, sr.m));
      json_object_set_new(j, "pair_distance", json_real(sr.pair_distance));
      json_object_set_new(j, "start_loss", json_real(sr.start_loss));
      json_object_set_new(j, "start_inertia", inertia_json(i0));
      json_object_set_new(j, "reduced_loss", json_real(sr.reduced_loss));
      json_object_set_new(j, "reduced_grad_inf", json_real(sr.reduced_grad));
      json_object_set_new(j, "mu", json_real(sr.mu));
      json_object_set_new(j, "saddle_loss", json_real(sr.saddle_loss));
      json_object_set_new(j, "saddle_grad_inf", json_real(sr.saddle_grad));
      json_object_set_new(j, "saddle_certificate", json_string(ls_cert_kind_name(sc.kind)));
      json_object_set_new(j, "saddle_certified_grad_inf", json_real(sc.grad_inf));
      json_object_set_new(j, "saddle_certified_bound", json_real(sc.bound));
      json_object_set_new(j, "saddle_certified_dist", json_real(sc.dist));
      if (sc.kind == LS_CERT_NONE)
        json_object_set_new(j, "saddle_certificate_reason", json_string(sc.reason));
      json_object_set_new(j, "distance", json_real(sr.distance));
      json_object_set_new(j, "saddle_inertia", inertia_json(sr.inertia));
      json_object_set_new(j, "predicted_inertia", inertia_json(sr.predicted));
      json_object_set_new(j, "degenerate_local_minimum_near_saddle", json_boolean(sr.start_degenerate));
      if (rt) {
        json_t *ra = json_array();
        int lower = 0;
        for (long t = 0; t < o.perturb; t++) {
          json_array_append_new(ra, json_pack("{s:f,s:f,s:f,s:f}", "loss", rt[t * 5 + 1], "grad_inf",
                                              rt[t * 5 + 2], "dist_saddle", rt[t * 5 + 3],
                                              "dist_start", rt[t * 5 + 4]));
          lower += rt[t * 5 + 1] < sr.start_loss * (1 - 1e-8);
        }
        json_object_set_new(j, "retrain", ra);
        json_object_set_new(j, "retrain_below_start", json_integer(lower));
      }
    }
    char *sp = path_join(o.out, "summary.json");
    char *txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    if (!sp || !txt) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    else st = ls_file_write_atomic(sp, txt, strlen(txt), &err);
    if (!st && o.json) printf("%s\n", txt);
    if (!st && !o.json) {
      if (have_er)
        printf("escape: %d directions (%d negative, %d near zero), lower point %s (best loss %.10g vs %.10g%s)\n",
               er.n_dirs, er.n_negative, er.n_near_zero, er.found_lower ? "FOUND" : "not found",
               er.best_loss, er.loss0, er.found_by_bfs ? ", by the BFS" : "");
      if (have_sr) {
        printf("pair:            %d,%d of layer %d (distance %.6g)\n", sr.l, sr.m, sr.layer, sr.pair_distance);
        printf("start loss:      %.12g\n", sr.start_loss);
        printf("reduced:         loss %.12g, |grad|_inf %.2e\n", sr.reduced_loss, sr.reduced_grad);
        printf("saddle line:     mu %.6g, loss %.12g, |grad|_inf %.2e\n", sr.mu, sr.saddle_loss, sr.saddle_grad);
        printf("distance:        %.6g (start -> saddle)\n", sr.distance);
        printf("certificate:     %s, |grad|_inf %.2e (rounding bound %.2e), %.2e from the "
               "saddle-line point%s%s\n", ls_cert_kind_name(sc.kind), sc.grad_inf, sc.bound,
               sc.dist, sc.kind == LS_CERT_NONE ? ": " : "", sc.reason);
        printf("inertia:         saddle (neg %d, zero %d, pos %d), split test (neg %d, zero %d, pos %d)\n",
               sr.inertia.neg, sr.inertia.zero, sr.inertia.pos, sr.predicted.neg, sr.predicted.zero,
               sr.predicted.pos);
        if (rt) {
          int lower = 0;
          for (long t = 0; t < o.perturb; t++) lower += rt[t * 5 + 1] < sr.start_loss * (1 - 1e-8);
          printf("retrain:         %d of %ld perturbed restarts end below the start's loss\n", lower, o.perturb);
        }
        printf("classification:  %s\n", sr.start_degenerate ? "degenerate local minimum near a saddle"
                                                            : "not a degenerate minimum of the split test");
      }
    }
    free(sp), free(txt);
    json_decref(j);
  }
  if (have_sr) ls_saddle_result_free(&sr);
  ls_crit_cert_free(&sc);
  if (have_er) ls_escape_result_free(&er);
  free(theta), free(eig0), free(rt);
  ls_config_free(&cfg);
  return st ? cli_fail("saddle", &err) : 0;
}
