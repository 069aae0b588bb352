/* Brea et al. 2019, section 3 and figure 3 (landsym/exp_fig3.h). For each hidden width H
 * and seed: train a teacher din-H-H-10 on the data with softmax negative log-likelihood,
 * initialise the student at the teacher, and merge the two units of highest cosine
 * similarity in the second hidden layer along a log-spaced distance schedule down to dmin
 * of the initial distance (Algorithm 1, ls_path_build), re-optimising every other parameter
 * on the regression loss between teacher and student outputs before the softmax. Reported
 * along the path: Brea's normalised MSE
 *   L = (1/T) sum_mu ||y_mu - f(x_mu; theta)||^2 / <y^2>,
 * <y^2> the mean of y_mu^2 over patterns and outputs (section 3), and the training accuracy. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "landsym/core.h"
#include "landsym/engine.h"
#include "landsym/exp_fig3.h"
#include "landsym/io.h"
#include "landsym/optim.h"
#include "landsym/out.h"
#include "landsym/paths.h"

void ls_exp_fig3_run_free(ls_exp_fig3_run *r) {
  if (!r) return;
  free(r->d), free(r->nmse), free(r->acc);
  memset(r, 0, sizeof *r);
}

/* reproduce.hidden: 1 to LS_EXP_FIG3_MAX_H widths in [2, 4096] (default 10, 15, 20, 25). */
static ls_status read_hidden(const ls_config *cfg, const json_t *sec, ls_exp_fig3_opts *o,
                             ls_error *err) {
  const json_t *hv = json_object_get(sec, "hidden");
  if (!hv) {
    static const int def[] = {10, 15, 20, 25};
    for (int i = 0; i < 4; i++) o->hidden[o->n_hidden++] = def[i];
    return LS_OK;
  }
  if (!json_is_array(hv) || json_array_size(hv) < 1 || json_array_size(hv) > LS_EXP_FIG3_MAX_H)
    return ls_error_set(err, LS_ERR_INPUT, "%s: reproduce.hidden: expected 1 to %d integers",
                        cfg->path, LS_EXP_FIG3_MAX_H);
  for (size_t i = 0; i < json_array_size(hv); i++) {
    const json_t *e = json_array_get(hv, i);
    if (!json_is_integer(e) || json_integer_value(e) < 2 || json_integer_value(e) > 4096)
      return ls_error_set(err, LS_ERR_INPUT,
                          "%s: reproduce.hidden[%zu]: expected an integer in [2, 4096] (two units "
                          "are merged)", cfg->path, i);
    o->hidden[o->n_hidden++] = (int)json_integer_value(e);
  }
  return LS_OK;
}

/* The teacher: din-H-H-dout, softmax NLL on one-hot targets. */
static ls_status check_student(const ls_config *cfg, ls_error *err) {
  const ls_net *s = &cfg->student;
  if (s->loss != LS_LOSS_NLL || s->n_layers != 3)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: student: fig3 needs two hidden layers and \"loss\": \"nll\" (got %d "
                        "layers, loss %s); its hidden widths are replaced by reproduce.hidden",
                        cfg->path, s->n_layers, ls_loss_name(s->loss));
  if (s->act[1].kind == LS_ACT_RELU)
    return ls_error_set(err, LS_ERR_INPUT,
                        "%s: student.activation: relu is not supported here (the absolute-distance "
                        "schedule needs an activation without rescaling symmetry)", cfg->path);
  return LS_OK;
}

