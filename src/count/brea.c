/* Higher-order permutation points of Brea et al. 2019 (section 2.3, Proposition 3,
 * Lemmas 2-3, appendix C.4). A K-th order permutation point at a layer of width n uses the
 * n-K distinct parameter vectors of a smaller minimum, each at least once, on the n labelled
 * neurons: there are G(n-K,n) = (n-K)! S(n,n-K) of them per minimum of the smaller network,
 * against n! global minima from permuting that layer; the other layers contribute the same
 * factor prod_{j != k} n_j! to both, so Brea's ratio is T_B(K,n) = G(n-K,n)/n!. */
#include "landsym/count.h"

ls_status ls_count_brea_ratio(mpq_t out, long K, long n, double max_bytes, ls_error *err) {
  if (K < 1) return ls_error_set(err, LS_ERR_INPUT, "K must be >= 1 (got %ld)", K);
  if (n <= K)
    return ls_error_set(err, LS_ERR_INPUT, "layer width n (%ld) must exceed K (%ld)", n, K);
  ls_status st = ls_count_G(mpq_numref(out), n - K, n, max_bytes, err);
  if (st) return st;
  mpz_fac_ui(mpq_denref(out), (unsigned long)n);
  mpq_canonicalize(out);
  return LS_OK;
}

void ls_count_brea_bound(mpq_t out, long K, long n) {
  /* Proposition 3(ii): only the partition n = 2+...+2+1+...+1 (K pairs) is kept. */
  if (2 * K > n) {
    mpq_set_ui(out, 0, 1);
    return;
  }
  mpz_bin_uiui(mpq_numref(out), (unsigned long)(n - K), (unsigned long)K);
  mpz_set_ui(mpq_denref(out), 1);
  mpz_mul_2exp(mpq_denref(out), mpq_denref(out), (unsigned long)K);
  mpq_canonicalize(out);
}

ls_status ls_count_brea_layers(mpz_t points, mpq_t bound, long K, const long *n, int layers,
                               double max_bytes, ls_error *err) {
  if (layers < 1) return ls_error_set(err, LS_ERR_INPUT, "need at least one layer width");
  mpz_t all, g, f;
  mpq_t b, q;
  mpz_inits(all, g, f, NULL);
  mpq_inits(b, q, NULL);
  ls_status st = LS_OK;
  mpz_set_ui(all, 1);
  for (int l = 0; l < layers && !st; l++) {
    if (n[l] <= K)
      st = ls_error_set(err, LS_ERR_INPUT, "layer %d width (%ld) must exceed K (%ld)", l + 1,
                        n[l], K);
    else {
      mpz_fac_ui(f, (unsigned long)n[l]);
      mpz_mul(all, all, f); /* number of global minima prod_j n_j! */
    }
  }
  mpz_set_ui(points, 0);
  mpq_set_ui(bound, 0, 1);
  for (int l = 0; l < layers && !st; l++) {
    st = ls_count_G(g, n[l] - K, n[l], max_bytes, err);
    if (st) break;
    mpz_fac_ui(f, (unsigned long)n[l]);
    mpz_divexact(f, all, f);  /* prod_{j != l} n_j! */
    mpz_addmul(points, g, f); /* Lemma 3: sum over layers */
    ls_count_brea_bound(b, K, n[l]);
    mpq_set_z(q, all);
    mpq_mul(q, q, b);
    mpq_add(bound, bound, q);
  }
  mpz_clears(all, g, f, NULL);
  mpq_clears(b, q, NULL);
  return st;
}
