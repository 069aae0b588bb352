/* The results folder of a training run (landsym/exp_train.h): result.json, params.npy,
 * init.npy, trajectory.npy/.csv and the loss curve, through landsym/out.h. All or
 * nothing: when a file fails, the files already written are removed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landsym/exp_train.h"
#include "landsym/io.h"
#include "landsym/out.h"

static json_t *phases_json(const ls_train_result *r) {
  json_t *ph = json_array();
  for (int i = 0; i < r->n_phases; i++) {
    const ls_phase_result *p = &r->phase[i];
    json_t *q = json_object();
    json_object_set_new(q, "name", json_string(p->name));
    json_object_set_new(q, "stop", json_string(ls_stop_name(p->stop)));
    json_object_set_new(q, "wall_s", json_real(p->wall));
    json_object_set_new(q, "iterations", json_integer((json_int_t)p->iters));
    json_object_set_new(q, "loss", ls_json_num(p->loss));
    json_object_set_new(q, "grad_norm_inf", ls_json_num(p->grad_norm));
    if (!strcmp(p->name, "flow")) json_object_set_new(q, "flow_time", json_real(p->flow_t));
    json_array_append_new(ph, q);
  }
  return ph;
}

/* The options under their section keys. */
static json_t *options_json(const ls_train_opts *o) {
  json_t *op = json_object();
  json_object_set_new(op, "method", json_string(ls_first_name(o->first)));
  json_object_set_new(op, "polish", json_string(ls_polish_name(o->polish)));
  json_object_set_new(op, "critical", json_boolean(o->newton_critical));
  struct {
    const char *k;
    double v;
  } d1[] = {{"lr", o->lr}, {"beta1", o->beta1}, {"beta2", o->beta2}, {"eps", o->eps}};
  for (size_t i = 0; i < 4; i++) json_object_set_new(op, d1[i].k, json_real(d1[i].v));
  json_object_set_new(op, "batch", json_integer((json_int_t)o->batch));
  json_object_set_new(op, "max_iter", json_integer((json_int_t)o->first_maxiter));
  json_object_set_new(op, "switch_grad_tol", json_real(o->switch_grad_tol));
  json_object_set_new(op, "rtol", json_real(o->flow_rtol));
  json_object_set_new(op, "atol", json_real(o->flow_atol));
  json_object_set_new(op, "tmax", json_real(o->flow_tmax));
  json_object_set_new(op, "linsol", json_string(ls_linsol_name(o->flow_linsol)));
  json_object_set_new(op, "newton_switch_tol", json_real(o->newton_switch_tol));
  json_object_set_new(op, "lm_switch_tol", json_real(o->lm_switch_tol));
  json_object_set_new(op, "lm_max_iter", json_integer((json_int_t)o->lm_max_iter));
  json_object_set_new(op, "polish_max_iter", json_integer((json_int_t)o->polish_maxiter));
  struct {
    const char *k;
    double v;
  } d2[] = {{"grad_tol", o->grad_tol}, {"loss_tol", o->loss_tol}, {"time_limit", o->time_limit}};
  for (size_t i = 0; i < 3; i++) json_object_set_new(op, d2[i].k, json_real(d2[i].v));
  json_object_set_new(op, "patience", json_integer((json_int_t)o->patience));
  json_object_set_new(op, "max_norm", json_real(o->penalty.max_norm));
  json_object_set_new(op, "barrier", json_real(o->penalty.barrier));
  json_object_set_new(op, "merge_lambda", json_real(o->penalty.merge_lambda));
  if (o->penalty.merge_lambda > 0) {
    json_object_set_new(op, "merge_layer", json_integer(o->penalty.merge_layer));
    json_object_set_new(op, "merge_i", json_integer(o->penalty.merge_i));
    json_object_set_new(op, "merge_j", json_integer(o->penalty.merge_j));
  }
  return op;
}

