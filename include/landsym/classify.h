/* landsym: classification of converged teacher-student runs and pruning.
 *
 * Every run is put in one class (thesis, Stoican 2022, section 6.2, table 6.1; Simsek et al.
 * 2021, Remark 4.2 and figure 5):
 *   global           loss <= loss_floor; with a teacher, teacher_match says whether the
 *                    reduced network equals the teacher up to permutations and the
 *                    activation's sign symmetry (sigma(-x) = 1 - sigma(x), thesis section
 *                    6.2.2), as it must for a global minimum (Simsek Theorem 4.2)
 *   symmetry_induced not a saddle, reducible, and the reduced network's point is itself
 *                    critical (Simsek Definition 4.1 / Proposition 4.3)
 *   local_min        other local minimum: no Hessian eigenvalue below -eig_tol * max|lambda|
 *   saddle           a negative Hessian eigenvalue beyond the tolerance
 *   not_converged    gradient infinity-norm above grad_tol (or a non-finite loss)
 *   channel          would be local_min or not_converged, but sits in a channel to infinity
 *                    (channel.h: certified GLU limit; minimum or saddle at infinity)
 * Precedence: not_converged, global, saddle, symmetry_induced, local_min. A saddle that is
 * also symmetry-induced keeps sym_induced = 1.
 *
 * Neuron groups (Definition 3.2): the units of each hidden layer grouped by equal incoming
 * weights (up to sign for odd activations); a group is a copy of teacher neuron j (size =
 * multiplicity k_j) or zero-type (its outgoing weights sum to zero, size b_i). */
#ifndef LANDSYM_CLASSIFY_H
#define LANDSYM_CLASSIFY_H

#include <stddef.h>

#include "landsym/certify.h"
#include "landsym/channel.h"
#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LS_CLASS_GLOBAL = 0,
  LS_CLASS_SYMMETRY,
  LS_CLASS_LOCAL,
  LS_CLASS_SADDLE,
  LS_CLASS_NOT_CONVERGED,
  LS_CLASS_CHANNEL, /* a channel to infinity (channel.h): minimum or saddle at infinity */
  LS_CLASS_NEAR_GLOBAL, /* not at a critical point, loss <= near_global_rloss L(0), and a
                           certified global minimum (the teacher expanded) near_global_dist
                           away: approaching the zero-loss set */
  LS_CLASS_COUNT
} ls_class_kind;

/* "global", "symmetry_induced", "local_min", "saddle", "not_converged", "channel",
 * "near_global". */
const char *ls_class_name(ls_class_kind k);

typedef struct {
  double loss_floor;   /* global when loss <= loss_floor: 1e-16 (Simsek figure 5) */
  double grad_tol;     /* converged when the gradient inf-norm <= grad_tol: 1e-8 */
  double reduce_tol;   /* relative grouping tolerance of ls_sym_reduce: 1e-6 */
  double match_tol;    /* reduced network = teacher when max weight error <= match_tol *
                          max(1, max|teacher weight|): 1e-5 */
  double sym_grad_tol; /* reduced point critical when its gradient inf-norm <=
                          sym_grad_tol: 1e-6 */
  double eig_tol;      /* relative eigenvalue tolerance (zero / negative): 1e-7 */
  double approach_dist;   /* a not-converged run whose two closest units (incoming weights)
                             are within approach_dist is tested for approaching a
                             symmetry-induced critical point (thesis section 6.2.5): 1e-2;
                             0 = off */
  double approach_loss_rtol; /* ... accepted when the merged network, polished by Newton to
                                a critical point, has the run's loss to this relative
                                tolerance: 1e-3 */
  /* Continuation of a run that no certificate explains (classify.c, docs/classify.md):
   * training goes on from its point, Adam (full batch, continue_lr) for continue_iter
   * steps and then Newton, and the class is the continued point's. */
  size_t continue_iter; /* Adam steps: 30000; 0 = no continuation */
  double continue_lr;   /* Adam's learning rate: 1e-2 */
  /* Near a global minimum (near_global.c, docs/classify.md): a run with a teacher that no
   * certificate explains, whose loss is at most near_global_rloss times the loss of the
   * zero output L(0), is near_global when the teacher expansion built from it
   * (ls_teacher_expansion_near, copies within near_global_copy_rtol) is a certified global
   * minimum; tried before the continuation. */
  double near_global_rloss;     /* 1e-10; 0 = off */
  double near_global_copy_rtol; /* 0.25 */
} ls_classify_opts;
void ls_classify_opts_default(ls_classify_opts *o);
ls_status ls_classify_opts_validate(const ls_classify_opts *o, ls_error *err);

#define LS_CLASSIFY_N_EIGS 3 /* smallest Hessian eigenvalues kept */

typedef struct {
  int layer;        /* hidden layer 1..L-1 */
  int size;         /* units in the group */
  int zero_type;    /* 1: outgoing weights sum to zero (pruned) */
  int teacher_unit; /* teacher neuron (0-based) it copies when matched, else -1 */
  int sign_mixed;   /* 1 when the group holds units with negated incoming weights */
} ls_neuron_group;

