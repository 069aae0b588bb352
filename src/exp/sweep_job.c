/* The sweep experiment (landsym/exp_sweep.h): config, "sweep" section and the per-seed
 * job: initialise the student from the seed, train, report. */
#include "landsym/exp_sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/config_train.h"
#include "landsym/io.h"
#include "landsym/optim.h"

struct ls_exp_sweep {
  ls_config cfg;
  long seeds, first_seed;
  int n_widths, widths[LS_SWEEP_MAX_WIDTHS];
  int set_width; /* 1: the sweep's widths replace the student's hidden width */
  int trajectory; /* 1: write runs/w<W>_s<S>.traj.csv (loss curve) beside each run */
  const char *dir;
  char *init_from; /* another sweep's directory: each run starts where its run (w, s) ended */
  ls_train_settings train;
  char desc[1024];
};

static const char *const sweep_keys[] = {"seeds",      "first_seed", "student_widths",
                                         "trajectory", "init_from",  NULL};

/* "init_from": a sweep directory (relative to the config) that must hold a manifest. */
static ls_status parse_init_from(ls_exp_sweep *x, const json_t *sec, ls_error *err) {
  const ls_config *c = &x->cfg;
  const char *rel;
  ls_status s = ls_config_get_string(c, sec, "sweep", "init_from", "", &rel, err);
  if (s || !*rel) return s;
  if (!(x->init_from = ls_config_path(c, rel)))
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_sweep_manifest m = {0};
  s = ls_sweep_manifest_read(x->init_from, &m, err);
  ls_sweep_manifest_free(&m);
  if (s) ls_error_prefix(err, "%s: sweep.init_from", c->path);
  return s == LS_ERR_IO ? LS_ERR_INPUT : s;
}

/* "sweep": {"seeds": N, "first_seed": S, "student_widths": [w, ...]}, all optional. */
static ls_status parse_sweep(ls_exp_sweep *x, ls_error *err) {
  const ls_config *c = &x->cfg;
  json_t *sec = ls_config_section(c, "sweep");
  x->first_seed = 1;
  x->n_widths = 1;
  x->widths[0] = c->student.width[1];
  if (!sec) return LS_OK;
  ls_status s;
  if (!json_is_object(sec))
    return ls_error_set(err, LS_ERR_INPUT, "%s: sweep: must be an object", c->path);
  if ((s = ls_config_check_keys(c, sec, "sweep", sweep_keys, err)) ||
      (s = ls_config_get_int(c, sec, "sweep", "seeds", 1, 100000000, 0, &x->seeds, err)) ||
      (s = ls_config_get_int(c, sec, "sweep", "first_seed", 0, 1L << 52, 1, &x->first_seed,
                             err)))
    return s;
  json_t *tj = json_object_get(sec, "trajectory");
  if (tj && !json_is_boolean(tj))
    return ls_error_set(err, LS_ERR_INPUT, "%s: sweep.trajectory: must be true or false", c->path);
  x->trajectory = tj && json_is_true(tj);
  if ((s = parse_init_from(x, sec, err))) return s;
  json_t *w = json_object_get(sec, "student_widths");
  if (!w) return LS_OK;
  if (!json_is_array(w) || json_array_size(w) < 1 || json_array_size(w) > LS_SWEEP_MAX_WIDTHS)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: sweep.student_widths: must be a list of 1 to %d widths", c->path,
                        LS_SWEEP_MAX_WIDTHS);
  x->n_widths = (int)json_array_size(w);
  for (int i = 0; i < x->n_widths; i++) {
    json_t *v = json_array_get(w, (size_t)i);
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: sweep.student_widths[%d]: must be an integer in 1..100000",
                          c->path, i);
    x->widths[i] = (int)json_integer_value(v);
  }
  x->set_width = 1;
  return LS_OK;
}

ls_status ls_exp_sweep_load(const char *path, ls_exp_sweep **out, ls_error *err) {
  *out = NULL;
  ls_exp_sweep *x = calloc(1, sizeof *x);
  if (!x) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status s = ls_config_load(path, &x->cfg, err);
  if (!s) s = parse_sweep(x, err);
  if (!s) s = ls_config_train_settings(&x->cfg, &x->train, err);
  if (!s) s = ls_train_opts_validate(&x->train.opts, &x->cfg.student, err);
  if (s) {
    ls_exp_sweep_free(x);
    return s;
  }
  /* Per-job progress reports are not kept in a sweep; trajectories (losses only) on demand. */
  if (!x->trajectory) x->train.opts.traj_per_decade = 0;
  x->train.opts.traj_params = 0;
  x->train.opts.progress = NULL;
  char net[256];
  ls_net_describe(&x->cfg.student, net, sizeof net);
  snprintf(x->desc, sizeof x->desc, "student %s on %s, train %s+%s", net, x->cfg.data_desc,
           ls_first_name(x->train.opts.first), ls_polish_name(x->train.opts.polish));
  *out = x;
  return LS_OK;
}

void ls_exp_sweep_free(ls_exp_sweep *x) {
  if (!x) return;
  ls_config_free(&x->cfg);
  free(x->init_from);
  free(x);
}

