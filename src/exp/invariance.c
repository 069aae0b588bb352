/* Lemma 2.1 of Simsek et al. 2021 on the student of a config (landsym/exp_invariance.h).
 * docs/invariance.md. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/exp_invariance.h"
#include "landsym/io.h"
#include "landsym/optim.h"

void ls_exp_invariance_opts_default(ls_exp_invariance_opts *o) {
  memset(o, 0, sizeof *o);
  ls_sym_invariance_opts_default(&o->sym);
}

void ls_exp_invariance_result_free(ls_exp_invariance_result *r) {
  if (!r) return;
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

static json_t *leg_json(const ls_sym_invariance_leg *g) {
  json_t *j = json_object();
  json_object_set_new(j, "dist_start", json_real(g->dist_start));
  json_object_set_new(j, "dist_max", json_real(g->dist_max));
  json_object_set_new(j, "dist_min", json_real(g->dist_min));
  json_object_set_new(j, "dist_end", json_real(g->dist_end));
  json_object_set_new(j, "param_scale", json_real(g->scale));
  json_object_set_new(j, "loss_start", json_real(g->loss_start));
  json_object_set_new(j, "loss_end", json_real(g->loss_end));
  json_object_set_new(j, "grad_end", json_real(g->grad_end));
  json_object_set_new(j, "flow_t", json_real(g->flow_t));
  json_object_set_new(j, "steps", json_integer((json_int_t)g->n_samples));
  json_object_set_new(j, "stop", json_string(ls_stop_name(g->stop)));
  return j;
}

static json_t *summary_json(const ls_sym_invariance_opts *o, const ls_exp_invariance_result *r) {
  json_t *j = json_object();
  json_object_set_new(j, "layer", json_integer(o->layer));
  json_object_set_new(j, "units", json_pack("[i,i]", o->i, o->j));
  json_object_set_new(j, "offset", json_real(o->offset));
  json_object_set_new(j, "tmax", json_real(o->tmax));
  json_object_set_new(j, "on", leg_json(&r->res.on));
  json_object_set_new(j, "off", leg_json(&r->res.off));
  json_object_set_new(j, "on_tolerance", json_real(r->on_tol));
  json_object_set_new(j, "stays_on", json_boolean(r->stays_on));
  json_object_set_new(j, "stays_off", json_boolean(r->stays_off));
  return j;
}

ls_status ls_exp_invariance_run(const ls_config *cfg, const ls_exp_invariance_opts *o,
                                ls_exp_invariance_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  const ls_net *net = &cfg->student;
  double *theta = NULL;
  ls_status st = LS_OK;
  if (o->params) st = ls_params_read_net(o->params, net, &theta, err);
  else if (!(theta = malloc(ls_net_nparams(net) * sizeof *theta)))
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  else ls_params_glorot(net, o->sym.seed, theta);
  if (!st && (o->sym.layer < 1 || o->sym.layer >= net->n_layers))
    st = ls_error_set(err, LS_ERR_INPUT, "--layer %d: the student's hidden layers are 1..%d",
                      o->sym.layer, net->n_layers - 1);
  if (!st) st = ls_sym_invariance_check(net, &cfg->data, theta, &o->sym, &r->res, err);
  free(theta);
  if (st) return st;
  /* on H: distance at rounding level relative to the largest weight seen; off H: positive
   * over the whole flow */
  r->on_tol = 1e-12 * fmax(1.0, r->res.on.scale);
  r->stays_on = r->res.on.dist_max <= r->on_tol, r->stays_off = r->res.off.dist_min > 0;
  r->summary = summary_json(&o->sym, r);
  return LS_OK;
}
