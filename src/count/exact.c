/* Exact counts G(r,m), T(r,m), g(u) of Şimşek et al. 2021 with GMP.
 * Definitions: Proposition 4.3 (G), Theorem 3.1 (T), closed forms: Proposition 4.5.
 * Nothing here sums over the tuples s: G uses the alternating sum of Proposition 4.5,
 * T the Stirling column generating function and the Bell triangle, the series the
 * recurrence of the exponential generating function. */
#include <math.h>
#include <stdlib.h>

#include "landsym/count.h"

ls_status ls_count_check_sizes(long r, long m, long r_min, double bits, double copies,
                               double max_bytes, ls_error *err) {
  if (r < r_min)
    return ls_error_set(err, LS_ERR_INPUT, "r must be >= %ld (got %ld)", r_min, r);
  if (m < 0) return ls_error_set(err, LS_ERR_INPUT, "m must be >= 0 (got %ld)", m);
  if (r > m) return ls_error_set(err, LS_ERR_INPUT, "r (%ld) must not exceed m (%ld)", r, m);
  double bytes = (bits / 8.0 + 16.0) * copies;
  if (!(bytes <= max_bytes))
    return ls_error_set(err, LS_ERR_INPUT,
                        "sizes too large: r=%ld, m=%ld needs about %.3g MiB, more than the "
                        "memory limit of %.0f MiB",
                        r, m, bytes / 1048576.0, max_bytes / 1048576.0);
  return LS_OK;
}

/* Upper bound on the bits of T(r,m): T <= (r+m)^m (map each zero-type slot to the
 * smallest slot of its group: an injection into functions [m] -> [r] u [m]). */
static double t_bits(long r, long m) { return (double)m * log2((double)(r + m) + 1.0) + 64.0; }

ls_status ls_count_G(mpz_t out, long r, long m, double max_bytes, ls_error *err) {
  /* G <= r^m; the powers i^m are the big temporaries. */
  ls_status st = ls_count_check_sizes(r, m, 0, (double)m * log2((double)r + 1.0) + 64.0,
                                      4.0, max_bytes, err);
  if (st) return st;
  /* Proposition 4.5: G(r,m) = sum_{i=1}^{r} C(r,i) (-1)^{r-i} i^m (i = 0 adds 0^m). */
  mpz_t term, binom;
  mpz_inits(term, binom, NULL);
  mpz_set_ui(out, (r == 0 && m == 0) ? 1u : 0u);
  mpz_set_ui(binom, 1); /* C(r,0) */
  for (long i = 1; i <= r; i++) {
    mpz_mul_ui(binom, binom, (unsigned long)(r - i + 1));
    mpz_divexact_ui(binom, binom, (unsigned long)i); /* C(r,i) */
    mpz_ui_pow_ui(term, (unsigned long)i, (unsigned long)m);
    mpz_mul(term, term, binom);
    if ((r - i) % 2) mpz_sub(out, out, term);
    else mpz_add(out, out, term);
  }
  mpz_clears(term, binom, NULL);
  return LS_OK;
}

ls_status ls_count_stirling2(mpz_t out, long n, long k, double max_bytes, ls_error *err) {
  ls_status st = ls_count_G(out, k, n, max_bytes, err); /* k! S(n,k) */
  if (st) return st;
  mpz_t f;
  mpz_init(f);
  mpz_fac_ui(f, (unsigned long)k);
  mpz_divexact(out, out, f);
  mpz_clear(f);
  return LS_OK;
}

/* bell[0..N] = B_0..B_N via the Bell (Aitken) triangle kept in one row x[0..N+1]:
 * row n starts with B_n; next row y[0] = x[n], y[i+1] = y[i] + x[i]. */
static void bell_numbers(mpz_t *bell, long N) {
  mpz_t *x = malloc((size_t)(N + 2) * sizeof *x);
  mpz_t cur, nxt;
  mpz_inits(cur, nxt, NULL);
  for (long i = 0; i < N + 2; i++) mpz_init(x[i]);
  mpz_set_ui(x[0], 1);
  mpz_set_ui(bell[0], 1);
  for (long n = 0; n < N; n++) {
    mpz_set(cur, x[n]);
    for (long i = 0; i <= n; i++) {
      mpz_add(nxt, cur, x[i]);
      mpz_swap(x[i], cur);
      mpz_swap(cur, nxt);
    }
    mpz_swap(x[n + 1], cur);
    mpz_set(bell[n + 1], x[0]);
  }
  for (long i = 0; i < N + 2; i++) mpz_clear(x[i]);
  mpz_clears(cur, nxt, NULL);
  free(x);
}

