/* landsym classify DIR: classify every run of a sweep (docs/classify.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/classify_sweep.h"
#include "cli/cli.h"
#include "landsym/ctx.h"

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

int cmd_classify(int argc, char **argv) {
  cli_classify_opts o;
  memset(&o, 0, sizeof o);
  ls_classify_opts_default(&o.copts);
  o.prune = o.figures = 1;
  const dopt dopts[] = {{"--loss-floor", &o.copts.loss_floor},
                        {"--grad-tol", &o.copts.grad_tol},
                        {"--reduce-tol", &o.copts.reduce_tol},
                        {"--match-tol", &o.copts.match_tol},
                        {"--sym-grad-tol", &o.copts.sym_grad_tol},
                        {"--eig-tol", &o.copts.eig_tol},
                        {"--approach-dist", &o.copts.approach_dist},
                        {"--approach-rtol", &o.copts.approach_loss_rtol}};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    }
    int done = 0;
    for (size_t k = 0; k < sizeof dopts / sizeof *dopts && !done; k++)
      if (!strcmp(a, dopts[k].name)) {
        if (i + 1 >= argc) return cli_usage_error("classify", "%s needs a value", a);
        if (cli_parse_double(argv[++i], dopts[k].dst) || *dopts[k].dst < 0)
          return cli_usage_error("classify", "%s: '%s' is not a number >= 0", a, argv[i]);
        done = 1;
      }
    if (done) continue;
    if (!strcmp(a, "--out")) {
      if (i + 1 >= argc) return cli_usage_error("classify", "--out needs a directory");
      o.out = argv[++i];
    } else if (!strcmp(a, "--threads")) {
      long t;
      if (i + 1 >= argc || cli_parse_long(argv[++i], &t) || t < 1 || t > 4096)
        return cli_usage_error("classify", "--threads needs an integer >= 1");
      o.threads = (int)t;
    } else if (!strcmp(a, "--no-prune")) {
      o.prune = 0;
    } else if (!strcmp(a, "--no-figures")) {
      o.figures = 0;
    } else if (!strcmp(a, "--quiet")) {
      o.quiet = 1;
    } else if (a[0] == '-') {
      return cli_usage_error("classify", "unknown option %s", a);
    } else if (!o.dir) {
      o.dir = a;
    } else {
      return cli_usage_error("classify", "one sweep directory expected, got '%s' too", a);
    }
  }
  if (!o.dir) return cli_usage_error("classify", "no sweep directory given");
  char outbuf[4200];
  if (!o.out) {
    snprintf(outbuf, sizeof outbuf, "%s/classify", o.dir);
    o.out = outbuf;
  }
  ls_ctx_apply_blas(&(ls_ctx){.blas_threads = 1}); /* one run per thread */
  ls_error err = {0};
  cli_classified_sweep s;
  if (cli_classify_sweep(&o, &s, &err)) return cli_fail("classify", &err);
  cli_classify_print_table(stdout, &s);
  int rc = 0;
  if (cli_classify_write_tables(&o, &s, &err)) rc = cli_fail("classify", &err);
  if (!rc && o.figures && cli_classify_write_figures(&o, &s, &err))
    rc = cli_fail("classify", &err);
  if (!rc && !o.quiet) fprintf(stderr, "landsym classify: results in %s\n", o.out);
  cli_classified_sweep_free(&s);
  return rc;
}
