/* landsym reproduce mnist-split: Stoican 2022 section 6.3 (thesis) through
 * ls_exp_reproduce_mnist_split (src/exp/mnist_split.c). The two training stages run the
 * train command (its config "train" section, flags below); the split stages and the
 * retraining are library calls. The config's optional "split" section chooses how spectra
 * are computed: {"spectrum": "auto"|"dense"|"lanczos", "dense_max": N, "lanczos_k": K}. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/reproduce_mnist.h"
#include "landsym/exp_mnist.h"

/* Stage 0: Adam, then Newton, from the config. Stage 1: Levenberg-Marquardt on
 * grad L = 0 with the exact Hessian from params, converging to the nearby critical point
 * (saddles too) down to the gradient's rounding level. */
static ls_status train(int stage, const char *config, const char *params, const char *out_dir,
                       void *user, ls_error *err) {
  (void)user;
  char *a0[] = {"train", "--config", (char *)config, "--out", (char *)out_dir, "--quiet", NULL};
  char *a1[] = {"train", "--config", (char *)config, "--params", (char *)params, "--method", "none",
                "--critical", "true", "--polish-max-iter", "200", "--grad-tol", "1e-15", "--out",
                (char *)out_dir, "--quiet", NULL};
  int rc = stage ? cmd_train(16, a1) : cmd_train(6, a0);
  if (!rc) return LS_OK;
  return ls_error_set(err, rc == 2 ? LS_ERR_INPUT : LS_ERR_COMPUTE, "training stage %d failed (exit %d)",
                      stage + 1, rc);
}

int reproduce_mnist_split(const char *config, const char *out) {
  ls_reproduce_opts ro = {config, out, 0, 0, ls_ctx_default()};
  ls_exp_mnist_result res;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_mnist_split(&ro, train, NULL, &res, stdout, stderr, &err);
  if (st) return cli_fail("reproduce", &err);
  ls_exp_mnist_result_free(&res);
  return 0;
}
