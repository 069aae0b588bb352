/* The saddle experiment (landsym/exp_saddle.h; thesis sections 6.2.4-6.2.5, 6.3.2).
 * docs/saddle.md. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exp/path_plot.h"
#include "landsym/engine.h"
#include "landsym/exp_saddle.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/rng.h"
#include "landsym/sym.h"

void ls_exp_saddle_opts_default(ls_exp_saddle_opts *o) {
  memset(o, 0, sizeof *o);
  o->layer = 1, o->mu = -1, o->slice_n = 41, o->sigma = 0.01, o->plot = 1;
}

void ls_exp_saddle_result_free(ls_exp_saddle_result *r) {
  if (!r) return;
  if (r->have_saddle) ls_saddle_result_free(&r->saddle);
  if (r->have_escape) ls_escape_result_free(&r->escape);
  ls_crit_cert_free(&r->cert);
  free(r->eig_start), free(r->retrain);
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

static ls_status write_eigs(const char *dir, const char *name, const double *e, size_t n,
                            ls_error *err) {
  char *f = path_join(dir, name);
  if (!f) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = ls_csv_write(f, "eigenvalue", e, n, 1, err);
  free(f);
  return st;
}

/* The 2D slice's second direction: the eigenvector of the smallest Hessian eigenvalue at
 * the saddle, orthogonalised against e1 and normalised, into e2. */
static ls_status smallest_direction(const ls_net *net, const ls_data *d, const double *saddle,
                                    const double *e1, double *e2, ls_error *err) {
  size_t P = ls_net_nparams(net);
  if (ls_dense_fits(P, 3, "saddle: the Hessian's eigenvectors", err)) return LS_ERR_INPUT;
  double *H = malloc(P * P * sizeof *H), *ev = malloc(P * P * sizeof *ev), *w = malloc(P * sizeof *w);
  ls_status st = !H || !ev || !w ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  ls_work *wk = st ? NULL : ls_work_alloc(net, d->n);
  if (!st && (!wk || ls_hessian(net, d, saddle, H, wk))) st = ls_error_set(err, LS_ERR_COMPUTE, "Hessian failed");
  ls_work_free(wk);
  if (!st) st = ls_eig_sym(P, H, w, ev, err);
  if (!st) {
    double dot = 0, nn = 0;
    for (size_t i = 0; i < P; i++) e2[i] = ev[i * P], dot += e2[i] * e1[i];
    for (size_t i = 0; i < P; i++) e2[i] -= dot * e1[i], nn += e2[i] * e2[i];
    nn = sqrt(nn);
    for (size_t i = 0; i < P; i++) e2[i] = nn > 0 ? e2[i] / nn : 0;
  }
  free(H), free(ev), free(w);
  return st;
}

/* slice1d.csv: t, loss. */
static ls_status write_slice1d(const char *dir, const double *t, const double *L, int n1,
                               ls_error *err) {
  char *f = path_join(dir, "slice1d.csv");
  double *rows = malloc((size_t)n1 * 2 * sizeof *rows);
  ls_status st = !f || !rows ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  for (int i = 0; i < n1 && !st; i++) rows[2 * i] = t[i], rows[2 * i + 1] = L[i];
  if (!st) st = ls_csv_write(f, "t,loss", rows, (size_t)n1, 2, err);
  free(f), free(rows);
  return st;
}

