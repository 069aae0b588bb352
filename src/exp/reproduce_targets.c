/* The registry of `landsym reproduce NAME` (landsym/exp_reproduce.h): each figure or table
 * with its example config and the library call that runs it, and the search for the example
 * configs. Each run function makes its call and prints the result as the command shows it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "landsym/core.h"
#include "landsym/exp_fig3.h"
#include "landsym/exp_mnist.h"
#include "landsym/exp_print.h"
#include "landsym/exp_reproduce_sweep.h"
#include "landsym/exp_train.h"
#include "landsym/out.h"

/* "landsym CMD: message" on log; the exit code of err. */
static int fail(FILE *log, const char *cmd, const ls_error *err) {
  fprintf(log, "landsym %s: %s\n", cmd, err->msg);
  return ls_status_exit_code(err->code);
}

/* A failed sweep, as `landsym sweep` reports it. */
static int sweep_failed(FILE *log, const ls_exp_sweep_result *s, const ls_error *err) {
  int rc = fail(log, "sweep", err);
  if (s->stats.unfinished)
    fprintf(log, "landsym sweep: %ld run(s) not finished; rerun with --resume\n",
            s->stats.unfinished);
  return rc;
}

typedef ls_status (*sweep_classify_fn)(const ls_reproduce_opts *, ls_sweep_classify_result *,
                                       ls_error *);

/* Sweep then classify: the summary path, the table; for table 6.1 the thesis's numbers. */
static int sweep_classify(const ls_reproduce_target *t, sweep_classify_fn call,
                          const ls_reproduce_opts *o, FILE *out, FILE *log) {
  ls_sweep_classify_result r;
  ls_error err = {0};
  ls_status st = call(o, &r, &err);
  if (st && !r.sweep.summary[0]) return sweep_failed(log, &r.sweep, &err);
  fprintf(out, "%s\n", r.sweep.summary);
  if (r.classified) ls_classify_print_table(out, &r.classes);
  ls_sweep_classify_result_free(&r);
  if (st) return fail(log, "classify", &err);
  fprintf(log, "landsym classify: results in %s\n", r.classify_dir);
  if (!strcmp(t->name, "table6.1")) fputs(ls_exp_table61_thesis(), out);
  return 0;
}

#define SWEEP_TARGET(fn, call)                                                                \
  static int fn(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out, FILE *log) { \
    return sweep_classify(t, call, o, out, log);                                              \
  }
SWEEP_TARGET(run_fig1c, ls_exp_reproduce_fig1c)
SWEEP_TARGET(run_fig1e, ls_exp_reproduce_fig1e)
SWEEP_TARGET(run_fig5, ls_exp_reproduce_fig5)
SWEEP_TARGET(run_table61, ls_exp_reproduce_table61)

/* Thesis figures 6.9 and 6.12. */
static int run_fig69(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                     FILE *log) {
  (void)t;
  ls_fig69_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_fig69(o, &r, &err);
  if (st && !r.sweep.summary[0]) return sweep_failed(log, &r.sweep, &err);
  fprintf(out, "%s\n", r.sweep.summary);
  for (int i = 0; i < r.n_runs; i++)
    if (r.runs[i].err[0])
      fprintf(log, "landsym reproduce fig6.9: seed %ld: %s\n", r.runs[i].seed, r.runs[i].err);
  if (r.n_runs) ls_exp_fig69_print(out, &r);
  int ex = r.example, nerr = r.n_err;
  ls_fig69_result_free(&r);
  if (st) return fail(log, "reproduce fig6.9", &err);
  fprintf(out, "wrote %s/fig6_9.csv, fig6_9.{dat,gp,png,svg}%s\n", o->out_dir,
          ex >= 0 ? ", fig6_12.{dat,gp,png,svg}" : "");
  return nerr ? 1 : 0;
}

/* Simsek et al. figure 2: a closed-form two-parameter loss, no config. */
static int run_simsek_fig2(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                           FILE *log) {
  (void)t;
  ls_simsek_fig2_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_simsek_fig2(o, &r, &err);
  if (st && !r.n_points) return fail(log, "reproduce simsek-fig2", &err);
  ls_exp_simsek_fig2_print(out, &r);
  if (st) return fprintf(log, "landsym reproduce simsek-fig2: %s\n", err.msg), 1;
  fprintf(out, "wrote %s/fig2.dat, fig2.gp, fig2.png, fig2.svg\n", o->out_dir);
  return r.holds ? 0 : 1;
}

