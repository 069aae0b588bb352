/* The channel experiment at one point (landsym/exp_channel.h; Martinelli et al. 2025).
 * docs/classify.md, "Channels to infinity". */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/path_plot.h"
#include "landsym/classify.h"
#include "landsym/exp_channel.h"
#include "landsym/io.h"

void ls_exp_channel_opts_default(ls_exp_channel_opts *o) {
  memset(o, 0, sizeof *o);
  o->flow = 1, o->plot = 1;
}

void ls_exp_channel_result_free(ls_exp_channel_result *r) {
  if (!r) return;
  ls_channel_report_free(&r->report);
  json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

void ls_exp_channel_groups_string(const ls_channel_report *c, char *buf, size_t len) {
  size_t u = 0;
  buf[0] = 0;
  for (int g = 0; g < c->n_groups && u + 64 < len; g++) {
    u += (size_t)snprintf(buf + u, len - u, "%sL%d:", g ? " " : "", c->groups[g].layer);
    for (int a = 0; a < c->groups[g].size; a++)
      u += (size_t)snprintf(buf + u, len - u, "%d%c", c->groups[g].unit[a],
                            c->groups[g].sign[a] < 0 ? '-' : '+');
  }
}

static json_t *report_json(const ls_channel_report *r) {
  json_t *o = json_object(), *gs = json_array();
  json_object_set_new(o, "found", json_boolean(r->found));
  json_object_set_new(o, "at_infinity",
                      json_string(!r->found ? "" : r->minimum ? "minimum" : "saddle"));
  json_object_set_new(o, "reason", json_string(r->reason));
  char buf[512];
  ls_exp_channel_groups_string(r, buf, sizeof buf);
  json_object_set_new(o, "groups_string", json_string(buf));
  for (int g = 0; g < r->n_groups; g++) {
    const ls_channel_group *q = &r->groups[g];
    json_t *u = json_array(), *s = json_array();
    for (int a = 0; a < q->size; a++)
      json_array_append_new(u, json_integer(q->unit[a])), json_array_append_new(s, json_integer(q->sign[a]));
    json_array_append_new(gs, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "layer", q->layer,
                                        "units", u, "signs", s, "dist", ls_json_num(q->dist), "out_max",
                                        ls_json_num(q->out_max), "c_norm", ls_json_num(q->c_norm), "v_norm",
                                        ls_json_num(q->v_norm), "m_norm", ls_json_num(q->m_norm),
                                        "order", q->order == 2 ? 2 : 1));
  }
  json_object_set_new(o, "groups", gs);
  json_object_set_new(o, "bias_added", json_boolean(r->bias_added));
  json_object_set_new(o, "loss", ls_json_num(r->loss));
  json_object_set_new(o, "limit_loss_at_run", ls_json_num(r->limit_loss0));
  json_object_set_new(o, "fn_dist_at_run", ls_json_num(r->fn_dist0));
  json_object_set_new(o, "limit_loss", ls_json_num(r->limit_loss));
  json_object_set_new(o, "limit_grad_inf", ls_json_num(r->limit_grad_inf));
  json_object_set_new(o, "fn_dist", ls_json_num(r->fn_dist));
  json_object_set_new(o, "limit_shift", ls_json_num(r->limit_shift));
  json_object_set_new(o, "limit_inertia", json_pack("{s:i, s:i, s:i}", "positive", r->n_pos,
                                                    "zero", r->n_zero, "negative", r->n_neg));
  json_object_set_new(o, "eig_min", ls_json_num(r->eig_min));
  json_object_set_new(o, "eig_max", ls_json_num(r->eig_max));
  json_object_set_new(o, "flow_samples", json_integer((json_int_t)r->n_flow));
  if (r->n_flow) {
    json_object_set_new(o, "flow_monotone", json_boolean(r->flow_monotone));
    json_object_set_new(o, "flow_loss_end", ls_json_num(r->flow_loss_end));
    json_object_set_new(o, "flow_s_end", ls_json_num(r->flow_s_end));
    json_object_set_new(o, "flow_stop", json_string(r->flow_stop));
  }
  return o;
}

