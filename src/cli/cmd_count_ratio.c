/* landsym count R | brea: ratios R_k(r*,m) and their total as MPFR decimals with the
 * asymptotic forms of equations 5-6 beside them (Şimşek et al. 2021, section 4.3), and the
 * K-th order permutation points of Brea et al. 2019 (Proposition 3, Lemmas 2-3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd_count.h"

static json_t *jdec(const mpfr_t x, long digits) {
  char *s = NULL;
  if (mpfr_asprintf(&s, "%.*Re", (int)(digits - 1), x) < 0) return json_null();
  json_t *j = json_string(s);
  mpfr_free_str(s);
  return j;
}
static void pdec(const mpfr_t x, long digits) { count_print_decimal(stdout, x, digits); }

static void help_R(void) {
  printf(
      "usage: landsym count R RSTAR M [--k K | --k A:B] [--total] [--weights W] [--depth L]\n"
      "                       [--asym] [--digits D] [--json | --csv] [--max-mem MIB]\n"
      "       landsym count R RSTAR A:B[:STEP] ...   (CSV table over m, e.g. figure 6)\n\n"
      "R_k(r*,m) = G(r*-k,m)/T(r*,m) (Simsek et al. 2021, eq. 5): the number of k-th level\n"
      "saddle subspaces per irreducible critical point of width r*-k, relative to the number of\n"
      "global-minimum subspaces. The total is sum_{k=1}^{r*-1} a_k R_k (eq. 6). Exact GMP counts\n"
      "are divided in MPFR, so any size is exact to the printed digits.\n\n"
      "Options:\n"
      "  --k K | A:B    which R_k to print (default 1:min(5,r*-1))\n"
      "  --total        print only the total\n"
      "  --weights W    a_k: ones (default, as in figure 6), binom (a_k = C(r*-1,k-1), the\n"
      "                 largest weights eq. 6 allows), or a list a_1,a_2,... (missing = 0)\n"
      "  --depth L      L-layer network with r* and m in each of its L-1 hidden layers: every\n"
      "                 ratio is raised to the power L-1 (section 5); default 2\n"
      "  --asym         in tables, add eq. 5 columns, relative errors and the eq. 6 bound\n"
      "                 (single values always show them)\n"
      "  --digits D     significant digits (default 20)\n"
      "eq. 5: R_k ~ (r*)^k / (2^k (h+1)...(h+k)), h = m - r*, as r* -> infinity (h, k fixed).\n"
      "eq. 6: total <= ((r*-1)/r*)^m for a_k <= C(r*-1,k-1) and m large.\n"
      "Exit status: 0 ok, 2 bad arguments.\n");
}

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
  if (count_parse("R", argc, argv, &o)) return 2;
  if (o.help) return help_R(), 0;
  if (count_check_npos("R", &o, 2, "RSTAR M")) return 2;
  long rs, lo, hi, step, klo = 1, khi, kstep;
  if (count_parse_int("R", "RSTAR", o.pos[0], &rs)) return 2;
  if (count_parse_range("R", "M", o.pos[1], &lo, &hi, &step)) return 2;
  if (rs < 2) {
    fprintf(stderr, "landsym count R: RSTAR must be >= 2 so that some k in 1..r*-1 exists (got %ld)\n", rs);
    return 2;
  }
  if (lo < rs) {
    fprintf(stderr, "landsym count R: M (%ld) must be >= RSTAR (%ld)\n", lo, rs);
    return 2;
  }
  khi = rs - 1 < 5 ? rs - 1 : 5;
  if (o.k_arg && count_parse_range("R", "--k", o.k_arg, &klo, &khi, &kstep)) return 2;
  if (klo < 1 || khi > rs - 1) {
    fprintf(stderr, "landsym count R: --k must lie in 1..r*-1 = 1..%ld (got %s)\n", rs - 1, o.k_arg);
    return 2;
  }
  static double list[1000];
  int nlist;
  ls_count_weights w;
  if (parse_weights(o.weights_arg, &w, list, &nlist)) {
    fprintf(stderr, "landsym count R: --weights must be ones, binom or a list of numbers, got '%s'\n",
            o.weights_arg);
    return 2;
  }
  ls_error err;
  ls_count_ratio_table *t;
  mpfr_prec_t prec = ls_count_prec_for_digits(o.digits);
  if (ls_count_ratio_table_alloc(&t, rs, lo, hi, (int)khi, prec, &err)) return count_fail("R", &err);
  t->m_step = step;
  if (ls_count_ratio_table_compute(t, w, list, nlist, o.depth, o.max_bytes, &err)) {
    ls_count_ratio_table_free(t);
    return count_fail("R", &err);
  }
  int table = strchr(o.pos[1], ':') != NULL;
  int show_asym = o.asym || !table;
  mpfr_t e5, err5, b6;
  mpfr_inits2(prec, e5, err5, b6, (mpfr_ptr)0);
  const char *wname = w == LS_COUNT_WEIGHTS_ONES ? "ones" : w == LS_COUNT_WEIGHTS_BINOM ? "binom" : "list";
  json_t *rows = json_array();
  if (!o.json && (table || o.csv)) {
    printf("m");
    if (!o.total)
      for (long k = klo; k <= khi; k++) printf(",R_%ld", k);
    printf(",total");
    if (show_asym) {
      if (!o.total)
        for (long k = klo; k <= khi; k++) printf(",eq5_%ld,rel_error_%ld", k, k);
      printf(",eq6_bound");
    }
    printf("\n");
  }
  for (long m = lo; m <= hi; m += step) {
    long i = m - lo, h = m - rs;
    json_t *jr = json_pack("{s:I, s:I, s:I}", "rstar", (json_int_t)rs, "m", (json_int_t)m, "h", (json_int_t)h);
    json_t *jk = json_array();
    int text = !o.json && !table && !o.csv;
    if (text) printf("r* = %ld, m = %ld, h = m - r* = %ld, depth L = %d\n", rs, m, h, o.depth);
    if (!o.json && !text) printf("%ld", m);
    for (long k = klo; k <= khi && !o.total; k++) {
      mpfr_srcptr R = t->R[i * t->kmax + (k - 1)];
      ls_count_asym_R_fixed_h(e5, rs, k, h);
      mpfr_pow_ui(e5, e5, (unsigned long)(o.depth - 1), MPFR_RNDN);
      ls_count_rel_error(err5, e5, R);
      if (o.json) {
        json_t *x = json_pack("{s:I, s:o}", "k", (json_int_t)k, "R", jdec(R, o.digits));
        json_object_set_new(x, "eq5", jdec(e5, o.digits));
        json_object_set_new(x, "rel_error", jdec(err5, 6));
        json_array_append_new(jk, x);
      } else if (text) {
        printf("R_%ld = ", k), pdec(R, o.digits);
        printf("   eq5 = "), pdec(e5, o.digits);
        printf("   rel_error = "), pdec(err5, 6), printf("\n");
      } else {
        printf(","), pdec(R, o.digits);
      }
    }
    ls_count_R_total_bound(b6, rs, m);
    mpfr_pow_ui(b6, b6, (unsigned long)(o.depth - 1), MPFR_RNDN);
    mpfr_srcptr tot = t->total[i];
    if (o.json) {
      json_object_set_new(jr, "ratios", jk);
      json_object_set_new(jr, "weights", json_string(wname));
      json_object_set_new(jr, "total", jdec(tot, o.digits));
      json_object_set_new(jr, "eq6_bound", jdec(b6, o.digits));
      json_object_set_new(jr, "total_le_eq6_bound", json_boolean(mpfr_lessequal_p(tot, b6)));
      json_array_append_new(rows, jr);
    } else {
      json_decref(jk), json_decref(jr);
      if (text) {
        printf("total (weights %s, k = 1..%ld) = ", wname, rs - 1), pdec(tot, o.digits);
        printf("\neq6 bound ((r*-1)/r*)^m = "), pdec(b6, o.digits);
        printf("   total <= bound: %s\n", mpfr_lessequal_p(tot, b6) ? "yes" : "no");
      } else {
        printf(","), pdec(tot, o.digits);
        if (show_asym) {
          for (long k = klo; k <= khi && !o.total; k++) {
            mpfr_srcptr R = t->R[i * t->kmax + (k - 1)];
            ls_count_asym_R_fixed_h(e5, rs, k, h);
            mpfr_pow_ui(e5, e5, (unsigned long)(o.depth - 1), MPFR_RNDN);
            ls_count_rel_error(err5, e5, R);
            printf(","), pdec(e5, o.digits), printf(","), pdec(err5, 6);
          }
          printf(","), pdec(b6, o.digits);
        }
        printf("\n");
      }
    }
  }
  if (o.json) {
    json_t *j = table ? json_pack("{s:s, s:I, s:O}", "quantity", "R", "depth", (json_int_t)o.depth, "rows", rows)
                      : json_incref(json_array_get(rows, 0));
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  }
  json_decref(rows);
  mpfr_clears(e5, err5, b6, (mpfr_ptr)0);
  ls_count_ratio_table_free(t);
  return 0;
}

static void help_brea(void) {
  printf(
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
      "sum_k 2^-K C(n_k-K,K) prod_j n_j!. Each layer width must exceed K.\n"
      "Exit status: 0 ok, 2 bad arguments.\n");
}

static void print_q(const mpq_t q) {
  mpq_out_str(stdout, 10, q);
}

int count_cmd_brea(int argc, char **argv) {
  count_opts o;
  if (count_parse("brea", argc, argv, &o)) return 2;
  if (o.help) return help_brea(), 0;
  if (o.asym) {
    fprintf(stderr, "landsym count brea: --asym does not apply (the limit is always printed)\n");
    return 2;
  }
  if (count_check_npos("brea", &o, 2, "K N")) return 2;
  long K, n[64], lo, hi, step;
  int layers = 0, table = 0;
  if (count_parse_int("brea", "K", o.pos[0], &K)) return 2;
  if (K < 1) {
    fprintf(stderr, "landsym count brea: K must be >= 1 (got %ld)\n", K);
    return 2;
  }
  if (strchr(o.pos[1], ':')) {
    if (count_parse_range("brea", "N", o.pos[1], &lo, &hi, &step)) return 2;
    table = 1;
  } else {
    layers = count_parse_list("brea", "N", o.pos[1], n, 64);
    if (layers < 0) return 2;
    lo = hi = n[0], step = 1;
  }
  for (int l = 0; l < layers; l++)
    if (n[l] <= K) {
      fprintf(stderr, "landsym count brea: layer width %ld must exceed K = %ld\n", n[l], K);
      return 2;
    }
  if (table && lo <= K) {
    fprintf(stderr, "landsym count brea: layer width %ld must exceed K = %ld\n", lo, K);
    return 2;
  }
  mpfr_prec_t prec = ls_count_prec_for_digits(o.digits);
  mpq_t ratio, bound;
  mpfr_t x, lim, rel;
  mpz_t pts, nk;
  mpq_inits(ratio, bound, NULL);
  mpfr_inits2(prec, x, lim, rel, (mpfr_ptr)0);
  mpz_inits(pts, nk, NULL);
  ls_error err;
  int rc = 0;
  json_t *jl = json_array();
  if (table && !o.json) printf("K,n,T_B_exact,T_B,bound_exact,bound,limit,T_B_over_limit\n");
  long count = table ? (hi - lo) / step + 1 : layers;
  for (long i = 0; i < count; i++) {
    long w = table ? lo + i * step : n[i];
    if (ls_count_brea_ratio(ratio, K, w, o.max_bytes, &err)) {
      rc = count_fail("brea", &err);
      break;
    }
    ls_count_brea_bound(bound, K, w);
    /* Lemma 2: T_B(K,n) ~ n^K / (2^K K!) */
    mpfr_ui_pow_ui(lim, (unsigned long)w, (unsigned long)K, MPFR_RNDN);
    mpz_fac_ui(nk, (unsigned long)K);
    mpfr_div_z(lim, lim, nk, MPFR_RNDN);
    mpfr_div_2ui(lim, lim, (unsigned long)K, MPFR_RNDN);
    mpfr_set_q(x, ratio, MPFR_RNDN);
    mpfr_div(rel, x, lim, MPFR_RNDN);
    if (o.json) {
      char *a = mpq_get_str(NULL, 10, ratio), *b = mpq_get_str(NULL, 10, bound);
      json_t *e = json_pack("{s:I, s:I, s:s, s:s}", "layer", (json_int_t)(i + 1), "n", (json_int_t)w,
                            "T_B_exact", a, "bound_exact", b);
      void (*ff)(void *, size_t);
      mp_get_memory_functions(NULL, NULL, &ff);
      ff(a, strlen(a) + 1), ff(b, strlen(b) + 1);
      json_object_set_new(e, "T_B", jdec(x, o.digits));
      mpfr_set_q(x, bound, MPFR_RNDN);
      json_object_set_new(e, "bound", jdec(x, o.digits));
      json_object_set_new(e, "limit", jdec(lim, o.digits));
      json_object_set_new(e, "T_B_over_limit", jdec(rel, o.digits));
      json_array_append_new(jl, e);
    } else if (table) {
      printf("%ld,%ld,", K, w), print_q(ratio), printf(","), pdec(x, o.digits), printf(",");
      print_q(bound), printf(",");
      mpfr_set_q(x, bound, MPFR_RNDN);
      pdec(x, o.digits), printf(","), pdec(lim, o.digits), printf(","), pdec(rel, o.digits);
      printf("\n");
    } else {
      printf("layer %ld: n = %ld, K = %ld\n  T_B(K,n) = G(n-K,n)/n! = ", i + 1, w, K);
      print_q(ratio), printf(" = "), pdec(x, o.digits);
      printf("\n  lower bound C(n-K,K)/2^K = "), print_q(bound);
      mpfr_set_q(x, bound, MPFR_RNDN);
      printf(" = "), pdec(x, o.digits);
      printf("\n  Lemma 2 limit n^K/(2^K K!) = "), pdec(lim, o.digits);
      printf("   T_B / limit = "), pdec(rel, o.digits), printf("\n");
    }
  }
  if (!rc && !table) {
    if (ls_count_brea_layers(pts, bound, K, n, layers, o.max_bytes, &err)) rc = count_fail("brea", &err);
    else {
      mpz_set_ui(nk, 1);
      for (int l = 0; l < layers; l++) {
        mpz_t f;
        mpz_init(f);
        mpz_fac_ui(f, (unsigned long)n[l]);
        mpz_mul(nk, nk, f);
        mpz_clear(f);
      }
      if (o.json) {
        char *a = mpz_get_str(NULL, 10, pts), *b = mpq_get_str(NULL, 10, bound), *c = mpz_get_str(NULL, 10, nk);
        json_t *j = json_pack("{s:s, s:I, s:o, s:s, s:s, s:s}", "quantity", "brea", "K", (json_int_t)K,
                              "layers", jl, "global_minima", c, "permutation_points", a,
                              "permutation_points_lower_bound", b);
        jl = NULL;
        void (*ff)(void *, size_t);
        mp_get_memory_functions(NULL, NULL, &ff);
        ff(a, strlen(a) + 1), ff(b, strlen(b) + 1), ff(c, strlen(c) + 1);
        json_dumpf(j, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(j);
      } else {
        printf("global minima prod_j n_j! = "), mpz_out_str(stdout, 10, nk);
        printf("\nK-th order permutation points, all layers (exact) = "), mpz_out_str(stdout, 10, pts);
        printf("\nlower bound (Lemma 3) = "), print_q(bound), printf("\n");
      }
    }
  } else if (!rc && o.json) {
    json_t *j = json_pack("{s:s, s:I, s:o}", "quantity", "brea", "K", (json_int_t)K, "rows", jl);
    jl = NULL;
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  }
  json_decref(jl);
  mpq_clears(ratio, bound, NULL);
  mpfr_clears(x, lim, rel, (mpfr_ptr)0);
  mpz_clears(pts, nk, NULL);
  return rc;
}
