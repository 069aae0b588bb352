/* landsym: permutation symmetry of MLPs — permutations, reduction to the irreducible
 * form, expansion manifolds, symmetry-induced critical points, equal-loss paths between
 * permuted minima, and the invariance of symmetry subspaces under gradient flow.
 *
 * References (papers/):
 *   Simsek et al. 2021 (ICML), "Geometry of the loss landscape in overparameterized neural
 *   networks: symmetries and invariances": Lemma 2.1, Definitions 3.1-3.3, Theorem 3.1,
 *   Definition 4.1, Propositions 4.3-4.4, section 5 (multi-layer expansion).
 *   Brea et al. 2019, "Weight-space symmetry in deep networks gives rise to permutation
 *   saddles": Definitions 4 and 6 (permutation points), Propositions 1 and 2, appendix C.2.
 *
 * A "unit" (neuron i of hidden layer l) is its incoming row W_l[i,:] plus b_l[i] and its
 * outgoing column W_{l+1}[:,i]. Layers are numbered 1..L-1 for hidden layers. */
#ifndef LANDSYM_SYM_H
#define LANDSYM_SYM_H

#include <stddef.h>
#include <stdint.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/rng.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- permutations (perm.c) ---------------------------------------------------------- */

/* out = P_pi theta for hidden layer l: unit i of out is unit perm[i] of theta
 * (Simsek notation (P_pi theta)_i = theta_{pi(i)}). out and theta must not overlap.
 * Only rows of W_l, entries of b_l and columns of W_{l+1} move, so the network
 * function and the loss are bitwise unchanged. */
ls_status ls_sym_permute(const ls_net *net, int l, const int *perm, const double *theta,
                         double *out, ls_error *err);
/* 1 if perm is a permutation of 0..n-1. */
int ls_sym_perm_valid(int n, const int *perm);
/* Uniformly random permutation of 0..n-1 drawn from rng. */
void ls_sym_perm_random(int n, int *perm, ls_rng *rng);

/* ---- reduction to the irreducible form (reduce.c) ------------------------------------ */

typedef struct {
  double tol;       /* units are equal when max |difference| <= tol * scale of the layer's
                       incoming weights; outgoing weights vanish when max |a| <= tol *
                       scale of the outgoing weight matrix. Default 1e-8. */
  int use_sign;     /* merge w and -w for odd-up-to-constant activations (sigmoid, tanh,
                       erf, identity): f(-x) = c - f(x). Default 1. */
} ls_sym_reduce_opts;
void ls_sym_reduce_opts_default(ls_sym_reduce_opts *o);

/* Groups of one hidden layer. */
typedef struct {
  int width;          /* units before reduction */
  int n_groups;       /* groups of equal incoming weights (up to sign) */
  int reduced_width;  /* groups that survive (not zero-type) */
  int *group;         /* [width] group of each unit */
  int *sign;          /* [width] +1, or -1 when its incoming weights are the negated
                         group representative's (odd activation) */
  int *group_size;    /* [n_groups] */
  int *zero_type;     /* [n_groups] 1 when the group's summed outgoing weight vanishes
                         (a single unit with zero outgoing weights included) */
  int *reduced_index; /* [n_groups] index of the group in the reduced layer, -1 if dropped */
  int const_group;    /* group of the constant units (zero incoming weights, output f(b)),
                         absorbed into the next bias or cancelled; -1 if none */
  int sign_rejected;  /* 1 when sign merges were refused: the next layer has no bias and
                         no choice of orientations makes the constants cancel */
  int const_rejected; /* 1 when constant units were kept for the same reason */
  double max_in_group; /* largest max-abs distance of a unit's (sign-adjusted) incoming
                          weights to its group's merged unit, relative to the layer scale */
  double min_between;  /* smallest such distance between two groups (up to sign): a
                          tolerance between the two separates the groups cleanly */
} ls_sym_layer_groups;

