/* landsym count R | brea: ratios R_k(r*,m) and their total as MPFR decimals with the
 * asymptotic forms of equations 5-6 beside them (Şimşek et al. 2021, section 4.3), and the
 * K-th order permutation points of Brea et al. 2019 (Proposition 3, Lemmas 2-3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_count.h"


static const char header_R[] =
    "usage: landsym count R RSTAR M [--k K | --k A:B] [--total] [--weights W] [--depth L]\n"
    "                       [--asym] [--digits D] [--json | --csv] [--max-mem MIB]\n"
    "       landsym count R RSTAR A:B[:STEP] ...   (CSV table over m, e.g. figure 6)\n\n"
    "R_k(r*,m) = G(r*-k,m)/T(r*,m) (Simsek et al. 2021, eq. 5): the number of k-th level\n"
    "saddle subspaces per irreducible critical point of width r*-k, relative to the number of\n"
    "global-minimum subspaces. The total is sum_{k=1}^{r*-1} a_k R_k (eq. 6). Exact GMP counts\n"
    "are divided in MPFR, so any size is exact to the printed digits.\n\n"
    "Options:\n";
static const char footer_R[] =
    "eq. 5: R_k ~ (r*)^k / (2^k (h+1)...(h+k)), h = m - r*, as r* -> infinity (h, k fixed).\n"
    "eq. 6: total <= ((r*-1)/r*)^m for a_k <= C(r*-1,k-1) and m large.\n"
    "Exit status: 0 ok, 2 bad arguments.\n";

/* a_k list from "ones", "binom" or "1,2.5,..." */
static int parse_weights(const char *s, ls_count_weights *w, double *list, int *n) {
  *n = 0;
  if (!s || !strcmp(s, "ones")) return *w = LS_COUNT_WEIGHTS_ONES, 0;
  if (!strcmp(s, "binom")) return *w = LS_COUNT_WEIGHTS_BINOM, 0;
  *w = LS_COUNT_WEIGHTS_LIST;
  char buf[4096];
  if (strlen(s) >= sizeof buf) return -1;
  strcpy(buf, s);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (*n == 1000 || end == tok || *end || errno) return -1;
    list[(*n)++] = v;
  }
  return *n ? 0 : -1;
}

int count_cmd_R(int argc, char **argv) {
  count_opts o;
  cli_opt opts[] = {
      CLI_STR("k", &o.k_arg, "K|A:B", "which R_k to print (default 1:min(5,r*-1))"),
      CLI_FLAG("total", &o.total, "print only the total"),
      CLI_STR("weights", &o.weights_arg, "W",
              "a_k: ones (default, as in figure 6), binom (a_k = C(r*-1,k-1), the\n"
              "largest weights eq. 6 allows), or a list a_1,a_2,... (missing = 0)"),
      CLI_LONG("depth", &o.depth, 2, 1000, "L",
               "L-layer network with r* and m in each of its L-1 hidden layers: every\n"
               "ratio is raised to the power L-1 (section 5); default 2"),
      CLI_FLAG("asym", &o.asym, "in tables, add eq. 5 columns, relative errors and the eq. 6 bound\n"
                                "(single values always show them)"),
      COUNT_DIGITS_OPT(&o), COUNT_FORMAT_OPTS(&o), COUNT_MEM_OPT(&o), CLI_END};
  int rc = count_begin("R", argc, argv, &o, opts, header_R, footer_R);
  if (rc != CLI_GO_ON) return rc;
  if (count_check_npos("R", &o, 2, "RSTAR M")) return 2;
  long rs, lo, hi, step, klo = 0, khi = 0, kstep;
  if (count_parse_int("R", "RSTAR", o.pos[0], &rs)) return 2;
  if (count_parse_range("R", "M", o.pos[1], &lo, &hi, &step)) return 2;
  if (o.k_arg && count_parse_range("R", "--k", o.k_arg, &klo, &khi, &kstep)) return 2;
  static double list[1000];
  int nlist;
  ls_count_weights w;
  if (parse_weights(o.weights_arg, &w, list, &nlist)) {
    fprintf(stderr, "landsym count R: --weights must be ones, binom or a list of numbers, got '%s'\n",
            o.weights_arg);
    return 2;
  }
  int table = strchr(o.pos[1], ':') != NULL;
  ls_exp_count_R_req q = {rs, lo, hi, step, klo, khi, w, list, nlist, (int)o.depth, o.total, table, !o.k_arg};
  ls_exp_count_opts e = count_lib_opts(&o);
  ls_error err;
  return ls_exp_count_R(stdout, &q, &e, &err) ? count_fail("R", &err) : 0;
}

static const char header_brea[] =
    "usage: landsym count brea K N [--digits D] [--json | --csv]\n"
    "       landsym count brea K N1,N2,...      (a network with these hidden widths)\n"
    "       landsym count brea K A:B[:STEP]     (CSV table over the width n)\n\n"
    "K-th order permutation points (Brea et al. 2019, section 2.3): points where a layer of\n"
    "width n carries only the n-K distinct parameter vectors of a minimum of the narrower\n"
    "network. Printed per layer:\n"
    "  T_B(K,n) = G(n-K,n)/n!   exact ratio to the number of global minima (Proposition 3;\n"
    "                           Brea's T, not the T of Simsek et al.)\n"
    "  bound    = C(n-K,K)/2^K  the lower bound of Proposition 3(ii)\n"
    "  limit    = n^K/(2^K K!)  the large-n behaviour (Lemma 2)\n"
    "and for the whole network the exact number of K-th order permutation points,\n"
    "sum_k G(n_k-K,n_k) prod_{j!=k} n_j!, with the lower bound of Lemma 3,\n"
    "sum_k 2^-K C(n_k-K,K) prod_j n_j!. Each layer width must exceed K.\n\n";

int count_cmd_brea(int argc, char **argv) {
  count_opts o;
  cli_opt opts[] = {COUNT_DIGITS_OPT(&o), COUNT_FORMAT_OPTS(&o), COUNT_MEM_OPT(&o), CLI_END};
  int rc = count_begin("brea", argc, argv, &o, opts, header_brea, "Exit status: 0 ok, 2 bad arguments.\n");
  if (rc != CLI_GO_ON) return rc;
  if (count_check_npos("brea", &o, 2, "K N")) return 2;
  long K, n[64], lo, hi, step;
  if (count_parse_int("brea", "K", o.pos[0], &K)) return 2;
  ls_exp_count_opts e = count_lib_opts(&o);
  ls_error err;
  ls_status st;
  if (strchr(o.pos[1], ':')) {
    if (count_parse_range("brea", "N", o.pos[1], &lo, &hi, &step)) return 2;
    st = ls_exp_count_brea_table(stdout, K, lo, hi, step, &e, &err);
  } else {
    int layers = count_parse_list("brea", "N", o.pos[1], n, 64);
    if (layers < 0) return 2;
    st = ls_exp_count_brea(stdout, K, n, layers, &e, &err);
  }
  return st ? count_fail("brea", &err) : 0;
}
