/* Figures of Simsek et al. 2021 drawn by `landsym reproduce` that need no sweep. */
#ifndef LANDSYM_CLI_REPRODUCE_SIMSEK_H
#define LANDSYM_CLI_REPRODUCE_SIMSEK_H

/* Figure 2 (Lemma 2.1's picture) into out: fig2.dat/.gp/.png/.svg; returns the exit code. */
int reproduce_simsek_fig2(const char *out);

#endif
