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
 * the limit network (the pair replaced by one GLU unit), trains it to machine precision,
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
  double dist_max;   /* candidate pair: |w_i - w_j| (incoming weights + bias, after the odd
                        flip) <= dist_max * max(1, |w_i|): 0.1 */
  double out_min;    /* ... and |a_i - a_j| / 2 >= out_min * max(1, |a_k| of the other
                        units of the layer): 5 (the outgoing weights have run off) */
  double fn_rtol;    /* certificate: RMS over the data of f_run - f_limit (trained limit)
                        <= fn_rtol * sqrt(run's loss) + 1e-12: 1 */
  double loss_rtol;  /* ... and limit loss <= run's loss * (1 + loss_rtol) + 1e-15: 1e-6 */
  double grad_tol;   /* the trained limit is critical when its gradient inf-norm <=
                        grad_tol: 1e-10 */
  double eig_tol;    /* negative eigenvalue of the limit's Hessian: < -eig_tol * max|lambda|
                        (1e-7, as classify) */
  size_t polish_iter; /* Newton iterations for the limit: 2000 */
  int flow;          /* 1: follow the run along the channel (continuation, flow_*): 0 */
  double flow_tmax;  /* gradient flow time of the continuation: 1e8 */
  double flow_s_min; /* ... stops when the channel coordinate s = 1 / |a_i - a_j| * 2 falls
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

typedef struct {
  int found;          /* 1: a channel certified (all conditions below hold) */
  int candidate;      /* 1: a pair of the shape of a channel was found (found needs more) */
  int layer, i, j;    /* the pair (units of hidden layer `layer`, 0-based) */
  int flipped;        /* 1: unit j taken with flipped sign (odd symmetry, w_j ~ -w_i) */
  double dist;        /* |w_i - w_j| after the flip */
  double a_i, a_j;    /* outgoing weights (first output), after the flip */
  double c_norm;      /* |a_i + a_j| over the outputs */
  double v_norm;      /* |(a_i - a_j)/2 (w_i - w_j)|: the GLU's linear-gate weight */
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
                         0: saddle at infinity */
  char reason[160];   /* why found is 0 (or "channel") */
  ls_net limit_net;   /* the limit network and its polished parameters (owned) */
  double *limit_theta;
  /* continuation (opts.flow): samples at increasing times; flow_monotone: the loss never
   * increased between samples; flow_loss_end and flow_s_end at the last sample */
  size_t n_flow;
  ls_channel_sample *flow_samples;
  int flow_monotone;
  double flow_loss_end, flow_s_end;
} ls_channel_report;

void ls_channel_report_free(ls_channel_report *rep); /* accepts a zeroed struct */

/* Look for a channel at theta (net, data d); rep is overwritten (free it with
 * ls_channel_report_free). Returns LS_OK whether or not a channel was found. */
ls_status ls_channel_find(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *o, ls_channel_report *rep, ls_error *err);

/* The limit network of the pair (layer l, units i, j; flip j when flipped): net_lim gets
 * the pair replaced by one GLU unit appended to layer l (a bias in layer l+1 is added when
 * the flip leaves a constant and the network has none); th_lim is allocated. */
ls_status ls_channel_limit(const ls_net *net, const double *theta, int l, int i, int j,
                           int flipped, ls_net *net_lim, double **th_lim, ls_error *err);

/* Continuation (channel_flow.c): gradient flow from theta in the coordinates
 * (rest, w = (w_i + w_j)/2, c = a_i + a_j, v, s) with w_i,j = w +- s v / 2,
 * a_i,j = c/2 +- A_hat / s (A_hat = the run's (a_i - a_j)/2 direction, unit norm), where
 * the channel's end s = 0 is a finite point. Fills rep->flow_*. */
ls_status ls_channel_flow(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *o, ls_channel_report *rep, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
