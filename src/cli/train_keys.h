/* Keys of the config's "train" section and of the matching command-line flags of
 * `landsym train` (flag = key with '_' -> '-'); docs/train.md lists them. */
#ifndef LANDSYM_CLI_TRAIN_KEYS_H
#define LANDSYM_CLI_TRAIN_KEYS_H

#include <jansson.h>

#include "landsym/config.h"
#include "landsym/optim.h"

typedef enum { TK_DOUBLE, TK_COUNT, TK_STRING, TK_BOOL } train_key_type;

typedef struct {
  const char *key;
  train_key_type type;
  const char *help;
} train_key;

extern const train_key train_keys[];
extern const int train_nkeys;

/* Everything `landsym train` reads from the "train" section (after flags). */
typedef struct {
  ls_train_opts opts;
  const char *init;   /* "glorot" or "normal" */
  double init_scale;
  long traj_per_decade;
} train_settings;

/* Parse a flag's text into a JSON value of the key's type; 0 on success. */
int train_key_from_text(const train_key *k, const char *text, json_t **out);
/* Read the (merged) train section into s; messages name "file: train.key". */
ls_status train_settings_read(const ls_config *cfg, const json_t *sec, train_settings *s,
                              ls_error *err);

#endif
