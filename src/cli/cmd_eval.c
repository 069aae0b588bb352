/* landsym eval: loss, gradient and (optionally) Hessian spectrum of the student of a
 * config at given parameters (docs/eval.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/exp_train.h"

static void eval_usage(FILE *out) {
  fprintf(out,
          "usage: landsym eval --config FILE [--params FILE.npy|FILE.json|teacher] [--seed N]\n"
          "                    [--engine auto|generic|fused|blas] [--hessian] [--json]\n\n"
          "Loss, gradient norms and optionally the Hessian spectrum of the student network of\n"
          "an experiment config (docs/config.md) on its data set.\n\n"
          "  --config FILE   experiment config (JSON), or builtin:thesis\n"
          "  --params P      student parameters: .npy or .json file, or 'teacher' (the\n"
          "                  teacher's parameters, when student and teacher have the same shape);\n"
          "                  default: Glorot-normal initialisation from --seed\n"
          "  --seed N        seed of the Glorot initialisation (default 0)\n"
          "  --engine E      implementation of loss, gradient and Hessian-vector products:\n"
          "                  auto (default: fused kernels for small networks, BLAS for wide\n"
          "                  layers, docs/engine.md), generic, fused or blas; the one used\n"
          "                  is printed (field \"engine\" with --json); inputs that are\n"
          "                  mostly zeros (raw MNIST pixels) take the first layer from\n"
          "                  their nonzeros on blas (\"sparse_inputs\", \"input_fill\")\n"
          "  --hessian       also compute the exact Hessian and its eigenvalues (ascending)\n"
          "  --json          one JSON object on stdout (loss, grad_norm, grad_norm_inf, grad,\n"
          "                  and hessian_eigenvalues with --hessian)\n"
          "  --help          this text\n");
}

typedef struct {
  const char *config, *params;
  long seed;
  int hessian, json;
  ls_engine_kind engine;
} eval_opts;

static int parse_opts(int argc, char **argv, eval_opts *o) {
  static const struct option longopts[] = {{"config", required_argument, 0, 'c'},
                                           {"params", required_argument, 0, 'p'},
                                           {"seed", required_argument, 0, 's'},
                                           {"engine", required_argument, 0, 'e'},
                                           {"hessian", no_argument, 0, 'H'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
      case 'c': o->config = optarg; break;
      case 'p': o->params = optarg; break;
      case 's':
        if (cli_opt_long("eval", "seed", optarg, 0, LONG_MAX, &o->seed)) return 2;
        break;
      case 'e': {
        int k = ls_engine_parse(optarg);
        if (k < 0)
          return cli_usage_error("eval", "--engine must be auto, generic, fused or blas, not '%s'",
                                 optarg);
        o->engine = (ls_engine_kind)k;
        break;
      }
      case 'H': o->hessian = 1; break;
      case 'j': o->json = 1; break;
      case 'h': eval_usage(stdout); return 0;
      default:
        return cli_usage_error("eval", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
  if (!o->config) return cli_usage_error("eval", "--config FILE is required");
  return -1;
}

static void print_human(const ls_config *cfg, const ls_eval_result *r) {
  printf("config:      %s\n", cfg->path);
  printf("data:        %s, %zu samples\n", cfg->data_desc, cfg->data.n);
  printf("student:     %s, %zu parameters\n", r->student, r->P);
  printf("params:      %s\n", r->source);
  if (r->sparse_inputs)
    printf("engine:      %s, first layer from the nonzero inputs (%.1f%% of them)\n", r->engine,
           100 * r->input_fill);
  else
    printf("engine:      %s\n", r->engine);
  printf("loss:        %.17g\n", r->loss);
  printf("grad_norm:   %.17g\n", r->grad_norm);
  printf("grad_inf:    %.17g\n", r->grad_norm_inf);
  printf("memory:      data %.1f MiB, workspace %.1f MiB, --hessian %.1f MiB, train %.1f MiB "
         "(peak: %s)\n", r->mem_data / 1048576, r->mem_work / 1048576, r->mem_hessian / 1048576,
         r->mem_train / 1048576, r->train_peak);
  printf("grad:       ");
  for (size_t i = 0; i < r->P; i++) printf(" %.17g", r->grad[i]);
  printf("\n");
  if (r->hessian_eigenvalues) {
    printf("hessian eigenvalues (ascending):\n");
    for (size_t i = 0; i < r->P; i++) printf("  %.17g\n", r->hessian_eigenvalues[i]);
  }
}

int cmd_eval(int argc, char **argv) {
  eval_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.config, &cfg, &err)) return cli_fail("eval", &err);
  ls_eval_opts eo = {o.params, (uint64_t)o.seed, o.hessian, ls_ctx_default()};
  eo.ctx.engine = o.engine;
  ls_eval_result r;
  ls_status st = ls_exp_eval(&cfg, &eo, &r, &err);
  if (!st && o.json) st = ls_exp_eval_print_json(&cfg, &r, stdout, &err);
  else if (!st) print_human(&cfg, &r);
  int code = st ? cli_fail("eval", &err) : 0;
  ls_eval_result_free(&r);
  ls_config_free(&cfg);
  return code;
}
