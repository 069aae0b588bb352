/* The path and saddle experiments as library calls (landsym/exp_path.h, exp_saddle.h) on
 * a small case: Brea's 2-5-1 teacher of examples/fig2.json with softplus units and 150
 * samples, the path of units 0 and 2 in 8 steps, then the saddle line at its certified
 * permutation point. The library's results must equal a direct ls_path_build with the
 * same options, and the files and numbers of `landsym path` and `landsym saddle` run on
 * the same case (the command beside this test's binary): same summary.json apart from
 * timings, same tables. */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/ctx.h"
#include "landsym/config_path.h"
#include "landsym/exp_path.h"
#include "landsym/exp_saddle.h"

static char tmp[256], bin[1024];

/* examples/fig2.json with softplus units and 150 samples, loaded and saved as tmp/sp.json. */
static int load_case(ls_config *cfg) {
  json_error_t je;
  json_t *root = json_load_file("../examples/fig2.json", 0, &je);
  if (!root) return -1;
  json_object_set_new(json_object_get(root, "teacher"), "activation", json_string("softplus"));
  json_object_set_new(json_object_get(root, "student"), "activation", json_string("softplus"));
  json_object_set_new(json_object_get(root, "data"), "n", json_integer(150));
  char path[512];
  snprintf(path, sizeof path, "%s/sp.json", tmp);
  json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  ls_error err = {0};
  ls_status st = ls_config_load_json(root, path, tmp, cfg, &err);
  json_decref(root);
  return st ? -1 : 0;
}

static json_t *load_json(const char *dir, const char *name) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return json_load_file(p, 0, NULL);
}

/* Every "seconds" and the config's name removed (they differ by design). */
static void strip(json_t *j) {
  json_object_del(j, "seconds"), json_object_del(j, "config");
  json_t *a = json_object_get(j, "pairs");
  for (size_t i = 0; a && i < json_array_size(a); i++) json_object_del(json_array_get(a, i), "seconds");
}

static int same_file(const char *d1, const char *d2, const char *name) {
  char a[512], b[512], cmd[1200];
  snprintf(a, sizeof a, "%s/%s", d1, name), snprintf(b, sizeof b, "%s/%s", d2, name);
  snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
  return system(cmd) == 0;
}

/* Run the command; 0 when it exited 0. */
static int run_cli(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", bin, args);
  return system(cmd);
}

static int same_summary(const char *d1, const char *d2) {
  json_t *a = load_json(d1, "summary.json"), *b = load_json(d2, "summary.json");
  int eq = a && b;
  if (eq) strip(a), strip(b), eq = json_equal(a, b);
  json_decref(a), json_decref(b);
  return eq;
}

static void check_path(const ls_config *cfg, ls_exp_path_result *r) {
  char lib[300], cli[300], args[1200];
  snprintf(lib, sizeof lib, "%s/path_lib", tmp), snprintf(cli, sizeof cli, "%s/path_cli", tmp);
  ls_exp_path_opts o;
  ls_exp_path_opts_default(&o);
  o.pairs = LS_EXP_PATH_ONE, o.l = 0, o.m = 2, o.steps = 8, o.maxeval = 2000;
  o.out_dir = lib, o.plot = 0;
  ls_error err = {0};
  ls_status st = ls_exp_path_run(cfg, &o, r, &err);
  CHECK(!st && r->n == 1 && r->pairs[0].p.n == 9, "ls_exp_path_run: one pair, 9 points (%s)", err.msg);
  if (st) return;
  /* the same path built directly */
  ls_path_opts po;
  ls_path_opts_default(&po);
  ls_config_path_section sec = {po.steps, po.dmin_rel, po.maxeval};
  CHECK(!ls_config_read_path_opts(cfg, &sec, &err) && sec.steps == 200 && sec.dmin == 1e-4,
        "the path section of examples/fig2.json: 200 steps to 1e-4 d0");
  po.steps = 8, po.maxeval = 2000, po.l = 0, po.m = 2, po.dmin_rel = sec.dmin;
  ls_path p;
  st = ls_path_build(&cfg->student, &cfg->data, cfg->teacher_params, &po, &p, &err);
  int same = !st && p.n == r->pairs[0].p.n && p.apex_loss == r->pairs[0].p.apex_loss;
  for (int i = 0; same && i < p.n; i++) same = p.loss[i] == r->pairs[0].p.loss[i];
  CHECK(same, "ls_path_build with the same options: the same losses bit for bit");
  if (!st) ls_path_free(&p);
  CHECK(r->pairs[0].pp_done && r->pairs[0].pp_grad < 1e-10,
        "softplus: permutation point refined, |grad|_inf %.2e", r->pairs[0].pp_grad);
  snprintf(args, sizeof args, "path --config %s/sp.json --pair 0,2 --steps 8 --maxeval 2000 --no-plot --out %s",
           tmp, cli);
  CHECK(run_cli(args) == 0, "landsym path on the same case exits 0");
  CHECK(same_summary(lib, cli), "summary.json of the library and of the command agree (timings aside)");
  CHECK(same_file(lib, cli, "path_0_2.csv") && same_file(lib, cli, "permpoint_certified_0_2.npy"),
        "path_0_2.csv and permpoint_certified_0_2.npy identical");
}

