/* Data sources and the PRNG against independent truth: reference outputs of
 * splitmix64 / xoshiro256**, the thesis grid (section 6.2), normal moments of
 * Gauss-Hermite rules (exact up to degree 2*points-1), Glorot variances. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/data.h"
#include "landsym/io.h"
#include "landsym/net.h"
#include "landsym/rng.h"

/* E[Z^k] for Z ~ N(0,1): 0 for odd k, (k-1)!! for even k. */
static double normal_moment(int k) {
  if (k % 2) return 0.0;
  double m = 1.0;
  for (int j = k - 1; j > 1; j -= 2) m *= j;
  return m;
}

int main(void) {
  ls_error err = {0};
  /* splitmix64(0) first output is 0xe220a8397b1dcdaf (Vigna's reference) */
  ls_rng r;
  ls_rng_seed(&r, 0);
  CHECK(r.s[0] == 0xe220a8397b1dcdafULL, "splitmix64 seeding matches reference (%llx)",
        (unsigned long long)r.s[0]);
  /* xoshiro256** reference: state {1,2,3,4} -> 11520, 0, 1509978240, 1215971899390074240 */
  r.s[0] = 1, r.s[1] = 2, r.s[2] = 3, r.s[3] = 4;
  uint64_t o1 = ls_rng_next(&r), o2 = ls_rng_next(&r), o3 = ls_rng_next(&r), o4 = ls_rng_next(&r);
  CHECK(o1 == 11520ULL && o2 == 0 && o3 == 1509978240ULL && o4 == 1215971899390074240ULL,
        "xoshiro256** matches the reference sequence (%llu %llu %llu %llu)",
        (unsigned long long)o1, (unsigned long long)o2, (unsigned long long)o3, (unsigned long long)o4);

  /* normals: moments of 200000 draws */
  ls_rng_seed(&r, 42);
  size_t N = 200000;
  double m1 = 0, m2 = 0, m4 = 0;
  for (size_t i = 0; i < N; i++) {
    double z = ls_rng_normal(&r);
    m1 += z, m2 += z * z, m4 += z * z * z * z;
  }
  m1 /= N, m2 /= N, m4 /= N;
  /* standard errors: mean 1/sqrt(N)=0.0022, var sqrt(2/N)=0.0032, 4th moment sqrt(96/N)=0.022 */
  CHECK(fabs(m1) < 0.009 && fabs(m2 - 1) < 0.013 && fabs(m4 - 3) < 0.09,
        "normal moments mean %.4f var %.4f E z^4 %.4f within 4 standard errors", m1, m2, m4);

  /* golden values: FNV-1a hash of the bits of the first 10^6 normals of seed 0, recorded
   * with gcc -O0 and -O3 on x86-64; a different value on another machine means the
   * bitwise reproducibility promised in rng.h is broken there */
  ls_rng_seed(&r, 0);
  uint64_t h = 1469598103934665603ULL;
  double first = 0;
  for (int i = 0; i < 1000000; i++) {
    double z = ls_rng_normal(&r);
    if (i == 0) first = z;
    uint64_t u;
    memcpy(&u, &z, 8);
    h = (h ^ u) * 1099511628211ULL;
  }
  CHECK(first == 0x1.323a82a4bc9e5p-1 && h == 0x816a55bcdd96eadeULL,
        "first 10^6 normals of seed 0 bitwise as recorded (first %a, hash %llx)", first,
        (unsigned long long)h);

  /* streams: different streams differ, same (seed, stream) repeats */
  ls_rng a, b;
  ls_rng_seed_stream(&a, 5, 1);
  ls_rng_seed_stream(&b, 5, 2);
  CHECK(ls_rng_next(&a) != ls_rng_next(&b), "streams 1 and 2 of a seed differ");

  /* the thesis grid: 41^2 points on [-5,5]^2, step 0.25, last coordinate fastest */
  ls_data d;
  CHECK(ls_data_grid(&d, 41, 2, -5, 5, 1, &err) == LS_OK && d.n == 1681 && d.din == 2,
        "grid has 1681 points in 2-D");
  CHECK(d.x[0] == -5 && d.x[1] == -5 && d.x[2 * 40] == -5 && d.x[2 * 40 + 1] == 5 &&
            d.x[2 * 1640] == 5 && d.x[2 * 1640 + 1] == -5 && d.x[2 * 1680] == 5 && d.x[2 * 1680 + 1] == 5,
        "grid corners (-5,-5), (-5,5), (5,-5), (5,5) at samples 0, 40, 1640, 1680");
  int exact = 1;
  for (size_t s = 0; s < d.n; s++)
    for (int k = 0; k < 2; k++) {
      double v = d.x[2 * s + k] * 4;
      size_t i = k ? s % 41 : s / 41;
      if (v != (double)i - 20) exact = 0;
    }
  CHECK(exact, "every grid coordinate is exactly (i - 20)/4 as in thesis section 6.2");
  CHECK(d.w == NULL, "grid carries uniform weights");
  ls_data_free(&d);
  CHECK(ls_data_grid(&d, 1, 2, -5, 5, 1, &err) == LS_ERR_INPUT, "grid with n=1 rejected");

  /* Gaussian data: bitwise reproducible from the seed */
  ls_data g1, g2, g3;
  ls_data_gaussian(&g1, 100, 3, 9, 1, &err);
  ls_data_gaussian(&g2, 100, 3, 9, 1, &err);
  ls_data_gaussian(&g3, 100, 3, 10, 1, &err);
  CHECK(!memcmp(g1.x, g2.x, 300 * sizeof(double)) && memcmp(g1.x, g3.x, 300 * sizeof(double)),
        "gaussian samples identical for one seed, different for another");
  ls_data_free(&g1), ls_data_free(&g2), ls_data_free(&g3);

  /* Gauss-Hermite: exact normal moments up to degree 2p-1 */
  int pts[] = {1, 2, 3, 5, 10, 20, 40};
  for (size_t t = 0; t < sizeof pts / sizeof pts[0]; t++) {
    int p = pts[t];
    double x[40], w[40], worst = 0, wsum = 0;
    CHECK(ls_hermite_rule(p, x, w, &err) == LS_OK, "hermite rule with %d points", p);
    for (int i = 0; i < p; i++) wsum += w[i];
    for (int k = 0; k <= 2 * p - 1 && k <= 30; k++) {
      /* error measured against sum |w_i x_i^k|: the scale of the rounding in the sum */
      double q = 0, scale = 0;
      for (int i = 0; i < p; i++) q += w[i] * pow(x[i], k), scale += fabs(w[i] * pow(x[i], k));
      double e = fabs(q - normal_moment(k)) / scale;
      if (e > worst) worst = e;
    }
    CHECK(worst < 1e-12 && fabs(wsum - 1) < 1e-15,
          "%d points: E[Z^k] exact for k <= min(2p-1, 30), worst err / sum|w x^k| %.2e, weights sum 1", p, worst);
    if (p == 3) {
      /* closed form: nodes 0, +-sqrt 3, weights 2/3, 1/6 */
      CHECK(fabs(x[2] - sqrt(3.0)) < 1e-15 && x[1] == 0 && fabs(w[1] - 2.0 / 3) < 1e-15 &&
                fabs(w[0] - 1.0 / 6) < 1e-15,
            "3-point rule is {0, +-sqrt 3} with weights {2/3, 1/6, 1/6}");
    }
  }
  {
    double x[5], w[5], q = 0;
    ls_hermite_rule(5, x, w, &err);
    for (int i = 0; i < 5; i++) q += w[i] * pow(x[i], 10);
    CHECK(fabs(q - 945) > 1, "5 points are not exact for degree 10 (%.3f vs 945): the test can fail", q);
  }
  /* 2-D tensor rule: E[x1^2 x2^2] = 1, E[x1^4] = 3, E[x1 x2] = 0 */
  CHECK(ls_data_hermite(&d, 8, 2, 1, &err) == LS_OK && d.n == 64 && d.w, "2-D hermite: 64 samples, weighted");
  double e22 = 0, e40 = 0, e11 = 0, ws = 0;
  for (size_t s = 0; s < d.n; s++) {
    double u = d.x[2 * s], v = d.x[2 * s + 1];
    e22 += d.w[s] * u * u * v * v, e40 += d.w[s] * pow(u, 4), e11 += d.w[s] * u * v, ws += d.w[s];
  }
  CHECK(fabs(e22 - 1) < 1e-13 && fabs(e40 - 3) < 1e-13 && fabs(e11) < 1e-15 && fabs(ws - 1) < 1e-14,
        "2-D: E[x1^2 x2^2]=%.15f E[x1^4]=%.15f E[x1 x2]=%.1e sum w=%.15f", e22, e40, e11, ws);
  ls_data_free(&d);
  CHECK(ls_data_hermite(&d, 8, 3, 1, &err) == LS_ERR_INPUT, "3-D hermite rejected");

  /* Glorot normal: per-layer variance 2/(fan_in+fan_out), biases 0, reproducible */
  ls_net net;
  int widths[4] = {60, 40, 30, 1};
  ls_act th = {LS_ACT_TANH, 1, 1};
  ls_net_init(&net, 3, widths, th, 1, NULL);
  size_t P = ls_net_nparams(&net);
  double *t1 = malloc(P * sizeof *t1), *t2 = malloc(P * sizeof *t2);
  ls_params_glorot(&net, 3, t1);
  ls_params_glorot(&net, 3, t2);
  CHECK(!memcmp(t1, t2, P * sizeof *t1), "glorot init reproducible from its seed");
  for (int l = 1; l <= 3; l++) {
    size_t off = ls_net_w_offset(&net, l), n = (size_t)widths[l] * widths[l - 1];
    double s2 = 0, bmax = 0;
    for (size_t i = 0; i < n; i++) s2 += t1[off + i] * t1[off + i];
    s2 /= n;
    double want = 2.0 / (widths[l] + widths[l - 1]), tol = 4 * sqrt(2.0 / n) * want;
    for (int i = 0; i < widths[l]; i++) bmax = fmax(bmax, fabs(t1[ls_net_b_offset(&net, l) + i]));
    CHECK(fabs(s2 - want) < tol && bmax == 0,
          "layer %d: sample variance %.5f vs 2/(fan_in+fan_out) = %.5f (tol %.5f), biases 0", l, s2,
          want, tol);
  }
  ls_params_normal(&net, 3, 0.5, t2);
  double s2 = 0;
  for (size_t i = 0; i < 2400; i++) s2 += t2[i] * t2[i];
  CHECK(fabs(s2 / 2400 - 0.25) < 4 * sqrt(2.0 / 2400) * 0.25, "normal init scale 0.5: variance %.4f", s2 / 2400);
  free(t1), free(t2);
  return check_done();
}
