/* landsym: channels to infinity (Martinelli, Van Meegen, Simsek, Gerstner, Brea 2025,
 * "Flat channels to infinity in neural loss landscapes", arXiv 2506.14951).
 *
 * Along a channel two units i, j of one hidden layer merge (w_i - w_j -> 0) while their
 * outgoing weights grow with opposite signs (a_i -> +inf, a_j -> -inf); the loss falls
 * monotonically and ever more slowly, and optimisers stop on their gradient tolerance at
 * finite parameters. In the limit the pair computes a gated linear unit (GLU, net.h):
 *   a_i f(w_i.x) + a_j f(w_j.x) -> c f(w.x) + (v.x) f'(w.x),
 *   c = a_i + a_j,  v = (a_i - a_j)/2 (w_i - w_j)  (x with the constant input for a bias).
 * With an activation that is odd up to a constant (sigmoid: f(-x) = 1 - f(x)) the same
 * channel appears with w_i ~ -w_j and a_i ~ a_j; unit j is flipped first (w_j -> -w_j,
 * a_j -> -a_j, the constant a_j f(x) + a_j f(-x) = a_j going to the next layer's bias).
 *
 * ls_channel_find certifies a channel at a run's point theta: it looks for the pair, builds
 * the limit network (the pair replaced by one GLU unit; a second-order group of three or
 * more units by one second-order gated unit, f + u f' + 1/2 q f''), trains it to machine precision,
 * measures its loss, gradient and Hessian inertia and the distance between the run's and
 * the limit's functions on the data, and (optionally) follows the run along the channel by
 * gradient flow in coordinates where the channel end is finite (channel_flow.c). */
#ifndef LANDSYM_CHANNEL_H
#define LANDSYM_CHANNEL_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double dist_max;   /* units of one group: incoming weights (+ bias; after the odd flip)
                        within dist_max * max(1, |w|) of each other (single linkage): 0.1 */
  double out_min;    /* members: outgoing weights |a_k| >= out_min; a group: largest |a_k|
                        >= out_min * max(1, |c|), c = sum of its (signed) outgoing weights,
                        i.e. they have run off while their sum stays finite: 5 */
  double v_min;      /* ... and a gate |v| = |sum_k a_k (w_k - w)| >= v_min (else the group
                        is a plain duplicate, a finite symmetry-induced point): 1e-3 */
  double fn_rtol;    /* certificate: RMS over the data of f_run - f_limit (polished limit)
                        <= fn_rtol * sqrt(run's loss) + 1e-12: 1 */
  double loss_rtol;  /* ... and limit loss <= run's loss * (1 + loss_rtol) + 1e-15: 1e-10 */
  double grad_tol;   /* the polished limit is critical when its gradient inf-norm <=
                        grad_tol: 1e-10 */
  double eig_tol;    /* zero / negative eigenvalues of the limit's Hessian: |lambda| <=
                        eig_tol * max|lambda| (1e-7, as classify) */
  size_t polish_iter; /* Newton iterations for the limit: 2000 */
  int flow;          /* 1: follow the run along its first channel (continuation): 0 */
  double flow_tmax;  /* gradient flow time of the continuation: 1e8 */
  double flow_s_min; /* ... stops when the channel coordinate s = 2 / |a_i - a_j| falls
                        below flow_s_min * s(run): 1e-4 */
} ls_channel_opts;
void ls_channel_opts_default(ls_channel_opts *o);
ls_status ls_channel_opts_validate(const ls_channel_opts *o, ls_error *err);

/* One sample of the continuation: gradient-flow time, loss, norm of the pair's outgoing
 * weights sqrt(|a_i|^2 + |a_j|^2), the channel coordinate s, and the pair's first input
 * weight and first output weight. */
typedef struct {
  double t, loss, out_norm, s, w_i, w_j, a_i, a_j;
} ls_channel_sample;

#define LS_CHANNEL_MAX_GROUPS 8
#define LS_CHANNEL_MAX_UNITS 8

