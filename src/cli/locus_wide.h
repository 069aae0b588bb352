/* Cooper's wide regime and attracting loci for `landsym locus` (src/cli/locus_wide.c). */
#ifndef LANDSYM_CLI_LOCUS_WIDE_H
#define LANDSYM_CLI_LOCUS_WIDE_H

#include "landsym/config.h"

/* Theorem 5.11 lines and Proposition 5.13 certificates for seeds seed0..seed0+n-1;
 * returns the exit code (1 when a line or a minimum lacks its certificate). */
int locus_wide(const ls_config *cfg, long n_seeds, long seed0);
/* Definition 3.4: fractions of n gradient flows from N(0, scale^2) reaching each locus. */
int locus_attract(const ls_config *cfg, long n_seeds, long seed0, double scale, double tmax);

#endif
