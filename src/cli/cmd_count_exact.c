/* landsym count G | T | g: exact integers printed in full, tables over ranges of m (CSV),
 * products over hidden layers (section 5), JSON, and the Lemma 4.6 asymptotics. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd_count.h"

typedef enum { Q_G, Q_T } quantity;

static void help_GT(const char *q) {
  int G = !strcmp(q, "G");
  printf("usage: landsym count %s R M [--asym] [--json | --csv] [--digits D] [--max-mem MIB]\n\n", q);
  if (G)
    printf("G(r,m) = sum over k_1+...+k_r = m, k_i >= 1 of m!/(k_1!...k_r!) = r! S(m,r): the\n"
           "number of affine subspaces of symmetry-induced critical points that an irreducible\n"
           "critical point of width r generates in a network of width m (Simsek et al. 2021,\n"
           "Proposition 4.3; closed form Proposition 4.5).\n\n");
  else
    printf("T(r,m): the number of distinct affine subspaces of the expansion manifold of an\n"
           "irreducible width-r point in a width-m network (Simsek et al. 2021, Theorem 3.1;\n"
           "closed form Proposition 4.5): T(r,m) = G(r,m) + sum_{u=1}^{m-r} C(m,u) G(r,m-u) g(u).\n\n");
  printf("Arguments (1 <= R <= M):\n"
         "  R M            one value, printed in full\n"
         "  R A:B[:STEP]   table over m = A..B (CSV columns r,m,%s[,lemma4_6,rel_error])\n"
         "  R1,R2,.. M1,M2,..  product over hidden layers, prod_l %s(R_l, M_l) (section 5)\n"
         "Options:\n"
         "  --asym         also print the asymptotic form of Lemma 4.6 and its relative error:\n"
         "                 m^k m!/(2^k k!) with k = m-r%s\n"
         "  --json         JSON (integers as decimal strings)\n"
         "  --csv          CSV even for a single value\n"
         "  --digits D     significant digits of decimals (default 20)\n"
         "  --max-mem MIB  refuse sizes whose numbers would need more memory (default 4096)\n"
         "Exit status: 0 ok, 2 bad arguments (r > m, negative, non-numeric, too large).\n",
         q, q, G ? ", and r^m (fixed r)" : "");
}

static char *mpz_str(const mpz_t x) { return mpz_get_str(NULL, 10, x); }
static void mpz_str_free(char *s) {
  void (*freefunc)(void *, size_t);
  mp_get_memory_functions(NULL, NULL, &freefunc);
  freefunc(s, strlen(s) + 1);
}
static json_t *json_mpz(const mpz_t x) {
  char *s = mpz_str(x);
  json_t *j = json_string(s);
  mpz_str_free(s);
  return j;
}
static json_t *json_mpfr(const mpfr_t x, long digits) {
  char *s = NULL;
  if (mpfr_asprintf(&s, "%.*Re", (int)(digits - 1), x) < 0) return json_null();
  json_t *j = json_string(s);
  mpfr_free_str(s);
  return j;
}

static ls_status compute(quantity q, mpz_t v, long r, long m, double max_bytes, ls_error *err) {
  return q == Q_G ? ls_count_G(v, r, m, max_bytes, err) : ls_count_T(v, r, m, max_bytes, err);
}

/* Asymptotic forms beside an exact value: Lemma 4.6 (k = m - r) and, for G, r^m. */
typedef struct {
  mpfr_t lemma, lemma_err, fixed, fixed_err;
} asym_vals;

static void asym_compute(asym_vals *a, quantity q, long r, long m, const mpz_t v, long digits) {
  mpfr_prec_t p = ls_count_prec_for_digits(digits);
  mpfr_t ex;
  mpfr_inits2(p, a->lemma, a->lemma_err, a->fixed, a->fixed_err, ex, (mpfr_ptr)0);
  mpfr_set_z(ex, v, MPFR_RNDN);
  ls_count_asym_G_fixed_k(a->lemma, m - r, m);
  ls_count_rel_error(a->lemma_err, a->lemma, ex);
  if (q == Q_G) {
    ls_count_asym_G_fixed_r(a->fixed, r, m);
    ls_count_rel_error(a->fixed_err, a->fixed, ex);
  }
  mpfr_clear(ex);
}
static void asym_clear(asym_vals *a) {
  mpfr_clears(a->lemma, a->lemma_err, a->fixed, a->fixed_err, (mpfr_ptr)0);
}

