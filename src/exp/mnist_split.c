/* reproduce mnist-split: thesis (Stoican 2022) section 6.3 (landsym/exp_mnist.h). The
 * stages: training and the critical point (by the caller's trainer), the split test of
 * Theorem 3 on neuron 0 of hidden layers 3 and 2 (section 6.3.1: mu in [-0.5, 1.5] step
 * 0.1, then +-0.01, +-0.02 around 0 and 1 where M(mu) vanishes and 12 eigenvalues cross
 * zero), and perturb-and-retrain from the saddle line of layer 3 (section 6.3.2). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "landsym/config_split.h"
#include "landsym/core.h"
#include "landsym/exp_mnist.h"
#include "landsym/io.h"
#include "landsym/out.h"

/* The run's folder, timing file (rewritten after every stage) and streams. */
typedef struct {
  const char *dir;
  char *timing;
  ls_buf tb;
  FILE *out, *log;
  double t0;
} mnist_run;

static void timing_line(mnist_run *r, const char *what, double seconds, ls_status st) {
  ls_buf_printf(&r->tb, "%-44s %8.1f s (exit %d)\n", what, seconds, ls_status_exit_code(st));
  ls_error e;
  ls_buf_save(&r->tb, r->timing, &e);
}

static void print_summary(FILE *out, json_t *j) {
  ls_error e;
  if (out && j) ls_json_print(j, out, &e);
  json_decref(j);
}

void ls_exp_mnist_result_free(ls_exp_mnist_result *res) {
  if (!res) return;
  for (int i = 0; i < 6; i++) ls_exp_split_result_free(&res->split[i]);
  free(res->retrain);
  memset(res, 0, sizeof *res);
}

/* The six split stages on the critical point theta. */
static ls_status split_stages(mnist_run *r, const ls_config *cfg, const double *theta,
                              ls_exp_mnist_result *res, ls_error *err) {
  static const char *const sub[6] = {"split_layer3", "split_layer3_mu0", "split_layer3_mu1",
                                     "split_layer2", "split_layer2_mu0", "split_layer2_mu1"};
  static const int layer[6] = {3, 3, 3, 2, 2, 2};
  static const double lo[6] = {-0.5, -0.02, 0.98, -0.5, -0.02, 0.98};
  static const double hi[6] = {1.5, 0.02, 1.02, 1.5, 0.02, 1.02};
  static const long n[6] = {21, 5, 5, 21, 5, 5};
  ls_exp_split_opts o = ls_exp_split_opts_default();
  ls_status st = ls_exp_split_opts_from_config(cfg, &o, err);
  o.nsmall = 16, o.tol = 1e-13, o.neuron = 0;
  for (int i = 0; i < 6 && !st; i++) {
    char what[64], *dir = ls_path_join(r->dir, sub[i]);
    snprintf(what, sizeof what, "split layer %d neuron 0, mu %g:%g:%ld", layer[i], lo[i], hi[i], n[i]);
    if (r->log) fprintf(r->log, "landsym reproduce mnist-split: %s\n", what);
    double t = ls_clock_seconds();
    ls_error fig = {0};
    o.layer = layer[i], o.mu_lo = lo[i], o.mu_hi = hi[i], o.n_mu = n[i], o.out_dir = dir;
    st = dir ? ls_exp_split_run(&cfg->student, &cfg->data, theta, &o, &res->split[i], &fig, err)
             : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    if (!st) print_summary(r->out, ls_exp_split_summary(&res->split[i]));
    if (fig.code && r->log) fprintf(r->log, "landsym reproduce mnist-split: %s\n", fig.msg);
    timing_line(r, what, ls_clock_seconds() - t, st);
    free(dir);
  }
  return st;
}

/* Section 6.3.2's retraining: perturb (std 0.01) the saddle line of layer 3 at mu = 0.5
 * and 1.5, `retrain_trials` times each (5), and retrain (Adam lr 1e-3, `retrain_adam_steps`
 * full-batch steps (5000), then `retrain_newton_iters` Newton iterations (50)); the budget
 * comes from the config's optional "reproduce" section. */
static ls_status retrain_opts(const ls_config *cfg, ls_exp_mnist_retrain_opts *ro, ls_error *err) {
  static const char *const keys[] = {"retrain_trials", "retrain_adam_steps", "retrain_newton_iters", NULL};
  static const double mus[2] = {0.5, 1.5};
  *ro = (ls_exp_mnist_retrain_opts){3, 0, mus, 2, 5, 0.01, 1e-3, 5000, 50, 1};
  json_t *sec = ls_config_section(cfg, "reproduce");
  long v[3] = {5, 5000, 50};
  ls_status st = sec ? ls_config_check_keys(cfg, sec, "reproduce", keys, err) : LS_OK;
  for (int i = 0; i < 3 && sec && !st; i++)
    st = ls_config_get_int(cfg, sec, "reproduce", keys[i], i ? 0 : 1, 100000000, v[i], &v[i], err);
  ro->trials = (int)v[0], ro->adam_steps = (size_t)v[1], ro->newton_iters = (size_t)v[2];
  return st;
}

