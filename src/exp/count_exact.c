/* G(r,m), T(r,m) and g(u) printed in full, in tables over m, as products over hidden
 * layers (Şimşek et al. 2021, Propositions 4.3-4.5, section 5), with the asymptotic forms
 * of Lemma 4.6: m^k m!/(2^k k!) ~ G(m-k,m) ~ T(m-k,m) (k = m-r fixed) and r^m ~ G(r,m)
 * (r fixed). */
#include <stdlib.h>

#include "exp/count_fmt.h"

static ls_status compute(char which, mpz_t v, long r, long m, double max_bytes, ls_error *err) {
  return which == 'G' ? ls_count_G(v, r, m, max_bytes, err) : ls_count_T(v, r, m, max_bytes, err);
}

/* The asymptotic forms beside an exact value and their relative errors. */
typedef struct {
  mpfr_t lemma, lemma_err, fixed, fixed_err;
} asym_vals;

static void asym_compute(asym_vals *a, char which, long r, long m, const mpz_t v, long digits) {
  mpfr_prec_t p = ls_count_prec_for_digits(digits);
  mpfr_t ex;
  mpfr_inits2(p, a->lemma, a->lemma_err, a->fixed, a->fixed_err, ex, (mpfr_ptr)0);
  mpfr_set_z(ex, v, MPFR_RNDN);
  ls_count_asym_G_fixed_k(a->lemma, m - r, m);
  ls_count_rel_error(a->lemma_err, a->lemma, ex);
  if (which == 'G') {
    ls_count_asym_G_fixed_r(a->fixed, r, m);
    ls_count_rel_error(a->fixed_err, a->fixed, ex);
  }
  mpfr_clear(ex);
}

static void asym_clear(asym_vals *a) {
  mpfr_clears(a->lemma, a->lemma_err, a->fixed, a->fixed_err, (mpfr_ptr)0);
}

static ls_status check_rm(long r, long m_lo, ls_error *err) {
  if (r < 1) return ls_error_set(err, LS_ERR_INPUT, "R must be >= 1 (got %ld)", r);
  if (m_lo < 0) return ls_error_set(err, LS_ERR_INPUT, "M must be >= 1 (got %ld)", m_lo);
  return LS_OK;
}

static json_t *single_json(char which, long r, long m, const mpz_t v, const asym_vals *a,
                           const ls_exp_count_opts *o) {
  json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "quantity", count_name(which), "r", (json_int_t)r,
                        "m", (json_int_t)m, "value", count_json_mpz(v));
  if (!o->asym) return j;
  json_object_set_new(j, "lemma4_6", json_pack("{s:I, s:o, s:o}", "k", (json_int_t)(m - r), "value",
                                               count_json_dec(a->lemma, o->digits), "rel_error",
                                               count_json_dec(a->lemma_err, 6)));
  if (which == 'G')
    json_object_set_new(j, "fixed_r", json_pack("{s:o, s:o}", "value", count_json_dec(a->fixed, o->digits),
                                                "rel_error", count_json_dec(a->fixed_err, 6)));
  return j;
}

/* "value  rel_error = err" as in the text form. */
static void text_asym(FILE *f, const mpfr_t v, const mpfr_t e, long digits) {
  count_print_dec(f, v, digits);
  fprintf(f, "  rel_error = ");
  count_print_dec(f, e, 6);
  fprintf(f, "\n");
}

