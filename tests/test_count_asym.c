/* Asymptotics and ratios checked numerically (Lemma 4.6, eqs. 5-6 of Şimşek et al. 2021),
 * Brea et al. 2019 Proposition 3 / Lemmas 2-3, and the figure 4 connectivity graph. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/count.h"

#define MAXB LS_COUNT_DEFAULT_MAX_BYTES

/* Relative error of `approx` against the exact integer v, as a double. */
static double rel(const mpfr_t approx, const mpz_t v) {
  mpfr_t e, x;
  mpfr_inits2(128, e, x, (mpfr_ptr)0);
  mpfr_set_z(x, v, MPFR_RNDN);
  ls_count_rel_error(e, approx, x);
  double d = mpfr_get_d(e, MPFR_RNDN);
  mpfr_clears(e, x, (mpfr_ptr)0);
  return d;
}

static void test_lemma46(void) {
  ls_error err;
  mpz_t v;
  mpfr_t a;
  mpz_init(v);
  mpfr_init2(a, 128);
  const long ms[] = {10, 20, 40, 80, 160, 320};
  for (long k = 1; k <= 3; k++) {
    double prevG = 1e300, prevT = 1e300, eG = 0, eT = 0;
    int decG = 1, decT = 1;
    for (int i = 0; i < 6; i++) {
      long m = ms[i];
      ls_count_asym_G_fixed_k(a, k, m);
      ls_count_G(v, m - k, m, MAXB, &err);
      eG = rel(a, v);
      ls_count_T(v, m - k, m, MAXB, &err);
      eT = rel(a, v);
      decG &= eG < prevG, decT &= eT < prevT;
      prevG = eG, prevT = eT;
    }
    CHECK(decG && eG < 0.02 * k, "Lemma 4.6 G(m-%ld,m): rel. error decreases, %.3g at m=320", k, eG);
    CHECK(decT && eT < 0.03 * k, "Lemma 4.6 T(m-%ld,m): rel. error decreases, %.3g at m=320", k, eT);
  }
  for (long r = 2; r <= 5; r++) {
    double prev = 1e300, e = 0;
    int dec = 1;
    for (int i = 0; i < 5; i++) { /* m = 5..85: error (1-1/r)^m stays above 128-bit precision */
      long m = ms[i] / 2 + 5 * (i + 1);
      ls_count_asym_G_fixed_r(a, r, m);
      ls_count_G(v, r, m, MAXB, &err);
      e = rel(a, v);
      dec &= e < prev, prev = e;
    }
    CHECK(dec && e < 1e-6, "Lemma 4.6 G(%ld,m) ~ %ld^m: rel. error decreases, %.3g at m=105", r, r, e);
  }
  mpz_clear(v);
  mpfr_clear(a);
}

static void test_eq5(void) {
  ls_error err;
  mpfr_t a, e;
  mpfr_inits2(128, a, e, (mpfr_ptr)0);
  const long rs[] = {10, 20, 40, 80, 160, 320};
  for (long h = 1; h <= 3; h += 2)
    for (int k = 1; k <= 3; k++) {
      double prev = 1e300, d = 0;
      int dec = 1;
      for (int i = 0; i < 6; i++) {
        ls_count_ratio_table *t;
        ls_count_ratio_table_alloc(&t, rs[i], rs[i] + h, rs[i] + h, 3, 128, &err);
        ls_count_ratio_table_compute(t, LS_COUNT_WEIGHTS_ONES, NULL, 0, 2, MAXB, &err);
        ls_count_asym_R_fixed_h(a, rs[i], k, h);
        ls_count_rel_error(e, a, t->R[k - 1]);
        d = mpfr_get_d(e, MPFR_RNDN);
        dec &= d < prev, prev = d;
        ls_count_ratio_table_free(t);
      }
      CHECK(dec && d < 0.1 * k * (h + 1), "eq. 5, h=%ld k=%d: rel. error decreases as r* grows, %.3g at r*=320",
            h, k, d);
    }
  mpfr_clears(a, e, (mpfr_ptr)0);
}

