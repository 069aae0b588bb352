/* landsym: permutation paths through permutation points, escape checks and the nearest
 * symmetry-induced saddle of a converged run.
 *
 * References (papers/):
 *   Brea et al. 2019, section 2.1, Algorithm 1 (appendix B) and appendix C.1: merge two
 *   neurons l, m of hidden layer k by decreasing their distance d along a schedule,
 *   re-optimising every other parameter at each d; the Lagrangian variant L + lambda d;
 *   the mirrored second half gamma(1/2 + t) = sigma_{l<->m}(gamma(1/2 - t)); figure 2.
 *   Stoican 2022 (thesis), sections 6.2.4-6.2.5 (escape checks, Algorithms 1 and 2) and
 *   6.3.2 (reconstructing the nearest symmetry-induced saddle, loss slices).
 *
 * The distance of two units is taken over their incoming weights and bias,
 * d = ||theta_l - theta_m|| with theta_i = (W_k[i,:], b_k[i]), as in Brea's figure 2 and
 * the trainer's merge penalty (optim.h). */
#ifndef LANDSYM_PATHS_H
#define LANDSYM_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/split.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- unit helpers (units.c) --------------------------------------------------------- */

/* Indices into theta of the incoming weights and bias of unit i of hidden layer k
 * (nin = width[k-1] + bias[k] entries written to idx). Returns nin. */
int ls_path_unit_in_index(const ls_net *net, int k, int i, size_t *idx);
/* ||theta_l - theta_m|| over incoming weights and bias. */
double ls_path_unit_distance(const ls_net *net, const double *theta, int k, int l, int m);
/* ||(theta_l + theta_m) / 2|| over incoming weights and bias: the scale of the pair. */
double ls_path_pair_scale(const ls_net *net, const double *theta, int k, int l, int m);
/* Cosine similarity of the incoming weight+bias vectors of units l and m (0 if one is 0). */
double ls_path_unit_cosine(const ls_net *net, const double *theta, int k, int l, int m);
/* Dipole share of units l, m: with a_l, a_m their outgoing weight columns, the two units
 * act as (a_l + a_m) sigma(c.h) + (a_l - a_m)/2 sigma'(c.h) (delta.h) to first order in
 * delta = (theta_l - theta_m)/2; returns D / (S + D) with S = ||a_l + a_m|| ||c|| and
 * D = ||a_l - a_m|| ||theta_l - theta_m|| / 2. Near 0: the pair acts as one merged unit
 * (a permutation point of the narrower network); near 1: a "derivative unit" with large
 * opposite outgoing weights, which the merged network cannot represent. */
double ls_path_dipole(const ls_net *net, const double *theta, int k, int l, int m);
/* The pair (l < m) of layer k of highest cosine similarity (by_cosine = 1) or smallest
 * distance (by_cosine = 0). Needs width >= 2. */
ls_status ls_path_pick_pair(const ls_net *net, const double *theta, int k, int by_cosine,
                            int *l, int *m, ls_error *err);
/* Merge unit m into unit l of hidden layer k: the merged unit keeps the mean of the two
 * incoming vectors and the sum of the outgoing weights (the Brea/Fukumizu-Amari map, so a
 * point with theta_l = theta_m keeps its function); unit m is removed. out_net gets width
 * width[k] - 1; *out is malloc'd (ls_net_nparams(out_net) entries). */
ls_status ls_path_merge_units(const ls_net *net, const double *theta, int k, int l, int m,
                              ls_net *out_net, double **out, ls_error *err);

/* ---- the permutation path (merge.c) -------------------------------------------------- */

typedef enum {
  LS_PATH_CONSTRAINED = 0, /* Algorithm 1: exact distance d at every step */
  LS_PATH_LAGRANGIAN       /* appendix C.1: minimise L + lambda d^2, lambda increasing */
} ls_path_method;

