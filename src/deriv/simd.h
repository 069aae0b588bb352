/* Function multi-versioning for the hot loops: the library is built for the baseline
 * x86-64, and these kernels get an AVX2+FMA clone (chosen at load time) so loops over
 * samples vectorise, exp included (glibc libmvec _ZGVdN4v_exp). Needs -fno-math-errno. */
#ifndef LANDSYM_DERIV_SIMD_H
#define LANDSYM_DERIV_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define LS_HOT __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define LS_HOT
#endif

#endif
