/* The equal-loss permutation path (landsym/exp_connect.h; Simsek et al. 2021, Theorem 3.1,
 * Figure 4). docs/connect.md. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exp/path_plot.h"
#include "landsym/exp_connect.h"
#include "landsym/io.h"
#include "landsym/out.h"
#include "landsym/rng.h"

void ls_exp_connect_opts_default(ls_exp_connect_opts *o) {
  memset(o, 0, sizeof *o);
  o->layer = 1, o->samples = 50, o->tol = 1e-10, o->out_dir = ".", o->plot = 1;
}

void ls_exp_connect_result_free(ls_exp_connect_result *r) {
  if (!r) return;
  free(r->perm), free(r->t), free(r->loss), free(r->csv), free(r->npy);
  ls_sym_path_free(&r->path);
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

/* Start point on the student network: a file, or the teacher expanded to the student. */
static ls_status start_point(const ls_config *cfg, const ls_exp_connect_opts *o, double **theta,
                             char *src, size_t len, ls_error *err) {
  const ls_net *s = &cfg->student;
  if (o->params && strcmp(o->params, "teacher")) {
    snprintf(src, len, "%s", o->params);
    return ls_params_read_net(o->params, s, theta, err);
  }
  if (!cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT, "the config has no teacher: give --params FILE");
  const ls_net *t = &cfg->teacher;
  if (t->n_layers != s->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "teacher and student differ in depth: give --params FILE");
  ls_sym_expand_spec specs[LS_MAX_LAYERS];
  int ns = 0;
  for (int l = 1; l < s->n_layers; l++) {
    if (s->width[l] < t->width[l])
      return ls_error_set(err, LS_ERR_INPUT,
                          "layer %d: the student (width %d) is narrower than the teacher (%d)",
                          l, s->width[l], t->width[l]);
    ls_sym_expand_spec_default(&specs[ns++], l, s->width[l]);
  }
  ls_net big;
  ls_status st = ls_sym_expand(t, cfg->teacher_params, ns, specs, o->seed, &big, theta, err);
  snprintf(src, len, "teacher expanded to the student (seed %ld)", (long)o->seed);
  return st;
}

/* The permutation: the caller's (checked) or a random one from the seed. */
static ls_status choose_perm(const ls_exp_connect_opts *o, ls_exp_connect_result *r, ls_error *err) {
  int m = r->m;
  r->perm = malloc((size_t)m * sizeof *r->perm);
  if (!r->perm) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!o->perm) {
    ls_rng rs;
    ls_rng_seed(&rs, o->seed);
    ls_sym_perm_random(m, r->perm, &rs);
    return LS_OK;
  }
  if (o->n_perm != m || !ls_sym_perm_valid(m, o->perm))
    return ls_error_set(err, LS_ERR_INPUT,
                        "--perm must list a permutation of 0..%d (layer %d has %d units)", m - 1,
                        r->layer, m);
  memcpy(r->perm, o->perm, (size_t)m * sizeof *r->perm);
  return LS_OK;
}

/* The loss along the path, sampled; loss0 and the largest deviation from it. */
static ls_status sample(const ls_config *cfg, const ls_exp_connect_opts *o, ls_exp_connect_result *r,
                        ls_error *err) {
  r->n_segments = r->path.n_points - 1;
  r->n = (size_t)r->n_segments * (size_t)o->samples + 1;
  r->t = malloc(r->n * sizeof *r->t), r->loss = malloc(r->n * sizeof *r->loss);
  if (!r->t || !r->loss) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = ls_sym_path_sample(&cfg->student, &cfg->data, &r->path, o->samples, r->t, r->loss, err);
  if (st) return st;
  r->loss0 = r->loss[0];
  for (size_t i = 0; i < r->n; i++) r->max_dev = fmax(r->max_dev, fabs(r->loss[i] - r->loss0));
  for (int i = 1; i < r->path.n_points; i++) r->moves[r->path.kind[i] & 7]++;
  return LS_OK;
}

