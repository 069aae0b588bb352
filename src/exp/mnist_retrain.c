/* Thesis (Stoican 2022) section 6.3.2: start from points of the saddle line obtained by
 * duplicating a neuron of the critical point, perturb them (the gradient vanishes on the
 * line, so no gradient method can move from there) by Gaussian noise of std sigma, retrain,
 * and record where the runs end: loss against the saddle's loss, gradient, smallest Hessian
 * eigenvalue (a minimum or not), distance travelled, and how far apart the two copies of
 * the duplicated neuron end up (0 = still on a saddle line). landsym/exp_mnist.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "landsym/engine.h"
#include "landsym/exp_mnist.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/optim.h"
#include "landsym/out.h"
#include "landsym/rng.h"
#include "landsym/split.h"

#define RT_COLS LS_EXP_MNIST_RETRAIN_COLS

/* Distance between the incoming weights (and bias) of neurons i and j of layer l. */
static double pair_distance(const ls_net *net, const double *th, int l, int i, int j) {
  int wi = net->width[l - 1];
  const double *W = th + ls_net_w_offset(net, l);
  double s = 0;
  for (int c = 0; c < wi; c++) s += (W[(size_t)i * wi + c] - W[(size_t)j * wi + c]) * (W[(size_t)i * wi + c] - W[(size_t)j * wi + c]);
  if (net->bias[l]) {
    const double *b = th + ls_net_b_offset(net, l);
    s += (b[i] - b[j]) * (b[i] - b[j]);
  }
  return sqrt(s);
}

/* One retraining from saddle + sigma N(0, I); fills row[RT_COLS]. */
static ls_status retrain_one(const ls_net *big, const ls_data *d, const double *saddle, double saddle_loss,
                             const ls_exp_mnist_retrain_opts *o, ls_rng *rng, double *x, double *row, ls_error *err) {
  size_t P = ls_net_nparams(big);
  for (size_t i = 0; i < P; i++) x[i] = saddle[i] + o->sigma * ls_rng_normal(rng);
  double f0 = NAN;
  ls_work *w = ls_work_alloc(big, d->n);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_loss(big, d, x, &f0, w);
  ls_work_free(w);
  ls_train_opts to;
  ls_train_opts_default(&to);
  to.first = LS_FIRST_ADAM, to.lr = o->lr, to.first_maxiter = o->adam_steps;
  to.polish = LS_POLISH_NEWTON, to.polish_maxiter = o->newton_iters;
  to.grad_tol = 1e-11, to.traj_per_decade = 0;
  ls_train_result r = {0};
  ls_status st = ls_train(big, d, x, &to, &r, err);
  if (st) return st;
  ls_spectrum sp = {0};
  st = ls_hessian_spectrum(big, d, x, 0, 4, &sp, err);
  double ds = 0;
  for (size_t i = 0; i < P; i++) ds += (x[i] - saddle[i]) * (x[i] - saddle[i]);
  row[2] = saddle_loss, row[3] = f0, row[4] = r.loss, row[5] = r.grad_norm;
  row[6] = st ? NAN : sp.evals[0];
  row[7] = sqrt(ds);
  row[8] = pair_distance(big, x, o->layer, o->neuron, big->width[o->layer] - 1);
  row[9] = r.loss < saddle_loss * (1 - 1e-9);
  /* a minimum up to the rounding level of the eigenvalues */
  row[10] = !st && sp.evals[0] >= -1e-10 * fabs(sp.evals[sp.n - 1]);
  ls_spectrum_free(&sp);
  ls_train_result_free(&r);
  return st;
}

