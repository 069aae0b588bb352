/* `landsym reproduce fig3` (docs/mnist.md): a face over ls_exp_reproduce_fig3
 * (landsym/exp_fig3.h). */
#ifndef LANDSYM_CLI_REPRODUCE_FIG3_H
#define LANDSYM_CLI_REPRODUCE_FIG3_H

/* The command: config file, output directory, seeds override (NULL = the config's),
 * threads (NULL = 1). Returns the exit code. */
int reproduce_fig3(const char *config, const char *out, const char *seeds, const char *threads);

#endif
