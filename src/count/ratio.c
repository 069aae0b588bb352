/* Ratios R_k(r*,m) = G(r*-k,m)/T(r*,m) (Şimşek et al. 2021, eq. 5, figure 6) and the
 * weighted total of eq. 6 in MPFR, computed from exact GMP counts; asymptotic forms of
 * Lemma 4.6 and eqs. 5-6. */
#include <stdlib.h>

#include "landsym/count.h"

mpfr_prec_t ls_count_prec_for_digits(long digits) {
  if (digits < 1) digits = 1;
  return (mpfr_prec_t)((double)digits * 3.3219280948873623 + 32.0);
}

ls_status ls_count_ratio_table_alloc(ls_count_ratio_table **out, long rstar, long m_lo,
                                     long m_hi, int kmax, mpfr_prec_t prec, ls_error *err) {
  *out = NULL;
  if (rstar < 2)
    return ls_error_set(err, LS_ERR_INPUT, "r* must be >= 2 for a ratio (got %ld)", rstar);
  if (kmax < 1 || kmax > rstar - 1)
    return ls_error_set(err, LS_ERR_INPUT, "k must be in 1..r*-1 = 1..%ld (got %d)", rstar - 1,
                        kmax);
  if (m_lo < rstar)
    return ls_error_set(err, LS_ERR_INPUT, "m (%ld) must be >= r* (%ld)", m_lo, rstar);
  if (m_hi < m_lo) return ls_error_set(err, LS_ERR_INPUT, "empty range of m: %ld..%ld", m_lo, m_hi);
  ls_count_ratio_table *t = calloc(1, sizeof *t);
  size_t rows = (size_t)(m_hi - m_lo + 1);
  if (t) t->R = malloc(rows * (size_t)kmax * sizeof *t->R);
  if (t && t->R) t->total = malloc(rows * sizeof *t->total);
  if (!t || !t->R || !t->total) {
    if (t) free(t->R);
    free(t);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for a %zu-row ratio table", rows);
  }
  t->rstar = rstar, t->m_lo = m_lo, t->m_hi = m_hi, t->kmax = kmax, t->prec = prec, t->m_step = 1;
  for (size_t i = 0; i < rows * (size_t)kmax; i++) mpfr_init2(t->R[i], prec);
  for (size_t i = 0; i < rows; i++) mpfr_init2(t->total[i], prec), mpfr_set_zero(t->total[i], 1);
  *out = t;
  return LS_OK;
}

void ls_count_ratio_table_free(ls_count_ratio_table *t) {
  if (!t) return;
  size_t rows = (size_t)(t->m_hi - t->m_lo + 1);
  for (size_t i = 0; i < rows * (size_t)t->kmax; i++) mpfr_clear(t->R[i]);
  for (size_t i = 0; i < rows; i++) mpfr_clear(t->total[i]);
  free(t->R), free(t->total), free(t);
}

/* a_k as an exact integer/decimal source: ones, C(r*-1,k-1), or the caller's list. */
static void weight(mpfr_t a, ls_count_weights w, const double *list, int nlist, long rstar, long k) {
  if (w == LS_COUNT_WEIGHTS_ONES) {
    mpfr_set_ui(a, 1, MPFR_RNDN);
  } else if (w == LS_COUNT_WEIGHTS_BINOM) {
    mpz_t c;
    mpz_init(c);
    mpz_bin_uiui(c, (unsigned long)(rstar - 1), (unsigned long)(k - 1));
    mpfr_set_z(a, c, MPFR_RNDN);
    mpz_clear(c);
  } else {
    mpfr_set_d(a, k <= nlist ? list[k - 1] : 0.0, MPFR_RNDN);
  }
}