typedef struct {
  ls_net net;        /* reduced network (same depth, reduced hidden widths) */
  double *theta;     /* reduced parameters, ls_net_nparams(&net) entries */
  int n_hidden;      /* L - 1 */
  ls_sym_layer_groups layer[LS_MAX_LAYERS + 1]; /* layer[1..L-1] */
} ls_sym_reduction;

/* Reduce theta to its irreducible form (Definition 3.1; multi-layer version of section 5:
 * every pair (W_l, W_{l+1}) irreducible). Merges units of equal incoming weights by adding
 * their outgoing weights, drops units whose (summed) outgoing weights vanish, and, for odd
 * activations, merges a unit with negated incoming weights into its partner with negated
 * outgoing weights plus the constant c*a moved into the next layer's bias. Units with zero
 * incoming weights are constants f(b)*a, absorbed the same way (group const_group).
 * Without a bias in the next layer the constants must cancel: the group orientations
 * (which representative, w or -w, is kept) are searched, fewest flips first (exhaustive up
 * to 16 groups), for a choice leaving a constant within tol; if none exists the sign
 * symmetry and the constant units are not used (sign_rejected, const_rejected). The network
 * function is unchanged up to rounding. red is overwritten; free with ls_sym_reduction_free. */
ls_status ls_sym_reduce(const ls_net *net, const double *theta, const ls_sym_reduce_opts *opts,
                        ls_sym_reduction *red, ls_error *err);
void ls_sym_reduction_free(ls_sym_reduction *red); /* accepts a zeroed struct */
/* 1 if the point is irreducible at hidden layer l (l = 0: at every hidden layer). */
int ls_sym_is_irreducible(const ls_sym_reduction *red, int l);

/* Match a (reduced) network against a teacher of the same widths up to permutations of
 * every hidden layer and the sign symmetry of odd activations (a sign flip moves the
 * constant c*a into the next bias; without a bias the flips are kept only when their
 * constants cancel, else the layer is matched without flips). Layers are matched
 * from the first to the last by a minimum-cost assignment (Hungarian method) on the max
 * absolute difference of incoming weights. */
typedef struct {
  int same_shape;               /* 0 when depth or widths differ: nothing else is set */
  int *perm[LS_MAX_LAYERS + 1]; /* [width_l] teacher unit matched to unit i of the student */
  int *sign[LS_MAX_LAYERS + 1]; /* [width_l] +1 / -1 */
  double max_weight_error;      /* max |aligned student - teacher| over all parameters */
} ls_sym_match;
ls_status ls_sym_match_teacher(const ls_net *net, const double *theta, const ls_net *teacher,
                               const double *theta_teacher, ls_sym_match *match, ls_error *err);
void ls_sym_match_free(ls_sym_match *match);

/* ---- expansion manifold (expand.c) ---------------------------------------------------- */

/* One hidden layer's expansion r -> m (Definition 3.2): tuple s = (k_1..k_r, b_1..b_j)
 * with sum(s) = m, split coefficients, zero-type units and a permutation. NULL arrays are
 * drawn at random from the seed (k: random composition; b: the remaining m - sum(k) units
 * in one group per unit, each with outgoing 0 — the base subspace of Theorem 3.1's proof —
 * when n_zero < 0; splits: random). */
typedef struct {
  int layer;            /* hidden layer 1..L-1 */
  int m;                /* target width >= r */
  const int *k;         /* [r] multiplicities >= 1, or NULL */
  int n_zero;           /* j zero-type groups, or -1 for "decide" */
  const int *b;         /* [n_zero] zero-type group sizes >= 1, or NULL */
  const double *beta;   /* [sum k] scalar splits a_t^i = beta * a_t, summing to 1 per group,
                           or NULL for random */
  int vector_split;     /* 1: random splits a_t^i = beta a_t + u_i with sum u_i = 0 (any
                           direction, Definition 3.2); 0: collinear (Definition 4.1) */
  int equal_split;      /* 1: beta = 1/k_t (Brea's permutation points) when beta is NULL */
  int zero_type_out;    /* 1: random zero-type outgoing weights summing to zero per group;
                           0: all zero */
  const int *perm;      /* [m] final permutation, or NULL */
  int random_perm;      /* 1: random permutation when perm is NULL; 0: identity */
} ls_sym_expand_spec;
void ls_sym_expand_spec_default(ls_sym_expand_spec *s, int layer, int m);

