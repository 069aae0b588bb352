/* landsym reproduce NAME: regenerate a figure or table of the papers from its example
 * config (docs/reproduce.md). Each entry of the table names a config in examples/ and the
 * commands that turn it into the figure; add entries to the table to add figures. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/reproduce_fig3.h"
#include "cli/reproduce_mnist.h"
#include "cli/path_fig2.h"
#include "cli/reproduce_simsek.h"
#include "cli/reproduce_fig69.h"

typedef struct reproduce_entry reproduce_entry;
struct reproduce_entry {
  const char *name;
  const char *config;      /* file name in examples/ */
  const char *what;
  const char *classify[4]; /* extra `landsym classify` options (NULL-terminated) */
  int (*run)(const reproduce_entry *e, const char *config, const char *out, const char *seeds,
             const char *threads, int resume);
};

/* Sweep then classify: the figures and tables of `landsym classify` (docs/classify.md). */
static int sweep_classify(const reproduce_entry *e, const char *config, const char *out,
                          const char *seeds, const char *threads, int resume) {
  char *sa[16];
  int n = 0;
  sa[n++] = "sweep", sa[n++] = "--config", sa[n++] = (char *)config, sa[n++] = "--out";
  sa[n++] = (char *)out;
  if (seeds) sa[n++] = "--seeds", sa[n++] = (char *)seeds;
  if (threads) sa[n++] = "--threads", sa[n++] = (char *)threads;
  if (resume) sa[n++] = "--resume";
  sa[n] = NULL;
  int rc = cmd_sweep(n, sa);
  if (rc) return rc;
  char *ca[12];
  n = 0;
  ca[n++] = "classify", ca[n++] = (char *)out;
  if (threads) ca[n++] = "--threads", ca[n++] = (char *)threads;
  for (int k = 0; k < 4 && e->classify[k]; k++) ca[n++] = (char *)e->classify[k];
  ca[n] = NULL;
  return cmd_classify(n, ca);
}

/* Table 6.1: sweep, classify, then the thesis's numbers beside the certified table. */
static int table61(const reproduce_entry *e, const char *config, const char *out,
                   const char *seeds, const char *threads, int resume) {
  int rc = sweep_classify(e, config, out, seeds, threads, resume);
  if (rc) return rc;
  printf("thesis (Stoican 2022, table 6.1, 1000 seeds): 574 global minima; 426 local minima =\n"
         "  55 symmetry-induced + 371 other. The thesis's 371 \"other\" minima were points where\n"
         "  the optimiser stopped; certified here they split into finite local minima and runs\n"
         "  that no certificate explains, mostly flat points that descend along a channel to\n"
         "  infinity (docs/reproduce.md).\n");
  return 0;
}

/* Train, critical point, neuron split on two layers (src/cli/reproduce_mnist.c). */
static int mnist_split(const reproduce_entry *e, const char *config, const char *out,
                       const char *seeds, const char *threads, int resume) {
  (void)e, (void)seeds, (void)threads, (void)resume;
  return reproduce_mnist_split(config, out);
}

/* Brea et al. figure 3: MNIST teachers, permutation paths in the second hidden layer
 * (src/cli/reproduce_fig3.c). */
static int mnist_fig3(const reproduce_entry *e, const char *config, const char *out,
                      const char *seeds, const char *threads, int resume) {
  (void)e, (void)resume;
  return reproduce_fig3(config, out, seeds, threads);
}

/* Brea et al. figure 2: the permutation paths of `landsym path` (docs/path.md); the
 * experiment is examples/fig2.json, built in. */
static int path_fig2(const reproduce_entry *e, const char *config, const char *out,
                     const char *seeds, const char *threads, int resume) {
  (void)e, (void)config, (void)seeds, (void)threads, (void)resume;
  return ls_cli_reproduce_fig2(out, 0);
}

/* Simsek et al. figure 2: a closed-form two-parameter loss, no config (src/cli/reproduce_simsek.c). */
static int simsek_fig2(const reproduce_entry *e, const char *config, const char *out,
                       const char *seeds, const char *threads, int resume) {
  (void)e, (void)config, (void)seeds, (void)threads, (void)resume;
  return reproduce_simsek_fig2(out);
}

/* Thesis figures 6.9 and 6.12: nearest saddles of the local minima of a table-6.1 sweep and
 * Theorems 1, 2 at them (src/cli/reproduce_fig69.c). */
static int thesis_fig69(const reproduce_entry *e, const char *config, const char *out,
                        const char *seeds, const char *threads, int resume) {
  (void)e;
  return reproduce_fig69(config, out, seeds, threads, resume);
}

