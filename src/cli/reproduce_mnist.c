/* landsym reproduce mnist-split: Stoican 2022 section 6.3 (thesis). Train the 10-10-10-10-1
 * sigmoid network on the MNIST parity problem (Adam, then Newton trust region), refine to the
 * nearest critical point (Newton on the gradient, saddles allowed), then duplicate a neuron
 * of the last and of the second hidden layer with `landsym split`: Y eigenvalues, predicted
 * and measured Hessian inertia along mu, finer sweeps around mu = 0 and 1 (section 6.3.1,
 * the 12 eigenvalues crossing zero), and perturb-and-retrain from the saddle line (section
 * 6.3.2). Each stage's wall time goes to DIR/timing.txt. The config's optional "split"
 * section chooses how spectra are computed: {"spectrum": "auto"|"dense"|"lanczos",
 * "dense_max": N, "lanczos_k": K} (passed to `landsym split`). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/reproduce_mnist.h"
#include "landsym/config.h"
#include "landsym/config_split.h"
#include "landsym/exp_split.h"
#include "landsym/io.h"
#include "landsym/out.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Runs one stage, appends its time to the timing file; the stage's exit code. */
static int stage(FILE *tf, const char *what, int (*fn)(int, char **), char **argv) {
  int argc = 0;
  while (argv[argc]) argc++;
  fprintf(stderr, "landsym reproduce mnist-split: %s\n", what);
  double t0 = now();
  int rc = fn(argc, argv);
  double dt = now() - t0;
  fprintf(tf, "%-44s %8.1f s (exit %d)\n", what, dt, rc);
  fflush(tf);
  return rc;
}

/* One split stage: neuron 0 of `layer`, mu grid [lo, hi] with n points, results in dir
 * (ls_exp_split_run with the config's "split" section; the summary goes to stdout). */
typedef struct {
  ls_config cfg;
  double *theta;
  ls_exp_split_opts o;
} split_stage_ctx;

static int split_stage(FILE *tf, const char *what, split_stage_ctx *c, int layer, double lo,
                       double hi, long n, const char *dir) {
  fprintf(stderr, "landsym reproduce mnist-split: %s\n", what);
  double t0 = now();
  c->o.layer = layer, c->o.neuron = 0, c->o.mu_lo = lo, c->o.mu_hi = hi, c->o.n_mu = n;
  c->o.out_dir = dir;
  ls_error err = {0}, fig = {0};
  ls_exp_split_result r = {0};
  ls_status st = ls_exp_split_run(&c->cfg.student, &c->cfg.data, c->theta, &c->o, &r, &fig, &err);
  json_t *j = st ? NULL : ls_exp_split_summary(&r);
  if (j) st = ls_json_print(j, stdout, &err);
  json_decref(j);
  if (fig.code) fprintf(stderr, "landsym split: %s\n", fig.msg);
  int rc = st ? cli_fail("split", &err) : 0;
  ls_exp_split_result_free(&r);
  fprintf(tf, "%-44s %8.1f s (exit %d)\n", what, now() - t0, rc);
  fflush(tf);
  return rc;
}

/* The six split stages on the critical point in params: layers 3 and 2, mu in
 * [-0.5, 1.5] step 0.1, then +-0.01, +-0.02 around 0 and 1 where M(mu) vanishes. */
static int split_stages(FILE *tf, const char *config, const char *params, char d[6][1024]) {
  split_stage_ctx c = {.o = ls_exp_split_opts_default()};
  ls_error err = {0};
  ls_status st = ls_config_load(config, &c.cfg, &err);
  if (!st) st = ls_exp_split_opts_from_config(&c.cfg, &c.o, &err);
  if (!st) st = ls_params_read_net(params, &c.cfg.student, &c.theta, &err);
  int rc = st ? cli_fail("split", &err) : 0;
  c.o.nsmall = 16, c.o.tol = 1e-13;
  static const int layer[6] = {3, 3, 3, 2, 2, 2};
  static const double lo[6] = {-0.5, -0.02, 0.98, -0.5, -0.02, 0.98};
  static const double hi[6] = {1.5, 0.02, 1.02, 1.5, 0.02, 1.02};
  static const long n[6] = {21, 5, 5, 21, 5, 5};
  for (int i = 0; i < 6 && !rc; i++) {
    char what[64];
    snprintf(what, sizeof what, "split layer %d neuron 0, mu %g:%g:%ld", layer[i], lo[i], hi[i], n[i]);
    rc = split_stage(tf, what, &c, layer[i], lo[i], hi[i], n[i], d[i]);
  }
  free(c.theta);
  ls_config_free(&c.cfg);
  return rc;
}