/* Split stages and retraining on the critical point DIR/critical/params.npy. */
static ls_status after_training(mnist_run *r, const char *config, ls_exp_mnist_result *res,
                                ls_error *err) {
  ls_config cfg;
  double *theta = NULL;
  char *p = ls_path_join(r->dir, "critical/params.npy"), *rt = ls_path_join(r->dir, "retrain");
  ls_status st = p && rt ? ls_config_load(config, &cfg, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (st) return free(p), free(rt), st;
  st = ls_params_read_net(p, &cfg.student, &theta, err);
  if (!st) st = split_stages(r, &cfg, theta, res, err);
  if (!st) {
    ls_exp_mnist_retrain_opts ro;
    st = retrain_opts(&cfg, &ro, err);
    double t = ls_clock_seconds();
    if (r->log) fprintf(r->log, "landsym reproduce mnist-split: perturb and retrain\n");
    if (!st) st = ls_exp_mnist_retrain(&cfg, theta, &ro, rt, &res->retrain, r->log, err);
    if (!st) res->retrain_rows = ro.n_mu * ro.trials;
    if (!st) print_summary(r->out, ls_exp_mnist_retrain_summary(&ro, res->retrain));
    char what[64];
    snprintf(what, sizeof what, "perturb and retrain (2 x %d runs)", ro.trials);
    timing_line(r, what, ls_clock_seconds() - t, st);
  }
  free(theta), free(p), free(rt);
  ls_config_free(&cfg);
  return st;
}

/* Training stage k by the caller's trainer. */
static ls_status train_stage(mnist_run *r, int k, const char *config, ls_exp_mnist_train_fn train,
                             void *user, ls_error *err) {
  static const char *const what[2] = {"train (adam, then newton)", "critical point (newton, critical)"};
  char *dir = ls_path_join(r->dir, k ? "critical" : "train");
  char *p1 = ls_path_join(r->dir, "train/params.npy");
  if (r->log) fprintf(r->log, "landsym reproduce mnist-split: %s\n", what[k]);
  double t = ls_clock_seconds();
  ls_status st = dir && p1 ? train(k, config, k ? p1 : NULL, dir, user, err)
                           : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  timing_line(r, what[k], ls_clock_seconds() - t, st);
  free(dir), free(p1);
  return st;
}

/* The config's split section, before any training. */
static ls_status check_config(const char *config, ls_error *err) {
  ls_config cfg;
  ls_config_split s;
  ls_status st = ls_config_load(config, &cfg, err);
  if (st) return st;
  st = ls_config_split_read(&cfg, &s, err);
  ls_exp_mnist_retrain_opts ro;
  if (!st) st = retrain_opts(&cfg, &ro, err);
  ls_config_free(&cfg);
  return st;
}

ls_status ls_exp_reproduce_mnist_split(const ls_reproduce_opts *ro, ls_exp_mnist_train_fn train,
                                       void *user, ls_exp_mnist_result *res, FILE *out, FILE *log,
                                       ls_error *err) {
  memset(res, 0, sizeof *res);
  if (!ro->config || !ro->out_dir || !train)
    return ls_error_set(err, LS_ERR_INPUT, "mnist-split needs a config, an output folder and a trainer");
  ls_status st = check_config(ro->config, err);
  if (!st) st = ls_mkdir_p(ro->out_dir, err);
  if (st) return st;
  mnist_run r = {ro->out_dir, ls_path_join(ro->out_dir, "timing.txt"), {0}, out, log, ls_clock_seconds()};
  if (!r.timing) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  st = train_stage(&r, 0, ro->config, train, user, err);
  if (!st) st = train_stage(&r, 1, ro->config, train, user, err);
  if (!st) st = after_training(&r, ro->config, res, err);
  ls_buf_printf(&r.tb, "%-44s %8.1f s\n", "total", ls_clock_seconds() - r.t0);
  ls_error e;
  ls_buf_save(&r.tb, r.timing, &e);
  if (log) fprintf(log, "landsym reproduce mnist-split: %s; times in %s\n", st ? "failed" : "done", r.timing);
  ls_buf_free(&r.tb);
  free(r.timing);
  if (st) ls_exp_mnist_result_free(res);
  return st;
}
