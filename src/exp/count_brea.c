/* K-th order permutation points (Brea et al. 2019, section 2.3, Proposition 3, Lemmas
 * 2-3): per layer of width n the exact ratio to the number of global minima
 *   T_B(K,n) = G(n-K,n)/n!,
 * its lower bound C(n-K,K)/2^K (Proposition 3(ii)) and the large-n form n^K/(2^K K!)
 * (Lemma 2); for the network, sum_k G(n_k-K,n_k) prod_{j!=k} n_j! points against the lower
 * bound sum_k 2^-K C(n_k-K,K) prod_j n_j! (Lemma 3). */
#include "exp/count_fmt.h"

typedef struct {
  mpq_t ratio, bound;
  mpfr_t x, bound_dec, lim, rel; /* T_B as a decimal, the bound, Lemma 2, T_B / limit */
} brea_layer;

/* The numbers of one layer of width w. */
static ls_status layer_values(brea_layer *b, long K, long w, double max_bytes, ls_error *err) {
  ls_status st = ls_count_brea_ratio(b->ratio, K, w, max_bytes, err);
  if (st) return st;
  ls_count_brea_bound(b->bound, K, w);
  mpz_t kf;
  mpz_init(kf);
  mpfr_ui_pow_ui(b->lim, (unsigned long)w, (unsigned long)K, MPFR_RNDN); /* Lemma 2 */
  mpz_fac_ui(kf, (unsigned long)K);
  mpfr_div_z(b->lim, b->lim, kf, MPFR_RNDN);
  mpfr_div_2ui(b->lim, b->lim, (unsigned long)K, MPFR_RNDN);
  mpz_clear(kf);
  mpfr_set_q(b->x, b->ratio, MPFR_RNDN);
  mpfr_div(b->rel, b->x, b->lim, MPFR_RNDN);
  mpfr_set_q(b->bound_dec, b->bound, MPFR_RNDN);
  return LS_OK;
}

static json_t *layer_json(const brea_layer *b, long i, long w, long digits) {
  json_t *e = json_pack("{s:I, s:I, s:o, s:o}", "layer", (json_int_t)(i + 1), "n", (json_int_t)w,
                        "T_B_exact", count_json_mpq(b->ratio), "bound_exact", count_json_mpq(b->bound));
  json_object_set_new(e, "T_B", count_json_dec(b->x, digits));
  json_object_set_new(e, "bound", count_json_dec(b->bound_dec, digits));
  json_object_set_new(e, "limit", count_json_dec(b->lim, digits));
  json_object_set_new(e, "T_B_over_limit", count_json_dec(b->rel, digits));
  return e;
}

static void layer_csv(FILE *f, const brea_layer *b, long K, long w, long digits) {
  fprintf(f, "%ld,%ld,", K, w), mpq_out_str(f, 10, b->ratio), fprintf(f, ",");
  count_print_dec(f, b->x, digits), fprintf(f, ","), mpq_out_str(f, 10, b->bound), fprintf(f, ",");
  count_print_dec(f, b->bound_dec, digits), fprintf(f, ","), count_print_dec(f, b->lim, digits);
  fprintf(f, ","), count_print_dec(f, b->rel, digits), fprintf(f, "\n");
}

static void layer_text(FILE *f, const brea_layer *b, long K, long i, long w, long digits) {
  fprintf(f, "layer %ld: n = %ld, K = %ld\n  T_B(K,n) = G(n-K,n)/n! = ", i + 1, w, K);
  mpq_out_str(f, 10, b->ratio), fprintf(f, " = "), count_print_dec(f, b->x, digits);
  fprintf(f, "\n  lower bound C(n-K,K)/2^K = "), mpq_out_str(f, 10, b->bound);
  fprintf(f, " = "), count_print_dec(f, b->bound_dec, digits);
  fprintf(f, "\n  Lemma 2 limit n^K/(2^K K!) = "), count_print_dec(f, b->lim, digits);
  fprintf(f, "   T_B / limit = "), count_print_dec(f, b->rel, digits), fprintf(f, "\n");
}

/* Layer rows (table: over widths lo, lo+step, ..; else the widths n[]), printed or
 * collected into jl. */
