/* landsym eval: loss, gradient and (optionally) Hessian spectrum of the student of a
 * config at given parameters (docs/eval.md). */
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/linalg.h"

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
          "                  auto (default: fused kernels for tiny networks, BLAS for wide\n"
          "                  layers, docs/engine.md), generic, fused or blas; the one used\n"
          "                  is printed (field \"engine\" with --json)\n"
          "  --hessian       also compute the exact Hessian and its eigenvalues (ascending)\n"
          "  --json          one JSON object on stdout (loss, grad_norm, grad_norm_inf, grad,\n"
          "                  and hessian_eigenvalues with --hessian)\n"
          "  --help          this text\n");
}

static int same_shape(const ls_net *a, const ls_net *b) {
  if (a->n_layers != b->n_layers) return 0;
  for (int l = 0; l <= a->n_layers; l++)
    if (a->width[l] != b->width[l] || (l && a->bias[l] != b->bias[l])) return 0;
  return 1;
}

static json_t *json_vec(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
  return a;
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
                                           {"hessian", no_argument, 0, 'H'},
                                           {"json", no_argument, 0, 'j'},
                                           {"engine", required_argument, 0, 'e'},
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
      case 'H': o->hessian = 1; break;
      case 'j': o->json = 1; break;
      case 'e': {
        int k = ls_engine_parse(optarg);
        if (k < 0)
          return cli_usage_error("eval", "--engine must be auto, generic, fused or blas, not '%s'",
                                 optarg);
        o->engine = (ls_engine_kind)k;
        break;
      }
      case 'h': eval_usage(stdout); return 0;
      default:
        return cli_usage_error("eval", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
  if (!o->config) return cli_usage_error("eval", "--config FILE is required");
  return -1;
}

/* Student parameters from --params, the teacher, or the seeded Glorot init. */
static ls_status student_params(const ls_config *cfg, const eval_opts *o, double **theta,
                                char *src, size_t srclen, ls_error *err) {
  size_t P = ls_net_nparams(&cfg->student);
  if (o->params && !strcmp(o->params, "teacher")) {
    if (!cfg->has_teacher || !same_shape(&cfg->student, &cfg->teacher))
      return ls_error_set(err, LS_ERR_INPUT,
                          "--params teacher needs a teacher with the student's shape");
    *theta = malloc(P * sizeof **theta);
    if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    memcpy(*theta, cfg->teacher_params, P * sizeof **theta);
    snprintf(src, srclen, "teacher");
    return LS_OK;
  }
  if (o->params) {
    snprintf(src, srclen, "%s", o->params);
    return ls_params_read_net(o->params, &cfg->student, theta, err);
  }
  *theta = malloc(P * sizeof **theta);
  if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_params_glorot(&cfg->student, (uint64_t)o->seed, *theta);
  snprintf(src, srclen, "glorot seed %ld", o->seed);
  return LS_OK;
}

static void print_human(const ls_config *cfg, const char *src, const char *engine, double loss,
                        double g2, double ginf, const double *grad, size_t P, const double *ev) {
  char desc[128];
  ls_net_describe(&cfg->student, desc, sizeof desc);
  printf("config:      %s\n", cfg->path);
  printf("data:        %s, %zu samples\n", cfg->data_desc, cfg->data.n);
  printf("student:     %s, %zu parameters\n", desc, P);
  printf("params:      %s\n", src);
  printf("engine:      %s\n", engine);
  printf("loss:        %.17g\n", loss);
  printf("grad_norm:   %.17g\n", g2);
  printf("grad_inf:    %.17g\n", ginf);
  printf("grad:       ");
  for (size_t i = 0; i < P; i++) printf(" %.17g", grad[i]);
  printf("\n");
  if (ev) {
    printf("hessian eigenvalues (ascending):\n");
    for (size_t i = 0; i < P; i++) printf("  %.17g\n", ev[i]);
  }
}

static void print_json(const ls_config *cfg, const char *src, const char *engine, double loss,
                       double g2, double ginf, const double *grad, size_t P, const double *ev) {
  char desc[128];
  ls_net_describe(&cfg->student, desc, sizeof desc);
  json_t *o = json_object();
  json_object_set_new(o, "config", json_string(cfg->path));
  json_object_set_new(o, "data", json_string(cfg->data_desc));
  json_object_set_new(o, "n_samples", json_integer((json_int_t)cfg->data.n));
  json_object_set_new(o, "student", json_string(desc));
  json_object_set_new(o, "n_params", json_integer((json_int_t)P));
  json_object_set_new(o, "params_source", json_string(src));
  json_object_set_new(o, "engine", json_string(engine));
  json_object_set_new(o, "loss", json_real(loss));
  json_object_set_new(o, "grad_norm", json_real(g2));
  json_object_set_new(o, "grad_norm_inf", json_real(ginf));
  json_object_set_new(o, "grad", json_vec(grad, P));
  if (ev) json_object_set_new(o, "hessian_eigenvalues", json_vec(ev, P));
  json_dumpf(o, stdout, JSON_REAL_PRECISION(17) | JSON_INDENT(0));
  printf("\n");
  json_decref(o);
}

static double max_abs(const double *v, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* Memory the machine can give now: MemAvailable of /proc/meminfo, else the free pages. */
static double mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  double kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) break;
  if (f) fclose(f);
  if (kib >= 0) return kib * 1024.0;
  return (double)sysconf(_SC_AVPHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}

/* --hessian needs the P x P Hessian (ls_hessian_bytes) and two more P x P arrays in the
 * eigen-solver (ls_eig_sym's copy and LAPACKE's row-major transpose): refuse (input
 * error, exit 2) rather than exhaust the machine. */
static ls_status hessian_fits(const ls_net *net, ls_error *err) {
  size_t P = ls_net_nparams(net);
  double need = (double)ls_hessian_bytes(net) + 2.0 * (double)P * (double)P * sizeof(double);
  double avail = mem_available();
  if (need <= avail) return LS_OK;
  return ls_error_set(err, LS_ERR_INPUT,
                      "--hessian: the dense Hessian of %zu parameters needs %.1f GiB (%zu x %zu "
                      "doubles, three copies with the eigen-solver), more than the %.1f GiB "
                      "this machine has available", P, need / 1073741824.0, P, P,
                      avail / 1073741824.0);
}

int cmd_eval(int argc, char **argv) {
  eval_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.config, &cfg, &err)) return cli_fail("eval", &err);
  size_t P = ls_net_nparams(&cfg.student);
  double *theta = NULL, *grad = malloc(P * sizeof *grad), *H = NULL, *ev = NULL;
  ls_ctx ctx = ls_ctx_default();
  ctx.engine = o.engine;
  ls_work *w = ls_work_alloc_ctx(&ctx, &cfg.student, cfg.data.n);
  char src[512];
  ls_status st = (!grad || !w) ? ls_error_set(&err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) st = student_params(&cfg, &o, &theta, src, sizeof src, &err);
  double loss = 0.0, g2 = 0.0, ginf = 0.0;
  if (!st) {
    st = ls_loss_grad(&cfg.student, &cfg.data, theta, &loss, grad, w);
    if (st == LS_ERR_COMPUTE)
      ls_error_set(&err, st,
                   "the loss at %s is not finite (overflow: the parameters' largest magnitude "
                   "is %g)", src, max_abs(theta, P));
    else if (st)
      ls_error_set(&err, st, "loss/gradient evaluation failed at %s", src);
  }
  if (!st) {
    for (size_t i = 0; i < P; i++) {
      g2 += grad[i] * grad[i];
      if (fabs(grad[i]) > ginf) ginf = fabs(grad[i]);
    }
    g2 = sqrt(g2);
    if (!isfinite(loss) || !isfinite(g2))
      st = ls_error_set(&err, LS_ERR_COMPUTE,
                        "the loss or gradient at %s is not finite (loss %g; the parameters' "
                        "largest magnitude is %g)", src, loss, max_abs(theta, P));
  }
  if (!st && o.hessian) st = hessian_fits(&cfg.student, &err);
  if (!st && o.hessian) {
    H = malloc(P * P * sizeof *H);
    ev = malloc(P * sizeof *ev);
    if (!H || !ev) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory for a %zu x %zu Hessian", P, P);
    if (!st && (st = ls_hessian(&cfg.student, &cfg.data, theta, H, w)))
      ls_error_set(&err, st, "Hessian evaluation failed (not available in this build?)");
    if (!st) st = ls_eig_sym(P, H, ev, NULL, &err);
  }
  if (!st) {
    const char *eng = ls_engine_name(ls_work_engine(w));
    if (o.json) print_json(&cfg, src, eng, loss, g2, ginf, grad, P, ev);
    else print_human(&cfg, src, eng, loss, g2, ginf, grad, P, ev);
  }
  int code = st ? cli_fail("eval", &err) : 0;
  free(theta), free(grad), free(H), free(ev);
  ls_work_free(w);
  ls_config_free(&cfg);
  return code;
}
