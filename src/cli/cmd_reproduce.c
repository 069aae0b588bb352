/* landsym reproduce NAME: regenerate a figure or table of the papers from its example
 * config (docs/reproduce.md). The table maps each name to its example config and to the
 * library call that runs it (landsym/exp_reproduce_sweep.h; fig2, fig3 and mnist-split
 * through their own front ends); this file only parses, calls and prints. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/path_fig2.h"
#include "cli/reproduce_fig3.h"
#include "cli/reproduce_mnist.h"
#include "landsym/exp_reproduce_sweep.h"

/* What the command line gave: the library's options, and the text of --seeds and
 * --threads for the targets that still take text. */
typedef struct {
  ls_reproduce_opts o;
  const char *seeds, *threads;
} repro_args;

typedef ls_status (*sweep_classify_fn)(const ls_reproduce_opts *, ls_sweep_classify_result *,
                                       ls_error *);

typedef struct reproduce_entry reproduce_entry;
struct reproduce_entry {
  const char *name;
  const char *config; /* file name in examples/ (NULL: built in) */
  const char *what;
  int (*run)(const reproduce_entry *e, const repro_args *a);
  sweep_classify_fn lib; /* the library call of the sweep-then-classify targets */
};

/* A failed sweep or classification, as `landsym sweep` / `landsym classify` report it. */
static int sweep_failed(const ls_exp_sweep_result *s, const ls_error *err) {
  int rc = cli_fail("sweep", err);
  if (s->stats.unfinished)
    fprintf(stderr, "landsym sweep: %ld run(s) not finished; rerun with --resume\n",
            s->stats.unfinished);
  return rc;
}

/* Sweep then classify (table6.1, fig1c, fig1e, fig5): the summary path, the table; for
 * table 6.1 the thesis's numbers beside it. */
static int run_sweep_classify(const reproduce_entry *e, const repro_args *a) {
  ls_sweep_classify_result r;
  ls_error err = {0};
  ls_status st = e->lib(&a->o, &r, &err);
  if (st && !r.sweep.summary[0]) return sweep_failed(&r.sweep, &err);
  printf("%s\n", r.sweep.summary);
  if (r.classified) ls_classify_print_table(stdout, &r.classes);
  ls_sweep_classify_result_free(&r);
  if (st) return cli_fail("classify", &err);
  fprintf(stderr, "landsym classify: results in %s\n", r.classify_dir);
  if (!strcmp(e->name, "table6.1")) fputs(ls_exp_table61_thesis(), stdout);
  return 0;
}

/* The distances and the theorems' shares of figures 6.9 and 6.12. */
static void print_fig69(const ls_fig69_result *r) {
  printf("runs %d, local minima %d, saddles found %d\n", r->n_runs, r->n_min, r->n_found);
  if (r->n_found) {
    int ns = r->n_saddles;
    printf("distance to the nearest saddle: min %.3e, median %.3e, max %.3e\n", r->dist_min,
           r->dist_median, r->dist_max);
    printf("  %d of %d within distance 1\n", r->n_within1, r->n_found);
    printf("points found with a negative eigenvalue (saddles): %d of %d (the others are degenerate, "
           "index 0)\n", ns, r->n_found);
    printf("Theorem 1 applies (hypotheses hold on the samples) at %d of %d saddles (%.1f%%)\n",
           r->n_thm1, ns, ns ? 100.0 * r->n_thm1 / ns : 0.0);
    printf("Theorem 2 applies at %d of %d saddles (%.1f%%)\n", r->n_thm2, ns,
           ns ? 100.0 * r->n_thm2 / ns : 0.0);
  }
  if (r->example >= 0) {
    const ls_fig69_run *x = &r->runs[r->example];
    printf("figure 6.12 example: seed %ld, distance %.3e, %s; %s\n", x->seed, x->distance,
           x->thm.why1, x->thm.why2);
  }
}

/* Thesis figures 6.9 and 6.12: nearest saddles of the local minima of a table-6.1 sweep and
 * Theorems 1, 2 at them. */
