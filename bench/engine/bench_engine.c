/* Throughput of landsym's loss gradient and exact Hessian on the two reference workloads,
 * and the exp-only bound of the toy gradient.  Prints "key value" lines.
 *   toy:  2-5-1 sigmoid, no bias, 1681 grid points (thesis section 6.2), MSE
 *   deep: 10-10-10-10-1 sigmoid with biases, 10,000 Gaussian points, MSE
 *   mnist10k, mnist60k: 784-25-25-10 softplus with biases, MSE, 10,000 and 60,000 random
 *         inputs in [0,1) with one-hot targets (the MNIST experiments' size): loss +
 *         gradient and Hessian-vector product, and the same arithmetic as the gradient's
 *         matrix products timed as bare cblas_dgemm calls on the whole data, and its time
 *         at the machine's dgemm rate (a square 1024^3 product); deep60k: the dense
 *         Hessian of the deep net on 60,000 points
 * Usage: bench_engine THREADS [MIN_SECONDS [ROUNDS]]   timings (best of ROUNDS, default 5)
 *        bench_engine --dump DIR              write the workloads (float64, raw) for the
 *                                             Python baselines: DIR/{toy,deep,mnist,deep60k}_
 *                                             {x,y,theta}.bin */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/simd.h"
#include "deriv/work.h"
#include "landsym/engine.h"

void openblas_set_num_threads(int num_threads);

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


/* 784-25-25-10 softplus with biases on n inputs uniform in [0,1), one-hot targets. */
static void setup_mnist(job *j, size_t n) {
  int wd[4] = {784, 25, 25, 10};
  ls_act sp = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net_init(&j->net, 3, wd, sp, 1, NULL);
  ls_data_alloc(&j->d, n, 784, 10, 0, NULL);
  for (size_t i = 0; i < n * 784; i++) j->d.x[i] = urand();
  for (size_t k = 0; k < n; k++) j->d.y[k * 10 + (size_t)(urand() * 10) % 10] = 1;
  size_t P = ls_net_nparams(&j->net);
  j->th = malloc(P * sizeof(double));
  j->g = malloc(P * sizeof(double));
  for (int l = 1; l <= 3; l++) {
    size_t a = ls_net_w_offset(&j->net, l), e = ls_net_w_offset(&j->net, l + 1);
    for (size_t i = a; i < e; i++) j->th[i] = nrand() / sqrt(wd[l - 1]);
  }
}

/* The gradient's matrix products as bare dgemm calls on all n samples at once:
 * Z_l = A_{l-1} W_l^T, grad W_l = Delta_l^T A_{l-1}, E_{l-1} = Delta_l W_l. */
typedef struct {
  const ls_net *net;
  size_t n;
  const double *x, *th;
  double *buf[4], *gw;
} gemm_job;

static void do_gemm(void *p) {
  gemm_job *q = p;
  int n = (int)q->n;
  for (int l = 1; l <= q->net->n_layers; l++) {
    int wi = q->net->width[l - 1], wo = q->net->width[l];
    const double *W = q->th + ls_net_w_offset(q->net, l), *a = l > 1 ? q->buf[l - 1] : q->x;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, wo, wi, 1.0, a, wi, W, wi, 0.0,
                q->buf[l], wo);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, wo, wi, n, 1.0, q->buf[l], wo, a, wi,
                0.0, q->gw, wi);
    if (l > 1)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, wi, wo, 1.0, q->buf[l], wo, W,
                  wi, 0.0, q->buf[0], wi);
  }
}

/* Multiply-adds of the gradient's products (the arithmetic do_gemm times). */
static double gemm_fma(const ls_net *net, size_t n) {
  double f = 0;
  for (int l = 1; l <= net->n_layers; l++)
    f += (l > 1 ? 3.0 : 2.0) * net->width[l - 1] * net->width[l];
  return f * (double)n;
}

/* The machine's dgemm rate: one square 1024^3 product (2.1 GFLOP). */
typedef struct {
  double *a, *b, *c;
} sq_job;
static void do_square(void *p) {
  sq_job *q = p;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1024, 1024, 1024, 1.0, q->a, 1024, q->b,
              1024, 0.0, q->c, 1024);
}
static double dgemm_peak_gflops(int nt, double min_s) {
  sq_job q = {malloc(1024 * 1024 * sizeof(double)), malloc(1024 * 1024 * sizeof(double)),
              malloc(1024 * 1024 * sizeof(double))};
  for (size_t i = 0; i < 1024 * 1024; i++) /* not urand(): the workloads' draws stay put */
    q.a[i] = (double)(i % 1021) / 1021, q.b[i] = (double)(i % 1019) / 1019;
  openblas_set_num_threads(nt);
  double t = time_it(do_square, &q, min_s);
  openblas_set_num_threads(1);
  free(q.a), free(q.b), free(q.c);
  return 2.0 * 1024 * 1024 * 1024 / t * 1e-9;
}