static void check_saddle(const ls_config *cfg) {
  char lib[300], cli[300], pp[300], args[1500];
  snprintf(lib, sizeof lib, "%s/saddle_lib", tmp), snprintf(cli, sizeof cli, "%s/saddle_cli", tmp);
  snprintf(pp, sizeof pp, "%s/path_lib/permpoint_certified_0_2.npy", tmp);
  ls_exp_saddle_opts o;
  ls_exp_saddle_opts_default(&o);
  o.params = pp, o.slice_n = 9, o.out_dir = lib, o.plot = 0;
  ls_exp_saddle_result r;
  ls_error err = {0};
  ls_status st = ls_exp_saddle_run(cfg, &o, &r, &err);
  CHECK(!st && r.have_saddle, "ls_exp_saddle_run (%s)", err.msg);
  if (st) return;
  const ls_saddle_result *s = &r.saddle;
  CHECK(s->l == 0 && s->m == 2 && s->distance < 1e-6 && s->saddle_grad < 1e-10,
        "the certified permutation point is on the saddle line of units 0,2 (distance %.2e)", s->distance);
  CHECK(s->inertia.neg == s->predicted.neg && s->inertia.zero == s->predicted.zero,
        "saddle inertia (%d, %d, %d) = split test's", s->inertia.neg, s->inertia.zero, s->inertia.pos);
  ls_exp_saddle_result_free(&r);
  snprintf(args, sizeof args, "saddle --config %s/sp.json --params %s --slice-n 9 --no-plot --out %s",
           tmp, pp, cli);
  CHECK(run_cli(args) == 0, "landsym saddle on the same case exits 0");
  CHECK(same_summary(lib, cli), "summary.json of the library and of the command agree");
  CHECK(same_file(lib, cli, "spectrum_saddle.csv") && same_file(lib, cli, "slice1d.csv") &&
            same_file(lib, cli, "saddle.npy"),
        "spectrum_saddle.csv, slice1d.csv and saddle.npy identical");
}

int main(int argc, char **argv) {
  (void)argc;
  ls_ctx ctx = ls_ctx_default(); /* one BLAS thread, as the command (src/cli/main.c) */
  ls_ctx_apply_blas(&ctx);
  char *self = strdup(argv[0]);
  snprintf(bin, sizeof bin, "%s/landsym", dirname(self));
  free(self);
  if (access(bin, X_OK)) {
    printf("SKIP: no landsym binary beside %s\n", argv[0]);
    return 77;
  }
  snprintf(tmp, sizeof tmp, "/tmp/test_exp_path.XXXXXX");
  if (!mkdtemp(tmp)) return 1;
  ls_config cfg;
  int loaded = load_case(&cfg) == 0;
  CHECK(loaded, "the softplus case of examples/fig2.json loads (run from tests/)");
  ls_exp_path_result r = {0};
  if (loaded) check_path(&cfg, &r);
  if (r.n) check_saddle(&cfg);
  ls_exp_path_result_free(&r);
  if (loaded) ls_config_free(&cfg);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd)) { /* leftovers in /tmp only */
  }
  return check_done();
}
