/* landsym channel: certify a channel to infinity at one point (ls_channel_find, channel.h;
 * Martinelli et al. 2025, arXiv 2506.14951), write the limit GLU network and follow the run
 * along the channel (ls_channel_flow). docs/classify.md, "Channels to infinity". */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_channel.h"
#include "landsym/out.h"

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

static int print(const ls_exp_channel_result *res, const char *out, int json) {
  ls_error err = {0};
  if (json) return ls_json_print(res->summary, stdout, &err) ? cli_fail("channel", &err) : 0;
  const ls_channel_report *r = &res->report;
  char g[512];
  ls_exp_channel_groups_string(r, g, sizeof g);
  printf("channel:      %s\n", r->reason);
  if (r->n_groups) {
    printf("groups:       %s (units 0-based, - = flipped)\n", g);
    printf("run loss:     %.17g\n", r->loss);
    printf("limit loss:   %.17g (at the run's parameters %.17g)\n", r->limit_loss, r->limit_loss0);
    printf("limit grad:   %.3g (inf-norm)   inertia +%d 0:%d -%d\n", r->limit_grad_inf, r->n_pos,
           r->n_zero, r->n_neg);
    printf("fn distance:  %.3g (RMS run vs polished limit; %.3g at the run's parameters)\n",
           r->fn_dist, r->fn_dist0);
  }
  if (r->n_flow)
    printf("continuation: %zu samples, loss %s, end loss %.17g, s %.3g (%s)\n", r->n_flow,
           r->flow_monotone ? "monotone" : "NOT monotone", r->flow_loss_end, r->flow_s_end,
           r->flow_stop);
  printf("written to:   %s\n", out);
  return 0;
}

int cmd_channel(int argc, char **argv) {
  channel_cli o;
  int rc = parse(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("channel", &err);
  ls_exp_channel_opts co;
  ls_exp_channel_opts_default(&co);
  co.params = o.pt.params, co.out_dir = o.out, co.flow = !o.no_flow, co.plot = !o.no_plot;
  ls_exp_channel_result r;
  ls_status st = ls_exp_channel_run(&cfg, &co, &r, &err);
  ls_config_free(&cfg);
  if (st) return cli_fail("channel", &err);
  rc = print(&r, o.out, o.json);
  ls_exp_channel_result_free(&r);
  return rc;
}
