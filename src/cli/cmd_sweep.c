/* landsym sweep: a teacher-student experiment over many seeds and student widths,
 * over OpenMP threads and (under mpirun) MPI ranks, with checkpoint and resume.
 * Layout of the output directory: include/landsym/sweep.h; user guide: docs/sweep.md. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/sweep_job.h"
#include "cli/sweep_mpi.h"
#include "cli/sweep_progress.h"
#include "landsym/ctx.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: landsym sweep --config FILE --out DIR [--seeds N] [--resume]\n"
          "                     [--threads T] [--device cpu|cuda] [--quiet]\n"
          "\n"
          "Train the student of FILE from seeds first_seed .. first_seed+N-1 for every\n"
          "student width of the config's \"sweep\" section, in parallel over T threads\n"
          "(and over MPI ranks when started by mpirun), and write DIR/summary.csv.\n"
          "\n"
          "  --config FILE  experiment config (JSON, docs/config.md) or builtin:NAME\n"
          "  --out DIR      output directory (created); see docs/sweep.md for its layout\n"
          "  --seeds N      number of seeds (default: sweep.seeds of the config)\n"
          "  --resume       continue the sweep in DIR: finished runs are kept, the others run;\n"
          "                 refused when the config, seeds or widths differ from DIR/sweep.json\n"
          "  --threads T    OpenMP threads per process (default: OMP_NUM_THREADS or all cores)\n"
          "  --device D     cpu (default) or cuda: train batches of seeds on the GPU\n"
          "                 (one-hidden-layer MSE students, flow/newton; docs/gpu.md)\n"
          "  --quiet        no progress on stderr\n"
          "\n"
          "Prints the path of summary.csv on stdout. Exit 0 when every run is recorded,\n"
          "1 when runs could not be finished (rerun with --resume), 2 on bad usage/input.\n");
}

typedef struct {
  const char *config, *out;
  long seeds, threads;
  int resume, quiet;
  int cuda; /* --device cuda */
} sweep_args;

/* 0 ok, 1 --help printed, 2 usage error (reported). */
static int parse_args(int argc, char **argv, sweep_args *a) {
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
      usage(stdout);
      return 1;
    }
    if (!strcmp(o, "--resume")) {
      a->resume = 1;
      continue;
    }
    if (!strcmp(o, "--quiet") || !strcmp(o, "-q")) {
      a->quiet = 1;
      continue;
    }
    int takes = !strcmp(o, "--config") || !strcmp(o, "--out") || !strcmp(o, "--seeds") ||
                !strcmp(o, "--threads") || !strcmp(o, "--device");
    if (!takes) return cli_usage_error("sweep", "unknown option '%s'", o);
    if (i + 1 >= argc) return cli_usage_error("sweep", "%s needs a value", o);
    const char *v = argv[++i];
    if (!strcmp(o, "--config"))
      a->config = v;
    else if (!strcmp(o, "--out"))
      a->out = v;
    else if (!strcmp(o, "--device")) {
      if (strcmp(v, "cpu") && strcmp(v, "cuda"))
        return cli_usage_error("sweep", "--device must be cpu or cuda (got '%s')", v);
      a->cuda = !strcmp(v, "cuda");
    } else if (!strcmp(o, "--seeds")) {
      if (cli_parse_long(v, &a->seeds) || a->seeds < 1)
        return cli_usage_error("sweep", "--seeds must be a positive integer (got '%s')", v);
    } else if (cli_parse_long(v, &a->threads) || a->threads < 1 || a->threads > 4096)
      return cli_usage_error("sweep", "--threads must be a positive integer (got '%s')", v);
  }
  if (!a->config) return cli_usage_error("sweep", "--config FILE is required");
  if (!a->out) return cli_usage_error("sweep", "--out DIR is required");
  return 0;
}

