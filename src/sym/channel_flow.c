/* Continuation of a run along its channel to infinity (include/landsym/channel.h):
 * gradient flow in coordinates where the channel's end is a finite point.
 *
 * Coordinates phi = (theta, w, c, v, s): theta holds every parameter of the network except
 * the pair's (those entries of theta are ignored and do not move), and the pair is
 *   w_i = w + s v / 2,  w_j = w - s v / 2,  a_i = c/2 + A_hat / s,  a_j = c/2 - A_hat / s,
 * A_hat the unit vector of the run's (a_i - a_j)/2 (fixed). Then c = a_i + a_j and
 * (a_i - a_j)/2 (w_i - w_j) = A_hat v^T are the GLU limit's parameters (channel.c), the
 * outgoing weights grow like 1/s, and the network's function is analytic in s around
 * s = 0, where it equals the limit GLU network (the error terms of channel.c are
 * O(s^2)). By the chain rule, with g the loss gradient in the original parameters,
 *   dL/dw = g_wi + g_wj,  dL/dv = s/2 (g_wi - g_wj),  dL/dc = (g_ai + g_aj)/2,
 *   dL/ds = v.(g_wi - g_wj)/2 - A_hat.(g_ai - g_aj) / s^2.
 * d phi/dt = -grad_phi L is integrated by CVODE (BDF, dense exact Jacobian from the
 * network's Hessian, see jac(); the flow is stiff like the one of optim/flow.c) and sampled on a grid of 10
 * times per decade; it stops when |s| falls below flow_s_min times the run's s, at
 * flow_tmax, when the loss is within 1e-5 of its initial gap to the limit's loss, or when
 * CVODE fails (rounding: dL/ds holds terms A_hat.g_a / s^2, whose relative rounding error
 * grows like 1e-16 / s^2 while dL/ds itself shrinks like s). Gradient flow never raises the loss, so the samples' loss decreases
 * (flow_monotone checks it; rounding allowed) towards the limit's loss as |a| grows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "landsym/channel.h"
#include "landsym/engine.h"

typedef struct {
  const ls_net *net;
  const ls_data *d;
  ls_work *w;
  int l, i, j, len, m;
  size_t P, n_phi;
  double *ahat, *th, *g, *H, *J, *HJ; /* H: P x P; J, HJ: P x n_phi */
  int fail;
} flow_ctx;

/* phi = [theta (P) | w (len) | c (m) | v (len) | s] */
static void phi_to_theta(flow_ctx *f, const double *phi) {
  const ls_net *net = f->net;
  int l = f->l, din = net->width[l - 1], W = net->width[l];
  const double *wb = phi + f->P, *c = wb + f->len, *v = c + f->m, s = v[f->len];
  memcpy(f->th, phi, f->P * sizeof *f->th);
  for (int k = 0; k < f->len; k++) {
    double wi = wb[k] + s * v[k] / 2, wj = wb[k] - s * v[k] / 2;
    if (k < din) {
      f->th[ls_net_w_offset(net, l) + (size_t)f->i * din + k] = wi;
      f->th[ls_net_w_offset(net, l) + (size_t)f->j * din + k] = wj;
    } else {
      f->th[ls_net_b_offset(net, l) + f->i] = wi;
      f->th[ls_net_b_offset(net, l) + f->j] = wj;
    }
  }
  for (int o = 0; o < f->m; o++) {
    size_t r = ls_net_w_offset(net, l + 1) + (size_t)o * W;
    f->th[r + f->i] = c[o] / 2 + f->ahat[o] / s;
    f->th[r + f->j] = c[o] / 2 - f->ahat[o] / s;
  }
}

/* Position of component k of the incoming vector of unit u in theta. */
static size_t in_index(const ls_net *net, int l, int u, int k) {
  int din = net->width[l - 1];
  return k < din ? ls_net_w_offset(net, l) + (size_t)u * din + k : ls_net_b_offset(net, l) + u;
}

