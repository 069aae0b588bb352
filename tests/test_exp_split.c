/* ls_exp_split_run (landsym/exp_split.h) on the thesis toy's width-2 critical point:
 * the sweep's numbers against the split module's own calls (Theorem 3's prediction at
 * every mu, the lifted spectrum), the summary's JSON (null for non-finite numbers), the
 * config's "split" section, bad options refused before any file is written. The command's
 * output against the library's is checked in test_example_split_c.sh. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/exp_split.h"
#include "landsym/io.h"

static ls_config cfg;
static double *theta;

/* The sweep against ls_split_predict and ls_split_spectrum point by point. */
static void test_against_split_module(void) {
  ls_exp_split_opts o = ls_exp_split_opts_default();
  o.layer = 1, o.neuron = 0, o.mu_lo = -1, o.mu_hi = 2, o.n_mu = 7;
  ls_exp_split_result r = {0};
  ls_error err = {0}, fig = {0};
  ls_status st = ls_exp_split_run(&cfg.student, &cfg.data, theta, &o, &r, &fig, &err);
  CHECK(st == LS_OK, "ls_exp_split_run without an output folder (%s)", err.msg);
  if (st) return;
  CHECK(r.nin == 2 && r.nout == 1 && r.n_mu == 7, "sizes nin %d nout %d n_mu %ld", r.nin, r.nout, r.n_mu);
  CHECK(r.mismatches == 0 && r.zeros_mu0 == 3 && r.zeros_mu1 == 3,
        "no mismatch, 3 zeros at mu = 0 and 1 (%d, %d, %d)", r.mismatches, r.zeros_mu0, r.zeros_mu1);
  double *Y = malloc((size_t)(r.nin * r.nin) * sizeof *Y), *U = malloc((size_t)(r.nin * r.nout) * sizeof *U);
  ls_split_matrices(&cfg.student, &cfg.data, theta, 1, 0, Y, U, &err);
  int agree = 1;
  for (long i = 0; i < r.n_mu; i++) {
    ls_inertia pm;
    ls_split_predict(Y, U, r.nin, r.nout, r.mu[i], o.tol * r.lambda_max_narrow, &pm, NULL, NULL);
    agree &= ls_inertia_equal(ls_inertia_add(r.narrow, pm), r.pred[i]);
  }
  CHECK(agree, "predicted inertia = In(H_r) + In(M(mu)) from ls_split_predict at every mu");
  ls_net big;
  double *tb = malloc(ls_net_nparams(&cfg.student) * 2 * sizeof *tb);
  ls_split_duplicate(&cfg.student, theta, 1, 0, r.mu[1], &big, tb, NULL);
  ls_split_spectrum_opts so = {LS_SPLIT_SPECTRUM_DENSE, 3000, 1};
  ls_spectrum sp = {0};
  ls_inertia in;
  ls_split_spectrum(&big, &cfg.data, tb, &so, o.tol, &sp, &in, NULL, &err);
  CHECK(sp.n >= (size_t)r.k && !memcmp(sp.evals, r.lambda + r.k, (size_t)r.k * sizeof(double)) &&
            ls_inertia_equal(in, r.meas[1]),
        "smallest eigenvalues and inertia at mu = %g equal a direct ls_split_spectrum", r.mu[1]);
  ls_spectrum_free(&sp);
  free(tb), free(Y), free(U);
  ls_exp_split_result_free(&r);
}

/* Non-finite numbers in the summary are JSON null; zeros off the grid too. */
static void test_summary_null(void) {
  double y[1] = {NAN};
  ls_exp_split_result r = {0};
  r.nin = 1, r.y_eigs = y, r.grad_norm = INFINITY, r.loss = NAN, r.zeros_mu0 = -1, r.zeros_mu1 = 2;
  json_t *j = ls_exp_split_summary(&r);
  char *s = json_dumps(j, JSON_COMPACT);
  CHECK(s && strstr(s, "\"grad_norm\":null") && strstr(s, "\"loss\":null") &&
            strstr(s, "\"Y_eigenvalues\":[null]") && strstr(s, "\"zeros_at_mu0\":null") &&
            strstr(s, "\"zeros_at_mu1\":2") && !strstr(s, "nan"),
        "non-finite numbers and unswept zero counts are null: %s", s ? s : "(none)");
  free(s);
  json_decref(j);
}