/* The figures of the two slices (log colour scale for the 2D one). */
static ls_status slice_figures(const char *dir, const double *t, const double *L, int n1,
                               const double *L2, int n, double distance, ls_error *err) {
  path_buf a = {0}, b = {0};
  path_buf_printf(&a, "# t loss   (t = 0 saddle, t = 1 start)\n");
  for (int i = 0; i < n1; i++) path_buf_printf(&a, "%.17g %.17g\n", t[i], L[i]);
  char body[1024];
  snprintf(body, sizeof body,
           "set title \"loss from the saddle line (t = 0) to the start (t = 1), distance %.3g\"\n"
           "set xlabel \"t\"\nset ylabel \"loss\"\nset grid\nset key off\nset format y \"%%.3e\"\n"
           "set arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n"
           "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2\n"
           "plot \"slice1d.dat\" using 1:2 with lines lw 2",
           distance);
  ls_status st = a.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : path_plot(dir, "slice1d", a.s, a.len, body, err);
  path_buf_printf(&b, "# s u loss  (s along start - saddle in units of the distance, u along the\n"
                      "# smallest Hessian eigenvector at the saddle; saddle at 0,0, start at 1,0)\n");
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      path_buf_printf(&b, "%.17g %.17g %.17g\n", -1.5 + 3.0 * i / (n - 1), -1.5 + 3.0 * j / (n - 1),
                      L2[(size_t)i * n + j]);
    path_buf_printf(&b, "\n");
  }
  snprintf(body, sizeof body,
           "set title \"loss around the saddle (0,0) and the start (1,0)\"\n"
           "set xlabel \"along start - saddle (units of the distance)\"\n"
           "set ylabel \"along the smallest eigenvector\"\nset view map\nset logscale cb\n"
           "set cblabel \"loss\"\nset palette rgbformulae 33,13,10\nset size ratio -1\n"
           "set label 1 \"S\" at 0,0 front tc rgb \"white\"\nset label 2 \"start\" at 1,0 front tc rgb \"white\"\n"
           "splot \"slice2d.dat\" using 1:2:3 with pm3d notitle");
  if (!st) st = b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : path_plot(dir, "slice2d", b.s, b.len, body, err);
  path_buf_free(&a), path_buf_free(&b);
  return st;
}

/* 1D slice saddle (t = 0) -> start (t = 1), and a 2D slice around the saddle in the plane of
 * (start - saddle) and the smallest Hessian eigenvector at the saddle (thesis figures 6.10,
 * 6.11). */
static ls_status slices(const char *dir, const ls_net *net, const ls_data *d, const double *start,
                        const ls_saddle_result *r, int n, int plot, ls_error *err) {
  size_t P = r->P;
  int n1 = 4 * n;
  double *t = malloc((size_t)n1 * sizeof *t), *L = malloc((size_t)n1 * sizeof *L);
  double *L2 = malloc((size_t)n * n * sizeof *L2), *e1 = malloc(P * sizeof *e1), *e2 = malloc(P * sizeof *e2);
  ls_status st = (!t || !L || !L2 || !e1 || !e2) ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) st = ls_slice_1d(net, d, r->saddle, start, -0.5, 1.5, n1, t, L, err);
  double dist = r->distance > 0 ? r->distance : 1;
  for (size_t i = 0; i < P && !st; i++) e1[i] = (start[i] - r->saddle[i]) / dist;
  if (!st) st = smallest_direction(net, d, r->saddle, e1, e2, err);
  if (!st) st = ls_slice_2d(net, d, r->saddle, e1, e2, 1.5 * dist, 1.5 * dist, n, L2, err);
  if (!st) st = write_slice1d(dir, t, L, n1, err);
  if (!st && plot) st = slice_figures(dir, t, L, n1, L2, n, r->distance, err);
  free(t), free(L), free(L2), free(e1), free(e2);
  return st;
}

/* Thesis 6.3.2: the gradient vanishes on the saddle line, so perturb off it (Gaussian,
 * std sigma) and retrain; rows: trial, final loss, gradient inf-norm, distance to the
 * saddle point, distance to the start. */
static ls_status retrain(const ls_net *net, const ls_data *d, const double *saddle,
                         const double *start, const ls_exp_saddle_opts *o, double *rows,
                         ls_error *err) {
  size_t P = ls_net_nparams(net);
  int n = o->perturb;
  double *x = malloc(P * sizeof *x);
  if (!x) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_rng rng;
  ls_rng_seed(&rng, o->seed);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.traj_per_decade = 0;
  to.first_maxiter = 20000;
  ls_status st = LS_OK;
  for (int t = 0; t < n && !st; t++) {
    for (size_t i = 0; i < P; i++) x[i] = saddle[i] + o->sigma * ls_rng_normal(&rng);
    ls_train_result r = {0};
    st = ls_train(net, d, x, &to, &r, err);
    double ds = 0, d0 = 0;
    for (size_t i = 0; i < P; i++)
      ds += (x[i] - saddle[i]) * (x[i] - saddle[i]), d0 += (x[i] - start[i]) * (x[i] - start[i]);
    rows[t * 5 + 0] = t, rows[t * 5 + 1] = r.loss, rows[t * 5 + 2] = r.grad_norm;
    rows[t * 5 + 3] = sqrt(ds), rows[t * 5 + 4] = sqrt(d0);
    ls_train_result_free(&r);
    if (o->log) fprintf(o->log, "landsym saddle: retrain %d/%d: loss %.10g\n", t + 1, n, rows[t * 5 + 1]);
  }
  free(x);
  return st;
}

