/* Seeded parameter initialisation (net.h). Glorot & Bengio (2010), "Understanding the
 * difficulty of training deep feedforward neural networks": Var W = 2/(fan_in+fan_out);
 * the thesis initialises its students this way (thesis section 6.2.1). */
#include <math.h>
#include <string.h>

#include "landsym/net.h"
#include "landsym/rng.h"

static void init_layers(const ls_net *net, uint64_t seed, int glorot, double scale,
                        double *theta) {
  ls_rng r;
  ls_rng_seed(&r, seed);
  memset(theta, 0, ls_net_nparams(net) * sizeof *theta); /* biases stay 0 */
  for (int l = 1; l <= net->n_layers; l++) {
    size_t fan_in = (size_t)net->width[l - 1], fan_out = (size_t)net->width[l];
    double sd = glorot ? sqrt(2.0 / (double)(fan_in + fan_out)) : scale;
    ls_rng_normal_fill(&r, fan_in * fan_out, sd, theta + ls_net_w_offset(net, l));
  }
}

void ls_params_glorot(const ls_net *net, uint64_t seed, double *theta) {
  init_layers(net, seed, 1, 0.0, theta);
}

void ls_params_normal(const ls_net *net, uint64_t seed, double scale, double *theta) {
  init_layers(net, seed, 0, scale, theta);
}
