/* The split test's spectra: Lanczos on Hessian-vector products against the dense
 * eigen-decomposition of the exact Hessian on a moderate network (a 10-10-10-1 sigmoid
 * network with biases, neuron 3 of layer 2 duplicated: 243 parameters), and the method
 * choice by size and by override (ls_split_spectrum). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "landsym/split.h"
#include "test_split_util.h"

int main(void) {
  unsigned seed = 77;
  int widths[4] = {10, 10, 10, 1};
  ls_net net, big;
  ls_data d;
  double *th = tsu_random_parity(widths, 120, &seed, &net, &d);
  ls_split_duplicate(&net, th, 2, 3, 0.3, &big, NULL, NULL);
  size_t P = ls_net_nparams(&big);
  double *tb = malloc(P * sizeof *tb);
  ls_split_duplicate(&net, th, 2, 3, 0.3, &big, tb, NULL);
  ls_error e = {0};
  ls_spectrum dn = {0}, lz = {0}, au = {0}, au2 = {0};
  ls_inertia idn, ilz, iau;
  int cdn = 0, clz = 0, k = 60;
  ls_split_spectrum_opts od = {LS_SPLIT_SPECTRUM_DENSE, 0, k}, ol = {LS_SPLIT_SPECTRUM_LANCZOS, 0, k};
  CHECK(ls_split_spectrum(&big, &d, tb, &od, 1e-10, &dn, &idn, &cdn, &e) == LS_OK &&
            dn.method == LS_SPECTRUM_DENSE && dn.n == P && cdn,
        "dense: all %zu eigenvalues, inertia (%d, %d, %d)", P, idn.neg, idn.zero, idn.pos);
  CHECK(ls_split_spectrum(&big, &d, tb, &ol, 1e-10, &lz, &ilz, &clz, &e) == LS_OK &&
            lz.method == LS_SPECTRUM_LANCZOS && lz.n == 2 * (size_t)k,
        "lanczos: %d smallest and %d largest (%zu Hessian-vector products) %s", k, k, lz.n_hvp, e.msg);
  double scale = fmax(fabs(dn.evals[0]), fabs(dn.evals[P - 1])), err = 0;
  for (int i = 0; i < k; i++) {
    err = fmax(err, fabs(lz.evals[i] - dn.evals[i]));
    err = fmax(err, fabs(lz.evals[k + i] - dn.evals[P - k + i]));
  }
  CHECK(err <= 1e-9 * scale, "Lanczos extremes = dense ones: max |diff| %.2e, max |lambda| %.3e", err, scale);
  printf("lambda_min %.6e, lambda_%d %.6e, lambda_max %.6e\n", dn.evals[0], k, dn.evals[k - 1], dn.evals[P - 1]);
  /* the window holds every negative eigenvalue iff its last one is positive */
  int want_complete = idn.neg + idn.zero < k;
  CHECK(clz == want_complete && (!clz || ls_inertia_equal(ilz, idn)),
        "Lanczos inertia (%d, %d, %d), complete %d (dense has %d negative)", ilz.neg, ilz.zero, ilz.pos, clz,
        idn.neg);
  ls_split_spectrum_opts ok = {LS_SPLIT_SPECTRUM_LANCZOS, 0, 5};
  ls_spectrum small = {0};
  ls_inertia ism;
  int csm = 1;
  CHECK(ls_split_spectrum(&big, &d, tb, &ok, 1e-10, &small, &ism, &csm, &e) == LS_OK && !csm,
        "a window of 5 below %d negative eigenvalues is reported incomplete", idn.neg);
  /* auto: dense up to dense_max parameters, Lanczos above */
  ls_split_spectrum_opts oa = {LS_SPLIT_SPECTRUM_AUTO, P, k}, ob = {LS_SPLIT_SPECTRUM_AUTO, P - 1, k};
  CHECK(ls_split_spectrum(&big, &d, tb, &oa, 1e-10, &au, &iau, NULL, &e) == LS_OK &&
            au.method == LS_SPECTRUM_DENSE && ls_split_spectrum(&big, &d, tb, &ob, 1e-10, &au2, &iau, NULL, &e) == LS_OK &&
            au2.method == LS_SPECTRUM_LANCZOS,
        "auto: dense at P = dense_max = %zu, Lanczos at dense_max = P - 1", P);
  ls_split_spectrum_opts bad = {LS_SPLIT_SPECTRUM_LANCZOS, 0, 0};
  CHECK(ls_split_spectrum(&big, &d, tb, &bad, 1e-10, &small, &ism, NULL, &e) == LS_ERR_INPUT, "k = 0 rejected (%s)",
        e.msg);
  ls_spectrum_free(&dn), ls_spectrum_free(&lz), ls_spectrum_free(&au), ls_spectrum_free(&au2);
  ls_spectrum_free(&small);
  free(th), free(tb);
  ls_data_free(&d);
  return check_done();
}
