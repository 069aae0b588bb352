/* Command-line front end: one file per subcommand, each `int cmd_NAME(argc, argv)`
 * returning the process exit code (0 ok, 1 computation failed, 2 bad usage/input).
 *
 * A command's options are a table (src/cli/cli_opts.c): one cli_opt per option, each
 * naming its destination, usually a field of the library call's options struct:
 *
 *   ls_exp_split_opts o = ls_exp_split_opts_default();
 *   cli_point pt = {0};
 *   cli_opt opts[] = {CLI_POINT_OPTS(&pt, 1, 1),
 *                     CLI_INT("nsmall", &o.nsmall, 1, 1000, "K", "smallest eigenvalues (12)"),
 *                     CLI_CHOICE("spectrum", &o.spectrum, "auto|dense|lanczos", "S", "..."),
 *                     CLI_END};
 *   cli_spec spec = {.cmd = "split", .header = HEADER, .footer = FOOTER, .opts = opts};
 *   int rc = cli_parse(&spec, argc, argv);   // CLI_GO_ON, 0 after --help, 2 after a usage error
 *   if (rc != CLI_GO_ON) return rc;
 *
 * A destination keeps its value when the option is not given, so defaults are whatever the
 * options struct held before (its _default function). A help string may hold '\n' for more
 * lines; cli_opt_find(opts, name)->seen tells whether an option was given. Positional
 * arguments: .pos, .max_pos (and .numbers when "-3" is a value, as in `landsym count`).
 *
 * cli_parse checks each value's syntax and range (the library's options check owns what the
 * values mean), required options and positional arguments, and prints --help from the header
 * and the table. List options allocate; cli_opts_free(opts) releases them. */
#ifndef LANDSYM_CLI_H
#define LANDSYM_CLI_H

#include <float.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

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
 * of one network. */
typedef struct {
  const char *config, *params;
  int layer;
} cli_point;
/* ARG as an integer in [lo, hi] into *out: 0, or 2 after a usage error naming --NAME. */
int cli_opt_long(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out);


/* ---- declarative options (cli_opts.c) ---- */
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

/* A list option's values (allocated by cli_parse; cli_opts_free releases them). word: the index
 * of the word of choices given instead of a list, else -1; n: the values, 0 when not given. */
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

/* The table fragment of a cli_point: --config FILE (required when req_config), --params P
 * (required when req_params), --layer K (>= 1). */
#define CLI_POINT_OPTS(pt, req_config, req_params)                                               \
  {.name = "config", .kind = CLI_KSTR, .dest = &(pt)->config, .required = req_config,           \
   .metavar = "FILE", .help = "experiment config (JSON) or builtin:NAME"},                      \
  {.name = "params", .kind = CLI_KSTR, .dest = &(pt)->params, .required = req_params,           \
   .metavar = "P", .help = "the point (.npy/.json) of the student network"},                    \
  CLI_INT("layer", &(pt)->layer, 1, INT_MAX, "K", "hidden layer (default 1)")

/* A command: its name in messages ("split", "count G"), the --help text printed before the
 * option lines (usage lines and a paragraph) and after them (NULL: none), the table, and room
 * for positional arguments (max_pos 0: none accepted); numbers: arguments that look like
 * negative numbers ("-3", "-.5") are values, not options. */
typedef struct {
  const char *cmd, *header, *footer;
  cli_opt *opts;
  const char **pos;
  int max_pos, npos, numbers;
} cli_spec;

#define CLI_GO_ON (-1)
/* Parse argv[1..] against spec->opts: CLI_GO_ON, 0 after printing --help, 2 after a usage
 * error (unknown option, missing or bad value, missing required option, unexpected argument). */
int cli_parse(cli_spec *spec, int argc, char **argv);
/* Print the --help text of spec to f. */
void cli_help(const cli_spec *spec, FILE *f);
/* The entry named name (NULL when none): for ->seen. */
const cli_opt *cli_opt_find(const cli_opt *opts, const char *name);
/* Release the lists that cli_parse allocated. */
void cli_opts_free(cli_opt *opts);

#endif
