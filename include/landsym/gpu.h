/* landsym: the optional CUDA backend (src/gpu/, docs/gpu.md). float64 throughout.
 *
 * Batched training of many small networks at once, one seed per thread block: the
 * networks with one hidden layer and one output under the MSE loss (the thesis toy and
 * the teacher-student students of Simsek et al. 2021), trained by the gradient flow
 * d(theta)/dt = -grad L (integrated with a linearly implicit, L-stable Rosenbrock method
 * with the exact Hessian) and polished by damped Newton steps on the exact Hessian.
 *
 * Built without CUDA (or run on a machine without a GPU), every call returns
 * LS_ERR_COMPUTE with a message saying so; ls_gpu_device_count() is then 0. */
#ifndef LANDSYM_GPU_H
#define LANDSYM_GPU_H

#include <stddef.h>

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/optim.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest parameter count the batched kernels take (the shared-memory working set of a
 * block grows as P^2). */
#define LS_GPU_MAX_PARAMS 64

/* Number of CUDA devices (0 when none, when the driver is missing, or when landsym was
 * built without CUDA); msg (may be NULL) receives the reason when 0, else the name of
 * device 0. */
int ls_gpu_device_count(char *msg, size_t len);

/* LS_OK when (net, data, opts) can be trained on the GPU; LS_ERR_INPUT naming the first
 * thing that cannot (network shape, activation, loss, trainer method, option), so that
 * the caller can say what to change. Needs no GPU. */
ls_status ls_gpu_check(const ls_net *net, const ls_data *d, const ls_train_opts *o,
                       ls_error *err);

/* Loss, gradient and exact Hessian of n parameter vectors theta (n x P, row-major) on the
 * GPU: loss[n], grad[n x P], hess[n x P x P] (hess may be NULL). For tests against the
 * CPU engine (ls_loss_grad, ls_hessian). */
ls_status ls_gpu_eval(const ls_net *net, const ls_data *d, size_t n, const double *theta,
                      double *loss, double *grad, double *hess, ls_error *err);

/* Result of one seed of ls_gpu_train. */
typedef struct {
  double loss, grad_inf;  /* at the returned point */
  ls_stop_reason stop;    /* LS_STOP_GRAD when grad_inf < grad_tol */
  long flow_steps;        /* accepted Rosenbrock steps of the gradient flow */
  long newton_iters;      /* Newton iterations (accepted and rejected trial steps) */
  double flow_t;          /* integration time the flow reached */
} ls_gpu_result;

/* Train n networks from theta (n x P, row-major; overwritten with the returned points):
 * opts->first is LS_FIRST_FLOW or LS_FIRST_NONE, opts->polish LS_POLISH_NEWTON or
 * LS_POLISH_NONE (ls_gpu_check says what else is refused). The flow runs until the
 * gradient inf-norm is below switch_grad_tol (grad_tol when no polish follows), for at
 * most first_maxiter accepted steps, up to time flow_tmax, with the local error test
 * of flow_rtol and flow_atol; Newton runs at most polish_maxiter iterations to grad_tol. */
ls_status ls_gpu_train(const ls_net *net, const ls_data *d, const ls_train_opts *opts,
                       size_t n, double *theta, ls_gpu_result *out, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
