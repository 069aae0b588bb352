/* landsym classify DIR: classify every run of a sweep (docs/classify.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/ctx.h"
#include "landsym/exp_classify.h"

static const char header[] =
    "usage: landsym classify DIR [options]\n"
    "Classify every run of the sweep in DIR (landsym sweep --out DIR): global minimum,\n"
    "symmetry-induced critical point, other local minimum, saddle, not converged,\n"
    "channel to infinity (minimum or saddle at infinity), near a global minimum\n"
    "(docs/classify.md);\n"
    "prune each run to its irreducible network; print the summary table (as thesis\n"
    "table 6.1) and write tables and figures.\n";
static const char footer[] =
    "Outputs (ODIR): summary.csv, runs.csv, groups.csv, pruned/w<W>_s<S>.{npy,json},\n"
    "continued/w<W>_s<S>.{npy,json} (the continued points),\n"
    "loss_curves, neuron_groups, eig_vs_loss, min_neuron_distance (.dat .gp .png .svg).\n"
    "Stdout: the summary table.\n";

#define TOL(n, d, h) CLI_DOUBLE(n, d, 0, DBL_MAX, 0, "X", h)

/* argv into o: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse_args(int argc, char **argv, ls_classify_dir_opts *o) {
  ls_classify_dir_opts_default(o);
  ls_classify_opts *c = &o->copts;
  int no_prune = 0, no_figures = 0;
  cli_opt opts[] = {
      CLI_STR("out", &o->out, "ODIR", "output directory (default DIR/classify)"),
      TOL("loss-floor", &c->loss_floor, "global minimum when loss <= X (1e-16)"),
      TOL("grad-tol", &c->grad_tol, "converged when the gradient inf-norm <= X (1e-8)"),
      TOL("reduce-tol", &c->reduce_tol, "relative tolerance for equal / vanishing weights (1e-6)"),
      TOL("match-tol", &c->match_tol, "reduced network = teacher within X * max(1,|teacher|) (1e-5)"),
      TOL("sym-grad-tol", &c->sym_grad_tol, "reduced point critical when its gradient inf-norm <= X (1e-6)"),
      TOL("eig-tol", &c->eig_tol, "relative Hessian eigenvalue tolerance (1e-7)"),
      TOL("approach-dist", &c->approach_dist,
          "not converged with two units within X: merge them, polish,\n"
          "symmetry-induced (approaching) if critical at the same loss\n(1e-2; 0 = off)"),
      TOL("approach-rtol", &c->approach_loss_rtol, "relative loss tolerance of that test (1e-3)"),
      CLI_SIZE("continue-iter", &c->continue_iter, 0, 1000000000, "N",
               "a run no certificate explains is continued: N Adam steps,\n"
               "then Newton, and classified at the continued point\n(30000; 0 = off)"),
      CLI_POSITIVE("continue-lr", &c->continue_lr, "X",
               "learning rate of that Adam phase (1e-2)"),
      TOL("near-global-rloss", &c->near_global_rloss,
          "a run no certificate explains with loss <= X L(0) is near_global\n"
          "when the teacher expansion built from it is a certified\nglobal minimum "
          "(1e-10; 0 = off)"),
      TOL("near-global-copy-rtol", &c->near_global_copy_rtol,
          "a unit copies a teacher unit within X |t_j| of it (0.25)"),
      CLI_INT("threads", &o->threads, 1, 4096, "T", "OpenMP threads (default all)"),
      CLI_FLAG("no-prune", &no_prune, "do not write the pruned networks"),
      CLI_FLAG("no-figures", &no_figures, "do not draw figures"),
      CLI_FLAG("quiet", &o->quiet, "no progress on stderr"),
      CLI_END};
  cli_spec spec = {.cmd = "classify", .header = header, .footer = footer, .opts = opts,
                   .pos = &o->dir, .max_pos = 1};
  int rc = cli_parse(&spec, argc, argv);
  o->prune = o->prune && !no_prune, o->figures = o->figures && !no_figures;
  if (rc == CLI_GO_ON && !o->dir) return cli_usage_error("classify", "no sweep directory given");
  return rc;
}

int cmd_classify(int argc, char **argv) {
  ls_classify_dir_opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc != CLI_GO_ON) return rc;
  rc = 0;
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
