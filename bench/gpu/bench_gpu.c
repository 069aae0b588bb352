/* Table 6.1 protocol on the GPU (Stoican 2022, section 6.2): width-5 students of the thesis
 * toy (2-4-1 sigmoid teacher without biases, 41x41 grid on [-5,5]^2), Glorot-initialised
 * from seeds 1..N as `landsym sweep` does, trained by ls_gpu_train (gradient flow, then
 * trust-region Newton) to a gradient inf-norm below --grad-tol. Prints the wall time,
 * seeds/s, the converged fraction (each converged point re-checked with the CPU engine),
 * the stop reasons and the loss classes; --dump DIR writes x, y and the initial points as
 * .npy for the JAX baseline (bench/gpu/jax_adam.py).
 *
 * usage: bench_gpu [--seeds N] [--grad-tol T] [--dump DIR] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/gpu.h"
#include "landsym/io.h"

static const double teacher[12] = {0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long nseeds = 10000;
  double grad_tol = 1e-12;
  const char *dump = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--seeds")) nseeds = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--grad-tol")) grad_tol = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--dump")) dump = argv[i + 1];
    else {
      fprintf(stderr, "bench_gpu: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (nseeds < 1) return 2;
  ls_error err = {LS_OK, ""};
  char dev[256];
  if (ls_gpu_device_count(dev, sizeof dev) < 1) {
    fprintf(stderr, "bench_gpu: %s\n", dev);
    return 1;
  }
  ls_net tnet, net;
  int tw[3] = {2, 4, 1}, sw[3] = {2, 5, 1};
  ls_act sg = {LS_ACT_SIGMOID, 0, 0};
  ls_data d;
  if (ls_net_init(&tnet, 2, tw, sg, 0, &err) || ls_net_init(&net, 2, sw, sg, 0, &err) ||
      ls_data_grid(&d, 41, 2, -5, 5, 1, &err) ||
      ls_data_teacher_targets(&d, &tnet, teacher, 0, &err)) {
    fprintf(stderr, "bench_gpu: %s\n", err.msg);
    return 1;
  }
  size_t P = ls_net_nparams(&net), N = (size_t)nseeds;
  double *th = malloc(N * P * sizeof *th), *th0 = malloc(N * P * sizeof *th0);
  ls_gpu_result *r = malloc(N * sizeof *r);
  if (!th || !th0 || !r) return 1;
  for (size_t s = 0; s < N; s++) ls_params_glorot(&net, (uint64_t)s + 1, th0 + s * P);
  if (dump) {
    char path[4096];
    size_t xs[2] = {d.n, 2}, ys[1] = {d.n}, ts[2] = {N, P};
    snprintf(path, sizeof path, "%s/x.npy", dump);
    ls_status s = ls_npy_write(path, d.x, 2, xs, &err);
    snprintf(path, sizeof path, "%s/y.npy", dump);
    if (!s) s = ls_npy_write(path, d.y, 1, ys, &err);
    snprintf(path, sizeof path, "%s/theta0.npy", dump);
    if (!s) s = ls_npy_write(path, th0, 2, ts, &err);
    if (s) {
      fprintf(stderr, "bench_gpu: %s\n", err.msg);
      return 1;
    }
  }
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_FLOW, o.polish = LS_POLISH_NEWTON, o.grad_tol = grad_tol;
  /* warm-up: CUDA context and module load, not counted */
  memcpy(th, th0, P * sizeof *th);
  double tw0 = now_s();
  if (ls_gpu_train(&net, &d, &o, 1, th, r, &err)) {
    fprintf(stderr, "bench_gpu: %s\n", err.msg);
    return 1;
  }
  double warm = now_s() - tw0;
  memcpy(th, th0, N * P * sizeof *th);
  double t0 = now_s();
  if (ls_gpu_train(&net, &d, &o, N, th, r, &err)) {
    fprintf(stderr, "bench_gpu: %s\n", err.msg);
    return 1;
  }
  double wall = now_s() - t0;
  long conv = 0, verified = 0, global = 0, stops[LS_STOP_FAIL + 1] = {0};
  double fsum = 0, nsum = 0;
  long fmax_ = 0, nmax = 0;
#pragma omp parallel for reduction(+ : conv, verified, global, fsum, nsum) schedule(dynamic, 64)
  for (size_t s = 0; s < N; s++) {
    ls_work *w = ls_work_alloc(&net, d.n);
    double g[64], l;
    ls_loss_grad(&net, &d, th + s * P, &l, g, w);
    ls_work_free(w);
    double gi = 0;
    for (size_t p = 0; p < P; p++) gi = fmax(gi, fabs(g[p]));
    int c = r[s].stop == LS_STOP_GRAD;
    conv += c;
    verified += c && gi < grad_tol * 10;
    global += r[s].loss < 1e-20;
    fsum += (double)r[s].flow_steps, nsum += (double)r[s].newton_iters;
  }
  for (size_t s = 0; s < N; s++) {
    stops[r[s].stop]++;
    if (r[s].flow_steps > fmax_) fmax_ = r[s].flow_steps;
    if (r[s].newton_iters > nmax) nmax = r[s].newton_iters;
  }
  printf("device: %s\n", dev);
  printf("problem: thesis toy, 2-5-1 sigmoid students, 1681 grid points, seeds 1..%ld, "
         "flow (ROS4, rtol %.0e, atol %.0e) + trust-region Newton to grad inf-norm < %.0e\n",
         nseeds, o.flow_rtol, o.flow_atol, grad_tol);
  printf("warm-up (1 seed, CUDA context): %.3f s\n", warm);
  printf("wall: %.3f s for %ld seeds = %.1f seeds/s\n", wall, nseeds, (double)nseeds / wall);
  printf("converged (grad < %.0e): %ld of %ld = %.4f; re-checked by the CPU engine "
         "(grad < %.0e): %ld\n",
         grad_tol, conv, nseeds, (double)conv / (double)nseeds, 10 * grad_tol, verified);
  printf("loss < 1e-20 (global minima): %ld; flow steps mean %.0f max %ld; Newton iterations "
         "mean %.1f max %ld\n",
         global, fsum / (double)nseeds, fmax_, nsum / (double)nseeds, nmax);
  printf("stop reasons:");
  for (int k = 0; k <= LS_STOP_FAIL; k++)
    if (stops[k]) printf(" %s %ld", ls_stop_name((ls_stop_reason)k), stops[k]);
  printf("\n");
  free(th), free(th0), free(r);
  ls_data_free(&d);
  return 0;
}
