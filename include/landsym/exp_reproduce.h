/* landsym: the papers' figures and tables as library calls. Each target
 * ls_exp_reproduce_<name> runs the experiment of one figure or table, writes its results
 * folder (tables, run files, figures through landsym/out.h) and returns its headline
 * numbers; `landsym reproduce NAME` is a thin face over these calls (docs/reproduce.md). */
#ifndef LANDSYM_EXP_REPRODUCE_H
#define LANDSYM_EXP_REPRODUCE_H

#include <stddef.h>
#include <stdio.h>

#include "landsym/ctx.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every target takes. */
typedef struct {
  const char *config;  /* the experiment's config file; NULL: the target's example config */
  const char *out_dir; /* results folder (created) */
  long seeds;          /* number of seeds; 0: the config's */
  int resume;          /* continue an interrupted run in out_dir */
  ls_ctx ctx;          /* threads, BLAS threads, engine */
} ls_reproduce_opts;

/* ---- the registry of targets (src/exp/reproduce_targets.c) ---------------------------- */

/* One figure or table: its name, example config (a file of examples/; NULL: built in),
 * a description, and the call that runs it and prints its results: the headline numbers on
 * out, progress and messages ("landsym sweep: ...", as the commands print them) on log.
 * run returns the process exit code (0 ok, 1 computation failed, 2 bad input). */
typedef struct ls_reproduce_target ls_reproduce_target;
struct ls_reproduce_target {
  const char *name, *config, *what;
  int (*run)(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out, FILE *log);
};

/* The targets, in the order of `landsym reproduce --help`; *n receives their number. */
const ls_reproduce_target *ls_reproduce_targets(int *n);
/* The target named name, NULL when none. */
const ls_reproduce_target *ls_reproduce_find_target(const char *name);
/* The first readable example config `file` among $LANDSYM_EXAMPLES, ./examples,
 * <executable>/../examples and <executable>/../share/landsym/examples, into buf; 0 on
 * success, -1 when none is readable. */
int ls_reproduce_find_config(const char *file, char *buf, size_t len);
/* Run target t with o (o->config: the config file, o->out_dir: the results folder;
 * o->ctx.threads < 1: the target's default, all threads, one for fig3): t->run(t, o, out, log). */
int ls_reproduce_run(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                     FILE *log);

#ifdef __cplusplus
}
#endif
#endif
