/* Progress of `landsym sweep` on stderr: a redrawn bar on a terminal, a plain line every
 * few seconds otherwise, nothing when quiet. */
#ifndef LANDSYM_CLI_SWEEP_PROGRESS_H
#define LANDSYM_CLI_SWEEP_PROGRESS_H

#include "landsym/sweep.h"

typedef struct {
  int quiet, tty;
  double interval_s; /* between plain lines */
  double last_s;     /* elapsed time of the last output */
  int drawn;         /* a bar line is on screen (needs a newline before other output) */
  const char *label; /* "" or "rank 0 of 2: " */
} cli_progress;

void cli_progress_init(cli_progress *p, int quiet, const char *label);
/* ls_sweep_progress_fn */
void cli_progress_update(void *ctx, const ls_sweep_progress *s);
/* End the bar line if one is drawn. */
void cli_progress_end(cli_progress *p);

#endif