static json_t *files_json(int plot) {
  json_t *files = json_object();
  json_object_set_new(files, "params", json_string("params.npy"));
  json_object_set_new(files, "init", json_string("init.npy"));
  json_object_set_new(files, "trajectory", json_string("trajectory.npy"));
  json_object_set_new(files, "trajectory_csv", json_string("trajectory.csv"));
  if (plot) json_object_set_new(files, "figure", json_string("loss.png"));
  return files;
}

json_t *ls_exp_train_json(const ls_config *cfg, const ls_train_run *run, int plot) {
  const ls_train_result *r = &run->res;
  json_t *j = json_object();
  json_object_set_new(j, "config", json_string(cfg->path));
  json_object_set_new(j, "seed", json_integer((json_int_t)run->seed));
  json_object_set_new(j, "student", json_string(run->student));
  json_object_set_new(j, "n_params", json_integer((json_int_t)run->P));
  json_object_set_new(j, "data", json_string(cfg->data_desc));
  json_object_set_new(j, "n_samples", json_integer((json_int_t)cfg->data.n));
  json_object_set_new(j, "init", json_string(run->init_desc));
  json_object_set_new(j, "stop", json_string(ls_stop_name(r->stop)));
  json_object_set_new(j, "converged", json_boolean(r->stop == LS_STOP_GRAD || r->stop == LS_STOP_LOSS));
  json_object_set_new(j, "message", json_string(r->message));
  json_object_set_new(j, "loss", ls_json_num(r->loss));
  json_object_set_new(j, "grad_norm_inf", ls_json_num(r->grad_norm));
  json_object_set_new(j, "wall_s", json_real(r->wall));
  json_object_set_new(j, "cpu_s", json_real(r->cpu));
  json_object_set_new(j, "iterations", json_integer((json_int_t)r->iters));
  json_object_set_new(j, "phases", phases_json(r));
  json_object_set_new(j, "options", options_json(&run->settings.opts));
  json_object_set_new(j, "files", files_json(plot));
  return j;
}

/* Files written so far, removed again if a later one fails. */
typedef struct {
  char *paths[16];
  int n;
} written;

static void written_add(written *w, const char *dir, const char *name) {
  char *p = ls_path_join(dir, name);
  if (p && w->n < 16) w->paths[w->n++] = p;
  else free(p);
}

static void written_end(written *w, int rollback) {
  for (int i = 0; i < w->n; i++) {
    if (rollback) unlink(w->paths[i]);
    free(w->paths[i]);
  }
  w->n = 0;
}

/* Trajectory as rows: phase, iteration, wall, loss, grad_norm_inf, then P parameters. */
static double *traj_table(const ls_trajectory *t, size_t *cols) {
  *cols = 5 + t->P;
  double *a = malloc((t->n ? t->n : 1) * *cols * sizeof(double));
  if (!a) return NULL;
  for (size_t k = 0; k < t->n; k++) {
    double *row = a + k * *cols;
    row[0] = t->phase[k], row[1] = t->iter[k], row[2] = t->wall[k];
    row[3] = t->loss[k], row[4] = t->grad_norm[k];
    if (t->P) memcpy(row + 5, t->params + k * t->P, t->P * sizeof(double));
  }
  return a;
}

static void traj_header(ls_buf *h, size_t P) {
  ls_buf_printf(h, "phase,iteration,wall_s,loss,grad_norm_inf");
  for (size_t i = 0; i < P; i++) ls_buf_printf(h, ",theta_%zu", i);
}

/* trajectory.npy and trajectory.csv. */
static ls_status write_traj(const char *dir, const ls_trajectory *t, written *w, ls_error *err) {
  size_t cols;
  double *tab = traj_table(t, &cols);
  ls_buf hdr = {0};
  traj_header(&hdr, t->P);
  char *np = ls_path_join(dir, "trajectory.npy"), *cp = ls_path_join(dir, "trajectory.csv");
  ls_status s = LS_OK;
  if (!tab || !np || !cp || hdr.oom) s = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  size_t shape[2] = {t->n, cols};
  if (!s) s = ls_npy_write(np, tab, 2, shape, err);
  if (!s) written_add(w, dir, "trajectory.npy");
  if (!s) s = ls_csv_write(cp, hdr.s, tab, t->n, cols, err);
  if (!s) written_add(w, dir, "trajectory.csv");
  free(tab), free(np), free(cp);
  ls_buf_free(&hdr);
  return s;
}