static const reproduce_entry entries[] = {
    {"fig1c", "fig1c.json",
     "Simsek et al. 2021 figure 1c: 50 seeds of width-5 and width-45 students of a width-4 "
     "teacher; loss curves and global-minimum fractions",
     {NULL}, sweep_classify},
    {"fig1e", "fig1e.json",
     "Simsek et al. 2021 figure 1e: 3-hidden-layer students (5-5-5 and 20-20-20) of a 4-4-4 "
     "teacher, 50 seeds",
     {NULL}, sweep_classify},
    {"fig5", "fig5.json",
     "Simsek et al. 2021 figure 5: sigma_{alpha,gamma} teacher of width 4, 50 students of "
     "width 10, neurons grouped and pruned",
     {NULL}, sweep_classify},
    {"fig2", "fig2.json",
     "Brea et al. 2019 figure 2: permutation paths of all 10 neuron pairs of a ReLU teacher "
     "of width 5 (200 log-spaced steps to 1e-4 of the initial distance)",
     {NULL}, path_fig2},
    {"fig3", "mnist_fig3.json",
     "Brea et al. 2019 figure 3: MNIST teachers with two hidden layers of H = 10..25 units, "
     "6 seeds each, two units of the second layer merged (docs/mnist.md)",
     {NULL}, mnist_fig3},
    {"table6.1", "table6_1.json",
     "Stoican 2022 table 6.1 (and figures 6.3, 6.7): 1000 seeds of a width-5 student on the "
     "thesis toy",
     {NULL}, table61},
    {"mnist-split", "mnist_split.json",
     "Stoican 2022 section 6.3: MNIST parity (10 PCA components), 10-10-10-10-1 sigmoid "
     "network at a critical point, neuron duplicated on hidden layers 3 and 2 (docs/mnist.md)",
     {NULL}, mnist_split},
    {"simsek-fig2", NULL,
     "Simsek et al. 2021 figure 2 (Lemma 2.1): gradient flow of the symmetric loss "
     "log(((w1+w2-3)^2 + (w1 w2-2)^2)/2 + 1), minima, saddle, subspace w1 = w2",
     {NULL}, simsek_fig2},
    {"fig6.9", "table6_1.json",
     "Stoican 2022 figures 6.9 and 6.12: a table-6.1 sweep (40 seeds unless --seeds), the "
     "nearest symmetry-induced saddle of every local minimum, Theorems 1 and 2 at each saddle",
     {NULL}, thesis_fig69},
    {"fig6.12", "table6_1.json", "the same as fig6.9 (the cones of figure 6.12 are drawn there)",
     {NULL}, thesis_fig69},
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

int cmd_reproduce(int argc, char **argv) {
  const char *name = NULL, *out = NULL, *seeds = NULL, *threads = NULL, *config = NULL;
  int resume = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    }
    const char **dst = !strcmp(a, "--out")       ? &out
                       : !strcmp(a, "--seeds")   ? &seeds
                       : !strcmp(a, "--threads") ? &threads
                       : !strcmp(a, "--config")  ? &config
                                                 : NULL;
    if (dst) {
      if (i + 1 >= argc) return cli_usage_error("reproduce", "%s needs a value", a);
      *dst = argv[++i];
    } else if (!strcmp(a, "--resume")) {
      resume = 1;
    } else if (a[0] == '-') {
      return cli_usage_error("reproduce", "unknown option %s", a);
    } else if (!name) {
      name = a;
    } else {
      return cli_usage_error("reproduce", "one name expected, got '%s' too", a);
    }
  }
  if (!name) return cli_usage_error("reproduce", "no figure or table named");
  const reproduce_entry *e = NULL;
  for (size_t i = 0; i < N_ENTRIES; i++)
    if (!strcmp(entries[i].name, name)) e = &entries[i];
  if (!e) {
    fprintf(stderr, "landsym reproduce: unknown name '%s'; known:", name);
    for (size_t i = 0; i < N_ENTRIES; i++) fprintf(stderr, " %s", entries[i].name);
    fprintf(stderr, "\n");
    return 2;
  }
  long v;
  if (seeds && (cli_parse_long(seeds, &v) || v < 1))
    return cli_usage_error("reproduce", "--seeds needs an integer >= 1");
  if (threads && (cli_parse_long(threads, &v) || v < 1))
    return cli_usage_error("reproduce", "--threads needs an integer >= 1");
  char cfg[PATH_MAX + 64], outbuf[256];
  if (config) {
    snprintf(cfg, sizeof cfg, "%s", config);
  } else if (!e->config) {
    snprintf(cfg, sizeof cfg, "(built in)");
  } else if (find_config(e->config, cfg, sizeof cfg)) {
    fprintf(stderr, "landsym reproduce: examples/%s not found (set LANDSYM_EXAMPLES to the "
                    "examples directory, or give --config)\n", e->config);
    return 2;
  }
  if (!out) {
    snprintf(outbuf, sizeof outbuf, "repro-%s", e->name);
    out = outbuf;
  }
  fprintf(stderr, "landsym reproduce %s: %s\n  config %s, output %s\n", e->name, e->what, cfg,
          out);
  return e->run(e, cfg, out, seeds, threads, resume);
}
