/* The "train" section is read by the library (landsym/config_train.h); these names remain
 * for src/cli/sweep_train_opts.c until it calls ls_config_train_read itself. */
#ifndef LANDSYM_CLI_TRAIN_KEYS_H
#define LANDSYM_CLI_TRAIN_KEYS_H

#include "landsym/config_train.h"

typedef ls_train_settings train_settings;

static inline ls_status train_settings_read(const ls_config *cfg, const json_t *sec,
                                            train_settings *s, ls_error *err) {
  return ls_config_train_read(cfg, sec, s, err);
}

#endif
