/* Sweep runner: 1 vs 2 threads and a 2-rank split give byte-identical results;
 * an interrupted sweep resumed gives the uninterrupted summary without redoing runs;
 * the manifest refuses a changed config; saved parameters reproduce the recorded loss. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sweep_toy.h"

static char root[256];

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)len + 1);
  if (b && fread(b, 1, (size_t)len, f) != (size_t)len) len = 0;
  fclose(f);
  if (b) b[len] = 0;
  *n = (size_t)len;
  return b;
}

/* 1 when the two files exist and are byte-identical. */
static int same_file(const char *a, const char *b) {
  size_t na, nb;
  char *x = slurp(a, &na), *y = slurp(b, &nb);
  int same = x && y && na == nb && !memcmp(x, y, na);
  free(x), free(y);
  return same;
}

static void opts_for(ls_sweep_opts *o, const char *name, json_t *cfg, int threads) {
  static char dirs[8][300];
  static int k;
  char *d = dirs[k++ % 8];
  snprintf(d, 300, "%s/%s", root, name);
  ls_sweep_opts_init(o);
  o->dir = d;
  o->config = cfg;
  o->version = "test";
  o->n_seeds = 5;
  o->n_widths = 2;
  o->widths[0] = 4;
  o->widths[1] = 2;
  o->threads = threads;
}

static ls_status full_sweep(const ls_sweep_opts *o, toy_ctx *c, ls_sweep_stats *st) {
  ls_error e;
  ls_status s = ls_sweep_prepare(o, &e);
  if (!s) s = ls_sweep_run(o, toy_job, c, st, &e);
  if (!s) s = ls_sweep_summarize(o, &e);
  if (s) printf("  error: %s\n", e.msg);
  return s;
}

static int file_pair_same(const char *da, const char *db, const char *rel) {
  char a[600], b[600];
  snprintf(a, sizeof a, "%s/%s", da, rel);
  snprintf(b, sizeof b, "%s/%s", db, rel);
  return same_file(a, b);
}

static int all_npy_same(const ls_sweep_opts *a, const ls_sweep_opts *b) {
  for (int i = 0; i < a->n_widths; i++)
    for (long s = a->first_seed; s < a->first_seed + a->n_seeds; s++) {
      char rel[64];
      snprintf(rel, sizeof rel, "runs/w%d_s%ld.npy", a->widths[i], s);
      if (!file_pair_same(a->dir, b->dir, rel)) return 0;
    }
  return 1;
}

/* A job that gives up with an I/O error after `limit` calls, and counts calls. */
typedef struct {
  toy_ctx *toy;
  int calls, limit;
} limited_ctx;
static ls_status limited_job(void *v, const ls_sweep_task *t, ls_seed_result *r, ls_error *e) {
  limited_ctx *c = v;
  int k;
#pragma omp atomic capture
  k = c->calls++;
  if (c->limit >= 0 && k >= c->limit) return ls_error_set(e, LS_ERR_IO, "disk went away");
  return toy_job(c->toy, t, r, e);
}

static ls_status nan_job(void *v, const ls_sweep_task *t, ls_seed_result *r, ls_error *e) {
  if (t->seed == 3) return ls_error_set(e, LS_ERR_COMPUTE, "loss is NaN");
  return toy_job(v, t, r, e);
}