/* Brea et al. figure 2: all 10 pairs, 200 log-spaced steps (the built-in experiment). */
static int run_fig2(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                    FILE *log) {
  (void)t;
  ls_reproduce_opts ro = {NULL, o->out_dir, 0, 0, ls_ctx_default()};
  ls_exp_path_opts po;
  ls_exp_path_opts_default(&po);
  po.steps = 200;
  po.log = log;
  ls_exp_path_result r;
  ls_error err = {0};
  if (ls_exp_reproduce_fig2(&ro, &po, &r, &err)) return fail(log, "path", &err);
  ls_status st = ls_exp_path_print(out, &r, o->out_dir, 0, &err);
  ls_exp_path_result_free(&r);
  return st ? fail(log, "path", &err) : 0;
}

/* Brea et al. figure 3: MNIST teachers (one thread unless o->ctx says more, BLAS on one). */
static int run_fig3(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                    FILE *log) {
  (void)t;
  double t0 = ls_clock_seconds();
  if (o->seeds > 10000)
    return fprintf(log, "landsym reproduce: --seeds needs an integer in 1..10000, got '%ld' (see "
                        "landsym reproduce --help)\n", o->seeds), 2;
  ls_reproduce_opts ro = *o;
  ro.ctx = ls_ctx_threads(o->ctx.threads > 0 ? o->ctx.threads : 1);
  ro.ctx.blas_threads = 1;
  ls_exp_fig3_result res;
  ls_error err = {0};
  if (ls_exp_reproduce_fig3(&ro, &res, log, &err)) {
    int rc = fail(log, "reproduce", &err);
    if (strstr(err.msg, "cannot open"))
      fprintf(log, "landsym reproduce: install the MNIST digits with scripts/setup_mnist.sh "
                   "or point the config's data section at your IDX files (docs/mnist.md)\n");
    return rc;
  }
  ls_exp_fig3_print(out, &res.opts, &res.summary);
  ls_exp_fig3_result_free(&res);
  fprintf(log, "landsym reproduce fig3: done in %.1f s; %s/summary.json\n",
          ls_clock_seconds() - t0, o->out_dir);
  return 0;
}

/* The train flags of stage 1 (`landsym train --method none --critical true ...`) as
 * overrides of the config's train section; NULL after a bad key (not expected). */
static json_t *stage1_overrides(void) {
  static const char *const kv[][2] = {
      {"method", "none"}, {"critical", "true"}, {"polish_max_iter", "200"}, {"grad_tol", "1e-15"}};
  int nk;
  const ls_train_key *keys = ls_config_train_keys(&nk);
  json_t *over = json_object(), *v;
  for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
    for (int k = 0; k < nk; k++)
      if (!strcmp(keys[k].key, kv[i][0]) && !ls_config_train_key_value(&keys[k], kv[i][1], &v, NULL))
        json_object_set_new(over, kv[i][0], v);
  return over;
}

/* A training stage of mnist-split, as `landsym train --quiet` runs and prints it: stage 0
 * Adam then Newton from the config; stage 1 Levenberg-Marquardt on grad L = 0 from params,
 * converging to the nearby critical point. result.json on out (user), a line on stderr. */
static ls_status mnist_train(int stage, const char *config, const char *params,
                             const char *out_dir, void *user, ls_error *err) {
  ls_config cfg;
  ls_error e = {0};
  ls_train_run run = {0};
  ls_train_run_opts o;
  ls_train_run_opts_default(&o);
  o.out_dir = out_dir, o.params = params;
  json_t *over = stage ? stage1_overrides() : json_object();
  o.over = over;
  int rc = ls_config_load(config, &cfg, &e) ? fail(stderr, "train", &e) : -1;
  if (rc < 0) {
    ls_status st = ls_exp_train(&cfg, &o, &run, &e);
    rc = st ? fail(stderr, "train", &e) : ls_exp_train_print(user, stderr, &cfg, &run, 1);
    ls_train_run_free(&run);
    ls_config_free(&cfg);
  }
  json_decref(over);
  if (!rc) return LS_OK;
  return ls_error_set(err, rc == 2 ? LS_ERR_INPUT : LS_ERR_COMPUTE,
                      "training stage %d failed (exit %d)", stage + 1, rc);
}

