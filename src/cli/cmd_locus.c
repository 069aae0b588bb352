/* landsym locus: build points of Cooper's star locus S_k and core locus C_{k,j}
 * (Cooper 2020, section 3.1) for the student of a config, and certify them against the
 * exact gradient and Hessian: Theorems 3.1 and 3.2, the closed-form spectrum on S_k,
 * dimensions (section 3.1.1), and Corollary 5.18's zero-eigenvalue bound (docs/locus.md). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_locus.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym locus --config FILE [--locus star|core|all] [--layers K[,J]]\n"
    "                     [--seed S] [--scale X] [--out DIR]\n\n"
    "Build one point on each requested component of Cooper's star locus S_k\n"
    "(M_L = M_k = 0, b_k..b_{L-1} = 0, b_L = mean of the targets) and core locus C_{k,j}\n"
    "(also M_j = 0), free coordinates drawn N(0, X^2) from the seed, for the student of\n"
    "the config (MSE, identity output with bias, hidden sigma(0) = 0: tanh, erf, gelu),\n"
    "and certify it with the exact gradient and Hessian.\n"
    "stdout: one JSON object per component and a summary line. Exit 0 all certified,\n"
    "1 a certificate failed, 2 bad usage or input.\n\n"
    "usage: landsym locus --config FILE --wide N [--seed S]\n"
    "  Theorem 5.11 (last hidden width >= samples): from the initial point of each of N\n"
    "  seeds, the line to a global minimum of its last-layer slice, certified strictly\n"
    "  decreasing; then Proposition 5.13 on the trained point (global, or a flat move).\n"
    "usage: landsym locus --config FILE --attract N [--scale X] [--tmax T] [--seed S]\n"
    "  Definition 3.4: fraction of N gradient flows from N(0, X^2) whose limit lies on\n"
    "  the global minima, each S_k, each C_{k,j}, elsewhere (default T = 1000).\n\n";

typedef struct {
  const char *config;
  long wide, attract;
  double tmax;
  ls_exp_locus_opts lo;
} locus_cli;

/* argv into o: CLI_GO_ON, 0 after --help, 2 after a usage error. */
static int parse(int argc, char **argv, locus_cli *o) {
  int which = 2; /* star, core, all */
  cli_list layers = {0, -1, NULL, NULL};
  memset(o, 0, sizeof *o);
  o->tmax = 1000;
  ls_exp_locus_opts_default(&o->lo);
  cli_opt opts[] = {
      CLI_STR_REQ("config", &o->config, "FILE", "experiment config (JSON) or builtin:NAME"),
      CLI_CHOICE("locus", &which, "star|core|all", "L", "star, core or all (default all)"),
      CLI_INTS("layers", &layers, INT_MIN, INT_MAX, 1, 2, NULL, "K[,J]",
               "only S_K (one layer) or C_{K,J} (two layers, K < J)"),
      CLI_SEED("seed", &o->lo.seed, "S", "seed of the free coordinates (default 1)"),
      CLI_POSITIVE("scale", &o->lo.scale, "X", "their standard deviation (default 1)"),
      CLI_STR("out", &o->lo.out_dir, "DIR",
              "also write each point (locus_S<k>.npy, locus_C<k>_<j>.npy) and its\n"
              "Hessian eigenvalues (..._eig.npy)"),
      CLI_LONG("wide", &o->wide, 1, LONG_MAX, "N", "Theorem 5.11 and Proposition 5.13 on N seeds"),
      CLI_LONG("attract", &o->attract, 1, LONG_MAX, "N", "Definition 3.4 on N gradient flows"),
      CLI_POSITIVE("tmax", &o->tmax, "T", "--attract: flow time (default 1000)"),
      CLI_END};
  cli_spec spec = {.cmd = "locus", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  o->lo.star = which != 1, o->lo.core = which != 0;
  o->lo.n_layers = layers.n;
  for (int i = 0; i < layers.n; i++) o->lo.layers[i] = layers.i[i];
  cli_opts_free(opts);
  return rc;
}

static int run_certify(const ls_config *cfg, const ls_exp_locus_opts *lo) {
  ls_error err = {0};
  ls_exp_locus_result r;
  if (ls_exp_locus_certify(cfg, lo, &r, &err)) return cli_fail("locus", &err);
  ls_status st = ls_exp_locus_print(stdout, &r, &err);
  int rc = st ? cli_fail("locus", &err) : r.certified == r.total ? 0 : 1;
  if (!st && rc)
    fprintf(stderr, "landsym locus: %d of %d components failed their certificate\n",
            r.total - r.certified, r.total);
  ls_exp_locus_result_free(&r);
  return rc;
}

static int run_wide(const ls_config *cfg, long n, long seed) {
  ls_error err = {0};
  ls_exp_locus_wide_result r;
  const ls_net *net = &cfg->student;
  if (net->width[net->n_layers - 1] < (int)cfg->data.n)
    fprintf(stderr, "landsym locus: last hidden width %d < %zu samples: not Cooper's wide regime "
                    "(Theorem 5.11 needs width >= n); running anyway\n",
            net->width[net->n_layers - 1], cfg->data.n);
  if (ls_exp_locus_wide(cfg, n, seed, &r, &err) || ls_exp_locus_wide_print(stdout, &r, n, &err))
    return cli_fail("locus", &err);
  int rc = r.lines_ok == n && r.n_bad == 0 ? 0 : 1;
  ls_exp_locus_wide_result_free(&r);
  return rc;
}

static int run_attract(const ls_config *cfg, long n, long seed, double scale, double tmax) {
  ls_error err = {0};
  ls_exp_locus_attract_result r;
  if (ls_exp_locus_attract(cfg, n, seed, scale, tmax, &r, &err) ||
      ls_exp_locus_attract_print(stdout, &r, n, scale, tmax, &err))
    return cli_fail("locus", &err);
  ls_exp_locus_attract_result_free(&r);
  return 0;
}

int cmd_locus(int argc, char **argv) {
  locus_cli o;
  int rc = parse(argc, argv, &o);
  if (rc != CLI_GO_ON) return rc;
  ls_error err = {0};
  ls_config cfg;
  if (ls_config_load(o.config, &cfg, &err)) return cli_fail("locus", &err);
  long seed = (long)o.lo.seed;
  if (o.wide) rc = run_wide(&cfg, o.wide, seed); /* section 5 */
  else if (o.attract) rc = run_attract(&cfg, o.attract, seed, o.lo.scale, o.tmax); /* Def. 3.4 */
  else rc = run_certify(&cfg, &o.lo);
  ls_config_free(&cfg);
  return rc;
}
