/* Output files of `landsym train` (docs/train.md). */
#ifndef LANDSYM_CLI_TRAIN_OUT_H
#define LANDSYM_CLI_TRAIN_OUT_H

#include <jansson.h>
#include <stdint.h>

#include "landsym/optim.h"

typedef struct {
  const char *config_path;
  uint64_t seed;
  const char *net_desc, *data_desc, *init_desc;
  size_t P, n_samples;
  const ls_train_opts *opts;
  int plot;
} train_run_info;

/* The result as a JSON object (new reference). */
json_t *train_result_json(const train_run_info *info, const ls_train_result *r);
/* Write result.json, params.npy, init.npy, trajectory.npy, trajectory.csv and (if plot)
 * loss.dat, loss.gp, loss.png, loss.svg into dir (created if missing). All or nothing:
 * on failure the files already written are removed. */
ls_status train_write_outputs(const char *dir, const train_run_info *info, const double *theta0,
                              const double *theta, const ls_train_result *r, ls_error *err);

#endif