static void test_threads_and_ranks(toy_ctx *c, json_t *cfg) {
  ls_sweep_opts a, b, r2;
  ls_sweep_stats st;
  opts_for(&a, "t1", cfg, 1);
  opts_for(&b, "t2", cfg, 2);
  opts_for(&r2, "r2", cfg, 1);
  CHECK(full_sweep(&a, c, &st) == LS_OK && st.ran == 10 && st.skipped == 0,
        "1-thread sweep of 2 widths x 5 seeds runs 10 jobs (ran %ld)", st.ran);
  CHECK(full_sweep(&b, c, &st) == LS_OK && st.ran == 10, "2-thread sweep runs 10 jobs");
  CHECK(file_pair_same(a.dir, b.dir, "summary.csv"), "summary.csv identical with 1 and 2 threads");
  CHECK(all_npy_same(&a, &b), "every params .npy identical with 1 and 2 threads");
  /* Two ranks emulated in one process: each runs its static share. */
  ls_error e;
  ls_status s = ls_sweep_prepare(&r2, &e);
  long total = 0;
  for (int rank = 0; rank < 2 && !s; rank++) {
    r2.rank = rank;
    r2.n_ranks = 2;
    s = ls_sweep_run(&r2, toy_job, c, &st, &e);
    total += st.ran;
  }
  r2.rank = 0;
  r2.n_ranks = 1;
  if (!s) s = ls_sweep_summarize(&r2, &e);
  CHECK(s == LS_OK && total == 10, "two rank shares cover the 10 jobs once (%ld)", total);
  CHECK(file_pair_same(a.dir, r2.dir, "summary.csv") && all_npy_same(&a, &r2),
        "2-rank split gives the same summary and parameters");

  /* Independent check of a record: reload the .npy and recompute loss and gradient. */
  char path[600];
  snprintf(path, sizeof path, "%s/runs/w2_s4.npy", a.dir);
  size_t n;
  char *raw = slurp(path, &n);
  ls_seed_result rec;
  snprintf(path, sizeof path, "%s/runs/w2_s4.json", a.dir);
  int ok = raw && n > 10 && !ls_sweep_run_read(path, &rec, NULL);
  if (ok) {
    size_t head = 10 + (unsigned char)raw[8] + 256u * (unsigned char)raw[9];
    ls_net net;
    toy_net(&net, 2);
    size_t P = ls_net_nparams(&net);
    ok = head % 64 == 0 && n == head + P * sizeof(double);
    double th[64], g[64], loss = 0, gi = 0;
    if (ok) {
      memcpy(th, raw + head, P * sizeof(double));
      ls_work *w = ls_work_alloc(&net, c->data.n);
      ls_loss_grad(&net, &c->data, th, &loss, g, w);
      ls_work_free(w);
      for (size_t i = 0; i < P; i++) gi = fmax(gi, fabs(g[i]));
    }
    CHECK(ok && loss == rec.loss && gi == rec.grad_inf,
          "params .npy reproduce the recorded loss %.6g and grad_inf %.3g exactly", rec.loss,
          rec.grad_inf);
  } else {
    CHECK(0, "read back run w2_s4");
  }
  free(raw);
}

static void test_resume(toy_ctx *c, json_t *cfg) {
  ls_sweep_opts a, d;
  ls_sweep_stats st;
  ls_error e;
  opts_for(&a, "t1", cfg, 1);
  opts_for(&d, "resumed", cfg, 2);
  limited_ctx lc = {c, 0, 4};
  ls_status s = ls_sweep_prepare(&d, &e);
  if (!s) s = ls_sweep_run(&d, limited_job, &lc, &st, &e);
  CHECK(s == LS_ERR_IO && st.ran == 4 && st.unfinished == 6,
        "a failing job stops the sweep with 4 runs recorded, 6 unfinished (ran %ld, left %ld)",
        st.ran, st.unfinished);
  CHECK(strstr(e.msg, "disk went away") && strstr(e.msg, "run w"), "error names the run: %s",
        e.msg);
  CHECK(ls_sweep_summarize(&d, &e) == LS_ERR_COMPUTE && strstr(e.msg, "6 of 10"),
        "summary refused while runs are missing: %s", e.msg);
  /* Stray temp files as left by SIGKILL during a write. */
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s/runs/w4_s5.json.tmp.abc123", d.dir);
  FILE *f = fopen(tmp, "w");
  if (f) fputs("{\"wid", f), fclose(f);
  d.resume = 0;
  CHECK(ls_sweep_prepare(&d, &e) == LS_ERR_INPUT && strstr(e.msg, "--resume"),
        "without resume an existing sweep is refused: %s", e.msg);
  d.resume = 1;
  lc.calls = 0;
  lc.limit = -1;
  s = ls_sweep_prepare(&d, &e);
  CHECK(s == LS_OK && access(tmp, F_OK) != 0, "resume accepts the manifest and removes temp files");
  if (!s) s = ls_sweep_run(&d, limited_job, &lc, &st, &e);
  CHECK(s == LS_OK && st.skipped == 4 && st.ran == 6 && lc.calls == 6,
        "resume skips the 4 finished runs and runs only the 6 others (calls %d)", lc.calls);
  if (!s) s = ls_sweep_summarize(&d, &e);
  CHECK(s == LS_OK && file_pair_same(a.dir, d.dir, "summary.csv") && all_npy_same(&a, &d),
        "interrupted + resumed summary and parameters identical to the uninterrupted sweep");
  lc.calls = 0;
  s = ls_sweep_prepare(&d, &e);
  if (!s) s = ls_sweep_run(&d, limited_job, &lc, &st, &e);
  CHECK(s == LS_OK && lc.calls == 0 && st.skipped == 10, "a finished sweep resumed runs nothing");
}

