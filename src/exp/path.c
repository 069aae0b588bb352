/* The permutation-path experiment (landsym/exp_path.h; Brea et al. 2019, section 2.1,
 * Algorithm 1, appendix C.1). docs/path.md. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exp/path_plot.h"
#include "landsym/core.h"
#include "landsym/config_path.h"
#include "landsym/engine.h"
#include "landsym/exp_path.h"
#include "landsym/io.h"

void ls_exp_path_opts_default(ls_exp_path_opts *o) {
  memset(o, 0, sizeof *o);
  o->layer = 1, o->pairs = LS_EXP_PATH_ALL, o->l = 0, o->m = 1;
  o->distance = -1, o->out_bound = -1, o->plot = 1;
}

double ls_exp_path_max_at_d(const ls_path *p) { return p->argmax < p->n ? p->d[p->argmax] : 0; }
double ls_exp_path_max_loss(const ls_path *p) {
  return p->argmax < p->n ? p->loss[p->argmax] : p->apex_loss;
}
/* |L(dmin d0) - L(0)| <= 1e-3 |L(0)|: the path reached the merged narrow network. */
#define END_MATCH_RTOL 1e-3
int ls_exp_path_end_matches(const ls_path *p) {
  double a = p->apex_loss, b = p->loss[p->n - 1];
  return fabs(a - b) <= END_MATCH_RTOL * fmax(fabs(a), 1e-12);
}

