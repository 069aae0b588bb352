/* Brea et al. 2019 figure 2 for `landsym path --reproduce-fig2` and the reproduce
 * dispatcher. */
#ifndef LANDSYM_CLI_PATH_FIG2_H
#define LANDSYM_CLI_PATH_FIG2_H

/* The experiment of examples/fig2.json as a JSON string. */
extern const char *const ls_fig2_config_json;

/* Run figure 2 (all 10 pairs, 200 log-spaced steps down to 1e-4 d0) into out_dir;
 * steps <= 0 means 200. Returns the process exit code. */
int ls_cli_reproduce_fig2(const char *out_dir, int steps);

#endif
