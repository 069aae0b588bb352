/* The config's "train" section -> trainer options and initialisation for `landsym sweep`,
 * read by `landsym train`'s own reader so that the section means the same for both
 * commands (docs/train.md). */
#include <string.h>

#include "cli/sweep_job.h"
#include "cli/train_keys.h"

ls_status cli_sweep_train_opts(const ls_config *c, cli_sweep_train *t, ls_error *err) {
  train_settings st;
  ls_status s = train_settings_read(c, ls_config_section(c, "train"), &st, err);
  if (s) return s;
  t->opts = st.opts;
  t->init_normal = !strcmp(st.init, "normal");
  t->init_scale = st.init_scale;
  return LS_OK;
}
