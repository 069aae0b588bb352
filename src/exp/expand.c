/* Points on the expansion manifold and symmetry-induced critical points
 * (landsym/exp_expand.h; Simsek et al. 2021, Definitions 3.2-3.3, 4.1, section 5).
 * docs/expand.md. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/exp_expand.h"
#include "landsym/io.h"

void ls_exp_expand_opts_default(ls_exp_expand_opts *o) {
  memset(o, 0, sizeof *o);
  o->tol = 1e-8, o->eig_tol = 1e-10;
}

void ls_exp_expand_result_free(ls_exp_expand_result *r) {
  if (!r) return;
  ls_sym_reduction_free(&r->red);
  free(r->theta), free(r->theta_m), free(r->group_of);
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

/* The point to expand: network and parameters. */
static ls_status load_point(const ls_config *cfg, const ls_exp_expand_opts *o,
                            ls_exp_expand_result *r, ls_error *err) {
  if (!o->params || !strcmp(o->params, "teacher")) {
    if (!cfg->has_teacher)
      return ls_error_set(err, LS_ERR_INPUT,
                          "the config has no teacher: give the point with --params FILE");
    r->net = cfg->teacher;
    size_t P = ls_net_nparams(&r->net);
    r->theta = malloc(P * sizeof *r->theta);
    if (!r->theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    memcpy(r->theta, cfg->teacher_params, P * sizeof *r->theta);
    snprintf(r->point, sizeof r->point, "teacher");
    return LS_OK;
  }
  if (!o->student_shape && !cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT,
                        "--shape teacher but the config has no teacher (use --shape student)");
  r->net = o->student_shape ? cfg->student : cfg->teacher;
  snprintf(r->point, sizeof r->point, "%s", o->params);
  return ls_params_read_net(o->params, &r->net, &r->theta, err);
}

/* The lists of the options that depend on the point: k, beta, perm. */
static ls_status spec_lists(const ls_exp_expand_opts *o, const ls_net *net, int l, int m,
                            ls_sym_expand_spec *s, ls_error *err) {
  if (o->k) {
    if (o->n_k != net->width[l])
      return ls_error_set(err, LS_ERR_INPUT, "--k has %d entries, layer %d has r = %d units",
                          o->n_k, l, net->width[l]);
    s->k = o->k;
  }
  s->beta = o->beta;
  if (o->beta) {
    int K = 0;
    for (int t = 0; o->k && t < o->n_k; t++) K += o->k[t];
    if (!o->k || o->n_beta != K)
      return ls_error_set(err, LS_ERR_INPUT, "--beta needs --k and sum(k) = %d entries, got %d",
                          K, o->n_beta);
  }
  if (o->perm) {
    if (o->n_perm != m)
      return ls_error_set(err, LS_ERR_INPUT, "--perm has %d entries, the target width is %d",
                          o->n_perm, m);
    s->perm = o->perm;
  }
  return LS_OK;
}

/* The expansions requested, one spec per layer. */
static ls_status build_specs(const ls_config *cfg, const ls_exp_expand_opts *o, const ls_net *net,
                             ls_sym_expand_spec *specs, int *ns, ls_error *err) {
  int L = net->n_layers, same_depth = cfg->student.n_layers == L;
  *ns = 0;
  for (int l = 1; l <= L - 1; l++) {
    if (o->layer && l != o->layer) continue;
    int m = o->width ? o->width : (same_depth ? cfg->student.width[l] : 0);
    if (m == 0)
      return ls_error_set(err, LS_ERR_INPUT, "student and point differ in depth: give --layer and --width");
    if (m < net->width[l])
      return ls_error_set(err, LS_ERR_INPUT,
                          "layer %d: target width m = %d is smaller than the point's width r = %d "
                          "(expansion needs r <= m)", l, m, net->width[l]);
    ls_sym_expand_spec *s = &specs[(*ns)++];
    ls_sym_expand_spec_default(s, l, m);
    if (o->zero) s->n_zero = o->n_zero, s->b = o->zero;
    if (o->critical) s->n_zero = 0;
    ls_status st = spec_lists(o, net, l, m, s, err);
    if (st) return st;
    s->equal_split = o->equal_split, s->vector_split = o->vector_split;
    s->zero_type_out = !o->zero_out_zero, s->random_perm = !o->no_perm;
  }
  return LS_OK;
}

/* Definition 3.1: the point must be irreducible at every expanded layer. */
static ls_status check_irreducible(const ls_exp_expand_opts *o, ls_exp_expand_result *r,
                                   const ls_sym_expand_spec *specs, int ns, ls_error *err) {
  ls_sym_reduce_opts ro;
  ls_sym_reduce_opts_default(&ro);
  ro.tol = o->tol_set && !o->critical ? o->tol : 1e-8;
  ls_status st = ls_sym_reduce(&r->net, r->theta, &ro, &r->red, err);
  for (int i = 0; !st && i < ns && !o->allow_reducible; i++) {
    int l = specs[i].layer;
    if (!ls_sym_is_irreducible(&r->red, l))
      st = ls_error_set(err, LS_ERR_INPUT,
                        "the point is not irreducible at layer %d: its %d units reduce to %d "
                        "(Definition 3.1); pass --allow-reducible to expand it anyway",
                        l, r->net.width[l], r->red.layer[l].reduced_width);
  }
  return st;
}

static json_t *json_ints(const int *v, int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
  return a;
}

static json_t *json_widths(const ls_net *net) {
  return json_ints(net->width, net->n_layers + 1);
}

static json_t *critical_json(const ls_sym_critical_cert *cc) {
  json_t *c = json_object();
  json_object_set_new(c, "grad_norm_from", json_real(cc->grad_norm_r));
  json_object_set_new(c, "grad_norm_to", json_real(cc->grad_norm_m));
  json_object_set_new(c, "zero_eigenvalues_from", json_integer(cc->zero_r));
  json_object_set_new(c, "zero_eigenvalues_to", json_integer(cc->zero_m));
  json_object_set_new(c, "zero_eigenvalues_predicted", json_integer(cc->zero_predicted));
  json_object_set_new(c, "index_from", json_integer(cc->neg_r));
  json_object_set_new(c, "index_to", json_integer(cc->neg_m));
  json_object_set_new(c, "index_bound", json_integer(cc->index_bound));
  json_object_set_new(c, "index_predicted_min", json_integer(cc->index_predicted_min));
  json_object_set_new(c, "eigenvalue_tol", json_real(cc->tol));
  json_object_set_new(c, "largest_zero_eigenvalue", json_real(cc->gap_zero));
  json_object_set_new(c, "smallest_nonzero_eigenvalue", json_real(cc->gap_nonzero));
  json_object_set_new(c, "zero_loss", json_boolean(cc->zero_loss));
  json_object_set_new(c, "plateau_dim", json_integer(cc->plateau_dim));
  json_object_set_new(c, "plateau_loss_diff", json_real(cc->plateau_loss_diff));
  json_object_set_new(c, "plateau_grad_norm", json_real(cc->plateau_grad_norm));
  json_object_set_new(c, "counts_match", json_boolean(cc->zero_m == cc->zero_predicted));
  return c;
}

static json_t *summary_json(const ls_config *cfg, const ls_exp_expand_opts *o,
                            const ls_exp_expand_result *r) {
  char d0[128], d1[128];
  ls_net_describe(&r->net, d0, sizeof d0);
  ls_net_describe(&r->big, d1, sizeof d1);
  json_t *out = json_object();
  json_object_set_new(out, "config", json_string(cfg->path));
  json_object_set_new(out, "point", json_string(r->point));
  json_object_set_new(out, "from", json_string(d0));
  json_object_set_new(out, "to", json_string(d1));
  json_object_set_new(out, "widths_from", json_widths(&r->net));
  json_object_set_new(out, "widths_to", json_widths(&r->big));
  json_object_set_new(out, "seed", json_integer((json_int_t)o->seed));
  json_object_set_new(out, "point_irreducible_widths", json_widths(&r->red.net));
  if (r->group_of) json_object_set_new(out, "unit_origin", json_ints(r->group_of, r->m));
  json_object_set_new(out, "max_output_diff", json_real(r->equiv.max_out_diff));
  json_object_set_new(out, "max_output_rel", json_real(r->equiv.max_out_rel));
  json_object_set_new(out, "loss_from", json_real(r->equiv.loss_a));
  json_object_set_new(out, "loss_to", json_real(r->equiv.loss_b));
  json_object_set_new(out, "loss_diff", json_real(r->equiv.loss_diff));
  if (r->critical) json_object_set_new(out, "critical", critical_json(&r->crit));
  return out;
}

/* The expansion: one layer (with the origin of each unit) or several. */
static ls_status expand(const ls_exp_expand_opts *o, ls_exp_expand_result *r,
                        const ls_sym_expand_spec *specs, int ns, ls_error *err) {
  if (ns != 1) return ls_sym_expand(&r->net, r->theta, ns, specs, o->seed, &r->big, &r->theta_m, err);
  r->m = specs[0].m;
  r->group_of = malloc((size_t)r->m * sizeof *r->group_of);
  if (!r->group_of) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  return ls_sym_expand_layer(&r->net, r->theta, &specs[0], o->seed, &r->big, &r->theta_m,
                             r->group_of, err);
}

ls_status ls_exp_expand_opts_check(const ls_exp_expand_opts *o, ls_error *err) {
  if ((o->k || o->zero || o->beta || o->perm) && !o->layer)
    return ls_error_set(err, LS_ERR_INPUT, "--k, --zero, --beta and a listed --perm need --layer");
  if (o->width && !o->layer) return ls_error_set(err, LS_ERR_INPUT, "--width needs --layer");
  if (o->critical && (o->zero || o->vector_split))
    return ls_error_set(err, LS_ERR_INPUT, "--critical uses collinear splits without zero-type units "
                                           "(Definition 4.1): drop --zero and --split vector");
  if (o->beta && (o->equal_split || o->vector_split))
    return ls_error_set(err, LS_ERR_INPUT, "--beta and --split exclude each other");
  return LS_OK;
}

ls_status ls_exp_expand_run(const ls_config *cfg, const ls_exp_expand_opts *o,
                            ls_exp_expand_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  ls_sym_expand_spec specs[LS_MAX_LAYERS];
  int ns = 0;
  ls_status st = ls_exp_expand_opts_check(o, err);
  if (!st) st = load_point(cfg, o, r, err);
  int L = r->net.n_layers;
  if (!st && L < 2) st = ls_error_set(err, LS_ERR_INPUT, "the network has no hidden layer to expand");
  if (!st && o->layer > L - 1)
    st = ls_error_set(err, LS_ERR_INPUT,
                      "--layer %d is out of range: the %d-layer network has hidden layers 1..%d",
                      o->layer, L, L - 1);
  if (!st) st = build_specs(cfg, o, &r->net, specs, &ns, err);
  if (!st) st = check_irreducible(o, r, specs, ns, err);
  if (!st) st = expand(o, r, specs, ns, err);
  if (!st) st = ls_sym_equiv(&r->net, r->theta, &r->big, r->theta_m, &cfg->data, &r->equiv, err);
  if (!st && o->critical)
    st = ls_sym_critical_certify(&r->net, r->theta, &r->big, r->theta_m, &cfg->data, o->eig_tol,
                                 1e-20, o->seed, &r->crit, err);
  r->critical = o->critical && !st;
  if (!st && o->out) st = ls_params_write(o->out, r->theta_m, ls_net_nparams(&r->big), err);
  if (!st) r->summary = summary_json(cfg, o, r);
  if (st) ls_exp_expand_result_free(r);
  return st;
}