ls_status ls_exp_fig3_opts_read(const ls_config *cfg, ls_exp_fig3_opts *o, ls_error *err) {
  static const char *const keys[] = {"hidden", "seeds", "layer", "steps", "dmin", "maxeval",
                                     "train_iters", "train_lr", "train_polish", "merged_maxeval",
                                     "comment", NULL};
  const char *file = cfg->path;
  memset(o, 0, sizeof *o);
  const json_t *sec = ls_config_section(cfg, "reproduce");
  if (sec && !json_is_object(sec))
    return ls_error_set(err, LS_ERR_INPUT, "%s: reproduce: expected an object", file);
  json_t *empty = json_object();
  if (!sec) sec = empty;
  ls_status st = ls_config_check_keys(cfg, sec, "reproduce", keys, err);
  long v = 0;
  if (!st) st = read_hidden(cfg, sec, o, err);
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "seeds", 1, 10000, 6, &v, err);
  o->seeds = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "layer", 1, 2, 2, &v, err);
  o->layer = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "steps", 1, 100000, 100, &v, err);
  o->steps = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "maxeval", 1, 100000000, 300, &v, err);
  o->maxeval = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "train_iters", 0, 100000000, 1500, &v, err);
  o->train_iters = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "train_polish", 0, 1000000, 0, &v, err);
  o->train_polish = (int)v;
  if (!st) st = ls_config_get_int(cfg, sec, "reproduce", "merged_maxeval", 0, 100000000, 3000, &v, err);
  o->merged_maxeval = (int)v;
  if (!st) st = ls_config_get_double(cfg, sec, "reproduce", "dmin", 1e-4, &o->dmin, err);
  if (!st && !(o->dmin > 0 && o->dmin < 1))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: reproduce.dmin: must be in (0, 1) (got %g)", file,
                      o->dmin);
  if (!st) st = ls_config_get_double(cfg, sec, "reproduce", "train_lr", 3e-3, &o->train_lr, err);
  if (!st && !(o->train_lr > 0 && isfinite(o->train_lr)))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: reproduce.train_lr: must be > 0", file);
  if (!st && o->train_iters == 0 && o->train_polish == 0)
    st = ls_error_set(err, LS_ERR_INPUT,
                      "%s: reproduce: train_iters and train_polish are both 0 (no training)", file);
  json_decref(empty);
  if (st) return st;
  return check_student(cfg, err);
}

/* Fraction of samples whose largest output is the labelled class (y one-hot). */
static double accuracy(const ls_data *d, const double *out) {
  size_t hit = 0;
  int K = d->dout;
  for (size_t k = 0; k < d->n; k++) {
    const double *o = out + k * (size_t)K, *y = d->y + k * (size_t)K;
    int a = 0, b = 0;
    for (int j = 1; j < K; j++) {
      if (o[j] > o[a]) a = j;
      if (y[j] > y[b]) b = j;
    }
    hit += a == b;
  }
  return (double)hit / (double)d->n;
}

static ls_status train_teacher(const ls_config *cfg, const ls_exp_fig3_opts *o, const ls_net *net,
                               int seed, double *theta, double *nll, ls_error *err) {
  ls_params_glorot(net, (uint64_t)seed, theta);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.first = o->train_iters ? LS_FIRST_ADAM : LS_FIRST_NONE;
  to.first_maxiter = (size_t)o->train_iters;
  to.lr = o->train_lr;
  to.polish = o->train_polish ? LS_POLISH_LBFGS : LS_POLISH_NONE;
  to.polish_maxiter = (size_t)o->train_polish;
  to.switch_grad_tol = 0;
  to.grad_tol = 0;
  to.traj_per_decade = 0;
  to.traj_params = 0;
  ls_train_result r = {0};
  ls_status st = ls_train(net, &cfg->data, theta, &to, &r, err);
  *nll = r.loss;
  ls_train_result_free(&r);
  return st;
}

/* Reference for the end of the path: merge the pair into one unit (mean incoming, summed
 * outgoing weights, ls_path_merge_units) and re-optimise the narrower network with LBFGS.
 * When the path ends at a permutation point of a converged path, its loss is this one. */
static ls_status merged_reference(const ls_net *student, const ls_data *reg, const double *end,
                                  const ls_exp_fig3_opts *o, int l, int m, double *loss, ls_error *err) {
  ls_net nr;
  double *tr = NULL;
  ls_status st = ls_path_merge_units(student, end, o->layer, l, m, &nr, &tr, err);
  if (st) return st;
  ls_train_opts to;
  /* NLopt gets 100x the iterations as evaluations */
  ls_train_opts_polish(&to, LS_POLISH_LBFGS, (size_t)(o->merged_maxeval + 99) / 100, 0);
  to.traj_params = 0;
  ls_train_result r = {0};
  st = ls_train(&nr, reg, tr, &to, &r, err);
  *loss = r.loss;
  ls_train_result_free(&r);
  free(tr);
  return st;
}

/* Scratch of one teacher: its network, parameters, outputs y (the regression targets)
 * and the outputs along the path. */
typedef struct {
  ls_net net;
  double *theta, *y, *out;
  ls_work *work;
} fig3_scratch;

