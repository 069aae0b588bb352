/* landsym reproduce NAME: regenerate a figure or table of the papers from its example
 * config (docs/reproduce.md). The targets, their example configs and their library calls
 * are the registry of landsym/exp_reproduce.h; this file parses, finds and runs. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_reproduce.h"

static const char header[] =
    "usage: landsym reproduce NAME [--out DIR] [--seeds N] [--threads T] [--resume]\n"
    "                         [--config FILE]\n"
    "Regenerate a figure or table: runs `landsym sweep` on the example config, then\n"
    "`landsym classify` on its output (tables, pruned networks, figures in DIR/classify);\n"
    "fig2 runs `landsym path` over all neuron pairs instead; fig3 trains MNIST\n"
    "teachers and merges two units of each (docs/mnist.md); mnist-split runs\n"
    "`landsym train` then `landsym split` (docs/mnist.md); simsek-fig2 draws Simsek\n"
    "et al.'s figure 2 from its closed-form loss; fig6.9 sweeps, then finds the nearest\n"
    "saddle of every local minimum and applies the thesis's Theorems 1 and 2.\n";

/* The footer of --help: where configs are found, then the names. */
static void names(FILE *f) {
  int n;
  const ls_reproduce_target *t = ls_reproduce_targets(&n);
  fputs("Example configs are looked up in $LANDSYM_EXAMPLES, ./examples and\n"
        "<executable>/../examples.\nNames:\n", f);
  for (int i = 0; i < n; i++)
    fprintf(f, "  %-9s %s (%s%s)\n", t[i].name, t[i].what, t[i].config ? "examples/" : "built in",
            t[i].config ? t[i].config : "");
}

/* The target named pos, or NULL after the message that lists the names. */
static const ls_reproduce_target *target(const char *name) {
  int n;
  const ls_reproduce_target *t = ls_reproduce_find_target(name), *all = ls_reproduce_targets(&n);
  if (t) return t;
  fprintf(stderr, "landsym reproduce: unknown name '%s'; known:", name);
  for (int i = 0; i < n; i++) fprintf(stderr, " %s", all[i].name);
  fprintf(stderr, "\n");
  return NULL;
}

/* The config file of t: --config, "(built in)" or the example; 0, or 2 after the message. */
static int config_of(const ls_reproduce_target *t, const char *given, char *cfg, size_t len) {
  if (given) return snprintf(cfg, len, "%s", given), 0;
  if (!t->config) return snprintf(cfg, len, "(built in)"), 0;
  if (!ls_reproduce_find_config(t->config, cfg, len)) return 0;
  fprintf(stderr, "landsym reproduce: examples/%s not found (set LANDSYM_EXAMPLES to the "
                  "examples directory, or give --config)\n", t->config);
  return 2;
}

int cmd_reproduce(int argc, char **argv) {
  ls_reproduce_opts o = {NULL, NULL, 0, 0, ls_ctx_default()};
  const char *name = NULL, *config = NULL;
  o.ctx.threads = 0; /* the target's default */
  cli_opt opts[] = {
      CLI_STR("out", &o.out_dir, "DIR", "output directory (default repro-NAME)"),
      CLI_LONG("seeds", &o.seeds, 1, LONG_MAX, "N", "number of seeds (default: the config's)"),
      CLI_INT("threads", &o.ctx.threads, 1, INT_MAX, "T", "OpenMP threads"),
      CLI_FLAG("resume", &o.resume, "continue an interrupted run in DIR"),
      CLI_STR("config", &config, "FILE", "use FILE instead of the example config"),
      CLI_END};
  cli_spec spec = {.cmd = "reproduce", .header = header, .opts = opts, .pos = &name, .max_pos = 1};
  int rc = cli_parse(&spec, argc, argv);
  if (rc == 0) names(stdout); /* after --help */
  if (rc != CLI_GO_ON) return rc;
  if (!name) return cli_usage_error("reproduce", "no figure or table named");
  const ls_reproduce_target *t = target(name);
  char cfg[PATH_MAX + 64], out[256];
  if (!t || config_of(t, config, cfg, sizeof cfg)) return 2;
  snprintf(out, sizeof out, "repro-%s", t->name);
  o.config = cfg, o.out_dir = o.out_dir ? o.out_dir : out;
  fprintf(stderr, "landsym reproduce %s: %s\n  config %s, output %s\n", t->name, t->what, cfg,
          o.out_dir);
  return ls_reproduce_run(t, &o, stdout, stderr);
}