static void test_ratios(void) {
  ls_error err;
  ls_count_ratio_table *t;
  /* R_k from the table equals the exact quotient G(r*-k,m)/T(r*,m) */
  ls_count_ratio_table_alloc(&t, 6, 7, 12, 5, 200, &err);
  ls_count_ratio_table_compute(t, LS_COUNT_WEIGHTS_LIST, (double[]){1, 0, 2}, 3, 2, MAXB, &err);
  mpz_t G, T;
  mpq_t q;
  mpz_inits(G, T, NULL);
  mpq_init(q);
  int ok = 1;
  for (long m = 7; m <= 12; m++) {
    ls_count_T(T, 6, m, MAXB, &err);
    mpq_set_ui(q, 0, 1);
    for (int k = 1; k <= 5; k++) {
      ls_count_G(G, 6 - k, m, MAXB, &err);
      mpfr_t x;
      mpfr_init2(x, 200);
      mpfr_set_z(x, G, MPFR_RNDN);
      mpfr_div_z(x, x, T, MPFR_RNDN);
      ok &= mpfr_equal_p(x, t->R[(m - 7) * 5 + k - 1]);
      mpfr_clear(x);
    }
    /* total with a = (1, 0, 2): (G(5,m) + 2 G(3,m)) / T */
    mpz_t s;
    mpz_init(s);
    ls_count_G(s, 5, m, MAXB, &err);
    ls_count_G(G, 3, m, MAXB, &err);
    mpz_addmul_ui(s, G, 2);
    mpfr_t x;
    mpfr_init2(x, 200);
    mpfr_set_z(x, s, MPFR_RNDN);
    mpfr_div_z(x, x, T, MPFR_RNDN);
    mpfr_sub(x, x, t->total[m - 7], MPFR_RNDN);
    ok &= mpfr_get_d(x, MPFR_RNDN) == 0.0 || fabs(mpfr_get_d(x, MPFR_RNDN)) < 1e-50;
    mpfr_clear(x);
    mpz_clear(s);
  }
  CHECK(ok, "ratio table R_k and weighted total == exact quotients (r*=6, m=7..12)");
  ls_count_ratio_table_free(t);
  /* eq. 6: with the largest allowed weights the total is below ((r*-1)/r*)^m for large m,
   * not in the mildly overparameterized regime */
  for (long rs = 5; rs <= 30; rs += 25) {
    ls_count_ratio_table_alloc(&t, rs, rs + 1, 1000, 1, 64, &err);
    ls_count_ratio_table_compute(t, LS_COUNT_WEIGHTS_BINOM, NULL, 0, 2, MAXB, &err);
    mpfr_t b;
    mpfr_init2(b, 64);
    long first = -1;
    int holds_after = 1;
    for (long m = rs + 1; m <= 1000; m++) {
      ls_count_R_total_bound(b, rs, m);
      int h = mpfr_lessequal_p(t->total[m - rs - 1], b);
      if (h && first < 0) first = m;
      if (first >= 0 && !h) holds_after = 0;
    }
    ls_count_R_total_bound(b, rs, rs + 1);
    CHECK(first > rs + 1 && holds_after,
          "eq. 6 (r*=%ld, a_k = C(r*-1,k-1)): fails at m=r*+1, holds for every m >= %ld up to 1000", rs,
          first);
    mpfr_clear(b);
    ls_count_ratio_table_free(t);
  }
  /* section 5: depth raises every ratio to the power L-1 */
  ls_count_ratio_table *t2, *t4;
  ls_count_ratio_table_alloc(&t2, 10, 12, 12, 2, 128, &err);
  ls_count_ratio_table_alloc(&t4, 10, 12, 12, 2, 128, &err);
  ls_count_ratio_table_compute(t2, LS_COUNT_WEIGHTS_ONES, NULL, 0, 2, MAXB, &err);
  ls_count_ratio_table_compute(t4, LS_COUNT_WEIGHTS_ONES, NULL, 0, 4, MAXB, &err);
  mpfr_t c;
  mpfr_init2(c, 128);
  mpfr_pow_ui(c, t2->R[1], 3, MPFR_RNDN);
  mpfr_div(c, c, t4->R[1], MPFR_RNDN);
  CHECK(fabs(mpfr_get_d(c, MPFR_RNDN) - 1) < 1e-30, "depth L=4: R_2^(3) as section 5");
  mpfr_clear(c);
  ls_count_ratio_table_free(t2), ls_count_ratio_table_free(t4);
  mpz_clears(G, T, NULL);
  mpq_clear(q);
}