/* Bad layer or options: LS_ERR_INPUT, and no output folder. */
static void test_bad_input(void) {
  char dir[] = "/tmp/test_exp_split_XXXXXX";
  if (!mkdtemp(dir)) return;
  char out[64];
  snprintf(out, sizeof out, "%s/out", dir);
  ls_exp_split_opts o = ls_exp_split_opts_default();
  o.layer = 2, o.neuron = 0, o.out_dir = out;
  ls_exp_split_result r = {0};
  ls_error err = {0};
  struct stat sb;
  ls_status st = ls_exp_split_run(&cfg.student, &cfg.data, theta, &o, &r, NULL, &err);
  CHECK(st == LS_ERR_INPUT && stat(out, &sb) != 0, "layer 2 of one hidden layer: %s", err.msg);
  o.layer = 1, o.n_mu = 1;
  st = ls_exp_split_run(&cfg.student, &cfg.data, theta, &o, &r, NULL, &err);
  CHECK(st == LS_ERR_INPUT && stat(out, &sb) != 0, "one mu value: %s", err.msg);
  rmdir(dir);
}

/* The config's "split" section. */
static void test_config_section(void) {
  ls_exp_split_opts o = ls_exp_split_opts_default();
  ls_error err = {0};
  CHECK(ls_exp_split_opts_from_config(&cfg, &o, &err) == LS_OK && o.spectrum == LS_SPLIT_SPECTRUM_AUTO &&
            o.dense_max == 3000 && o.lanczos_k == 0, "absent section: auto, 3000, 0");
  json_t *root = json_deep_copy(cfg.root);
  json_object_set_new(root, "split", json_pack("{s:s, s:i}", "spectrum", "lanczos", "lanczos_k", 7));
  ls_config c2;
  ls_status loaded = ls_config_load_json(root, "s.json", NULL, &c2, &err);
  json_decref(root); /* the config took its own reference */
  if (loaded) {
    CHECK(0, "config with a split section loads: %s", err.msg);
    return;
  }
  CHECK(ls_exp_split_opts_from_config(&c2, &o, &err) == LS_OK && o.spectrum == LS_SPLIT_SPECTRUM_LANCZOS &&
            o.lanczos_k == 7, "spectrum lanczos, lanczos_k 7");
  json_object_set_new(c2.root, "split", json_pack("{s:s}", "spectrum", "qr"));
  CHECK(ls_exp_split_opts_from_config(&c2, &o, &err) == LS_ERR_INPUT && strstr(err.msg, "split.spectrum"),
        "bad spectrum refused: %s", err.msg);
  json_object_set_new(c2.root, "split", json_pack("{s:s}", "spectrm", "dense"));
  CHECK(ls_exp_split_opts_from_config(&c2, &o, &err) == LS_ERR_INPUT && strstr(err.msg, "spectrm"),
        "unknown key refused: %s", err.msg);
  ls_config_free(&c2);
}

int main(void) {
  ls_error err = {0};
  if (ls_config_load("test_split_thesis_w2_config.json", &cfg, &err) ||
      ls_params_read_net("test_split_thesis_w2.json", &cfg.student, &theta, &err)) {
    printf("FAIL: cannot load the test point: %s\n", err.msg);
    return 1;
  }
  test_against_split_module();
  test_summary_null();
  test_bad_input();
  test_config_section();
  free(theta);
  ls_config_free(&cfg);
  return check_done();
}
