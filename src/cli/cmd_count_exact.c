/* landsym count G | T | g: exact integers printed in full, tables over ranges of m (CSV),
 * products over hidden layers (section 5), JSON, and the Lemma 4.6 asymptotics. */
#include <string.h>

#include "cli/cmd_count.h"

static const char footer_GT[] =
    "Exit status: 0 ok, 2 bad arguments (r > m, negative, non-numeric, too large).\n";

/* The --help text of G or T before the options. */
static void header_GT(char *buf, size_t n, const char *q) {
  int G = !strcmp(q, "G");
  snprintf(buf, n,
           "usage: landsym count %s R M [--asym] [--json | --csv] [--digits D] [--max-mem MIB]\n\n%s"
           "Arguments (1 <= R <= M):\n"
           "  R M            one value, printed in full\n"
           "  R A:B[:STEP]   table over m = A..B (CSV columns r,m,%s[,lemma4_6,rel_error])\n"
           "  R1,R2,.. M1,M2,..  product over hidden layers, prod_l %s(R_l, M_l) (section 5)\n"
           "Options:\n", q,
           G ? "G(r,m) = sum over k_1+...+k_r = m, k_i >= 1 of m!/(k_1!...k_r!) = r! S(m,r): the\n"
               "number of affine subspaces of symmetry-induced critical points that an irreducible\n"
               "critical point of width r generates in a network of width m (Simsek et al. 2021,\n"
               "Proposition 4.3; closed form Proposition 4.5).\n\n"
             : "T(r,m): the number of distinct affine subspaces of the expansion manifold of an\n"
               "irreducible width-r point in a width-m network (Simsek et al. 2021, Theorem 3.1;\n"
               "closed form Proposition 4.5): T(r,m) = G(r,m) + sum_{u=1}^{m-r} C(m,u) G(r,m-u) g(u).\n\n",
           q, q);
}

/* The output options of the library calls. */
ls_exp_count_opts count_lib_opts(const count_opts *o) {
  ls_exp_count_opts e = {o->json ? LS_COUNT_OUT_JSON : o->csv ? LS_COUNT_OUT_CSV : LS_COUNT_OUT_TEXT,
                         o->asym, o->digits,
                         o->max_mib ? (double)o->max_mib * 1048576.0 : LS_COUNT_DEFAULT_MAX_BYTES};
  return e;
}

static int run_layers(const char *sub, const count_opts *o, const char *rs, const char *ms) {
  long r[64], m[64];
  int nr = count_parse_list(sub, "R list", rs, r, 64), nm;
  if (nr < 0) return 2;
  nm = count_parse_list(sub, "M list", ms, m, 64);
  if (nm < 0) return 2;
  if (nr != nm) {
    fprintf(stderr, "landsym count %s: %d widths R but %d widths M: give one of each per layer\n",
            sub, nr, nm);
    return 2;
  }
  ls_error err;
  ls_exp_count_opts e = count_lib_opts(o);
  return ls_exp_count_GT_layers(stdout, sub[0], r, m, nr, &e, &err) ? count_fail(sub, &err) : 0;
}

static int run_GT(const char *sub, int argc, char **argv) {
  count_opts o;
  char header[2048];
  header_GT(header, sizeof header, sub);
  cli_opt opts[] = {
      CLI_FLAG("asym", &o.asym, !strcmp(sub, "G")
                   ? "also print the asymptotic form of Lemma 4.6 and its relative error:\n"
                     "m^k m!/(2^k k!) with k = m-r, and r^m (fixed r)"
                   : "also print the asymptotic form of Lemma 4.6 and its relative error:\n"
                     "m^k m!/(2^k k!) with k = m-r"),
      COUNT_FORMAT_OPTS(&o), COUNT_DIGITS_OPT(&o), COUNT_MEM_OPT(&o), CLI_END};
  int rc = count_begin(sub, argc, argv, &o, opts, header, footer_GT);
  if (rc != CLI_GO_ON) return rc;
  if (count_check_npos(sub, &o, 2, "R M")) return 2;
  if (strchr(o.pos[0], ',') || strchr(o.pos[1], ',')) {
    if (o.csv || o.asym) {
      fprintf(stderr, "landsym count %s: --csv and --asym do not apply to layer products\n", sub);
      return 2;
    }
    return run_layers(sub, &o, o.pos[0], o.pos[1]);
  }
  long r, lo, hi, step;
  if (count_parse_int(sub, "R", o.pos[0], &r)) return 2;
  if (count_parse_range(sub, "M", o.pos[1], &lo, &hi, &step)) return 2;
  ls_error err;
  ls_exp_count_opts e = count_lib_opts(&o);
  ls_status st = strchr(o.pos[1], ':') ? ls_exp_count_GT_table(stdout, sub[0], r, lo, hi, step, &e, &err)
                                       : ls_exp_count_GT(stdout, sub[0], r, lo, &e, &err);
  return st ? count_fail(sub, &err) : 0;
}

int count_cmd_G(int argc, char **argv) { return run_GT("G", argc, argv); }
int count_cmd_T(int argc, char **argv) { return run_GT("T", argc, argv); }

int count_cmd_g(int argc, char **argv) {
  count_opts o;
  cli_opt opts[] = {COUNT_FORMAT_OPTS(&o), COUNT_DIGITS_OPT(&o), COUNT_MEM_OPT(&o), CLI_END};
  int begin = count_begin("g", argc, argv, &o, opts,
    "usage: landsym count g U [--json | --csv] [--max-mem MIB]\n"
    "       landsym count g A:B[:STEP]     (CSV table u,g)\n\n"
    "g(u) = sum_{j=1}^{u} G(j,u)/j! (Simsek et al. 2021, Proposition 4.5): the number of\n"
    "ways to split u zero-type neurons into unlabelled groups, i.e. the Bell number B_u\n"
    "for u >= 1. g(0) = 0 (empty sum; the u = 0 term of T is written separately).\n\n",
    "Exit status: 0 ok, 2 bad arguments.\n");
  if (begin != CLI_GO_ON) return begin;
  if (count_check_npos("g", &o, 1, "U")) return 2;
  long lo, hi, step;
  if (count_parse_range("g", "U", o.pos[0], &lo, &hi, &step)) return 2;
  ls_error err;
  ls_exp_count_opts e = count_lib_opts(&o);
  int table = strchr(o.pos[0], ':') != NULL;
  return ls_exp_count_g(stdout, lo, hi, step, table, &e, &err) ? count_fail("g", &err) : 0;
}
