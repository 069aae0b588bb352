/* Lanczos for a few extreme eigenpairs of a symmetric operator given as a matvec callback.
 *
 * Each round builds an orthonormal Krylov basis V (full reorthogonalisation, twice, against
 * V and the locked vectors Q, so the round works in the complement of span Q), takes the
 * Ritz pairs of the tridiagonal matrix (LAPACK dstev), and locks the converged ones from
 * the wanted end (residual |beta_m s_mi| <= tol * max|theta|; Golub & Van Loan, Matrix
 * Computations, section 10.1).  A round whose most extreme Ritz value is converged and no
 * more extreme than the k-th locked value ends the search; that last round in the
 * complement also recovers further copies of repeated eigenvalues, which a single Krylov
 * space cannot contain.  LARGEST runs on -A. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/linalg.h"

static double rnd(unsigned long long *s) {
  *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
  return ((*s >> 11) + 0.5) / 9007199254740992.0 - 0.5;
}

static double dot(size_t n, const double *a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* linalg.h */
void ls_orth_against(size_t n, const double *Q, size_t nq, double *w) {
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < nq; i++) {
      const double *q = Q + i * n;
      double c = dot(n, q, w);
      for (size_t t = 0; t < n; t++) w[t] -= c * q[t];
    }
}

/* Normalise w after orthogonalising it against Q and V; returns its norm before. */
static double orth_norm(size_t n, const double *Q, size_t nq, const double *V, size_t nv, double *w) {
  ls_orth_against(n, Q, nq, w);
  ls_orth_against(n, V, nv, w);
  double nr = sqrt(dot(n, w, w));
  if (nr > 0)
    for (size_t t = 0; t < n; t++) w[t] /= nr;
  return nr;
}