/* Loss and gradient in phi. */
static int phi_grad(flow_ctx *f, const double *phi, double *loss, double *gphi) {
  phi_to_theta(f, phi);
  if (ls_loss_grad(f->net, f->d, f->th, loss, f->g, f->w) != LS_OK || !isfinite(*loss)) return 1;
  if (!gphi) return 0;
  const ls_net *net = f->net;
  int l = f->l, W = net->width[l];
  const double *v = phi + f->P + f->len + f->m, s = v[f->len];
  memcpy(gphi, f->g, f->P * sizeof *gphi);
  double *gw = gphi + f->P, *gc = gw + f->len, *gv = gc + f->m, *gs = gv + f->len;
  *gs = 0;
  for (int k = 0; k < f->len; k++) {
    size_t pi = in_index(net, l, f->i, k), pj = in_index(net, l, f->j, k);
    gw[k] = f->g[pi] + f->g[pj];
    gv[k] = s / 2 * (f->g[pi] - f->g[pj]);
    *gs += v[k] * (f->g[pi] - f->g[pj]) / 2;
    gphi[pi] = gphi[pj] = 0;
  }
  for (int o = 0; o < f->m; o++) {
    size_t r = ls_net_w_offset(net, l + 1) + (size_t)o * W;
    double gi = f->g[r + f->i], gj = f->g[r + f->j];
    gc[o] = (gi + gj) / 2;
    *gs -= f->ahat[o] * (gi - gj) / (s * s);
    gphi[r + f->i] = gphi[r + f->j] = 0;
  }
  return 0;
}

static int rhs(realtype t, N_Vector y, N_Vector ydot, void *ud) {
  (void)t;
  flow_ctx *f = ud;
  double loss, *g = N_VGetArrayPointer(ydot);
  if (phi_grad(f, N_VGetArrayPointer(y), &loss, g)) return 1;
  for (size_t k = 0; k < f->n_phi; k++) g[k] = -g[k];
  return 0;
}

/* Jacobian of the right-hand side: -H_phi, H_phi = J^T H J + sum_p g_p d^2 theta_p / d phi^2
 * with J = d theta / d phi (the map above; its second derivatives: d^2 w_i / ds dv = 1/2,
 * d^2 w_j / ds dv = -1/2, d^2 a_i / ds^2 = 2 A_hat / s^3 = -d^2 a_j / ds^2). */
static int jac(realtype t, N_Vector y, N_Vector fy, SUNMatrix Jm, void *ud, N_Vector t1,
               N_Vector t2, N_Vector t3) {
  (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
  flow_ctx *f = ud;
  const ls_net *net = f->net;
  const double *phi = N_VGetArrayPointer(y);
  size_t P = f->P, n = f->n_phi;
  int l = f->l, W = net->width[l];
  const double *v = phi + P + f->len + f->m, s = v[f->len];
  double loss;
  if (phi_grad(f, phi, &loss, NULL)) return 1;
  if (ls_hessian(f->net, f->d, f->th, f->H, f->w) != LS_OK) return 1;
  /* J (P x n), column-major in f->J: J[q * P + p] = d theta_p / d phi_q */
  double *J = f->J;
  memset(J, 0, P * n * sizeof *J);
  for (size_t p = 0; p < P; p++) J[p * P + p] = 1;
  size_t ow = P, oc = P + (size_t)f->len, ov = oc + (size_t)f->m, os = n - 1;
  for (int k = 0; k < f->len; k++) {
    size_t pi = in_index(net, l, f->i, k), pj = in_index(net, l, f->j, k);
    J[pi * P + pi] = J[pj * P + pj] = 0;
    J[(ow + k) * P + pi] = 1, J[(ow + k) * P + pj] = 1;
    J[(ov + k) * P + pi] = s / 2, J[(ov + k) * P + pj] = -s / 2;
    J[os * P + pi] = v[k] / 2, J[os * P + pj] = -v[k] / 2;
  }
  for (int o = 0; o < f->m; o++) {
    size_t r = ls_net_w_offset(net, l + 1) + (size_t)o * W, pi = r + f->i, pj = r + f->j;
    J[pi * P + pi] = J[pj * P + pj] = 0;
    J[(oc + o) * P + pi] = 0.5, J[(oc + o) * P + pj] = 0.5;
    J[os * P + pi] = -f->ahat[o] / (s * s), J[os * P + pj] = f->ahat[o] / (s * s);
  }
  /* HJ[q * P + p] = (H J)_{p q}, then A = J^T H J */
  double *HJ = f->HJ;
  for (size_t q = 0; q < n; q++)
    for (size_t p = 0; p < P; p++) {
      double acc = 0;
      for (size_t r = 0; r < P; r++) acc += f->H[p * P + r] * J[q * P + r];
      HJ[q * P + p] = acc;
    }
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      double acc = 0;
      for (size_t p = 0; p < P; p++) acc += J[a * P + p] * HJ[b * P + p];
      SM_ELEMENT_D(Jm, a, b) = -acc;
    }
  /* second derivatives of the map, weighted by the gradient */
  double ss = 0;
  for (int k = 0; k < f->len; k++) {
    double gd = (f->g[in_index(net, l, f->i, k)] - f->g[in_index(net, l, f->j, k)]) / 2;
    SM_ELEMENT_D(Jm, ov + k, os) -= gd;
    SM_ELEMENT_D(Jm, os, ov + k) -= gd;
  }
  for (int o = 0; o < f->m; o++) {
    size_t r = ls_net_w_offset(net, l + 1) + (size_t)o * W;
    ss += 2 * f->ahat[o] / (s * s * s) * (f->g[r + f->i] - f->g[r + f->j]);
  }
  SM_ELEMENT_D(Jm, os, os) -= ss;
  return 0;
}