void ls_exp_path_result_free(ls_exp_path_result *r) {
  if (!r) return;
  for (int i = 0; i < r->n; i++) ls_path_free(&r->pairs[i].p), ls_crit_cert_free(&r->pairs[i].cert);
  free(r->pairs);
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

static int smooth_net(const ls_net *net) {
  for (int l = 1; l <= net->n_layers; l++)
    if (net->act[l].kind == LS_ACT_RELU) return 0;
  return 1;
}

/* The path options as run: ls_path_opts_default, the config's path section, then the
 * caller's overrides. */
static ls_status resolve_opts(const ls_config *cfg, const ls_exp_path_opts *o, ls_path_opts *po,
                              ls_error *err) {
  ls_path_opts_default(po);
  ls_config_path_section sec = {po->steps, po->dmin_rel, po->maxeval};
  ls_status st = ls_config_read_path_opts(cfg, &sec, err);
  if (st) return st;
  po->steps = sec.steps, po->dmin_rel = sec.dmin, po->maxeval = sec.maxeval;
  const ls_net *net = &cfg->student;
  if (o->steps > 0) po->steps = o->steps;
  if (o->dmin > 0) po->dmin_rel = o->dmin;
  if (o->maxeval > 0) po->maxeval = o->maxeval;
  po->method = o->lagrangian ? LS_PATH_LAGRANGIAN : LS_PATH_CONSTRAINED;
  po->layer = o->layer;
  if (o->layer < 1 || o->layer >= net->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "--layer %d: the student has hidden layers 1..%d",
                        o->layer, net->n_layers - 1);
  po->relative = o->distance >= 0 ? o->distance : net->act[o->layer].kind == LS_ACT_RELU;
  po->out_bound = o->out_bound >= 0 ? o->out_bound
                  : po->relative    ? LS_EXP_PATH_OUT_BOUND_DEFAULT
                                    : 0;
  return LS_OK;
}

/* The start point: a parameter file, or the teacher when it has the student's widths. */
static ls_status start_point(const ls_config *cfg, const char *params, double **theta,
                             ls_error *err) {
  const ls_net *s = &cfg->student;
  if (params && strcmp(params, "teacher")) return ls_params_read_net(params, s, theta, err);
  if (!cfg->has_teacher || ls_net_nparams(&cfg->teacher) != ls_net_nparams(s) ||
      memcmp(cfg->teacher.width, s->width, sizeof s->width))
    return ls_error_set(err, LS_ERR_INPUT,
                        "--params teacher needs a teacher of the student's widths: give --params FILE");
  size_t P = ls_net_nparams(s);
  *theta = malloc(P * sizeof **theta);
  if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  memcpy(*theta, cfg->teacher_params, P * sizeof **theta);
  return LS_OK;
}

/* The pairs to run into r->pairs / r->n. */
static ls_status choose_pairs(const ls_net *net, const double *theta, const ls_exp_path_opts *o,
                              ls_exp_path_result *r, ls_error *err) {
  int k = o->layer, w = net->width[k];
  r->pairs = calloc((size_t)(w * (w - 1) / 2 + 1), sizeof *r->pairs);
  if (!r->pairs) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_exp_path_pair *q = r->pairs;
  if (o->pairs == LS_EXP_PATH_ONE) {
    q->l = o->l, q->m = o->m, r->n = 1;
    if (q->l < 0 || q->m < 0 || q->l >= w || q->m >= w || q->l == q->m)
      return ls_error_set(err, LS_ERR_INPUT,
                          "--pair must be two distinct units of layer %d (0..%d), got '%d,%d'", k,
                          w - 1, q->l, q->m);
    return LS_OK;
  }
  if (o->pairs == LS_EXP_PATH_COSINE) {
    r->n = 1;
    return ls_path_pick_pair(net, theta, k, 1, &q->l, &q->m, err);
  }
  for (int l = 0; l < w; l++)
    for (int m = l + 1; m < w; m++) q[r->n].l = l, q[r->n].m = m, r->n++;
  return LS_OK;
}

/* path_L_M.npy, permpoint_L_M.npy, dmin_L_M.npy, partner_L_M.npy: rows of the full path. */
static ls_status write_points(const char *dir, const ls_exp_path_pair *pr, const double *full,
                              size_t N, size_t mid, ls_error *err) {
  const ls_path *p = &pr->p;
  size_t P = p->P, n = (size_t)p->n;
  static const char *const names[] = {"permpoint", "dmin", "partner"};
  size_t rows[3] = {mid, n - 1, N - 1};
  char name[128];
  snprintf(name, sizeof name, "path_%d_%d.npy", pr->l, pr->m);
  char *f = path_join(dir, name);
  size_t shape[2] = {N, P};
  ls_status st = f ? ls_npy_write(f, full, 2, shape, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(f);
  for (int i = 0; i < 3 && !st; i++) {
    snprintf(name, sizeof name, "%s_%d_%d.npy", names[i], pr->l, pr->m);
    f = path_join(dir, name);
    st = f ? ls_params_write(f, full + rows[i] * P, P, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    free(f);
  }
  return st;
}

/* path_L_M.csv: index, half (0 up to the permutation point), s, d, distance, lambda, loss. */
static ls_status write_table(const char *dir, const ls_exp_path_pair *pr, const double *s,
                             size_t N, size_t mid, ls_error *err) {
  const ls_path *p = &pr->p;
  size_t n = (size_t)p->n;
  double *rows = malloc(N * 7 * sizeof *rows);
  if (!rows) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < N; i++) {
    size_t src = i < n ? i : N - 1 - i;
    int apex = p->has_apex && i == n;
    double *r = rows + i * 7;
    r[0] = (double)i, r[1] = i <= mid ? 0 : 1, r[2] = s[i];
    r[3] = apex ? 0 : p->d[src], r[4] = apex ? 0 : p->dist[src];
    r[5] = apex ? 0 : p->lambda[src], r[6] = apex ? p->apex_loss : p->loss[src];
  }
  char name[128];
  snprintf(name, sizeof name, "path_%d_%d.csv", pr->l, pr->m);
  char *f = path_join(dir, name);
  ls_status st = f ? ls_csv_write(f, "index,half,s,d,distance,lambda,loss", rows, N, 7, err)
                   : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(f), free(rows);
  return st;
}

/* The full path (first half, apex, mirrored half): its files and the partner's loss. */
static ls_status write_pair(const char *dir, const ls_net *net, const ls_data *data, int k,
                            ls_exp_path_pair *pr, ls_error *err) {
  ls_path *p = &pr->p;
  size_t P = p->P, N = ls_path_full_len(p);
  double *full = NULL, *s = NULL;
  ls_status st = ls_path_mirror(net, p, k, pr->l, pr->m, &full, &s, err);
  if (st) return st;
  size_t n = (size_t)p->n, mid = p->has_apex ? n : n - 1; /* row of the permutation point */
  ls_work *w = ls_work_alloc(net, data->n);
  if (!w) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st) st = ls_loss(net, data, full + (N - 1) * P, &pr->mirror_end_loss, w);
  if (!st) st = write_table(dir, pr, s, N, mid, err);
  if (!st) st = write_points(dir, pr, full, N, mid, err);
  ls_work_free(w);
  free(full), free(s);
  return st;
}

/* paths.dat (d/d0, d, loss per pair) and paths_full.dat (s/d0, loss over the full path). */
static void figure_data(const ls_exp_path_result *r, path_buf *a, path_buf *b) {
  for (int i = 0; i < r->n; i++) {
    const ls_exp_path_pair *q = &r->pairs[i];
    const ls_path *p = &q->p;
    path_buf_printf(a, "# pair %d,%d: d/d0 d loss\n", q->l, q->m);
    path_buf_printf(b, "# pair %d,%d: s/d0 loss (s = d0 - d, then d0 + d mirrored)\n", q->l, q->m);
    for (int j = 0; j < p->n; j++)
      path_buf_printf(a, "%.17g %.17g %.17g\n", p->d[j] / p->d0, p->d[j], p->loss[j]);
    for (int j = 0; j < p->n; j++) path_buf_printf(b, "%.17g %.17g\n", 1 - p->d[j] / p->d0, p->loss[j]);
    if (p->has_apex) path_buf_printf(b, "1 %.17g\n", p->apex_loss);
    for (int j = p->has_apex ? p->n - 1 : p->n - 2; j >= 0; j--)
      path_buf_printf(b, "%.17g %.17g\n", 1 + p->d[j] / p->d0, p->loss[j]);
    path_buf_printf(a, "\n\n");
    path_buf_printf(b, "\n\n");
  }
}

static ls_status write_figures(const char *dir, const ls_exp_path_result *r, ls_error *err) {
  path_buf a = {0}, b = {0};
  figure_data(r, &a, &b);
  char body[2048], titles[1024] = "";
  size_t tl = 0;
  int k = r->layer, n = r->n;
  for (int i = 0; i < n && tl < sizeof titles - 16; i++)
    tl += (size_t)snprintf(titles + tl, sizeof titles - tl, "%s%d-%d", i ? " " : "",
                           r->pairs[i].l, r->pairs[i].m);
  snprintf(body, sizeof body,
           "set title \"loss along the merge of two units of layer %d (Brea et al. 2019, fig. 2)\"\n"
           "set xlabel \"distance d / d0\"\nset ylabel \"loss\"\nset logscale x\nset xrange [*:*] reverse\n"
           "set grid\nset key outside right\npairs = \"%s\"\n"
           "plot for [i=0:%d] \"paths.dat\" index i using 1:3 with lines lw 2 title \"pair \".word(pairs, i+1)",
           k, titles, n - 1);
  ls_status st = a.oom || b.oom ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) st = path_plot(dir, "paths", a.s, a.len, body, err);
  snprintf(body, sizeof body,
           "set title \"full permutation paths, layer %d: minimum -> permutation point -> partner\"\n"
           "set xlabel \"path coordinate s / d0 (1 = permutation point)\"\nset ylabel \"loss\"\n"
           "set grid\nset key outside right\npairs = \"%s\"\n"
           "plot for [i=0:%d] \"paths_full.dat\" index i using 1:2 with lines lw 2 title \"pair \".word(pairs, i+1)",
           k, titles, n - 1);
  if (!st) st = path_plot(dir, "paths_full", b.s, b.len, body, err);
  path_buf_free(&a), path_buf_free(&b);
  return st;
}