static int run_fig69(const reproduce_entry *e, const repro_args *a) {
  (void)e;
  ls_fig69_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_fig69(&a->o, &r, &err);
  if (st && !r.sweep.summary[0]) return sweep_failed(&r.sweep, &err);
  printf("%s\n", r.sweep.summary);
  for (int i = 0; i < r.n_runs; i++)
    if (r.runs[i].err[0])
      fprintf(stderr, "landsym reproduce fig6.9: seed %ld: %s\n", r.runs[i].seed, r.runs[i].err);
  if (r.n_runs) print_fig69(&r);
  int ex = r.example, nerr = r.n_err;
  ls_fig69_result_free(&r);
  if (st) return cli_fail("reproduce fig6.9", &err);
  printf("wrote %s/fig6_9.csv, fig6_9.{dat,gp,png,svg}%s\n", a->o.out_dir,
         ex >= 0 ? ", fig6_12.{dat,gp,png,svg}" : "");
  return nerr ? 1 : 0;
}

/* Simsek et al. figure 2: a closed-form two-parameter loss, no config. */
static int run_simsek_fig2(const reproduce_entry *e, const repro_args *a) {
  (void)e;
  ls_simsek_fig2_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_simsek_fig2(&a->o, &r, &err);
  if (st && !r.n_points) return cli_fail("reproduce simsek-fig2", &err);
  printf("critical points (Newton from a %dx%d grid): %d minima, %d saddles\n", r.newton_grid,
         r.newton_grid, r.n_min, r.n_saddle);
  for (int k = 0; k < r.n_points; k++)
    printf("  (%.12f, %.12f)  L = %.3e  Hessian eigenvalues %.6f, %.6f  %s\n", r.point[k][0],
           r.point[k][1], r.loss[k], r.eig[k][0], r.eig[k][1],
           r.eig[k][0] > 0 ? "minimum" : "saddle");
  printf("Lemma 2.1 on the figure: flows started on w1 = w2: max distance to it %.3e; "
         "%d flows started off it: min distance %.3e\n", r.max_on, r.n_flows_off, r.min_off);
  if (st) return fprintf(stderr, "landsym reproduce simsek-fig2: %s\n", err.msg), 1;
  printf("wrote %s/fig2.dat, fig2.gp, fig2.png, fig2.svg\n", a->o.out_dir);
  return r.holds ? 0 : 1;
}

/* Brea et al. figure 2: the permutation paths of `landsym path` (docs/path.md); the
 * experiment is examples/fig2.json, built in. */
static int run_fig2(const reproduce_entry *e, const repro_args *a) {
  (void)e;
  return ls_cli_reproduce_fig2(a->o.out_dir, 0);
}

/* Brea et al. figure 3: MNIST teachers, permutation paths in the second hidden layer. */
static int run_fig3(const reproduce_entry *e, const repro_args *a) {
  (void)e;
  return reproduce_fig3(a->o.config, a->o.out_dir, a->seeds, a->threads);
}

/* Train, critical point, neuron split on two layers. */
static int run_mnist_split(const reproduce_entry *e, const repro_args *a) {
  (void)e;
  return reproduce_mnist_split(a->o.config, a->o.out_dir);
}

