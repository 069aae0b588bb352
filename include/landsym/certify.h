/* landsym: certificates of critical points and of minima (src/sym/certify.c,
 * src/sym/certify_min.c).
 *
 * Critical point (ls_cert_critical). A point is a critical point only with a certificate:
 *   1. reduce it to its irreducible network (ls_sym_reduce: equal incoming weights merged,
 *      zero-type units removed, the odd symmetry sigma(-x) = c - sigma(x) used), at the
 *      relative tolerances reduce_tol * 10^k, k = 0..reduce_steps-1;
 *   2. polish the reduced network by Newton's method in critical-point mode (Levenberg-
 *      Marquardt on grad = 0 with the exact Hessian, src/optim/newton.c): irreducible, so
 *      its critical points are generically nondegenerate and convergence quadratic;
 *   3. lift it back exactly (one hidden layer): every unit gets its group's incoming weights
 *      (times its sign), the outgoing weights move by the least change that keeps each
 *      group's signed sum equal to the reduced unit's and the constants of negated /
 *      constant units cancelling (or absorbed by the output bias). The lifted point is an
 *      expansion of a critical point, critical by Simsek et al. 2021 Proposition 4.3 (and
 *      on the expansion manifold of Proposition 4.4 / Definition 3.2);
 *   4. check the lifted point's gradient against the rounding bound
 *        |g_p| <= bound = kappa u max_p [ (|H| |theta|)_p + 2 sum_k |J_kp| (|r_k| + s_k) ]
 *      with u = DBL_EPSILON / 2, H the Hessian, J the residual Jacobian (MSE residuals
 *      r_k = sqrt(w_k) (f_k - y_k)), s_k = sqrt(w_k) (|f_k| + |y_k|): the first term is what
 *      rounding theta to doubles moves the gradient by, the second the rounding of the
 *      residuals and of the sum that forms the gradient. kappa = 64 covers the summation's
 *      growth over the 256-sample blocks of the engine. Other losses: the second term is
 *      replaced by max(1, |theta|_inf) (no residuals).
 *   The certified point must also stay close to the run: its loss within loss_rtol of the
 *   run's (or both below loss_floor, or the certified point's below loss_floor within
 *   zero_dist of the run), so that merging two units that compute different
 *   functions is never accepted. A run that fails every tolerance keeps the reason of the
 *   closest attempt, with its numbers.
 *
 * Minimum (ls_cert_minimum), at a certified critical point:
 *   - index: eigenvalues below -eig_tol max|lambda| (a saddle of that index);
 *   - Morse-Bott: exactly zero_predicted eigenvalues with |lambda| <= eig_tol max|lambda|,
 *     zero_predicted = zero_r + sum_l (m_l - r_l) z_l - const_l (the dimension of the
 *     expansion manifold through the point: Simsek Proposition 4.4 for one output,
 *     ls_sym_critical_certify for z_l; const_l = outputs when negated or constant units must
 *     keep their constants cancelling without a bias), and the rest positive. The point is
 *     then a minimum: the critical set is a manifold of that dimension (the expansion
 *     manifold, equal loss by Proposition 4.3) and the Hessian is positive definite across
 *     it (Morse-Bott lemma);
 *   - more zero eigenvalues than predicted: the thesis's higher-order test (Stoican 2022,
 *     section 6.2.5, Theorems 1 and 2 with lambda_min = 0) on the extra kernel (the null
 *     space orthogonal to the expansion manifold's tangent): third derivatives
 *     T(u) = d^3/dt^3 L(x + t u), fourth Q(u) >= delta > 0 and lambda_min >= 0 give, by
 *     Theorem 2, a local minimum within r = (2/delta)(sqrt(B^2 - 3 lambda_min delta) - B),
 *     B = min T; certified when r is small (radius_max) and the
 *     thesis's escape checks (section 6.2.4, Algorithms 1 and 2, ls_escape_check at the
 *     thesis's settings: scan +/-8 in steps of 0.01, BFS step 0.01, gradient threshold
 *     1e-9) must find no lower point.
 *   - Valley (src/sym/certify_valley.c), where Theorem 2 says nothing and no escape is
 *     found, with at most 6 extra zero directions and 400 parameters: the stiff
 *     directions (eigenvalues above the zero level) are eliminated by Newton's method, so
 *     that the loss along the extra kernel is the loss of the valley y(t) of lowest loss
 *     (a curve where straight lines leave it at third order); Newton's method on that
 *     valley loss (exact gradient, Hessian C by second differences of the loss) moves to
 *     its stationary point, a critical point of the loss, where C must be positive
 *     definite with the same smallest eigenvalue (within 10%) at the steps h, h/2, h/4
 *     (h = 1e-2 max(1, |theta|_inf), quartered while the stiff directions cannot follow a
 *     step of h). Then the Hessian is positive definite (C is its Schur
 *     complement on the kernel): a strict minimum whose smallest curvature lies below
 *     the eigenvalue solver's resolution and is resolved on the loss. The minimum must lie
 *     within 0.1 max(1, |theta|_inf) of the point. */
