/* landsym: Cooper's star locus and core locus of critical points (Cooper 2020,
 * "The critical locus of overparameterized neural networks", section 3.1).
 *
 * Setting (section 2): MSE loss, identity output with a bias, smooth hidden activation
 * with sigma(0) = 0 (tanh, erf, gelu, identity). With layers 1..L (L = ell):
 *   S_k     = { M_L = 0, M_k = 0, b_k = ... = b_{L-1} = 0, b_L = E[y] },  1 <= k <= L-1
 *   C_{k,j} = S_k with also M_j = 0 (k < j); the core locus C is the union of the C_{k,j}.
 * The output bias is the sample-weighted MEAN of the targets: criticality in b_L reads
 * sum_k w_k (b_L - y_k) = 0 (the paper prints "b_L = sum y", see docs/locus.md). */
#ifndef LANDSYM_LOCUS_H
#define LANDSYM_LOCUS_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* LS_ERR_INPUT unless the network is in Cooper's setting (see above), naming the problem. */
ls_status ls_locus_check_net(const ls_net *net, ls_error *err);

/* Project theta onto the locus given by the zeroed layers k[0] < ... < k[nk-1]
 * (nk = 1: star locus S_k; nk = 2: core locus C_{k0,k1}): M_L, M_k = 0, biases of
 * layers k[0]..L-1 zero, b_L = weighted mean of the targets. Other entries kept. */
ls_status ls_locus_project(const ls_net *net, const ls_data *d, const int *k, int nk,
                           double *theta, ls_error *err);

/* mask[i] = 1 where coordinate i is free on that locus; returns its dimension
 * (or -1 on a bad request, message in err). */
long ls_locus_free_mask(const ls_net *net, const int *k, int nk, unsigned char *mask,
                        ls_error *err);

/* Dimension by the paper's general formula (section 3.1.1) of S_k (nk = 1) or C_{k,j}. */
long ls_locus_dim_formula(const ls_net *net, const int *k, int nk);

/* Proposition 6.1 closed forms for equal hidden widths m, depth ell, a inputs,
 * b outputs, n samples: dim M, dim S, dim C as printed in the paper. */
void ls_locus_prop61(int ell, long m, long a, long b, long n, long *dim_m, long *dim_s,
                     long *dim_c);

/* Predicted Hessian spectrum at a point of S_k (derived in docs/locus.md): b_L block
 * 2 sum w = 2 (b times); the M_L x M_k cross block 2 G (x) J with
 *   G = sum_a w_a (b_L - y_a) h_{k-1}(x_a)^T  (b x m_{k-1}),
 *   J = sigma'(0)^{L-k} M_{L-1} ... M_{k+1}    (m_{L-1} x m_k),
 * giving eigenvalues +-2 s_i(G) s_j(J); all others zero. eig receives nparams values,
 * ascending. For a core point the cross block vanishes (J = 0 or h_{k-1} = 0). */
ls_status ls_locus_star_spectrum(const ls_net *net, const ls_data *d, const double *theta, int k,
                                 double *eig, ls_error *err);

/* rank of Phi_{L-1} (m_{L-1} x n, last hidden layer outputs) and of [Phi; 1]
 * (Theorem 5.15 uses the first; the exact flat dimension of the last-layer slice,
 * (m_{L-1} + 1 - rank[Phi;1]) m_L, uses the second). Relative tolerance tol. */
ls_status ls_locus_phi_rank(const ls_net *net, const ls_data *d, const double *theta, double tol,
                            int *rank_phi, int *rank_phi1, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
