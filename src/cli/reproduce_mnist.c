/* landsym reproduce mnist-split: Stoican 2022 section 6.3 (thesis). Train the 10-10-10-10-1
 * sigmoid network on the MNIST parity problem (Adam, then Newton trust region), refine to the
 * nearest critical point (Newton on the gradient, saddles allowed), then duplicate a neuron
 * of the last and of the second hidden layer with `landsym split`: Y eigenvalues, predicted
 * and measured Hessian inertia along mu. Each stage's wall time goes to DIR/timing.txt. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/reproduce_mnist.h"

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
  fprintf(tf, "%-40s %8.1f s (exit %d)\n", what, dt, rc);
  fflush(tf);
  return rc;
}

int reproduce_mnist_split(const char *config, const char *out) {
  if (mkdir(out, 0777) && errno != EEXIST) {
    fprintf(stderr, "landsym reproduce: cannot create %s\n", out);
    return 2;
  }
  char tpath[1024], train[1024], crit[1024], p1[1024], p2[1024], s3[1024], s2[1024];
  snprintf(tpath, sizeof tpath, "%s/timing.txt", out);
  snprintf(train, sizeof train, "%s/train", out);
  snprintf(crit, sizeof crit, "%s/critical", out);
  snprintf(p1, sizeof p1, "%s/train/params.npy", out);
  snprintf(p2, sizeof p2, "%s/critical/params.npy", out);
  snprintf(s3, sizeof s3, "%s/split_layer3", out);
  snprintf(s2, sizeof s2, "%s/split_layer2", out);
  FILE *tf = fopen(tpath, "w");
  if (!tf) {
    fprintf(stderr, "landsym reproduce: cannot write %s\n", tpath);
    return 2;
  }
  double t0 = now();
  char *a1[] = {"train", "--config", (char *)config, "--out", train, "--quiet", NULL};
  /* Newton on the gradient norm's zero: converges to the nearby critical point */
  char *a2[] = {"train", "--config", (char *)config, "--params", p1, "--method", "none", "--critical",
                "true", "--polish-max-iter", "200", "--out", crit, "--quiet", NULL};
  /* last hidden layer (3) and second hidden layer (2), neuron 0; mu in [-0.5, 1.5] step 0.05 */
  char *a3[] = {"split", "--config", (char *)config, "--params", p2, "--layer", "3", "--neuron", "0",
                "--mu-range", "-0.5:1.5:41", "--nsmall", "16", "--tol", "1e-13", "--out", s3, NULL};
  char *a4[] = {"split", "--config", (char *)config, "--params", p2, "--layer", "2", "--neuron", "0",
                "--mu-range", "-0.5:1.5:41", "--nsmall", "16", "--tol", "1e-13", "--out", s2, NULL};
  int rc = stage(tf, "train (adam, then newton)", cmd_train, a1);
  if (!rc) rc = stage(tf, "critical point (newton, critical)", cmd_train, a2);
  if (!rc) rc = stage(tf, "split layer 3 neuron 0", cmd_split, a3);
  if (!rc) rc = stage(tf, "split layer 2 neuron 0", cmd_split, a4);
  fprintf(tf, "%-40s %8.1f s\n", "total", now() - t0);
  fclose(tf);
  fprintf(stderr, "landsym reproduce mnist-split: %s; times in %s\n", rc ? "failed" : "done", tpath);
  return rc;
}
