/* `landsym sweep --device cuda`: each batch of seeds of one width is trained at once by the
 * CUDA backend (include/landsym/gpu.h); the runs are recorded by the sweep runner exactly
 * as the CPU sweep records them (ls_sweep_run_batched). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "landsym/exp_sweep.h"
#include "landsym/gpu.h"

ls_status ls_exp_sweep_gpu_check(const ls_exp_sweep *x, const ls_sweep_opts *o, ls_error *err) {
  for (int i = 0; i < o->n_widths; i++) {
    ls_net net;
    ls_exp_sweep_student(x, o->widths[i], &net);
    ls_status s = ls_gpu_check(&net, ls_exp_sweep_data(x), ls_exp_sweep_train_opts(x), err);
    if (s) return ls_error_prefix(err, "--device cuda, student width %d", o->widths[i]);
  }
  return LS_OK;
}

ls_status ls_exp_sweep_gpu_job(void *ctx, const ls_sweep_task *tasks, size_t n, ls_seed_result *out,
                            ls_error *err) {
  const ls_exp_sweep *x = ctx;
  ls_net net;
  ls_exp_sweep_student(x, tasks[0].width, &net);
  size_t P = ls_net_nparams(&net);
  double *theta = malloc(n * P * sizeof *theta);
  ls_gpu_result *r = malloc(n * sizeof *r);
  if (!theta || !r) {
    free(theta), free(r);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for a batch of %zu runs", n);
  }
  ls_status s = LS_OK;
  for (size_t i = 0; i < n && s == LS_OK; i++)
    s = ls_exp_sweep_init(x, &net, tasks[i].width, tasks[i].seed, theta + i * P, err);
  if (s == LS_OK)
    s = ls_gpu_train(&net, ls_exp_sweep_data(x), ls_exp_sweep_train_opts(x), n, theta, r, err);
  /* A device error is no property of the runs: leave them unrecorded (--resume retries). */
  if (s == LS_ERR_COMPUTE) s = LS_ERR_IO;
  for (size_t i = 0; i < n && s == LS_OK; i++) {
    out[i].params = malloc(P * sizeof *out[i].params);
    if (!out[i].params) {
      s = ls_error_set(err, LS_ERR_NOMEM, "out of memory for a batch of %zu runs", n);
      break;
    }
    for (size_t p = 0; p < P; p++) out[i].params[p] = theta[i * P + p];
    out[i].nparams = P;
    out[i].loss = r[i].loss;
    out[i].grad_inf = r[i].grad_inf;
    snprintf(out[i].stop, sizeof out[i].stop, "%s", ls_stop_name(r[i].stop));
    out[i].converged = r[i].stop == LS_STOP_GRAD && isfinite(r[i].loss);
    out[i].iterations = r[i].flow_steps + r[i].newton_iters;
  }
  free(theta), free(r);
  return s;
}