/* Expand theta (width r at spec->layer) into theta_m on net_m (same but width m).
 * theta_m is allocated (free()). group_of (optional, [m]) receives for each new unit its
 * original unit index (0..r-1) or -1 - g for zero-type group g. */
ls_status ls_sym_expand_layer(const ls_net *net, const double *theta,
                              const ls_sym_expand_spec *spec, uint64_t seed, ls_net *net_m,
                              double **theta_m, int *group_of, ls_error *err);
/* Sequential multi-layer expansion (section 5, eq. 8): applies the n specs from the last
 * hidden layer to the first, the order giving the largest manifold. */
ls_status ls_sym_expand(const ls_net *net, const double *theta, int n,
                        const ls_sym_expand_spec *specs, uint64_t seed, ls_net *net_m,
                        double **theta_m, ls_error *err);

/* Certificate of function equality between two networks on a data set. */
typedef struct {
  double max_out_diff;     /* max |f_m(x) - f_r(x)| over samples and outputs */
  double max_out_rel;      /* the same divided by max(1, max |f_r(x)|) */
  double loss_a, loss_b;   /* losses of both */
  double loss_diff;        /* |loss_b - loss_a| */
} ls_sym_equiv_cert;
ls_status ls_sym_equiv(const ls_net *na, const double *ta, const ls_net *nb, const double *tb,
                       const ls_data *d, ls_sym_equiv_cert *cert, ls_error *err);

/* ---- symmetry-induced critical points (critical.c) ------------------------------------ */

typedef struct {
  double grad_norm_r, grad_norm_m; /* Euclidean gradient norms */
  double loss_r, loss_m;
  int P_r, P_m;                    /* parameter counts */
  int zero_r, zero_m;              /* Hessian eigenvalues with |lambda| <= tol * max|lambda| */
  int neg_r, neg_m;                /* indices (negative eigenvalues below -tol * max|lambda|) */
  int zero_predicted;              /* see ls_sym_critical_certify */
  double tol;                      /* relative tolerance used */
  double gap_zero, gap_nonzero;    /* largest |lambda| counted zero, smallest counted not */
  double max_abs_eig_m;
  int plateau_dim;                 /* Brea Prop. 2: sum over layers of K_l * width_{l+1} */
  double plateau_loss_diff;        /* max loss change along random plateau directions */
  double plateau_grad_norm;        /* gradient norm at a random point of the plateau */
  int zero_loss;                   /* 1 when the narrow point is treated as zero loss */
  int index_bound;                 /* rigorous: max(neg_r, plateau_dim - zero_m), see below */
  int index_predicted_min;         /* neg_r + sum_l (m_l - r_l) min(width_{l+1} - 1, D_l)
                                      when loss > 0, neg_r at zero loss */
} ls_sym_critical_cert;

/* Symmetric eigenvalues (ascending) of the exact Hessian at theta; eig has P entries. */
ls_status ls_sym_hessian_eigs(const ls_net *net, const ls_data *d, const double *theta,
                              double *eig, ls_error *err);

/* Certify that theta_m on net_m (built by ls_sym_expand with collinear splits, Definition
 * 4.1 / Brea Definitions 4 and 6, from the critical point theta_r on net_r) is critical,
 * and compare the Hessian null space with the prediction
 *   zero_m = zero_r + sum_l (m_l - r_l) * z_l,
 *   z_l = 1 + max(0, width_{l+1} - 1 - D_l)   when loss(theta_r) > zero_loss_tol,
 *   z_l = width_{l+1} + D_l                     at a zero-loss (MSE) minimum,
 * with D_l = width_{l-1} + bias_l the fan-in of a unit. Proposition 4.4 states the m - r
 * zero eigenvalues of the first case for one output; at zero loss every direction that
 * keeps the function to first order is flat. tol: relative eigenvalue tolerance.
 * Index: Brea's plateau U (outgoing splits with fixed sums) keeps the function, so the
 * Hessian vanishes on U as a quadratic form; an isotropic subspace of a symmetric matrix
 * gives n_- >= dim U - dim(U cap ker H) >= plateau_dim - zero_m (index_bound). With a
 * coupling of full rank, dim(U cap ker H) is the null count above, which gives
 * index_predicted_min: a symmetry-induced critical point of a non-zero-loss point is a
 * saddle as soon as the next layer has two or more units, even when theta_r is a minimum. */
