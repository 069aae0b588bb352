/* Seeded PRNG: xoshiro256** 1.0 with splitmix64 seeding, polar normals (see rng.h).
 * Reference: D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 47 (2021); prng.di.unimi.it. */
/* No fused multiply-add contraction: the same bits on every architecture. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <math.h>

#include "landsym/rng.h"

uint64_t ls_rng_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void ls_rng_seed(ls_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = ls_rng_splitmix64(&x);
  /* splitmix64 never yields four zero words in a row, so the state is valid */
  r->spare = 0.0;
  r->has_spare = 0;
}

void ls_rng_seed_stream(ls_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = stream;
  uint64_t mixed = seed ^ ls_rng_splitmix64(&x); /* distinct streams -> distinct seeds (bijective mix) */
  ls_rng_seed(r, mixed);
}

uint64_t ls_rng_next(ls_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double ls_rng_uniform(ls_rng *r) { return (double)(ls_rng_next(r) >> 11) * 0x1.0p-53; }

/* Marsaglia's polar method: (u, v) uniform in the unit disc, s = u^2 + v^2;
 * u*sqrt(-2 ln s / s) and v*sqrt(-2 ln s / s) are independent N(0,1). */
double ls_rng_normal(ls_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, s;
  do {
    u = 2.0 * ls_rng_uniform(r) - 1.0;
    v = 2.0 * ls_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  r->spare = v * f;
  r->has_spare = 1;
  return u * f;
}

void ls_rng_normal_fill(ls_rng *r, size_t n, double scale, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = scale * ls_rng_normal(r);
}
