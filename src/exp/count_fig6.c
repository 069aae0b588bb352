/* Figure 6 of Şimşek et al. 2021: R_k(r*,m) = G(r*-k,m)/T(r*,m) for k = 1..kmax and the
 * total sum_{k=1}^{r*-1} R_k (a_k = 1) against m, log-log. The ratios reach 1e-533, below
 * what gnuplot's doubles hold, so the data also carry their log10 and the figure plots
 * those. Written through ls_figure_save (fig6.dat and fig6.gp kept beside PNG and SVG). */
#include <stdlib.h>

#include "exp/count_fmt.h"
#include "landsym/out.h"

/* mpfr_snprintf into a text buffer. */
static void buf_mpfr(ls_buf *b, const char *fmt, mpfr_srcptr x) {
  char s[256];
  int n = mpfr_snprintf(s, sizeof s, fmt, x);
  if (n > 0 && (size_t)n < sizeof s) ls_buf_append(b, s, (size_t)n);
  else b->oom = 1;
}

/* fig6.dat: m, R_1..R_kmax, total (17 digits), then their log10. */
static void fig6_data(ls_buf *b, const ls_count_ratio_table *t, long rs, long m_max, long kmax) {
  ls_buf_printf(b, "# r* = %ld; columns: m", rs);
  for (long k = 1; k <= kmax; k++) ls_buf_printf(b, " R_%ld", k);
  ls_buf_printf(b, " total(a_k=1,k=1..%ld)", rs - 1);
  for (long k = 1; k <= kmax; k++) ls_buf_printf(b, " log10(R_%ld)", k);
  ls_buf_printf(b, " log10(total)\n");
  mpfr_t lg;
  mpfr_init2(lg, 96);
  for (long m = rs + 1; m <= m_max; m++) {
    size_t row = (size_t)(m - rs - 1);
    mpfr_srcptr R = t->R[row * (size_t)t->kmax];
    ls_buf_printf(b, "%ld", m);
    for (long k = 0; k < kmax; k++) buf_mpfr(b, " %.16Re", R + k);
    buf_mpfr(b, " %.16Re", t->total[row]);
    for (long k = 0; k < kmax; k++) mpfr_log10(lg, R + k, MPFR_RNDN), buf_mpfr(b, " %.10Rf", lg);
    mpfr_log10(lg, t->total[row], MPFR_RNDN);
    buf_mpfr(b, " %.10Rf", lg);
    ls_buf_printf(b, "\n");
  }
  mpfr_clear(lg);
}

/* The plot: one curve per k and the total, from the log10 columns. */
static void fig6_body(ls_buf *b, long rs, long m_max, long kmax) {
  ls_buf_printf(b,
      "# Data: fig6.dat (written by landsym count fig6).\n"
      "if (!exists(\"datafile\")) datafile = \"fig6.dat\"\n"
      "# y is log10 of the ratio (columns %ld+3 ..): the values go below 1e-308\n"
      "set logscale x\n"
      "set xlabel \"width m of the overparameterized network\"\n"
      "set ylabel \"log_{10} R_k(r^*, m)\"\n"
      "set title \"Saddle subspaces per global-minimum subspace, r^* = %ld\"\n"
      "set key bottom left\nset grid\nset xrange [%ld:%ld]\n"
      "set style line 99 lc rgb \"#1f5fd6\" lw 3\n"
      "plot_cmd = \"plot 0 w l lc rgb 'gray' dt 2 notitle\"\n"
      "do for [k=1:%ld] { plot_cmd = plot_cmd . sprintf(\", datafile u 1:%%d w l lw 2 title 'k = %%d'\", k+%ld+2, k) }\n"
      "plot_cmd = plot_cmd . sprintf(\", datafile u 1:%%d w l ls 99 title 'total, a_k = 1'\", 2*%ld+3)\n"
      "eval plot_cmd",
      kmax, rs, rs + 1, m_max, kmax, kmax, kmax);
}

ls_status ls_exp_count_fig6(const char *dir, long rs, long m_max, long kmax, double max_bytes,
                            FILE *log, ls_error *err) {
  if (rs < 2) return ls_error_set(err, LS_ERR_INPUT, "--rstar must be >= 2 (got %ld)", rs);
  if (m_max <= rs)
    return ls_error_set(err, LS_ERR_INPUT, "--m-max (%ld) must exceed --rstar (%ld)", m_max, rs);
  if (kmax < 1 || kmax > rs - 1)
    return ls_error_set(err, LS_ERR_INPUT, "--kmax must be in 1..%ld (got %ld)", rs - 1, kmax);
  if (!ls_figure_available())
    return ls_error_set(err, LS_ERR_COMPUTE, "gnuplot not found (scripts/setup.sh installs it)");
  ls_count_ratio_table *t;
  ls_status st = ls_count_ratio_table_alloc(&t, rs, rs + 1, m_max, (int)kmax, 96, err);
  if (st) return st;
  if (!(st = ls_count_ratio_table_compute(t, LS_COUNT_WEIGHTS_ONES, NULL, 0, 2, max_bytes, err))) {
    ls_buf dat = {0}, body = {0};
    fig6_data(&dat, t, rs, m_max, kmax);
    fig6_body(&body, rs, m_max, kmax);
    ls_figure fig = {dir, "fig6", "Figure 6 of Simsek et al. 2021 (ICML): R_k(r*,m) = G(r*-k,m)/T(r*,m) "
                     "and the total sum_k a_k R_k (a_k = 1)", 900, 620, 0};
    st = ls_buf_status(&dat, err);
    if (!st) st = ls_buf_status(&body, err);
    if (!st) st = ls_figure_save(&fig, dat.s, dat.len, body.s, err);
    if (!st && log) fprintf(log, "# wrote %s/fig6.{dat,gp,png,svg}\n", dir);
    ls_buf_free(&dat), ls_buf_free(&body);
  }
  ls_count_ratio_table_free(t);
  return st;
}
