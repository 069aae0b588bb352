/* Outputs of `landsym train`: result.json, params.npy, init.npy, trajectory.npy/.csv and
 * the loss-curve figure (gnuplot: .dat, .gp, .png, .svg). Every file is written to a
 * temporary name and renamed; on failure the files already written are removed. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/train_out.h"
#include "landsym/io.h"

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* Files written so far, removed again if a later one fails. */
typedef struct {
  char *paths[16];
  int n;
} written;

static void written_add(written *w, char *path) {
  if (w->n < 16) w->paths[w->n++] = path;
  else free(path);
}

static void written_rollback(written *w) {
  for (int i = 0; i < w->n; i++) unlink(w->paths[i]), free(w->paths[i]);
  w->n = 0;
}

static void written_free(written *w) {
  for (int i = 0; i < w->n; i++) free(w->paths[i]);
  w->n = 0;
}

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

json_t *train_result_json(const train_run_info *info, const ls_train_result *r) {
  const ls_train_opts *o = info->opts;
  json_t *j = json_object();
  json_object_set_new(j, "config", json_string(info->config_path));
  json_object_set_new(j, "seed", json_integer((json_int_t)info->seed));
  json_object_set_new(j, "student", json_string(info->net_desc));
  json_object_set_new(j, "n_params", json_integer((json_int_t)info->P));
  json_object_set_new(j, "data", json_string(info->data_desc));
  json_object_set_new(j, "n_samples", json_integer((json_int_t)info->n_samples));
  json_object_set_new(j, "init", json_string(info->init_desc));
  json_object_set_new(j, "stop", json_string(ls_stop_name(r->stop)));
  json_object_set_new(j, "converged", json_boolean(r->stop == LS_STOP_GRAD || r->stop == LS_STOP_LOSS));
  json_object_set_new(j, "message", json_string(r->message));
  json_object_set_new(j, "loss", jnum(r->loss));
  json_object_set_new(j, "grad_norm_inf", jnum(r->grad_norm));
  json_object_set_new(j, "wall_s", json_real(r->wall));
  json_object_set_new(j, "cpu_s", json_real(r->cpu));
  json_object_set_new(j, "iterations", json_integer((json_int_t)r->iters));
  json_t *ph = json_array();
  for (int i = 0; i < r->n_phases; i++) {
    const ls_phase_result *p = &r->phase[i];
    json_t *q = json_object();
    json_object_set_new(q, "name", json_string(p->name));
    json_object_set_new(q, "stop", json_string(ls_stop_name(p->stop)));
    json_object_set_new(q, "wall_s", json_real(p->wall));
    json_object_set_new(q, "iterations", json_integer((json_int_t)p->iters));
    json_object_set_new(q, "loss", jnum(p->loss));
    json_object_set_new(q, "grad_norm_inf", jnum(p->grad_norm));
    if (!strcmp(p->name, "flow")) json_object_set_new(q, "flow_time", json_real(p->flow_t));
    json_array_append_new(ph, q);
  }
  json_object_set_new(j, "phases", ph);
  json_t *op = json_object();
  json_object_set_new(op, "method", json_string(ls_first_name(o->first)));
  json_object_set_new(op, "polish", json_string(ls_polish_name(o->polish)));
  json_object_set_new(op, "critical", json_boolean(o->newton_critical));
  json_object_set_new(op, "lr", json_real(o->lr));
  json_object_set_new(op, "beta1", json_real(o->beta1));
  json_object_set_new(op, "beta2", json_real(o->beta2));
  json_object_set_new(op, "eps", json_real(o->eps));
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
  json_object_set_new(op, "grad_tol", json_real(o->grad_tol));
  json_object_set_new(op, "loss_tol", json_real(o->loss_tol));
  json_object_set_new(op, "time_limit", json_real(o->time_limit));
  json_object_set_new(op, "patience", json_integer((json_int_t)o->patience));
  json_object_set_new(op, "max_norm", json_real(o->penalty.max_norm));
  json_object_set_new(op, "barrier", json_real(o->penalty.barrier));
  json_object_set_new(op, "merge_lambda", json_real(o->penalty.merge_lambda));
  if (o->penalty.merge_lambda > 0) {
    json_object_set_new(op, "merge_layer", json_integer(o->penalty.merge_layer));
    json_object_set_new(op, "merge_i", json_integer(o->penalty.merge_i));
    json_object_set_new(op, "merge_j", json_integer(o->penalty.merge_j));
  }
  json_object_set_new(j, "options", op);
  json_t *files = json_object();
  json_object_set_new(files, "params", json_string("params.npy"));
  json_object_set_new(files, "init", json_string("init.npy"));
  json_object_set_new(files, "trajectory", json_string("trajectory.npy"));
  json_object_set_new(files, "trajectory_csv", json_string("trajectory.csv"));
  if (info->plot) json_object_set_new(files, "figure", json_string("loss.png"));
  json_object_set_new(j, "files", files);
  return j;
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

static char *traj_header(size_t P) {
  size_t n = 64 + P * 16;
  char *h = malloc(n);
  if (!h) return NULL;
  size_t m = (size_t)snprintf(h, n, "phase,iteration,wall_s,loss,grad_norm_inf");
  for (size_t i = 0; i < P && m < n; i++) m += (size_t)snprintf(h + m, n - m, ",theta_%zu", i);
  return h;
}

/* Loss curve (log-log over iteration + 1): .dat and .gp kept beside the PNG and SVG. */
static ls_status write_plot(const char *dir, const train_run_info *info, const ls_train_result *r,
                            written *w, ls_error *err) {
  const ls_trajectory *t = &r->traj;
  char *dat = join(dir, "loss.dat"), *gp = join(dir, "loss.gp");
  if (!dat || !gp) {
    free(dat), free(gp);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_atomic_file f;
  ls_status s = ls_atomic_open(&f, dat, err);
  if (s != LS_OK) goto fail;
  fprintf(f.fp, "# phase iteration wall_s loss grad_norm_inf\n");
  for (size_t k = 0; k < t->n; k++)
    fprintf(f.fp, "%d %.17g %.17g %.17g %.17g\n", t->phase[k], t->iter[k] + 1, t->wall[k],
            t->loss[k], t->grad_norm[k]);
  if ((s = ls_atomic_commit(&f, err)) != LS_OK) goto fail;
  written_add(w, dat), dat = NULL;
  s = ls_atomic_open(&f, gp, err);
  if (s != LS_OK) goto fail;
  fprintf(f.fp,
          "# Loss curve of `landsym train` (%s, seed %llu). Restyle and rerun: gnuplot loss.gp\n"
          "set logscale xy\nset format y '10^{%%L}'\nset format x '10^{%%L}'\n"
          "set xlabel 'iteration + 1'\nset ylabel 'loss, gradient inf-norm'\n"
          "set key top right\nset grid\nset title '%s'\n"
          "do for [out in 'png svg'] {\n"
          "  if (out eq 'png') { set terminal pngcairo size 900,600 enhanced } "
          "else { set terminal svg size 900,600 enhanced }\n"
          "  set output 'loss.'.out\n"
          "  plot 'loss.dat' using 2:($4 > 0 ? $4 : 1/0) with linespoints pt 7 ps 0.4 title 'loss', \\\n"
          "       'loss.dat' using 2:($5 > 0 ? $5 : 1/0) with linespoints pt 5 ps 0.4 title 'gradient inf-norm'\n"
          "  set output\n}\n",
          info->net_desc, (unsigned long long)info->seed, info->net_desc);
  if ((s = ls_atomic_commit(&f, err)) != LS_OK) goto fail;
  written_add(w, gp), gp = NULL;
  /* gnuplot runs in dir so the script stays relocatable; a missing gnuplot only warns */
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot loss.gp > /dev/null 2>&1", dir);
  if (strchr(dir, '\'') || system(cmd) != 0) {
    fprintf(stderr, "landsym train: warning: gnuplot failed; loss.dat and loss.gp are in %s\n", dir);
  } else {
    written_add(w, join(dir, "loss.png"));
    written_add(w, join(dir, "loss.svg"));
  }
  return LS_OK;
fail:
  free(dat), free(gp);
  return s;
}

/* mkdir -p: creates dir and its missing parents; 0 on success. */
static int make_dirs(const char *dir) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return -1;
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0777);
      *p = '/';
    }
  mkdir(buf, 0777);
  struct stat sb;
  return stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

