/* Thin C functions compiled into the Python extension (landsym._ffi): argument checks made
 * in C so that no number is inspected in Python, GMP/MPFR results turned into decimal
 * strings, and configs parsed from JSON text. No mathematics here: every value comes from
 * the landsym library. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/core.h"
#include "landsym/count.h"
#include "landsym/ctx.h"
#include "landsym/engine.h"
#include "landsym/exp_classify.h"
#include "landsym/exp_path.h"
#include "landsym/exp_sweep.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/paths.h"
#include "landsym/safetensors_net.h"
#include "landsym/split.h"
#include "landsym/sym.h"

static ls_status lsp_check_finite(const double *v, size_t n, const char *what, ls_error *err) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i]))
      return ls_error_set(err, LS_ERR_INPUT, "%s[%zu]: %s (every entry must be finite)", what, i,
                          isnan(v[i]) ? "nan" : "inf");
  return LS_OK;
}

/* One engine call with its argument check; *what* names the call in a failure. */
static ls_status lsp_fail(ls_status st, const char *what, ls_error *err) {
  if (!st) return LS_OK;
  if (st == LS_ERR_NOMEM) return ls_error_set(err, st, "%s: out of memory", what);
  return ls_error_set(err, st, "%s: the result is not finite (overflow in the network)", what);
}

static ls_status lsp_loss(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                          double *loss, ls_work *w, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  return st ? st : lsp_fail(ls_loss(net, d, theta, loss, w), "loss", err);
}

static ls_status lsp_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                               size_t P, double *loss, double *grad, ls_work *w, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  return st ? st : lsp_fail(ls_loss_grad(net, d, theta, loss, grad, w), "gradient", err);
}

static ls_status lsp_hessian(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                             double *H, ls_work *w, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  return st ? st : lsp_fail(ls_hessian(net, d, theta, H, w), "hessian", err);
}

static ls_status lsp_hvp(const ls_net *net, const ls_data *d, const double *theta,
                         const double *v, size_t P, double *Hv, ls_work *w, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  if (!st) st = lsp_check_finite(v, P, "v", err);
  return st ? st : lsp_fail(ls_hvp(net, d, theta, v, Hv, w), "hvp", err);
}

static ls_status lsp_forward(const ls_net *net, const double *theta, size_t P, size_t n,
                             const double *x, double *out, ls_work *w, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  if (!st) st = lsp_check_finite(x, n * (size_t)net->width[0], "x", err);
  return st ? st : lsp_fail(ls_forward(net, theta, n, x, out, w), "forward", err);
}

/* Spectrum into evals (room for P values); *n receives how many. */
static ls_status lsp_spectrum(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                              size_t dense_max, int k, double *evals, size_t *n, int *method,
                              size_t *n_hvp, ls_error *err) {
  ls_status st = lsp_check_finite(theta, P, "theta", err);
  if (st) return st;
  ls_spectrum s = {0};
  st = ls_hessian_spectrum(net, d, theta, dense_max, k, &s, err);
  if (!st) {
    memcpy(evals, s.evals, s.n * sizeof *evals);
    *n = s.n;
    *method = (int)s.method;
    *n_hvp = s.n_hvp;
  }
  ls_spectrum_free(&s);
  return st;
}

/* ---- counts: exact integers as decimal strings (free with lsp_free) ---- */

static char *lsp_count_int(int which, long a, long b, ls_error *err) {
  mpz_t z;
  mpz_init(z);
  double mx = LS_COUNT_DEFAULT_MAX_BYTES;
  ls_status st = which == 0   ? ls_count_T(z, a, b, mx, err)
                 : which == 1 ? ls_count_G(z, a, b, mx, err)
                 : which == 2 ? ls_count_g(z, a, mx, err)
                              : ls_count_stirling2(z, a, b, mx, err);
  char *s = st ? NULL : mpz_get_str(NULL, 10, z);
  mpz_clear(z);
  return s;
}

/* Brea et al. 2019 Proposition 3: T_B(K,n) as "p/q" (bound: the lower bound instead). */
static char *lsp_count_brea(long K, long n, int bound, ls_error *err) {
  mpq_t q;
  mpq_init(q);
  ls_status st = LS_OK;
  if (bound) {
    if (K < 1 || K >= n) st = ls_error_set(err, LS_ERR_INPUT, "need 1 <= K < n, got K=%ld n=%ld", K, n);
    else ls_count_brea_bound(q, K, n);
  } else {
    st = ls_count_brea_ratio(q, K, n, LS_COUNT_DEFAULT_MAX_BYTES, err);
  }
  char *s = st ? NULL : mpq_get_str(NULL, 10, q);
  mpq_clear(q);
  return s;
}

static char *lsp_mpfr_str(mpfr_t x, long digits) {
  char *s = NULL;
  if (mpfr_asprintf(&s, "%.*Re", (int)(digits > 1 ? digits - 1 : 0), x) < 0) return NULL;
  char *out = strdup(s);
  mpfr_free_str(s);
  return out;
}

