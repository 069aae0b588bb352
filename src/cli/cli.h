/* Command-line front end: one file per subcommand, each `int cmd_NAME(argc, argv)`
 * returning the process exit code (0 ok, 1 computation failed, 2 bad usage/input). */
#ifndef LANDSYM_CLI_H
#define LANDSYM_CLI_H

#include "landsym/status.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} cli_command;

#define CLI_COMMANDS(X)                                                                \
  X(eval, "loss, gradient and Hessian spectrum of a network on a data set")            \
  X(count, "exact counts G, T, g and ratios of symmetry-induced subspaces")           \
  X(train, "train a network to convergence (Adam, gradient flow, Newton, NLopt)")     \
  X(sweep, "teacher-student experiment over many seeds")                              \
  X(classify, "classify the runs of a sweep and draw its figures")                    \
  X(channel, "channel to infinity at a point: GLU limit, certificate, continuation")   \
  X(expand, "build points on the expansion manifold of an irreducible network")       \
  X(connect, "equal-loss path between permuted global minima")                        \
  X(split, "Y/U split test: predicted and measured Hessian inertia along mu")          \
  X(path, "permutation path through a permutation point (Brea et al.)")              \
  X(saddle, "nearest symmetry-induced saddle of a converged run")                     \
  X(locus, "Cooper's star and core loci of critical points")                          \
  X(invariance, "Lemma 2.1: gradient flow on and off a symmetry subspace")            \
  X(reproduce, "regenerate a figure or table of the papers")

#define CLI_DECLARE(n, s) int cmd_##n(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* Print "landsym CMD: message" to stderr and return the exit code for err. */
int cli_fail(const char *cmd, const ls_error *err);
/* Print a usage error to stderr and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* At exit: flushes and closes standard output; a write error (full disk, /dev/full, a
 * closed pipe) is reported on stderr and turns exit status 0 into 1. Returns the status. */
int cli_stdout_close(int status);
/* Parse a whole string as an integer / double; 0 on success. */
int cli_parse_long(const char *s, long *out);
int cli_parse_double(const char *s, double *out);

/* --config FILE, --params P and --layer L: the options of every command that works on one point
 * of one network (getopt letters 'c', 'p' and 'l'). */
typedef struct {
  const char *config, *params;
  long layer;
} cli_point;
/* Store option C's argument when C is one of cli_point's: 1 when stored, 0 when C is another
 * option, 2 after a usage error. */
int cli_point_opt(const char *cmd, int c, const char *arg, cli_point *pt);
/* ARG as an integer in [lo, hi] into *out: 0, or 2 after a usage error naming --NAME. */
int cli_opt_long(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out);

#endif
