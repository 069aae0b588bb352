/* landsym expand: points on the expansion manifold of an irreducible point (Simsek et al.
 * 2021, Definitions 3.2-3.3, section 5) or symmetry-induced critical points (Definition
 * 4.1; Brea et al. 2019 permutation points), with a certificate (docs/expand.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/exp_expand.h"
#include "landsym/exp_print.h"

static void expand_usage(FILE *out) {
  fprintf(out,
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
          "function is unchanged; the certificate reports it on the config's data.\n\n"
          "  --config FILE     experiment config (JSON) or builtin:NAME\n"
          "  --params P        the point to expand: 'teacher' (default when the config has\n"
          "                    one) or a .npy/.json parameter file of the --shape network\n"
          "  --shape S         architecture of --params FILE: teacher (default) or student\n"
          "  --layer L         hidden layer to expand (1..L-1); without it every hidden layer\n"
          "                    is expanded to the student's width, last layer first\n"
          "  --width M         target width of --layer (default: the student's width)\n"
          "  --k LIST          multiplicities k_1..k_r (>= 1); default random\n"
          "  --zero LIST       sizes of zero-type groups; default: the rest in random groups\n"
          "  --beta LIST       collinear split coefficients, sum(k) numbers summing to 1 per\n"
          "                    replicated unit (Definition 4.1)\n"
          "  --split S         random (collinear, default), equal (1/k_t: Brea permutation\n"
          "                    points) or vector (any direction, Definition 3.2)\n"
          "  --zero-out S      outgoing weights of zero-type groups: random summing to zero\n"
          "                    (default) or zero\n"
          "  --perm P          final permutation of the M units, 'random' (default) or 'none'\n"
          "  --critical        symmetry-induced critical point: no zero-type units, collinear\n"
          "                    splits; certify gradient, Hessian null space and index\n"
          "  --tol T           relative tolerance for equal units (1e-8) and, with\n"
          "                    --critical, for zero eigenvalues (1e-10)\n"
          "  --allow-reducible expand a point that is not irreducible\n"
          "  --seed N          seed for every random choice (default 0)\n"
          "  --out FILE        write the expanded parameters (.npy or .json)\n"
          "  --json            certificate as one JSON object on stdout\n"
          "  --help            this text\n");
}

typedef struct {
  cli_point pt;
  const char *shape, *split, *zero_out, *perm, *out;
  const char *k, *zero, *beta;
  long width, seed;
  double tol, eig_tol;
  int critical, allow_reducible, json, tol_set;
} expand_opts;

/* Comma-separated integers / doubles into a new array. */
static int parse_int_list(const char *s, int **out, int *n) {
  *n = 0;
  *out = malloc((strlen(s) / 2 + 2) * sizeof **out);
  if (!*out) return -1;
  char *dup = strdup(s), *save = NULL;
  for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    long v;
    if (cli_parse_long(tok, &v) || v < -1000000 || v > 1000000) {
      free(dup);
      return -1;
    }
    (*out)[(*n)++] = (int)v;
  }
  free(dup);
  return *n > 0 ? 0 : -1;
}

static int parse_double_list(const char *s, double **out, int *n) {
  *n = 0;
  *out = malloc((strlen(s) / 2 + 2) * sizeof **out);
  if (!*out) return -1;
  char *dup = strdup(s), *save = NULL;
  for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    if (cli_parse_double(tok, &(*out)[(*n)++])) {
      free(dup);
      return -1;
    }
  free(dup);
  return *n > 0 ? 0 : -1;
}

