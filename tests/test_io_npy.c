#define _GNU_SOURCE /* memmem */
/* .npy, CSV and parameter files: bitwise round trips, NumPy-compatible headers, and
 * every malformed input rejected with a message naming the file and the problem. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/io.h"
#include "landsym/net.h"

static char dir[64];

static const char *tmp(const char *name) {
  static char buf[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

/* Write a raw .npy file with the given dict and payload (format 1.0, padded to 64). */
static void write_raw(const char *path, const char *magic, const char *dict, const void *data,
                      size_t nbytes) {
  FILE *f = fopen(path, "wb");
  size_t dl = strlen(dict), total = (10 + dl + 1 + 63) / 64 * 64, hl = total - 10;
  fwrite(magic, 1, 6, f);
  unsigned char v[4] = {1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
  fwrite(v, 1, 4, f);
  fwrite(dict, 1, dl, f);
  for (size_t i = 10 + dl; i < total - 1; i++) fputc(' ', f);
  fputc('\n', f);
  fwrite(data, 1, nbytes, f);
  fclose(f);
}

static int rejects(const char *path, const char *needle) {
  double *d = NULL;
  int nd;
  size_t sh[2];
  ls_error err = {0};
  ls_status st = ls_npy_read(path, &d, &nd, sh, &err);
  free(d);
  int ok = st == LS_ERR_INPUT && strstr(err.msg, needle) && strstr(err.msg, path);
  if (!ok) printf("  got status %d, message '%s'\n", st, err.msg);
  return ok;
}

static int no_temp_files(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "ls %s | grep -q '\\.tmp\\.'", dir);
  return system(cmd) != 0;
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/landsym_npy_XXXXXX");
  if (!mkdtemp(dir)) return 1;
  static const char M[] = "\x93NUMPY";

  /* round trip 2-D, bitwise, including subnormals, -0 and extremes */
  double a[6] = {1.0 / 3.0, -0.0, 4.9e-324, 1.7976931348623157e308, -2.5, 1e-300};
  size_t shape[2] = {2, 3};
  ls_error err = {0};
  CHECK(ls_npy_write(tmp("a.npy"), a, 2, shape, &err) == LS_OK, "write 2-D .npy: %s", err.msg);
  double *b = NULL;
  int nd = 0;
  size_t sh[2] = {0, 0};
  CHECK(ls_npy_read(tmp("a.npy"), &b, &nd, sh, &err) == LS_OK, "read it back: %s", err.msg);
  CHECK(nd == 2 && sh[0] == 2 && sh[1] == 3, "shape (2, 3) preserved (got %d: %zu, %zu)", nd, sh[0], sh[1]);
  CHECK(b && memcmp(a, b, sizeof a) == 0, "2-D values bitwise identical");
  free(b);
  /* header is NumPy format 1.0: total header length a multiple of 64, ends in '\n' */
  FILE *f = fopen(tmp("a.npy"), "rb");
  unsigned char hdr[128];
  size_t got = fread(hdr, 1, sizeof hdr, f);
  fclose(f);
  size_t hl = hdr[8] | (size_t)hdr[9] << 8;
  CHECK(got == 128 && (10 + hl) % 64 == 0 && hdr[10 + hl - 1] == '\n',
        "header padded to 64 bytes and ends in newline (%zu)", 10 + hl);
  CHECK(memmem(hdr, 10 + hl, "'descr': '<f8'", 14) && memmem(hdr, 10 + hl, "(2, 3)", 6),
        "header declares '<f8' and shape (2, 3)");

  size_t n1 = 5;
  double c[5] = {1, 2, 3, 4, 5};
  CHECK(ls_npy_write(tmp("c.npy"), c, 1, &n1, &err) == LS_OK, "write 1-D");
  CHECK(ls_npy_read(tmp("c.npy"), &b, &nd, sh, &err) == LS_OK && nd == 1 && sh[0] == 5 &&
            sh[1] == 1 && !memcmp(b, c, sizeof c),
        "1-D round trip (shape (5,))");
  free(b);
  CHECK(no_temp_files(), "no temp files left after successful writes");

  /* other little-endian dtypes convert exactly */
  float fl[3] = {0.5f, -1.25f, 3.0f};
  write_raw(tmp("f4.npy"), M, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", fl, sizeof fl);
  CHECK(ls_npy_read(tmp("f4.npy"), &b, &nd, sh, &err) == LS_OK && b[0] == 0.5 && b[1] == -1.25 &&
            b[2] == 3.0,
        "'<f4' read and converted: %s", err.msg);
  free(b);
  int32_t iv[4] = {-7, 0, 3, 2147483647};
  write_raw(tmp("i4.npy"), M, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", iv, sizeof iv);
  CHECK(ls_npy_read(tmp("i4.npy"), &b, &nd, sh, &err) == LS_OK && b[0] == -7 && b[3] == 2147483647.0,
        "'<i4' read and converted");
  free(b);

  /* malformed inputs */
  double ok3[3] = {1, 2, 3};
  write_raw(tmp("trunc.npy"), M, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", ok3, sizeof ok3);
  CHECK(rejects(tmp("trunc.npy"), "truncated"), "truncated data rejected");
  write_raw(tmp("magic.npy"), "\x93NUMPZ", "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", ok3, sizeof ok3);
  CHECK(rejects(tmp("magic.npy"), "magic"), "wrong magic rejected");
  write_raw(tmp("be.npy"), M, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", ok3, sizeof ok3);
  CHECK(rejects(tmp("be.npy"), "big-endian"), "big-endian rejected");
  write_raw(tmp("fo.npy"), M, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 1), }", ok3, sizeof ok3);
  CHECK(rejects(tmp("fo.npy"), "Fortran"), "Fortran order rejected");
  write_raw(tmp("c16.npy"), M, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", ok3, 16);
  CHECK(rejects(tmp("c16.npy"), "dtype '<c16'"), "complex dtype rejected");
  write_raw(tmp("u1.npy"), M, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", "abc", 3);
  CHECK(rejects(tmp("u1.npy"), "dtype '|u1'"), "uint8 dtype rejected");
  write_raw(tmp("3d.npy"), M, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 3), }", ok3, sizeof ok3);
  CHECK(rejects(tmp("3d.npy"), "3-D"), "3-D array rejected");
  double nanv[4] = {1, 2, NAN, 4};
  write_raw(tmp("nan.npy"), M, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", nanv, sizeof nanv);
  CHECK(rejects(tmp("nan.npy"), "[1, 0] is NaN"), "NaN rejected with its position [1, 0]");
  double infv[2] = {1, -INFINITY};
  write_raw(tmp("inf.npy"), M, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", infv, sizeof infv);
  CHECK(rejects(tmp("inf.npy"), "[1] is infinite"), "-inf rejected with its position [1]");
  f = fopen(tmp("short.npy"), "wb");
  fwrite(M, 1, 6, f);
  fclose(f);
  CHECK(rejects(tmp("short.npy"), "magic"), "6-byte file rejected");
  CHECK(rejects(tmp("missing.npy"), "cannot open"), "missing file rejected");

  /* failed write: nothing left behind, error names the path */
  CHECK(ls_npy_write("/nonexistent_dir_ls/x.npy", a, 2, shape, &err) == LS_ERR_IO &&
            strstr(err.msg, "/nonexistent_dir_ls/x.npy"),
        "write into a missing directory fails cleanly: %s", err.msg);
  ls_atomic_file af;
  CHECK(ls_atomic_open(&af, tmp("aborted.npy"), &err) == LS_OK, "atomic open");
  fputs("partial", af.fp);
  ls_atomic_abort(&af);
  CHECK(access(tmp("aborted.npy"), F_OK) != 0 && no_temp_files(), "aborted write leaves no file");

  /* streaming writer: rows appended, header rewritten with the final count */
  ls_npy_stream ns;
  CHECK(ls_npy_stream_open(&ns, tmp("traj.npy"), 3, &err) == LS_OK, "stream open");
  for (int i = 0; i < 1000; i++) {
    double row[3] = {i, i * 0.5, -i / 3.0};
    ls_npy_stream_append(&ns, row, &err);
  }
  CHECK(ls_npy_stream_close(&ns, &err) == LS_OK, "stream close: %s", err.msg);
  CHECK(ls_npy_read(tmp("traj.npy"), &b, &nd, sh, &err) == LS_OK && nd == 2 && sh[0] == 1000 &&
            sh[1] == 3 && b[3 * 999 + 2] == -999 / 3.0 && b[3 * 7 + 1] == 3.5,
        "streamed (1000, 3) array reads back: %s", err.msg);
  free(b);
  CHECK(ls_npy_stream_open(&ns, tmp("empty.npy"), 2, &err) == LS_OK &&
            ls_npy_stream_close(&ns, &err) == LS_OK &&
            ls_npy_read(tmp("empty.npy"), &b, &nd, sh, &err) == LS_OK && sh[0] == 0 && sh[1] == 2,
        "empty stream gives shape (0, 2)");
  free(b);
  ls_npy_stream_open(&ns, tmp("gone.npy"), 2, &err);
  ls_npy_stream_abort(&ns);
  CHECK(access(tmp("gone.npy"), F_OK) != 0 && no_temp_files(), "aborted stream leaves nothing");

  /* parameters: .json and .npy round trips are bitwise */
  double th[4] = {0.1, -1.0 / 7.0, 6.02214076e23, -4.9e-324};
  size_t n = 0;
  CHECK(ls_params_write(tmp("p.json"), th, 4, &err) == LS_OK, "params .json write");
  CHECK(ls_params_read(tmp("p.json"), &b, &n, &err) == LS_OK && n == 4 && !memcmp(b, th, sizeof th),
        "params .json round trip bitwise (17 digits)");
  free(b);
  CHECK(ls_params_write(tmp("p.npy"), th, 4, &err) == LS_OK &&
            ls_params_read(tmp("p.npy"), &b, &n, &err) == LS_OK && n == 4 && !memcmp(b, th, sizeof th),
        "params .npy round trip bitwise");
  free(b);
  f = fopen(tmp("flat.json"), "w");
  fputs("[1, 2.5, -3e-2]", f);
  fclose(f);
  CHECK(ls_params_read(tmp("flat.json"), &b, &n, &err) == LS_OK && n == 3 && b[2] == -3e-2,
        "flat JSON array accepted");
  free(b);
  f = fopen(tmp("bad.json"), "w");
  fputs("{\"params\": [1, \"x\"]}", f);
  fclose(f);
  CHECK(ls_params_read(tmp("bad.json"), &b, &n, &err) == LS_ERR_INPUT && strstr(err.msg, "params[1]"),
        "non-number in params rejected naming params[1]: %s", err.msg);
  CHECK(ls_params_read(tmp("p.txt"), &b, &n, &err) == LS_ERR_INPUT, "unknown extension rejected");
  ls_net net;
  int w[3] = {2, 3, 1};
  ls_act sig = {LS_ACT_SIGMOID, 1, 1};
  ls_net_init(&net, 2, w, sig, 0, NULL);
  CHECK(ls_params_read_net(tmp("p.npy"), &net, &b, &err) == LS_ERR_INPUT && strstr(err.msg, "has 9"),
        "length mismatch with the network rejected: %s", err.msg);

  /* CSV */
  CHECK(ls_csv_write(tmp("t.csv"), "x1,x2,y", a, 2, 3, &err) == LS_OK, "csv write");
  size_t r, cc;
  CHECK(ls_csv_read(tmp("t.csv"), &b, &r, &cc, &err) == LS_OK && r == 2 && cc == 3 &&
            !memcmp(a, b, sizeof a),
        "csv round trip bitwise with a header line");
  free(b);
  f = fopen(tmp("nan.csv"), "w");
  fputs("1,2\n3,nan\n", f);
  fclose(f);
  CHECK(ls_csv_read(tmp("nan.csv"), &b, &r, &cc, &err) == LS_ERR_INPUT && strstr(err.msg, "line 2, column 2"),
        "csv NaN rejected at line 2, column 2: %s", err.msg);
  f = fopen(tmp("ragged.csv"), "w");
  fputs("1,2\n3\n", f);
  fclose(f);
  CHECK(ls_csv_read(tmp("ragged.csv"), &b, &r, &cc, &err) == LS_ERR_INPUT && strstr(err.msg, "line 2"),
        "ragged csv rejected: %s", err.msg);

  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) return 1;
  return check_done();
}
