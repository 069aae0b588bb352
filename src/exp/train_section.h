/* The config's "train" section read for the sweep's job: trainer options and the initial
 * point, with the meaning `landsym train` gives the section (docs/train.md).
 *
 * TO BE REPLACED by the library's reader of the "train" section (src/config/train.c):
 * this file is src/cli/train_keys.c's train_settings_read moved here as it was, so that
 * the sweep could leave the command line before that reader existed. Both must accept the
 * same keys with the same defaults until then. */
#ifndef LANDSYM_EXP_TRAIN_SECTION_H
#define LANDSYM_EXP_TRAIN_SECTION_H

#include "landsym/config.h"
#include "landsym/optim.h"

typedef struct {
  ls_train_opts opts;
  int init_normal;   /* 0: Glorot normal; 1: every weight N(0, init_scale^2) */
  double init_scale;
} exp_train_section;

/* The config's "train" section (optional) -> trainer options (defaults for absent keys);
 * LS_ERR_INPUT naming "file: train.key". */
ls_status exp_train_section_read(const ls_config *c, exp_train_section *t, ls_error *err);

#endif