/* Train the teacher; its outputs before the softmax are the targets y_mu; accuracy and
 * <y^2>. */
static ls_status teacher(const ls_config *cfg, const ls_exp_fig3_opts *o, fig3_scratch *w,
                         ls_exp_fig3_run *r, ls_error *err) {
  const ls_data *data = &cfg->data;
  size_t n = data->n, K = (size_t)data->dout;
  double t0 = ls_clock_seconds();
  ls_status st = train_teacher(cfg, o, &w->net, r->seed, w->theta, &r->teacher_nll, err);
  r->train_s = ls_clock_seconds() - t0;
  if (o->log && !st) {
    fprintf(o->log, "    H %d seed %d: teacher trained (%d Adam steps, NLL %.4g) in %.1f s\n", r->H,
            r->seed, o->train_iters, r->teacher_nll, r->train_s);
    fflush(o->log);
  }
  if (st) return st;
  if ((st = ls_forward(&w->net, w->theta, n, data->x, w->y, w->work)))
    return ls_error_set(err, st, "teacher forward pass failed (H = %d, seed %d)", r->H, r->seed);
  r->teacher_acc = accuracy(data, w->y);
  double y2 = 0;
  for (size_t i = 0; i < n * K; i++) y2 += w->y[i] * w->y[i];
  r->y2 = y2 / (double)(n * K);
  return LS_OK;
}

/* Normalised MSE and accuracy at every point of the path. */
static ls_status sample_path(const ls_config *cfg, fig3_scratch *w, const ls_path *path,
                             ls_exp_fig3_run *r, ls_error *err) {
  size_t P = ls_net_nparams(&w->net);
  r->P = P, r->n = path->n, r->d0 = path->d0, r->evals = path->evals;
  r->d = malloc((size_t)path->n * sizeof *r->d);
  r->nmse = malloc((size_t)path->n * sizeof *r->nmse);
  r->acc = malloc((size_t)path->n * sizeof *r->acc);
  if (!r->d || !r->nmse || !r->acc) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  r->acc_min = 1;
  for (int i = 0; i < path->n; i++) {
    const double *th = path->params + (size_t)i * P;
    ls_status st = ls_forward(&w->net, th, cfg->data.n, cfg->data.x, w->out, w->work);
    if (st) return ls_error_set(err, st, "forward pass failed on the path (H = %d, seed %d)", r->H, r->seed);
    r->d[i] = path->d[i];
    r->nmse[i] = path->loss[i] / r->y2;
    r->acc[i] = accuracy(&cfg->data, w->out);
    r->acc_min = fmin(r->acc_min, r->acc[i]);
  }
  r->argmax = path->argmax < path->n ? path->argmax : path->n - 1;
  r->max_at_end = path->max_at_end;
  r->barrier = path->barrier / r->y2;
  r->nmse_end = r->nmse[path->n - 1], r->acc_end = r->acc[path->n - 1];
  return LS_OK;
}

/* Progress of a path in the log: every tenth step, the last, and any step that ends more
 * than a minute after the previous line (full-scale paths take hours). */
typedef struct {
  FILE *log;
  int H, seed;
  double t0, last;
} step_log;

static void log_step(void *user, int s, int steps, double d, double loss, size_t evals) {
  step_log *q = user;
  double now = ls_clock_seconds();
  if (s % 10 && s != steps && now - q->last < 60) return;
  q->last = now;
  fprintf(q->log, "    H %d seed %d: step %d/%d, d %.4g, loss %.6g, %zu evaluations, %.1f s\n",
          q->H, q->seed, s, steps, d, loss, evals, ls_clock_seconds() - q->t0);
  fflush(q->log);
}

/* The path from the teacher (student = teacher on the regression loss), the most similar
 * pair of `layer` merged, and the merged reference at its end. */
