/* `landsym reproduce mnist-split` (docs/mnist.md): a face over
 * ls_exp_reproduce_mnist_split (landsym/exp_mnist.h). */
#ifndef LANDSYM_CLI_REPRODUCE_MNIST_H
#define LANDSYM_CLI_REPRODUCE_MNIST_H

int reproduce_mnist_split(const char *config, const char *out);

#endif
