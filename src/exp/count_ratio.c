/* R_k(r*,m) = G(r*-k,m)/T(r*,m) and the total sum_k a_k R_k (Şimşek et al. 2021, section
 * 4.3, equations 5-6) as decimals beside their asymptotic forms:
 *   equation 5  R_k(r*, r*+h) ~ (r*)^k / (2^k (h+1)...(h+k))   (r* -> infinity, h fixed),
 *   equation 6  total <= ((r*-1)/r*)^m                          (a_k <= C(r*-1,k-1)),
 * both raised to the power L-1 for depth L (section 5, equal widths in every hidden layer). */
#include "exp/count_fmt.h"

typedef struct {
  const ls_exp_count_R_req *q;
  const ls_exp_count_opts *o;
  const ls_count_ratio_table *t;
  FILE *f;
  mpfr_t e5, err5, b6; /* equation 5 for the current k, its relative error, equation 6 */
  int show_asym;       /* asymptotic columns in tables (always with single values) */
} ratio_print;

static const char *weights_name(ls_count_weights w) {
  return w == LS_COUNT_WEIGHTS_ONES ? "ones" : w == LS_COUNT_WEIGHTS_BINOM ? "binom" : "list";
}

/* Equation 5 for R_k at row i (h = m - r*), to the power L-1, and its relative error. */
static mpfr_srcptr eq5(ratio_print *p, long i, long k) {
  mpfr_srcptr R = p->t->R[i * p->t->kmax + (k - 1)];
  ls_count_asym_R_fixed_h(p->e5, p->q->rstar, k, p->q->m_lo + i - p->q->rstar);
  mpfr_pow_ui(p->e5, p->e5, (unsigned long)(p->q->depth - 1), MPFR_RNDN);
  ls_count_rel_error(p->err5, p->e5, R);
  return R;
}

static void header(ratio_print *p) {
  const ls_exp_count_R_req *q = p->q;
  fprintf(p->f, "m");
  if (!q->total_only)
    for (long k = q->k_lo; k <= q->k_hi; k++) fprintf(p->f, ",R_%ld", k);
  fprintf(p->f, ",total");
  if (p->show_asym) {
    if (!q->total_only)
      for (long k = q->k_lo; k <= q->k_hi; k++) fprintf(p->f, ",eq5_%ld,rel_error_%ld", k, k);
    fprintf(p->f, ",eq6_bound");
  }
  fprintf(p->f, "\n");
}

/* One m as text: every R_k with equation 5, the total and the bound. */
static void row_text(ratio_print *p, long i, long m) {
  const ls_exp_count_R_req *q = p->q;
  long digits = p->o->digits;
  FILE *f = p->f;
  fprintf(f, "r* = %ld, m = %ld, h = m - r* = %ld, depth L = %d\n", q->rstar, m, m - q->rstar, q->depth);
  for (long k = q->k_lo; k <= q->k_hi && !q->total_only; k++) {
    mpfr_srcptr R = eq5(p, i, k);
    fprintf(f, "R_%ld = ", k), count_print_dec(f, R, digits);
    fprintf(f, "   eq5 = "), count_print_dec(f, p->e5, digits);
    fprintf(f, "   rel_error = "), count_print_dec(f, p->err5, 6), fprintf(f, "\n");
  }
  mpfr_srcptr tot = p->t->total[i];
  fprintf(f, "total (weights %s, k = 1..%ld) = ", weights_name(q->weights), q->rstar - 1);
  count_print_dec(f, tot, digits);
  fprintf(f, "\neq6 bound ((r*-1)/r*)^m = "), count_print_dec(f, p->b6, digits);
  fprintf(f, "   total <= bound: %s\n", mpfr_lessequal_p(tot, p->b6) ? "yes" : "no");
}

/* One m as a CSV line. */
static void row_csv(ratio_print *p, long i, long m) {
  const ls_exp_count_R_req *q = p->q;
  long digits = p->o->digits;
  FILE *f = p->f;
  fprintf(f, "%ld", m);
  for (long k = q->k_lo; k <= q->k_hi && !q->total_only; k++)
    fprintf(f, ","), count_print_dec(f, p->t->R[i * p->t->kmax + (k - 1)], digits);
  fprintf(f, ","), count_print_dec(f, p->t->total[i], digits);
  if (p->show_asym) {
    for (long k = q->k_lo; k <= q->k_hi && !q->total_only; k++) {
      eq5(p, i, k);
      fprintf(f, ","), count_print_dec(f, p->e5, digits), fprintf(f, ","), count_print_dec(f, p->err5, 6);
    }
    fprintf(f, ","), count_print_dec(f, p->b6, digits);
  }
  fprintf(f, "\n");
}

