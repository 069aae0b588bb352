/* landsym: thesis (Stoican 2022) section 6.3 as a library call, `reproduce mnist-split`
 * (docs/mnist.md). Train the 10-10-10-10-1 sigmoid network on the MNIST parity problem,
 * converge to the nearby critical point, then duplicate neuron 0 of the last (3) and of the
 * second (2) hidden layer: the split test of Theorem 3 along mu in [-0.5, 1.5] and finer
 * around mu = 0 and 1, where the block M(mu) vanishes (section 6.3.1, ls_exp_split_run),
 * and perturb-and-retrain from the saddle line (section 6.3.2, ls_exp_mnist_retrain).
 * Each stage's wall time goes to DIR/timing.txt. */
#ifndef LANDSYM_EXP_MNIST_H
#define LANDSYM_EXP_MNIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "landsym/config.h"
#include "landsym/exp_reproduce.h"
#include "landsym/exp_split.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

/* Perturb-and-retrain from the saddle line (section 6.3.2). */
typedef struct {
  int layer, neuron;     /* the duplicated neuron */
  const double *mu;      /* points of the saddle line */
  int n_mu, trials;      /* trials per point */
  double sigma, lr;      /* perturbation std (0.01 in the thesis); Adam learning rate */
  size_t adam_steps, newton_iters;
  uint64_t seed;
} ls_exp_mnist_retrain_opts;

/* Columns of one retraining: mu, trial, saddle loss, perturbed loss, final loss, final
 * |grad|_inf, final smallest Hessian eigenvalue, distance from the saddle, distance of
 * the duplicated neuron's two copies, below the saddle (0/1), at a minimum (0/1). */
#define LS_EXP_MNIST_RETRAIN_COLS 11

/* From theta (critical point of cfg's student): for each mu the saddle-line point, trials
 * times perturbed by sigma N(0, I) and retrained (Adam, then Newton). rows (malloc'd,
 * n_mu * trials rows of LS_EXP_MNIST_RETRAIN_COLS) receives the table; with out_dir,
 * retrain.csv and retrain_summary.json are written there. One line per run to log. */
ls_status ls_exp_mnist_retrain(const ls_config *cfg, const double *theta,
                               const ls_exp_mnist_retrain_opts *o, const char *out_dir,
                               double **rows, FILE *log, ls_error *err);
/* Per mu: runs below the saddle, at a minimum, with the copies separated (new reference). */
struct json_t *ls_exp_mnist_retrain_summary(const ls_exp_mnist_retrain_opts *o, const double *rows);

/* A training stage the face runs (the config's "train" section is read there): stage 0
 * trains from the config's initialisation into out_dir (out_dir/params.npy); stage 1 starts
 * from params and converges to the nearby critical point (saddles allowed) into out_dir. */
typedef ls_status (*ls_exp_mnist_train_fn)(int stage, const char *config, const char *params,
                                           const char *out_dir, void *user, ls_error *err);

typedef struct {
  ls_exp_split_result split[6]; /* layer 3: -0.5:1.5:21, -0.02:0.02:5, 0.98:1.02:5; then layer 2 */
  double *retrain;              /* 2 x 5 retraining rows (see ls_exp_mnist_retrain) */
  int retrain_rows;
} ls_exp_mnist_result;

/* The whole target in ro->out_dir (train/, critical/, split_layer{3,2}{,_mu0,_mu1}/,
 * retrain/, timing.txt). The config's "split" section is checked before any training.
 * Each split stage's summary and the retraining summary are printed on out (may be NULL)
 * as they finish; progress goes to log (may be NULL). */
ls_status ls_exp_reproduce_mnist_split(const ls_reproduce_opts *ro, ls_exp_mnist_train_fn train,
                                       void *user, ls_exp_mnist_result *res, FILE *out, FILE *log,
                                       ls_error *err);
void ls_exp_mnist_result_free(ls_exp_mnist_result *res); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