static void quiet(int code, const char *module, const char *fn, char *msg, void *ud) {
  (void)code, (void)module, (void)fn, (void)msg, (void)ud;
}

static ls_channel_sample sample_at(flow_ctx *f, const double *phi, double t, double loss) {
  const ls_net *net = f->net;
  int l = f->l, W = net->width[l];
  size_t r = ls_net_w_offset(net, l + 1);
  double ai = f->th[r + f->i], aj = f->th[r + f->j], on = 0;
  for (int o = 0; o < f->m; o++) {
    double x = f->th[r + (size_t)o * W + f->i], y = f->th[r + (size_t)o * W + f->j];
    on += x * x + y * y;
  }
  ls_channel_sample s = {t, loss, sqrt(on), phi[f->n_phi - 1],
                         f->th[in_index(net, l, f->i, 0)], f->th[in_index(net, l, f->j, 0)], ai, aj};
  return s;
}

ls_status ls_channel_flow(const ls_net *net, const ls_data *d, const double *theta,
                          const ls_channel_opts *o, ls_channel_report *rep, ls_error *err) {
  const ls_channel_group *gr = &rep->groups[0];
  /* pairs only; a flip's constant would move with s (no bias to take it) */
  if (rep->n_groups < 1 || gr->size != 2 || gr->sign[0] != 1 || gr->sign[1] != 1) return LS_OK;
  flow_ctx f;
  memset(&f, 0, sizeof f);
  f.net = net, f.d = d, f.l = gr->layer, f.i = gr->unit[0], f.j = gr->unit[1];
  f.len = net->width[f.l - 1] + (net->bias[f.l] ? 1 : 0);
  f.m = net->width[f.l + 1];
  f.P = ls_net_nparams(net);
  f.n_phi = f.P + 2 * (size_t)f.len + (size_t)f.m + 1;
  size_t cap = 16 * 10 + 2;
  f.w = ls_work_alloc(net, d->n);
  f.ahat = malloc((size_t)f.m * sizeof *f.ahat);
  f.th = malloc(f.P * sizeof *f.th);
  f.g = malloc(f.P * sizeof *f.g);
  f.H = malloc(f.P * f.P * sizeof *f.H);
  f.J = malloc(f.P * f.n_phi * sizeof *f.J);
  f.HJ = malloc(f.P * f.n_phi * sizeof *f.HJ);
  rep->flow_samples = malloc(cap * sizeof *rep->flow_samples);
  SUNContext ctx = NULL;
  N_Vector y = NULL;
  SUNMatrix A = NULL;
  SUNLinearSolver LS = NULL;
  void *mem = NULL;
  ls_status st = LS_OK;
  if (!f.w || !f.ahat || !f.th || !f.g || !f.H || !f.J || !f.HJ || !rep->flow_samples || SUNContext_Create(NULL, &ctx)) {
    st = ls_error_set(err, LS_ERR_NOMEM, "channel flow: out of memory");
    goto done;
  }
  y = N_VNew_Serial((sunindextype)f.n_phi, ctx);
  mem = CVodeCreate(CV_BDF, ctx);
  A = SUNDenseMatrix((sunindextype)f.n_phi, (sunindextype)f.n_phi, ctx);
  LS = (y && A) ? SUNLinSol_Dense(y, A, ctx) : NULL;
  if (!y || !mem || !A || !LS) {
    st = ls_error_set(err, LS_ERR_NOMEM, "channel flow: CVODE set-up failed");
    goto done;
  }
  /* initial phi from the run */
  double *phi = N_VGetArrayPointer(y);
  memcpy(phi, theta, f.P * sizeof *phi);
  double *wb = phi + f.P, *c = wb + f.len, *v = c + f.m, *s = v + f.len, an = 0;
  size_t r = ls_net_w_offset(net, f.l + 1);
  int W = net->width[f.l];
  for (int q = 0; q < f.m; q++) {
    double ai = theta[r + (size_t)q * W + f.i], aj = theta[r + (size_t)q * W + f.j];
    c[q] = ai + aj, f.ahat[q] = (ai - aj) / 2, an += f.ahat[q] * f.ahat[q];
  }
  an = sqrt(an);
  for (int q = 0; q < f.m; q++) f.ahat[q] /= an;
  *s = 1 / an;
  for (int k = 0; k < f.len; k++) {
    double wi = theta[in_index(net, f.l, f.i, k)], wj = theta[in_index(net, f.l, f.j, k)];
    wb[k] = (wi + wj) / 2, v[k] = (wi - wj) / *s;
  }
  double s0 = *s, loss;
  if (phi_grad(&f, phi, &loss, NULL)) {
    st = ls_error_set(err, LS_ERR_COMPUTE, "channel flow: the loss could not be computed");
    goto done;
  }
  rep->flow_samples[0] = sample_at(&f, phi, 0, loss);
  double gap0 = loss - rep->limit_loss;
  rep->n_flow = 1;
  int flag = CVodeInit(mem, rhs, 0.0, y);
  flag |= CVodeSStolerances(mem, 1e-10, 1e-12);
  flag |= CVodeSetUserData(mem, &f);
  flag |= CVodeSetErrHandlerFn(mem, quiet, NULL);
  flag |= CVodeSetMaxNumSteps(mem, 20000);
  flag |= CVodeSetLinearSolver(mem, LS, A);
  flag |= CVodeSetJacFn(mem, jac);
  flag |= CVodeSetStopTime(mem, o->flow_tmax);
  if (flag) {
    st = ls_error_set(err, LS_ERR_COMPUTE, "channel flow: CVODE set-up failed");
    goto done;
  }
  double t = 0;
  for (int k = -20; rep->n_flow < cap; k++) { /* tout = 10^(k/10), 1e-2 .. flow_tmax */
    double tout = fmin(pow(10.0, k / 10.0), o->flow_tmax);
    int cf = CVode(mem, tout, y, &t, CV_NORMAL);
    if (cf < 0) {
      snprintf(rep->flow_stop, sizeof rep->flow_stop, "CVODE flag %d at t = %.3g", cf, t);
      break;
    }
    phi = N_VGetArrayPointer(y);
    if (phi_grad(&f, phi, &loss, NULL)) break;
    rep->flow_samples[rep->n_flow++] = sample_at(&f, phi, t, loss);
    if (fabs(phi[f.n_phi - 1]) < o->flow_s_min * s0) {
      snprintf(rep->flow_stop, sizeof rep->flow_stop, "s below flow_s_min * s(run)");
      break;
    }
    if (t >= o->flow_tmax) {
      snprintf(rep->flow_stop, sizeof rep->flow_stop, "flow_tmax");
      break;
    }
    /* at the limit's loss to 1e-5 of the initial gap: beyond, rounding in the 1/s^2 terms
     * of dL/ds (relative 1e-16 / s^2) outgrows the gradient itself */
    if (isfinite(rep->limit_loss) && loss - rep->limit_loss <= 1e-5 * gap0) {
      snprintf(rep->flow_stop, sizeof rep->flow_stop, "loss within 1e-5 of the initial gap");
      break;
    }
  }
  rep->flow_monotone = 1;
  for (size_t k = 1; k < rep->n_flow; k++)
    if (rep->flow_samples[k].loss >
        rep->flow_samples[k - 1].loss + 1e-13 * fabs(rep->flow_samples[k - 1].loss))
      rep->flow_monotone = 0;
  rep->flow_loss_end = rep->flow_samples[rep->n_flow - 1].loss;
  rep->flow_s_end = rep->flow_samples[rep->n_flow - 1].s;
done:
  if (mem) CVodeFree(&mem);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
  SUNContext_Free(&ctx);
  ls_work_free(f.w);
  free(f.ahat), free(f.th), free(f.g), free(f.H), free(f.J), free(f.HJ);
  return st;
}