static void bench_mnist(int nt, double min_s) {
  double peak = dgemm_peak_gflops(nt, min_s);
  printf("dgemm_peak_gflops %.2f\n", peak);
  job j = {0};
  setup_mnist(&j, 60000);
  ls_data full = j.d;
  for (int big = 0; big <= 1; big++) {
    const char *tag = big ? "mnist60k" : "mnist10k";
    j.d = full;
    j.d.n = big ? 60000 : 10000;
    ls_ctx c = ls_ctx_threads(nt);
    j.w = ls_work_alloc_ctx(&c, &j.net, j.d.n);
    double L0;
    ls_loss(&j.net, &j.d, j.th, &L0, j.w);
    printf("%s_params %zu\n%s_loss %.17g\n%s_engine %s\n", tag, ls_net_nparams(&j.net), tag, L0,
           tag, ls_engine_name(ls_work_engine(j.w)));
    printf("%s_grad_s %.6e\n", tag, time_it(do_grad, &j, min_s));
    printf("%s_hvp_s %.6e\n", tag, time_it(do_hvp, &j, min_s));
    ls_work_free(j.w);
    gemm_job q = {&j.net, j.d.n, j.d.x, j.th, {0}, malloc(784 * 25 * sizeof(double))};
    for (int l = 0; l < 4; l++) q.buf[l] = malloc(j.d.n * 25 * sizeof(double));
    openblas_set_num_threads(nt);
    double tb = time_it(do_gemm, &q, min_s);
    openblas_set_num_threads(1);
    printf("%s_dgemm_s %.6e\n%s_dgemm_gflops %.2f\n%s_at_peak_s %.6e\n", tag, tb, tag,
           2 * gemm_fma(&j.net, j.d.n) / tb * 1e-9, tag, 2 * gemm_fma(&j.net, j.d.n) / peak * 1e-9);
    for (int l = 0; l < 4; l++) free(q.buf[l]);
    free(q.gw);
  }
  j.d = full;
  ls_data_free(&j.d);
  free(j.th), free(j.g);
}

/* The first layer on sparse inputs (src/deriv/gemm_sparse.c): 784-H-H-10 softplus with
 * biases, NLL (figure 3 of Brea et al. on the raw pixels), n inputs of which a share
 * `fill` is nonzero (uniform in (0,1], at random places; MNIST's training pixels: 19.1%),
 * loss + gradient with the sparse index and without it (the dense BLAS path), in the same
 * rounds, and the largest relative difference of the two gradients. */
static void bench_sparse_case(int nt, double min_s, int H, size_t n, double fill) {
  job j[2];
  memset(j, 0, sizeof j);
  int wd[4] = {784, H, H, 10};
  ls_act sp = {LS_ACT_SOFTPLUS, 0, 0};
  ls_net_init(&j[0].net, 3, wd, sp, 1, NULL);
  j[0].net.loss = LS_LOSS_NLL;
  ls_data_alloc(&j[0].d, n, 784, 10, 0, NULL);
  for (size_t i = 0; i < n * 784; i++) j[0].d.x[i] = urand() < fill ? urand() : 0.0;
  for (size_t k = 0; k < n; k++) j[0].d.y[k * 10 + (size_t)(urand() * 10) % 10] = 1;
  size_t P = ls_net_nparams(&j[0].net);
  j[0].th = malloc(P * sizeof(double));
  for (size_t i = 0; i < P; i++) j[0].th[i] = nrand() * 0.1;
  ls_ctx c = ls_ctx_threads(nt);
  for (int s = 0; s < 2; s++) {
    if (s) j[1] = j[0], j[1].d.xs = NULL;
    j[s].g = malloc(P * sizeof(double));
    j[s].w = ls_work_alloc_ctx(&c, &j[s].net, n);
  }
  ls_data_sparse_build(&j[0].d, NULL);
  double L[2], t[2];
  const fn f[1] = {do_grad};
  for (int s = 0; s < 2; s++) {
    ls_loss_grad(&j[s].net, &j[s].d, j[s].th, &L[s], j[s].g, j[s].w);
    time_group(1, f, &j[s], min_s, &t[s]);
  }
  double gm = 0, dg = 0;
  for (size_t i = 0; i < P; i++)
    gm = fmax(gm, fabs(j[1].g[i])), dg = fmax(dg, fabs(j[0].g[i] - j[1].g[i]));
  char tag[64];
  snprintf(tag, sizeof tag, "pixels_H%d_n%zu_fill%02d", H, n, (int)(100 * fill + 0.5));
  printf("%s_sparse_s %.6e\n%s_dense_s %.6e\n%s_speedup %.2f\n%s_rel_diff_grad %.2e\n", tag, t[0],
         tag, t[1], tag, t[1] / t[0], tag, dg / gm);
  for (int s = 0; s < 2; s++) ls_work_free(j[s].w), free(j[s].g);
  ls_data_free(&j[0].d);
  free(j[0].th);
}

