/* The split test of a critical point through the installed library alone (thesis section
 * 6.2.6, Theorem 3): duplicate neuron NEURON of hidden layer LAYER, sweep the split mu,
 * and compare the predicted Hessian inertia of the lifted point with the measured one.
 *
 *   cc split_test.c $(pkg-config --cflags --libs landsym) -o split_test
 *   ./split_test CONFIG PARAMS LAYER NEURON A:B:N OUTDIR
 *
 * Prints the headline numbers one per line ("name value"); the files of `landsym split`
 * go to OUTDIR. Exit 0 when every mu matches the prediction. */
#include <stdio.h>
#include <stdlib.h>

#include <landsym/config.h>
#include <landsym/ctx.h>
#include <landsym/exp_split.h>
#include <landsym/io.h>

static void print_inertia(const char *name, ls_inertia in) {
  printf("%s %d %d %d\n", name, in.neg, in.zero, in.pos);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s CONFIG PARAMS LAYER NEURON A:B:N OUTDIR\n", argv[0]);
    return 2;
  }
  /* OpenBLAS on one thread, as the landsym command runs: its threaded products sum in an
   * order that depends on the thread count, and the last digits would follow it. */
  ls_ctx ctx = ls_ctx_default();
  ls_ctx_apply_blas(&ctx);
  ls_exp_split_opts o = ls_exp_split_opts_default();
  o.layer = atoi(argv[3]), o.neuron = atoi(argv[4]), o.out_dir = argv[6];
  if (sscanf(argv[5], "%lf:%lf:%ld", &o.mu_lo, &o.mu_hi, &o.n_mu) != 3) {
    fprintf(stderr, "the mu grid must be A:B:N\n");
    return 2;
  }
  ls_error err = {0}, fig = {0};
  ls_config cfg;
  if (ls_config_load(argv[1], &cfg, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
  double *theta = NULL;
  ls_exp_split_result r = {0};
  ls_status st = ls_params_read_net(argv[2], &cfg.student, &theta, &err);
  if (!st) st = ls_exp_split_run(&cfg.student, &cfg.data, theta, &o, &r, &fig, &err);
  if (st) {
    fprintf(stderr, "%s\n", err.msg);
    free(theta), ls_config_free(&cfg);
    return ls_status_exit_code(st);
  }
  printf("nin %d\nnout %d\nrank_U %d\n", r.nin, r.nout, r.rank_u);
  print_inertia("narrow_inertia", r.narrow);
  print_inertia("predicted_inertia_inside", r.pred_inside);
  print_inertia("predicted_inertia_outside", r.pred_outside);
  printf("zeros_at_mu0 %d\nzeros_at_mu1 %d\n", r.zeros_mu0, r.zeros_mu1);
  printf("loss %.17g\nlambda_max_narrow %.17g\n", r.loss, r.lambda_max_narrow);
  for (int i = 0; i < r.nin; i++) printf("Y_eigenvalue %.17g\n", r.y_eigs[i]);
  printf("mu_values %ld\nmismatches %d\n", r.n_mu, r.mismatches);
  int rc = r.mismatches ? 1 : 0;
  ls_exp_split_result_free(&r);
  free(theta);
  ls_config_free(&cfg);
  return rc;
}
