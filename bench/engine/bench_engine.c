/* Throughput of landsym's loss gradient and exact Hessian on the two reference workloads,
 * and the exp-only bound of the toy gradient.  Prints "key value" lines.
 *   toy:  2-5-1 sigmoid, no bias, 1681 grid points (thesis section 6.2), MSE
 *   deep: 10-10-10-10-1 sigmoid with biases, 10,000 Gaussian points, MSE
 * Usage: bench_engine THREADS [MIN_SECONDS [ROUNDS]]   timings (best of ROUNDS, default 5)
 *        bench_engine --dump DIR              write the workloads (float64, raw) for the
 *                                             Python baselines: DIR/{toy,deep}_{x,y,theta}.bin */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/simd.h"
#include "deriv/work.h"
#include "landsym/engine.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static unsigned long long rng = 88172645463325252ULL;
static double urand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double nrand(void) { return sqrt(-2 * log(urand())) * cos(2 * M_PI * urand()); }

typedef void (*fn)(void *);
static int n_rounds = 5;
/* Best over n_rounds rounds of the mean time per call of each of the nf functions, each
 * round >= min_s long; the functions take turns round by round, so that on a shared
 * machine all of them see the same load (their minima are comparable). */
static void time_group(int nf, const fn *f, void *ctx, double min_s, double *best) {
  for (int i = 0; i < nf; i++) best[i] = 1e30;
  for (int r = 0; r < n_rounds; r++)
    for (int i = 0; i < nf; i++) {
      long reps = 0;
      double t0 = now(), t;
      do f[i](ctx), reps++;
      while ((t = now() - t0) < min_s);
      if (t / reps < best[i]) best[i] = t / reps;
    }
}
static double time_it(fn f, void *ctx, double min_s) {
  double best;
  time_group(1, &f, ctx, min_s, &best);
  return best;
}

typedef struct {
  ls_net net;
  ls_data d;
  double *th, *g, *H, *z, sink;
  ls_work *w;
} job;

static void do_grad(void *p) {
  job *j = p;
  double L;
  ls_loss_grad(&j->net, &j->d, j->th, &L, j->g, j->w);
  j->sink += L;
}
static void do_hvp(void *p) {
  job *j = p;
  ls_hvp(&j->net, &j->d, j->th, j->th, j->g, j->w);
  j->sink += j->g[0];
}
static void do_hess(void *p) {
  job *j = p;
  ls_hessian(&j->net, &j->d, j->th, j->H, j->w);
  j->sink += j->H[0];
}
/* The physical bound: one exp per sample and hidden neuron, nothing else, with the two
 * fastest vector exps of the machine: glibc's libmvec (_ZGVeN8v_exp in the AVX-512 clone)
 * and landsym's inline ls_v8_exp_neg (src/core/simd.h, what the fused kernel uses). */
LS_HOT static double exp_sum(const double *z, size_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (size_t i = 0; i < n; i++) s += exp(-fabs(z[i]));
  return s;
}
LS_HOT static double exp_inline_sum(const double *z, size_t n) {
  ls_v8 s8 = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    ls_v8 x = *(const ls_v8 *)(z + i);
    s8 += ls_v8_exp_neg((ls_v8)((ls_v8i)x | (-0x7fffffffffffffffLL - 1))); /* -|z| */
  }
  double s = ((s8[0] + s8[4]) + (s8[2] + s8[6])) + ((s8[1] + s8[5]) + (s8[3] + s8[7]));
  for (; i < n; i++) s += ls_exp_neg(-fabs(z[i]));
  return s;
}
static void do_exp(void *p) {
  job *j = p;
  j->sink += exp_sum(j->z, j->d.n * (size_t)j->net.width[1]);
}
static void do_exp_inline(void *p) {
  job *j = p;
  j->sink += exp_inline_sum(j->z, j->d.n * (size_t)j->net.width[1]);
}
static void do_loss(void *p) {
  job *j = p;
  double L;
  ls_loss(&j->net, &j->d, j->th, &L, j->w);
  j->sink += L;
}

