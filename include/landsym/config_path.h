/* landsym: the "path" section of a config (docs/config.md, docs/path.md): the schedule of
 * the permutation path (landsym/paths.h, ls_path_opts) as a config gives it. */
#ifndef LANDSYM_CONFIG_PATH_H
#define LANDSYM_CONFIG_PATH_H

#include "landsym/config.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The keys of the section. On entry the fields hold the defaults (the caller's, e.g. those
 * of ls_path_opts_default); a key present in the section replaces its field. */
typedef struct {
  int steps;    /* schedule length (1..1e6) */
  double dmin;  /* last distance relative to d0, in (0, 1) */
  int maxeval;  /* LBFGS evaluations per step (1..1e8) */
} ls_config_path_section;

/* Read the "path" section when present ("comment" is ignored). Unknown keys, wrong types
 * and values out of range are LS_ERR_INPUT naming the file. */
ls_status ls_config_read_path_opts(const ls_config *cfg, ls_config_path_section *p, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