#ifndef LANDSYM_CERTIFY_H
#define LANDSYM_CERTIFY_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double reduce_tol;  /* first relative grouping tolerance: 1e-6 */
  int reduce_steps;   /* tolerances reduce_tol * 10^k, k < reduce_steps: 5 (up to 1e-2) */
  double loss_rtol;   /* certified loss within loss_rtol * loss of the run's: 1e-3 */
  double loss_floor;  /* both losses below it also agree (zero loss): 1e-16 */
  double zero_dist;   /* ... and so does a certified point at the floor within zero_dist *
                         max(1, |theta|_inf) of the run (a run that stopped short of a global
                         minimum): 1e-2 */
  double kappa;       /* factor of the rounding bound: 64 */
  int newton_iter;    /* Newton steps on the reduced network: 100 */
} ls_cert_opts;
void ls_cert_opts_default(ls_cert_opts *o);

typedef enum {
  LS_CERT_NONE = 0,    /* no certificate: see reason */
  LS_CERT_IRREDUCIBLE, /* the run's own network, Newton-polished */
  LS_CERT_REDUCED      /* reduced, polished and lifted (Proposition 4.3) */
} ls_cert_kind;
const char *ls_cert_kind_name(ls_cert_kind k); /* "none", "irreducible", "reduced" */

typedef struct {
  ls_cert_kind kind;
  double grad_inf;     /* gradient inf-norm at the certified point (or the best attempt) */
  double bound;        /* its rounding bound (see above) */
  double loss;         /* loss at the certified point */
  double dist;         /* max |theta_cert - theta_run| */
  double reduce_tol;   /* tolerance at which the certified point's symmetry is read */
  double attempt_tol;  /* grouping tolerance of the attempt that gave the certificate */
  int reduced_width[LS_MAX_LAYERS + 1]; /* widths of the irreducible network */
  int const_constraints; /* sum_l of the constant-cancelling constraints (see const_l) */
  int extra_units;     /* sum_l (m_l - r_l) */
  double *theta;       /* [P] the certified point (owned; NULL without a certificate) */
  char reason[200];    /* why no certificate holds (kind == NONE) */
} ls_crit_cert;
void ls_crit_cert_free(ls_crit_cert *c); /* accepts a zeroed struct */

/* Certificate of a critical point near theta (see above). c is overwritten. Errors only for
 * bad input or out of memory; a failed certificate is c->kind == LS_CERT_NONE. */
ls_status ls_cert_critical(const ls_net *net, const ls_data *d, const double *theta,
                           const ls_cert_opts *o, ls_crit_cert *c, ls_error *err);

/* Rounding bound of the gradient at theta (see above). */
ls_status ls_cert_grad_bound(const ls_net *net, const ls_data *d, const double *theta,
                             double kappa, double *bound, ls_error *err);

typedef enum {
  LS_MINCERT_NONE = 0,  /* not certified: see reason */
  LS_MINCERT_SADDLE,    /* index >= 1 (negative eigenvalues) */
  LS_MINCERT_MORSE_BOTT,/* zero count = prediction, the rest positive */
  LS_MINCERT_HIGHER,    /* extra kernel: Q > 0, Theorem 2's radius small, no escape */
  LS_MINCERT_ESCAPE,    /* extra kernel: the escape checks (Algorithms 1/2) found a lower
                           point: not a minimum */
  LS_MINCERT_VALLEY     /* extra kernel: the valley test resolved its curvature on the loss:
                           a strict minimum (see "Valley" above) */
} ls_mincert_kind;
const char *ls_mincert_kind_name(ls_mincert_kind k);

typedef struct {
  double eig_tol;     /* relative zero / negative eigenvalue tolerance: 1e-7 */
  double radius_max;  /* higher-order test: Theorem 2's radius r within radius_max *
                         max(1, |theta|_inf): 1e-3 */
  double fourth_min;  /* Q(u) >= fourth_min * max|lambda| counts as positive (10x the
                         rounding of the difference quotient): 1e-10 */
  int escape;         /* run the thesis's Algorithms 1 and 2 on the extra kernel: 1 */
} ls_mincert_opts;
void ls_mincert_opts_default(ls_mincert_opts *o);

typedef struct {
  ls_mincert_kind kind;
  int index;           /* negative eigenvalues */
  int n_zero;          /* |lambda| <= eig_tol max|lambda| */
  int zero_predicted;  /* expansion-manifold dimension (see above) */
  double max_abs_eig;
  double margin;       /* smallest eigenvalue counted positive / max|lambda| */
  double zero_level;   /* largest |lambda| counted zero / max|lambda| */
  int extra_dim;       /* dimension of the extra kernel tested by the higher-order test */
  double third_max;    /* max |T(u)| / max|lambda| over the tested directions (NaN: none) */
  double fourth_min;   /* min Q(u) / max|lambda| (NaN: none) */
  double radius;       /* Theorem 2's r: a minimum lies within it (0 when the quartic model
                          has none lower; NaN: not tested) */
  int escape_found;    /* Algorithms 1/2 found a lower point */
  double escape_loss;  /* lowest loss they found */
  double valley_curv;  /* valley test: smallest curvature of the valley / max|lambda| */
  double valley_dist;  /* ... its minimum's max-norm distance from the critical point */
  double valley_loss;  /* ... and its loss (NaN: no valley test) */
  char reason[200];    /* why not certified; for the valley certificate, its numbers */
} ls_min_cert;

/* Certificate of the kind of the certified critical point cc->theta on net. */
ls_status ls_cert_minimum(const ls_net *net, const ls_data *d, const ls_crit_cert *cc,
                          const ls_mincert_opts *o, ls_min_cert *m, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
