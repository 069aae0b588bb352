/* landsym classify DIR: classify every run of a sweep (docs/classify.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/ctx.h"
#include "landsym/exp_classify.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: landsym classify DIR [options]\n"
          "Classify every run of the sweep in DIR (landsym sweep --out DIR): global minimum,\n"
          "symmetry-induced critical point, other local minimum, saddle, not converged,\n"
          "channel to infinity (minimum or saddle at infinity: docs/classify.md);\n"
          "prune each run to its irreducible network; print the summary table (as thesis\n"
          "table 6.1) and write tables and figures.\n"
          "  --out ODIR          output directory (default DIR/classify)\n"
          "  --loss-floor X      global minimum when loss <= X (1e-16)\n"
          "  --grad-tol X        converged when the gradient inf-norm <= X (1e-8)\n"
          "  --reduce-tol X      relative tolerance for equal / vanishing weights (1e-6)\n"
          "  --match-tol X       reduced network = teacher within X * max(1,|teacher|) (1e-5)\n"
          "  --sym-grad-tol X    reduced point critical when its gradient inf-norm <= X (1e-6)\n"
          "  --eig-tol X         relative Hessian eigenvalue tolerance (1e-7)\n"
          "  --approach-dist X   not converged with two units within X: merge them, polish,\n"
          "                      symmetry-induced (approaching) if critical at the same loss\n"
          "                      (1e-2; 0 = off)\n"
          "  --approach-rtol X   relative loss tolerance of that test (1e-3)\n"
          "  --threads T         OpenMP threads (default all)\n"
          "  --no-prune          do not write the pruned networks\n"
          "  --no-figures        do not draw figures\n"
          "  --quiet             no progress on stderr\n"
          "  --help              this text\n"
          "Outputs (ODIR): summary.csv, runs.csv, groups.csv, pruned/w<W>_s<S>.{npy,json},\n"
          "loss_curves, neuron_groups, eig_vs_loss, min_neuron_distance (.dat .gp .png .svg).\n"
          "Stdout: the summary table.\n");
}

typedef struct {
  const char *name;
  double *dst;
} dopt;

/* A --name X option of the classification tolerances: 1 when stored (i advanced), 0 when
 * a is another option, 2 after a usage error. */
static int tolerance_opt(ls_classify_opts *c, int argc, char **argv, int *i) {
  const dopt dopts[] = {{"--loss-floor", &c->loss_floor},
                        {"--grad-tol", &c->grad_tol},
                        {"--reduce-tol", &c->reduce_tol},
                        {"--match-tol", &c->match_tol},
                        {"--sym-grad-tol", &c->sym_grad_tol},
                        {"--eig-tol", &c->eig_tol},
                        {"--approach-dist", &c->approach_dist},
                        {"--approach-rtol", &c->approach_loss_rtol}};
  const char *a = argv[*i];
  for (size_t k = 0; k < sizeof dopts / sizeof *dopts; k++)
    if (!strcmp(a, dopts[k].name)) {
      if (*i + 1 >= argc) return cli_usage_error("classify", "%s needs a value", a);
      if (cli_parse_double(argv[++*i], dopts[k].dst) || *dopts[k].dst < 0)
        return cli_usage_error("classify", "%s: '%s' is not a number >= 0", a, argv[*i]);
      return 1;
    }
  return 0;
}

/* Any other option or the directory: 0, or 2 after a usage error. */
static int other_opt(ls_classify_dir_opts *o, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  if (!strcmp(a, "--out")) {
    if (*i + 1 >= argc) return cli_usage_error("classify", "--out needs a directory");
    o->out = argv[++*i];
  } else if (!strcmp(a, "--threads")) {
    long t;
    if (*i + 1 >= argc || cli_parse_long(argv[++*i], &t) || t < 1 || t > 4096)
      return cli_usage_error("classify", "--threads needs an integer >= 1");
    o->threads = (int)t;
  } else if (!strcmp(a, "--no-prune")) {
    o->prune = 0;
  } else if (!strcmp(a, "--no-figures")) {
    o->figures = 0;
  } else if (!strcmp(a, "--quiet")) {
    o->quiet = 1;
  } else if (a[0] == '-') {
    return cli_usage_error("classify", "unknown option %s", a);
  } else if (!o->dir) {
    o->dir = a;
  } else {
    return cli_usage_error("classify", "one sweep directory expected, got '%s' too", a);
  }
  return 0;
}

/* 0 ok, 1 --help printed, 2 usage error (reported). */
static int parse_args(int argc, char **argv, ls_classify_dir_opts *o) {
  ls_classify_dir_opts_default(o);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 1;
    }
    int rc = tolerance_opt(&o->copts, argc, argv, &i);
    if (rc == 0) rc = other_opt(o, argc, argv, &i);
    if (rc == 2) return 2;
  }
  if (!o->dir) return cli_usage_error("classify", "no sweep directory given");
  return 0;
}

int cmd_classify(int argc, char **argv) {
  ls_classify_dir_opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc) return rc == 1 ? 0 : rc;
  char outbuf[4200];
  if (!o.out) {
    snprintf(outbuf, sizeof outbuf, "%s/classify", o.dir);
    o.out = outbuf;
  }
  ls_ctx one = ls_ctx_threads(1); /* one run per thread: BLAS single-threaded */
  ls_ctx_apply_blas(&one);
  ls_error err = {0};
  ls_classified_sweep s;
  if (ls_classify_dir(&o, &s, &err)) return cli_fail("classify", &err);
  ls_classify_print_table(stdout, &s);
  if (ls_classify_write_tables(&o, &s, &err)) rc = cli_fail("classify", &err);
  if (!rc && o.figures && ls_classify_write_figures(&o, &s, &err))
    rc = cli_fail("classify", &err);
  if (!rc && !o.quiet) fprintf(stderr, "landsym classify: results in %s\n", o.out);
  ls_classified_sweep_free(&s);
  return rc;
}