/* retrain.csv and the count of restarts ending below the start's loss. */
static ls_status run_retrain(const ls_config *cfg, const double *theta, const ls_exp_saddle_opts *o,
                             ls_exp_saddle_result *r, ls_error *err) {
  r->retrain = malloc((size_t)o->perturb * 5 * sizeof *r->retrain);
  if (!r->retrain) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  r->n_retrain = o->perturb;
  ls_status st = retrain(&cfg->student, &cfg->data, r->saddle.saddle, theta, o, r->retrain, err);
  char *f = st ? NULL : path_join(o->out_dir, "retrain.csv");
  if (!st && f)
    st = ls_csv_write(f, "trial,loss,grad_inf,dist_saddle,dist_start", r->retrain,
                      (size_t)o->perturb, 5, err);
  free(f);
  for (int t = 0; t < r->n_retrain && !st; t++)
    r->retrain_below_start += r->retrain[t * 5 + 1] < r->saddle.start_loss * (1 - 1e-8);
  return st;
}

/* The saddle line, its certificate, the spectra, the slices, the restarts. */
static ls_status run_saddle(const ls_config *cfg, const double *theta, const ls_exp_saddle_opts *o,
                            ls_exp_saddle_result *r, ls_error *err) {
  const ls_net *net = &cfg->student;
  size_t P = r->P;
  ls_saddle_opts so;
  ls_saddle_opts_default(&so);
  so.layer = o->layer, so.mu = o->mu;
  ls_status st = ls_saddle_find(net, &cfg->data, theta, &so, &r->saddle, err);
  r->have_saddle = !st;
  if (!st) st = ls_cert_critical(net, &cfg->data, r->saddle.saddle, NULL, &r->cert, err);
  r->eig_start = malloc(P * sizeof *r->eig_start);
  if (!st && !r->eig_start) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = ls_sym_hessian_eigs(net, &cfg->data, theta, r->eig_start, err);
  if (!st) {
    double mx0 = fmax(fabs(r->eig_start[0]), fabs(r->eig_start[P - 1]));
    r->start_inertia = ls_inertia_count(r->eig_start, (int)P, 1e-10 * mx0);
  }
  char *f = NULL;
  if (!st && (f = path_join(o->out_dir, "saddle.npy"))) st = ls_params_write(f, r->saddle.saddle, P, err);
  free(f), f = NULL;
  if (!st && (f = path_join(o->out_dir, "reduced.npy")))
    st = ls_params_write(f, r->saddle.reduced, ls_net_nparams(&r->saddle.reduced_net), err);
  free(f);
  if (!st) st = write_eigs(o->out_dir, "spectrum_saddle.csv", r->saddle.eig_saddle, P, err);
  if (!st) st = write_eigs(o->out_dir, "spectrum_start.csv", r->eig_start, P, err);
  if (!st) st = slices(o->out_dir, net, &cfg->data, theta, &r->saddle, o->slice_n, o->plot, err);
  if (!st && o->perturb > 0) st = run_retrain(cfg, theta, o, r, err);
  return st;
}

static json_t *inertia_json(ls_inertia i) {
  return json_pack("{s:i,s:i,s:i}", "neg", i.neg, "zero", i.zero, "pos", i.pos);
}

static json_t *escape_json(const ls_escape_result *er) {
  json_t *e = json_object();
  json_object_set_new(e, "loss", json_real(er->loss0));
  json_object_set_new(e, "directions", json_integer(er->n_dirs));
  json_object_set_new(e, "negative", json_integer(er->n_negative));
  json_object_set_new(e, "near_zero", json_integer(er->n_near_zero));
  json_object_set_new(e, "found_lower", json_boolean(er->found_lower));
  json_object_set_new(e, "found_by_bfs", json_boolean(er->found_by_bfs));
  json_object_set_new(e, "best_loss", json_real(er->best_loss));
  json_object_set_new(e, "best_distance", json_real(er->best_radius));
  json_object_set_new(e, "bfs_visited", json_integer(er->bfs_visited));
  return e;
}