static ls_status merge_path(const ls_config *cfg, const ls_exp_fig3_opts *o, fig3_scratch *w,
                            ls_exp_fig3_run *r, ls_error *err) {
  ls_data reg = {cfg->data.n, cfg->data.din, cfg->data.dout, cfg->data.x, w->y, NULL, cfg->data.xs};
  ls_net student = w->net;
  student.loss = LS_LOSS_MSE;
  ls_status st = ls_path_pick_pair(&student, w->theta, o->layer, 1, &r->l, &r->m, err);
  if (st) return st;
  r->cosine = ls_path_unit_cosine(&student, w->theta, o->layer, r->l, r->m);
  ls_path_opts po;
  ls_path_opts_default(&po);
  po.layer = o->layer, po.l = r->l, po.m = r->m;
  po.steps = o->steps, po.dmin_rel = o->dmin, po.maxeval = o->maxeval;
  po.relative = 0; /* Brea: the absolute distance of the incoming vectors */
  /* the exact end d = 0 (ls_path_apex, with Newton on the narrow network) is left out for
   * its cost at these sizes; merged_reference below re-optimises the merged end by LBFGS */
  po.apex = 0;
  ls_path path = {0};
  double t0 = ls_clock_seconds();
  step_log sl = {o->log, r->H, r->seed, t0, t0};
  if (o->log) po.progress = log_step, po.progress_user = &sl;
  st = ls_path_build(&student, &reg, w->theta, &po, &path, err);
  r->path_s = ls_clock_seconds() - t0;
  if (st) ls_error_prefix(err, "path H = %d, seed %d", r->H, r->seed);
  if (!st) st = sample_path(cfg, w, &path, r, err);
  r->merged_nmse = NAN;
  if (!st && o->merged_maxeval > 0) {
    double ml = NAN;
    t0 = ls_clock_seconds();
    st = merged_reference(&student, &reg, path.params + (size_t)(path.n - 1) * r->P, o, r->l, r->m,
                          &ml, err);
    r->merged_s = ls_clock_seconds() - t0;
    r->merged_nmse = ml / r->y2;
  }
  ls_path_free(&path);
  return st;
}

ls_status ls_exp_fig3_run_one(const ls_config *cfg, const ls_exp_fig3_opts *o, int H, int seed,
                              ls_exp_fig3_run *r, double **theta_out, ls_error *err) {
  memset(r, 0, sizeof *r);
  r->H = H, r->seed = seed;
  if (theta_out) *theta_out = NULL;
  const ls_data *data = &cfg->data;
  int widths[4] = {data->din, H, H, data->dout};
  fig3_scratch w = {0};
  ls_status st = ls_net_init(&w.net, 3, widths, cfg->student.act[1], cfg->student.bias[1], err);
  if (st) return st;
  w.net.loss = LS_LOSS_NLL;
  size_t P = ls_net_nparams(&w.net), n = data->n, K = (size_t)data->dout;
  w.theta = malloc(P * sizeof *w.theta), w.y = malloc(n * K * sizeof *w.y);
  w.out = malloc(n * K * sizeof *w.out), w.work = ls_work_alloc(&w.net, n);
  if (!w.theta || !w.y || !w.out || !w.work) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory (H = %d)", H);
  if (!st) st = teacher(cfg, o, &w, r, err);
  if (!st) st = merge_path(cfg, o, &w, r, err);
  if (!st && theta_out) *theta_out = w.theta, w.theta = NULL;
  ls_work_free(w.work);
  free(w.theta), free(w.y), free(w.out);
  if (st) ls_exp_fig3_run_free(r);
  return st;
}

void ls_exp_fig3_result_free(ls_exp_fig3_result *res) {
  if (!res) return;
  for (int i = 0; res->runs && i < res->nruns; i++) ls_exp_fig3_run_free(&res->runs[i]);
  free(res->runs);
  memset(res, 0, sizeof *res);
}

/* Run i (H-major): teacher, path, and the teacher's parameters in tdir. */
static ls_status one_teacher(const ls_config *cfg, const ls_exp_fig3_opts *o, int i, const char *tdir,
                             ls_exp_fig3_run *r, FILE *log, double t0, ls_error *err) {
  int H = o->hidden[i / o->seeds], seed = 1 + i % o->seeds;
  double *theta = NULL;
  ls_status st = ls_exp_fig3_run_one(cfg, o, H, seed, r, &theta, err);
  if (st) return st;
  char name[64];
  snprintf(name, sizeof name, "teacher_H%d_s%d.npy", H, seed);
  char *p = ls_path_join(tdir, name);
  st = p ? ls_params_write(p, theta, r->P, err) : LS_ERR_NOMEM;
  free(p), free(theta);
  if (log)
    fprintf(log,
            "  H %2d seed %d: teacher acc %.4f nll %.3g (%.1f s); pair %d,%d cos %.3f d0 %.3g; "
            "barrier %.4g (at %s), end %.4g, merged %.4g; acc %.4f -> %.4f; %zu evals, %.1f s  "
            "[%.0f s]\n",
            H, seed, r->teacher_acc, r->teacher_nll, r->train_s, r->l, r->m, r->cosine, r->d0,
            r->barrier, r->max_at_end ? "end" : "mid-path", r->nmse_end, r->merged_nmse, r->acc[0],
            r->acc_end, r->evals, r->path_s, ls_clock_seconds() - t0);
  return st;
}