ls_status train_write_outputs(const char *dir, const train_run_info *info, const double *theta0,
                              const double *theta, const ls_train_result *r, ls_error *err) {
  if (make_dirs(dir))
    return ls_error_set(err, LS_ERR_IO, "cannot create output directory '%s': %s", dir,
                        strerror(errno));
  written w = {{0}, 0};
  ls_status s = LS_OK;
  size_t shape[2] = {info->P, 0};
  char *p = join(dir, "params.npy");
  if ((s = ls_npy_write(p, theta, 1, shape, err)) != LS_OK) goto fail_p;
  written_add(&w, p);
  p = join(dir, "init.npy");
  if ((s = ls_npy_write(p, theta0, 1, shape, err)) != LS_OK) goto fail_p;
  written_add(&w, p);
  size_t cols;
  double *tab = traj_table(&r->traj, &cols);
  char *hdr = traj_header(r->traj.P);
  if (!tab || !hdr) {
    free(tab), free(hdr);
    s = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto fail;
  }
  size_t tshape[2] = {r->traj.n, cols};
  p = join(dir, "trajectory.npy");
  s = ls_npy_write(p, tab, 2, tshape, err);
  if (s == LS_OK) {
    written_add(&w, p);
    p = join(dir, "trajectory.csv");
    s = ls_csv_write(p, hdr, tab, r->traj.n, cols, err);
  }
  free(tab), free(hdr);
  if (s != LS_OK) goto fail_p;
  written_add(&w, p);
  if (info->plot && (s = write_plot(dir, info, r, &w, err)) != LS_OK) goto fail;
  json_t *j = train_result_json(info, r);
  char *txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  json_decref(j);
  p = join(dir, "result.json");
  if (!txt || !p) {
    free(txt);
    s = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    goto fail_p;
  }
  size_t len = strlen(txt);
  txt[len] = '\n'; /* replace the terminator: the buffer keeps len + 1 bytes */
  s = ls_file_write_atomic(p, txt, len + 1, err);
  free(txt);
  if (s != LS_OK) goto fail_p;
  free(p);
  written_free(&w);
  return LS_OK;
fail_p:
  free(p);
fail:
  written_rollback(&w);
  return s;
}
