/* The results writer (landsym/out.h): mkdir -p, CSV quoting read back by an independent
 * parser (Python's csv module when present, else by hand here), JSON numbers that read
 * back bit-exactly and null for non-finite values, atomic figure files. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "landsym/out.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int main(void) {
  char root[] = "/tmp/ls_test_out_XXXXXX";
  if (!mkdtemp(root)) return 1;
  char p[256], q[512];
  ls_error err = {0};

  /* mkdir -p: nested, idempotent, refuses a file on the way */
  snprintf(p, sizeof p, "%s/a/b//c/", root);
  CHECK(ls_mkdir_p(p, &err) == LS_OK && is_dir(p), "mkdir -p nested: %s", err.msg);
  CHECK(ls_mkdir_p(p, &err) == LS_OK, "mkdir -p existing is fine");
  snprintf(q, sizeof q, "%s/file", root);
  CHECK(ls_file_write_atomic(q, "x", 1, &err) == LS_OK, "atomic write");
  snprintf(p, sizeof p, "%s/file/sub", root);
  CHECK(ls_mkdir_p(p, &err) == LS_ERR_INPUT && strstr(err.msg, "not a directory"),
        "file on the way is a bad input: %s", err.msg);
  char *j = ls_path_join("d/", "n");
  CHECK(j && !strcmp(j, "d/n"), "path join without a double slash: %s", j);
  free(j);

  /* CSV: quoting per RFC 4180, numbers %.17g, non-finite spelled for numpy */
  ls_csv t = {0};
  ls_csv_header(&t, "name,x,n");
  ls_csv_str(&t, "a,\"b\"");
  ls_csv_num(&t, 0.1);
  ls_csv_int(&t, -7);
  ls_csv_end(&t);
  ls_csv_str(&t, "plain");
  ls_csv_num(&t, 1.0 / 0.0);
  ls_csv_num(&t, 0.0 / 0.0);
  ls_csv_end(&t);
  snprintf(p, sizeof p, "%s/t.csv", root);
  CHECK(ls_csv_save(&t, p, &err) == LS_OK, "csv saved");
  ls_csv_free(&t);
  const char *want = "name,x,n\n\"a,\"\"b\"\"\",0.10000000000000001,-7\nplain,inf,nan\n";
  char *got = slurp(p);
  CHECK(got && !strcmp(got, want), "csv text:\n%s", got ? got : "(none)");
  CHECK(strtod("0.10000000000000001", NULL) == 0.1, "17 digits read back exactly");

  /* JSON: exact doubles, null for NaN, atomic file with a final newline */
  json_t *o = json_object();
  json_object_set_new(o, "third", ls_json_num(1.0 / 3.0));
  json_object_set_new(o, "bad", ls_json_num(0.0 / 0.0));
  snprintf(p, sizeof p, "%s/o.json", root);
  CHECK(ls_json_save(o, p, &err) == LS_OK, "json saved");
  json_decref(o);
  json_error_t je;
  json_t *back = json_load_file(p, 0, &je);
  CHECK(back && json_real_value(json_object_get(back, "third")) == 1.0 / 3.0,
        "json double reads back bit-exactly");
  CHECK(back && json_is_null(json_object_get(back, "bad")), "NaN written as null");
  json_decref(back);
  got = slurp(p);
  CHECK(got && got[strlen(got) - 1] == '\n', "final newline");

  /* figure: data and script kept; PNG and SVG only when gnuplot ran */
  snprintf(p, sizeof p, "%s/fig", root);
  ls_figure fig = {.dir = p, .name = "line", .title = "test"};
  const char *dat = "0 0\n1 1\n";
  ls_status st = ls_figure_save(&fig, dat, strlen(dat), "plot 'line.dat' using 1:2 with lines",
                                &err);
  snprintf(q, sizeof q, "%s/line.dat", p);
  CHECK(access(q, R_OK) == 0, "figure data kept");
  snprintf(q, sizeof q, "%s/line.gp", p);
  got = slurp(q);
  CHECK(got && strstr(got, "plot 'line.dat'") && strstr(got, "replot"), "figure script kept");
  if (ls_figure_available()) {
    CHECK(st == LS_OK, "gnuplot drew the figure: %s", err.msg);
    snprintf(q, sizeof q, "%s/line.png", p);
    CHECK(access(q, R_OK) == 0, "png written");
    snprintf(q, sizeof q, "%s/line.svg", p);
    CHECK(access(q, R_OK) == 0, "svg written");
  } else {
    CHECK(st == LS_ERR_COMPUTE && strstr(err.msg, "gnuplot"), "no gnuplot: clear error");
  }
  st = ls_figure_save(&fig, dat, strlen(dat), "plot 'nonexistent_file.dat'", &err);
  snprintf(q, sizeof q, "%s/.line.tmp.png", p);
  CHECK(st == LS_ERR_COMPUTE && access(q, F_OK) != 0, "failed figure leaves no temporary");

  snprintf(p, sizeof p, "rm -rf '%s'", root);
  if (system(p)) return 1;
  return check_done();
}
