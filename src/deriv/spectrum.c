/* Hessian spectrum of a network: every eigenvalue from the dense Hessian when it is small,
 * the extreme ones by Lanczos on the Hessian-vector product otherwise. */
#include <stdlib.h>
#include <string.h>

#include "landsym/engine.h"
#include "landsym/linalg.h"

#define LS_DENSE_MAX_DEFAULT 3000

typedef struct {
  const ls_net *net;
  const ls_data *d;
  const double *theta;
  ls_work *w;
} hvp_ctx;

static int hvp_apply(void *p, const double *x, double *y) {
  hvp_ctx *c = p;
  ls_status st = ls_hvp(c->net, c->d, c->theta, x, y, c->w);
  return st == LS_OK ? 0 : (st == LS_ERR_COMPUTE ? 1 : -1);
}

const char *ls_spectrum_method_name(ls_spectrum_method m) {
  return m == LS_SPECTRUM_LANCZOS ? "lanczos" : "dense";
}

void ls_spectrum_free(ls_spectrum *s) {
  if (!s) return;
  free(s->evals);
  s->evals = NULL;
  s->n = 0;
}

ls_status ls_hessian_spectrum(const ls_net *net, const ls_data *d, const double *theta,
                              size_t dense_max, int k, ls_spectrum *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  size_t P = ls_net_nparams(net);
  if (!dense_max) dense_max = LS_DENSE_MAX_DEFAULT;
  ls_work *w = ls_work_alloc(net, d->n);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "hessian spectrum: no memory for the workspace");
  ls_status st;
  if (P <= dense_max || (k > 0 && 2 * (size_t)k >= P)) {
    double *H = malloc(P * P * sizeof *H);
    out->evals = malloc(P * sizeof *out->evals);
    if (!H || !out->evals) {
      free(H);
      ls_work_free(w);
      ls_spectrum_free(out);
      return ls_error_set(err, LS_ERR_NOMEM, "hessian spectrum: no memory for a %zu x %zu Hessian", P, P);
    }
    st = ls_hessian(net, d, theta, H, w);
    if (st != LS_OK) ls_error_set(err, st, "hessian spectrum: Hessian not finite or bad input");
    else st = ls_eig_sym(P, H, out->evals, NULL, err);
    free(H);
    out->n = P;
    out->method = LS_SPECTRUM_DENSE;
  } else {
    if (k < 1) k = 10;
    out->evals = malloc(2 * (size_t)k * sizeof *out->evals);
    if (!out->evals) {
      ls_work_free(w);
      return ls_error_set(err, LS_ERR_NOMEM, "hessian spectrum: no memory");
    }
    hvp_ctx c = {net, d, theta, w};
    size_t n1 = 0, n2 = 0;
    out->method = LS_SPECTRUM_LANCZOS;
    out->n = 2 * (size_t)k;
    st = ls_lanczos(P, hvp_apply, &c, k, LS_EIG_SMALLEST, NULL, out->evals, NULL, &n1, err);
    if (st == LS_OK) {
      /* largest come most extreme first: store them reversed after the smallest */
      double *big = out->evals + k;
      st = ls_lanczos(P, hvp_apply, &c, k, LS_EIG_LARGEST, NULL, big, NULL, &n2, err);
      for (int i = 0; i < k / 2; i++) {
        double t = big[i];
        big[i] = big[k - 1 - i], big[k - 1 - i] = t;
      }
    }
    out->n_hvp = n1 + n2;
    if (st != LS_OK) ls_error_prefix(err, "hessian spectrum (Lanczos, P = %zu)", P);
  }
  ls_work_free(w);
  if (st != LS_OK) ls_spectrum_free(out);
  return st;
}
