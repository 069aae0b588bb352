/* Internals of `landsym count`: shared option parsing and the per-subcommand entry points. */
#ifndef LANDSYM_CLI_CMD_COUNT_H
#define LANDSYM_CLI_CMD_COUNT_H

#include <stdio.h>

#include "landsym/count.h"
#include "landsym/exp_count.h"

#include "cli/cli.h"

typedef struct {
  int json, csv, asym, total, critical, count_only;
  long digits, max_mib;                  /* decimal digits of MPFR outputs; memory cap (MiB) */
  long depth, rstar, m_max, kmax, r;     /* R --depth; fig6; fig4c */
  const char *k_arg, *weights_arg, *format, *output, *out_dir, *layout;
  const char *pos[16];
  int npos;
} count_opts;

/* The output options shared by the subcommands' tables. */
#define COUNT_FORMAT_OPTS(o)                                                 \
  CLI_FLAG("json", &(o)->json, "JSON (integers as decimal strings)"),        \
  CLI_FLAG("csv", &(o)->csv, "CSV even for a single value")
#define COUNT_DIGITS_OPT(o) \
  CLI_LONG("digits", &(o)->digits, 1, 100000, "D", "significant digits of decimals (default 20)")
#define COUNT_MEM_OPT(o)                                            \
  CLI_LONG("max-mem", &(o)->max_mib, 1, LONG_MAX, "MIB",            \
           "refuse sizes whose numbers would need more memory (default 4096)")

/* argv[1..] into o (positional arguments, negative numbers too, into o->pos): CLI_GO_ON, 0
 * after --help, 2 after a usage error. */
int count_begin(const char *sub, int argc, char **argv, count_opts *o, cli_opt *opts,
                const char *header, const char *footer);
/* Exactly n positional arguments (named `names` in the message); 0, or 2 after a message. */
int count_check_npos(const char *sub, const count_opts *o, int n, const char *names);
/* An integer / "A:B[:STEP]" (or one number) / a comma-separated list (returns the count, -1
 * after a message) of the argument `what`; 0 ok, 2 after a message. */
int count_parse_int(const char *sub, const char *what, const char *s, long *out);
int count_parse_range(const char *sub, const char *what, const char *s, long *lo, long *hi,
                      long *step);
int count_parse_list(const char *sub, const char *what, const char *s, long *out, int max);
/* The output options of the library calls; a failed call's message and exit code. */
ls_exp_count_opts count_lib_opts(const count_opts *o);
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