ls_status ls_count_g(mpz_t out, long u, double max_bytes, ls_error *err) {
  if (u < 0) return ls_error_set(err, LS_ERR_INPUT, "u must be >= 0 (got %ld)", u);
  ls_status st = ls_count_check_sizes(0, u, 0, t_bits(0, u), 2.0 * (double)u + 4.0,
                                      max_bytes, err);
  if (st) return st;
  if (u == 0) { /* sum_{j=1}^{0} is empty */
    mpz_set_ui(out, 0);
    return LS_OK;
  }
  mpz_t *bell = malloc((size_t)(u + 1) * sizeof *bell);
  if (!bell) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld Bell numbers", u);
  for (long i = 0; i <= u; i++) mpz_init(bell[i]);
  bell_numbers(bell, u);
  mpz_set(out, bell[u]);
  for (long i = 0; i <= u; i++) mpz_clear(bell[i]);
  free(bell);
  return LS_OK;
}

ls_status ls_count_T(mpz_t out, long r, long m, double max_bytes, ls_error *err) {
  long N = m - r;
  ls_status st = ls_count_check_sizes(r, m, 0, t_bits(r, m), 2.0 * (double)(N + 1) + 8.0,
                                      max_bytes, err);
  if (st) return st;
  mpz_t *h = malloc((size_t)(N + 1) * sizeof *h), *bell = malloc((size_t)(N + 1) * sizeof *bell);
  if (!h || !bell) {
    free(h), free(bell);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for T(%ld,%ld)", r, m);
  }
  for (long t = 0; t <= N; t++) mpz_init(h[t]), mpz_init(bell[t]);
  /* Stirling column: sum_t S(r+t,r) x^t = prod_{j=1}^{r} 1/(1 - j x), truncated at x^N;
   * multiplying by 1/(1 - j x) is h[t] += j h[t-1] in increasing t. */
  mpz_set_ui(h[0], 1);
  for (long j = 1; j <= r; j++)
    for (long t = 1; t <= N; t++) mpz_addmul_ui(h[t], h[t - 1], (unsigned long)j);
  bell_numbers(bell, N);
  /* T(r,m) = r! sum_{u=0}^{N} C(m,u) S(m-u,r) B_u : u zero-type slots chosen, the other
   * m-u slots mapped onto the r teacher neurons (r! S), the u slots partitioned into
   * unlabelled zero-type groups (Bell). Same as Proposition 4.5 with g(u) = B_u. */
  mpz_t binom, term;
  mpz_inits(binom, term, NULL);
  mpz_set_ui(out, 0);
  mpz_set_ui(binom, 1);
  for (long u = 0; u <= N; u++) {
    if (u > 0) {
      mpz_mul_ui(binom, binom, (unsigned long)(m - u + 1));
      mpz_divexact_ui(binom, binom, (unsigned long)u);
    }
    mpz_mul(term, h[N - u], bell[u]);
    mpz_addmul(out, term, binom);
  }
  mpz_fac_ui(term, (unsigned long)r);
  mpz_mul(out, out, term);
  mpz_clears(binom, term, NULL);
  for (long t = 0; t <= N; t++) mpz_clear(h[t]), mpz_clear(bell[t]);
  free(h), free(bell);
  return LS_OK;
}