void ls_exp_sweep_opts(const ls_exp_sweep *x, ls_sweep_opts *o) {
  o->config = x->cfg.root;
  o->input_dir = x->cfg.dir;
  o->n_seeds = x->seeds;
  o->first_seed = x->first_seed;
  o->n_widths = x->n_widths;
  memcpy(o->widths, x->widths, (size_t)x->n_widths * sizeof *x->widths);
}

const char *ls_exp_sweep_describe(const ls_exp_sweep *x) { return x->desc; }

void ls_exp_sweep_set_dir(ls_exp_sweep *x, const char *dir) { x->dir = dir; }

/* runs/w<W>_s<S>.traj.csv: iteration, loss, gradient inf-norm, phase (written before the
 * run record, so a recorded run always has its trajectory). */
static ls_status write_trajectory(const ls_exp_sweep *x, const ls_sweep_task *t,
                                  const ls_trajectory *tr, ls_error *err) {
  char path[4096];
  ls_status s = ls_sweep_run_path(x->dir, t->width, t->seed, ".traj.csv", path, sizeof path, err);
  if (s) return s;
  double *rows = malloc((tr->n ? tr->n : 1) * 4 * sizeof *rows);
  if (!rows) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for a trajectory");
  for (size_t k = 0; k < tr->n; k++) {
    rows[4 * k] = tr->iter[k], rows[4 * k + 1] = tr->loss[k];
    rows[4 * k + 2] = tr->grad_norm[k], rows[4 * k + 3] = tr->phase[k];
  }
  s = ls_csv_write(path, "iter,loss,grad_inf,phase", rows, tr->n, 4, err);
  free(rows);
  return s;
}

void ls_exp_sweep_student(const ls_exp_sweep *x, int width, ls_net *net) {
  *net = x->cfg.student;
  /* Every hidden layer gets the sweep's width (one hidden layer: the usual case). */
  for (int l = 1; x->set_width && l < net->n_layers; l++) net->width[l] = width;
}

/* theta <- DIR/runs/w<W>_s<S>.npy of the sweep named by init_from (its length checked). */
static ls_status init_from_run(const ls_exp_sweep *x, const ls_net *net, int width, long seed,
                               double *theta, ls_error *err) {
  char path[4096];
  double *v = NULL;
  ls_status s = ls_sweep_run_path(x->init_from, width, seed, ".npy", path, sizeof path, err);
  if (!s) s = ls_params_read_net(path, net, &v, err);
  if (!s) memcpy(theta, v, ls_net_nparams(net) * sizeof *theta);
  free(v);
  if (s) ls_error_prefix(err, "%s: sweep.init_from", x->cfg.path);
  /* a run the other sweep has not finished is a problem of the input, not of this run */
  return s == LS_ERR_IO ? LS_ERR_INPUT : s;
}

/* The run depends on (config, seed, width) only: initial point from the seed (or from the
 * end of run (width, seed) of the sweep init_from names), and any minibatch sampling from
 * the same seed. */
ls_status ls_exp_sweep_init(const ls_exp_sweep *x, const ls_net *net, int width, long seed,
                            double *theta, ls_error *err) {
  if (x->init_from) return init_from_run(x, net, width, seed, theta, err);
  if (!strcmp(x->train.init, "normal"))
    ls_params_normal(net, (uint64_t)seed, x->train.init_scale, theta);
  else
    ls_params_glorot(net, (uint64_t)seed, theta);
  return LS_OK;
}

const ls_data *ls_exp_sweep_data(const ls_exp_sweep *x) { return &x->cfg.data; }

const ls_train_opts *ls_exp_sweep_train_opts(const ls_exp_sweep *x) { return &x->train.opts; }

ls_status ls_exp_sweep_job(void *ctx, const ls_sweep_task *t, ls_seed_result *out,
                            ls_error *err) {
  const ls_exp_sweep *x = ctx;
  ls_net net;
  ls_exp_sweep_student(x, t->width, &net);
  size_t P = ls_net_nparams(&net);
  double *theta = malloc(P * sizeof *theta);
  if (!theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", P);
  ls_status s = ls_exp_sweep_init(x, &net, t->width, t->seed, theta, err);
  if (s) {
    free(theta);
    return s;
  }
  ls_train_opts opts = x->train.opts;
  opts.seed = (uint64_t)t->seed;
  ls_train_result r;
  memset(&r, 0, sizeof r);
  s = ls_train(&net, &x->cfg.data, theta, &opts, &r, err);
  if (s) {
    free(theta);
    ls_train_result_free(&r);
    return s;
  }
  if (x->trajectory && x->dir && (s = write_trajectory(x, t, &r.traj, err))) {
    free(theta);
    ls_train_result_free(&r);
    return s;
  }
  out->loss = r.loss;
  out->grad_inf = r.grad_norm;
  snprintf(out->stop, sizeof out->stop, "%s", ls_stop_name(r.stop));
  out->converged = r.stop == LS_STOP_GRAD && isfinite(r.loss);
  out->iterations = (long)r.iters;
  out->params = theta;
  out->nparams = P;
  ls_train_result_free(&r);
  return LS_OK;
}
