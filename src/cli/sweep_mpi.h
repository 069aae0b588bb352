/* MPI for `landsym sweep`, kept in the command-line front end (the library is built
 * without MPI). Without LANDSYM_HAVE_MPI, or when the process was not started by an MPI
 * launcher, everything degrades to a single rank. */
#ifndef LANDSYM_CLI_SWEEP_MPI_H
#define LANDSYM_CLI_SWEEP_MPI_H

typedef struct {
  int rank, size;
  int active; /* MPI_Init was called */
} cli_mpi;

/* Initialise MPI only when an MPI launcher started this process (mpirun, srun, hydra
 * set OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), so a plain run never pays for it. */
void cli_mpi_init(int *argc, char ***argv, cli_mpi *m);
void cli_mpi_finalize(cli_mpi *m);
/* Rank 0's value of v on every rank. */
int cli_mpi_bcast_int(const cli_mpi *m, int v);
/* Maximum / sum of v over ranks, on every rank. */
int cli_mpi_max_int(const cli_mpi *m, int v);
long cli_mpi_sum_long(const cli_mpi *m, long v);

#endif