ls_status ls_lanczos(size_t n, ls_matvec_fn mv, void *ctx, int k, ls_eig_which which,
                     const ls_lanczos_opts *opts, double *evals, double *evecs,
                     size_t *n_matvec, ls_error *err) {
  if (k < 1 || (size_t)k > n)
    return ls_error_set(err, LS_ERR_INPUT, "lanczos: k = %d must be in 1..%zu", k, n);
  ls_lanczos_opts o = opts ? *opts : (ls_lanczos_opts){0, 0, 0, 0};
  size_t m = o.basis > 0 ? (size_t)o.basis : (size_t)(4 * k > 60 ? 4 * k : 60);
  if (m > n) m = n;
  int max_rounds = o.max_restarts > 0 ? o.max_restarts : 50;
  double tol = o.tol > 0 ? o.tol : 1e-10, sign = which == LS_EIG_LARGEST ? -1.0 : 1.0;
  unsigned long long seed = o.seed ? o.seed : 1;
  size_t cap = (size_t)k + 1, nq = 0, nmv = 0;
  double *Q = malloc(cap * n * sizeof *Q), *qv = malloc(cap * sizeof *qv);
  double *V = malloc((m + 1) * n * sizeof *V), *w = malloc(n * sizeof *w);
  double *al = malloc(m * sizeof *al), *be = malloc(m * sizeof *be);
  double *th = malloc(m * sizeof *th), *ee = malloc(m * sizeof *ee), *S = malloc(m * m * sizeof *S);
  ls_status st = LS_OK;
  if (!Q || !qv || !V || !w || !al || !be || !th || !ee || !S) {
    st = ls_error_set(err, LS_ERR_NOMEM, "lanczos: no memory (n = %zu, basis %zu)", n, m);
    goto done;
  }
  for (size_t t = 0; t < n; t++) V[t] = rnd(&seed);
  int finished = 0;
  for (int round = 0; round < max_rounds && !finished; round++) {
    size_t mloc = n - nq < m ? n - nq : m, jm = 0;
    if (mloc == 0) break;
    if (orth_norm(n, Q, nq, NULL, 0, V) == 0) { /* start vector lost in span Q: new one */
      for (size_t t = 0; t < n; t++) V[t] = rnd(&seed);
      orth_norm(n, Q, nq, NULL, 0, V);
    }
    double anorm = 0;
    for (size_t j = 0; j < mloc; j++) {
      double *v = V + j * n;
      int rc = mv(ctx, v, w);
      nmv++;
      if (rc != 0) {
        st = ls_error_set(err, LS_ERR_COMPUTE,
                          "lanczos: operator application %zu failed (code %d)", nmv, rc);
        goto done;
      }
      if (sign < 0)
        for (size_t t = 0; t < n; t++) w[t] = -w[t];
      al[j] = dot(n, v, w);
      for (size_t t = 0; t < n; t++) w[t] -= al[j] * v[t] + (j ? be[j - 1] * V[(j - 1) * n + t] : 0);
      double b = orth_norm(n, Q, nq, V, j + 1, w);
      be[j] = b;
      jm = j + 1;
      if (fabs(al[j]) > anorm) anorm = fabs(al[j]);
      if (b > anorm) anorm = b;
      if (!isfinite(al[j]) || !isfinite(b)) {
        st = ls_error_set(err, LS_ERR_COMPUTE, "lanczos: non-finite value from the operator");
        goto done;
      }
      if (b <= 1e-13 * anorm || j + 1 == mloc) break; /* invariant subspace or full basis */
      memcpy(V + (j + 1) * n, w, n * sizeof *w);
    }
    /* Ritz pairs of T = tridiag(be, al, be) */
    memcpy(th, al, jm * sizeof *th);
    memcpy(ee, be, jm * sizeof *ee);
    lapack_int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', (lapack_int)jm, th, ee, S, (lapack_int)jm);
    if (info != 0) {
      st = ls_error_set(err, LS_ERR_COMPUTE, "lanczos: tridiagonal eigensolver failed (info %d)", (int)info);
      goto done;
    }
    double scale = fabs(th[0]) > fabs(th[jm - 1]) ? fabs(th[0]) : fabs(th[jm - 1]);
    if (scale < anorm * 1e-3) scale = anorm * 1e-3;
    double blast = be[jm - 1];
    size_t nq_before = nq;
    int locked = 0;
    for (size_t i = 0; i < jm; i++) {
      double res = fabs(blast * S[(jm - 1) + i * jm]);
      if (res > tol * scale) break;
      /* stop when the pool is full and this value does not beat its k-th */
      if (nq == (size_t)k && th[i] >= qv[k - 1] - tol * scale) {
        if (i == 0) finished = 1;
        break;
      }
      /* Ritz vector y = V s_i, made orthogonal to Q */
      memset(w, 0, n * sizeof *w);
      for (size_t j = 0; j < jm; j++) {
        double c = S[j + i * jm];
        const double *vj = V + j * n;
        for (size_t t = 0; t < n; t++) w[t] += c * vj[t];
      }
      if (orth_norm(n, Q, nq, NULL, 0, w) < 0.5) continue; /* already in span Q */
      /* insert in ascending order; beyond k the least wanted falls off */
      size_t pos = nq;
      while (pos > 0 && qv[pos - 1] > th[i]) pos--;
      memmove(Q + (pos + 1) * n, Q + pos * n, (nq - pos) * n * sizeof *Q);
      memmove(qv + pos + 1, qv + pos, (nq - pos) * sizeof *qv);
      memcpy(Q + pos * n, w, n * sizeof *w);
      qv[pos] = th[i];
      if (++nq > (size_t)k) nq = (size_t)k;
      locked++;
    }
    if (nq == (size_t)k && jm == n - nq_before) finished = 1; /* whole complement was seen */
    /* explicit restart: from the sum of the still-wanted Ritz vectors after progress,
     * from the most extreme one alone after a round without (locked ones are projected
     * out at the start of the next round) */
    size_t nsum = locked && nq < (size_t)k ? (size_t)k - nq : 1;
    memset(w, 0, n * sizeof *w);
    for (size_t i = 0; i < jm && i < nsum; i++)
      for (size_t j = 0; j < jm; j++) {
        double c = S[j + i * jm];
        for (size_t t = 0; t < n; t++) w[t] += c * V[j * n + t];
      }
    memcpy(V, w, n * sizeof *w);
  }
  if (nq < (size_t)k) {
    st = ls_error_set(err, LS_ERR_COMPUTE,
                      "lanczos: only %zu of %d eigenpairs converged to tol %.1e in %d restarts", nq,
                      k, tol, max_rounds);
    goto done;
  }
  for (int i = 0; i < k; i++) evals[i] = sign * qv[i];
  if (evecs) memcpy(evecs, Q, (size_t)k * n * sizeof *Q);
done:
  if (n_matvec) *n_matvec = nmv;
  free(Q), free(qv), free(V), free(w), free(al), free(be), free(th), free(ee), free(S);
  return st;
}