static ls_status layers_out(FILE *f, json_t *jl, long K, const long *n, long count, long lo,
                            long step, const ls_exp_count_opts *o, ls_error *err) {
  brea_layer b;
  mpfr_prec_t prec = ls_count_prec_for_digits(o->digits);
  mpq_inits(b.ratio, b.bound, NULL);
  mpfr_inits2(prec, b.x, b.bound_dec, b.lim, b.rel, (mpfr_ptr)0);
  ls_status st = LS_OK;
  for (long i = 0; i < count && !st; i++) {
    long w = n ? n[i] : lo + i * step;
    if ((st = layer_values(&b, K, w, o->max_bytes, err))) break;
    if (jl) json_array_append_new(jl, layer_json(&b, i, w, o->digits));
    else if (!n) layer_csv(f, &b, K, w, o->digits);
    else layer_text(f, &b, K, i, w, o->digits);
  }
  mpq_clears(b.ratio, b.bound, NULL);
  mpfr_clears(b.x, b.bound_dec, b.lim, b.rel, (mpfr_ptr)0);
  return st;
}

static ls_status check_widths(long K, const long *n, int count, ls_error *err) {
  if (K < 1) return ls_error_set(err, LS_ERR_INPUT, "K must be >= 1 (got %ld)", K);
  for (int l = 0; l < count; l++)
    if (n[l] <= K)
      return ls_error_set(err, LS_ERR_INPUT, "layer width %ld must exceed K = %ld", n[l], K);
  return LS_OK;
}

/* The whole network (Lemma 3): global minima prod_j n_j!, points, and their bound. */
static ls_status network_out(FILE *f, json_t *jl, long K, const long *n, int layers,
                             const ls_exp_count_opts *o, ls_error *err) {
  mpz_t pts, nk, fac;
  mpq_t bound;
  mpz_inits(pts, nk, fac, NULL);
  mpq_init(bound);
  ls_status st = ls_count_brea_layers(pts, bound, K, n, layers, o->max_bytes, err);
  mpz_set_ui(nk, 1);
  for (int l = 0; l < layers; l++) mpz_fac_ui(fac, (unsigned long)n[l]), mpz_mul(nk, nk, fac);
  if (!st && jl)
    st = count_json_out(f, json_pack("{s:s, s:I, s:O, s:o, s:o, s:o}", "quantity", "brea", "K",
                                     (json_int_t)K, "layers", jl, "global_minima", count_json_mpz(nk),
                                     "permutation_points", count_json_mpz(pts),
                                     "permutation_points_lower_bound", count_json_mpq(bound)), err);
  else if (!st) {
    fprintf(f, "global minima prod_j n_j! = "), mpz_out_str(f, 10, nk);
    fprintf(f, "\nK-th order permutation points, all layers (exact) = "), mpz_out_str(f, 10, pts);
    fprintf(f, "\nlower bound (Lemma 3) = "), mpq_out_str(f, 10, bound), fprintf(f, "\n");
  }
  mpz_clears(pts, nk, fac, NULL);
  mpq_clear(bound);
  return st;
}

ls_status ls_exp_count_brea(FILE *out, long K, const long *n, int layers,
                            const ls_exp_count_opts *o, ls_error *err) {
  ls_status st = check_widths(K, n, layers, err);
  if (st) return st;
  json_t *jl = o->format == LS_COUNT_OUT_JSON ? json_array() : NULL;
  st = layers_out(out, jl, K, n, layers, 0, 1, o, err);
  if (!st) st = network_out(out, jl, K, n, layers, o, err);
  json_decref(jl);
  return st;
}

ls_status ls_exp_count_brea_table(FILE *out, long K, long lo, long hi, long step,
                                  const ls_exp_count_opts *o, ls_error *err) {
  ls_status st = check_widths(K, &lo, 1, err);
  if (st) return st;
  json_t *jl = o->format == LS_COUNT_OUT_JSON ? json_array() : NULL;
  if (!jl) fprintf(out, "K,n,T_B_exact,T_B,bound_exact,bound,limit,T_B_over_limit\n");
  st = layers_out(out, jl, K, NULL, (hi - lo) / step + 1, lo, step, o, err);
  if (!st && jl)
    st = count_json_out(out, json_pack("{s:s, s:I, s:O}", "quantity", "brea", "K", (json_int_t)K, "rows", jl), err);
  json_decref(jl);
  return st;
}