typedef struct {
  int layer, l, m;      /* hidden layer k (1..L-1) and the two units (0-based, l != m) */
  int steps;            /* schedule length: 200 (Brea figure 2) */
  double dmin_rel;      /* last distance relative to the first: 1e-4 */
  ls_path_method method;
  int maxeval;          /* LBFGS evaluations per step: 1000 */
  double ftol_rel;      /* LBFGS relative loss tolerance per step: 1e-14 */
  double lambda_min, lambda_max; /* Lagrangian schedule (log-spaced): 1e-3, 1e8 */
  int relative;         /* 0: schedule on d = ||theta_l - theta_m|| (Brea); 1: on the relative
                           distance r = d / ||(theta_l + theta_m)/2||, invariant under the
                           rescaling (w, b, a) -> (s w, s b, a / s) of positively homogeneous
                           activations (ReLU), which otherwise lets both units shrink towards
                           0 and reach small d at no loss */
  double out_bound;     /* kappa >= 0 (0: none, Brea's Algorithm 1 as printed). Bounds the
                           outgoing difference of the pair, beta = ||a_l - a_m|| ||c|| (c the
                           incoming centre; invariant under the rescaling above), by
                           B = kappa (||a_l - a_m|| + ||a_l + a_m||) ||c|| taken at the start, with
                           the exterior penalty rho (beta - B)_+^2, rho = 100 / B^2 (constrained
                           method only). Without it the optimiser may let |a_l - a_m| grow
                           without bound as d -> 0 (a "dipole" that leaves the path short of the
                           permutation point, see docs/path.md) */
  int apex;             /* 1: also compute the exact end d = 0 (ls_path_apex) and count it in
                           the barrier (default 1) */
  /* progress of long paths: called after every step s (1..steps) with the distance d, the
   * loss there and the evaluations so far; NULL (default) for none */
  void (*progress)(void *user, int s, int steps, double d, double loss, size_t evals);
  void *progress_user;
} ls_path_opts;

void ls_path_opts_default(ls_path_opts *o);

/* First half of a path: n points from the start (d0) to the permutation point. */
typedef struct {
  size_t P;
  int n;              /* points on the first half (steps + 1) */
  int relative;       /* d, d0 are relative distances r (opts.relative) */
  double d0;          /* initial distance */
  double *d;          /* [n] distance at each point (exact on the schedule when constrained) */
  double *dist;       /* [n] absolute distance ||theta_l - theta_m|| */
  double *lambda;     /* [n] Lagrange weight (0 for constrained) */
  double *loss;       /* [n] loss (without penalty) */
  double *grad_norm;  /* [n] Euclidean norm of the loss gradient at the point */
  double *params;     /* n x P */
  int argmax;         /* index of the largest loss; n: the apex (d = 0) */
  double barrier;     /* max loss - loss at the start */
  int max_at_end;     /* 1 if the permutation point (the apex when computed, else the last
                         point) holds the largest loss (within 1e-4 relative) */
  size_t evals;       /* loss+gradient evaluations spent */
  double out_bound;   /* B of opts.out_bound (0: none) */
  double beta_end;    /* ||a_l - a_m|| ||c|| at the last point (bounded path: <= B up to the
                         penalty's slack) */
  int end_refined;    /* constrained, with apex: the last step was solved a second time from
                         the exact end split back to dmin d0, and that start reached the lower
                         objective (it replaced the last point) */
  int has_apex;       /* the exact end d = 0 below was computed */
  double *apex;       /* [P] the permutation point at d = 0: units l, m merged (mean incoming,
                         summed outgoing), the narrow network re-optimised from there, lifted
                         back with equal outgoing weights (Brea Definition 4) */
  double apex_loss;   /* its loss (= the narrow network's) */
  double apex_grad;   /* gradient infinity-norm of the re-optimised narrow network */
  double apex_move;   /* ||re-optimised - merged last point|| / ||merged last point|| in the
                         narrow network: ~0 when the path ends at the permutation point */
  double stat_worst;  /* Newton-refined steps (smooth, absolute, P <= 120): the largest
                         |grad_z f|_inf / |grad L|_inf over the steps, the constrained
                         stationarity reached (LS_PATH_STAT_TOL stated); 0 if none refined */
} ls_path;

/* Stationarity the Newton refinement of a constrained step aims for: the gradient in the
 * (c, v, rest) coordinates at most this times the loss gradient (infinity norms). */
#define LS_PATH_STAT_TOL 1e-6

void ls_path_free(ls_path *p); /* accepts a zeroed struct */