ls_status ls_sym_critical_certify(const ls_net *net_r, const double *theta_r,
                                  const ls_net *net_m, const double *theta_m, const ls_data *d,
                                  double tol, double zero_loss_tol, uint64_t seed,
                                  ls_sym_critical_cert *cert, ls_error *err);

/* ---- equal-loss paths between permuted points (connect.c) ------------------------------ */

/* A piecewise-linear path: n_points waypoints (corners) of P parameters each. */
typedef struct {
  size_t P;
  int n_points;
  double *points; /* n_points x P row-major */
  int *kind;      /* [n_points] move that led to the waypoint (0 start) — see connect.c */
} ls_sym_path;
void ls_sym_path_free(ls_sym_path *path);
const char *ls_sym_path_move_name(int kind);

/* Build an equal-loss piecewise-linear path from theta to P_pi theta (permutation perm of
 * hidden layer l) from the moves of Theorem 3.1 / Figure 4 (shift the incoming weights of
 * a unit with zero outgoing weights; transfer outgoing weights between two units of equal
 * incoming weights) and Brea appendix C.2. Needs the layer to be reducible (m > r):
 * a unit with zero outgoing weights, a zero-type group, or two units of equal incoming
 * weights (up to sign with a bias in the next layer). */
ls_status ls_sym_connect(const ls_net *net, const double *theta, int l, const int *perm,
                         double tol, ls_sym_path *path, ls_error *err);
/* Loss at n_per_segment samples of each segment (plus the end point):
 * loss has (n_points-1)*n_per_segment + 1 entries, t the matching path parameter in [0,1]
 * proportional to segment index. */
ls_status ls_sym_path_sample(const ls_net *net, const ls_data *d, const ls_sym_path *path,
                             int n_per_segment, double *t, double *loss, ls_error *err);

/* ---- symmetry subspaces under gradient flow (subspace.c) ------------------------------ */

/* Lemma 2.1: gradient descent with step eta for n_steps from theta (modified in place),
 * recording dist[s] = distance of the iterate to the symmetry subspace H_{i,j} of hidden
 * layer l, ||theta_i - theta_j|| / sqrt 2 over the unit's incoming and outgoing weights
 * (dist has n_steps + 1 entries). */
ls_status ls_sym_subspace_distance(const ls_net *net, const double *theta, int l, int i, int j,
                                   double *dist, ls_error *err);
ls_status ls_sym_subspace_flow(const ls_net *net, const ls_data *d, double *theta, int l, int i,
                               int j, double eta, int n_steps, double *dist, double *loss_end,
                               ls_error *err);


/* ---- Lemma 2.1 along gradient flow, and figure 2's loss (invariance.c) ----------------- */

typedef struct {
  int layer, i, j;   /* the symmetry subspace H_{i,j} of hidden layer `layer` (default 1, 0, 1) */
  double offset;     /* distance of the off-subspace start from H_{i,j} (default 1e-3) */
  double tmax;       /* flow time (default 100) */
  uint64_t seed;     /* direction of the offset (default 1) */
} ls_sym_invariance_opts;
void ls_sym_invariance_opts_default(ls_sym_invariance_opts *o);

/* One flow: distance to H_{i,j} at the start, max and min over every accepted CVODE step,
 * at the end; largest |parameter| seen (the scale that rounding is relative to). */