ls_status ls_count_ratio_table_compute(ls_count_ratio_table *t, ls_count_weights weights,
                                       const double *list, int nlist, int depth,
                                       double max_bytes, ls_error *err) {
  if (depth < 2) return ls_error_set(err, LS_ERR_INPUT, "depth L must be >= 2 (got %d)", depth);
  long rs = t->rstar, rows = t->m_hi - t->m_lo + 1;
  mpz_t *T = malloc((size_t)rows * sizeof *T), *s = malloc((size_t)rs * sizeof *s),
        *fac = malloc((size_t)rs * sizeof *fac);
  if (!T || !s || !fac) {
    free(T), free(s), free(fac);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the ratio table");
  }
  for (long i = 0; i < rows; i++) mpz_init(T[i]);
  for (long q = 0; q < rs; q++) mpz_init(s[q]), mpz_init(fac[q]), mpz_fac_ui(fac[q], (unsigned long)q);
  /* T(r*,m) for the whole range in one pass of its recurrence */
  ls_status st = ls_count_T_series(T, rs, t->m_lo, t->m_hi, max_bytes, err);
  if (!st) {
    mpfr_t tf, gf, a;
    mpz_t g;
    mpz_init(g);
    mpfr_inits2(t->prec + 64, tf, gf, a, (mpfr_ptr)0);
    /* G(q,m) = q! S(m,q), q = 1..r*-1, by the Stirling recurrence over m (one column
     * vector kept, descending q so S(m-1,q-1) is still the old value) */
    mpz_set_ui(s[0], 1);
    for (long m = 0; m <= t->m_hi; m++) {
      if (m > 0)
        for (long q = rs - 1; q >= 0; q--) {
          mpz_mul_ui(s[q], s[q], (unsigned long)q);
          if (q > 0) mpz_add(s[q], s[q], s[q - 1]);
        }
      if (m < t->m_lo) continue;
      long i = m - t->m_lo;
      if (t->m_step > 1 && i % t->m_step) continue;
      mpfr_set_z(tf, T[i], MPFR_RNDN);
      mpfr_set_ui(t->total[i], 0, MPFR_RNDN);
      for (long k = 1; k <= rs - 1; k++) {
        mpz_mul(g, s[rs - k], fac[rs - k]);
        mpfr_set_z(gf, g, MPFR_RNDN);
        mpfr_div(gf, gf, tf, MPFR_RNDN);                            /* R_k, eq. 5 */
        mpfr_pow_ui(gf, gf, (unsigned long)(depth - 1), MPFR_RNDN); /* section 5 */
        if (k <= t->kmax) mpfr_set(t->R[(size_t)i * (size_t)t->kmax + (size_t)(k - 1)], gf, MPFR_RNDN);
        weight(a, weights, list, nlist, rs, k);
        mpfr_fma(t->total[i], a, gf, t->total[i], MPFR_RNDN); /* eq. 6 */
      }
    }
    mpfr_clears(tf, gf, a, (mpfr_ptr)0);
    mpz_clear(g);
  }
  for (long i = 0; i < rows; i++) mpz_clear(T[i]);
  for (long q = 0; q < rs; q++) mpz_clear(s[q]), mpz_clear(fac[q]);
  free(T), free(s), free(fac);
  return st;
}

void ls_count_asym_G_fixed_k(mpfr_t out, long k, long m) {
  mpfr_prec_t p = mpfr_get_prec(out) + 32;
  mpfr_t x, y;
  mpfr_inits2(p, x, y, (mpfr_ptr)0);
  mpfr_fac_ui(x, (unsigned long)m, MPFR_RNDN);        /* m! */
  mpfr_ui_pow_ui(y, (unsigned long)m, (unsigned long)k, MPFR_RNDN);
  mpfr_mul(x, x, y, MPFR_RNDN);                         /* m^k m! */
  mpfr_fac_ui(y, (unsigned long)k, MPFR_RNDN);
  mpfr_mul_2ui(y, y, (unsigned long)k, MPFR_RNDN);      /* 2^k k! */
  mpfr_div(out, x, y, MPFR_RNDN);
  mpfr_clears(x, y, (mpfr_ptr)0);
}

void ls_count_asym_G_fixed_r(mpfr_t out, long r, long m) {
  mpfr_ui_pow_ui(out, (unsigned long)r, (unsigned long)m, MPFR_RNDN);
}

void ls_count_asym_R_fixed_h(mpfr_t out, long rstar, long k, long h) {
  mpfr_prec_t p = mpfr_get_prec(out) + 32;
  mpfr_t x, y;
  mpfr_inits2(p, x, y, (mpfr_ptr)0);
  mpfr_ui_pow_ui(x, (unsigned long)rstar, (unsigned long)k, MPFR_RNDN);
  mpfr_set_ui(y, 1, MPFR_RNDN);
  for (long i = 1; i <= k; i++) mpfr_mul_ui(y, y, (unsigned long)(h + i), MPFR_RNDN);
  mpfr_mul_2ui(y, y, (unsigned long)k, MPFR_RNDN);
  mpfr_div(out, x, y, MPFR_RNDN);
  mpfr_clears(x, y, (mpfr_ptr)0);
}

void ls_count_R_total_bound(mpfr_t out, long rstar, long m) {
  mpfr_prec_t p = mpfr_get_prec(out) + 32;
  mpfr_t x;
  mpfr_init2(x, p);
  mpfr_set_ui(x, (unsigned long)(rstar - 1), MPFR_RNDN);
  mpfr_div_ui(x, x, (unsigned long)rstar, MPFR_RNDN);
  mpfr_pow_ui(out, x, (unsigned long)m, MPFR_RNDN);
  mpfr_clear(x);
}

void ls_count_rel_error(mpfr_t out, const mpfr_t approx, const mpfr_t exact) {
  if (mpfr_zero_p(exact)) {
    mpfr_set_inf(out, 1);
    return;
  }
  mpfr_t d;
  mpfr_init2(d, mpfr_get_prec(out) + 32);
  mpfr_sub(d, approx, exact, MPFR_RNDN);
  mpfr_div(d, d, exact, MPFR_RNDN);
  mpfr_abs(out, d, MPFR_RNDN);
  mpfr_clear(d);
}