/* Build the first half of the permutation path from theta (a minimum) for units l, m of
 * hidden layer k. Constrained (Algorithm 1): the distance follows the log-spaced schedule
 * d_s = d0 (dmin_rel)^(s/steps), s = 0..steps, exactly: in coordinates
 * c = (theta_l + theta_m)/2 and a direction v, theta_l = c + d v/(2|v|),
 * theta_m = c - d v/(2|v|) (relative: d = r |c|), every other parameter, c and the direction of v are
 * re-optimised by LBFGS (NLopt) warm-started from the previous step (then, for smooth
 * activations, absolute distance and P <= 120, Levenberg-Marquardt Newton steps with the
 * exact Hessian in these coordinates). Lagrangian: the
 * trainer minimises L + lambda ||theta_l - theta_m||^2 (merge penalty) for log-spaced
 * lambda, warm-started, stopping once d <= dmin_rel d0. First-order only, so ReLU works.
 * With opts.apex (default) the exact end d = 0 is added (ls_path_apex of the last point)
 * and counts in the barrier; the constrained method then also solves the last step from
 * that end split back to dmin d0 and keeps the lower of the two (end_refined). */
ls_status ls_path_build(const ls_net *net, const ls_data *data, const double *theta,
                        const ls_path_opts *opts, ls_path *path, ls_error *err);

/* The exact end d = 0 of a path ending at theta (units l, m of layer k close; in
 * permutation_point.c beside the lift): merge
 * (ls_path_merge_units), re-optimise the narrow network from there (LBFGS, first
 * derivatives only, so ReLU works; then Newton for twice-differentiable activations), lift
 * back with mu = 1/2 (ls_path_lift). out: P entries; loss, grad_inf (narrow network), move
 * (relative displacement of the re-optimisation in the narrow network) may be NULL. */
ls_status ls_path_apex(const ls_net *net, const ls_data *data, const double *theta, int k, int l,
                       int m, double *out, double *loss, double *grad_inf, double *move,
                       ls_error *err);

/* Number of points of the full path: 2n + 1 with the apex (first half, apex, the first half
 * mirrored), 2n - 1 without (the last point shared by both halves). */
size_t ls_path_full_len(const ls_path *p);
/* Full path (ls_path_full_len points): the first half, the apex (when computed), then the
 * mirrored half sigma_{l<->m}(gamma_j) for j going down to 0 (without the apex from n-2),
 * ending at the partner minimum sigma(theta_0).
 * params (malloc'd, ls_path_full_len x P) and optionally s (malloc'd signed path coordinate:
 * d0 - d on the first half, d0 + d on the second, so s runs 0 .. 2 d0). */
ls_status ls_path_mirror(const ls_net *net, const ls_path *p, int k, int l, int m,
                         double **params, double **s, ls_error *err);

/* ---- permutation points (permutation_point.c) ---------------------------------------- */

/* Lift a point of the narrower network net_r (layer k one unit narrower) back to net by
 * duplicating unit lr of layer k into units l and m of the wide network (l < m or l > m),
 * unit l receiving mu times the outgoing weights and unit m (1 - mu) times (thesis
 * section 6.2.6; Fukumizu-Amari line). The other units keep their order. out has
 * ls_net_nparams(net) entries. */
ls_status ls_path_lift(const ls_net *net_r, const double *theta_r, int k, int lr, double mu,
                       const ls_net *net, int l, int m, double *out, ls_error *err);

/* A certified permutation point from the end of a path: merge units l, m (mean incoming,
 * summed outgoing), bring the narrow network to a critical point with the trainer's Newton
 * trust region in critical-point mode, lift it back with mu = 1/2 (Brea's permutation
 * point: equal incoming and outgoing weights) and polish once more on the wide network
 * (Newton, critical mode). out (P entries) receives the point, grad_inf its gradient
 * infinity-norm, index/zero the numbers of negative / zero Hessian eigenvalues (relative
 * tolerance eig_tol). Needs a twice-differentiable activation. */
ls_status ls_path_permutation_point(const ls_net *net, const ls_data *data, const double *theta,
                                    int k, int l, int m, double eig_tol, double *out,
                                    double *grad_inf, ls_inertia *inertia, ls_error *err);

/* ---- escape checks (escape.c) -------------------------------------------------------- */