typedef struct {
  double dist_start, dist_max, dist_min, dist_end, scale;
  double loss_start, loss_end, grad_end, flow_t;
  size_t n_samples;
  int stop; /* ls_stop_reason of the flow */
} ls_sym_invariance_leg;
typedef struct {
  ls_sym_invariance_leg on, off;
} ls_sym_invariance_result;

/* Lemma 2.1 (Simsek et al. 2021) checked numerically: gradient flow (CVODE) from theta with
 * unit j of the layer made a copy of unit i (a point of H_{i,j}) must keep a distance at
 * rounding level; from that point with unit j's incoming weights moved to distance
 * `offset` from H_{i,j}, the minimum distance over the flow must stay positive. */
ls_status ls_sym_invariance_check(const ls_net *net, const ls_data *d, const double *theta,
                                  const ls_sym_invariance_opts *opts,
                                  ls_sym_invariance_result *res, ls_error *err);

/* Figure 2's permutation-symmetric loss L(w1, w2) = log(((w1 + w2 - 3)^2 + (w1 w2 - 2)^2)/2
 * + 1), its gradient g and Hessian H (row-major 2x2); any output may be NULL. */
void ls_sym_fig2_loss(const double w[2], double *L, double g[2], double H[4]);
/* RK4 gradient flow of that loss: traj receives n_steps + 1 points (2 doubles each). */
void ls_sym_fig2_flow(const double w0[2], double dt, int n_steps, double *traj);
/* Newton from w0 to a critical point w with Hessian eigenvalues eig (ascending); 1 when it
 * converged (|grad|_1 < 1e-14), 0 otherwise. */
int ls_sym_fig2_critical(const double w0[2], double w[2], double eig[2]);

/* ---- brute-force subspaces of multi-layer expansions (enum_layers.c) ------------------- */

#define LS_SYM_ENUM_LAYERS_MAX_M 6          /* widths the brute force accepts per layer */
#define LS_SYM_ENUM_LAYERS_MAX_COMBOS 200000 /* (tuple, permutation) choices over all layers */

/* Distinct affine subspaces found, each in canonical form: dimension, orthonormal basis of
 * its directions (P x dim, column-major, in a P x P slot), orthogonal projector onto them
 * (P x P) and its point nearest the origin (P). */
typedef struct {
  int n_hidden;
  size_t P;          /* parameters of the expanded network */
  size_t combos;     /* (tuple, permutation) choices walked over all layers */
  size_t n;          /* distinct subspaces */
  int *dim;
  double *offset, *basis, *proj;
  size_t *first_combo; /* [n] choice that produced it first */
  double max_out_diff; /* largest relative |f_m - f_r| over sampled points (function kept) */
} ls_sym_layer_subspaces;
void ls_sym_layer_subspaces_free(ls_sym_layer_subspaces *s); /* accepts a zeroed struct */

/* Section 5 (eq. 8) by brute force: for the irreducible point theta of net (hidden widths
 * r_l), every tuple of Definition 3.2 (only k, no zero-type units, when critical_only:
 * Definition 4.1) and every permutation of the m[l-1] units of every hidden layer l; the
 * sequential expansion (ls_sym_expand, vector splits) is sampled at P + 1 random points
 * and the affine hull of the samples is compared with the subspaces found so far. When d is
 * given the function equality of the samples is checked on it. The count out->n is to be
 * held against prod_l T(r_l, m_l) (prod_l G(r_l, m_l) when critical_only). */
ls_status ls_sym_enum_layers(const ls_net *net, const double *theta, const int *m,
                             const ls_data *d, int critical_only, uint64_t seed,
                             ls_sym_layer_subspaces *out, ls_error *err);
/* Connectivity graph: an edge joins two subspaces that intersect (the difference of their
 * offsets lies in the sum of their direction spaces); edges (2 * n_edges, malloc'd) and
 * the number of connected components. */
ls_status ls_sym_layer_graph(const ls_sym_layer_subspaces *s, size_t *n_edges, size_t **edges,
                             size_t *components, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
