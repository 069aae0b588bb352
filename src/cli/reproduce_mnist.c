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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/reproduce_mnist.h"
#include "landsym/config.h"

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

/* The "split" section of the config as `landsym split` options (static strings). */
typedef struct {
  char spectrum[16], dense_max[32], lanczos_k[32];
} split_spec;

static int read_split_section(const char *config, split_spec *s) {
  static const char *const keys[] = {"spectrum", "dense_max", "lanczos_k", NULL};
  snprintf(s->spectrum, sizeof s->spectrum, "auto");
  snprintf(s->dense_max, sizeof s->dense_max, "3000");
  s->lanczos_k[0] = 0;
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(config, &cfg, &err)) return cli_fail("reproduce", &err);
  json_t *sec = ls_config_section(&cfg, "split"), *v;
  int rc = 0;
  if (sec && ls_config_check_keys(&cfg, sec, "split", keys, &err)) rc = cli_fail("reproduce", &err);
  if (!rc && sec && (v = json_object_get(sec, "spectrum"))) {
    const char *t = json_is_string(v) ? json_string_value(v) : "";
    if (strcmp(t, "auto") && strcmp(t, "dense") && strcmp(t, "lanczos"))
      rc = cli_usage_error("reproduce", "%s: split.spectrum must be \"auto\", \"dense\" or \"lanczos\"", config);
    else snprintf(s->spectrum, sizeof s->spectrum, "%s", t);
  }
  if (!rc && sec && (v = json_object_get(sec, "dense_max"))) {
    if (!json_is_integer(v)) rc = cli_usage_error("reproduce", "%s: split.dense_max must be an integer", config);
    else snprintf(s->dense_max, sizeof s->dense_max, "%lld", (long long)json_integer_value(v));
  }
  if (!rc && sec && (v = json_object_get(sec, "lanczos_k"))) {
    if (!json_is_integer(v)) rc = cli_usage_error("reproduce", "%s: split.lanczos_k must be an integer", config);
    else snprintf(s->lanczos_k, sizeof s->lanczos_k, "%lld", (long long)json_integer_value(v));
  }
  ls_config_free(&cfg);
  return rc;
}

/* One `landsym split` stage: neuron 0 of `layer`, mu sweep `range`, output `dir`. */
static int split_stage(FILE *tf, const char *what, const char *config, const char *params, const char *layer,
                       const char *range, const char *dir, const split_spec *s) {
  char *a[32] = {"split", "--config", (char *)config, "--params", (char *)params, "--layer", (char *)layer,
                 "--neuron", "0", "--mu-range", (char *)range, "--nsmall", "16", "--tol", "1e-13",
                 "--spectrum", (char *)s->spectrum, "--dense-max", (char *)s->dense_max, "--out", (char *)dir};
  int n = 21;
  if (s->lanczos_k[0]) a[n++] = "--lanczos-k", a[n++] = (char *)s->lanczos_k;
  a[n] = NULL;
  return stage(tf, what, cmd_split, a);
}

int reproduce_mnist_split(const char *config, const char *out) {
  split_spec spec;
  int rc = read_split_section(config, &spec);
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
  /* last hidden layer (3) and second hidden layer (2), neuron 0: mu in [-0.5, 1.5] step
   * 0.1, then +-0.01, +-0.02 around 0 and 1 where the block M(mu) vanishes */
  const char *layer[6] = {"3", "3", "3", "2", "2", "2"};
  const char *range[6] = {"-0.5:1.5:21", "-0.02:0.02:5", "0.98:1.02:5", "-0.5:1.5:21", "-0.02:0.02:5", "0.98:1.02:5"};
  for (int i = 0; i < 6 && !rc; i++) {
    char what[64];
    snprintf(what, sizeof what, "split layer %s neuron 0, mu %s", layer[i], range[i]);
    rc = split_stage(tf, what, config, p2, layer[i], range[i], d[i], &spec);
  }
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