static void test_brea(void) {
  ls_error err;
  mpq_t v, f, b, tmp;
  mpq_inits(v, f, b, tmp, NULL);
  int ok1 = 1, ok2 = 1, ok3 = 1, okb = 1;
  for (long n = 4; n <= 40; n++) {
    /* Proposition 3(i): T(1,n) = C(n-1,1)/2, T(2,n) = C(n-2,1)/3! + C(n-2,2)/2^2,
     * T(3,n) = C(n-3,1)/4! + C(n-3,2)/3! + C(n-3,3)/2^3 */
    ls_count_brea_ratio(v, 1, n, MAXB, &err);
    mpq_set_ui(f, (unsigned long)(n - 1), 2);
    mpq_canonicalize(f);
    ok1 &= mpq_equal(v, f);
    ls_count_brea_ratio(v, 2, n, MAXB, &err);
    mpq_set_ui(f, (unsigned long)(n - 2), 6);
    mpq_canonicalize(f);
    mpq_set_ui(tmp, (unsigned long)((n - 2) * (n - 3) / 2), 4);
    mpq_canonicalize(tmp);
    mpq_add(f, f, tmp);
    ok2 &= mpq_equal(v, f);
    if (n >= 6) {
      ls_count_brea_ratio(v, 3, n, MAXB, &err);
      mpq_set_ui(f, (unsigned long)(n - 3), 24);
      mpq_canonicalize(f);
      mpq_set_ui(tmp, (unsigned long)((n - 3) * (n - 4) / 2), 6);
      mpq_canonicalize(tmp);
      mpq_add(f, f, tmp);
      mpq_set_ui(tmp, (unsigned long)((n - 3) * (n - 4) * (n - 5) / 6), 8);
      mpq_canonicalize(tmp);
      mpq_add(f, f, tmp);
      ok3 &= mpq_equal(v, f);
    }
    for (long K = 1; 2 * K <= n; K++) {
      ls_count_brea_ratio(v, K, n, MAXB, &err);
      ls_count_brea_bound(b, K, n);
      okb &= mpq_cmp(v, b) >= 0 && mpq_sgn(b) > 0;
    }
  }
  CHECK(ok1 && ok2 && ok3, "Brea Prop. 3(i) K=1,2,3 formulas == G(n-K,n)/n! for n = 4..40");
  CHECK(okb, "Brea Prop. 3(ii) bound C(n-K,K)/2^K <= T_B(K,n) for all 2K <= n <= 40");
  ls_count_brea_ratio(v, 1, 3, MAXB, &err);
  CHECK(mpq_cmp_ui(v, 1, 1) == 0, "Brea fig. 6: T(K=1, n=3) = 1 (6 permutation points, 3! minima)");
  /* Lemma 2: T_B(K,n) / (n^K / (2^K K!)) -> 1 */
  for (long K = 1; K <= 3; K++) {
    double prev = 1e300, d = 0;
    int dec = 1;
    for (long n = 20; n <= 640; n *= 2) {
      ls_count_brea_ratio(v, K, n, MAXB, &err);
      mpfr_t x, l;
      mpfr_inits2(128, x, l, (mpfr_ptr)0);
      ls_count_asym_G_fixed_k(l, K, n); /* m^K m!/(2^K K!) */
      mpfr_fac_ui(x, (unsigned long)n, MPFR_RNDN);
      mpfr_div(l, l, x, MPFR_RNDN); /* n^K / (2^K K!) */
      mpfr_set_q(x, v, MPFR_RNDN);
      mpfr_div(x, x, l, MPFR_RNDN);
      d = fabs(mpfr_get_d(x, MPFR_RNDN) - 1);
      dec &= d < prev, prev = d;
      mpfr_clears(x, l, (mpfr_ptr)0);
    }
    CHECK(dec && d < 0.01 * K, "Brea Lemma 2, K=%ld: T_B / (n^K/(2^K K!)) -> 1 (|.-1| = %.3g at n=640)", K, d);
  }
  /* Lemma 3 / multi-layer count: widths (5,7), K = 2 */
  mpz_t pts, g, t;
  mpz_inits(pts, g, t, NULL);
  long n[2] = {5, 7};
  ls_count_brea_layers(pts, b, 2, n, 2, MAXB, &err);
  ls_count_G(g, 3, 5, MAXB, &err);
  mpz_mul_ui(t, g, 5040);
  ls_count_G(g, 5, 7, MAXB, &err);
  mpz_addmul_ui(t, g, 120);
  CHECK(!mpz_cmp(pts, t), "K=2 permutation points over layers (5,7) = G(3,5) 7! + G(5,7) 5!");
  /* bound: 120*5040*(C(3,2)/4 + C(5,2)/4) = 604800*(3+10)/4 = 1965600 */
  CHECK(mpq_cmp_ui(b, 1965600, 1) == 0, "Lemma 3 lower bound for (5,7), K=2 = 1965600");
  mpz_clears(pts, g, t, NULL);
  mpq_clears(v, f, b, tmp, NULL);
}