/* R_k(r*,m), k = 1..kmax (equation 5), and the weighted total (equation 6) as decimal
 * strings of `digits` significant digits; R[k-1] and *total are freed with lsp_free. */
static ls_status lsp_count_ratio(long rstar, long m, int kmax, long digits, int weights,
                                 int depth, char **R, char **total, ls_error *err) {
  if (digits < 1 || digits > 100000)
    return ls_error_set(err, LS_ERR_INPUT, "digits: expected 1..100000, got %ld", digits);
  ls_count_ratio_table *t = NULL;
  ls_status st = ls_count_ratio_table_alloc(&t, rstar, m, m, kmax, ls_count_prec_for_digits(digits), err);
  if (!st)
    st = ls_count_ratio_table_compute(t, (ls_count_weights)weights, NULL, 0, depth,
                                      LS_COUNT_DEFAULT_MAX_BYTES, err);
  for (int k = 0; !st && k < kmax; k++) R[k] = lsp_mpfr_str(t->R[k], digits);
  if (!st) *total = lsp_mpfr_str(t->total[0], digits);
  if (t) ls_count_ratio_table_free(t);
  return st;
}

static void lsp_free(void *p) { free(p); }

/* ---- configs from JSON text ---- */

static ls_status lsp_config_from_text(const char *text, const char *name, const char *dir,
                                      ls_config *cfg, ls_error *err) {
  json_error_t je;
  memset(cfg, 0, sizeof *cfg);
  json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return ls_error_set(err, LS_ERR_INPUT, "%s: line %d, column %d: malformed JSON: %s", name,
                        je.line, je.column, je.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return ls_error_set(err, LS_ERR_INPUT, "%s: expected a JSON object at the top level", name);
  }
  ls_status st = ls_config_load_json(root, name, dir, cfg, err);
  json_decref(root);
  return st;
}

/* The "train" section of a config as JSON text (NULL when absent); free with lsp_free. */
static char *lsp_config_section_text(const ls_config *cfg, const char *name) {
  json_t *s = ls_config_section(cfg, name);
  return s ? json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY) : NULL;
}

/* ---- data sets owned by the extension ---- */

static ls_data *lsp_data_new(void) { return calloc(1, sizeof(ls_data)); }
static void lsp_data_delete(ls_data *d, int owned) {
  if (!d) return;
  if (owned) ls_data_free(d);
  free(d);
}

/* ---- sweeps: ls_exp_sweep_run's steps with the caller's progress function ---- */


/* Load a->config, prepare a->dir, run the jobs over a->ctx.threads with fn(user, progress)
 * after each finished run (called from the worker threads, serialised by the runner), and
 * write summary.csv; what ls_exp_sweep_run does, with fn in place of the stderr printer. */
static ls_status lsp_sweep(const ls_exp_sweep_args *a, ls_sweep_progress_fn fn, void *user,
                           ls_exp_sweep_result *res, ls_error *err) {
  memset(res, 0, sizeof *res);
  ls_exp_sweep *x = NULL;
  ls_status st = ls_exp_sweep_load(a->config, &x, err);
  ls_sweep_opts o;
  ls_sweep_opts_init(&o);
  if (!st) st = ls_exp_sweep_setup(x, a, &o, err);
  if (!st) st = ls_sweep_prepare(&o, err);
  if (!st) {
    o.progress = fn, o.progress_ctx = user;
    double t0 = ls_clock_seconds();
    st = ls_exp_sweep_share(x, &o, 0, &res->stats, err);
    res->wall_s = ls_clock_seconds() - t0;
  }
  if (!st) st = ls_sweep_summarize(&o, err);
  if (!st) snprintf(res->summary, sizeof res->summary, "%s/summary.csv", o.dir);
  ls_exp_sweep_free(x);
  return st;
}

/* ls_classify_dir into a heap struct (freed with lsp_classified_delete). */
static ls_classified_sweep *lsp_classified_new(void) { return calloc(1, sizeof(ls_classified_sweep)); }
static void lsp_classified_delete(ls_classified_sweep *s) {
  if (!s) return;
  ls_classified_sweep_free(s);
  free(s);
}

/* ls_classify_dir with BLAS single-threaded (one run per thread, as `landsym classify`),
 * then the tables (summary.csv, runs.csv, groups.csv) and, when figures, the figures. */
static ls_status lsp_classify_dir(const ls_classify_dir_opts *o, ls_classified_sweep *s,
                                  ls_error *err) {
  ls_ctx one = ls_ctx_threads(1);
  one.blas_threads = 1;
  ls_ctx_apply_blas(&one);
  ls_status st = ls_classify_dir(o, s, err);
  if (!st) st = ls_classify_write_tables(o, s, err);
  if (!st && o->figures) st = ls_classify_write_figures(o, s, err);
  return st;
}