/* The config's "split" section is checked before any training. */
static int check_split_section(const char *config) {
  ls_config cfg;
  ls_config_split s;
  ls_error err = {0};
  if (ls_config_load(config, &cfg, &err)) return cli_fail("reproduce", &err);
  int rc = ls_config_split_read(&cfg, &s, &err) ? cli_fail("reproduce", &err) : 0;
  ls_config_free(&cfg);
  return rc;
}

int reproduce_mnist_split(const char *config, const char *out) {
  int rc = check_split_section(config);
  if (rc) return rc;
  if (mkdir(out, 0777) && errno != EEXIST) {
    fprintf(stderr, "landsym reproduce: cannot create %s\n", out);
    return 2;
  }
  char tpath[1024], train[1024], crit[1024], p1[1024], p2[1024], d[6][1024], rt[1024];
  static const char *const sub[6] = {"split_layer3", "split_layer3_mu0", "split_layer3_mu1",
                                     "split_layer2", "split_layer2_mu0", "split_layer2_mu1"};
  snprintf(tpath, sizeof tpath, "%s/timing.txt", out);
  snprintf(train, sizeof train, "%s/train", out);
  snprintf(crit, sizeof crit, "%s/critical", out);
  snprintf(p1, sizeof p1, "%s/train/params.npy", out);
  snprintf(p2, sizeof p2, "%s/critical/params.npy", out);
  snprintf(rt, sizeof rt, "%s/retrain", out);
  for (int i = 0; i < 6; i++) snprintf(d[i], sizeof d[i], "%s/%s", out, sub[i]);
  FILE *tf = fopen(tpath, "w");
  if (!tf) {
    fprintf(stderr, "landsym reproduce: cannot write %s\n", tpath);
    return 2;
  }
  double t0 = now();
  char *a1[] = {"train", "--config", (char *)config, "--out", train, "--quiet", NULL};
  /* Levenberg-Marquardt on grad L = 0 with the exact Hessian: converges to the nearby
   * critical point (saddles too), down to the gradient's rounding level */
  char *a2[] = {"train", "--config", (char *)config, "--params", p1, "--method", "none", "--critical", "true",
                "--polish-max-iter", "200", "--grad-tol", "1e-15", "--out", crit, "--quiet", NULL};
  rc = stage(tf, "train (adam, then newton)", cmd_train, a1);
  if (!rc) rc = stage(tf, "critical point (newton, critical)", cmd_train, a2);
  if (!rc) rc = split_stages(tf, config, p2, d);
  /* section 6.3.2: perturb (std 0.01) the saddle line of layer 3 at mu = 0.5 and 1.5,
   * 5 times each, and retrain (Adam lr 1e-3, 5000 steps, then 50 Newton iterations) */
  if (!rc && mkdir(rt, 0777) && errno != EEXIST) {
    fprintf(stderr, "landsym reproduce: cannot create %s\n", rt);
    rc = 2;
  }
  if (!rc) {
    static const double mus[2] = {0.5, 1.5};
    mnist_retrain_opts ro = {3, 0, mus, 2, 5, 0.01, 1e-3, 5000, 50, 1};
    double t1 = now();
    fprintf(stderr, "landsym reproduce mnist-split: perturb and retrain\n");
    rc = reproduce_mnist_retrain(config, p2, rt, &ro);
    fprintf(tf, "%-44s %8.1f s (exit %d)\n", "perturb and retrain (2 x 5 runs)", now() - t1, rc);
  }
  fprintf(tf, "%-44s %8.1f s\n", "total", now() - t0);
  fclose(tf);
  fprintf(stderr, "landsym reproduce mnist-split: %s; times in %s\n", rc ? "failed" : "done", tpath);
  return rc;
}
