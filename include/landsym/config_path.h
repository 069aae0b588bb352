/* landsym: the "path" section of a config (docs/config.md, docs/path.md) as options of
 * the permutation path (landsym/paths.h). */
#ifndef LANDSYM_CONFIG_PATH_H
#define LANDSYM_CONFIG_PATH_H

#include "landsym/config.h"
#include "landsym/paths.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ls_path_opts_default, then the config's "path" section when present:
 *   steps    schedule length (1..1e6)
 *   dmin     last distance relative to d0, in (0, 1)
 *   maxeval  LBFGS evaluations per step (1..1e8)
 *   comment  ignored
 * Unknown keys, wrong types and values out of range are LS_ERR_INPUT naming the file. */
ls_status ls_config_read_path_opts(const ls_config *cfg, ls_path_opts *po, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
