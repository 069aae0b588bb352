/* The sweep experiment and the classification of a sweep directory as library calls
 * (landsym/exp_sweep.h, exp_classify.h, exp_reproduce_sweep.h): a small table-6.1 sweep,
 * its manifest read back, every run classified, malformed manifests refused, a sweep
 * continued from another's ends (sweep.init_from), and Simsek
 * et al.'s figure 2 showing Lemma 2.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/exp_classify.h"
#include "landsym/exp_reproduce_sweep.h"
#include "landsym/exp_sweep.h"
#include "landsym/io.h"
#include "landsym/out.h"

static char tmp[64] = "/tmp/landsym_exp_sweep_XXXXXX";

static char *in_tmp(const char *name) { return ls_path_join(tmp, name); }

static void write_text(const char *path, const char *text) {
  ls_error err;
  ls_file_write_atomic(path, text, strlen(text), &err);
}

/* 4 seeds of the thesis toy: the sweep, its manifest, its classification. */
static void test_sweep_and_classify(void) {
  char *dir = in_tmp("t61");
  ls_exp_sweep_args a = {"../examples/table6_1.json", dir, 4, 0, 0, 1, ls_ctx_threads(2)};
  ls_exp_sweep_result res;
  ls_error err = {0};
  ls_status st = ls_exp_sweep_run(&a, &res, &err);
  CHECK(st == LS_OK, "ls_exp_sweep_run: 4 seeds of table6_1.json (%s)", err.msg);
  CHECK(res.stats.ran == 4 && res.stats.unfinished == 0, "4 runs done, none unfinished");
  CHECK(strstr(res.summary, "summary.csv") && access(res.summary, R_OK) == 0,
        "the summary path names a file: %s", res.summary);
  ls_sweep_manifest m;
  st = ls_sweep_manifest_read(dir, &m, &err);
  CHECK(st == LS_OK && m.n_seeds == 4 && m.first_seed == 1 && m.n_widths == 1 &&
            m.widths[0] == 5 && m.config,
        "the manifest reads back: 4 seeds from 1, width 5, the config");
  ls_sweep_manifest_free(&m);
  ls_classify_dir_opts o;
  ls_classify_dir_opts_default(&o);
  o.dir = dir;
  o.out = in_tmp("t61/classify");
  o.figures = 0, o.quiet = 1, o.threads = 2;
  ls_classified_sweep s;
  st = ls_classify_dir(&o, &s, &err);
  CHECK(st == LS_OK && s.n_runs == 4, "ls_classify_dir classifies the 4 runs (%s)", err.msg);
  if (!st) {
    ls_class_counts c = ls_classify_count_width(&s, 5);
    long sum = c.failed;
    for (int k = 0; k < LS_CLASS_COUNT; k++) sum += c.n[k];
    CHECK(c.total == 4 && sum == 4, "every run in exactly one class (%ld of %ld)", sum, c.total);
    CHECK(ls_classify_write_tables(&o, &s, &err) == LS_OK, "tables written (%s)", err.msg);
    ls_classified_sweep_free(&s);
  }
  free((char *)o.out);
  free(dir);
}

/* Manifests that are not a sweep's are refused as bad input. */
static void test_bad_manifests(void) {
  ls_sweep_manifest m;
  ls_error err = {0};
  char *dir = in_tmp("none");
  CHECK(ls_sweep_manifest_read(dir, &m, &err) == LS_ERR_INPUT, "no sweep.json: %s", err.msg);
  free(dir);
  const char *bad[] = {"{}", "[1, 2]",
                       "{\"seeds\": -3, \"first_seed\": 1, \"widths\": [5], \"config\": {}}",
                       "{\"seeds\": 4, \"first_seed\": 1, \"widths\": [0], \"config\": {}}",
                       "{\"seeds\": 4, \"first_seed\": 1, \"widths\": [5]}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char name[32];
    snprintf(name, sizeof name, "bad%zu", i);
    char *d = in_tmp(name), *f = ls_path_join(d, "sweep.json");
    ls_mkdir_p(d, &err);
    write_text(f, bad[i]);
    CHECK(ls_sweep_manifest_read(d, &m, &err) == LS_ERR_INPUT, "manifest %s refused: %s", bad[i],
          err.msg);
    free(d), free(f);
  }
}

/* No seed count in the config nor in the arguments: bad input, nothing run. */
static void test_no_seeds(void) {
  char *cfg = in_tmp("noseeds.json"), *dir = in_tmp("noseeds");
  write_text(cfg, "{\"data\": {\"kind\": \"grid\", \"n\": 5, \"lo\": -5, \"hi\": 5},\n"
                  " \"teacher\": {\"widths\": [2, 4, 1], \"activation\": \"sigmoid\", \"bias\": false,\n"
                  "  \"params\": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},\n"
                  " \"student\": {\"widths\": [2, 5, 1], \"activation\": \"sigmoid\", \"bias\": false}}\n");
  ls_exp_sweep_args a = {cfg, dir, 0, 0, 0, 1, ls_ctx_threads(1)};
  ls_exp_sweep_result res;
  ls_error err = {0};
  CHECK(ls_exp_sweep_run(&a, &res, &err) == LS_ERR_INPUT && strstr(err.msg, "seed"),
        "no seed count: %s", err.msg);
  CHECK(access(dir, F_OK) != 0, "nothing written");
  free(cfg), free(dir);
}

