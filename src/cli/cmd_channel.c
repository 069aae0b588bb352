/* landsym channel: certify a channel to infinity at one point (ls_channel_find, channel.h;
 * Martinelli et al. 2025, arXiv 2506.14951), write the limit GLU network and follow the run
 * along the channel (ls_channel_flow). docs/classify.md, "Channels to infinity". */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/exp_classify.h"
#include "cli/cli.h"
#include "cli/path_plot.h"
#include "landsym/channel.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/io.h"

static void channel_usage(FILE *out) {
  fprintf(out,
          "usage: landsym channel --config FILE --params P --out DIR [--no-flow] [--no-plot]\n"
          "                       [--json]\n\n"
          "Channel to infinity at a point of the student network: groups of units of a\n"
          "hidden layer whose incoming weights merge (up to the activation's odd symmetry)\n"
          "while their outgoing weights diverge with a finite sum. Each group is replaced\n"
          "by one gated linear unit c (f(w.x) + (v.x) f'(w.x)), the limit network is\n"
          "polished by Newton's method to machine precision, and the channel is certified\n"
          "when the limit's loss is not above the run's and its function is within\n"
          "sqrt(loss) of the run's on the data. A minimum at infinity when the limit's\n"
          "Hessian has no negative eigenvalue, else a saddle at infinity. Then the run is\n"
          "followed along its first channel by gradient flow in coordinates where the\n"
          "channel's end is finite (loss against the outgoing weights' norm).\n\n"
          "  --config FILE   experiment config (JSON) or builtin:NAME\n"
          "  --params P      the point (.npy/.json) of the student network\n"
          "  --out DIR       output directory (created): channel.json, limit.npy + limit.json\n"
          "                  (the limit network, loadable as a config network), channel_flow.dat,\n"
          "                  channel_loss.{gp,png,svg}, channel_weights.{gp,png,svg}\n"
          "  --no-flow       skip the continuation\n"
          "  --no-plot       skip the figures\n"
          "  --json          channel.json on stdout\n"
          "  --help          this text\n"
          "Exit 0 whether or not a channel is found (\"found\" says), 1 when the computation\n"
          "failed, 2 on bad usage or input.\n");
}

typedef struct {
  cli_point pt;
  const char *out;
  int no_flow, no_plot, json;
} channel_cli;

