/* The training run of `landsym train` as a library call (landsym/exp_train.h): merged
 * "train" section -> options, seed, initial point, ls_train, results folder. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "landsym/exp_train.h"
#include "landsym/io.h"

void ls_train_run_opts_default(ls_train_run_opts *o) {
  memset(o, 0, sizeof *o);
  o->plot = 1;
  o->ctx = ls_ctx_default();
}

void ls_train_run_free(ls_train_run *run) {
  if (!run) return;
  ls_train_result_free(&run->res);
  free(run->theta0), free(run->theta);
  json_decref(run->section);
  memset(run, 0, sizeof *run);
}

/* The config's section with the overrides merged in (new object in run->section). */
static ls_status merged_section(const ls_config *cfg, const json_t *over, ls_train_run *run,
                                ls_error *err) {
  json_t *cs = ls_config_section(cfg, "train");
  if (cs && !json_is_object(cs))
    return ls_error_set(err, LS_ERR_INPUT, "%s: train: expected an object", cfg->path);
  run->section = cs ? json_deep_copy(cs) : json_object();
  if (!run->section) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (over) json_object_update(run->section, (json_t *)over);
  return LS_OK;
}

/* Seed: the given one, else the config's top-level "seed", else 0. */
static ls_status resolve_seed(const ls_config *cfg, const ls_train_run_opts *o, uint64_t *seed,
                              ls_error *err) {
  *seed = o->have_seed ? o->seed : 0;
  json_t *s = json_object_get(cfg->root, "seed");
  if (o->have_seed || !s) return LS_OK;
  if (!json_is_integer(s) || json_integer_value(s) < 0)
    return ls_error_set(err, LS_ERR_INPUT, "%s: seed: expected a non-negative integer", cfg->path);
  *seed = (uint64_t)json_integer_value(s);
  return LS_OK;
}

/* The initial point: the params file, else the seeded init of the section; theta0 a copy. */
static ls_status initial_point(const ls_config *cfg, const ls_train_run_opts *o,
                               ls_train_run *run, ls_error *err) {
  const ls_train_settings *st = &run->settings;
  size_t P = run->P;
  ls_status s = LS_OK;
  if (o->params) {
    snprintf(run->init_desc, sizeof run->init_desc, "%s", o->params);
    s = ls_params_read_net(o->params, &cfg->student, &run->theta, err);
  } else if (!(run->theta = malloc(P * sizeof(double)))) {
    s = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  } else if (!strcmp(st->init, "normal")) {
    ls_params_normal(&cfg->student, run->seed, st->init_scale, run->theta);
    snprintf(run->init_desc, sizeof run->init_desc, "normal scale %g seed %llu", st->init_scale,
             (unsigned long long)run->seed);
  } else {
    ls_params_glorot(&cfg->student, run->seed, run->theta);
    snprintf(run->init_desc, sizeof run->init_desc, "glorot seed %llu",
             (unsigned long long)run->seed);
  }
  if (s != LS_OK) return s;
  if (!(run->theta0 = malloc(P * sizeof(double))))
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  memcpy(run->theta0, run->theta, P * sizeof(double));
  return LS_OK;
}

/* Options, seed and the output folder checked before any training. */
static ls_status prepare(const ls_config *cfg, const ls_train_run_opts *o, ls_train_run *run,
                         ls_error *err) {
  ls_status s = merged_section(cfg, o->over, run, err);
  if (!s) s = ls_config_train_read(cfg, run->section, &run->settings, err);
  if (!s) s = resolve_seed(cfg, o, &run->seed, err);
  if (s) return s;
  ls_train_opts *to = &run->settings.opts;
  to->seed = run->seed ^ 0x6d696e6962617463ull; /* minibatch stream, apart from the init's */
  to->progress = o->progress, to->progress_user = o->progress_user;
  if ((s = ls_train_opts_validate(to, &cfg->student, err))) return s;
  struct stat sb;
  if (o->out_dir && stat(o->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
    return ls_error_set(err, LS_ERR_INPUT, "--out %s exists and is not a directory", o->out_dir);
  run->P = ls_net_nparams(&cfg->student);
  ls_net_describe(&cfg->student, run->student, sizeof run->student);
  return initial_point(cfg, o, run, err);
}

ls_status ls_exp_train(const ls_config *cfg, const ls_train_run_opts *o, ls_train_run *run,
                       ls_error *err) {
  memset(run, 0, sizeof *run);
  ls_status s = prepare(cfg, o, run, err);
  if (s) return s;
  ls_ctx_apply_blas(&o->ctx);
  s = ls_train(&cfg->student, &cfg->data, run->theta, &run->settings.opts, &run->res, err);
  if (s || !o->out_dir) return s;
  return ls_exp_train_write(cfg, run, o->out_dir, o->plot, err, run->warning, sizeof run->warning);
}
