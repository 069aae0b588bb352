/* landsym: experiment configuration (JSON, schema in docs/config.md).
 *
 * ls_config_load parses the file into a data set (targets already filled from the
 * teacher or the file), an optional teacher (network + parameters) and the student
 * network, and keeps the whole JSON document so that each command reads its own
 * section (train, sweep, ...) with ls_config_section. Relative paths are resolved
 * against the directory of the config file. Every error names the file and the field:
 * "config.json: student.widths[1]: width must be >= 1". */
#ifndef LANDSYM_CONFIG_H
#define LANDSYM_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "landsym/data.h"
#include "landsym/io.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char *path;  /* as given ("examples/thesis_toy.json" or "builtin:thesis") */
  char *dir;   /* directory that relative paths are resolved against */
  json_t *root;       /* whole document (owned) */
  ls_data data;       /* inputs, targets, weights */
  char data_desc[256];/* one-line description: "grid 41^2 on [-5,5]" */
  int has_teacher;
  ls_net teacher;
  double *teacher_params; /* ls_net_nparams(&teacher) entries (owned) */
  ls_net student;
} ls_config;

/* Top-level keys accepted by ls_config_load: the sections parsed here, free text,
 * and the sections owned by the commands (NULL-terminated). */
extern const char *const ls_config_known_sections[];
/* Those of them that no command reads: a config holding one is refused (exit 2). */
extern const char *const ls_config_unread_sections[];

/* Load a config file, or a built-in experiment "builtin:NAME" (see
 * ls_config_builtin_names). cfg is zeroed first; on failure it is left freed. */
ls_status ls_config_load(const char *path, ls_config *cfg, ls_error *err);
/* Same from an already parsed document (reference taken; name is used in messages,
 * dir for relative paths, NULL = "."). */
ls_status ls_config_load_json(json_t *root, const char *name, const char *dir,
                              ls_config *cfg, ls_error *err);
void ls_config_free(ls_config *cfg); /* accepts a zeroed struct */

/* Built-in experiments: "thesis" (thesis section 6.2 toy: 41x41 grid on [-5,5]^2,
 * 2-4-1 sigmoid teacher without biases, 2-5-1 student). New reference. */
json_t *ls_config_builtin(const char *name);
extern const char *const ls_config_builtin_names[];

/* Borrowed JSON object of a top-level section, or NULL when absent. */
json_t *ls_config_section(const ls_config *cfg, const char *name);
/* Check that obj (an object found at `where`, e.g. "train") has only the keys in
 * allowed (NULL-terminated): "config.json: train.stpes: unknown key (known: ...)". */
ls_status ls_config_check_keys(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *const *allowed, ls_error *err);
/* Path relative to the config file's directory (absolute paths unchanged); malloc'd. */
char *ls_config_path(const ls_config *cfg, const char *rel);

/* Typed getters for command sections: absent key -> default, wrong type or range ->
 * LS_ERR_INPUT naming "file: where.key". */
ls_status ls_config_get_int(const ls_config *cfg, const json_t *obj, const char *where,
                            const char *key, long lo, long hi, long def, long *out,
                            ls_error *err);
ls_status ls_config_get_double(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *key, double def, double *out, ls_error *err);
ls_status ls_config_get_string(const ls_config *cfg, const json_t *obj, const char *where,
                               const char *key, const char *def, const char **out,
                               ls_error *err);

/* Targets from a teacher network (src/config/teacher.c; the engine evaluates it): y = teacher(x) for an MSE teacher; for an NLL
 * teacher (teacher->loss == LS_LOSS_NLL) with onehot = 0 the
 * teacher's softmax probabilities, (onehot = 1) the one-hot row of its argmax.
 * teacher widths must match d->din and d->dout. */
ls_status ls_data_teacher_targets(ls_data *d, const ls_net *teacher, const double *theta,
                                  int onehot, ls_error *err);
/* A network section ({"widths", "activation", ...}, docs/config.md) -> ls_net. */
ls_status ls_config_parse_net(const ls_config *cfg, const json_t *obj, const char *where,
                              ls_net *net, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