static int parse(int argc, char **argv, channel_cli *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"out", required_argument, 0, 'o'},    {"no-flow", no_argument, 0, 'F'},
      {"no-plot", no_argument, 0, 'N'},      {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("channel", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'o': o->out = optarg; break;
      case 'F': o->no_flow = 1; break;
      case 'N': o->no_plot = 1; break;
      case 'j': o->json = 1; break;
      case 'h': channel_usage(stdout); return 0;
      default:
        return cli_usage_error("channel", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("channel", "unexpected argument '%s'", argv[optind]);
  if (!o->pt.config) return cli_usage_error("channel", "--config FILE is required");
  if (!o->pt.params) return cli_usage_error("channel", "--params P is required");
  if (!o->out) return cli_usage_error("channel", "--out DIR is required");
  return -1;
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *report_json(const ls_channel_report *r) {
  json_t *o = json_object(), *gs = json_array();
  json_object_set_new(o, "found", json_boolean(r->found));
  json_object_set_new(o, "at_infinity",
                      json_string(!r->found ? "" : r->minimum ? "minimum" : "saddle"));
  json_object_set_new(o, "reason", json_string(r->reason));
  char buf[512];
  ls_channel_groups_string(r, buf, sizeof buf);
  json_object_set_new(o, "groups_string", json_string(buf));
  for (int g = 0; g < r->n_groups; g++) {
    const ls_channel_group *q = &r->groups[g];
    json_t *u = json_array(), *s = json_array();
    for (int a = 0; a < q->size; a++)
      json_array_append_new(u, json_integer(q->unit[a])), json_array_append_new(s, json_integer(q->sign[a]));
    json_array_append_new(gs, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "layer", q->layer,
                                        "units", u, "signs", s, "dist", num(q->dist), "out_max",
                                        num(q->out_max), "c_norm", num(q->c_norm), "v_norm",
                                        num(q->v_norm), "m_norm", num(q->m_norm)));
  }
  json_object_set_new(o, "groups", gs);
  json_object_set_new(o, "bias_added", json_boolean(r->bias_added));
  json_object_set_new(o, "loss", num(r->loss));
  json_object_set_new(o, "limit_loss_at_run", num(r->limit_loss0));
  json_object_set_new(o, "fn_dist_at_run", num(r->fn_dist0));
  json_object_set_new(o, "limit_loss", num(r->limit_loss));
  json_object_set_new(o, "limit_grad_inf", num(r->limit_grad_inf));
  json_object_set_new(o, "fn_dist", num(r->fn_dist));
  json_object_set_new(o, "limit_shift", num(r->limit_shift));
  json_object_set_new(o, "limit_inertia", json_pack("{s:i, s:i, s:i}", "positive", r->n_pos,
                                                    "zero", r->n_zero, "negative", r->n_neg));
  json_object_set_new(o, "eig_min", num(r->eig_min));
  json_object_set_new(o, "eig_max", num(r->eig_max));
  json_object_set_new(o, "flow_samples", json_integer((json_int_t)r->n_flow));
  if (r->n_flow) {
    json_object_set_new(o, "flow_monotone", json_boolean(r->flow_monotone));
    json_object_set_new(o, "flow_loss_end", num(r->flow_loss_end));
    json_object_set_new(o, "flow_s_end", num(r->flow_s_end));
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

int cmd_channel(int argc, char **argv) {
  channel_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("channel", &err);
  double *theta = NULL;
  ls_channel_report r;
  memset(&r, 0, sizeof r);
  ls_status st = ls_params_read_net(o.pt.params, &cfg.student, &theta, &err);
  if (!st) st = path_mkdir(o.out, &err);
  ls_channel_opts co;
  ls_channel_opts_default(&co);
  co.flow = !o.no_flow;
  if (!st) st = ls_channel_find(&cfg.student, &cfg.data, theta, &co, &r, &err);
  char *f = NULL;
  if (!st && r.n_groups && (f = path_join(o.out, "limit"))) st = ls_prune_write(f, &r.limit_net, r.limit_theta, &err);
  free(f), f = NULL;
  json_t *j = st ? NULL : report_json(&r);
  char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
  if (!st && !text) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
  if (!st && (f = path_join(o.out, "channel.json"))) st = ls_file_write_atomic(f, text, strlen(text), &err);
  free(f);
  if (!st && r.n_flow > 1 && !o.no_plot) st = figures(o.out, &r, &err);
  if (!st && o.json) printf("%s\n", text);
  else if (!st) {
    char g[512];
    ls_channel_groups_string(&r, g, sizeof g);
    printf("channel:      %s\n", r.reason);
    if (r.n_groups) {
      printf("groups:       %s (units 0-based, - = flipped)\n", g);
      printf("run loss:     %.17g\n", r.loss);
      printf("limit loss:   %.17g (at the run's parameters %.17g)\n", r.limit_loss, r.limit_loss0);
      printf("limit grad:   %.3g (inf-norm)   inertia +%d 0:%d -%d\n", r.limit_grad_inf, r.n_pos,
             r.n_zero, r.n_neg);
      printf("fn distance:  %.3g (RMS run vs polished limit; %.3g at the run's parameters)\n",
             r.fn_dist, r.fn_dist0);
    }
    if (r.n_flow)
      printf("continuation: %zu samples, loss %s, end loss %.17g, s %.3g (%s)\n", r.n_flow,
             r.flow_monotone ? "monotone" : "NOT monotone", r.flow_loss_end, r.flow_s_end,
             r.flow_stop);
    printf("written to:   %s\n", o.out);
  }
  free(text);
  json_decref(j);
  ls_channel_report_free(&r);
  free(theta);
  ls_config_free(&cfg);
  return st ? cli_fail("channel", &err) : 0;
}