ls_status ls_count_T_series(mpz_t *out, long r, long m_lo, long m_hi, double max_bytes,
                            ls_error *err) {
  if (m_lo > m_hi)
    return ls_error_set(err, LS_ERR_INPUT, "empty range of m: %ld..%ld", m_lo, m_hi);
  ls_status st = ls_count_check_sizes(r, m_lo, 0, t_bits(m_hi, m_hi),
                                      2.0 * (double)(m_hi + 3), max_bytes, err);
  if (st) return st;
  long W = m_hi + 3;
  mpz_t *a = malloc((size_t)W * sizeof *a), *b = malloc((size_t)W * sizeof *b);
  if (!a || !b) {
    free(a), free(b);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for T(%ld, %ld..%ld)", r, m_lo, m_hi);
  }
  for (long i = 0; i < W; i++) mpz_init(a[i]), mpz_init(b[i]);
  mpz_set_ui(a[0], 1); /* T(r',0) = [r' = 0] */
  if (m_lo == 0) mpz_set(out[0], a[r]);
  /* EGF F_r = y^r e^y with y = e^x - 1, y' = y + 1: F_r' = (r+1) F_r + r F_{r-1} + F_{r+1},
   * i.e. T(r,m+1) = (r+1) T(r,m) + r T(r-1,m) + T(r+1,m). Only the band of r' that can
   * still reach (r, m_hi) is kept. */
  for (long m = 0; m < m_hi; m++) {
    long top = m + 1 < r + m_hi - (m + 1) ? m + 1 : r + m_hi - (m + 1);
    for (long q = 0; q <= top; q++) {
      mpz_mul_ui(b[q], a[q], (unsigned long)(q + 1));
      if (q > 0) mpz_addmul_ui(b[q], a[q - 1], (unsigned long)q);
      mpz_add(b[q], b[q], a[q + 1]);
    }
    mpz_t *tmp = a;
    a = b, b = tmp;
    /* entries of the new row above top are stale: zero them where they may be read */
    for (long q = top + 1; q <= top + 2 && q < W; q++) mpz_set_ui(a[q], 0);
    if (m + 1 >= m_lo) mpz_set(out[m + 1 - m_lo], a[r]);
  }
  for (long i = 0; i < W; i++) mpz_clear(a[i]), mpz_clear(b[i]);
  free(a), free(b);
  return LS_OK;
}

ls_status ls_count_G_table(mpz_t *out, long r_hi, long m_lo, long m_hi, double max_bytes,
                           ls_error *err) {
  if (m_lo > m_hi)
    return ls_error_set(err, LS_ERR_INPUT, "empty range of m: %ld..%ld", m_lo, m_hi);
  if (r_hi < 0) return ls_error_set(err, LS_ERR_INPUT, "r must be >= 0 (got %ld)", r_hi);
  if (m_lo < 0) return ls_error_set(err, LS_ERR_INPUT, "m must be >= 0 (got %ld)", m_lo);
  double bits = (double)m_hi * log2((double)r_hi + 1.0) + 64.0;
  double copies = (double)(r_hi + 2) * (double)(m_hi - m_lo + 2);
  if ((bits / 8.0 + 16.0) * copies > max_bytes)
    return ls_error_set(err, LS_ERR_INPUT,
                        "sizes too large: table of G up to r=%ld, m=%ld needs about %.3g MiB",
                        r_hi, m_hi, (bits / 8.0 + 16.0) * copies / 1048576.0);
  mpz_t *s = malloc((size_t)(r_hi + 1) * sizeof *s), *fac = malloc((size_t)(r_hi + 1) * sizeof *fac);
  if (!s || !fac) {
    free(s), free(fac);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the G table");
  }
  for (long q = 0; q <= r_hi; q++) mpz_init(s[q]), mpz_init(fac[q]), mpz_fac_ui(fac[q], (unsigned long)q);
  mpz_set_ui(s[0], 1); /* S(0,0) = 1 */
  for (long m = 0; m <= m_hi; m++) {
    if (m > 0) /* S(m,q) = q S(m-1,q) + S(m-1,q-1), descending q keeps S(m-1,q-1) */
      for (long q = r_hi; q >= 0; q--) {
        mpz_mul_ui(s[q], s[q], (unsigned long)q);
        if (q > 0) mpz_add(s[q], s[q], s[q - 1]);
      }
    if (m >= m_lo)
      for (long q = 0; q <= r_hi; q++)
        mpz_mul(out[(m - m_lo) * (r_hi + 1) + q], s[q], fac[q]);
  }
  for (long q = 0; q <= r_hi; q++) mpz_clear(s[q]), mpz_clear(fac[q]);
  free(s), free(fac);
  return LS_OK;
}
