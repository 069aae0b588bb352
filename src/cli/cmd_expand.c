/* landsym expand: points on the expansion manifold of an irreducible point (Simsek et al.
 * 2021, Definitions 3.2-3.3, section 5) or symmetry-induced critical points (Definition
 * 4.1; Brea et al. 2019 permutation points), with a certificate (docs/expand.md). */
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"
#include "landsym/sym.h"

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

/* The point to expand: network and parameters. */
static ls_status load_point(const ls_config *cfg, const expand_opts *o, ls_net *net,
                            double **theta, char *src, size_t len, ls_error *err) {
  int use_teacher = !o->pt.params || !strcmp(o->pt.params, "teacher");
  if (use_teacher) {
    if (!cfg->has_teacher)
      return ls_error_set(err, LS_ERR_INPUT,
                          "the config has no teacher: give the point with --params FILE");
    *net = cfg->teacher;
    size_t P = ls_net_nparams(net);
    *theta = malloc(P * sizeof **theta);
    if (!*theta) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    memcpy(*theta, cfg->teacher_params, P * sizeof **theta);
    snprintf(src, len, "teacher");
    return LS_OK;
  }
  int student = o->shape && !strcmp(o->shape, "student");
  if (!student && !cfg->has_teacher)
    return ls_error_set(err, LS_ERR_INPUT,
                        "--shape teacher but the config has no teacher (use --shape student)");
  *net = student ? cfg->student : cfg->teacher;
  snprintf(src, len, "%s", o->pt.params);
  return ls_params_read_net(o->pt.params, net, theta, err);
}

static json_t *json_ints(const int *v, int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
  return a;
}

static json_t *json_widths(const ls_net *net) {
  json_t *a = json_array();
  for (int l = 0; l <= net->n_layers; l++) json_array_append_new(a, json_integer(net->width[l]));
  return a;
}