/* Run this rank's share; returns the exit code of this rank. */
static int run_share(const ls_sweep_opts *o, cli_sweep_exp *x, const cli_mpi *mpi,
                     ls_sweep_stats *st, int cuda) {
  ls_error err = {LS_OK, ""};
  ls_status s = cuda ? ls_sweep_run_batched(o, 65536, cli_sweep_gpu_job, x, st, &err)
                     : ls_sweep_run(o, cli_sweep_exp_job, x, st, &err);
  cli_progress_end(o->progress_ctx);
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

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_sweep(int argc, char **argv) {
  sweep_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc == 1 ? 0 : rc;

  ls_error err = {LS_OK, ""};
  cli_sweep_exp *x = NULL;
  if (cli_sweep_exp_load(a.config, &x, &err)) return cli_fail("sweep", &err);
  ls_sweep_opts o;
  ls_sweep_opts_init(&o);
  o.version = LANDSYM_VERSION;
  cli_sweep_exp_opts(x, &o);
  o.dir = a.out;
  cli_sweep_exp_set_dir(x, a.out);
  o.resume = a.resume;
  o.threads = (int)a.threads;
  if (a.seeds) o.n_seeds = a.seeds;
  if (o.n_seeds < 1) {
    cli_sweep_exp_free(x);
    return cli_usage_error("sweep", "no seed count: give --seeds N or sweep.seeds in %s",
                           a.config);
  }
  if (ls_sweep_opts_validate(&o, &err) || (a.cuda && cli_sweep_gpu_check(x, &o, &err))) {
    cli_sweep_exp_free(x);
    return cli_fail("sweep", &err);
  }

  cli_mpi mpi;
  cli_mpi_init(&argc, &argv, &mpi);
  o.rank = mpi.rank;
  o.n_ranks = mpi.size;
  /* Rank 0 alone creates or checks the directory, before anyone runs a job. */
  int prep = 0;
  if (mpi.rank == 0) {
    if (ls_sweep_prepare(&o, &err)) prep = cli_fail("sweep", &err);
  }
  prep = cli_mpi_bcast_int(&mpi, prep);
  if (prep) {
    cli_sweep_exp_free(x);
    cli_mpi_finalize(&mpi);
    return prep;
  }
  /* OpenBLAS's own thread pool would make one job multi-threaded: jobs must stay
   * single-threaded for bitwise reproducibility (and the cores are used by the jobs). */
  ls_ctx_apply_blas(&(ls_ctx){.blas_threads = 1});
  omp_set_max_active_levels(1); /* parallel regions inside a job run on its one thread */

  char label[64] = "";
  if (mpi.size > 1) snprintf(label, sizeof label, "rank 0 of %d: ", mpi.size);
  cli_progress prog;
  cli_progress_init(&prog, a.quiet || mpi.rank != 0, label);
  o.progress = cli_progress_update;
  o.progress_ctx = &prog;
  if (!a.quiet && mpi.rank == 0)
    fprintf(stderr, "landsym sweep: %s; %ld seed(s) x %d width(s) = %ld runs%s%s%s\n",
            cli_sweep_exp_describe(x), o.n_seeds, o.n_widths, o.n_seeds * o.n_widths,
            a.resume ? ", resuming" : "", mpi.size > 1 ? " over MPI ranks" : "",
            a.cuda ? " on the GPU" : "");

  ls_sweep_stats st;
  double t0 = now_s();
  rc = run_share(&o, x, &mpi, &st, a.cuda);
  rc = cli_mpi_max_int(&mpi, rc); /* also waits for the slowest rank */
  double wall = now_s() - t0;
  long ran = cli_mpi_sum_long(&mpi, st.ran), conv = cli_mpi_sum_long(&mpi, st.converged),
       failed = cli_mpi_sum_long(&mpi, st.failed), skipped = cli_mpi_sum_long(&mpi, st.skipped);
  if (rc == 0 && mpi.rank == 0) {
    if (ls_sweep_summarize(&o, &err)) {
      rc = cli_fail("sweep", &err);
    } else {
      printf("%s/summary.csv\n", o.dir);
      if (!a.quiet)
        fprintf(stderr,
                "landsym sweep: %ld runs (%ld run now, %ld kept), %ld converged, %ld failed; "
                "%.2f s, %.2f runs/s\n",
                ran + skipped, ran, skipped, conv, failed, wall,
                wall > 0 ? (double)ran / wall : 0.0);
    }
  }
  rc = cli_mpi_bcast_int(&mpi, rc);
  cli_sweep_exp_free(x);
  cli_mpi_finalize(&mpi);
  return rc;
}