typedef struct {
  double eig_tol;     /* eigenvalues below eig_tol * max|eig| are tested (negative and
                         near-zero): 1e-8 (thesis: absolute 1e-10) */
  int max_dirs;       /* at most this many eigen-directions per point, smallest first: 20 */
  double scan_max;    /* Algorithm 1: loss at theta + eps e, eps in [-scan_max, scan_max]: 8 */
  double scan_step;   /* ... in steps of scan_step: 0.01 */
  double loss_rtol;   /* lower means loss < loss0 - loss_rtol * max(loss0, 1e-300): 1e-10 */
  int bfs_depth;      /* Algorithm 2: BFS depth (steps away from the start): 5 */
  int bfs_nodes;      /* at most this many visited points: 200 */
  double bfs_step;    /* step along the eigenvectors in the BFS: 0.01 */
  double grad_tol;    /* a BFS move is kept when ||grad|| <= grad_tol (flat): 1e-9 */
} ls_escape_opts;

void ls_escape_opts_default(ls_escape_opts *o);

typedef struct {
  int n_dirs;           /* eigen-directions tested */
  int n_negative;       /* among them, negative eigenvalues */
  int n_near_zero;      /* among them, near-zero eigenvalues */
  double loss0;
  double best_loss;     /* lowest loss found (loss0 if none lower) */
  int found_lower;      /* 1 if a point with loss < loss0 - loss_tol was found */
  int found_by_bfs;     /* it came from the flat-direction BFS (Algorithm 2) */
  double best_radius;   /* distance from theta of the best point */
  double best_eig;      /* eigenvalue of the direction (first step) that led to it */
  int bfs_visited;      /* points visited by the BFS */
  double *best_theta;   /* P entries (malloc'd), the lowest point */
  double *eig;          /* [P] Hessian eigenvalues at theta, ascending (malloc'd) */
  size_t P;
} ls_escape_result;

void ls_escape_result_free(ls_escape_result *r);

/* Thesis section 6.2.4, Algorithm 1: loss along theta + eps e, |eps| <= scan_max, for the
 * eigenvectors e of negative and near-zero Hessian eigenvalues; then Algorithm 2: a bounded
 * breadth-first search that steps along those eigenvectors while the gradient norm stays
 * <= grad_tol (moves across the flat surface that lead away from the start), recomputes the
 * spectrum at each visited point and re-scans its two smallest directions. Needs the exact
 * Hessian (twice-differentiable activations). */
ls_status ls_escape_check(const ls_net *net, const ls_data *data, const double *theta,
                          const ls_escape_opts *opts, ls_escape_result *r, ls_error *err);

/* ---- nearest symmetry-induced saddle (saddle.c) --------------------------------------- */

typedef struct {
  int layer;            /* hidden layer (0: the first hidden layer) */
  double lambda_min, lambda_max; /* penalty schedule for the merge: 1e-3, 1e6 */
  int lambda_steps;     /* 30 */
  double mu;            /* split of the duplicated unit's outgoing weight on the saddle line:
                           -1 = chosen to lie nearest to the start; else this value */
  double grad_tol;      /* second-order re-optimisation of the reduced net: 1e-12 */
  double eig_tol;       /* relative tolerance for zero eigenvalues: 1e-10 */
} ls_saddle_opts;

void ls_saddle_opts_default(ls_saddle_opts *o);

typedef struct {
  int layer, l, m;        /* the merged pair (m removed in the reduced net) */
  double pair_distance;   /* their distance at the start */
  ls_net reduced_net;     /* width - 1 */
  double *reduced;        /* reduced critical point */
  double reduced_grad;    /* its gradient inf-norm after Newton */
  double reduced_loss;
  double mu;              /* split on the saddle line nearest to the start */
  double *saddle;         /* P: point of the saddle line (unit l duplicated into l and m) */
  double saddle_loss, saddle_grad; /* loss and gradient inf-norm at the saddle point */
  double start_loss;
  double distance;        /* ||saddle - start|| */
  ls_inertia inertia;     /* Hessian inertia at the saddle point */
  ls_inertia predicted;   /* split test prediction In(H_r) + In(M(mu)) */
  int start_degenerate;   /* 1: the start is classified a degenerate local minimum near a
                             saddle (split test predicts no negative direction for some mu
                             while the saddle point itself has one) */
  double *eig_saddle;     /* [P] ascending */
  size_t P;
} ls_saddle_result;

