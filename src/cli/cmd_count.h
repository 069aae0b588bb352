/* Internals of `landsym count`: shared option parsing and the per-subcommand entry points. */
#ifndef LANDSYM_CLI_CMD_COUNT_H
#define LANDSYM_CLI_CMD_COUNT_H

#include <stdio.h>

#include "landsym/count.h"
#include "landsym/exp_count.h"

typedef struct {
  int json, csv, asym, help;
  long digits;      /* decimal digits of the MPFR outputs */
  double max_bytes; /* memory cap for the exact numbers */
  const char *pos[16];
  int npos;
  /* subcommand-specific */
  const char *k_arg, *weights_arg, *format, *output, *out_dir, *layout;
  int total, critical, count_only, depth;
  long rstar, m_max, kmax, r;
} count_opts;

/* Parse argv[1..] (argv[0] is the subcommand name) into o; returns 0 or the exit code 2
 * after printing a usage error naming the problem. */
int count_parse(const char *sub, int argc, char **argv, count_opts *o);
/* The start of a subcommand whose help is one printf format: parse argv into o and, on
 * --help, print `help` with its arguments. Returns COUNT_GO_ON, or the exit code to return
 * at once: 0 after the help, 2 after a usage error. */
#define COUNT_GO_ON (-1)
int count_begin(const char *sub, int argc, char **argv, count_opts *o, const char *help, ...)
    __attribute__((format(printf, 5, 6)));
/* Exactly n positional arguments, named `names` ("R M") in the message; 0 ok, 2 after a message. */
int count_check_npos(const char *sub, const count_opts *o, int n, const char *names);
/* The figure subcommands: --out DIR given and no positional argument; 0 ok, 2 after a message. */
int count_check_out_dir(const char *sub, const count_opts *o);
/* Strict integer parsing of a positional argument named `what`; 0 ok, 2 after a message. */
int count_parse_int(const char *sub, const char *what, const char *s, long *out);
/* "A:B" or "A:B:STEP" (or a single number, then lo = hi); 0 ok, 2 after a message. */
int count_parse_range(const char *sub, const char *what, const char *s, long *lo, long *hi,
                      long *step);
/* Comma-separated integers; returns the count (>= 1) or -1 after a message. */
int count_parse_list(const char *sub, const char *what, const char *s, long *out, int max);
/* The output options of the library calls (format, asymptotics, digits, memory cap). */
ls_exp_count_opts count_lib_opts(const count_opts *o);
/* Error message for a failed library call; returns its exit code. */
int count_fail(const char *sub, const ls_error *err);

int count_cmd_G(int argc, char **argv);
int count_cmd_T(int argc, char **argv);
int count_cmd_g(int argc, char **argv);
int count_cmd_R(int argc, char **argv);
int count_cmd_brea(int argc, char **argv);
int count_cmd_enumerate(int argc, char **argv);
int count_cmd_graph(int argc, char **argv);
int count_cmd_fig6(int argc, char **argv);
int count_cmd_fig4c(int argc, char **argv);
int count_cmd_layers(int argc, char **argv);

#endif
