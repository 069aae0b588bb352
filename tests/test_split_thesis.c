/* Split test (thesis section 6.2.6, Theorem 3, Corollaries 3.1 and 3.2; section 6.3.1) on
 * the thesis toy problem and on a deeper network: critical points of narrow students
 * (not global minima: a width-2 student cannot fit the width-4 teacher) are lifted by
 * duplicating a neuron with split mu, and the predicted Hessian inertia is compared
 * with the measured spectrum along a sweep of mu; the block structure T^T H T =
 * diag(H_r, M(mu)) is compared entry by entry; the eigenvalues that cross zero at
 * mu = 0 and 1 are counted. */
#include <stdio.h>

#include "check.h"
#include "test_split_util.h"

static const double mus[] = {-2.0, -0.7, -0.15, 0.1, 0.3, 0.5, 0.75, 0.9, 1.2, 3.0};
#define NMU (int)(sizeof mus / sizeof mus[0])

/* max |T^T H' T - diag(H_r, M)| relative to max |H'|. */
static double block_residual(const ls_net *net, const ls_data *d, const double *th, int layer,
                             int neuron, double mu, const double *Hr, const double *Y,
                             const double *U) {
  int nin, nout;
  ls_split_dims(net, layer, neuron, &nin, &nout, NULL);
  ls_net big;
  size_t Pr = ls_net_nparams(net);
  ls_split_duplicate(net, th, layer, neuron, mu, &big, NULL, NULL);
  size_t P = ls_net_nparams(&big);
  double *tb = malloc(P * sizeof *tb), *H = malloc(P * P * sizeof *H), *T = malloc(P * P * sizeof *T);
  double *HT = malloc(P * P * sizeof *HT), *M = malloc((size_t)(nin + nout) * (nin + nout) * sizeof *M);
  ls_split_duplicate(net, th, layer, neuron, mu, &big, tb, NULL);
  tsu_hessian(&big, d, tb, H);
  ls_split_transform(net, layer, neuron, mu, T, NULL);
  ls_split_block(Y, U, nin, nout, mu, M);
  for (size_t i = 0; i < P; i++)
    for (size_t j = 0; j < P; j++) {
      double s = 0;
      for (size_t k = 0; k < P; k++) s += H[i * P + k] * T[k * P + j];
      HT[i * P + j] = s;
    }
  double hmax = 0, res = 0;
  for (size_t i = 0; i < P * P; i++) hmax = fmax(hmax, fabs(H[i]));
  for (size_t i = 0; i < P; i++)
    for (size_t j = 0; j < P; j++) {
      double s = 0;
      for (size_t k = 0; k < P; k++) s += T[k * P + i] * HT[k * P + j];
      double want = 0;
      if (i < Pr && j < Pr)
        want = Hr[i * Pr + j];
      else if (i >= Pr && j >= Pr)
        want = M[(i - Pr) * (nin + nout) + (j - Pr)];
      res = fmax(res, fabs(s - want));
    }
  free(tb), free(H), free(T), free(HT), free(M);
  return res / hmax;
}

/* Measured inertia of the lifted Hessian at mu (zero: |lambda| <= rtol max|lambda|);
 * also returns the eigenvalues in eig (P' entries). */
static ls_inertia measured(const ls_net *net, const ls_data *d, const double *th, int layer,
                           int neuron, double mu, double rtol, double *eig) {
  ls_net big;
  ls_split_duplicate(net, th, layer, neuron, mu, &big, NULL, NULL);
  size_t P = ls_net_nparams(&big);
  double *tb = malloc(P * sizeof *tb), *H = malloc(P * P * sizeof *H);
  ls_split_duplicate(net, th, layer, neuron, mu, &big, tb, NULL);
  tsu_hessian(&big, d, tb, H);
  ls_split_eigvals(H, (int)P, eig, NULL);
  double emax = fmax(fabs(eig[0]), fabs(eig[P - 1]));
  ls_inertia in = ls_inertia_count(eig, (int)P, rtol * emax);
  free(tb), free(H);
  return in;
}

