/* Config loading: the built-in thesis experiment, the thesis teacher as its own student
 * (loss exactly 0, gradient exactly 0), npy/csv data with paths relative to the config,
 * sections owned by other commands, typed getters with file.field messages. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/engine.h"
#include "landsym/io.h"

static const char *SELF =
    "{\"data\": {\"kind\": \"grid\"}, \"teacher\": {\"widths\": [2, 4, 1], \"bias\": false,"
    " \"params\": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},"
    " \"student\": {\"widths\": [2, 4, 1]}, \"train\": {\"steps\": 10, \"lr\": \"x\"}}";

int main(void) {
  ls_error err = {0};
  ls_config cfg;
  CHECK(ls_config_load("builtin:thesis", &cfg, &err) == LS_OK, "builtin:thesis loads: %s", err.msg);
  CHECK(cfg.data.n == 1681 && cfg.has_teacher && cfg.student.width[1] == 5 &&
            cfg.teacher.width[1] == 4 && cfg.teacher.act[1].kind == LS_ACT_SIGMOID &&
            !cfg.teacher.bias[1] && !cfg.teacher.bias[2],
        "thesis: 1681 samples, 2-4-1 sigmoid teacher without biases, width-5 student");
  /* target at the corner (5, 5): sigma(5.5) - sigma(0) + sigma(-4) - sigma(-2.5) */
  double s1 = 1 / (1 + exp(-5.5)), s2 = 0.5, s3 = 1 / (1 + exp(4.0)), s4 = 1 / (1 + exp(2.5));
  CHECK(fabs(cfg.data.y[1680] - (s1 - s2 + s3 - s4)) < 1e-15,
        "teacher target at (5,5) = %.17g (closed form %.17g)", cfg.data.y[1680], s1 - s2 + s3 - s4);
  ls_config_free(&cfg);
  ls_config_free(&cfg); /* double free of a zeroed struct is harmless */

  json_t *root = json_loads(SELF, 0, NULL);
  CHECK(ls_config_load_json(root, "self.json", NULL, &cfg, &err) == LS_OK, "teacher-as-student config: %s", err.msg);
  size_t P = ls_net_nparams(&cfg.student);
  double *g = malloc(P * sizeof *g), L = -1, gmax = -1;
  ls_work *w = ls_work_alloc(&cfg.student, cfg.data.n);
  ls_loss_grad(&cfg.student, &cfg.data, cfg.teacher_params, &L, g, w);
  for (size_t i = 0; i < P; i++) gmax = fmax(gmax, fabs(g[i]));
  CHECK(L == 0.0 && gmax == 0.0, "thesis teacher on its own data: loss %g, max |grad| %g (exactly 0)", L, gmax);
  ls_work_free(w);
  free(g);
  /* sections owned by other commands are kept and readable */
  json_t *train = ls_config_section(&cfg, "train");
  long steps = 0;
  double lr;
  static const char *const tk[] = {"steps", "lr", NULL}, *const tk2[] = {"steps", NULL};
  CHECK(train && ls_config_get_int(&cfg, train, "train", "steps", 1, 1000, 5, &steps, &err) == LS_OK &&
            steps == 10, "train.steps read back as %ld", steps);
  CHECK(ls_config_get_double(&cfg, train, "train", "lr", 0.1, &lr, &err) == LS_ERR_INPUT &&
            !strcmp(err.msg, "self.json: train.lr: expected a finite number"),
        "wrong type named: %s", err.msg);
  CHECK(ls_config_get_double(&cfg, train, "train", "tol", 1e-9, &lr, &err) == LS_OK && lr == 1e-9,
        "absent key gives the default");
  CHECK(ls_config_check_keys(&cfg, train, "train", tk, &err) == LS_OK, "known keys accepted");
  CHECK(ls_config_check_keys(&cfg, train, "train", tk2, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "self.json: train.lr: unknown key (known: steps)"),
        "unknown key named: %s", err.msg);
  json_t *ints = json_loads("{\"a\": 10.0, \"b\": 2.5, \"c\": 9007199254740993, \"d\": 1001}", 0, NULL);
  long iv = 0;
  CHECK(ls_config_get_int(&cfg, ints, "s", "a", 0, 1000, 0, &iv, &err) == LS_OK && iv == 10,
        "10.0 accepted as the integer 10");
  CHECK(ls_config_get_int(&cfg, ints, "s", "b", 0, 1000, 0, &iv, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "s.b: expected an integer"), "2.5 rejected: %s", err.msg);
  CHECK(ls_config_get_int(&cfg, ints, "s", "c", 0, 0x7fffffffffffffffL, 0, &iv, &err) == LS_OK &&
            iv == 9007199254740993L, "seed 2^53+1 read exactly");
  CHECK(ls_config_get_int(&cfg, ints, "s", "d", 0, 1000, 0, &iv, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "self.json: s.d: 1001 out of range 0..1000"), "range named: %s", err.msg);
  json_decref(ints);
  CHECK(ls_config_section(&cfg, "sweep") == NULL, "absent section is NULL");
  ls_config_free(&cfg);
  json_decref(root);

  /* npy data with targets and weights, relative to the config file's directory */
  char dir[] = "/tmp/landsym_cfg_XXXXXX", path[256];
  if (!mkdtemp(dir)) return 1;
  double x[6] = {0, 1, 2, 3, 4, 5}, y[3] = {1, 2, 3}, wt[3] = {1, 1, 2};
  size_t xs[2] = {3, 2}, n3 = 3;
  snprintf(path, sizeof path, "%s/x.npy", dir);
  ls_npy_write(path, x, 2, xs, &err);
  snprintf(path, sizeof path, "%s/y.npy", dir);
  ls_npy_write(path, y, 1, &n3, &err);
  snprintf(path, sizeof path, "%s/w.npy", dir);
  ls_npy_write(path, wt, 1, &n3, &err);
  snprintf(path, sizeof path, "%s/c.json", dir);
  FILE *f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"npy\", \"x\": \"x.npy\", \"y\": \"y.npy\", \"weights\": \"w.npy\"},"
        " \"student\": {\"widths\": [2, 3, 1], \"activation\": \"tanh\", \"bias\": [true, false]}}", f);
  fclose(f);
  CHECK(ls_config_load(path, &cfg, &err) == LS_OK, "npy config with relative paths: %s", err.msg);
  CHECK(cfg.data.n == 3 && cfg.data.x[5] == 5 && cfg.data.y[2] == 3 && cfg.data.w &&
            cfg.data.w[2] == 0.5 && cfg.data.w[0] == 0.25 && !cfg.has_teacher,
        "x, y, weights (normalised 1/4, 1/4, 1/2) loaded");
  CHECK(cfg.student.bias[1] == 1 && cfg.student.bias[2] == 0 && cfg.student.act[1].kind == LS_ACT_TANH,
        "per-layer bias list and activation parsed");
  ls_config_free(&cfg);
  /* same data plus a teacher: ambiguous targets rejected */
  f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"npy\", \"x\": \"x.npy\", \"y\": \"y.npy\"},"
        " \"teacher\": {\"widths\": [2, 1], \"seed\": 1},"
        " \"student\": {\"widths\": [2, 3, 1]}}", f);
  fclose(f);
  CHECK(ls_config_load(path, &cfg, &err) == LS_ERR_INPUT && strstr(err.msg, "teacher"),
        "targets from both file and teacher rejected: %s", err.msg);
  /* no targets at all */
  f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"npy\", \"x\": \"x.npy\"}, \"student\": {\"widths\": [2, 3, 1]}}", f);
  fclose(f);
  CHECK(ls_config_load(path, &cfg, &err) == LS_ERR_INPUT && strstr(err.msg, "teacher: required"),
        "no targets rejected: %s", err.msg);
  /* csv with a seeded teacher (glorot): targets equal the teacher's forward pass */
  snprintf(path, sizeof path, "%s/d.csv", dir);
  f = fopen(path, "w");
  fputs("0.5, -1\n2, 0.25\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/c.json", dir);
  f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"csv\", \"file\": \"d.csv\"},"
        " \"teacher\": {\"widths\": [2, 1], \"seed\": 4}, \"student\": {\"widths\": [2, 3, 1]}}", f);
  fclose(f);
  CHECK(ls_config_load(path, &cfg, &err) == LS_OK, "csv + seeded linear teacher: %s", err.msg);
  double th[2];
  ls_net lin;
  int lw[2] = {2, 1};
  ls_act id = {LS_ACT_IDENTITY, 1, 1};
  ls_net_init(&lin, 1, lw, id, 0, NULL);
  ls_params_glorot(&lin, 4, th);
  CHECK(cfg.data.y[1] == th[0] * 2 + th[1] * 0.25 || fabs(cfg.data.y[1] - (th[0] * 2 + th[1] * 0.25)) < 1e-15,
        "target = teacher(x) for the Glorot teacher of seed 4");
  ls_config_free(&cfg);
  /* teacher from params_file (relative .npy); nll teacher with soft labels: rows are
   * probability vectors and the teacher as student has loss = mean entropy of its rows */
  double tp[12] = {0.5, -1.0, 1.5, 0.2, 0.0, -0.7, 0.3, 0.1, -0.2, 1.2, -0.4, 0.8};
  size_t n9 = 12;
  snprintf(path, sizeof path, "%s/tp.npy", dir);
  ls_npy_write(path, tp, 1, &n9, &err);
  snprintf(path, sizeof path, "%s/c.json", dir);
  f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"gaussian\", \"n\": 50, \"seed\": 3},"
        " \"teacher\": {\"widths\": [1, 3, 3], \"activation\": \"tanh\", \"params_file\": \"tp.npy\"},"
        " \"student\": {\"widths\": [1, 3, 3], \"activation\": \"tanh\", \"loss\": \"nll\"}}", f);
  fclose(f);
  ls_status nst = ls_config_load(path, &cfg, &err);
  CHECK(nst == LS_OK, "nll config with teacher params_file: %s", err.msg);
  double worst = 1, entropy = 0, Lnll = 0;
  for (size_t k = 0; k < cfg.data.n; k++) {
    double sum = 0;
    for (int o = 0; o < 3; o++) {
      double p = cfg.data.y[3 * k + o];
      sum += p;
      entropy -= p * log(p) / cfg.data.n;
    }
    worst = fmax(k ? worst : 0, fabs(sum - 1));
  }
  CHECK(nst == LS_OK && worst < 1e-15 && !memcmp(cfg.teacher_params, tp, sizeof tp),
        "soft labels sum to 1 (worst %.1e), params from file", worst);
  if (nst == LS_OK) {
    ls_work *wk = ls_work_alloc(&cfg.student, cfg.data.n);
    ls_loss(&cfg.student, &cfg.data, cfg.teacher_params, &Lnll, wk);
    ls_work_free(wk);
  }
  CHECK(nst == LS_OK && fabs(Lnll - entropy) < 1e-14, "nll of the teacher on its soft labels = mean entropy (%.15f vs %.15f)", Lnll, entropy);
  ls_config_free(&cfg);
  f = fopen(path, "w");
  fputs("{\"data\": {\"kind\": \"gaussian\", \"n\": 5},"
        " \"teacher\": {\"widths\": [1, 2, 3], \"params_file\": \"tp.npy\"},"
        " \"student\": {\"widths\": [1, 3, 3]}}", f);
  fclose(f);
  CHECK(ls_config_load(path, &cfg, &err) == LS_ERR_INPUT && strstr(err.msg, "c.json: teacher.params_file: ") &&
            strstr(err.msg, "tp.npy: 12 parameters, network 1-2-3"),
        "params_file of the wrong length: %s", err.msg);

  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) return 1;
  return check_done();
}