/* One m as a JSON object. */
static json_t *row_json(ratio_print *p, long i, long m) {
  const ls_exp_count_R_req *q = p->q;
  long digits = p->o->digits;
  json_t *jr = json_pack("{s:I, s:I, s:I}", "rstar", (json_int_t)q->rstar, "m", (json_int_t)m, "h",
                         (json_int_t)(m - q->rstar));
  json_t *jk = json_array();
  for (long k = q->k_lo; k <= q->k_hi && !q->total_only; k++) {
    mpfr_srcptr R = eq5(p, i, k);
    json_t *x = json_pack("{s:I, s:o}", "k", (json_int_t)k, "R", count_json_dec(R, digits));
    json_object_set_new(x, "eq5", count_json_dec(p->e5, digits));
    json_object_set_new(x, "rel_error", count_json_dec(p->err5, 6));
    json_array_append_new(jk, x);
  }
  mpfr_srcptr tot = p->t->total[i];
  json_object_set_new(jr, "ratios", jk);
  json_object_set_new(jr, "weights", json_string(weights_name(q->weights)));
  json_object_set_new(jr, "total", count_json_dec(tot, digits));
  json_object_set_new(jr, "eq6_bound", count_json_dec(p->b6, digits));
  json_object_set_new(jr, "total_le_eq6_bound", json_boolean(mpfr_lessequal_p(tot, p->b6)));
  return jr;
}

static ls_status print_rows(ratio_print *p, ls_error *err) {
  const ls_exp_count_R_req *q = p->q;
  int json = p->o->format == LS_COUNT_OUT_JSON, csv = q->table || p->o->format == LS_COUNT_OUT_CSV;
  json_t *rows = json_array();
  if (!json && csv) header(p);
  for (long m = q->m_lo; m <= q->m_hi; m += q->m_step) {
    long i = m - q->m_lo;
    ls_count_R_total_bound(p->b6, q->rstar, m);
    mpfr_pow_ui(p->b6, p->b6, (unsigned long)(q->depth - 1), MPFR_RNDN);
    if (json) json_array_append_new(rows, row_json(p, i, m));
    else if (csv) row_csv(p, i, m);
    else row_text(p, i, m);
  }
  ls_status st = LS_OK;
  if (json)
    st = count_json_out(p->f, q->table ? json_pack("{s:s, s:I, s:O}", "quantity", "R", "depth",
                                                   (json_int_t)q->depth, "rows", rows)
                                       : json_incref(json_array_get(rows, 0)), err);
  json_decref(rows);
  return st;
}

/* The request's sizes: r* >= 2 (so that some k in 1..r*-1 exists), m >= r*, 1 <= k <= r*-1. */
static ls_status check_R(ls_exp_count_R_req *q, ls_error *err) {
  if (q->rstar < 2)
    return ls_error_set(err, LS_ERR_INPUT, "RSTAR must be >= 2 so that some k in 1..r*-1 exists (got %ld)",
                        q->rstar);
  if (q->m_lo < q->rstar)
    return ls_error_set(err, LS_ERR_INPUT, "M (%ld) must be >= RSTAR (%ld)", q->m_lo, q->rstar);
  if (q->k_default) q->k_lo = 1, q->k_hi = q->rstar - 1 < 5 ? q->rstar - 1 : 5;
  if (q->k_lo < 1 || q->k_hi > q->rstar - 1 || q->k_hi < q->k_lo)
    return ls_error_set(err, LS_ERR_INPUT, "--k must lie in 1..r*-1 = 1..%ld (got %ld:%ld)",
                        q->rstar - 1, q->k_lo, q->k_hi);
  return LS_OK;
}

ls_status ls_exp_count_R(FILE *out, const ls_exp_count_R_req *req, const ls_exp_count_opts *o,
                         ls_error *err) {
  ls_exp_count_R_req qc = *req, *q = &qc;
  if (check_R(q, err)) return err->code;
  ls_count_ratio_table *t;
  mpfr_prec_t prec = ls_count_prec_for_digits(o->digits);
  ls_status st = ls_count_ratio_table_alloc(&t, q->rstar, q->m_lo, q->m_hi, (int)q->k_hi, prec, err);
  if (st) return st;
  t->m_step = q->m_step;
  st = ls_count_ratio_table_compute(t, q->weights, q->list, q->nlist, q->depth, o->max_bytes, err);
  if (!st) {
    ratio_print p = {.q = q, .o = o, .t = t, .f = out, .show_asym = o->asym || !q->table};
    mpfr_inits2(prec, p.e5, p.err5, p.b6, (mpfr_ptr)0);
    st = print_rows(&p, err);
    mpfr_clears(p.e5, p.err5, p.b6, (mpfr_ptr)0);
  }
  ls_count_ratio_table_free(t);
  return st;
}