static void setup(job *j, int toy) {
  ls_act sig = {LS_ACT_SIGMOID, 0, 0};
  if (toy) {
    int wd[3] = {2, 5, 1};
    ls_net_init(&j->net, 2, wd, sig, 0, NULL);
    ls_data_alloc(&j->d, 1681, 2, 1, 0, NULL);
    /* thesis section 6.2: grid 4 x_i = -20..20, teacher 2-4-1 with a = (1,-1,1,-1) */
    const double T[4][2] = {{0.6, 0.5}, {-0.5, 0.5}, {-0.2, -0.6}, {0.1, -0.6}};
    for (int a = 0; a < 41; a++)
      for (int b = 0; b < 41; b++) {
        size_t k = (size_t)a * 41 + b;
        double x1 = (a - 20) / 4.0, x2 = (b - 20) / 4.0, y = 0;
        j->d.x[2 * k] = x1, j->d.x[2 * k + 1] = x2;
        for (int i = 0; i < 4; i++) y += (i % 2 ? -1 : 1) / (1 + exp(-(T[i][0] * x1 + T[i][1] * x2)));
        j->d.y[k] = y;
      }
  } else {
    int wd[5] = {10, 10, 10, 10, 1};
    ls_net_init(&j->net, 4, wd, sig, 1, NULL);
    ls_data_alloc(&j->d, 10000, 10, 1, 0, NULL);
    for (size_t i = 0; i < j->d.n * 10; i++) j->d.x[i] = nrand();
    for (size_t k = 0; k < j->d.n; k++) j->d.y[k] = urand() < 0.5 ? -1 : 1;
  }
  size_t P = ls_net_nparams(&j->net);
  j->th = malloc(P * sizeof(double));
  j->g = malloc(P * sizeof(double));
  j->H = malloc(P * P * sizeof(double));
  for (size_t i = 0; i < P; i++) j->th[i] = nrand() / sqrt(j->net.width[0]);
  /* pre-activations of the first layer, for the exp bound */
  size_t nz = j->d.n * (size_t)j->net.width[1];
  j->z = malloc(nz * sizeof(double));
  for (size_t k = 0; k < j->d.n; k++)
    for (int i = 0; i < j->net.width[1]; i++) {
      double s = 0;
      for (int q = 0; q < j->net.width[0]; q++) s += j->th[i * j->net.width[0] + q] * j->d.x[k * j->net.width[0] + q];
      j->z[i * j->d.n + k] = s;
    }
  j->w = ls_work_alloc(&j->net, j->d.n);
}

static int dump(const char *dir, const char *tag, const char *what, const double *a, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s_%s.bin", dir, tag, what);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(a, sizeof *a, n, f) != n) {
    fprintf(stderr, "bench_engine: cannot write %s\n", path);
    if (f) fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "--dump") == 0) {
    int bad = 0;
    for (int toy = 1; toy >= 0; toy--) {
      job j = {0};
      setup(&j, toy);
      const char *tag = toy ? "toy" : "deep";
      bad |= dump(argv[2], tag, "x", j.d.x, j.d.n * j.d.din);
      bad |= dump(argv[2], tag, "y", j.d.y, j.d.n * j.d.dout);
      bad |= dump(argv[2], tag, "theta", j.th, ls_net_nparams(&j.net));
      ls_work_free(j.w);
      ls_data_free(&j.d);
      free(j.th), free(j.g), free(j.H), free(j.z);
    }
    return bad;
  }
  int nt = argc > 1 ? atoi(argv[1]) : 1;
  double min_s = argc > 2 ? atof(argv[2]) : 0.2;
  if (argc > 3 && atoi(argv[3]) > 0) n_rounds = atoi(argv[3]);
  omp_set_num_threads(nt);
  printf("threads %d\n", nt);
  for (int toy = 1; toy >= 0; toy--) {
    job j = {0};
    setup(&j, toy);
    const char *tag = toy ? "toy" : "deep";
    size_t hid = 0;
    for (int l = 1; l < j.net.n_layers; l++) hid += j.net.width[l];
    double L0;
    ls_loss(&j.net, &j.d, j.th, &L0, j.w);
    printf("%s_params %zu\n%s_loss %.17g\n", tag, ls_net_nparams(&j.net), tag, L0);
    double tg;
    if (toy) { /* the gradient and its exp-only bounds in the same rounds */
      const fn f[4] = {do_grad, do_exp, do_exp_inline, do_loss};
      double b[4];
      time_group(4, f, &j, min_s, b);
      tg = b[0];
      printf("toy_exp_bound_s %.6e\ntoy_exp_inline_bound_s %.6e\ntoy_loss_s %.6e\n", b[1], b[2], b[3]);
    } else {
      tg = time_it(do_grad, &j, min_s);
    }
    printf("%s_grad_s %.6e\n%s_grad_ns_per_sample_neuron %.3f\n", tag, tg, tag,
           1e9 * tg / ((double)j.d.n * hid));
    if (ls_fused_supported(&j.net)) {
      /* the general path on the same workload, and how far the fused kernel is from it */
      size_t P = ls_net_nparams(&j.net);
      double *g1 = malloc(P * sizeof *g1), L1, L2, gm = 0, dg = 0;
      ls_loss_grad(&j.net, &j.d, j.th, &L1, g1, j.w);
      ls_work_set_fused(j.w, 0);
      ls_loss_grad(&j.net, &j.d, j.th, &L2, j.g, j.w);
      printf("%s_grad_general_s %.6e\n", tag, time_it(do_grad, &j, min_s));
      ls_work_set_fused(j.w, 1);
      for (size_t i = 0; i < P; i++) gm = fmax(gm, fabs(j.g[i])), dg = fmax(dg, fabs(g1[i] - j.g[i]));
      printf("%s_fused_rel_diff_loss %.2e\n%s_fused_rel_diff_grad %.2e\n", tag,
             fabs(L1 - L2) / fabs(L2), tag, dg / gm);
      free(g1);
    }
    printf("%s_hvp_s %.6e\n", tag, time_it(do_hvp, &j, min_s));
    double th = time_it(do_hess, &j, min_s);
    printf("%s_hess_s %.6e\n", tag, th);
    fprintf(stderr, "(checksum %g)\n", j.sink);
    ls_work_free(j.w);
    ls_data_free(&j.d);
    free(j.th), free(j.g), free(j.H), free(j.z);
  }
  return 0;
}
