/* landsym: the "train" section of an experiment config (docs/train.md, docs/config.md) and
 * the trainer options it gives. `landsym train` exposes each key as a flag of the same
 * name ('_' -> '-') that overrides the section; a sweep reads the same section. */
#ifndef LANDSYM_CONFIG_TRAIN_H
#define LANDSYM_CONFIG_TRAIN_H

#include <jansson.h>

#include "landsym/config.h"
#include "landsym/optim.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LS_TRAIN_KEY_DOUBLE, /* a finite number */
  LS_TRAIN_KEY_COUNT,  /* a non-negative integer */
  LS_TRAIN_KEY_STRING,
  LS_TRAIN_KEY_BOOL    /* true/false (as a flag: true, false, 1, 0) */
} ls_train_key_type;

typedef struct {
  const char *key;
  ls_train_key_type type;
  const char *help; /* one line, default in parentheses */
} ls_train_key;

/* The keys of the section, in the order of `landsym train --help`; *n gets their count. */
const ls_train_key *ls_config_train_keys(int *n);

/* A flag's text as a JSON value of the key's type (new reference in *out); LS_ERR_INPUT
 * when the text does not have that type. */
ls_status ls_config_train_key_value(const ls_train_key *k, const char *text, json_t **out,
                                    ls_error *err);

/* Everything the section gives: trainer options and the seeded initial point's kind. */
typedef struct {
  ls_train_opts opts;
  const char *init;  /* "glorot" or "normal" (points into the section or a literal) */
  double init_scale; /* standard deviation of init normal */
} ls_train_settings;

/* Read section sec (NULL: all defaults; else a JSON object, e.g. the config's section with
 * flag overrides merged in) into s. Unknown keys and values of the wrong type or range are
 * LS_ERR_INPUT with a message naming "FILE: train.KEY". The options are not validated
 * against a network here (ls_train_opts_validate does that). */
ls_status ls_config_train_read(const ls_config *cfg, const json_t *sec, ls_train_settings *s,
                               ls_error *err);
/* The settings of cfg's own "train" section (what a sweep's training job uses). */
ls_status ls_config_train_settings(const ls_config *cfg, ls_train_settings *st, ls_error *err);
/* The trainer options of cfg's own "train" section. */
ls_status ls_config_train_opts(const ls_config *cfg, ls_train_opts *opts, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