/* One channel: a group of units of one hidden layer (indices in the run's network). */
typedef struct {
  int layer, size;
  int unit[LS_CHANNEL_MAX_UNITS];
  int sign[LS_CHANNEL_MAX_UNITS]; /* -1: taken flipped (odd symmetry, w_k ~ -w) */
  double dist;     /* largest distance of a member's (signed) incoming vector to the mean */
  double out_max;  /* largest |a_k| (outgoing weights, norm over the next layer) */
  double c_norm;   /* |c| = |sum_k s_k a_k|: the limit GLU's outgoing weight */
  double v_norm;   /* |v| = |sum_k s_k a_k (s_k w_k - w)|: its gate (Frobenius norm) */
  double m_norm;   /* |M| = |sum_k s_k a_k d_k d_k^T|, d_k = s_k w_k - w (Frobenius norm over
                      the outputs and the entries): the second-order term
                      1/2 (x^T M x) f''(w.x) that the one-GLU limit drops (channel.c). It
                      vanishes along a pair channel (|M| ~ |A| |delta|^2 -> 0); a group of
                      three or more units whose outgoing weights grow like 1/eps^2 keeps it
                      finite: a second-order channel */
  int order;       /* 2: a group of three or more units with |M| > |v| dist, whose limit is
                      the second-order gated unit (net.h glu2); 1: the GLU */
} ls_channel_group;

typedef struct {
  int found;          /* 1: channel certified (a group found, the limit's loss is not above
                         the run's and its function is within fn_rtol sqrt(loss)) */
  int n_groups;       /* channels found (all replaced in the limit network) */
  ls_channel_group groups[LS_CHANNEL_MAX_GROUPS];
  int bias_added;     /* 1: the limit got a bias in a layer after a flip (the constant
                         a_k f(x) + a_k f(-x) = a_k k has to go somewhere) */
  double loss;        /* the run's loss */
  double limit_loss0; /* the limit network at the run's parameters */
  double fn_dist0;    /* RMS over the data of f_run - f_limit at the run's parameters */
  double limit_loss, limit_grad_inf; /* the limit after Newton polishing */
  double fn_dist;     /* RMS over the data of f_run - f_limit (polished) */
  double limit_shift; /* max |theta_limit polished - theta_limit at the run| */
  int n_pos, n_neg, n_zero; /* inertia of the polished limit's Hessian (eig_tol) */
  double eig_min, eig_max;
  int limit_critical; /* limit_grad_inf <= grad_tol */
  int minimum;        /* 1: minimum at infinity (critical limit, no negative eigenvalue);
                         0: saddle at infinity (or the limit did not become critical) */
  char reason[160];   /* "channel (...)" or why found is 0 */
  ls_net limit_net;   /* the limit network and its polished parameters (owned) */
  double *limit_theta;
  /* continuation (opts.flow; groups[0] when it is an unflipped pair): samples at
   * increasing times; flow_monotone: the loss never rose between samples */
  size_t n_flow;
  ls_channel_sample *flow_samples;
  int flow_monotone;
  double flow_loss_end, flow_s_end;
  char flow_stop[64]; /* why the continuation stopped */
} ls_channel_report;

void ls_channel_report_free(ls_channel_report *rep); /* accepts a zeroed struct */

/* Look for a channel at theta (net, data d); rep is overwritten (free it with
 * ls_channel_report_free). Returns LS_OK whether or not a channel was found. */
ls_status ls_channel_find(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *o, ls_channel_report *rep, ls_error *err);

/* The limit network of one group g (indices and signs in net): net_lim gets the group
 * replaced by one GLU unit appended to layer g->layer (a bias is added to the next layer
 * when a flip leaves a constant and the network has none: *bias_added = 1); th_lim is
 * allocated. */
ls_status ls_channel_limit(const ls_net *net, const double *theta, const ls_channel_group *g,
                           ls_net *net_lim, double **th_lim, int *bias_added, ls_error *err);

/* Continuation (channel_flow.c) along rep->groups[0] (an unflipped pair i, j; otherwise
 * nothing is done): gradient flow from theta in the coordinates
 * (rest, w = (w_i + w_j)/2, c = a_i + a_j, v, s) with w_i,j = w +- s v / 2,
 * a_i,j = c/2 +- A_hat / s (A_hat = the run's (a_i - a_j)/2 direction, unit norm), where
 * the channel's end s = 0 is a finite point. Fills rep->flow_*. */
ls_status ls_channel_flow(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *o, ls_channel_report *rep, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
