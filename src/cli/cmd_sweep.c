/* landsym sweep: a teacher-student experiment over many seeds and student widths,
 * over OpenMP threads and (under mpirun) MPI ranks, with checkpoint and resume.
 * Layout of the output directory: include/landsym/sweep.h; user guide: docs/sweep.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/sweep_mpi.h"
#include "landsym/core.h"
#include "landsym/exp_sweep.h"

static const char header[] =
    "usage: landsym sweep --config FILE --out DIR [--seeds N] [--resume]\n"
    "                     [--threads T] [--device cpu|cuda] [--quiet]\n"
    "\n"
    "Train the student of FILE from seeds first_seed .. first_seed+N-1 for every\n"
    "student width of the config's \"sweep\" section, in parallel over T threads\n"
    "(and over MPI ranks when started by mpirun), and write DIR/summary.csv.\n"
    "With \"init_from\": DIR2 in the \"sweep\" section each run starts where run\n"
    "(width, seed) of the sweep in DIR2 ended, to continue it under another protocol.\n"
    "\n";
static const char footer[] =
    "\n"
    "Prints the path of summary.csv on stdout. Exit 0 when every run is recorded,\n"
    "1 when runs could not be finished (rerun with --resume), 2 on bad usage/input.\n";

typedef struct {
  const char *config, *out;
  long seeds, threads;
  int resume, quiet;
  int cuda; /* --device cuda */
} sweep_args;

/* argv into a: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse_args(int argc, char **argv, sweep_args *a) {
  memset(a, 0, sizeof *a);
  cli_opt opts[] = {
      CLI_STR_REQ("config", &a->config, "FILE", "experiment config (JSON, docs/config.md) or builtin:NAME"),
      CLI_STR_REQ("out", &a->out, "DIR", "output directory (created); see docs/sweep.md for its layout"),
      CLI_LONG("seeds", &a->seeds, 1, LONG_MAX, "N", "number of seeds (default: sweep.seeds of the config)"),
      CLI_FLAG("resume", &a->resume,
               "continue the sweep in DIR: finished runs are kept, the others run;\n"
               "refused when the config, seeds or widths differ from DIR/sweep.json"),
      CLI_LONG("threads", &a->threads, 1, 4096, "T",
               "OpenMP threads per process (default: OMP_NUM_THREADS or all cores)"),
      CLI_CHOICE("device", &a->cuda, "cpu|cuda", "D",
                 "cpu (default) or cuda: train batches of seeds on the GPU\n"
                 "(one-hidden-layer MSE students, flow/newton; docs/gpu.md)"),
      {.name = "quiet", .letter = 'q', .kind = CLI_KFLAG, .dest = &a->quiet, .help = "no progress on stderr"},
      CLI_END};
  cli_spec spec = {.cmd = "sweep", .header = header, .footer = footer, .opts = opts};
  return cli_parse(&spec, argc, argv);
}

/* Run this rank's share; returns the exit code of this rank. */
static int run_share(ls_exp_sweep *x, const ls_sweep_opts *o, const cli_mpi *mpi,
                     ls_sweep_stats *st, int cuda) {
  ls_error err = {LS_OK, ""};
  ls_status s = ls_exp_sweep_share(x, o, cuda, st, &err);
  ls_sweep_printer_end(o->progress_ctx);
  if (s) {
    if (mpi->size > 1)
      fprintf(stderr, "landsym sweep: rank %d: %s\n", mpi->rank, err.msg);
    else
      fprintf(stderr, "landsym sweep: %s\n", err.msg);
    fprintf(stderr, "landsym sweep: %ld run(s) not finished; rerun with --resume\n",
            st->unfinished);
  }
  return ls_status_exit_code(s);
}

/* Rank 0 alone creates or checks the directory, before anyone runs a job; the exit code
 * of that step on every rank. */
static int prepare(const ls_sweep_opts *o, const cli_mpi *mpi) {
  ls_error err = {LS_OK, ""};
  int rc = 0;
  if (mpi->rank == 0 && ls_sweep_prepare(o, &err)) rc = cli_fail("sweep", &err);
  return cli_mpi_bcast_int(mpi, rc);
}

/* Every rank's share, then rank 0 summarises; the exit code on every rank. */
static int run_all(ls_exp_sweep *x, ls_sweep_opts *o, const cli_mpi *mpi, const sweep_args *a) {
  char label[64] = "";
  if (mpi->size > 1) snprintf(label, sizeof label, "rank 0 of %d: ", mpi->size);
  ls_sweep_printer prog;
  ls_sweep_printer_init(&prog, a->quiet || mpi->rank != 0, label);
  o->progress = ls_sweep_printer_update;
  o->progress_ctx = &prog;
  if (mpi->rank == 0) ls_sweep_printer_start(&prog, x, o, mpi->size, a->cuda);
  ls_sweep_stats st, all;
  double t0 = ls_clock_seconds();
  int rc = run_share(x, o, mpi, &st, a->cuda);
  rc = cli_mpi_max_int(mpi, rc); /* also waits for the slowest rank */
  double wall = ls_clock_seconds() - t0;
  all = st;
  all.ran = cli_mpi_sum_long(mpi, st.ran), all.converged = cli_mpi_sum_long(mpi, st.converged);
  all.failed = cli_mpi_sum_long(mpi, st.failed), all.skipped = cli_mpi_sum_long(mpi, st.skipped);
  ls_error err = {LS_OK, ""};
  if (rc == 0 && mpi->rank == 0) {
    if (ls_sweep_summarize(o, &err)) {
      rc = cli_fail("sweep", &err);
    } else {
      printf("%s/summary.csv\n", o->dir);
      ls_sweep_printer_done(&prog, &all, wall);
    }
  }
  return cli_mpi_bcast_int(mpi, rc);
}

int cmd_sweep(int argc, char **argv) {
  sweep_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_GO_ON) return rc;
  ls_error err = {LS_OK, ""};
  ls_exp_sweep *x = NULL;
  if (ls_exp_sweep_load(a.config, &x, &err)) return cli_fail("sweep", &err);
  ls_exp_sweep_args ea = {a.config, a.out, a.seeds, a.resume, a.cuda, a.quiet,
                          ls_ctx_threads((int)a.threads)};
  ea.ctx.threads = (int)a.threads; /* 0: the sweep runner's default */
  ls_sweep_opts o;
  ls_sweep_opts_init(&o);
  if (ls_exp_sweep_setup(x, &ea, &o, &err)) {
    ls_exp_sweep_free(x);
    /* no seed count anywhere: a usage error, with the pointer to --help */
    return o.n_seeds < 1 ? cli_usage_error("sweep", "%s", err.msg) : cli_fail("sweep", &err);
  }
  cli_mpi mpi;
  cli_mpi_init(&argc, &argv, &mpi);
  o.rank = mpi.rank;
  o.n_ranks = mpi.size;
  rc = prepare(&o, &mpi);
  if (!rc) rc = run_all(x, &o, &mpi, &a);
  ls_exp_sweep_free(x);
  cli_mpi_finalize(&mpi);
  return rc;
}