static const reproduce_entry entries[] = {
    {"fig1c", "fig1c.json",
     "Simsek et al. 2021 figure 1c: 50 seeds of width-5 and width-45 students of a width-4 "
     "teacher; loss curves and global-minimum fractions",
     run_sweep_classify, ls_exp_reproduce_fig1c},
    {"fig1e", "fig1e.json",
     "Simsek et al. 2021 figure 1e: 3-hidden-layer students (5-5-5 and 20-20-20) of a 4-4-4 "
     "teacher, 50 seeds",
     run_sweep_classify, ls_exp_reproduce_fig1e},
    {"fig5", "fig5.json",
     "Simsek et al. 2021 figure 5: sigma_{alpha,gamma} teacher of width 4, 50 students of "
     "width 10, neurons grouped and pruned",
     run_sweep_classify, ls_exp_reproduce_fig5},
    {"fig2", "fig2.json",
     "Brea et al. 2019 figure 2: permutation paths of all 10 neuron pairs of a ReLU teacher "
     "of width 5 (200 log-spaced steps to 1e-4 of the initial distance)",
     run_fig2, NULL},
    {"fig3", "mnist_fig3.json",
     "Brea et al. 2019 figure 3: MNIST teachers with two hidden layers of H = 10..25 units, "
     "6 seeds each, two units of the second layer merged (docs/mnist.md)",
     run_fig3, NULL},
    {"table6.1", "table6_1.json",
     "Stoican 2022 table 6.1 (and figures 6.3, 6.7): 1000 seeds of a width-5 student on the "
     "thesis toy",
     run_sweep_classify, ls_exp_reproduce_table61},
    {"mnist-split", "mnist_split.json",
     "Stoican 2022 section 6.3: MNIST parity (10 PCA components), 10-10-10-10-1 sigmoid "
     "network at a critical point, neuron duplicated on hidden layers 3 and 2 (docs/mnist.md)",
     run_mnist_split, NULL},
    {"simsek-fig2", NULL,
     "Simsek et al. 2021 figure 2 (Lemma 2.1): gradient flow of the symmetric loss "
     "log(((w1+w2-3)^2 + (w1 w2-2)^2)/2 + 1), minima, saddle, subspace w1 = w2",
     run_simsek_fig2, NULL},
    {"fig6.9", "table6_1.json",
     "Stoican 2022 figures 6.9 and 6.12: a table-6.1 sweep (40 seeds unless --seeds), the "
     "nearest symmetry-induced saddle of every local minimum, Theorems 1 and 2 at each saddle",
     run_fig69, NULL},
    {"fig6.12", "table6_1.json", "the same as fig6.9 (the cones of figure 6.12 are drawn there)",
     run_fig69, NULL},
};
#define N_ENTRIES (sizeof entries / sizeof *entries)

static void usage(FILE *f) {
  fprintf(f,
          "usage: landsym reproduce NAME [--out DIR] [--seeds N] [--threads T] [--resume]\n"
          "                         [--config FILE]\n"
          "Regenerate a figure or table: runs `landsym sweep` on the example config, then\n"
          "`landsym classify` on its output (tables, pruned networks, figures in DIR/classify);\n"
          "fig2 runs `landsym path` over all neuron pairs instead; fig3 trains MNIST\n"
          "teachers and merges two units of each (docs/mnist.md); mnist-split runs\n"
          "`landsym train` then `landsym split` (docs/mnist.md); simsek-fig2 draws Simsek\n"
          "et al.'s figure 2 from its closed-form loss; fig6.9 sweeps, then finds the nearest\n"
          "saddle of every local minimum and applies the thesis's Theorems 1 and 2.\n"
          "  --out DIR      output directory (default repro-NAME)\n"
          "  --seeds N      number of seeds (default: the config's)\n"
          "  --threads T    OpenMP threads\n"
          "  --resume       continue an interrupted run in DIR\n"
          "  --config FILE  use FILE instead of the example config\n"
          "Example configs are looked up in $LANDSYM_EXAMPLES, ./examples and\n"
          "<executable>/../examples.\nNames:\n");
  for (size_t i = 0; i < N_ENTRIES; i++)
    fprintf(f, "  %-9s %s (%s%s)\n", entries[i].name, entries[i].what,
            entries[i].config ? "examples/" : "built in", entries[i].config ? entries[i].config : "");
}

