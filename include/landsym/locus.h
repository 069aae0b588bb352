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

/* Dimensions of the loci for equal hidden widths m, depth ell, a inputs, b outputs,
 * n samples, by the closed forms of Proposition 6.1 as printed in the paper:
 *   dim M = (ell-2) m^2 + (a+b+ell-1) m + b (1-n),
 *   dim S = (ell-3) m^2 + (a+1) m,   dim C = (ell-4) m^2 + (a+1) m
 * (docs/locus.md: the printed dim S and dim C are not the general formula's maxima). */
void ls_locus_dims_equal_width(int ell, long m, long a, long b, long n, long *dim_m, long *dim_s,
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

/* ---- section 5: last hidden layer at least as wide as the data (locus_wide.c) ---------- */

typedef struct {
  int n, m, b, n_t;       /* samples, last hidden width, outputs, samples of the line */
  int rank;               /* rank of F = [Phi^T 1] (n x (m + 1)); n: Theorem 5.11 applies */
  double smin_rel;        /* its smallest singular value over the largest */
  double loss0, loss_end; /* at p and at the end g_p */
  double step_norm;       /* ||g_p - p|| (only last-layer coordinates move) */
  double max_rel_dev;     /* max |L(t) - (1 - t)^2 L(p)| / L(p) over the samples */
  int strictly_decreasing;/* every sample below the previous one */
} ls_locus_line_result;

/* Theorem 5.11 (Corollary 5.9): from theta, the line to the global minimum g_p of its
 * last-layer slice (minimum-norm least-squares change of M_L, b_L, written to `end`, P
 * entries), with the loss sampled at n_t points of it. MSE, identity output with bias. */
ls_status ls_locus_descent_line(const ls_net *net, const ls_data *d, const double *theta,
                                int n_t, double *end, ls_locus_line_result *r, ls_error *err);

typedef struct {
  int n, m, rank;         /* rank of F = [Phi^T 1] */
  long flat_dim;          /* (m + 1 - rank) m_L: flat linear space through the point
                             (Theorem 5.15); 0 means no certificate */
  double step;            /* length of the move tested (1) */
  double loss, loss_moved;/* loss at theta and after a unit move along a null vector of F */
  double max_out_change;  /* max |f(moved) - f(theta)| on the data */
} ls_locus_flat_result;

/* Proposition 5.13's certificate: a unit last-layer move along a null vector of F keeps the
 * outputs on the data, so the point is not a strict (hence, Lemma 5.12, not an isolated)
 * local minimum. */
ls_status ls_locus_flat_certificate(const ls_net *net, const ls_data *d, const double *theta,
                                    ls_locus_flat_result *r, ls_error *err);

/* Euclidean distance of theta to the locus component (k, nk as ls_locus_project). */
ls_status ls_locus_distance(const ls_net *net, const ls_data *d, const double *theta,
                            const int *k, int nk, double *dist, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