static void bench_sparse(int nt, double min_s) {
  const double fills[] = {0.1, 0.191, 0.3, 0.5, 0.7};
  for (int i = 0; i < 5; i++) bench_sparse_case(nt, min_s, 10, 10000, fills[i]);
  bench_sparse_case(nt, min_s, 10, 60000, 0.191);
  bench_sparse_case(nt, min_s, 25, 60000, 0.191);
}

/* The deep net's dense Hessian on 60,000 points. */
static void setup_deep(job *j, size_t n) {
  int wd[5] = {10, 10, 10, 10, 1};
  ls_act sig = {LS_ACT_SIGMOID, 0, 0};
  ls_net_init(&j->net, 4, wd, sig, 1, NULL);
  ls_data_alloc(&j->d, n, 10, 1, 0, NULL);
  for (size_t i = 0; i < n * 10; i++) j->d.x[i] = nrand();
  for (size_t k = 0; k < n; k++) j->d.y[k] = urand() < 0.5 ? -1 : 1;
  size_t P = ls_net_nparams(&j->net);
  j->th = malloc(P * sizeof(double));
  j->H = malloc(P * P * sizeof(double));
  for (size_t i = 0; i < P; i++) j->th[i] = nrand() / sqrt(10.0);
}

static void bench_deep60k(int nt, double min_s) {
  job j = {0};
  setup_deep(&j, 60000);
  ls_ctx c = ls_ctx_threads(nt);
  j.w = ls_work_alloc_ctx(&c, &j.net, j.d.n);
  printf("deep60k_engine %s\ndeep60k_hess_s %.6e\n", ls_engine_name(ls_work_engine(j.w)),
         time_it(do_hess, &j, min_s));
  ls_work_free(j.w);
  ls_data_free(&j.d);
  free(j.th), free(j.H);
}

/* --dump of the MNIST-size and deep60k workloads (same generator sequence as the timing
 * run: both start from a reset generator). */
static int dump_large(const char *dir);

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
    return bad | dump_large(argv[2]);
  }
  if (argc > 1 && strcmp(argv[1], "--sparse") == 0) { /* the sparse first layer alone */
    int nt = argc > 2 ? atoi(argv[2]) : 1;
    omp_set_num_threads(nt);
    bench_sparse(nt, argc > 3 ? atof(argv[3]) : 0.2);
    return 0;
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
  rng = 88172645463325252ULL;
  bench_mnist(nt, min_s);
  bench_deep60k(nt, min_s);
  bench_sparse(nt, min_s);
  return 0;
}

static int dump_large(const char *dir) {
  job j = {0};
  int bad = 0;
  rng = 88172645463325252ULL;
  setup_mnist(&j, 60000);
  bad |= dump(dir, "mnist", "x", j.d.x, j.d.n * 784);
  bad |= dump(dir, "mnist", "y", j.d.y, j.d.n * 10);
  bad |= dump(dir, "mnist", "theta", j.th, ls_net_nparams(&j.net));
  ls_data_free(&j.d);
  free(j.th), free(j.g);
  memset(&j, 0, sizeof j);
  setup_deep(&j, 60000);
  bad |= dump(dir, "deep60k", "x", j.d.x, j.d.n * 10);
  bad |= dump(dir, "deep60k", "y", j.d.y, j.d.n);
  bad |= dump(dir, "deep60k", "theta", j.th, ls_net_nparams(&j.net));
  ls_data_free(&j.d);
  free(j.th), free(j.H);
  return bad;
}
