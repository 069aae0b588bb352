/* Exact counts against independent truth: brute-force enumeration of the definitions,
 * the literal sums of Proposition 4.3 and Theorem 3.1, two different algorithms for T,
 * known Bell numbers, and the numbers printed in Şimşek et al. 2021 and Brea et al. 2019. */
#include <string.h>

#include "check.h"
#include "landsym/count.h"

#define MAXB LS_COUNT_DEFAULT_MAX_BYTES

/* Literal Proposition 4.3: sum over compositions k_1+..+k_r = m, k_i >= 1, of the multinomial. */
static void literal_G(mpz_t acc, int r, int m, int slot, int left, mpz_t mult) {
  if (slot == r) {
    if (!left) mpz_add(acc, acc, mult);
    return;
  }
  mpz_t next;
  mpz_init(next);
  for (int k = 1; k <= left - (r - slot - 1); k++) {
    /* multiply by C(left, k): choose the k slots of this teacher neuron */
    mpz_bin_uiui(next, (unsigned long)left, (unsigned long)k);
    mpz_mul(next, next, mult);
    literal_G(acc, r, m, slot + 1, left - k, next);
  }
  mpz_clear(next);
}

/* Literal Theorem 3.1 over the zero-type part: sum over b-tuples of the multinomial divided
 * by c_1!...c_{m-r}!; `sorted` restricts the b-tuple to non-increasing order (a partition). */
static void literal_T_b(mpz_t acc, int u, int maxb, int sorted, int *cnt, mpz_t mult) {
  if (u == 0) {
    mpz_t q, f;
    mpz_inits(q, f, NULL);
    mpz_set(q, mult);
    for (int i = 1; i <= 16; i++) {
      mpz_fac_ui(f, (unsigned long)cnt[i]);
      mpz_divexact(q, q, f);
    }
    mpz_add(acc, acc, q);
    mpz_clears(q, f, NULL);
    return;
  }
  mpz_t next;
  mpz_init(next);
  for (int b = 1; b <= u && (!sorted || b <= maxb); b++) {
    mpz_bin_uiui(next, (unsigned long)u, (unsigned long)b);
    mpz_mul(next, next, mult);
    cnt[b]++;
    literal_T_b(acc, u - b, b, sorted, cnt, next);
    cnt[b]--;
  }
  mpz_clear(next);
}

/* T by Theorem 3.1: sum_u C(m,u) * [teacher part: literal G(r,m-u)] * [zero-type part]. */
static void literal_T(mpz_t out, int r, int m, int sorted) {
  mpz_t g, z, one, c;
  mpz_inits(g, z, one, c, NULL);
  mpz_set_ui(out, 0);
  for (int u = 0; u <= m - r; u++) {
    int cnt[17] = {0};
    mpz_set_ui(g, 0), mpz_set_ui(z, 0), mpz_set_ui(one, 1);
    literal_G(g, r, m - u, 0, m - u, one);
    literal_T_b(z, u, u, sorted, cnt, one);
    mpz_bin_uiui(c, (unsigned long)m, (unsigned long)u);
    mpz_mul(c, c, g);
    mpz_addmul(out, c, z);
  }
  mpz_clears(g, z, one, c, NULL);
}

static void test_bruteforce(void) {
  ls_error err;
  mpz_t G, T, Gl, Tl, Ts[8];
  mpz_inits(G, T, Gl, Tl, NULL);
  for (int i = 0; i < 8; i++) mpz_init(Ts[i]);
  int all_T = 1, all_G = 1, all_lit = 1, all_series = 1;
  for (int m = 1; m <= 7; m++)
    for (int r = 1; r <= m; r++) {
      ls_count_patterns *pt, *pg;
      ls_count_G(G, r, m, MAXB, &err);
      ls_count_T(T, r, m, MAXB, &err);
      ls_count_T_series(Ts, r, r, 7, MAXB, &err);
      if (ls_count_enumerate(&pt, r, m, 0, &err) || ls_count_enumerate(&pg, r, m, 1, &err)) {
        CHECK(0, "enumerate r=%d m=%d: %s", r, m, err.msg);
        continue;
      }
      mpz_set_ui(Gl, 0), mpz_set_ui(Tl, 1);
      literal_G(Gl, r, m, 0, m, Tl);
      literal_T(Tl, r, m, 1);
      if (mpz_cmp_ui(T, pt->n) || mpz_cmp_ui(G, pg->n)) {
        all_T &= !mpz_cmp_ui(T, pt->n), all_G &= !mpz_cmp_ui(G, pg->n);
        printf("  mismatch r=%d m=%d: T=%lu enum %zu, G=%lu enum %zu\n", r, m, mpz_get_ui(T),
               pt->n, mpz_get_ui(G), pg->n);
      }
      all_lit &= !mpz_cmp(Gl, G) && !mpz_cmp(Tl, T);
      all_series &= !mpz_cmp(Ts[m - r], T);
      ls_count_patterns_free(pt), ls_count_patterns_free(pg);
    }
  CHECK(all_T, "T(r,m) closed form == brute-force enumeration for all 1 <= r <= m <= 7");
  CHECK(all_G, "G(r,m) closed form == brute-force enumeration (no zero-type) for all r <= m <= 7");
  CHECK(all_lit, "Prop. 4.3 / Thm. 3.1 literal sums (b as a partition) == closed forms, m <= 7");
  CHECK(all_series, "T recurrence series == T column formula for all r <= m <= 7");
  /* Theorem 3.1 read with ordered b-tuples overcounts once two zero-type groups differ in size */
  literal_T(Tl, 1, 4, 0);
  ls_count_T(T, 1, 4, MAXB, &err);
  CHECK(mpz_cmp_ui(Tl, 49) == 0 && mpz_cmp_ui(T, 37) == 0,
        "Thm. 3.1 with ordered b-tuples gives 49 for (1,4), the definition (enumeration) 37");
  mpz_clears(G, T, Gl, Tl, NULL);
  for (int i = 0; i < 8; i++) mpz_clear(Ts[i]);
}