/* The whole split check for every neuron of `layer` of a critical point th of net. */
static void check_layer(const char *name, const ls_net *net, const ls_data *d, const double *th,
                        int layer) {
  size_t Pr = ls_net_nparams(net);
  double *Hr = malloc(Pr * Pr * sizeof *Hr), *er = malloc(Pr * sizeof *er);
  tsu_hessian(net, d, th, Hr);
  ls_split_eigvals(Hr, (int)Pr, er, NULL);
  double emax = fmax(fabs(er[0]), fabs(er[Pr - 1]));
  ls_inertia inr = ls_inertia_count(er, (int)Pr, 1e-9 * emax);
  double ptol = 1e-9 * emax; /* zero threshold of the prediction: 1e-9 of the narrow Hessian */
  printf("# %s: narrow Hessian inertia (neg %d, zero %d, pos %d), eigenvalues %.3e .. %.3e\n",
         name, inr.neg, inr.zero, inr.pos, er[0], er[Pr - 1]);
  for (int j = 0; j < net->width[layer]; j++) {
    int nin, nout;
    ls_split_dims(net, layer, j, &nin, &nout, NULL);
    double *Y = malloc((size_t)nin * nin * sizeof *Y), *U = malloc((size_t)nin * nout * sizeof *U);
    double *ey = malloc((size_t)nin * sizeof *ey);
    ls_split_matrices(net, d, th, layer, j, Y, U, NULL);
    ls_split_eigvals(Y, nin, ey, NULL);
    double umax = 0;
    for (int i = 0; i < nin * nout; i++) umax = fmax(umax, fabs(U[i]));
    printf("# %s layer %d neuron %d: eig(Y) =", name, layer, j);
    for (int i = 0; i < nin; i++) printf(" %.4e", ey[i]);
    printf(", max|U| = %.2e\n", umax);
    if (nout == 1)
      CHECK(umax < 1e-9 * fmax(1, fabs(ey[nin - 1])),
            "%s layer %d neuron %d: U = 0 for one outgoing weight (max|U| %.2e)", name, layer, j, umax);
    /* block structure, Theorem 3 in matrix form */
    double worst = 0;
    for (int k = 0; k < NMU; k++)
      worst = fmax(worst, block_residual(net, d, th, layer, j, mus[k], Hr, Y, U));
    CHECK(worst < 1e-7, "%s layer %d neuron %d: T^T H T = diag(H_r, M(mu)) (max rel residual %.2e)",
          name, layer, j, worst);
    /* inertia, predicted vs measured along the sweep */
    ls_net big;
    ls_split_duplicate(net, th, layer, j, 0.5, &big, NULL, NULL);
    size_t P = ls_net_nparams(&big);
    double *eig = malloc(P * sizeof *eig);
    int bad = 0;
    for (int k = 0; k < NMU; k++) {
      ls_inertia pm, meas = measured(net, d, th, layer, j, mus[k], 1e-9, eig);
      ls_split_predict(Y, U, nin, nout, mus[k], ptol, &pm, NULL, NULL);
      ls_inertia pred = ls_inertia_add(inr, pm);
      if (!ls_inertia_equal(pred, meas)) bad++;
      printf("#   mu %6.2f predicted (%d,%d,%d) measured (%d,%d,%d)\n", mus[k], pred.neg,
             pred.zero, pred.pos, meas.neg, meas.zero, meas.pos);
    }
    CHECK(bad == 0, "%s layer %d neuron %d: predicted inertia = measured at %d values of mu in (0,1) and outside [0,1]",
          name, layer, j, NMU);
    /* mu = 0 and 1 (thesis section 6.3.1): nin + nout - 2 rank(U) eigenvalues vanish there
     * (all nin + nout of the block when U = 0, the thesis's "12 eigenvalues cross 0"), and
     * of these the rank(Z^T Y Z) ones change sign: just inside (0,1) they carry the signs
     * of Z^T Y Z, just outside the opposite ones. They are followed through mu = e +- eps
     * as the z0 eigenvalues of smallest modulus, with eps small against the gap to the
     * rest of the spectrum (narrow Hessian, singular values of U). */
    int rho;
    ls_inertia p0;
    ls_split_predict(Y, U, nin, nout, 0.0, ptol, &p0, &rho, NULL);
    int nb = nin + nout;
    double *M0 = malloc((size_t)nb * nb * sizeof *M0), *e0 = malloc((size_t)nb * sizeof *e0);
    ls_split_block(Y, U, nin, nout, 0.0, M0);
    ls_split_eigvals(M0, nb, e0, NULL);
    double gap = HUGE_VAL, ymax = fmax(fabs(ey[0]), fabs(ey[nin - 1]));
    for (size_t i = 0; i < Pr; i++)
      if (fabs(er[i]) > ptol) gap = fmin(gap, fabs(er[i]));
    for (int i = 0; i < nb; i++)
      if (fabs(e0[i]) > ptol) gap = fmin(gap, fabs(e0[i]));
    double eps = fmin(1e-2, 0.02 * gap / ymax);
    for (int e = 0; e <= 1; e++) {
      ls_inertia m0 = measured(net, d, th, layer, j, (double)e, 1e-9, eig);
      int z0 = inr.zero + p0.zero;
      CHECK(m0.zero == z0 && m0.neg == inr.neg + p0.neg,
            "%s layer %d neuron %d: at mu = %d, %d zero eigenvalues (predicted %d: %d from the block, rank U = %d)",
            name, layer, j, e, m0.zero, z0, p0.zero, rho);
      int sn[2], sp[2], pn[2], pp[2];
      for (int side = 0; side < 2; side++) {
        double mu = e + (side ? eps : -eps);
        measured(net, d, th, layer, j, mu, 1e-9, eig);
        /* the z0 eigenvalues of smallest modulus */
        for (size_t a = 1; a < P; a++)
          for (size_t b = a; b > 0 && fabs(eig[b]) < fabs(eig[b - 1]); b--) {
            double t = eig[b]; eig[b] = eig[b - 1]; eig[b - 1] = t;
          }
        sn[side] = sp[side] = 0;
        for (int i = 0; i < z0; i++)
          if (fabs(eig[i]) > 1e-11 * emax) eig[i] < 0 ? sn[side]++ : sp[side]++;
        ls_inertia pr;
        ls_split_predict(Y, U, nin, nout, mu, 1e-11 * emax, &pr, NULL, NULL);
        pn[side] = pr.neg - rho, pp[side] = pr.pos - rho; /* the Z^T Y Z part */
      }
      CHECK(sn[0] == pn[0] && sp[0] == pp[0] && sn[1] == pn[1] && sp[1] == pp[1] &&
                sn[0] == sp[1] && sp[0] == sn[1],
            "%s layer %d neuron %d: %d eigenvalues change sign at mu = %d (-/+ at mu-%.0e: %d/%d, at mu+%.0e: %d/%d; predicted %d/%d, %d/%d)",
            name, layer, j, sn[0] + sp[0], e, eps, sn[0], sp[0], eps, sn[1], sp[1], pn[0], pp[0], pn[1], pp[1]);
    }
    free(M0), free(e0);
    free(eig), free(Y), free(U), free(ey);
  }
  free(Hr), free(er);
}