static void retrain_json(json_t *j, const ls_exp_saddle_result *r) {
  json_t *ra = json_array();
  for (int t = 0; t < r->n_retrain; t++) {
    const double *q = r->retrain + t * 5;
    json_array_append_new(ra, json_pack("{s:f,s:f,s:f,s:f}", "loss", q[1], "grad_inf", q[2],
                                        "dist_saddle", q[3], "dist_start", q[4]));
  }
  json_object_set_new(j, "retrain", ra);
  json_object_set_new(j, "retrain_below_start", json_integer(r->retrain_below_start));
}

static void saddle_json(json_t *j, const ls_exp_saddle_result *r) {
  const ls_saddle_result *sr = &r->saddle;
  const ls_crit_cert *sc = &r->cert;
  json_object_set_new(j, "layer", json_integer(sr->layer));
  json_object_set_new(j, "pair", json_pack("[i,i]", sr->l, sr->m));
  json_object_set_new(j, "pair_distance", json_real(sr->pair_distance));
  json_object_set_new(j, "start_loss", json_real(sr->start_loss));
  json_object_set_new(j, "start_inertia", inertia_json(r->start_inertia));
  json_object_set_new(j, "reduced_loss", json_real(sr->reduced_loss));
  json_object_set_new(j, "reduced_grad_inf", json_real(sr->reduced_grad));
  json_object_set_new(j, "mu", json_real(sr->mu));
  json_object_set_new(j, "saddle_loss", json_real(sr->saddle_loss));
  json_object_set_new(j, "saddle_grad_inf", json_real(sr->saddle_grad));
  json_object_set_new(j, "saddle_certificate", json_string(ls_cert_kind_name(sc->kind)));
  json_object_set_new(j, "saddle_certified_grad_inf", json_real(sc->grad_inf));
  json_object_set_new(j, "saddle_certified_bound", json_real(sc->bound));
  json_object_set_new(j, "saddle_certified_dist", json_real(sc->dist));
  if (sc->kind == LS_CERT_NONE)
    json_object_set_new(j, "saddle_certificate_reason", json_string(sc->reason));
  json_object_set_new(j, "distance", json_real(sr->distance));
  json_object_set_new(j, "saddle_inertia", inertia_json(sr->inertia));
  json_object_set_new(j, "predicted_inertia", inertia_json(sr->predicted));
  json_object_set_new(j, "degenerate_local_minimum_near_saddle", json_boolean(sr->start_degenerate));
  if (r->retrain) retrain_json(j, r);
}

static json_t *summary_json(const ls_config *cfg, const ls_exp_saddle_opts *o,
                            const ls_exp_saddle_result *r) {
  json_t *j = json_object();
  json_object_set_new(j, "config", json_string(cfg->path));
  json_object_set_new(j, "params", json_string(o->params));
  if (r->have_escape) json_object_set_new(j, "escape", escape_json(&r->escape));
  if (r->have_saddle) saddle_json(j, r);
  return j;
}

/* The saddle pipeline needs the Hessian: no ReLU anywhere. */
static ls_status check_net(const ls_net *net, int layer, ls_error *err) {
  if (layer < 1 || layer >= net->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "--layer %d: the student has hidden layers 1..%d", layer,
                        net->n_layers - 1);
  for (int l = 1; l <= net->n_layers; l++)
    if (net->act[l].kind == LS_ACT_RELU)
      return ls_error_set(err, LS_ERR_INPUT, "the saddle pipeline needs the Hessian: ReLU (layer %d) is not twice differentiable", l);
  return LS_OK;
}

ls_status ls_exp_saddle_run(const ls_config *cfg, const ls_exp_saddle_opts *o,
                            ls_exp_saddle_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  const ls_net *net = &cfg->student;
  double *theta = NULL;
  r->P = ls_net_nparams(net);
  ls_status st = check_net(net, o->layer, err);
  if (!st) st = ls_params_read_net(o->params, net, &theta, err);
  if (!st) st = path_mkdir(o->out_dir, err);
  if (!st && (o->escape || o->escape_only)) {
    st = ls_escape_check(net, &cfg->data, theta, NULL, &r->escape, err);
    r->have_escape = !st;
  }
  if (!st && !o->escape_only) st = run_saddle(cfg, theta, o, r, err);
  if (!st) r->summary = summary_json(cfg, o, r);
  if (!st) /* indented 2, 17 digits, no final newline, as always */
    st = path_json_write(o->out_dir, "summary.json", r->summary,
                         JSON_INDENT(2) | JSON_REAL_PRECISION(17), err);
  free(theta);
  if (st) ls_exp_saddle_result_free(r);
  return st;
}
