/* Private to the reproduce targets of src/exp. */
#ifndef LANDSYM_EXP_REPRODUCE_INT_H
#define LANDSYM_EXP_REPRODUCE_INT_H

#include "landsym/exp_reproduce.h"
#include "landsym/exp_sweep.h"

/* The sweep of a reproduce target in opts->out_dir: opts->seeds seeds, else def (0: the
 * config's); progress on stderr unless quiet. LS_ERR_INPUT when opts->config is NULL. */
ls_status exp_reproduce_sweep(const ls_reproduce_opts *opts, long def, int quiet,
                              ls_exp_sweep_result *res, ls_error *err);

#endif
