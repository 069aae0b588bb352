/* The split block measured on the exact lifted Hessian (ls_split_block_measured: T^T H' T
 * through Hessian-vector products) against M(mu) built from the closed forms of Y and U
 * (ls_split_matrices), with the coupling to the narrow coordinates zero: Theorem 3's block
 * structure (thesis section 6.2.6) holds at any point, critical or not. A 10-8-6-1 sigmoid
 * network with biases at a random point, both hidden layers, several mu including 0, 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "landsym/split.h"
#include "test_split_util.h"

int main(void) {
  unsigned seed = 5;
  int widths[4] = {10, 8, 6, 1};
  ls_net net;
  ls_data d;
  double *th = tsu_random_parity(widths, 80, &seed, &net, &d);
  static const double mus[5] = {-0.4, 0, 0.3, 1, 1.7};
  ls_error e = {0};
  for (int layer = 1; layer <= 2; layer++) {
    int nin, nout, neuron = layer == 1 ? 5 : 2;
    ls_split_dims(&net, layer, neuron, &nin, &nout, NULL);
    int nb = nin + nout;
    double *Y = malloc((size_t)nin * nin * sizeof *Y), *U = malloc((size_t)nin * nout * sizeof *U);
    double *B = malloc((size_t)nb * nb * sizeof *B), *M = malloc((size_t)nb * nb * sizeof *M);
    ls_split_matrices(&net, &d, th, layer, neuron, Y, U, &e);
    double diff = 0, scale = 0, cmax = 0;
    int ok = 1;
    for (int m = 0; m < 5; m++) {
      ls_net big;
      ls_split_duplicate(&net, th, layer, neuron, mus[m], &big, NULL, NULL);
      double *tb = malloc(ls_net_nparams(&big) * sizeof *tb), c;
      ls_split_duplicate(&net, th, layer, neuron, mus[m], &big, tb, NULL);
      ok &= ls_split_block_measured(&net, layer, neuron, mus[m], &big, &d, tb, B, &c, &e) == LS_OK;
      ls_split_block(Y, U, nin, nout, mus[m], M);
      for (int i = 0; i < nb * nb; i++) diff = fmax(diff, fabs(B[i] - M[i])), scale = fmax(scale, fabs(M[i]));
      cmax = fmax(cmax, c);
      free(tb);
    }
    CHECK(ok && diff <= 1e-12 * scale, "layer %d: measured block = M(mu) from Y, U: max diff %.1e (max entry %.2e)",
          layer, diff, scale);
    CHECK(cmax <= 1e-12 * scale, "layer %d: coupling to the narrow coordinates %.1e", layer, cmax);
    free(Y), free(U), free(B), free(M);
  }
  ls_net bad;
  ls_split_duplicate(&net, th, 2, 0, 0.5, &bad, NULL, NULL);
  double B1[1], c;
  CHECK(ls_split_block_measured(&net, 1, 0, 0.5, &bad, &d, th, B1, &c, &e) == LS_ERR_INPUT,
        "a lifted network of the wrong layer is rejected (%s)", e.msg);
  free(th);
  ls_data_free(&d);
  return check_done();
}