static void test_graph(void) {
  ls_error err;
  for (int r = 1; r <= LS_COUNT_GRAPH_MAX_R; r++) {
    ls_count_patterns *p;
    ls_count_graph *g;
    ls_count_enumerate(&p, r, r + 1, 0, &err);
    ls_count_graph_build(&g, p, &err);
    size_t nb = 0, ng = 0, bad_edge = 0, deg_ok = 1;
    size_t *deg = calloc(p->n, sizeof *deg);
    for (size_t e = 0; e < g->n_edges; e++) {
      size_t a = g->edges[2 * e], b = g->edges[2 * e + 1];
      deg[a]++, deg[b]++;
      bad_edge += ls_count_pattern_class(p, a) == ls_count_pattern_class(p, b);
      bad_edge += !ls_count_patterns_intersect(p, b, a); /* symmetric */
    }
    for (size_t i = 0; i < p->n; i++) {
      int c = ls_count_pattern_class(p, i);
      c ? ng++ : nb++;
      deg_ok &= deg[i] == (c ? 2u : (size_t)r);
    }
    mpz_t G;
    mpz_init(G);
    ls_count_G(G, r, r + 1, MAXB, &err);
    CHECK(ng == mpz_get_ui(G) && nb + ng == p->n && !bad_edge && deg_ok &&
              ls_count_graph_components(g, p->n) == 1,
          "graph r=%d -> %d: %zu blue (= (r+1)!), %zu green (= G(r,r+1)), bipartite, blue degree r, "
          "green degree 2, connected (Theorem 3.1)",
          r, r + 1, nb, ng);
    if (r == 3)
      CHECK(nb == 24 && ng == 36 && g->n_edges == 72, "figure 4(c): 24 blue, 36 green, 72 edges");
    mpz_clear(G);
    free(deg);
    ls_count_graph_free(g);
    ls_count_patterns_free(p);
  }
}

int main(void) {
  test_lemma46();
  test_eq5();
  test_ratios();
  test_brea();
  test_graph();
  return check_done();
}
