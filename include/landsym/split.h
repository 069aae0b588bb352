/* landsym: the split test for symmetry-induced critical points.
 *
 * A critical point theta_r of a network whose hidden layer l has width r is lifted to
 * width r+1 by duplicating neuron j of layer l and splitting its outgoing weights a into
 * (mu a, (1-mu) a). Thesis (Stoican 2022) section 6.2.6, Theorem 3, and section 6.3.1:
 * in the coordinates
 *     w_j = w + (1-mu) xi,  w_new = w - mu xi,  a_j = mu a + beta,  a_new = (1-mu) a - beta
 * (w incoming weights plus bias, a outgoing weights) the Hessian of the lifted point is
 * exactly block-diagonal,
 *     diag( H_r ,  [ mu(1-mu) Y   U ]
 *                  [ U^T          0 ] ),
 * with, for h = [h_{l-1}(x), 1] the neuron's input, z = w.h, and delta = dloss/dz_{l+1}
 * the back-propagated error at the next layer's pre-activation (for l = L-1 and MSE this
 * is 2 (f - y), the thesis's c'):
 *     Y = E[ sigma''(z) (a . delta) h h^T ]          (nin x nin)
 *     U = E[ sigma'(z) h delta^T ]                   (nin x nout),
 * E the sample-weighted sum of the loss. The change of coordinates is invertible, so by
 * Sylvester's law the inertia of the lifted Hessian is In(H_r) + In(M(mu)). */
#ifndef LANDSYM_SPLIT_H
#define LANDSYM_SPLIT_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/engine.h"
#include "landsym/linalg.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Numbers of negative, zero and positive eigenvalues. */
typedef struct {
  int neg, zero, pos;
} ls_inertia;

/* Sizes of the split block for neuron `neuron` (0-based) of hidden layer `layer`
 * (1..L-1): nin = width[l-1] + bias[l], nout = width[l+1]. Fails with LS_ERR_INPUT
 * naming the bad index. */
ls_status ls_split_dims(const ls_net *net, int layer, int neuron, int *nin, int *nout,
                        ls_error *err);

/* Y (nin x nin, row-major) and U (nin x nout) of Theorem 3 at theta (of net), extended to
 * any hidden layer by back-propagation (see top of file). */
ls_status ls_split_matrices(const ls_net *net, const ls_data *d, const double *theta,
                            int layer, int neuron, double *Y, double *U, ls_error *err);

/* The lifted network (layer widened by one; the copy is the last neuron of the layer)
 * and its parameters (ls_net_nparams(out) entries) for split mu. */
ls_status ls_split_duplicate(const ls_net *net, const double *theta, int layer, int neuron,
                             double mu, ls_net *out, double *theta_out, ls_error *err);

/* The change of coordinates T (P' x P' row-major, P' = nparams of the lifted net) with
 * theta' = T u, u = (theta_r coordinates, xi, beta): T^T H' T is the block-diagonal
 * matrix above. Column order: the P_r coordinates of the narrow network, then nin xi,
 * then nout beta. */
ls_status ls_split_transform(const ls_net *net, int layer, int neuron, double mu, double *T,
                             ls_error *err);

/* The (nin+nout) block M(mu) = [[mu(1-mu) Y, U], [U^T, 0]] (row-major). */
void ls_split_block(const double *Y, const double *U, int nin, int nout, double mu, double *M);

/* Predicted inertia of M(mu) from the structure of Theorem 3 (generalising Corollaries
 * 3.1 and 3.2 to U != 0): with rho = rank U and Z a basis of ker U^T,
 *   mu in (0,1):      In(Z^T Y Z) + (rho, p - rho, rho)       [neg, zero, pos]
 *   mu outside [0,1]: In(-Z^T Y Z) + (rho, p - rho, rho)
 *   mu in {0,1}:      (rho, nin + nout - 2 rho, rho).
 * Singular values of U and eigenvalues of Z^T Y Z at most tol (absolute) count as zero.
 * rank_u (may be NULL) receives rho. */
ls_status ls_split_predict(const double *Y, const double *U, int nin, int nout, double mu,
                           double tol, ls_inertia *in, int *rank_u, ls_error *err);

/* Inertia of n ascending eigenvalues: |lambda| <= tol counts as zero. */
ls_inertia ls_inertia_count(const double *eig, int n, double tol);
static inline ls_inertia ls_inertia_add(ls_inertia a, ls_inertia b) {
  ls_inertia s = {a.neg + b.neg, a.zero + b.zero, a.pos + b.pos};
  return s;
}
static inline int ls_inertia_equal(ls_inertia a, ls_inertia b) {
  return a.neg == b.neg && a.zero == b.zero && a.pos == b.pos;
}

/* Eigenvalues (ascending) of a symmetric n x n row-major matrix A (A is not modified);
 * ls_eig_sym with an int size, n = 0 allowed. */
ls_status ls_split_eigvals(const double *A, int n, double *eig, ls_error *err);

/* The split block measured on the exact Hessian H' of the lifted point (lifted: the
 * ls_split_duplicate network and parameters for mu): with T = ls_split_transform and its
 * last nb = nin + nout columns T_b, B = T_b^T H' T_b (nb x nb, row-major) computed from nb
 * Hessian-vector products, and *coupling = max |(T_r^T H' T_b)_ij| over the narrow columns
 * T_r, which Theorem 3 says is 0 (any point). O(P nb) memory (T is not formed); nb <= 64. By Sylvester's law In(H') = In(H_r) + In(B)
 * when the coupling vanishes, so the eigenvalues of B are the ones that cross zero at
 * mu = 0 and 1: B = M(mu) = [[mu(1-mu) Y, U], [U^T, 0]]. */
ls_status ls_split_block_measured(const ls_net *net, int layer, int neuron, double mu,
                                  const ls_net *lifted, const ls_data *d, const double *theta_lifted,
                                  double *B, double *coupling, ls_error *err);

/* How the split test computes a Hessian spectrum: by size (dense up to dense_max
 * parameters), or forced. */
typedef enum { LS_SPLIT_SPECTRUM_AUTO = 0, LS_SPLIT_SPECTRUM_DENSE, LS_SPLIT_SPECTRUM_LANCZOS } ls_split_spectrum_kind;

typedef struct {
  ls_split_spectrum_kind kind;
  size_t dense_max; /* auto: dense when P <= dense_max (0 = 3000, as ls_hessian_spectrum) */
  int k;            /* Lanczos: the k smallest and k largest eigenvalues (>= 1) */
} ls_split_spectrum_opts;

/* Hessian spectrum of (net, theta) on d and its inertia at the zero threshold
 * tol * max|lambda|. Dense: all P eigenvalues (ls_eig_sym of the exact Hessian); Lanczos:
 * the k smallest then the k largest, ascending (ls_lanczos on Hessian-vector products;
 * dense anyway when 2k >= P). sp->method says which was used. With Lanczos the inertia is
 * known only when the k-th smallest eigenvalue is positive (above the threshold): then
 * zero and negative eigenvalues are all among the k smallest and *complete = 1; otherwise
 * *complete = 0 and `in` counts only the window. complete may be NULL. */
ls_status ls_split_spectrum(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_split_spectrum_opts *o, double tol, ls_spectrum *sp,
                            ls_inertia *in, int *complete, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