/* channel_flow.dat and the two figures. */
static ls_status figures(const char *dir, const ls_channel_report *r, ls_error *err) {
  path_buf d = {0};
  path_buf_printf(&d, "# continuation along the channel (landsym channel); limit loss %.17g\n"
                      "# t loss loss-limit_loss out_norm s w_i w_j a_i a_j\n",
                  r->limit_loss);
  for (size_t k = 0; k < r->n_flow; k++) {
    const ls_channel_sample *q = &r->flow_samples[k];
    path_buf_printf(&d, "%.10g %.17g %.6g %.10g %.6g %.10g %.10g %.10g %.10g\n", q->t, q->loss,
                    q->loss - r->limit_loss, q->out_norm, q->s, q->w_i, q->w_j, q->a_i, q->a_j);
  }
  if (d.oom) {
    path_buf_free(&d);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  char body[2048];
  snprintf(body, sizeof body,
           "set title \"loss along the channel: gradient flow in finite coordinates\"\n"
           "set grid\nset logscale x\nset format x \"10^{%%L}\"\n"
           "set xlabel \"norm of the pair's outgoing weights\"\nset ylabel \"loss\"\n"
           "set format y \"%%.8e\"\nset key bottom left\n"
           "plot \"channel_flow.dat\" using 4:2 with linespoints pt 7 ps 0.5 title \"run along "
           "the channel\", %.17g with lines dt 2 lw 2 title \"limit (GLU network) loss\"",
           r->limit_loss);
  ls_status st = path_plot(dir, "channel_flow", d.s, d.len, body, err);
  if (!st) {
    const char *b2 =
        "set grid\nset logscale x\n"
        "set format x \"10^{%L}\"\nset xlabel \"gradient-flow time t\"\nset multiplot layout 1,2\n"
        "set title \"incoming weights of the pair\"\nset ylabel \"incoming weight (first input)\"\n"
        "plot \"channel_flow.dat\" using 1:6 with lines lw 2 title \"w_i\", \"\" using 1:7 "
        "with lines lw 2 title \"w_j\"\n"
        "set title \"outgoing weights of the pair\"\nset ylabel \"outgoing weight\"\nset logscale y\nset format y \"10^{%L}\"\n"
        "plot \"channel_flow.dat\" using 1:(abs($8)) with lines lw 2 title \"|a_i|\", \"\" using "
        "1:(abs($9)) with lines lw 2 title \"|a_j|\"\nunset multiplot";
    st = path_plot(dir, "channel_weights", d.s, d.len, b2, err);
  }
  path_buf_free(&d);
  return st;
}

ls_status ls_exp_channel_run(const ls_config *cfg, const ls_exp_channel_opts *o,
                             ls_exp_channel_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  double *theta = NULL;
  ls_status st = ls_params_read_net(o->params, &cfg->student, &theta, err);
  if (!st) st = path_mkdir(o->out_dir, err);
  ls_channel_opts co;
  ls_channel_opts_default(&co);
  co.flow = o->flow;
  ls_channel_report *rep = &r->report;
  if (!st) st = ls_channel_find(&cfg->student, &cfg->data, theta, &co, rep, err);
  char *f = NULL;
  if (!st && rep->n_groups && (f = path_join(o->out_dir, "limit")))
    st = ls_prune_write(f, &rep->limit_net, rep->limit_theta, err);
  free(f);
  if (!st) r->summary = report_json(rep);
  if (!st) /* indented 2, no final newline, as always */
    st = path_json_write(o->out_dir, "channel.json", r->summary, JSON_INDENT(2), err);
  if (!st && rep->n_flow > 1 && o->plot) st = figures(o->out_dir, rep, err);
  free(theta);
  if (st) ls_exp_channel_result_free(r);
  return st;
}
