/* landsym: a small, portable, seeded pseudo-random number generator.
 *
 * Generator: xoshiro256** 1.0 (Blackman & Vigna, 2018), state seeded from a 64-bit seed
 * through splitmix64, so the stream depends on the seed alone, never on the machine,
 * compiler or thread count. Uniforms carry 53 random bits; standard normals come from
 * Marsaglia's polar method (uses only sqrt, correctly rounded by IEEE 754, and log).
 * Bitwise reproducibility therefore holds on every machine whose libm log agrees
 * (glibc >= 2.28 on x86-64 and aarch64 does). The generator state lives in the struct:
 * there is no global state; give each thread or each seed of a sweep its own ls_rng. */
#ifndef LANDSYM_RNG_H
#define LANDSYM_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint64_t s[4];
  double spare;   /* second normal of the last polar pair */
  int has_spare;
} ls_rng;

/* Seed from one 64-bit value (splitmix64 expansion of the state). */
void ls_rng_seed(ls_rng *r, uint64_t seed);
/* Independent stream `stream` of a seed (e.g. one per run of a sweep): the seed and the
 * stream index are mixed through splitmix64, so (seed, stream) pairs never share a state. */
void ls_rng_seed_stream(ls_rng *r, uint64_t seed, uint64_t stream);
/* splitmix64 (Steele, Lea & Flood 2014): advances *state and returns the next output;
 * a tiny generator for callers that keep a bare 64-bit state (shuffles, permutations). */
uint64_t ls_rng_splitmix64(uint64_t *state);
/* Next raw 64-bit output. */
uint64_t ls_rng_next(ls_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double ls_rng_uniform(ls_rng *r);
/* Standard normal N(0, 1) (polar method; each call consumes the pair's spare first). */
double ls_rng_normal(ls_rng *r);
/* out[i] = scale * N(0,1), i = 0..n-1, in order. */
void ls_rng_normal_fill(ls_rng *r, size_t n, double scale, double *out);

#ifdef __cplusplus
}
#endif
#endif
