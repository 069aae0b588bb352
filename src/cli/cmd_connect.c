/* landsym connect: an explicit equal-loss piecewise-linear path between a point of an
 * overparameterized network and its permutation (Simsek et al. 2021, Theorem 3.1 and
 * Figure 4; Brea et al. 2019, appendix C.2), sampled densely, with the loss along it as
 * CSV and a figure (docs/connect.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/sym.h"

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

/* Start point on the student network: a file, or the teacher expanded to the student. */
static ls_status start_point(const ls_config *cfg, const connect_opts *o, double **theta,
                             char *src, size_t len, ls_error *err) {
  const ls_net *s = &cfg->student;
  if (o->pt.params && strcmp(o->pt.params, "teacher")) {
    snprintf(src, len, "%s", o->pt.params);
    return ls_params_read_net(o->pt.params, s, theta, err);
  }
  if (!cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT, "the config has no teacher: give --params FILE");
  const ls_net *t = &cfg->teacher;
  if (t->n_layers != s->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "teacher and student differ in depth: give --params FILE");
  ls_sym_expand_spec specs[LS_MAX_LAYERS];
  int ns = 0;
  for (int l = 1; l < s->n_layers; l++) {
    if (s->width[l] < t->width[l])
      return ls_error_set(err, LS_ERR_INPUT,
                          "layer %d: the student (width %d) is narrower than the teacher (%d)",
                          l, s->width[l], t->width[l]);
    ls_sym_expand_spec_default(&specs[ns++], l, s->width[l]);
  }
  ls_net big;
  ls_status st = ls_sym_expand(t, cfg->teacher_params, ns, specs, (uint64_t)o->seed, &big,
                               theta, err);
  snprintf(src, len, "teacher expanded to the student (seed %ld)", o->seed);
  return st;
}

static int parse_perm(const char *s, int m, int *perm) {
  char *dup = strdup(s), *save = NULL;
  int n = 0;
  for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    long v;
    if (n >= m || cli_parse_long(tok, &v)) {
      free(dup);
      return -1;
    }
    perm[n++] = (int)v;
  }
  free(dup);
  return n == m && ls_sym_perm_valid(m, perm) ? 0 : -1;
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* connect_loss.dat + .gp (atomic), then gnuplot renders PNG and SVG to temporary names
 * that are renamed on success. */
static ls_status write_figure(const char *dir, const double *t, const double *L, size_t n,
                              double L0, double dev, int layer, ls_error *err) {
  size_t cap = n * 64 + 256;
  char *buf = malloc(cap);
  if (!buf) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  size_t used = (size_t)snprintf(buf, cap, "# t loss loss-loss0\n");
  for (size_t i = 0; i < n; i++)
    used += (size_t)snprintf(buf + used, cap - used, "%.17g %.17g %.17g\n", t[i], L[i], L[i] - L0);
  char *dat = join(dir, "connect_loss.dat"), *gp = join(dir, "connect_loss.gp");
  ls_status st = ls_file_write_atomic(dat, buf, used, err);
  if (!st) {
    used = (size_t)snprintf(
        buf, cap,
        "# Loss along the equal-loss permutation path (landsym connect).\n"
        "# Run: gnuplot connect_loss.gp   (set outbase to change the output names)\n"
        "if (!exists(\"outbase\")) outbase = \"connect_loss\"\n"
        "set xlabel \"path parameter t\"\n"
        "set ylabel \"loss - loss(0)\"\n"
        "set format y \"%%.1e\"\n"
        "set title \"equal-loss path, layer %d: loss(0) = %.3e, max |loss - loss(0)| = %.2e\"\n"
        "set key off\n"
        "set grid\n"
        "set terminal pngcairo size 900,500\n"
        "set output outbase.\".png\"\n"
        "plot \"connect_loss.dat\" using 1:3 with lines lw 2\n"
        "set terminal svg size 900,500\n"
        "set output outbase.\".svg\"\n"
        "replot\n",
        layer, L0, dev);
    st = ls_file_write_atomic(gp, buf, used, err);
  }
  if (!st) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && gnuplot -e 'outbase=\".connect_loss.tmp\"' connect_loss.gp 2>&1 && "
             "mv .connect_loss.tmp.png connect_loss.png && mv .connect_loss.tmp.svg connect_loss.svg",
             dir);
    if (system(cmd) != 0) {
      char *a = join(dir, ".connect_loss.tmp.png"), *b = join(dir, ".connect_loss.tmp.svg");
      if (a) unlink(a);
      if (b) unlink(b);
      free(a), free(b);
      st = ls_error_set(err, LS_ERR_COMPUTE, "gnuplot failed to draw %s (is gnuplot installed?)",
                        gp);
    }
  }
  free(buf), free(dat), free(gp);
  return st;
}