/* The combinations of options: -1 when they are fine, else the exit code. */
static int check(const expand_opts *o) {
  if (!o->pt.config) return cli_usage_error("expand", "--config FILE is required");
  if (o->shape && strcmp(o->shape, "teacher") && strcmp(o->shape, "student"))
    return cli_usage_error("expand", "--shape must be teacher or student, got '%s'", o->shape);
  if (o->split && strcmp(o->split, "random") && strcmp(o->split, "equal") &&
      strcmp(o->split, "vector"))
    return cli_usage_error("expand", "--split must be random, equal or vector, got '%s'", o->split);
  if (o->zero_out && strcmp(o->zero_out, "random") && strcmp(o->zero_out, "zero"))
    return cli_usage_error("expand", "--zero-out must be random or zero, got '%s'", o->zero_out);
  if ((o->k || o->zero || o->beta || (o->perm && strcmp(o->perm, "random") && strcmp(o->perm, "none"))) &&
      !o->pt.layer)
    return cli_usage_error("expand", "--k, --zero, --beta and a listed --perm need --layer");
  if (o->width && !o->pt.layer) return cli_usage_error("expand", "--width needs --layer");
  if (o->critical && (o->zero || (o->split && !strcmp(o->split, "vector"))))
    return cli_usage_error("expand",
                           "--critical uses collinear splits without zero-type units "
                           "(Definition 4.1): drop --zero and --split vector");
  if (o->beta && o->split)
    return cli_usage_error("expand", "--beta and --split exclude each other");
  return -1;
}

