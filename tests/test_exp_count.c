/* The counting experiments as library calls (landsym/exp_count.h) against the brute-force
 * enumeration of Definitions 3.2-3.3 and 4.1 (ls_count_enumerate) and the known values
 * of the closed forms: T(3,4) = 60, Bell numbers, R_1(3,4) = G(2,4)/T(3,4) = 14/60,
 * the figure 4 graph for r = 3 (72 edges, one component), products over layers. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/exp_count.h"

/* Output of a call into a string (free()). */
#define CAPTURE(text, st, call)                   \
  do {                                            \
    size_t n_;                                    \
    FILE *out = open_memstream(&(text), &n_);     \
    (st) = (call);                                \
    fclose(out);                                  \
  } while (0)

static size_t enum_count(int r, int m, int critical) {
  ls_count_patterns *p;
  ls_error err;
  if (ls_count_enumerate(&p, r, m, critical, &err)) return 0;
  size_t n = p->n;
  ls_count_patterns_free(p);
  return n;
}

/* T and G tables over m against the enumeration. */
static void test_tables(void) {
  ls_exp_count_opts o = ls_exp_count_opts_default();
  ls_error err;
  for (int critical = 0; critical < 2; critical++) {
    char *text = NULL;
    ls_status st;
    CAPTURE(text, st, ls_exp_count_GT_table(out, critical ? 'G' : 'T', 2, 2, 6, 1, &o, &err));
    int ok = st == LS_OK, rows = 0;
    char *line = text ? strchr(text, '\n') : NULL; /* after the header */
    for (int m = 2; ok && line && m <= 6; m++, rows++) {
      long r, mm;
      unsigned long v;
      ok = sscanf(line + 1, "%ld,%ld,%lu", &r, &mm, &v) == 3 && mm == m && v == enum_count(2, m, critical);
      line = strchr(line + 1, '\n');
    }
    CHECK(ok && rows == 5, "%s(2,m), m = 2..6: table = brute-force enumeration", critical ? "G" : "T");
    free(text);
  }
}

static void test_values(void) {
  ls_exp_count_opts o = ls_exp_count_opts_default();
  ls_error err;
  char *text = NULL;
  ls_status st;
  CAPTURE(text, st, ls_exp_count_GT(out, 'T', 3, 4, &o, &err));
  CHECK(st == LS_OK && !strcmp(text, "60\n"), "T(3,4) = 60");
  free(text);
  long r[2] = {3, 3}, m[2] = {4, 4};
  CAPTURE(text, st, ls_exp_count_GT_layers(out, 'T', r, m, 2, &o, &err));
  CHECK(st == LS_OK && !strcmp(text, "3600\n"), "T over two layers 3,3 -> 4,4 = 60^2");
  free(text);
  CAPTURE(text, st, ls_exp_count_g(out, 0, 6, 1, 1, &o, &err));
  CHECK(st == LS_OK && !strcmp(text, "u,g\n0,0\n1,1\n2,2\n3,5\n4,15\n5,52\n6,203\n"),
        "g(0..6): 0 then the Bell numbers 1, 2, 5, 15, 52, 203");
  free(text);
  CAPTURE(text, st, ls_exp_count_GT(out, 'G', 5, 3, &o, &err));
  CHECK(st == LS_ERR_INPUT && text && !*text, "G(5,3): bad input, nothing printed (%s)", err.msg);
  free(text);
}

/* R_1(3,4) = G(2,4)/T(3,4) = 14/60 in JSON; brea T_B(1,3) = G(2,3)/3! = 1. */
static void test_ratio_brea(void) {
  ls_exp_count_opts o = ls_exp_count_opts_default();
  o.format = LS_COUNT_OUT_JSON;
  ls_error err;
  char *text = NULL;
  ls_status st;
  ls_exp_count_R_req q = {3, 4, 4, 1, 1, 1, LS_COUNT_WEIGHTS_ONES, NULL, 0, 2, 0, 0, 0};
  CAPTURE(text, st, ls_exp_count_R(out, &q, &o, &err));
  char *p = text ? strstr(text, "\"R\": \"") : NULL;
  double R = p ? atof(p + 6) : 0;
  CHECK(st == LS_OK && check_rel(R, 14.0 / 60.0, 1e-300) < 1e-15, "R_1(3,4) = 14/60 (got %.17g)", R);
  free(text);
  long n[1] = {3};
  CAPTURE(text, st, ls_exp_count_brea(out, 1, n, 1, &o, &err));
  CHECK(st == LS_OK && text && strstr(text, "\"T_B_exact\": \"1\""), "T_B(1,3) = G(2,3)/3! = 1");
  free(text);
}

/* enumerate --count and the figure 4 graph. */
static void test_enumerate_graph(void) {
  ls_error err;
  char *text = NULL, *log = NULL;
  ls_status st;
  size_t nl;
  FILE *lf = open_memstream(&log, &nl);
  CAPTURE(text, st, ls_exp_count_enumerate(out, lf, 3, 4, 0, 1, LS_COUNT_OUT_TEXT, &err));
  fclose(lf);
  CHECK(st == LS_OK && !strcmp(text, "60\n") && strstr(log, "closed form T(3,4) = 60"),
        "enumerate 3 -> 4: 60 subspaces = T(3,4)");
  free(text), free(log);
  lf = open_memstream(&log, &nl);
  CAPTURE(text, st, ls_exp_count_graph(out, NULL, lf, 3, "dot", &err));
  fclose(lf);
  size_t edges = 0;
  for (char *p = text; p && (p = strstr(p, " -- ")); p++) edges++;
  CHECK(st == LS_OK && edges == 72 && strstr(log, "60 subspaces (24 blue, 36 green), 72 edges") &&
            strstr(log, "1 connected component"),
        "graph 3 -> 4: 72 edges, one component (figure 4(c))");
  free(text), free(log);
}

static void test_layers(void) {
  ls_exp_count_layers_opts o = {.r = {1, 1}, .m = {2, 2}, .layers = 2, .graph = 1, .din = 1, .dout = 1, .seed = 1};
  ls_exp_count_layers_result r;
  ls_error err;
  ls_status st = ls_exp_count_layers(&o, &r, &err);
  CHECK(st == LS_OK && r.distinct == 9 && r.match && !strcmp(r.formula, "9") && r.components == 1 &&
            !ls_exp_count_layers_failure(&o, &r),
        "layers 1,1 -> 2,2: 9 = T(1,2)^2 subspaces, connected");
  if (!st) ls_exp_count_layers_result_free(&r);
}

int main(void) {
  test_tables();
  test_values();
  test_ratio_brea();
  test_enumerate_graph();
  test_layers();
  return check_done();
}
