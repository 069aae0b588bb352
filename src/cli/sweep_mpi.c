/* MPI helpers for `landsym sweep` (see sweep_mpi.h). */
#include "cli/sweep_mpi.h"

#include <stdlib.h>

#ifdef LANDSYM_HAVE_MPI
#include <mpi.h>

static int launched_by_mpi(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

void cli_mpi_init(int *argc, char ***argv, cli_mpi *m) {
  m->rank = 0;
  m->size = 1;
  m->active = 0;
  if (!launched_by_mpi()) return;
  int provided;
  /* Only the main thread calls MPI; OpenMP workers never do. */
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return;
  m->active = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &m->size);
}

void cli_mpi_finalize(cli_mpi *m) {
  if (m->active) MPI_Finalize();
  m->active = 0;
}

int cli_mpi_bcast_int(const cli_mpi *m, int v) {
  if (m->active) MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return v;
}

int cli_mpi_max_int(const cli_mpi *m, int v) {
  int r = v;
  if (m->active) MPI_Allreduce(&v, &r, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return r;
}

long cli_mpi_sum_long(const cli_mpi *m, long v) {
  long r = v;
  if (m->active) MPI_Allreduce(&v, &r, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return r;
}

#else

void cli_mpi_init(int *argc, char ***argv, cli_mpi *m) {
  (void)argc, (void)argv;
  m->rank = 0;
  m->size = 1;
  m->active = 0;
}
void cli_mpi_finalize(cli_mpi *m) { m->active = 0; }
int cli_mpi_bcast_int(const cli_mpi *m, int v) { return (void)m, v; }
int cli_mpi_max_int(const cli_mpi *m, int v) { return (void)m, v; }
long cli_mpi_sum_long(const cli_mpi *m, long v) { return (void)m, v; }

#endif
