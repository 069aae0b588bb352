/* landsym: the papers' figures and tables as library calls. Each target
 * ls_exp_reproduce_<name> runs the experiment of one figure or table, writes its results
 * folder (tables, run files, figures through landsym/out.h) and returns its headline
 * numbers; `landsym reproduce NAME` is a thin face over these calls (docs/reproduce.md). */
#ifndef LANDSYM_EXP_REPRODUCE_H
#define LANDSYM_EXP_REPRODUCE_H

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

#ifdef __cplusplus
}
#endif
#endif
