/* Function multi-versioning for the hot loops: the library is built for the baseline
 * x86-64, and these kernels get an AVX2+FMA clone (chosen at load time) so loops over
 * samples vectorise, exp included (glibc libmvec _ZGVdN4v_exp). Needs -fno-math-errno. */
#ifndef LANDSYM_DERIV_SIMD_H
#define LANDSYM_DERIV_SIMD_H

#include <math.h>
#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define LS_HOT __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define LS_HOT
#endif

/* Four doubles as one value (GCC vector extension); may_alias and aligned(8) make loads
 * and stores through it valid on any double array.  Lowered to two SSE2 ops in the
 * baseline clone, one AVX2 op in the x86-64-v3 clone. */
typedef double ls_v4 __attribute__((vector_size(32), aligned(8), may_alias));

static inline double ls_v4_hsum(ls_v4 a, ls_v4 b, ls_v4 c, ls_v4 d) {
  ls_v4 s = (a + b) + (c + d);
  return (s[0] + s[2]) + (s[1] + s[3]);
}

/* sum_k a[k] b[k] with 16 independent partial sums combined in a fixed order: vectorises
 * without -ffast-math and gives the same bits in every clone (up to FMA contraction). */
static inline double ls_dot(const double *a, const double *b, size_t n) {
  ls_v4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const ls_v4 *x = (const ls_v4 *)(a + k), *y = (const ls_v4 *)(b + k);
    s0 += x[0] * y[0], s1 += x[1] * y[1], s2 += x[2] * y[2], s3 += x[3] * y[3];
  }
  double t = 0;
  for (; k < n; k++) t += a[k] * b[k];
  return ls_v4_hsum(s0, s1, s2, s3) + t;
}

static inline double ls_sum(const double *a, size_t n) {
  ls_v4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const ls_v4 *x = (const ls_v4 *)(a + k);
    s0 += x[0], s1 += x[1], s2 += x[2], s3 += x[3];
  }
  double t = 0;
  for (; k < n; k++) t += a[k];
  return ls_v4_hsum(s0, s1, s2, s3) + t;
}

/* out[k] = (c + sum_j w[j * ws] src[j * ld + k]) * (mul ? mul[k] : 1) for k < n: one pass
 * over out with the sum over j held in registers (blocks of 16 samples). */
static inline void ls_combine(double *out, double c, const double *w, size_t ws, int nj,
                              const double *src, size_t ld, size_t n, const double *mul) {
  size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    ls_v4 s0 = {c, c, c, c}, s1 = s0, s2 = s0, s3 = s0;
    for (int j = 0; j < nj; j++) {
      double wj = w[(size_t)j * ws];
      const ls_v4 *a = (const ls_v4 *)(src + (size_t)j * ld + k);
      s0 += wj * a[0], s1 += wj * a[1], s2 += wj * a[2], s3 += wj * a[3];
    }
    ls_v4 *o = (ls_v4 *)(out + k);
    if (mul) {
      const ls_v4 *m = (const ls_v4 *)(mul + k);
      s0 *= m[0], s1 *= m[1], s2 *= m[2], s3 *= m[3];
    }
    o[0] = s0, o[1] = s1, o[2] = s2, o[3] = s3;
  }
  for (; k < n; k++) {
    double s = c;
    for (int j = 0; j < nj; j++) s += w[(size_t)j * ws] * src[(size_t)j * ld + k];
    out[k] = mul ? s * mul[k] : s;
  }
}

/* glibc only declares the vector variants of exp/expm1 under -ffast-math; declare them here
 * (libmvec provides SSE2, AVX, AVX2 and AVX-512 versions of both; expm1 since 2.35). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__FAST_MATH__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double expm1(double);
#endif

#endif