/* The loss curve, log-log over iteration + 1: loss.dat and loss.gp kept beside loss.png
 * and loss.svg. A failed drawing is only a warning (data and script stay). */
static ls_status write_plot(const char *dir, const ls_train_run *run, written *w, char *warning,
                            size_t wlen, ls_error *err) {
  const ls_trajectory *t = &run->res.traj;
  ls_buf dat = {0}, body = {0};
  ls_buf_printf(&dat, "# phase iteration wall_s loss grad_norm_inf\n");
  for (size_t k = 0; k < t->n; k++)
    ls_buf_printf(&dat, "%d %.17g %.17g %.17g %.17g\n", t->phase[k], t->iter[k] + 1, t->wall[k],
                  t->loss[k], t->grad_norm[k]);
  ls_buf_printf(&body,
                "set logscale xy\nset format y '10^{%%L}'\nset format x '10^{%%L}'\n"
                "set xlabel 'iteration + 1'\nset ylabel 'loss, gradient inf-norm'\n"
                "set key top right\nset grid\nset title '%s'\n"
                "plot 'loss.dat' using 2:($4 > 0 ? $4 : 1/0) with linespoints pt 7 ps 0.4 title 'loss', \\\n"
                "     'loss.dat' using 2:($5 > 0 ? $5 : 1/0) with linespoints pt 5 ps 0.4 title 'gradient inf-norm'",
                run->student);
  char title[256];
  snprintf(title, sizeof title, "Loss curve of `landsym train` (%s, seed %llu)", run->student,
           (unsigned long long)run->seed);
  ls_figure fig = {dir, "loss", title, 900, 600, 0};
  ls_status s = ls_buf_status(&dat, err);
  if (!s) s = ls_buf_status(&body, err);
  if (!s) {
    ls_error fe = {0};
    ls_status fs = ls_figure_save(&fig, dat.s, dat.len, body.s, &fe);
    written_add(w, dir, "loss.dat"), written_add(w, dir, "loss.gp");
    if (fs == LS_ERR_COMPUTE)
      snprintf(warning, wlen, "gnuplot failed; loss.dat and loss.gp are in %s", dir);
    else if (fs) s = ls_error_set(err, fs, "%s", fe.msg);
    else written_add(w, dir, "loss.png"), written_add(w, dir, "loss.svg");
  }
  ls_buf_free(&dat), ls_buf_free(&body);
  return s;
}

static ls_status write_vec(const char *dir, const char *name, const double *v, size_t n,
                           written *w, ls_error *err) {
  char *p = ls_path_join(dir, name);
  size_t shape[2] = {n, 0};
  ls_status s = p ? ls_npy_write(p, v, 1, shape, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!s) written_add(w, dir, name);
  free(p);
  return s;
}

ls_status ls_exp_train_write(const ls_config *cfg, const ls_train_run *run, const char *dir,
                             int plot, ls_error *err, char *warning, size_t wlen) {
  ls_status s = ls_mkdir_p(dir, err);
  if (s) return s;
  written w = {{0}, 0};
  if (warning && wlen) warning[0] = 0;
  s = write_vec(dir, "params.npy", run->theta, run->P, &w, err);
  if (!s) s = write_vec(dir, "init.npy", run->theta0, run->P, &w, err);
  if (!s) s = write_traj(dir, &run->res.traj, &w, err);
  if (!s && plot) s = write_plot(dir, run, &w, warning, wlen, err);
  if (!s) {
    json_t *j = ls_exp_train_json(cfg, run, plot);
    char *p = ls_path_join(dir, "result.json");
    s = p ? ls_json_save(j, p, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    free(p);
    json_decref(j);
  }
  written_end(&w, s != LS_OK);
  return s;
}
