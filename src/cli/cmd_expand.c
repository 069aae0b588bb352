/* landsym expand: points on the expansion manifold of an irreducible point (Simsek et al.
 * 2021, Definitions 3.2-3.3, section 5) or symmetry-induced critical points (Definition
 * 4.1; Brea et al. 2019 permutation points), with a certificate (docs/expand.md). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_expand.h"
#include "landsym/exp_print.h"

static const char header[] =
    "usage: landsym expand --config FILE [--params P] [--shape teacher|student]\n"
    "                      [--layer L --width M] [--k K1,K2,..] [--zero B1,B2,..]\n"
    "                      [--beta B1,B2,..] [--split random|equal|vector]\n"
    "                      [--zero-out random|zero] [--perm P0,P1,..|random|none]\n"
    "                      [--critical] [--tol T] [--allow-reducible] [--seed N]\n"
    "                      [--out FILE.npy|FILE.json] [--json]\n\n"
    "Build a point of width M on the expansion manifold of an irreducible point of\n"
    "width r <= M: unit t is replicated k_t times with outgoing weights split so that\n"
    "they sum to the original, zero-type groups (shared incoming weights, outgoing\n"
    "weights summing to zero) fill the rest, and the units are permuted. The output\n"
    "function is unchanged; the certificate reports it on the config's data.\n\n";

/* The lists of the command line and the options that only the face sees. */
typedef struct {
  cli_point pt;
  cli_list k, zero, beta, perm;
  int split, json; /* split: -1 not given, 0 random, 1 equal, 2 vector */
} expand_cli;

/* The lists and choices into the library's options. */
static void to_opts(const expand_cli *c, ls_exp_expand_opts *eo) {
  eo->params = c->pt.params, eo->layer = c->pt.layer;
  eo->k = c->k.i, eo->n_k = c->k.n, eo->zero = c->zero.i, eo->n_zero = c->zero.n;
  eo->beta = c->beta.d, eo->n_beta = c->beta.n;
  eo->perm = c->perm.i, eo->n_perm = c->perm.n, eo->no_perm = c->perm.word == 1;
  eo->equal_split = c->split == 1, eo->vector_split = c->split == 2;
  if (eo->tol_set) eo->eig_tol = eo->tol;
}

/* argv into c and eo: CLI_GO_ON, 0 after --help, 2 after a usage error. The lists stay
 * allocated in c (expand_free). */
static int parse(int argc, char **argv, expand_cli *c, cli_opt *opts, ls_exp_expand_opts *eo) {
  cli_opt t[] = {
      CLI_POINT_OPTS(&c->pt, 1, 0),
      CLI_CHOICE("shape", &eo->student_shape, "teacher|student", "S",
                 "architecture of --params FILE: teacher (default) or student"),
      CLI_INT("width", &eo->width, 1, 100000, "M", "target width of --layer (default: the student's width)"),
      CLI_INTS("k", &c->k, -1000000, 1000000, 1, 0, NULL, "LIST", "multiplicities k_1..k_r (>= 1); default random"),
      CLI_INTS("zero", &c->zero, -1000000, 1000000, 1, 0, NULL, "LIST",
               "sizes of zero-type groups; default: the rest in random groups"),
      CLI_DOUBLES("beta", &c->beta, "LIST", "collinear split coefficients, sum(k) numbers summing to 1 per\n"
                                           "replicated unit (Definition 4.1)"),
      CLI_CHOICE("split", &c->split, "random|equal|vector", "S",
                 "random (collinear, default), equal (1/k_t: Brea permutation\n"
                 "points) or vector (any direction, Definition 3.2)"),
      CLI_CHOICE("zero-out", &eo->zero_out_zero, "random|zero", "S",
                 "outgoing weights of zero-type groups: random summing to zero\n(default) or zero"),
      CLI_INTS("perm", &c->perm, -1000000, 1000000, 1, 0, "random|none", "P",
               "final permutation of the M units, 'random' (default) or 'none'"),
      CLI_FLAG("critical", &eo->critical, "symmetry-induced critical point: no zero-type units, collinear\n"
                                          "splits; certify gradient, Hessian null space and index"),
      CLI_UNIT("tol", &eo->tol, "T", "relative tolerance for equal units (1e-8) and, with\n"
                                     "--critical, for zero eigenvalues (1e-10)"),
      CLI_FLAG("allow-reducible", &eo->allow_reducible, "expand a point that is not irreducible"),
      CLI_SEED("seed", &eo->seed, "N", "seed for every random choice (default 0)"),
      CLI_STR("out", &eo->out, "FILE", "write the expanded parameters (.npy or .json)"),
      CLI_FLAG("json", &c->json, "certificate as one JSON object on stdout"),
      CLI_END};
  t[1].help = "the point to expand: 'teacher' (default when the config has\n"
              "one) or a .npy/.json parameter file of the --shape network";
  t[2].help = "hidden layer to expand (1..L-1); without it every hidden layer\n"
              "is expanded to the student's width, last layer first";
  memcpy(opts, t, sizeof t);
  cli_spec spec = {.cmd = "expand", .header = header, .opts = opts};
  int rc = cli_parse(&spec, argc, argv);
  eo->tol_set = cli_opt_find(opts, "tol")->seen;
  to_opts(c, eo);
  ls_error err = {0};
  if (rc == CLI_GO_ON && c->beta.n && c->split == 0)
    return cli_usage_error("expand", "--beta and --split exclude each other");
  return rc == CLI_GO_ON && ls_exp_expand_opts_check(eo, &err) ? cli_fail("expand", &err) : rc;
}

int cmd_expand(int argc, char **argv) {
  expand_cli c = {.pt = {NULL, NULL, 0}, .k = {0, -1}, .zero = {0, -1}, .beta = {0, -1}, .perm = {0, -1}, .split = -1};
  cli_opt opts[24];
  ls_exp_expand_opts eo;
  ls_exp_expand_opts_default(&eo);
  int rc = parse(argc, argv, &c, opts, &eo);
  ls_config cfg;
  ls_error err = {0};
  if (rc == CLI_GO_ON && ls_config_load(c.pt.config, &cfg, &err)) rc = cli_fail("expand", &err);
  if (rc != CLI_GO_ON) return cli_opts_free(opts), rc;
  ls_exp_expand_result r;
  ls_status st = ls_exp_expand_run(&cfg, &eo, &r, &err);
  ls_config_free(&cfg);
  cli_opts_free(opts);
  if (st) return cli_fail("expand", &err);
  st = ls_exp_expand_print(stdout, &r, (long)eo.seed, c.json, &err);
  if (r.critical && r.crit.grad_norm_r > 1e-8)
    fprintf(stderr, "landsym expand: warning: the point is not critical (gradient norm %.2e)\n",
            r.crit.grad_norm_r);
  ls_exp_expand_result_free(&r);
  return st ? cli_fail("expand", &err) : 0;
}
