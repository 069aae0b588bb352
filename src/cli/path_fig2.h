/* Brea et al. 2019 figure 2 for `landsym path --reproduce-fig2` and the reproduce
 * dispatcher: the experiment is ls_exp_reproduce_fig2 (landsym/exp_path.h). */
#ifndef LANDSYM_CLI_PATH_FIG2_H
#define LANDSYM_CLI_PATH_FIG2_H

#include "landsym/exp_path.h"

/* Run figure 2 (all 10 pairs, 200 log-spaced steps down to 1e-4 d0) into out_dir and print
 * its table; steps <= 0 means 200. Returns the process exit code. */
int ls_cli_reproduce_fig2(const char *out_dir, int steps);

/* The table of `landsym path` on stdout (or summary.json with json); the exit code. */
int cli_path_print(const ls_exp_path_result *r, const char *out, int json);

#endif