/* connect_loss.csv (t, segment, move, loss, loss - loss0) and connect_path.npy. */
static ls_status write_tables(const ls_exp_connect_opts *o, ls_exp_connect_result *r, ls_error *err) {
  size_t n = r->n;
  int nseg = r->n_segments;
  double *rows = malloc(n * 5 * sizeof *rows);
  r->csv = path_join(o->out_dir, "connect_loss.csv"), r->npy = path_join(o->out_dir, "connect_path.npy");
  if (!rows || !r->csv || !r->npy) return free(rows), ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t seg = i / (size_t)o->samples;
    if (seg >= (size_t)nseg) seg = nseg > 0 ? (size_t)nseg - 1 : 0;
    double *q = rows + i * 5;
    q[0] = r->t[i], q[1] = (double)seg, q[2] = nseg > 0 ? r->path.kind[seg + 1] : 0;
    q[3] = r->loss[i], q[4] = r->loss[i] - r->loss0;
  }
  ls_status st = ls_csv_write(r->csv, "t,segment,move,loss,loss_minus_loss0", rows, n, 5, err);
  free(rows);
  size_t shape[2] = {(size_t)r->path.n_points, r->path.P};
  if (!st) st = ls_npy_write(r->npy, r->path.points, 2, shape, err);
  return st;
}

/* connect_loss.{dat,gp,png,svg}: loss - loss(0) along the path. */
static ls_status write_figure(const char *dir, const ls_exp_connect_result *r, ls_error *err) {
  ls_buf d = {0};
  ls_buf_printf(&d, "# t loss loss-loss0\n");
  for (size_t i = 0; i < r->n; i++)
    ls_buf_printf(&d, "%.17g %.17g %.17g\n", r->t[i], r->loss[i], r->loss[i] - r->loss0);
  char body[1024];
  snprintf(body, sizeof body,
           "set xlabel \"path parameter t\"\nset ylabel \"loss - loss(0)\"\nset format y \"%%.1e\"\n"
           "set title \"equal-loss path, layer %d: loss(0) = %.3e, max |loss - loss(0)| = %.2e\"\n"
           "set key off\nset grid\nplot \"connect_loss.dat\" using 1:3 with lines lw 2",
           r->layer, r->loss0, r->max_dev);
  ls_figure fig = {dir, "connect_loss", "Loss along the equal-loss permutation path (landsym connect).",
                   900, 500, 0};
  ls_status st = ls_buf_status(&d, err);
  if (!st) st = ls_figure_save(&fig, d.s, d.len, body, err);
  ls_buf_free(&d);
  return st;
}

static json_t *summary_json(const ls_config *cfg, const ls_exp_connect_result *r) {
  json_t *j = json_object(), *pj = json_array(), *mv = json_object();
  for (int i = 0; i < r->m; i++) json_array_append_new(pj, json_integer(r->perm[i]));
  for (int k = 1; k < 5; k++) json_object_set_new(mv, ls_sym_path_move_name(k), json_integer(r->moves[k]));
  json_object_set_new(j, "config", json_string(cfg->path));
  json_object_set_new(j, "start", json_string(r->start));
  json_object_set_new(j, "layer", json_integer(r->layer));
  json_object_set_new(j, "perm", pj);
  json_object_set_new(j, "segments", json_integer(r->n_segments));
  json_object_set_new(j, "moves", mv);
  json_object_set_new(j, "samples", json_integer((json_int_t)r->n));
  json_object_set_new(j, "loss_start", json_real(r->loss0));
  json_object_set_new(j, "max_loss_deviation", json_real(r->max_dev));
  json_object_set_new(j, "csv", json_string(r->csv));
  json_object_set_new(j, "waypoints", json_string(r->npy));
  return j;
}

ls_status ls_exp_connect_run(const ls_config *cfg, const ls_exp_connect_opts *o,
                             ls_exp_connect_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  const ls_net *net = &cfg->student;
  double *theta = NULL;
  r->layer = o->layer;
  ls_status st = LS_OK;
  if (net->n_layers < 2 || o->layer < 1 || o->layer > net->n_layers - 1)
    st = ls_error_set(err, LS_ERR_INPUT,
                      "--layer %d is out of range: the %d-layer student has hidden layers 1..%d",
                      o->layer, net->n_layers, net->n_layers - 1);
  if (!st && (st = ls_mkdir_p(o->out_dir, err))) ls_error_prefix(err, "--out-dir");
  if (!st) st = start_point(cfg, o, &theta, r->start, sizeof r->start, err);
  if (!st) r->m = net->width[o->layer], st = choose_perm(o, r, err);
  if (!st) st = ls_sym_connect(net, theta, o->layer, r->perm, o->tol, &r->path, err);
  if (!st) st = sample(cfg, o, r, err);
  if (!st) st = write_tables(o, r, err);
  if (!st && o->plot) st = write_figure(o->out_dir, r, err);
  if (st && r->csv && r->npy) unlink(r->csv), unlink(r->npy); /* no partial results */
  if (!st) r->summary = summary_json(cfg, r);
  free(theta);
  if (st) ls_exp_connect_result_free(r);
  return st;
}
