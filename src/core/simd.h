/* Function multi-versioning for the hot loops: the library is built for the baseline
 * x86-64, and these kernels get an AVX2+FMA clone (chosen at load time) so loops over
 * samples vectorise, exp included (glibc libmvec _ZGVdN4v_exp). Needs -fno-math-errno. */
#ifndef LANDSYM_CORE_SIMD_H
#define LANDSYM_CORE_SIMD_H

#include <math.h>
#include <stddef.h>

#if defined(LS_KERNEL_FIXED)
/* one kernel forced at build time (-DLANDSYM_KERNEL=..., or a per-kernel test build):
 * the file is compiled for that architecture and carries no clones */
#define LS_HOT
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define LS_HOT __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define LS_HOT
#endif

/* Vector values are only passed between static inline functions of this header, so the
 * ABI notes GCC gives for 32- and 64-byte vectors in the baseline clone do not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

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

/* exp(x) for x <= 0 without a library call (inlined, so it vectorises inside any loop
 * and keeps register-resident kernels free of calls): x = (16 q + j) ln2/16 + r with
 * |r| <= ln2/32, exp(x) = 2^q T_j p(r), T_j = 2^(j/16) correctly rounded, p the Taylor
 * polynomial of degree 7 (truncation < 2e-18 relative).  Error at most 2 ulp (1 ulp for
 * glibc; test_grad_fused checks it against expl), with or without FMA; arguments
 * below -708 are clamped there (results below 3.1e-308 read 3.1e-308).  The sigmoid of
 * the general path and the fused kernel (fused.c, same operations lane-wise) both use
 * it, so the two paths compute bitwise identical activations. */
static const double ls_exp_tab[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
#define LS_EXP_SHIFT 0x1.8p52
#define LS_EXP_INVL 0x1.71547652b82fep+4 /* 16 / ln2 */
/* ln2/16 = HI + LO, HI with 32 significant bits so that k HI is exact for abs(k) < 2^21
 * (Cody-Waite: the reduction is accurate with or without FMA) */
#define LS_EXP_L_HI 0x1.62e42fee00000p-5
#define LS_EXP_L_LO 0x1.a39ef35793c76p-37
#define LS_EXP_HORNER(p, r)                                                        \
  p = p * r + 1.0 / 720.0, p = p * r + 1.0 / 120.0, p = p * r + 1.0 / 24.0, \
  p = p * r + 1.0 / 6.0, p = p * r + 0.5, p = p * r + 1.0, p = p * r + 1.0

static inline double ls_exp_neg(double x) {
  x = x < -708.0 ? -708.0 : x;
  double t = x * LS_EXP_INVL + LS_EXP_SHIFT, sh = LS_EXP_SHIFT, kf = t - LS_EXP_SHIFT;
  long long ti, shi, tb;
  __builtin_memcpy(&ti, &t, sizeof t);
  __builtin_memcpy(&shi, &sh, sizeof sh);
  long long k = ti - shi; /* round(16 x / ln2) */
  double r = x - kf * LS_EXP_L_HI;
  r = r - kf * LS_EXP_L_LO;
  double p = 1.0 / 5040.0;
  LS_EXP_HORNER(p, r);
  double tj = ls_exp_tab[k & 15], scale;
  __builtin_memcpy(&tb, &tj, sizeof tj);
  tb = (long long)((unsigned long long)tb + ((unsigned long long)(k >> 4) << 52));
  __builtin_memcpy(&scale, &tb, sizeof tb);
  return scale * p;
}

/* Eight samples as one value (one zmm in the AVX-512 clone, two ymm in the AVX2 clone). */
typedef double ls_v8 __attribute__((vector_size(64), aligned(8), may_alias));
typedef long long ls_v8i __attribute__((vector_size(64)));

/* ls_exp_neg (simd.h) lane-wise, with the same operations in the same order, so that the
 * fused and the general path give bitwise identical activations; the table lookup is a
 * two-register permute. */
static inline __attribute__((always_inline)) ls_v8 ls_v8_exp_neg(ls_v8 x) {
  const ls_v8 T0 = {ls_exp_tab[0], ls_exp_tab[1], ls_exp_tab[2], ls_exp_tab[3],
                 ls_exp_tab[4], ls_exp_tab[5], ls_exp_tab[6], ls_exp_tab[7]};
  const ls_v8 T1 = {ls_exp_tab[8], ls_exp_tab[9], ls_exp_tab[10], ls_exp_tab[11],
                 ls_exp_tab[12], ls_exp_tab[13], ls_exp_tab[14], ls_exp_tab[15]};
  const ls_v8 lo = (ls_v8){0} - 708.0, shift = (ls_v8){0} + LS_EXP_SHIFT;
  ls_v8i under = x < lo;
  x = (ls_v8)(((ls_v8i)x & ~under) | ((ls_v8i)lo & under));
  ls_v8 t = x * LS_EXP_INVL + shift, kf = t - shift;
  ls_v8i k = (ls_v8i)t - (ls_v8i)shift;
  ls_v8 r = x - kf * LS_EXP_L_HI;
  r = r - kf * LS_EXP_L_LO;
  ls_v8 p = (ls_v8){0} + 1.0 / 5040.0;
  LS_EXP_HORNER(p, r);
  ls_v8 tj = __builtin_shuffle(T0, T1, k & 15);
  ls_v8 scale = (ls_v8)((ls_v8i)tj + ((k >> 4) << 52));
  return scale * p;
}

/* glibc only declares the vector variants of exp/expm1/log1p under -ffast-math; declare
 * them here (libmvec provides SSE2, AVX, AVX2 and AVX-512 versions of each; expm1 and
 * log1p since 2.35, both within 4 ulp by glibc's manual). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__FAST_MATH__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double expm1(double);
#pragma omp declare simd notinbranch
double log1p(double);
#endif

#endif