static void test_paper_values(void) {
  ls_error err;
  mpz_t v;
  mpz_init(v);
  ls_count_T(v, 2, 3, MAXB, &err);
  CHECK(mpz_cmp_ui(v, 12) == 0, "T(2,3) = 12 (figure 4b)");
  ls_count_T(v, 3, 4, MAXB, &err);
  CHECK(mpz_cmp_ui(v, 60) == 0, "T(3,4) = 60 (figure 4c)");
  int fact_ok = 1;
  mpz_t f;
  mpz_init(f);
  for (int r = 1; r <= 12; r++) {
    ls_count_T(v, r, r, MAXB, &err);
    mpz_fac_ui(f, (unsigned long)r);
    fact_ok &= !mpz_cmp(v, f);
    ls_count_G(v, r, r, MAXB, &err);
    fact_ok &= !mpz_cmp(v, f);
  }
  CHECK(fact_ok, "T(r,r) = G(r,r) = r! for r <= 12 (proof of Theorem 3.1)");
  /* Bell numbers B_1..B_15 (OEIS A000110) */
  const unsigned long bell[] = {1, 2, 5, 15, 52, 203, 877, 4140, 21147, 115975, 678570,
                                4213597, 27644437, 190899322, 1382958545};
  int bell_ok = 1;
  for (int u = 1; u <= 15; u++) {
    ls_count_g(v, u, MAXB, &err);
    bell_ok &= !mpz_cmp_ui(v, bell[u - 1]);
  }
  CHECK(bell_ok, "g(u) = Bell numbers B_1..B_15");
  ls_count_g(v, 0, MAXB, &err);
  CHECK(mpz_cmp_ui(v, 0) == 0, "g(0) = 0 (empty sum)");
  /* Stirling S(10,4) = 34105 */
  ls_count_stirling2(v, 10, 4, MAXB, &err);
  CHECK(mpz_cmp_ui(v, 34105) == 0, "S(10,4) = 34105");
  mpz_clears(v, f, NULL);
}

/* Proposition 4.5 evaluated literally (G by the alternating sum, g by Bell) against the
 * column/Bell algorithm and the recurrence, at sizes where enumeration is impossible. */
static void test_large(void) {
  ls_error err;
  mpz_t a, b, t, c, gg, g;
  mpz_inits(a, b, t, c, gg, g, NULL);
  long r = 40, m = 90;
  ls_count_G(a, r, m, MAXB, &err);
  for (long u = 1; u <= m - r; u++) {
    ls_count_G(gg, r, m - u, MAXB, &err);
    ls_count_g(g, u, MAXB, &err);
    mpz_bin_uiui(c, (unsigned long)m, (unsigned long)u);
    mpz_mul(t, gg, g);
    mpz_addmul(a, t, c);
  }
  ls_count_T(b, r, m, MAXB, &err);
  CHECK(!mpz_cmp(a, b), "T(40,90): Proposition 4.5 literally == column algorithm (%zu digits)",
        mpz_sizeinbase(b, 10));
  mpz_t s[1];
  mpz_init(s[0]);
  ls_count_T_series(s, 1000, 2000, 2000, MAXB, &err);
  ls_count_T(b, 1000, 2000, MAXB, &err);
  CHECK(!mpz_cmp(s[0], b), "T(1000,2000): recurrence == column algorithm (%zu digits)",
        mpz_sizeinbase(b, 10));
  mpz_t tab[3 * 31];
  for (int i = 0; i < 3 * 31; i++) mpz_init(tab[i]);
  ls_count_G_table(tab, 30, 500, 502, MAXB, &err);
  int ok = 1;
  for (long q = 1; q <= 30; q++)
    for (long i = 0; i < 3; i++) {
      ls_count_G(a, q, 500 + i, MAXB, &err);
      ok &= !mpz_cmp(a, tab[i * 31 + q]);
    }
  CHECK(ok, "G table (Stirling recurrence) == alternating sum, r <= 30, m = 500..502");
  for (int i = 0; i < 3 * 31; i++) mpz_clear(tab[i]);
  mpz_clear(s[0]);
  mpz_clears(a, b, t, c, gg, g, NULL);
}

static void test_bad_sizes(void) {
  ls_error err;
  mpz_t v;
  mpz_init(v);
  CHECK(ls_count_T(v, 5, 3, MAXB, &err) == LS_ERR_INPUT && strstr(err.msg, "must not exceed"),
        "T(5,3) rejected: %s", err.msg);
  CHECK(ls_count_G(v, -1, 3, MAXB, &err) == LS_ERR_INPUT, "G(-1,3) rejected: %s", err.msg);
  CHECK(ls_count_T(v, 1000000, 900000000, MAXB, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "memory"),
        "T(1e6, 9e8) rejected before allocating: %s", err.msg);
  ls_count_patterns *p;
  CHECK(ls_count_enumerate(&p, 2, 9, 0, &err) == LS_ERR_INPUT, "enumeration of m = 9 refused: %s",
        err.msg);
  mpz_clear(v);
}

int main(void) {
  test_bruteforce();
  test_paper_values();
  test_large();
  test_bad_sizes();
  return check_done();
}