/* Thesis section 6.3: train, critical point, neuron split on two layers. */
static int run_mnist_split(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                           FILE *log) {
  (void)t;
  ls_reproduce_opts ro = {o->config, o->out_dir, 0, 0, ls_ctx_default()};
  ls_exp_mnist_result res;
  ls_error err = {0};
  if (ls_exp_reproduce_mnist_split(&ro, mnist_train, out, &res, out, log, &err))
    return fail(log, "reproduce", &err);
  ls_exp_mnist_result_free(&res);
  return 0;
}

static const ls_reproduce_target targets[] = {
    {"fig1c", "fig1c.json",
     "Simsek et al. 2021 figure 1c: 50 seeds of width-5 and width-45 students of a width-4 "
     "teacher; loss curves and global-minimum fractions", run_fig1c},
    {"fig1e", "fig1e.json",
     "Simsek et al. 2021 figure 1e: 3-hidden-layer students (5-5-5 and 20-20-20) of a 4-4-4 "
     "teacher, 50 seeds", run_fig1e},
    {"fig5", "fig5.json",
     "Simsek et al. 2021 figure 5: sigma_{alpha,gamma} teacher of width 4, 50 students of "
     "width 10, neurons grouped and pruned", run_fig5},
    {"fig2", "fig2.json",
     "Brea et al. 2019 figure 2: permutation paths of all 10 neuron pairs of a ReLU teacher "
     "of width 5 (200 log-spaced steps to 1e-4 of the initial distance)", run_fig2},
    {"fig3", "mnist_fig3.json",
     "Brea et al. 2019 figure 3: MNIST teachers with two hidden layers of H = 10..25 units, "
     "6 seeds each, two units of the second layer merged (docs/mnist.md)", run_fig3},
    {"table6.1", "table6_1.json",
     "Stoican 2022 table 6.1 (and figures 6.3, 6.7): 1000 seeds of a width-5 student on the "
     "thesis toy", run_table61},
    {"mnist-split", "mnist_split.json",
     "Stoican 2022 section 6.3: MNIST parity (10 PCA components), 10-10-10-10-1 sigmoid "
     "network at a critical point, neuron duplicated on hidden layers 3 and 2 (docs/mnist.md)",
     run_mnist_split},
    {"simsek-fig2", NULL,
     "Simsek et al. 2021 figure 2 (Lemma 2.1): gradient flow of the symmetric loss "
     "log(((w1+w2-3)^2 + (w1 w2-2)^2)/2 + 1), minima, saddle, subspace w1 = w2",
     run_simsek_fig2},
    {"fig6.9", "table6_1.json",
     "Stoican 2022 figures 6.9 and 6.12: a table-6.1 sweep (40 seeds unless --seeds), the "
     "nearest symmetry-induced saddle of every local minimum, Theorems 1 and 2 at each saddle",
     run_fig69},
    {"fig6.12", "table6_1.json", "the same as fig6.9 (the cones of figure 6.12 are drawn there)",
     run_fig69},
};
#define N_TARGETS ((int)(sizeof targets / sizeof *targets))

const ls_reproduce_target *ls_reproduce_targets(int *n) {
  *n = N_TARGETS;
  return targets;
}

const ls_reproduce_target *ls_reproduce_find_target(const char *name) {
  for (int i = 0; name && i < N_TARGETS; i++)
    if (!strcmp(targets[i].name, name)) return &targets[i];
  return NULL;
}

/* buf = dir/file when readable. */
static int readable(char *buf, size_t len, const char *dir, const char *file) {
  snprintf(buf, len, "%s/%s", dir, file);
  return access(buf, R_OK) == 0;
}

int ls_reproduce_find_config(const char *file, char *buf, size_t len) {
  const char *env = getenv("LANDSYM_EXAMPLES");
  if (env && *env && readable(buf, len, env, file)) return 0;
  if (readable(buf, len, "examples", file)) return 0;
  char exe[PATH_MAX], dir[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return -1;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (slash) *slash = 0;
  snprintf(dir, sizeof dir, "%s/../examples", exe);
  if (readable(buf, len, dir, file)) return 0;
  snprintf(dir, sizeof dir, "%s/../share/landsym/examples", exe);
  return readable(buf, len, dir, file) ? 0 : -1;
}

int ls_reproduce_run(const ls_reproduce_target *t, const ls_reproduce_opts *o, FILE *out,
                     FILE *log) {
  ls_reproduce_opts ro = *o;
  if (t->run != run_fig3) ro.ctx = ls_ctx_threads(o->ctx.threads);
  return t->run(t, &ro, out, log);
}