typedef struct {
  ls_class_kind cls;
  int converged, sym_induced, reducible;
  ls_crit_cert crit;        /* certificate of the critical point (certify.h); crit.theta is
                               the certified point */
  ls_min_cert mincert;      /* its index / minimum certificate */
  double cert_seconds;      /* wall time spent on the two certificates (ls_cert_critical,
                               ls_cert_minimum) */
  char certificate[48];     /* the certificate that holds: "global", "morse_bott",
                               "higher_order", "valley", "saddle", "escape", or "none" (see
                               crit.reason / mincert.reason) */
  int teacher_match;        /* 1: reduced network = teacher (needs a teacher) */
  double loss, grad_inf;    /* at the point */
  double gn_loss;           /* zero-loss points: loss after Gauss-Newton polishing on the
                               residuals (ls_prune_polish_gn); the polished point is the one
                               reduced, matched and pruned (NaN: not polished) */
  double eig[LS_CLASSIFY_N_EIGS]; /* smallest Hessian eigenvalues, ascending */
  int n_eig;
  int n_zero_eigs, n_neg_eigs;
  double max_abs_eig;
  int P, reduced_P;
  int reduced_width[LS_MAX_LAYERS + 1]; /* hidden widths after reduction */
  double reduced_loss, reduced_grad_inf;
  double match_error;       /* max weight error against the teacher (NaN: no match tried) */
  double min_neuron_dist;   /* smallest Euclidean distance between the incoming weights
                               (+ bias) of two units of one hidden layer (thesis fig. 6.7) */
  double prune_max_diff;    /* max |f_pruned(x) - f(x)| over the data (f: the point after
                               polishing, see gn_loss) */
  double prune_raw_diff;    /* the same against the run's own point, unpolished */
  double polish_shift;      /* max |theta_polished - theta| (0: not polished) */
  int approaching;          /* 1: not converged, but merging its two closest units and
                               polishing gives a critical point of the same loss: the run
                               approaches a symmetry-induced critical point (counted as
                               symmetry-induced, flagged here) */
  int near_saddle;          /* 1: merging its two closest units and polishing gives a
                               critical point of a smaller network within 10% of the run's
                               loss (thesis 6.2.5 "critical points close to saddles"); its
                               expansions are symmetry-induced saddles near the run */
  double approach_loss;     /* loss of the merged, polished network (NaN: not tried) */
  double approach_grad_inf; /* its gradient inf-norm (NaN: not tried) */
  int prune_polished;       /* 1: the pruned network of a zero-loss point was polished by
                               Newton's method (it merged units left slightly apart) */
  int n_groups;
  ls_neuron_group *groups;  /* [n_groups], layer by layer */
  ls_channel_report channel; /* channel test of a run that would be local_min or
                                not_converged (channel.found: class channel) */
  ls_net reduced_net;       /* pruned network and its parameters (owned) */
  double *reduced_theta;
  /* continuation (see continue_iter): tried when the run itself has no certificate */
  int continued;            /* 1: every field above is the continued point's, whose class
                               is certified; the run's own loss and reason are below */
  double run_loss;          /* the run's own loss (= loss when not continued) */
  char run_reason[200];     /* why the run's own point had no certificate (continued) */
  double continue_loss;     /* loss of the continued point (NaN: no continuation) */
  double continue_shift;    /* its max |theta_continued - theta_run| */
  double continue_seconds;  /* wall time of the continuation's training */
  double *continued_theta;  /* [P] the continued point (owned; NULL: not continued) */
  double near_global_dist;  /* near_global: max |theta* - theta| to the certified global
                               minimum theta* (NaN: not tried or not built) */
  double near_global_loss;  /* its loss (exact up to rounding) */
  int near_global_cloud;    /* units of the run put at the origin (zero-type) in theta* */
} ls_classify_result;

void ls_classify_result_free(ls_classify_result *r); /* accepts a zeroed struct */

/* Classify theta on net (loss on d). teacher / theta_t may be NULL (no teacher: global
 * means loss <= loss_floor). r is overwritten; free with ls_classify_result_free. */
ls_status ls_classify_point(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_net *teacher, const double *theta_t,
                            const ls_classify_opts *o, ls_classify_result *r, ls_error *err);

/* The teacher expansion nearest theta (near_global.c): a zero-loss point of a
 * one-hidden-layer net built from theta, each unit a copy of a teacher unit (within
 * copy_rtol of it, up to the activation's odd symmetry) or a zero-type unit moved to the
 * origin, outgoing weights and constants adjusted (Simsek Proposition 4.4). */
typedef struct {
  int ok;             /* 1: built (else reason) */
  int n_copies, n_cloud;
  double dist;        /* max |theta* - theta| */
  double *theta;      /* [P] theta* (owned) */
  char reason[160];
} ls_teacher_expansion;
ls_status ls_teacher_expansion_near(const ls_net *net, const double *theta,
                                    const ls_net *teacher, const double *theta_t,
                                    double copy_rtol, ls_teacher_expansion *e, ls_error *err);
void ls_teacher_expansion_free(ls_teacher_expansion *e); /* accepts a zeroed struct */

/* Polishing on the residuals (gn_polish.c) of an MSE network: at most max_iter steps of the
 * trainer's Levenberg-Marquardt (ls_lm_polish, optim.h); theta and *loss are updated to
 * the final point (its loss never above the initial one). Other losses: theta is left as it is. */
ls_status ls_prune_polish_gn(const ls_net *net, const ls_data *d, double *theta,
                             int max_iter, double *loss, ls_error *err);

/* ---- pruning (prune.c) --------------------------------------------------------------- */

/* Network description as a config network section: {"widths", "activation", "bias",
 * "loss", "output_activation"} (docs/config.md), so a pruned network can be loaded back as
 * a teacher or student. Returns a new JSON string (free()) or NULL when out of memory. */
char *ls_prune_net_json(const ls_net *net);
/* Write stem.npy (parameters) and stem.json (description + "params_file"), atomically. */
ls_status ls_prune_write(const char *stem, const ls_net *net, const double *theta,
                         ls_error *err);
/* max |f_b(x) - f_a(x)| over the inputs of d. */
ls_status ls_prune_verify(const ls_net *na, const double *ta, const ls_net *nb,
                          const double *tb, const ls_data *d, double *max_diff, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