static void test_manifest(toy_ctx *c, json_t *cfg) {
  ls_sweep_opts a;
  ls_error e;
  opts_for(&a, "t1", cfg, 1);
  a.resume = 1;
  json_t *other = json_deep_copy(cfg);
  json_object_set_new(json_object_get(other, "student"), "activation", json_string("tanh"));
  a.config = other;
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT && strstr(e.msg, "\"student\""),
        "resume with a changed student refused: %s", e.msg);
  a.config = cfg;
  a.n_seeds = 6;
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT && strstr(e.msg, "5 seeds"),
        "resume with other seed count refused: %s", e.msg);
  a.n_seeds = 5;
  a.widths[1] = 3;
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT && strstr(e.msg, "widths"),
        "resume with other widths refused: %s", e.msg);
  a.widths[1] = 2;
  a.version = "other";
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT && strstr(e.msg, "landsym test"),
        "resume by another version refused: %s", e.msg);
  a.version = "test";
  CHECK(ls_sweep_prepare(&a, &e) == LS_OK, "resume with the same settings accepted");
  a.n_seeds = 0;
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT, "0 seeds refused: %s", e.msg);
  a.n_seeds = 5;
  a.widths[1] = 4;
  CHECK(ls_sweep_prepare(&a, &e) == LS_ERR_INPUT, "duplicate width refused: %s", e.msg);
  json_decref(other);

  /* A deterministic compute failure is recorded, never retried. */
  ls_sweep_opts n;
  ls_sweep_stats st;
  opts_for(&n, "nan", cfg, 2);
  ls_status s = full_sweep(&n, c, &st);
  n.resume = 1;
  if (!s) s = ls_sweep_prepare(&n, &e);
  if (!s) s = ls_sweep_run(&n, nan_job, c, &st, &e);
  if (!s) s = ls_sweep_summarize(&n, &e);
  ls_seed_result r;
  char path[600];
  snprintf(path, sizeof path, "%s/runs/w4_s3.json", n.dir);
  CHECK(s == LS_OK && st.ran == 0 && st.skipped == 10 && st.failed == 0 &&
            !ls_sweep_run_read(path, &r, NULL) && strcmp(r.stop, "failed") != 0,
        "finished runs are not redone even by a job that would now fail");
}

static void test_failed_record(toy_ctx *c, json_t *cfg) {
  ls_sweep_opts n;
  ls_sweep_stats st;
  ls_error e;
  opts_for(&n, "nanfresh", cfg, 2);
  ls_status s = ls_sweep_prepare(&n, &e);
  if (!s) s = ls_sweep_run(&n, nan_job, c, &st, &e);
  if (!s) s = ls_sweep_summarize(&n, &e);
  CHECK(s == LS_OK && st.failed == 2 && st.ran == 10,
        "compute failures of seed 3 recorded as 2 failed runs (failed %ld)", st.failed);
  ls_seed_result r;
  char path[600];
  snprintf(path, sizeof path, "%s/runs/w2_s3.json", n.dir);
  CHECK(!ls_sweep_run_read(path, &r, NULL) && !strcmp(r.stop, "failed") && isnan(r.loss) &&
            !r.converged,
        "failed record: stop failed, loss NaN (stored as null), not converged");
  snprintf(path, sizeof path, "%s/summary.csv", n.dir);
  size_t len;
  char *sum = slurp(path, &len);
  CHECK(sum && strstr(sum, "\n2,3,nan,nan,failed,0,0\n"), "summary row of a failed run");
  free(sum);
}

int main(void) {
  snprintf(root, sizeof root, "/tmp/landsym_test_sweep_XXXXXX");
  if (!mkdtemp(root)) return 1;
  toy_ctx c;
  if (toy_ctx_init(&c, 9, 300)) return 1;
  json_t *cfg = json_pack("{s:{s:[i,i,i], s:s}, s:{s:i}}", "student", "widths", 2, 5, 1,
                          "activation", "sigmoid", "sweep", "seeds", 5);
  test_threads_and_ranks(&c, cfg);
  test_resume(&c, cfg);
  test_manifest(&c, cfg);
  test_failed_record(&c, cfg);
  json_decref(cfg);
  ls_data_free(&c.data);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd)) printf("note: could not remove %s\n", root);
  return check_done();
}