/* The final parameters of run (w, s) of sweep DIR (NULL when unreadable). */
static double *run_params(const char *dir, long seed, size_t *n) {
  char path[4096];
  double *v = NULL;
  int nd;
  size_t sh[2] = {0, 1};
  ls_error err;
  if (ls_sweep_run_path(dir, 5, seed, ".npy", path, sizeof path, &err) ||
      ls_npy_read(path, &v, &nd, sh, &err))
    return NULL;
  *n = sh[0] * sh[1];
  return v;
}

static ls_status sweep_cfg(const char *name, const char *train, const char *init_from,
                           long seeds, ls_error *err) {
  char file[64], text[2048];
  snprintf(file, sizeof file, "%s.json", name);
  char *cfg = in_tmp(file), *dir = in_tmp(name);
  snprintf(text, sizeof text,
           "{\"data\": {\"kind\": \"grid\", \"n\": 7, \"lo\": -5, \"hi\": 5},\n"
           " \"teacher\": {\"widths\": [2, 4, 1], \"activation\": \"sigmoid\", \"bias\": false,\n"
           "  \"params\": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},\n"
           " \"student\": {\"widths\": [2, 5, 1], \"activation\": \"sigmoid\", \"bias\": false},\n"
           " \"train\": {%s},\n \"sweep\": {\"seeds\": %ld%s%s%s}}\n",
           train, seeds, init_from ? ", \"init_from\": \"" : "", init_from ? init_from : "",
           init_from ? "\"" : "");
  write_text(cfg, text);
  ls_exp_sweep_args a = {cfg, dir, 0, 0, 0, 1, ls_ctx_threads(2)};
  ls_exp_sweep_result res;
  ls_status st = ls_exp_sweep_run(&a, &res, err);
  free(cfg), free(dir);
  return st;
}

/* sweep.init_from continues another sweep's runs: gradient descent (stateless) for 30
 * steps, then 20 more from where each run ended, is the same run, bit for bit, as 50 steps
 * from the seed; a run the other sweep lacks, and a directory without a sweep, are bad
 * input. */
static void test_init_from(void) {
  const char *gd = "\"method\": \"gd\", \"lr\": 0.5, \"polish\": \"none\", \"grad_tol\": 1e-300";
  char t30[256], t20[256], t50[256];
  snprintf(t30, sizeof t30, "%s, \"max_iter\": 30", gd);
  snprintf(t20, sizeof t20, "%s, \"max_iter\": 20", gd);
  snprintf(t50, sizeof t50, "%s, \"max_iter\": 50", gd);
  ls_error err = {0};
  CHECK(sweep_cfg("gd30", t30, NULL, 3, &err) == LS_OK, "30 gd steps from 3 seeds (%s)", err.msg);
  CHECK(sweep_cfg("gd30_20", t20, "gd30", 3, &err) == LS_OK, "20 more from their ends (%s)",
        err.msg);
  CHECK(sweep_cfg("gd50", t50, NULL, 3, &err) == LS_OK, "50 gd steps from the seeds (%s)",
        err.msg);
  char *a = in_tmp("gd30_20"), *b = in_tmp("gd50"), *c = in_tmp("gd30");
  for (long s = 1; s <= 3; s++) {
    size_t na = 0, nb = 0, nc = 0;
    double *pa = run_params(a, s, &na), *pb = run_params(b, s, &nb), *pc = run_params(c, s, &nc);
    CHECK(pa && pb && pc && na == 15 && nb == 15 && nc == 15, "seed %ld: three runs read", s);
    if (pa && pb && pc && na == nb && nb == nc) {
      CHECK(!memcmp(pa, pb, na * sizeof *pa), "seed %ld: 30 + 20 steps = 50 steps, bitwise", s);
      CHECK(memcmp(pa, pc, na * sizeof *pa), "seed %ld: the 20 steps moved the point", s);
    }
    free(pa), free(pb), free(pc);
  }
  free(a), free(b), free(c);
  CHECK(sweep_cfg("gd30_more", t20, "gd30", 4, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "init_from") && strstr(err.msg, "w5_s4"),
        "a run the other sweep lacks: %s", err.msg);
  CHECK(sweep_cfg("gd_nodir", t20, "no_such_sweep", 2, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "init_from"),
        "no sweep in init_from: %s", err.msg);
}

/* Lemma 2.1 on Simsek et al.'s figure 2: flows on w1 = w2 stay there, flows off it never
 * reach it; two global minima and one saddle. */
static void test_simsek_fig2(void) {
  ls_reproduce_opts o = {0};
  char *dir = in_tmp("simsek");
  o.out_dir = dir;
  o.ctx = ls_ctx_threads(1);
  ls_simsek_fig2_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_simsek_fig2(&o, &r, &err);
  CHECK(st == LS_OK || !ls_figure_available(), "figure 2 drawn (%s)", err.msg);
  CHECK(r.n_min == 2 && r.n_saddle == 1, "2 minima, 1 saddle (%d, %d)", r.n_min, r.n_saddle);
  CHECK(r.max_on == 0 && r.min_off > 0 && r.holds, "Lemma 2.1: max_on %g, min_off %g", r.max_on,
        r.min_off);
  free(dir);
}

int main(void) {
  if (!mkdtemp(tmp)) return 1;
  test_sweep_and_classify();
  test_bad_manifests();
  test_no_seeds();
  test_init_from();
  test_simsek_fig2();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd)) {
  }
  return check_done();
}