static int parse_opts(int argc, char **argv, expand_opts *o) {
  static const struct option lo[] = {
      {"config", required_argument, 0, 'c'}, {"params", required_argument, 0, 'p'},
      {"shape", required_argument, 0, 'S'},  {"layer", required_argument, 0, 'l'},
      {"width", required_argument, 0, 'w'},  {"k", required_argument, 0, 'k'},
      {"zero", required_argument, 0, 'z'},   {"beta", required_argument, 0, 'b'},
      {"split", required_argument, 0, 's'},  {"zero-out", required_argument, 0, 'Z'},
      {"perm", required_argument, 0, 'P'},   {"critical", no_argument, 0, 'C'},
      {"tol", required_argument, 0, 't'},    {"allow-reducible", no_argument, 0, 'A'},
      {"seed", required_argument, 0, 'e'},   {"out", required_argument, 0, 'o'},
      {"json", no_argument, 0, 'j'},         {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->tol = 1e-8;
  o->eig_tol = 1e-10;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    int r = cli_point_opt("expand", c, optarg, &o->pt);
    if (r == 2) return 2;
    if (r) continue;
    switch (c) {
      case 'S': o->shape = optarg; break;
      case 'w':
        if (cli_opt_long("expand", "width", optarg, 1, 100000, &o->width)) return 2;
        break;
      case 'k': o->k = optarg; break;
      case 'z': o->zero = optarg; break;
      case 'b': o->beta = optarg; break;
      case 's': o->split = optarg; break;
      case 'Z': o->zero_out = optarg; break;
      case 'P': o->perm = optarg; break;
      case 'C': o->critical = 1; break;
      case 't':
        if (cli_parse_double(optarg, &o->tol) || !(o->tol > 0) || o->tol >= 1)
          return cli_usage_error("expand", "--tol needs a number in (0, 1), got '%s'", optarg);
        o->eig_tol = o->tol, o->tol_set = 1;
        break;
      case 'A': o->allow_reducible = 1; break;
      case 'e':
        if (cli_opt_long("expand", "seed", optarg, 0, LONG_MAX, &o->seed)) return 2;
        break;
      case 'o': o->out = optarg; break;
      case 'j': o->json = 1; break;
      case 'h': expand_usage(stdout); return 0;
      default:
        return cli_usage_error("expand", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return cli_usage_error("expand", "unexpected argument '%s'", argv[optind]);
  return check(o);
}

/* The lists --k, --zero, --beta and a listed --perm into lists; LS_ERR_INPUT when one is
 * not a list of numbers. */
typedef struct {
  int *k, *zero, *perm, nk, nz, np;
  double *beta;
  int nb;
} expand_lists;

static ls_status parse_lists(const expand_opts *o, expand_lists *l, ls_error *err) {
  memset(l, 0, sizeof *l);
  if ((o->k && parse_int_list(o->k, &l->k, &l->nk)) || (o->zero && parse_int_list(o->zero, &l->zero, &l->nz)) ||
      (o->beta && parse_double_list(o->beta, &l->beta, &l->nb)))
    return ls_error_set(err, LS_ERR_INPUT, "--k, --zero and --beta need comma-separated numbers");
  if (o->perm && strcmp(o->perm, "random") && strcmp(o->perm, "none") &&
      parse_int_list(o->perm, &l->perm, &l->np))
    return ls_error_set(err, LS_ERR_INPUT, "--perm needs comma-separated unit indices, random or none");
  return LS_OK;
}

static void to_opts(const expand_opts *o, const expand_lists *l, ls_exp_expand_opts *eo) {
  ls_exp_expand_opts_default(eo);
  eo->params = o->pt.params, eo->student_shape = o->shape && !strcmp(o->shape, "student");
  eo->layer = (int)o->pt.layer, eo->width = (int)o->width;
  eo->k = o->k ? l->k : NULL, eo->n_k = l->nk;
  eo->zero = o->zero ? l->zero : NULL, eo->n_zero = l->nz;
  eo->beta = o->beta ? l->beta : NULL, eo->n_beta = l->nb;
  eo->perm = l->perm, eo->n_perm = l->np, eo->no_perm = o->perm && !strcmp(o->perm, "none");
  eo->equal_split = o->split && !strcmp(o->split, "equal");
  eo->vector_split = o->split && !strcmp(o->split, "vector");
  eo->zero_out_zero = o->zero_out && !strcmp(o->zero_out, "zero");
  eo->critical = o->critical, eo->tol = o->tol, eo->eig_tol = o->eig_tol, eo->tol_set = o->tol_set;
  eo->allow_reducible = o->allow_reducible, eo->seed = (uint64_t)o->seed, eo->out = o->out;
}

static void print_critical(const ls_sym_critical_cert *cc) {
  printf("gradient norm:    %.3e -> %.3e\n", cc->grad_norm_r, cc->grad_norm_m);
  printf("zero eigenvalues: %d -> %d, predicted %d (tol %.1e; largest zero %.2e, "
         "smallest nonzero %.2e)\n",
         cc->zero_r, cc->zero_m, cc->zero_predicted, cc->tol, cc->gap_zero, cc->gap_nonzero);
  printf("index:            %d -> %d (lower bounds: isotropic plateau %d, predicted %d)\n",
         cc->neg_r, cc->neg_m, cc->index_bound, cc->index_predicted_min);
  printf("Brea plateau:     dim %d, loss change %.2e, gradient norm there %.2e\n",
         cc->plateau_dim, cc->plateau_loss_diff, cc->plateau_grad_norm);
}

static void print(const ls_exp_expand_result *r, long seed) {
  char d0[128], d1[128];
  ls_net_describe(&r->net, d0, sizeof d0);
  ls_net_describe(&r->big, d1, sizeof d1);
  printf("point:            %s, %s\n", r->point, d0);
  printf("irreducible form: ");
  for (int l = 0; l <= r->red.net.n_layers; l++) printf("%s%d", l ? "-" : "", r->red.net.width[l]);
  printf("\n");
  printf("expanded:         %s (seed %ld)\n", d1, seed);
  if (r->group_of) {
    printf("unit origin:     ");
    for (int i = 0; i < r->m; i++)
      r->group_of[i] >= 0 ? printf(" %d", r->group_of[i]) : printf(" z%d", -1 - r->group_of[i]);
    printf("   (original unit, or zN: zero-type group N)\n");
  }
  const ls_sym_equiv_cert *ec = &r->equiv;
  printf("max output diff:  %.3e (relative %.3e)\n", ec->max_out_diff, ec->max_out_rel);
  printf("loss:             %.17g -> %.17g (diff %.3e)\n", ec->loss_a, ec->loss_b, ec->loss_diff);
  if (r->critical) print_critical(&r->crit);
}

int cmd_expand(int argc, char **argv) {
  expand_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("expand", &err);
  expand_lists l;
  ls_exp_expand_opts eo;
  ls_exp_expand_result r;
  ls_status st = parse_lists(&o, &l, &err);
  to_opts(&o, &l, &eo);
  if (!st) st = ls_exp_expand_run(&cfg, &eo, &r, &err);
  ls_config_free(&cfg);
  free(l.k), free(l.zero), free(l.beta), free(l.perm);
  if (st) return cli_fail("expand", &err);
  if (o.json) st = ls_exp_json_line(r.summary, stdout, &err);
  else print(&r, o.seed);
  if (r.critical && r.crit.grad_norm_r > 1e-8)
    fprintf(stderr, "landsym expand: warning: the point is not critical (gradient norm %.2e)\n",
            r.crit.grad_norm_r);
  ls_exp_expand_result_free(&r);
  return st ? cli_fail("expand", &err) : 0;
}