static int run_single(const char *sub, quantity q, const count_opts *o, long r, long m) {
  ls_error err;
  mpz_t v;
  mpz_init(v);
  ls_status st = compute(q, v, r, m, o->max_bytes, &err);
  if (st) {
    mpz_clear(v);
    return count_fail(sub, &err);
  }
  asym_vals a;
  if (o->asym) asym_compute(&a, q, r, m, v, o->digits);
  if (o->json) {
    json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "quantity", sub, "r", (json_int_t)r, "m",
                          (json_int_t)m, "value", json_mpz(v));
    if (o->asym) {
      json_object_set_new(j, "lemma4_6", json_pack("{s:I, s:o, s:o}", "k", (json_int_t)(m - r),
                                                   "value", json_mpfr(a.lemma, o->digits),
                                                   "rel_error", json_mpfr(a.lemma_err, 6)));
      if (q == Q_G)
        json_object_set_new(j, "fixed_r", json_pack("{s:o, s:o}", "value",
                                                    json_mpfr(a.fixed, o->digits), "rel_error",
                                                    json_mpfr(a.fixed_err, 6)));
    }
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  } else if (o->csv) {
    printf("r,m,%s%s\n%ld,%ld,", sub, o->asym ? ",lemma4_6,rel_error" : "", r, m);
    mpz_out_str(stdout, 10, v);
    if (o->asym) {
      printf(",");
      count_print_decimal(stdout, a.lemma, o->digits);
      printf(",");
      count_print_decimal(stdout, a.lemma_err, 6);
    }
    printf("\n");
  } else if (!o->asym) {
    mpz_out_str(stdout, 10, v);
    printf("\n");
  } else {
    printf("%s(%ld,%ld) = ", sub, r, m);
    mpz_out_str(stdout, 10, v);
    printf("\nLemma 4.6 (k = m-r = %ld): m^k m!/(2^k k!) = ", m - r);
    count_print_decimal(stdout, a.lemma, o->digits);
    printf("  rel_error = ");
    count_print_decimal(stdout, a.lemma_err, 6);
    printf("\n");
    if (q == Q_G) {
      printf("Lemma 4.6 (fixed r): r^m = ");
      count_print_decimal(stdout, a.fixed, o->digits);
      printf("  rel_error = ");
      count_print_decimal(stdout, a.fixed_err, 6);
      printf("\n");
    }
  }
  if (o->asym) asym_clear(&a);
  mpz_clear(v);
  return 0;
}

static int run_range(const char *sub, quantity q, const count_opts *o, long r, long lo, long hi,
                     long step) {
  ls_error err;
  if (r > lo) {
    fprintf(stderr, "landsym count %s: r (%ld) must not exceed m (%ld)\n", sub, r, lo);
    return 2;
  }
  long rows = (hi - lo) / step + 1;
  mpz_t *v = malloc((size_t)(hi - lo + 1) * sizeof *v);
  if (!v) return fprintf(stderr, "landsym count %s: out of memory\n", sub), 1;
  for (long i = 0; i <= hi - lo; i++) mpz_init(v[i]);
  ls_status st = LS_OK;
  if (q == Q_T) /* one pass of the recurrence gives the whole range */
    st = ls_count_T_series(v, r, lo, hi, o->max_bytes, &err);
  else
    for (long i = 0; i < rows && !st; i++)
      st = ls_count_G(v[i * step], r, lo + i * step, o->max_bytes, &err);
  if (st) {
    for (long i = 0; i <= hi - lo; i++) mpz_clear(v[i]);
    free(v);
    return count_fail(sub, &err);
  }
  json_t *arr = o->json ? json_array() : NULL;
  if (!o->json)
    printf("r,m,%s%s%s\n", sub, o->asym ? ",lemma4_6,rel_error" : "",
           o->asym && q == Q_G ? ",fixed_r,rel_error_fixed_r" : "");
  for (long i = 0; i < rows; i++) {
    long m = lo + i * step;
    const mpz_t *x = &v[i * step];
    asym_vals a;
    if (o->asym) asym_compute(&a, q, r, m, *x, o->digits);
    if (o->json) {
      json_t *j = json_pack("{s:I, s:I, s:o}", "r", (json_int_t)r, "m", (json_int_t)m, "value",
                            json_mpz(*x));
      if (o->asym) {
        json_object_set_new(j, "lemma4_6", json_mpfr(a.lemma, o->digits));
        json_object_set_new(j, "rel_error", json_mpfr(a.lemma_err, 6));
        if (q == Q_G) {
          json_object_set_new(j, "fixed_r", json_mpfr(a.fixed, o->digits));
          json_object_set_new(j, "rel_error_fixed_r", json_mpfr(a.fixed_err, 6));
        }
      }
      json_array_append_new(arr, j);
    } else {
      printf("%ld,%ld,", r, m);
      mpz_out_str(stdout, 10, *x);
      if (o->asym) {
        printf(",");
        count_print_decimal(stdout, a.lemma, o->digits);
        printf(",");
        count_print_decimal(stdout, a.lemma_err, 6);
        if (q == Q_G) {
          printf(",");
          count_print_decimal(stdout, a.fixed, o->digits);
          printf(",");
          count_print_decimal(stdout, a.fixed_err, 6);
        }
      }
      printf("\n");
    }
    if (o->asym) asym_clear(&a);
  }
  if (arr) {
    json_t *j = json_pack("{s:s, s:o}", "quantity", sub, "rows", arr);
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  }
  for (long i = 0; i <= hi - lo; i++) mpz_clear(v[i]);
  free(v);
  return 0;
}