void ls_saddle_result_free(ls_saddle_result *r);

/* Thesis section 6.3.2: penalty merge of the two closest units of the layer (trainer with
 * merge penalty), reduce by one unit (ls_path_merge_units), Newton re-optimisation of the
 * reduced net to a critical point, duplicate back (ls_split_duplicate) into a point of the
 * saddle line with the split mu nearest to the start, spectra and distances. */
ls_status ls_saddle_find(const ls_net *net, const ls_data *data, const double *theta,
                         const ls_saddle_opts *opts, ls_saddle_result *r, ls_error *err);

/* ---- loss slices (saddle.c) ---------------------------------------------------------- */

/* 1D: loss(a + t (b - a)) at n values t = tmin .. tmax. */
ls_status ls_slice_1d(const ls_net *net, const ls_data *data, const double *a,
                      const double *b, double tmin, double tmax, int n, double *t,
                      double *loss, ls_error *err);
/* 2D: loss(o + s e1 + t e2) on an n x n grid s, t in [-r1, r1] x [-r2, r2] (row-major,
 * s slowest). */
ls_status ls_slice_2d(const ls_net *net, const ls_data *data, const double *o,
                      const double *e1, const double *e2, double r1, double r2, int n,
                      double *loss, ls_error *err);

/* ---- Theorems 1 and 2 of the thesis at a saddle (saddle_theorems.c) -------------------- */

typedef struct {
  int n_dirs;          /* sampled directions besides the eigenvectors (400) */
  int n_points;        /* sampled points of the ball for the fourth-derivative condition (8) */
  double h;            /* central-difference step of D3 and D4 (1e-3) */
  double eig_tol;      /* relative tolerance of zero eigenvalues (1e-8) */
  uint64_t seed;       /* of the samples (1) */
  const double *line;  /* direction of the saddle line at the point, or NULL */
} ls_saddle_thm_opts;
void ls_saddle_thm_opts_default(ls_saddle_thm_opts *o);

typedef struct {
  size_t P;
  int index, n_zero;        /* Hessian inertia at the point */
  double lambda_min;        /* smallest eigenvalue */
  double lambda_pos;        /* smallest eigenvalue above the zero band (figure 6.12's partner) */
  int pos_index;            /* its position in eig */
  double *eig, *evec;       /* ascending eigenvalues; eigenvectors as columns (row-major P x P) */
  double line_d3, line_d4;  /* D3, D4 along the saddle line (NaN without opts.line) */
  double line_curv;         /* its curvature e^T H e */
  double line_loss_change;  /* |L(x + 0.1 e) - L(x)| */
  int n_cone;               /* sampled directions in the cone u^T H u <= 0 */
  double B1;                /* Theorem 1: min |D3| over sampled cone directions */
  double B2;                /* Theorem 2: min D3 over sampled unit directions */
  double max_abs_d3;        /* scale of D3 */
  double d4_min_x;          /* min D4 over sampled directions at the point */
  double d4_min_ball;       /* ... and over sampled points of the ball of radius r1 */
  double delta;             /* Theorem 2's delta: d4_min_x */
  double r1, r2;            /* radii -3 lambda_min / B1 and (2/delta)(sqrt(B2^2 - 3 lambda_min
                               delta) - B2); inf when the formula does not apply */
  int thm1, thm2;           /* 1: hypotheses not refuted by the samples */
  char why1[240], why2[240];/* the reasons in words */
} ls_saddle_thm_result;
void ls_saddle_thm_result_free(ls_saddle_thm_result *r); /* accepts a zeroed struct */

/* Theorems 1 and 2 of the thesis (section 6.2.5) at the point x (a saddle): Hessian
 * eigen-decomposition, third and fourth directional derivatives by central differences of
 * exact Hessian-vector products over the eigenvectors and sampled directions, the cones of
 * figure 6.12, the radii, and whether each theorem's hypotheses hold on the samples. A
 * violated hypothesis is a certificate that the theorem does not apply; hypotheses that
 * hold on the samples make the radius an estimate (the minima are sampled). */
ls_status ls_saddle_theorems(const ls_net *net, const ls_data *d, const double *x,
                             const ls_saddle_thm_opts *opts, ls_saddle_thm_result *r,
                             ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