/* Smooth networks: the permutation point refined by Newton from the point of dmin
 * (permpoint_certified_L_M.npy); a failed refinement is not an error. */
static ls_status refine_permutation_point(const ls_config *cfg, int k, const char *dir,
                                          ls_exp_path_pair *q, ls_error *err) {
  ls_path *p = &q->p;
  const double *end = p->params + (size_t)(p->n - 1) * p->P;
  double *pp = malloc(p->P * sizeof *pp);
  if (!pp) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = LS_OK;
  if (ls_path_permutation_point(&cfg->student, &cfg->data, end, k, q->l, q->m, 1e-10, pp,
                                &q->pp_grad, &q->pp_inertia, err) == LS_OK) {
    char name[96];
    snprintf(name, sizeof name, "permpoint_certified_%d_%d.npy", q->l, q->m);
    char *f = path_join(dir, name);
    st = f ? ls_params_write(f, pp, p->P, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    free(f);
    q->pp_done = 1;
  }
  free(pp);
  return st;
}

/* One pair: the path, the apex's certificate, the refined permutation point, the files. */
static ls_status run_pair(const ls_config *cfg, const ls_exp_path_opts *o, ls_path_opts po,
                          const double *theta, ls_exp_path_pair *q, ls_error *err) {
  const ls_net *net = &cfg->student;
  int k = o->layer;
  po.l = q->l, po.m = q->m;
  double t0 = ls_clock_seconds();
  ls_status st = ls_path_build(net, &cfg->data, theta, &po, &q->p, err);
  q->seconds = ls_clock_seconds() - t0;
  if (st) return ls_error_prefix(err, "pair %d,%d", q->l, q->m), st;
  ls_path *p = &q->p;
  /* the permutation point is a critical point only with a certificate (certify.h) */
  if (p->has_apex && (st = ls_cert_critical(net, &cfg->data, p->apex, NULL, &q->cert, err))) return st;
  if (smooth_net(net) && (st = refine_permutation_point(cfg, k, o->out_dir, q, err))) return st;
  st = write_pair(o->out_dir, net, &cfg->data, k, q, err);
  q->dipole = ls_path_dipole(net, p->params + (size_t)(p->n - 1) * p->P, k, q->l, q->m);
  if (o->log)
    fprintf(o->log,
            "landsym path: pair %d,%d: d0 %.4g, loss at dmin %.8g, at d = 0 %.8g, barrier %.6g at "
            "d = %.3g, %zu evaluations, %.2f s\n",
            q->l, q->m, p->d0, p->loss[p->n - 1], p->apex_loss, p->barrier,
            ls_exp_path_max_at_d(p), p->evals, q->seconds);
  return st;
}

/* The apex's certificate and the refined permutation point of one summary entry. */
static void pair_json_points(json_t *e, const ls_exp_path_pair *q) {
  if (q->p.has_apex) {
    json_object_set_new(e, "apex_certificate", json_string(ls_cert_kind_name(q->cert.kind)));
    json_object_set_new(e, "apex_certified_grad_inf", json_real(q->cert.grad_inf));
    json_object_set_new(e, "apex_certified_bound", json_real(q->cert.bound));
    json_object_set_new(e, "apex_certified_loss", json_real(q->cert.loss));
    json_object_set_new(e, "apex_certified_dist", json_real(q->cert.dist));
    if (q->cert.kind == LS_CERT_NONE)
      json_object_set_new(e, "apex_certificate_reason", json_string(q->cert.reason));
  }
  if (q->pp_done) {
    json_object_set_new(e, "permutation_point_grad_inf", json_real(q->pp_grad));
    json_object_set_new(e, "permutation_point_inertia",
                        json_pack("{s:i,s:i,s:i}", "neg", q->pp_inertia.neg, "zero",
                                  q->pp_inertia.zero, "pos", q->pp_inertia.pos));
  }
}

static json_t *pair_json(const ls_exp_path_pair *q) {
  const ls_path *p = &q->p;
  double last = p->loss[p->n - 1];
  json_t *e = json_object();
  json_object_set_new(e, "pair", json_pack("[i,i]", q->l, q->m));
  json_object_set_new(e, "d0", json_real(p->d0));
  json_object_set_new(e, "d_end", json_real(p->d[p->n - 1]));
  json_object_set_new(e, "points", json_integer(p->n));
  json_object_set_new(e, "loss_start", json_real(p->loss[0]));
  json_object_set_new(e, "loss_d_min", json_real(last));
  json_object_set_new(e, "loss_permutation_point", json_real(p->apex_loss));
  json_object_set_new(e, "end_matches_merge", json_boolean(ls_exp_path_end_matches(p)));
  json_object_set_new(e, "merge_rel_diff",
                      json_real(fabs(last - p->apex_loss) / fmax(fabs(p->apex_loss), 1e-12)));
  json_object_set_new(e, "merged_reoptimised_loss", json_real(p->apex_loss));
  json_object_set_new(e, "end_refined", json_boolean(p->end_refined));
  json_object_set_new(e, "merge_move", json_real(p->apex_move));
  json_object_set_new(e, "merged_grad_inf", json_real(p->apex_grad));
  json_object_set_new(e, "barrier", json_real(p->barrier));
  json_object_set_new(e, "max_loss", json_real(ls_exp_path_max_loss(p)));
  json_object_set_new(e, "max_at_d", json_real(ls_exp_path_max_at_d(p)));
  json_object_set_new(e, "max_at_permutation_point", json_boolean(p->max_at_end));
  json_object_set_new(e, "out_bound", json_real(p->out_bound));
  json_object_set_new(e, "out_diff_end", json_real(p->beta_end));
  json_object_set_new(e, "dipole_share", json_real(q->dipole));
  json_object_set_new(e, "partner_loss", json_real(q->mirror_end_loss));
  json_object_set_new(e, "evaluations", json_integer((json_int_t)p->evals));
  json_object_set_new(e, "seconds", json_real(q->seconds));
  pair_json_points(e, q);
  return e;
}

/* summary.json: the run's options, one entry per pair, the lowest barrier. */
static json_t *summary_json(const ls_config *cfg, ls_exp_path_result *r) {
  json_t *j = json_object(), *arr = json_array();
  r->best = 0, r->seconds = 0;
  for (int i = 0; i < r->n; i++) {
    if (r->pairs[i].p.barrier < r->pairs[r->best].p.barrier) r->best = i;
    r->seconds += r->pairs[i].seconds;
    json_array_append_new(arr, pair_json(&r->pairs[i]));
  }
  const ls_exp_path_pair *b = &r->pairs[r->best];
  json_object_set_new(j, "config", json_string(cfg->path));
  json_object_set_new(j, "layer", json_integer(r->layer));
  json_object_set_new(j, "method",
                      json_string(r->used.method == LS_PATH_LAGRANGIAN ? "lagrangian" : "constrained"));
  json_object_set_new(j, "distance", json_string(r->used.relative ? "relative" : "absolute"));
  json_object_set_new(j, "steps", json_integer(r->used.steps));
  json_object_set_new(j, "dmin", json_real(r->used.dmin_rel));
  json_object_set_new(j, "pairs", arr);
  json_object_set_new(j, "lowest_barrier_pair", json_pack("[i,i]", b->l, b->m));
  json_object_set_new(j, "lowest_barrier", json_real(b->p.barrier));
  json_object_set_new(j, "seconds", json_real(r->seconds));
  return j;
}

ls_status ls_exp_path_run(const ls_config *cfg, const ls_exp_path_opts *o, ls_exp_path_result *r,
                          ls_error *err) {
  memset(r, 0, sizeof *r);
  double *theta = NULL;
  r->layer = o->layer;
  ls_status st = resolve_opts(cfg, o, &r->used, err);
  if (!st) st = start_point(cfg, o->params, &theta, err);
  if (!st) st = path_mkdir(o->out_dir, err);
  if (!st) st = choose_pairs(&cfg->student, theta, o, r, err);
  for (int i = 0; i < r->n && !st; i++) st = run_pair(cfg, o, r->used, theta, &r->pairs[i], err);
  if (!st && o->plot) st = write_figures(o->out_dir, r, err);
  if (!st) r->summary = summary_json(cfg, r);
  if (!st) /* indented 2, 17 digits, no final newline, as always */
    st = path_json_write(o->out_dir, "summary.json", r->summary,
                         JSON_INDENT(2) | JSON_REAL_PRECISION(17), err);
  free(theta);
  if (st) ls_exp_path_result_free(r);
  return st;
}
