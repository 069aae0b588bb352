/* Thesis (Stoican 2022) figures 6.9 and 6.12 for `landsym reproduce`. */
#ifndef LANDSYM_CLI_REPRODUCE_FIG69_H
#define LANDSYM_CLI_REPRODUCE_FIG69_H

/* Sweep CONFIG into OUT (SEEDS seeds, default 40; an existing sweep kept with resume), then
 * the nearest saddle of every local minimum, Theorems 1 and 2 at each, fig6_9.csv and the
 * figures fig6_9 and fig6_12. Returns the exit code. */
int reproduce_fig69(const char *config, const char *out, const char *seeds, const char *threads,
                    int resume);

#endif