int cmd_connect(int argc, char **argv) {
  connect_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("connect", &err);
  const ls_net *net = &cfg.student;
  double *theta = NULL, *t = NULL, *L = NULL, *rows = NULL;
  int *perm = NULL;
  char src[512];
  ls_sym_path path = {0};
  struct stat sb;
  ls_status st = LS_OK;
  if (net->n_layers < 2 || o.pt.layer > net->n_layers - 1)
    st = ls_error_set(&err, LS_ERR_INPUT,
                      "--layer %ld is out of range: the %d-layer student has hidden layers 1..%d",
                      o.pt.layer, net->n_layers, net->n_layers - 1);
  /* created when missing, like every other command's output directory */
  if (!st && stat(o.out_dir, &sb) != 0 && mkdir(o.out_dir, 0777) != 0)
    st = ls_error_set(&err, LS_ERR_IO, "--out-dir %s: cannot create directory: %s", o.out_dir,
                      strerror(errno));
  if (!st && (stat(o.out_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
    st = ls_error_set(&err, LS_ERR_INPUT, "--out-dir %s is not a directory", o.out_dir);
  if (!st) st = start_point(&cfg, &o, &theta, src, sizeof src, &err);
  int l = (int)o.pt.layer, m = net->width[l < LS_MAX_LAYERS ? l : 0];
  if (!st) {
    perm = malloc((size_t)m * sizeof *perm);
    if (!perm) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    else if (!o.perm || !strcmp(o.perm, "random")) {
      ls_rng rs;
      ls_rng_seed(&rs, (uint64_t)o.seed);
      ls_sym_perm_random(m, perm, &rs);
    } else if (parse_perm(o.perm, m, perm))
      st = ls_error_set(&err, LS_ERR_INPUT,
                        "--perm must list a permutation of 0..%d (layer %d has %d units)", m - 1,
                        l, m);
  }
  if (!st) st = ls_sym_connect(net, theta, l, perm, o.tol, &path, &err);
  size_t n = 0;
  int nseg = path.n_points - 1;
  double L0 = 0, dev = 0;
  if (!st) {
    n = (size_t)nseg * (size_t)o.samples + 1;
    t = malloc(n * sizeof *t), L = malloc(n * sizeof *L), rows = malloc(n * 5 * sizeof *rows);
    if (!t || !L || !rows) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
  }
  if (!st) st = ls_sym_path_sample(net, &cfg.data, &path, (int)o.samples, t, L, &err);
  if (!st) {
    L0 = L[0];
    for (size_t i = 0; i < n; i++) {
      dev = fmax(dev, fabs(L[i] - L0));
      size_t seg = i / (size_t)o.samples;
      if (seg >= (size_t)nseg) seg = nseg > 0 ? (size_t)nseg - 1 : 0;
      rows[i * 5 + 0] = t[i];
      rows[i * 5 + 1] = (double)seg;
      rows[i * 5 + 2] = nseg > 0 ? path.kind[seg + 1] : 0;
      rows[i * 5 + 3] = L[i];
      rows[i * 5 + 4] = L[i] - L0;
    }
  }
  char *csv = join(o.out_dir, "connect_loss.csv"), *npy = join(o.out_dir, "connect_path.npy");
  if (!st) st = ls_csv_write(csv, "t,segment,move,loss,loss_minus_loss0", rows, n, 5, &err);
  if (!st) {
    size_t shape[2] = {(size_t)path.n_points, path.P};
    st = ls_npy_write(npy, path.points, 2, shape, &err);
  }
  if (!st && !o.no_plot) st = write_figure(o.out_dir, t, L, n, L0, dev, l, &err);
  if (st && csv && npy) unlink(csv), unlink(npy); /* no partial results */
  if (!st) {
    json_t *j = json_object(), *pj = json_array(), *mv = json_object();
    for (int i = 0; i < m; i++) json_array_append_new(pj, json_integer(perm[i]));
    int counts[8] = {0};
    for (int i = 1; i < path.n_points; i++) counts[path.kind[i] & 7]++;
    for (int k = 1; k < 5; k++)
      json_object_set_new(mv, ls_sym_path_move_name(k), json_integer(counts[k]));
    json_object_set_new(j, "config", json_string(cfg.path));
    json_object_set_new(j, "start", json_string(src));
    json_object_set_new(j, "layer", json_integer(l));
    json_object_set_new(j, "perm", pj);
    json_object_set_new(j, "segments", json_integer(nseg));
    json_object_set_new(j, "moves", mv);
    json_object_set_new(j, "samples", json_integer((json_int_t)n));
    json_object_set_new(j, "loss_start", json_real(L0));
    json_object_set_new(j, "max_loss_deviation", json_real(dev));
    json_object_set_new(j, "csv", json_string(csv));
    json_object_set_new(j, "waypoints", json_string(npy));
    if (o.json) {
      json_dumpf(j, stdout, JSON_REAL_PRECISION(17) | JSON_INDENT(0));
      printf("\n");
    } else {
      printf("start:          %s\n", src);
      printf("layer:          %d, permutation", l);
      for (int i = 0; i < m; i++) printf(" %d", perm[i]);
      printf("\nsegments:       %d (free %d, shift %d, transfer %d, restore %d)\n", nseg,
             counts[1], counts[2], counts[3], counts[4]);
      printf("samples:        %zu\n", n);
      printf("loss at start:  %.17g\n", L0);
      printf("max |L - L0|:   %.3e\n", dev);
      printf("files:          %s, %s%s\n", csv, npy,
             o.no_plot ? "" : ", connect_loss.{png,svg,dat,gp}");
    }
    json_decref(j);
  }
  int code = st ? cli_fail("connect", &err) : 0;
  free(csv), free(npy);
  free(theta), free(t), free(L), free(rows), free(perm);
  ls_sym_path_free(&path);
  ls_config_free(&cfg);
  return code;
}
