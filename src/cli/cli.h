/* Command-line front end: one file per subcommand, `int cmd_NAME(argc, argv)` returning the
 * exit code (0 ok, 1 computation failed, 2 bad usage/input): parse a table of options into
 * the library call's options struct, make the call, print with the library's print function.
 *
 *   ls_exp_split_opts o = ls_exp_split_opts_default();
 *   cli_opt opts[] = {CLI_INT("nsmall", &o.nsmall, 1, 1000, "K", "smallest eigenvalues"), CLI_END};
 *   cli_spec spec = {.cmd = "split", .header = HEADER, .opts = opts};
 *   int rc = cli_parse(&spec, argc, argv);   // CLI_GO_ON, 0 after --help, 2 after a usage error
 *
 * An option not given keeps the destination's value (the default); cli_opt_find(opts,
 * name)->seen tells whether it was given. Positional arguments: .pos, .max_pos (.numbers:
 * "-3" is a value). List options allocate; cli_opts_free releases them. */
#ifndef LANDSYM_CLI_H
#define LANDSYM_CLI_H

#include <float.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "landsym/status.h"

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

/* "landsym CMD: message" on stderr; the exit code of err. */
int cli_fail(const char *cmd, const ls_error *err);
/* A usage error on stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flush and close stdout; a write error turns status 0 into 1. Returns the status. */
int cli_stdout_close(int status);
/* A whole string as an integer / finite double; 0 on success. */
int cli_parse_long(const char *s, long *out);
int cli_parse_double(const char *s, double *out);
/* ARG as an integer in [lo, hi]: 0, or 2 after a usage error naming --NAME. */
int cli_opt_long(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out);

/* --config FILE, --params P, --layer L: the point of one network (CLI_POINT_OPTS). */
typedef struct {
  const char *config, *params;
  int layer;
} cli_point;

typedef enum {
  CLI_KEND,    /* end of a table */
  CLI_KFLAG,   /* no value: *(int *)dest = 1 */
  CLI_KSTR,    /* *(const char **)dest = the value */
  CLI_KLONG,   /* integer in [lmin, lmax] into a long / int / size_t / uint64_t */
  CLI_KINT,
  CLI_KSIZE,
  CLI_KU64,
  CLI_KDOUBLE, /* finite number within (dmin, dmax) or [dmin, dmax], see open */
  CLI_KCHOICE, /* one of choices "a|b|c": *(int *)dest = its index */
  CLI_KINTS,   /* comma-separated integers in [lmin, lmax] into a cli_list, or a word of choices */
  CLI_KDOUBLES /* comma-separated numbers into a cli_list */
} cli_kind;

/* A list option's values; word: index of the word of choices given instead, else -1. */
typedef struct {
  int n, word;
  int *i;
  double *d;
} cli_list;

typedef struct {
  const char *name;  /* long name without "--" */
  int letter;        /* short option letter, 0 for none */
  cli_kind kind;
  void *dest;
  long lmin, lmax;   /* integer range (list kinds: of each element) */
  double dmin, dmax; /* number range */
  int open;          /* CLI_OPEN_LO: dmin excluded; CLI_OPEN_HI: dmax excluded */
  int nmin, nmax;    /* list kinds: number of values (nmax 0: any) */
  const char *choices;
  int required;      /* cli_parse fails when the option is missing */
  const char *metavar, *help; /* help: may hold '\n' for more lines */
  int seen;          /* set by cli_parse when the option was given */
} cli_opt;
#define CLI_OPEN_LO 1
#define CLI_OPEN_HI 2

#define CLI_FLAG(n, d, h) {.name = n, .kind = CLI_KFLAG, .dest = (d), .help = h}
#define CLI_STR(n, d, m, h) {.name = n, .kind = CLI_KSTR, .dest = (d), .metavar = m, .help = h}
#define CLI_STR_REQ(n, d, m, h) \
  {.name = n, .kind = CLI_KSTR, .dest = (d), .required = 1, .metavar = m, .help = h}
#define CLI_LONG(n, d, lo, hi, m, h) \
  {.name = n, .kind = CLI_KLONG, .dest = (d), .lmin = lo, .lmax = hi, .metavar = m, .help = h}
#define CLI_INT(n, d, lo, hi, m, h) \
  {.name = n, .kind = CLI_KINT, .dest = (d), .lmin = lo, .lmax = hi, .metavar = m, .help = h}
#define CLI_SIZE(n, d, lo, hi, m, h) \
  {.name = n, .kind = CLI_KSIZE, .dest = (d), .lmin = lo, .lmax = hi, .metavar = m, .help = h}
#define CLI_SEED(n, d, m, h) \
  {.name = n, .kind = CLI_KU64, .dest = (d), .lmin = 0, .lmax = LONG_MAX, .metavar = m, .help = h}
#define CLI_DOUBLE(n, d, lo, hi, op, m, h)                                                       \
  {.name = n, .kind = CLI_KDOUBLE, .dest = (d), .dmin = lo, .dmax = hi, .open = op, .metavar = m, \
   .help = h}
#define CLI_POSITIVE(n, d, m, h) CLI_DOUBLE(n, d, 0, DBL_MAX, CLI_OPEN_LO, m, h)
#define CLI_FINITE(n, d, m, h) CLI_DOUBLE(n, d, -DBL_MAX, DBL_MAX, 0, m, h)
#define CLI_UNIT(n, d, m, h) CLI_DOUBLE(n, d, 0, 1, CLI_OPEN_LO | CLI_OPEN_HI, m, h)
#define CLI_CHOICE(n, d, c, m, h) \
  {.name = n, .kind = CLI_KCHOICE, .dest = (d), .choices = c, .metavar = m, .help = h}
#define CLI_INTS(n, d, lo, hi, n0, n1, w, m, h)                                                    \
  {.name = n, .kind = CLI_KINTS, .dest = (d), .lmin = lo, .lmax = hi, .nmin = n0, .nmax = n1, \
   .choices = w, .metavar = m, .help = h}
#define CLI_DOUBLES(n, d, m, h) \
  {.name = n, .kind = CLI_KDOUBLES, .dest = (d), .nmin = 1, .metavar = m, .help = h}
#define CLI_END {.kind = CLI_KEND}

/* The options of a cli_point; req_*: the option is required. */
#define CLI_POINT_OPTS(pt, req_config, req_params)                                               \
  {.name = "config", .kind = CLI_KSTR, .dest = &(pt)->config, .required = req_config,           \
   .metavar = "FILE", .help = "experiment config (JSON) or builtin:NAME"},                      \
  {.name = "params", .kind = CLI_KSTR, .dest = &(pt)->params, .required = req_params,           \
   .metavar = "P", .help = "the point (.npy/.json) of the student network"},                    \
  CLI_INT("layer", &(pt)->layer, 1, INT_MAX, "K", "hidden layer (default 1)")

/* A command: name in messages, --help text before and after the options (footer may be
 * NULL), the table, room for positional arguments (max_pos 0: none). */
typedef struct {
  const char *cmd, *header, *footer;
  cli_opt *opts;
  const char **pos;
  int max_pos, npos, numbers;
} cli_spec;

#define CLI_GO_ON (-1)
/* Parse argv[1..]: CLI_GO_ON, 0 after --help, 2 after a usage error. */
int cli_parse(cli_spec *spec, int argc, char **argv);
void cli_help(const cli_spec *spec, FILE *f);
const cli_opt *cli_opt_find(const cli_opt *opts, const char *name); /* NULL when none */
void cli_opts_free(cli_opt *opts);

#endif