int cmd_expand(int argc, char **argv) {
  expand_opts o;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0) return rc;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(o.pt.config, &cfg, &err)) return cli_fail("expand", &err);
  ls_net net, big;
  double *theta = NULL, *tb = NULL, *beta = NULL;
  int *k = NULL, *zero = NULL, *perm = NULL, nk = 0, nz = 0, nb = 0, np = 0;
  int *group_of = NULL;
  char src[512];
  ls_sym_reduction red = {0};
  json_t *out = json_object();
  ls_status st = load_point(&cfg, &o, &net, &theta, src, sizeof src, &err);
  int L = net.n_layers;
  /* --- the expansions requested --- */
  ls_sym_expand_spec specs[LS_MAX_LAYERS];
  int ns = 0;
  if (!st && L < 2)
    st = ls_error_set(&err, LS_ERR_INPUT, "the network has no hidden layer to expand");
  if (!st && o.pt.layer > L - 1)
    st = ls_error_set(&err, LS_ERR_INPUT,
                      "--layer %ld is out of range: the %d-layer network has hidden layers 1..%d",
                      o.pt.layer, L, L - 1);
  if (!st && ((o.k && parse_int_list(o.k, &k, &nk)) || (o.zero && parse_int_list(o.zero, &zero, &nz)) ||
              (o.beta && parse_double_list(o.beta, &beta, &nb))))
    st = ls_error_set(&err, LS_ERR_INPUT, "--k, --zero and --beta need comma-separated numbers");
  if (!st && o.perm && strcmp(o.perm, "random") && strcmp(o.perm, "none") &&
      parse_int_list(o.perm, &perm, &np))
    st = ls_error_set(&err, LS_ERR_INPUT, "--perm needs comma-separated unit indices, random or none");
  if (!st) {
    int same_depth = cfg.student.n_layers == L;
    for (int l = 1; l <= L - 1; l++) {
      if (o.pt.layer && l != o.pt.layer) continue;
      int m = o.width ? (int)o.width : (same_depth ? cfg.student.width[l] : 0);
      if (m == 0) {
        st = ls_error_set(&err, LS_ERR_INPUT,
                          "student and point differ in depth: give --layer and --width");
        break;
      }
      if (m < net.width[l]) {
        st = ls_error_set(&err, LS_ERR_INPUT,
                          "layer %d: target width m = %d is smaller than the point's width r = %d "
                          "(expansion needs r <= m)",
                          l, m, net.width[l]);
        break;
      }
      ls_sym_expand_spec *s = &specs[ns++];
      ls_sym_expand_spec_default(s, l, m);
      if (o.k) {
        if (nk != net.width[l]) {
          st = ls_error_set(&err, LS_ERR_INPUT, "--k has %d entries, layer %d has r = %d units",
                            nk, l, net.width[l]);
          break;
        }
        s->k = k;
      }
      if (o.zero) s->n_zero = nz, s->b = zero;
      if (o.critical) s->n_zero = 0;
      s->beta = beta;
      if (beta) {
        int K = 0;
        for (int t = 0; k && t < nk; t++) K += k[t];
        if (!k || nb != K) {
          st = ls_error_set(&err, LS_ERR_INPUT, "--beta needs --k and sum(k) = %d entries, got %d",
                            K, nb);
          break;
        }
      }
      s->equal_split = o.split && !strcmp(o.split, "equal");
      s->vector_split = o.split && !strcmp(o.split, "vector");
      s->zero_type_out = !(o.zero_out && !strcmp(o.zero_out, "zero"));
      s->random_perm = !(o.perm && !strcmp(o.perm, "none"));
      if (perm) {
        if (np != m) {
          st = ls_error_set(&err, LS_ERR_INPUT, "--perm has %d entries, the target width is %d",
                            np, m);
          break;
        }
        s->perm = perm;
      }
    }
  }
  /* --- irreducibility of the point at the expanded layers --- */
  if (!st) {
    ls_sym_reduce_opts ro;
    ls_sym_reduce_opts_default(&ro);
    ro.tol = o.tol_set && !o.critical ? o.tol : 1e-8;
    st = ls_sym_reduce(&net, theta, &ro, &red, &err);
    for (int i = 0; !st && i < ns && !o.allow_reducible; i++) {
      int l = specs[i].layer;
      if (!ls_sym_is_irreducible(&red, l))
        st = ls_error_set(&err, LS_ERR_INPUT,
                          "the point is not irreducible at layer %d: its %d units reduce to %d "
                          "(Definition 3.1); pass --allow-reducible to expand it anyway",
                          l, net.width[l], red.layer[l].reduced_width);
    }
  }
  if (!st && ns == 1) {
    group_of = malloc((size_t)specs[0].m * sizeof *group_of);
    if (!group_of) st = ls_error_set(&err, LS_ERR_NOMEM, "out of memory");
    if (!st) st = ls_sym_expand_layer(&net, theta, &specs[0], (uint64_t)o.seed, &big, &tb, group_of, &err);
  } else if (!st) {
    st = ls_sym_expand(&net, theta, ns, specs, (uint64_t)o.seed, &big, &tb, &err);
  }
  ls_sym_equiv_cert ec;
  if (!st) st = ls_sym_equiv(&net, theta, &big, tb, &cfg.data, &ec, &err);
  ls_sym_critical_cert cc;
  if (!st && o.critical)
    st = ls_sym_critical_certify(&net, theta, &big, tb, &cfg.data, o.eig_tol, 1e-20,
                                 (uint64_t)o.seed, &cc, &err);
  if (!st && o.out) st = ls_params_write(o.out, tb, ls_net_nparams(&big), &err);
  if (!st) {
    char d0[128], d1[128];
    ls_net_describe(&net, d0, sizeof d0);
    ls_net_describe(&big, d1, sizeof d1);
    json_object_set_new(out, "config", json_string(cfg.path));
    json_object_set_new(out, "point", json_string(src));
    json_object_set_new(out, "from", json_string(d0));
    json_object_set_new(out, "to", json_string(d1));
    json_object_set_new(out, "widths_from", json_widths(&net));
    json_object_set_new(out, "widths_to", json_widths(&big));
    json_object_set_new(out, "seed", json_integer(o.seed));
    json_object_set_new(out, "point_irreducible_widths", json_widths(&red.net));
    if (group_of) json_object_set_new(out, "unit_origin", json_ints(group_of, specs[0].m));
    json_object_set_new(out, "max_output_diff", json_real(ec.max_out_diff));
    json_object_set_new(out, "max_output_rel", json_real(ec.max_out_rel));
    json_object_set_new(out, "loss_from", json_real(ec.loss_a));
    json_object_set_new(out, "loss_to", json_real(ec.loss_b));
    json_object_set_new(out, "loss_diff", json_real(ec.loss_diff));
    if (o.critical) {
      json_t *c = json_object();
      json_object_set_new(c, "grad_norm_from", json_real(cc.grad_norm_r));
      json_object_set_new(c, "grad_norm_to", json_real(cc.grad_norm_m));
      json_object_set_new(c, "zero_eigenvalues_from", json_integer(cc.zero_r));
      json_object_set_new(c, "zero_eigenvalues_to", json_integer(cc.zero_m));
      json_object_set_new(c, "zero_eigenvalues_predicted", json_integer(cc.zero_predicted));
      json_object_set_new(c, "index_from", json_integer(cc.neg_r));
      json_object_set_new(c, "index_to", json_integer(cc.neg_m));
      json_object_set_new(c, "index_bound", json_integer(cc.index_bound));
      json_object_set_new(c, "index_predicted_min", json_integer(cc.index_predicted_min));
      json_object_set_new(c, "eigenvalue_tol", json_real(cc.tol));
      json_object_set_new(c, "largest_zero_eigenvalue", json_real(cc.gap_zero));
      json_object_set_new(c, "smallest_nonzero_eigenvalue", json_real(cc.gap_nonzero));
      json_object_set_new(c, "zero_loss", json_boolean(cc.zero_loss));
      json_object_set_new(c, "plateau_dim", json_integer(cc.plateau_dim));
      json_object_set_new(c, "plateau_loss_diff", json_real(cc.plateau_loss_diff));
      json_object_set_new(c, "plateau_grad_norm", json_real(cc.plateau_grad_norm));
      json_object_set_new(c, "counts_match", json_boolean(cc.zero_m == cc.zero_predicted));
      json_object_set_new(out, "critical", c);
    }
    if (o.json) {
      json_dumpf(out, stdout, JSON_REAL_PRECISION(17) | JSON_INDENT(0));
      printf("\n");
    } else {
      printf("point:            %s, %s\n", src, d0);
      printf("irreducible form: ");
      for (int l = 0; l <= red.net.n_layers; l++) printf("%s%d", l ? "-" : "", red.net.width[l]);
      printf("\n");
      printf("expanded:         %s (seed %ld)\n", d1, o.seed);
      if (group_of) {
        printf("unit origin:     ");
        for (int i = 0; i < specs[0].m; i++)
          group_of[i] >= 0 ? printf(" %d", group_of[i]) : printf(" z%d", -1 - group_of[i]);
        printf("   (original unit, or zN: zero-type group N)\n");
      }
      printf("max output diff:  %.3e (relative %.3e)\n", ec.max_out_diff, ec.max_out_rel);
      printf("loss:             %.17g -> %.17g (diff %.3e)\n", ec.loss_a, ec.loss_b, ec.loss_diff);
      if (o.critical) {
        printf("gradient norm:    %.3e -> %.3e\n", cc.grad_norm_r, cc.grad_norm_m);
        printf("zero eigenvalues: %d -> %d, predicted %d (tol %.1e; largest zero %.2e, "
               "smallest nonzero %.2e)\n",
               cc.zero_r, cc.zero_m, cc.zero_predicted, cc.tol, cc.gap_zero, cc.gap_nonzero);
        printf("index:            %d -> %d (lower bounds: isotropic plateau %d, predicted %d)\n",
               cc.neg_r, cc.neg_m, cc.index_bound, cc.index_predicted_min);
        printf("Brea plateau:     dim %d, loss change %.2e, gradient norm there %.2e\n",
               cc.plateau_dim, cc.plateau_loss_diff, cc.plateau_grad_norm);
      }
    }
    if (o.critical && cc.grad_norm_r > 1e-8)
      fprintf(stderr, "landsym expand: warning: the point is not critical (gradient norm %.2e)\n",
              cc.grad_norm_r);
  }
  int code = st ? cli_fail("expand", &err) : 0;
  json_decref(out);
  ls_sym_reduction_free(&red);
  free(theta), free(tb), free(beta), free(k), free(zero), free(perm), free(group_of);
  ls_config_free(&cfg);
  return code;
}