/* First readable examples/<file> among the search places; 0 on success. */
static int find_config(const char *file, char *buf, size_t len) {
  const char *env = getenv("LANDSYM_EXAMPLES");
  if (env && *env) {
    snprintf(buf, len, "%s/%s", env, file);
    if (access(buf, R_OK) == 0) return 0;
  }
  snprintf(buf, len, "examples/%s", file);
  if (access(buf, R_OK) == 0) return 0;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    snprintf(buf, len, "%s/../examples/%s", exe, file);
    if (access(buf, R_OK) == 0) return 0;
    snprintf(buf, len, "%s/../share/landsym/examples/%s", exe, file);
    if (access(buf, R_OK) == 0) return 0;
  }
  return -1;
}

typedef struct {
  const char *name, *out, *seeds, *threads, *config;
  int resume;
} repro_text;

/* 0 ok, 1 --help printed, 2 usage error (reported). */
static int parse_args(int argc, char **argv, repro_text *t) {
  memset(t, 0, sizeof *t);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 1;
    }
    const char **dst = !strcmp(a, "--out")       ? &t->out
                       : !strcmp(a, "--seeds")   ? &t->seeds
                       : !strcmp(a, "--threads") ? &t->threads
                       : !strcmp(a, "--config")  ? &t->config
                                                 : NULL;
    if (dst) {
      if (i + 1 >= argc) return cli_usage_error("reproduce", "%s needs a value", a);
      *dst = argv[++i];
    } else if (!strcmp(a, "--resume")) {
      t->resume = 1;
    } else if (a[0] == '-') {
      return cli_usage_error("reproduce", "unknown option %s", a);
    } else if (!t->name) {
      t->name = a;
    } else {
      return cli_usage_error("reproduce", "one name expected, got '%s' too", a);
    }
  }
  if (!t->name) return cli_usage_error("reproduce", "no figure or table named");
  return 0;
}

static const reproduce_entry *find_entry(const char *name) {
  for (size_t i = 0; i < N_ENTRIES; i++)
    if (!strcmp(entries[i].name, name)) return &entries[i];
  fprintf(stderr, "landsym reproduce: unknown name '%s'; known:", name);
  for (size_t i = 0; i < N_ENTRIES; i++) fprintf(stderr, " %s", entries[i].name);
  fprintf(stderr, "\n");
  return NULL;
}

/* The text options as library options: 0, or 2 after a usage error. */
static int to_args(const repro_text *t, repro_args *a) {
  long seeds = 0, threads = 0;
  if (t->seeds && (cli_parse_long(t->seeds, &seeds) || seeds < 1))
    return cli_usage_error("reproduce", "--seeds needs an integer >= 1");
  if (t->threads && (cli_parse_long(t->threads, &threads) || threads < 1))
    return cli_usage_error("reproduce", "--threads needs an integer >= 1");
  memset(a, 0, sizeof *a);
  a->o.seeds = seeds;
  a->o.resume = t->resume;
  a->o.ctx = ls_ctx_threads((int)threads);
  a->seeds = t->seeds, a->threads = t->threads;
  return 0;
}

int cmd_reproduce(int argc, char **argv) {
  repro_text t;
  repro_args a;
  int rc = parse_args(argc, argv, &t);
  if (rc) return rc == 1 ? 0 : rc;
  const reproduce_entry *e = find_entry(t.name);
  if (!e) return 2;
  if ((rc = to_args(&t, &a))) return rc;
  char cfg[PATH_MAX + 64], outbuf[256];
  if (t.config) {
    snprintf(cfg, sizeof cfg, "%s", t.config);
  } else if (!e->config) {
    snprintf(cfg, sizeof cfg, "(built in)");
  } else if (find_config(e->config, cfg, sizeof cfg)) {
    fprintf(stderr, "landsym reproduce: examples/%s not found (set LANDSYM_EXAMPLES to the "
                    "examples directory, or give --config)\n", e->config);
    return 2;
  }
  if (!t.out) snprintf(outbuf, sizeof outbuf, "repro-%s", e->name);
  a.o.config = cfg;
  a.o.out_dir = t.out ? t.out : outbuf;
  fprintf(stderr, "landsym reproduce %s: %s\n  config %s, output %s\n", e->name, e->what, cfg,
          a.o.out_dir);
  return e->run(e, &a);
}
