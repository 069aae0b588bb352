/* landsym channel: certify a channel to infinity at one point (ls_channel_find, channel.h;
 * Martinelli et al. 2025, arXiv 2506.14951), write the limit GLU network and follow the run
 * along the channel (ls_channel_flow). docs/classify.md, "Channels to infinity". */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_channel.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym channel --config FILE --params P --out DIR [--no-flow] [--no-plot]\n"
    "                       [--json]\n\n"
    "Channel to infinity at a point of the student network: groups of units of a\n"
    "hidden layer whose incoming weights merge (up to the activation's odd symmetry)\n"
    "while their outgoing weights diverge with a finite sum. Each group is replaced\n"
    "by one gated linear unit c (f(w.x) + (v.x) f'(w.x)) (three or more units with\n"
    "weights ~ 1/eps^2: a second-order unit, + 1/2 (x^T M x) f''), the limit network is\n"
    "polished by Newton's method to machine precision, and the channel is certified\n"
    "when the limit's loss is not above the run's and its function is within\n"
    "sqrt(loss) of the run's on the data. A minimum at infinity when the limit's\n"
    "Hessian has no negative eigenvalue, else a saddle at infinity. Then the run is\n"
    "followed along its first channel by gradient flow in coordinates where the\n"
    "channel's end is finite (loss against the outgoing weights' norm).\n\n";

/* argv into the config file, co and json: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, const char **config, ls_exp_channel_opts *co, int *json) {
  int no_flow = 0, no_plot = 0;
  cli_opt opts[] = {
      CLI_STR_REQ("config", config, "FILE", "experiment config (JSON) or builtin:NAME"),
      CLI_STR_REQ("params", &co->params, "P", "the point (.npy/.json) of the student network"),
      CLI_STR_REQ("out", &co->out_dir, "DIR",
                  "output directory (created): channel.json, limit.npy + limit.json\n"
                  "(the limit network, loadable as a config network), channel_flow.dat,\n"
                  "channel_loss.{gp,png,svg}, channel_weights.{gp,png,svg}"),
      CLI_FLAG("no-flow", &no_flow, "skip the continuation"),
      CLI_FLAG("no-plot", &no_plot, "skip the figures"),
      CLI_FLAG("json", json, "channel.json on stdout"),
      CLI_END};
  cli_spec spec = {.cmd = "channel", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  co->flow = !no_flow, co->plot = !no_plot;
  return rc;
}

int cmd_channel(int argc, char **argv) {
  const char *config = NULL;
  ls_exp_channel_opts co;
  ls_exp_channel_opts_default(&co);
  int json = 0, rc = parse(argc, argv, &config, &co, &json);
  if (rc != CLI_GO_ON) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(config, &cfg, &err)) return cli_fail("channel", &err);
  ls_exp_channel_result r;
  ls_status st = ls_exp_channel_run(&cfg, &co, &r, &err);
  ls_config_free(&cfg);
  if (!st) st = ls_exp_channel_print(stdout, &r, co.out_dir, json, &err);
  ls_exp_channel_result_free(&r);
  return st ? cli_fail("channel", &err) : 0;
}
