/* `landsym reproduce mnist-split` (docs/mnist.md). */
#ifndef LANDSYM_CLI_REPRODUCE_MNIST_H
#define LANDSYM_CLI_REPRODUCE_MNIST_H
#include <stddef.h>
#include <stdint.h>

int reproduce_mnist_split(const char *config, const char *out);

/* Perturb-and-retrain from the saddle line (thesis section 6.3.2). */
typedef struct {
  int layer, neuron;     /* the duplicated neuron */
  const double *mu;      /* points of the saddle line */
  int n_mu, trials;      /* trials per point */
  double sigma, lr;      /* perturbation std (0.01 in the thesis); Adam learning rate */
  size_t adam_steps, newton_iters;
  uint64_t seed;
} mnist_retrain_opts;

/* Writes DIR/retrain.csv and DIR/retrain_summary.json (DIR must exist); CLI exit code. */
int reproduce_mnist_retrain(const char *config, const char *params, const char *out,
                            const mnist_retrain_opts *o);
#endif