static void single_text(FILE *f, char which, long r, long m, const mpz_t v, const asym_vals *a,
                        const ls_exp_count_opts *o) {
  const char *q = count_name(which);
  if (o->format == LS_COUNT_OUT_CSV) {
    fprintf(f, "r,m,%s%s\n%ld,%ld,", q, o->asym ? ",lemma4_6,rel_error" : "", r, m);
    mpz_out_str(f, 10, v);
    if (o->asym) {
      fprintf(f, ","), count_print_dec(f, a->lemma, o->digits);
      fprintf(f, ","), count_print_dec(f, a->lemma_err, 6);
    }
    fprintf(f, "\n");
  } else if (!o->asym) {
    mpz_out_str(f, 10, v);
    fprintf(f, "\n");
  } else {
    fprintf(f, "%s(%ld,%ld) = ", q, r, m);
    mpz_out_str(f, 10, v);
    fprintf(f, "\nLemma 4.6 (k = m-r = %ld): m^k m!/(2^k k!) = ", m - r);
    text_asym(f, a->lemma, a->lemma_err, o->digits);
    if (which == 'G') fprintf(f, "Lemma 4.6 (fixed r): r^m = "), text_asym(f, a->fixed, a->fixed_err, o->digits);
  }
}

ls_status ls_exp_count_GT(FILE *out, char which, long r, long m, const ls_exp_count_opts *o,
                          ls_error *err) {
  ls_status st = check_rm(r, m, err);
  if (st) return st;
  mpz_t v;
  mpz_init(v);
  if ((st = compute(which, v, r, m, o->max_bytes, err))) {
    mpz_clear(v);
    return st;
  }
  asym_vals a;
  if (o->asym) asym_compute(&a, which, r, m, v, o->digits);
  if (o->format == LS_COUNT_OUT_JSON) st = count_json_out(out, single_json(which, r, m, v, &a, o), err);
  else single_text(out, which, r, m, v, &a, o);
  if (o->asym) asym_clear(&a);
  mpz_clear(v);
  return st;
}

/* One row of the table: JSON object appended to arr, or a CSV line. */
static void table_row(FILE *f, json_t *arr, char which, long r, long m, const mpz_t x,
                      const ls_exp_count_opts *o) {
  asym_vals a;
  if (o->asym) asym_compute(&a, which, r, m, x, o->digits);
  if (arr) {
    json_t *j = json_pack("{s:I, s:I, s:o}", "r", (json_int_t)r, "m", (json_int_t)m, "value", count_json_mpz(x));
    if (o->asym) {
      json_object_set_new(j, "lemma4_6", count_json_dec(a.lemma, o->digits));
      json_object_set_new(j, "rel_error", count_json_dec(a.lemma_err, 6));
      if (which == 'G') {
        json_object_set_new(j, "fixed_r", count_json_dec(a.fixed, o->digits));
        json_object_set_new(j, "rel_error_fixed_r", count_json_dec(a.fixed_err, 6));
      }
    }
    json_array_append_new(arr, j);
  } else {
    fprintf(f, "%ld,%ld,", r, m);
    mpz_out_str(f, 10, x);
    if (o->asym) {
      fprintf(f, ","), count_print_dec(f, a.lemma, o->digits);
      fprintf(f, ","), count_print_dec(f, a.lemma_err, 6);
      if (which == 'G')
        fprintf(f, ","), count_print_dec(f, a.fixed, o->digits), fprintf(f, ","), count_print_dec(f, a.fixed_err, 6);
    }
    fprintf(f, "\n");
  }
  if (o->asym) asym_clear(&a);
}

/* The values of the table: T for the whole range by one pass of its recurrence, G one by
 * one at the rows printed. v[m - lo]. */
static ls_status table_values(mpz_t *v, char which, long r, long lo, long hi, long step,
                              double max_bytes, ls_error *err) {
  if (which == 'T') return ls_count_T_series(v, r, lo, hi, max_bytes, err);
  ls_status st = LS_OK;
  for (long i = 0; i <= (hi - lo) / step && !st; i++)
    st = ls_count_G(v[i * step], r, lo + i * step, max_bytes, err);
  return st;
}