/* Teacher i read back from its record (with ro->resume) or run and recorded; then the
 * summary of the first i + 1 (figures after the last). */
static ls_status teacher_i(const ls_reproduce_opts *ro, const ls_config *cfg, ls_exp_fig3_result *res,
                           int i, const char *tdir, FILE *log, double t0, ls_error *err) {
  const ls_exp_fig3_opts *o = &res->opts;
  ls_exp_fig3_run *r = &res->runs[i];
  int H = o->hidden[i / o->seeds], seed = 1 + i % o->seeds, found = 0;
  ls_status st = ro->resume ? ls_exp_fig3_record_read(ro->out_dir, cfg, o, H, seed, r, &found, err)
                            : LS_OK;
  if (!st && found && log)
    fprintf(log, "  H %2d seed %d: read back from runs/H%d_s%d.json (barrier %.4g, end %.4g)\n", H,
            seed, H, seed, r->barrier, r->nmse_end);
  if (!st && !found && !(st = one_teacher(cfg, o, i, tdir, r, log, t0, err)))
    st = ls_exp_fig3_record_write(ro->out_dir, cfg, o, r, err);
  if (!st)
    st = ls_exp_fig3_write(ro->out_dir, cfg, o, res->runs, i + 1, ls_clock_seconds() - t0,
                           i + 1 == res->nruns, &res->summary, err);
  return st;
}

/* Every teacher and its path, then the results folder. */
static ls_status run_all(const ls_reproduce_opts *ro, const ls_config *cfg, ls_exp_fig3_result *res,
                         FILE *log, double t0, ls_error *err) {
  const ls_exp_fig3_opts *o = &res->opts;
  char *tdir = ls_path_join(ro->out_dir, "teachers");
  ls_status st = tdir ? ls_mkdir_p(tdir, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  res->nruns = o->n_hidden * o->seeds;
  res->runs = calloc((size_t)res->nruns, sizeof *res->runs);
  if (!st && !res->runs) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (log)
    fprintf(log, "landsym reproduce fig3: %zu samples, %d inputs, %d teachers, %d steps to %g d0, "
                 "maxeval %d, %d thread(s)\n",
            cfg->data.n, cfg->data.din, res->nruns, o->steps, o->dmin, o->maxeval, ro->ctx.threads);
  for (int i = 0; !st && i < res->nruns; i++) st = teacher_i(ro, cfg, res, i, tdir, log, t0, err);
  free(tdir);
  return st;
}

ls_status ls_exp_reproduce_fig3(const ls_reproduce_opts *ro, ls_exp_fig3_result *res, FILE *log,
                                ls_error *err) {
  double t0 = ls_clock_seconds();
  memset(res, 0, sizeof *res);
  if (!ro->config || !ro->out_dir)
    return ls_error_set(err, LS_ERR_INPUT, "fig3 needs a config file and an output folder");
  if (ro->seeds < 0 || ro->seeds > 10000)
    return ls_error_set(err, LS_ERR_INPUT, "--seeds needs an integer in [1, 10000]");
  ls_config cfg;
  ls_status st = ls_config_load(ro->config, &cfg, err);
  if (st) return st;
  if (!(st = ls_exp_fig3_opts_read(&cfg, &res->opts, err))) {
    if (ro->seeds) res->opts.seeds = (int)ro->seeds;
    res->opts.log = log;
    /* the engine splits samples over threads; results do not change */
    omp_set_num_threads(ro->ctx.threads > 0 ? ro->ctx.threads : 1);
    ls_ctx_apply_blas(&ro->ctx);
    st = run_all(ro, &cfg, res, log, t0, err);
  }
  ls_config_free(&cfg);
  if (st) ls_exp_fig3_result_free(res);
  return st;
}