static int run_layers(const char *sub, quantity q, const count_opts *o, const char *rs,
                      const char *ms) {
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
  mpz_t prod, v;
  mpz_inits(prod, v, NULL);
  mpz_set_ui(prod, 1);
  json_t *arr = json_array();
  int rc = 0;
  for (int l = 0; l < nr; l++) {
    if (compute(q, v, r[l], m[l], o->max_bytes, &err)) {
      ls_error_prefix(&err, "layer %d", l + 1);
      rc = count_fail(sub, &err);
      break;
    }
    mpz_mul(prod, prod, v); /* section 5: prod_l T(r_l, m_l), prod_l G(r_l, m_l) */
    json_array_append_new(arr, json_pack("{s:I, s:I, s:o}", "r", (json_int_t)r[l], "m",
                                         (json_int_t)m[l], "value", json_mpz(v)));
  }
  if (!rc) {
    if (o->json) {
      json_t *j = json_pack("{s:s, s:o, s:o}", "quantity", sub, "layers", arr, "product",
                            json_mpz(prod));
      arr = NULL;
      json_dumpf(j, stdout, JSON_INDENT(2));
      printf("\n");
      json_decref(j);
    } else {
      mpz_out_str(stdout, 10, prod);
      printf("\n");
    }
  }
  json_decref(arr);
  mpz_clears(prod, v, NULL);
  return rc;
}

static int run_GT(const char *sub, quantity q, int argc, char **argv) {
  count_opts o;
  if (count_parse(sub, argc, argv, &o)) return 2;
  if (o.help) return help_GT(sub), 0;
  if (count_check_npos(sub, &o, 2, "R M")) return 2;
  if (strchr(o.pos[0], ',') || strchr(o.pos[1], ',')) {
    if (o.csv || o.asym) {
      fprintf(stderr, "landsym count %s: --csv and --asym do not apply to layer products\n", sub);
      return 2;
    }
    return run_layers(sub, q, &o, o.pos[0], o.pos[1]);
  }
  long r, lo, hi, step;
  if (count_parse_int(sub, "R", o.pos[0], &r)) return 2;
  if (count_parse_range(sub, "M", o.pos[1], &lo, &hi, &step)) return 2;
  if (r < 1) {
    fprintf(stderr, "landsym count %s: R must be >= 1 (got %ld)\n", sub, r);
    return 2;
  }
  if (lo < 0) {
    fprintf(stderr, "landsym count %s: M must be >= 1 (got %ld)\n", sub, lo);
    return 2;
  }
  if (strchr(o.pos[1], ':')) return run_range(sub, q, &o, r, lo, hi, step);
  return run_single(sub, q, &o, r, lo);
}

int count_cmd_G(int argc, char **argv) { return run_GT("G", Q_G, argc, argv); }
int count_cmd_T(int argc, char **argv) { return run_GT("T", Q_T, argc, argv); }

int count_cmd_g(int argc, char **argv) {
  count_opts o;
  int begin = count_begin("g", argc, argv, &o,
    "usage: landsym count g U [--json | --csv] [--max-mem MIB]\n"
    "       landsym count g A:B[:STEP]     (CSV table u,g)\n\n"
    "g(u) = sum_{j=1}^{u} G(j,u)/j! (Simsek et al. 2021, Proposition 4.5): the number of\n"
    "ways to split u zero-type neurons into unlabelled groups, i.e. the Bell number B_u\n"
    "for u >= 1. g(0) = 0 (empty sum; the u = 0 term of T is written separately).\n"
    "Exit status: 0 ok, 2 bad arguments.\n");
  if (begin != COUNT_GO_ON) return begin;
  if (o.asym) {
    fprintf(stderr, "landsym count g: --asym does not apply to g\n");
    return 2;
  }
  if (count_check_npos("g", &o, 1, "U")) return 2;
  long lo, hi, step;
  if (count_parse_range("g", "U", o.pos[0], &lo, &hi, &step)) return 2;
  if (lo < 0) {
    fprintf(stderr, "landsym count g: U must be >= 0 (got %ld)\n", lo);
    return 2;
  }
  int table = strchr(o.pos[0], ':') != NULL;
  json_t *arr = json_array();
  if (!o.json && (table || o.csv)) printf("u,g\n");
  mpz_t v;
  mpz_init(v);
  int rc = 0;
  for (long u = lo; u <= hi; u += step) {
    ls_error err;
    if (ls_count_g(v, u, o.max_bytes, &err)) {
      rc = count_fail("g", &err);
      break;
    }
    if (o.json) json_array_append_new(arr, json_pack("{s:I, s:o}", "u", (json_int_t)u, "value", json_mpz(v)));
    else {
      if (table || o.csv) printf("%ld,", u);
      mpz_out_str(stdout, 10, v);
      printf("\n");
    }
  }
  if (!rc && o.json) {
    json_t *j = table ? json_pack("{s:s, s:O}", "quantity", "g", "rows", arr)
                      : json_pack("{s:s, s:I, s:O}", "quantity", "g", "u", (json_int_t)lo, "value",
                                  json_object_get(json_array_get(arr, 0), "value"));
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
  }
  json_decref(arr);
  mpz_clear(v);
  return rc;
}