ls_status ls_exp_count_GT_table(FILE *out, char which, long r, long lo, long hi, long step,
                                const ls_exp_count_opts *o, ls_error *err) {
  ls_status st = check_rm(r, lo, err);
  if (st) return st;
  if (r > lo) return ls_error_set(err, LS_ERR_INPUT, "r (%ld) must not exceed m (%ld)", r, lo);
  long rows = (hi - lo) / step + 1;
  mpz_t *v = malloc((size_t)(hi - lo + 1) * sizeof *v);
  if (!v) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  for (long i = 0; i <= hi - lo; i++) mpz_init(v[i]);
  st = table_values(v, which, r, lo, hi, step, o->max_bytes, err);
  json_t *arr = o->format == LS_COUNT_OUT_JSON ? json_array() : NULL;
  if (!st && !arr)
    fprintf(out, "r,m,%s%s%s\n", count_name(which), o->asym ? ",lemma4_6,rel_error" : "",
            o->asym && which == 'G' ? ",fixed_r,rel_error_fixed_r" : "");
  for (long i = 0; i < rows && !st; i++) table_row(out, arr, which, r, lo + i * step, v[i * step], o);
  if (!st && arr)
    st = count_json_out(out, json_pack("{s:s, s:O}", "quantity", count_name(which), "rows", arr), err);
  json_decref(arr);
  for (long i = 0; i <= hi - lo; i++) mpz_clear(v[i]);
  free(v);
  return st;
}

ls_status ls_exp_count_GT_layers(FILE *out, char which, const long *r, const long *m,
                                 int layers, const ls_exp_count_opts *o, ls_error *err) {
  mpz_t prod, v;
  mpz_inits(prod, v, NULL);
  mpz_set_ui(prod, 1);
  json_t *arr = json_array();
  ls_status st = LS_OK;
  for (int l = 0; l < layers && !st; l++) {
    if ((st = compute(which, v, r[l], m[l], o->max_bytes, err))) {
      ls_error_prefix(err, "layer %d", l + 1);
      break;
    }
    mpz_mul(prod, prod, v); /* section 5: prod_l T(r_l, m_l), prod_l G(r_l, m_l) */
    json_array_append_new(arr, json_pack("{s:I, s:I, s:o}", "r", (json_int_t)r[l], "m",
                                         (json_int_t)m[l], "value", count_json_mpz(v)));
  }
  if (!st && o->format == LS_COUNT_OUT_JSON)
    st = count_json_out(out, json_pack("{s:s, s:O, s:o}", "quantity", count_name(which), "layers",
                                       arr, "product", count_json_mpz(prod)), err);
  else if (!st)
    mpz_out_str(out, 10, prod), fprintf(out, "\n");
  json_decref(arr);
  mpz_clears(prod, v, NULL);
  return st;
}

ls_status ls_exp_count_g(FILE *out, long lo, long hi, long step, int table,
                         const ls_exp_count_opts *o, ls_error *err) {
  if (lo < 0) return ls_error_set(err, LS_ERR_INPUT, "U must be >= 0 (got %ld)", lo);
  int json = o->format == LS_COUNT_OUT_JSON;
  json_t *arr = json_array();
  if (!json && (table || o->format == LS_COUNT_OUT_CSV)) fprintf(out, "u,g\n");
  mpz_t v;
  mpz_init(v);
  ls_status st = LS_OK;
  for (long u = lo; u <= hi && !st; u += step) {
    if ((st = ls_count_g(v, u, o->max_bytes, err))) break;
    if (json) {
      json_array_append_new(arr, json_pack("{s:I, s:o}", "u", (json_int_t)u, "value", count_json_mpz(v)));
      continue;
    }
    if (table || o->format == LS_COUNT_OUT_CSV) fprintf(out, "%ld,", u);
    mpz_out_str(out, 10, v);
    fprintf(out, "\n");
  }
  if (!st && json)
    st = count_json_out(out, table ? json_pack("{s:s, s:O}", "quantity", "g", "rows", arr)
                                   : json_pack("{s:s, s:I, s:O}", "quantity", "g", "u", (json_int_t)lo, "value",
                                               json_object_get(json_array_get(arr, 0), "value")),
                        err);
  json_decref(arr);
  mpz_clear(v);
  return st;
}