int main(void) {
  ls_data d;
  tsu_thesis_data(&d);
  ls_act sig = {LS_ACT_SIGMOID, 0, 0};
  /* width-2 student of the thesis toy (no bias, sigmoid) */
  {
    int widths[3] = {2, 2, 1};
    ls_net net;
    ls_net_init(&net, 2, widths, sig, 0, NULL);
    double th[6] = {0.6, 0.5, -0.2, -0.6, 1.0, 1.0};
    double L, gn = tsu_critical_point(&net, &d, th, 2000, 0.5, 1e-13, 0);
    tsu_grad_norm(&net, &d, th, &L);
    printf("# thesis 2-2-1: loss %.10e, |grad| %.2e, theta =", L, gn);
    for (int i = 0; i < 6; i++) printf(" %.6f", th[i]);
    printf("\n");
    CHECK(gn < 1e-12 && L > 1e-5, "thesis 2-2-1 student at a critical point that is not a global minimum (|grad| %.2e, loss %.4e)", gn, L);
    check_layer("thesis 2-2-1", &net, &d, th, 1);
  }
  /* deeper: 2-3-2-1 sigmoid with biases (the thesis's section 6.3 architecture in small),
   * at a planted critical point: targets y = f(theta) - r with r orthogonal to the
   * output Jacobian, so theta is exactly critical with residual r != 0 (rms 1). */
  {
    int widths[4] = {2, 3, 2, 1};
    ls_net net;
    ls_net_init(&net, 3, widths, sig, 1, NULL);
    size_t P = ls_net_nparams(&net);
    double *th = malloc(P * sizeof *th), L;
    unsigned seed = 11;
    for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed);
    tsu_plant_critical(&net, &d, th, 1.0, 5);
    double gn = tsu_critical_point(&net, &d, th, 0, 0, 1e-14, 0);
    tsu_grad_norm(&net, &d, th, &L);
    printf("# deep 2-3-2-1: loss %.10e, |grad| %.2e\n", L, gn);
    CHECK(gn < 1e-12 && L > 1e-5, "deep 2-3-2-1 at a planted critical point that is not a global minimum (|grad| %.2e, loss %.4e)", gn, L);
    check_layer("deep 2-3-2-1", &net, &d, th, 1);
    check_layer("deep 2-3-2-1", &net, &d, th, 2);
    free(th);
  }
  /* Corollary 3.2's definite cases: planted critical points of a 2-2-1 student (thesis
   * grid, residual rms 0.05) where the narrow Hessian is positive definite and Y of
   * neuron 0 is positive definite (seed 9: degenerate local minimum for mu in (0,1),
   * index-2 saddle outside [0,1]) or negative definite (seed 19: the reverse). */
  {
    int widths[3] = {2, 2, 1};
    ls_net net;
    ls_net_init(&net, 2, widths, sig, 0, NULL);
    const unsigned seeds[2] = {9, 19};
    for (int c = 0; c < 2; c++) {
      double th[6] = {0.6, 0.5, -0.2, -0.6, 1, 1}, Y[4], U[2], ey[2], Hr[36], er[6];
      unsigned q = seeds[c];
      for (int i = 0; i < 6; i++) th[i] += 0.3 * tsu_normal(&q);
      ls_data dp;
      tsu_thesis_data(&dp);
      tsu_plant_critical(&net, &dp, th, 0.05, seeds[c]);
      tsu_hessian(&net, &dp, th, Hr);
      ls_split_eigvals(Hr, 6, er, NULL);
      ls_split_matrices(&net, &dp, th, 1, 0, Y, U, NULL);
      ls_split_eigvals(Y, 2, ey, NULL);
      ls_inertia in, out;
      ls_split_predict(Y, U, 2, 1, 0.5, 1e-12, &in, NULL, NULL);
      ls_split_predict(Y, U, 2, 1, 2.0, 1e-12, &out, NULL, NULL);
      int pd = ey[0] > 0;
      CHECK(er[0] > 0 && ey[0] * ey[1] > 0 && tsu_grad_norm(&net, &dp, th, NULL) < 1e-13 &&
                (pd ? in.neg == 0 && out.neg == 2 : in.neg == 2 && out.neg == 0),
            "planted seed %u: H_r > 0, Y %s definite (%.3e, %.3e): %s for mu in (0,1), %s outside [0,1]",
            seeds[c], pd ? "positive" : "negative", ey[0], ey[1],
            pd ? "degenerate local minimum" : "index-2 saddle", pd ? "index-2 saddle" : "degenerate local minimum");
      char name[64];
      snprintf(name, sizeof name, "planted 2-2-1 seed %u", seeds[c]);
      check_layer(name, &net, &dp, th, 1);
      ls_data_free(&dp);
    }
  }
  ls_data_free(&d);
  return check_done();
}