/* The saddle-line point for mu and its loss, then its trials. */
static ls_status retrain_mu(const ls_config *cfg, const double *th, const ls_exp_mnist_retrain_opts *o,
                            int m, ls_rng *rng, double *saddle, double *x, double *rows, FILE *log,
                            ls_error *err) {
  const ls_net *net = &cfg->student;
  ls_net big;
  ls_split_duplicate(net, th, o->layer, o->neuron, o->mu[m], &big, saddle, NULL);
  double fs = NAN;
  ls_work *w = ls_work_alloc(&big, cfg->data.n);
  if (w) ls_loss(&big, &cfg->data, saddle, &fs, w);
  ls_work_free(w);
  ls_status st = LS_OK;
  for (int t = 0; t < o->trials && !st; t++) {
    double *row = rows + ((size_t)m * o->trials + t) * RT_COLS;
    row[0] = o->mu[m], row[1] = t;
    st = retrain_one(&big, &cfg->data, saddle, fs, o, rng, x, row, err);
    if (log)
      fprintf(log, "landsym reproduce mnist-split: retrain mu %g trial %d: loss %.10g -> %.10g (saddle %.10g), "
                   "lambda_min %.3e, pair distance %.3e\n",
              o->mu[m], t, row[3], row[4], fs, row[6], row[8]);
  }
  return st;
}

json_t *ls_exp_mnist_retrain_summary(const ls_exp_mnist_retrain_opts *o, const double *rows) {
  json_t *by = json_array();
  for (int m = 0; m < o->n_mu; m++) {
    int below = 0, minimum = 0, off = 0;
    double best = INFINITY, worst = -INFINITY, fs = rows[(size_t)m * o->trials * RT_COLS + 2];
    for (int t = 0; t < o->trials; t++) {
      const double *row = rows + ((size_t)m * o->trials + t) * RT_COLS;
      below += row[9] > 0.5;
      minimum += row[10] > 0.5;
      off += row[8] > 1e-3;
      best = fmin(best, row[4]), worst = fmax(worst, row[4]);
    }
    json_array_append_new(by, json_pack("{s:o, s:i, s:o, s:i, s:i, s:i, s:o, s:o}", "mu", ls_json_num(o->mu[m]),
                                        "trials", o->trials, "saddle_loss", ls_json_num(fs), "below_saddle",
                                        below, "at_minimum", minimum, "copies_separated", off,
                                        "final_loss_min", ls_json_num(best), "final_loss_max", ls_json_num(worst)));
  }
  return json_pack("{s:o, s:I, s:I, s:o}", "sigma", ls_json_num(o->sigma), "adam_steps",
                   (json_int_t)o->adam_steps, "newton_iters", (json_int_t)o->newton_iters, "by_mu", by);
}

/* retrain.csv and retrain_summary.json in dir. */
static ls_status retrain_write(const char *dir, const ls_exp_mnist_retrain_opts *o, const double *rows,
                               ls_error *err) {
  char *csv = ls_path_join(dir, "retrain.csv"), *js = ls_path_join(dir, "retrain_summary.json");
  json_t *j = ls_exp_mnist_retrain_summary(o, rows);
  ls_status st = csv && js && j ? ls_mkdir_p(dir, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (!st)
    st = ls_csv_write(csv,
                      "mu,trial,saddle_loss,perturbed_loss,final_loss,final_grad_inf,final_lambda_min,"
                      "dist_saddle,pair_distance,below_saddle,at_minimum",
                      rows, (size_t)o->n_mu * o->trials, RT_COLS, err);
  if (!st) st = ls_json_save(j, js, err);
  json_decref(j);
  free(csv), free(js);
  return st;
}

ls_status ls_exp_mnist_retrain(const ls_config *cfg, const double *th,
                               const ls_exp_mnist_retrain_opts *o, const char *out_dir,
                               double **rows_out, FILE *log, ls_error *err) {
  *rows_out = NULL;
  ls_net big;
  ls_status st = ls_split_duplicate(&cfg->student, th, o->layer, o->neuron, 0.5, &big, NULL, err);
  if (st) return st;
  size_t P = ls_net_nparams(&big);
  double *saddle = malloc(P * sizeof *saddle), *x = malloc(P * sizeof *x);
  double *rows = calloc((size_t)o->n_mu * o->trials * RT_COLS, sizeof *rows);
  if (!saddle || !x || !rows) st = ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_rng rng;
  ls_rng_seed(&rng, o->seed);
  for (int m = 0; m < o->n_mu && !st; m++) st = retrain_mu(cfg, th, o, m, &rng, saddle, x, rows, log, err);
  if (!st && out_dir) st = retrain_write(out_dir, o, rows, err);
  free(saddle), free(x);
  if (st) free(rows);
  else *rows_out = rows;
  return st;
}
