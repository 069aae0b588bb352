/* safetensors files: bitwise round trips of tensors and of parameter vectors in the
 * nn.Sequential layout, the layout itself (names, shapes, order), and every malformed file
 * rejected with LS_ERR_INPUT and a message naming the file and the problem. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/io.h"
#include "landsym/safetensors_net.h"

static char dir[64];

static const char *tmp(const char *name) {
  static char buf[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

/* A raw file: 8-byte length (hl, or strlen(header) when hl = 0), header, payload. */
static void write_raw(const char *path, uint64_t hl, const char *header, const void *data,
                      size_t nbytes) {
  FILE *f = fopen(path, "wb");
  if (!hl) hl = strlen(header);
  for (int i = 0; i < 8; i++) fputc((int)((hl >> (8 * i)) & 0xff), f);
  fwrite(header, 1, strlen(header), f);
  if (nbytes) fwrite(data, 1, nbytes, f);
  fclose(f);
}

static int rejects(const char *path, const char *needle) {
  ls_st_file f;
  ls_error err = {0};
  ls_status st = ls_safetensors_read(path, &f, &err);
  int ok = st == LS_ERR_INPUT && strstr(err.msg, needle) && strstr(err.msg, path) && f.n == 0;
  if (!ok) printf("  got status %d, message '%s'\n", st, err.msg);
  return ok;
}

static int bits_equal(const double *a, const double *b, size_t n) {
  return memcmp(a, b, n * sizeof *a) == 0;
}

static void test_tensor_round_trip(void) {
  double a[6] = {0.1, -0.0, 4.9e-324, 1.7976931348623157e308, -2.5e-310, 1.0 / 3};
  double s = 42.0;
  ls_st_tensor t[2] = {{.name = "a", .ndim = 2, .shape = {2, 3}, .numel = 6, .data = a},
                       {.name = "scalar", .ndim = 0, .numel = 1, .data = &s}};
  const char *meta[] = {"format", "pt"};
  ls_error err = {0};
  ls_status st = ls_safetensors_write(tmp("t.safetensors"), t, 2, meta, 1, &err);
  CHECK(st == LS_OK, "write two tensors (%s)", err.msg);
  ls_st_file f;
  st = ls_safetensors_read(tmp("t.safetensors"), &f, &err);
  CHECK(st == LS_OK && f.n == 2, "read them back (%s)", err.msg);
  const ls_st_tensor *x = st ? NULL : ls_safetensors_find(&f, "a");
  CHECK(x && x->ndim == 2 && x->shape[0] == 2 && x->shape[1] == 3 && bits_equal(x->data, a, 6),
        "2x3 tensor bitwise equal, subnormals and -0 included");
  x = st ? NULL : ls_safetensors_find(&f, "scalar");
  CHECK(x && x->ndim == 0 && x->numel == 1 && x->data[0] == 42.0, "0-d tensor");
  ls_safetensors_free(&f);
  /* the header length is a multiple of 8 and the header starts with '{' */
  FILE *fp = fopen(tmp("t.safetensors"), "rb");
  unsigned char b[9] = {0};
  size_t got = fread(b, 1, 9, fp);
  fclose(fp);
  uint64_t hl = 0;
  for (int i = 7; i >= 0; i--) hl = (hl << 8) | b[i];
  CHECK(got == 9 && hl % 8 == 0 && b[8] == '{', "header length %llu padded to 8, JSON object",
        (unsigned long long)hl);
}

static void fill(double *v, size_t n, double scale) {
  for (size_t i = 0; i < n; i++) v[i] = scale * ((double)((i * 7919) % 113) - 56.0) / 17.0 + 1e-17 * i;
}

static void test_params_layout(void) {
  ls_net net;
  int w[4] = {2, 5, 3, 1};
  ls_error err = {0};
  ls_net_init(&net, 3, w, (ls_act){LS_ACT_SIGMOID, 0, 0}, 1, &err);
  net.bias[2] = 0; /* a layer without bias in the middle */
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th), *back = NULL;
  fill(th, P, 1.3);
  ls_status st = ls_safetensors_params_write(tmp("net.safetensors"), &net, th, &err);
  CHECK(st == LS_OK, "write a 2-5-3-1 net (%s)", err.msg);
  ls_st_file f;
  st = ls_safetensors_read(tmp("net.safetensors"), &f, &err);
  const ls_st_tensor *w0 = ls_safetensors_find(&f, "0.weight"), *b0 = ls_safetensors_find(&f, "0.bias"),
                     *w2 = ls_safetensors_find(&f, "2.weight"), *w4 = ls_safetensors_find(&f, "4.weight");
  CHECK(!st && f.n == 5 && w0 && b0 && w2 && w4 && !ls_safetensors_find(&f, "2.bias") &&
            ls_safetensors_find(&f, "4.bias"),
        "state_dict names 0.weight 0.bias 2.weight 4.weight 4.bias");
  CHECK(w0 && w0->shape[0] == 5 && w0->shape[1] == 2 && w2 && w2->shape[0] == 3 &&
            w2->shape[1] == 5 && b0 && b0->ndim == 1 && b0->shape[0] == 5,
        "weights out x in, biases 1-D");
  CHECK(w2 && bits_equal(w2->data, th + ls_net_w_offset(&net, 2), 15), "2.weight is W_2 row-major");
  ls_safetensors_free(&f);
  st = ls_params_read_net(tmp("net.safetensors"), &net, &back, &err);
  CHECK(st == LS_OK && bits_equal(back, th, P), "ls_params_read_net round trip bitwise (%s)", err.msg);
  free(back);
  size_t n = 0;
  st = ls_params_read(tmp("net.safetensors"), &back, &n, &err);
  CHECK(st == LS_OK && n == P && bits_equal(back, th, P), "read without the net: layout order");
  free(back);
  /* the flat form written by ls_params_write */
  st = ls_params_write(tmp("flat.safetensors"), th, P, &err);
  back = NULL;
  if (!st) st = ls_params_read_net(tmp("flat.safetensors"), &net, &back, &err);
  CHECK(st == LS_OK && back && bits_equal(back, th, P), "flat 'params' tensor round trip (%s)", err.msg);
  free(back);
  /* wrong network: the message names the tensor */
  net.bias[2] = 1;
  back = NULL;
  st = ls_params_read_net(tmp("net.safetensors"), &net, &back, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "'2.bias' missing") && !back, "missing tensor: %s", err.msg);
  net.bias[2] = 0;
  net.bias[3] = 0;
  st = ls_params_read_net(tmp("net.safetensors"), &net, &back, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "'4.bias' is not a parameter"), "extra tensor: %s", err.msg);
  net.bias[3] = 1;
  net.width[2] = 4;
  st = ls_params_read_net(tmp("net.safetensors"), &net, &back, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "'2.weight': expected shape [4, 5]") , "wrong shape: %s", err.msg);
  free(th);
}

static void test_glu_layout(void) {
  ls_net net;
  int w[3] = {2, 4, 1};
  ls_error err = {0};
  ls_net_init(&net, 2, w, (ls_act){LS_ACT_SOFTPLUS, 0, 0}, 1, &err);
  net.glu[1] = 2;
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th), *back = NULL;
  fill(th, P, 0.7);
  ls_status st = ls_safetensors_params_write(tmp("glu.safetensors"), &net, th, &err);
  if (!st) st = ls_params_read_net(tmp("glu.safetensors"), &net, &back, &err);
  CHECK(st == LS_OK && bits_equal(back, th, P), "GLU net round trip (%s)", err.msg);
  free(back);
  size_t n;
  st = ls_params_read(tmp("glu.safetensors"), &back, &n, &err);
  CHECK(st == LS_OK && n == P && bits_equal(back, th, P), "GLU net read without the net");
  free(back);
  free(th);
}

static void test_f32(void) {
  float v[2] = {0.5f, -1.25f};
  write_raw(tmp("f32.safetensors"), 0, "{\"params\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            v, 8);
  double *th = NULL;
  size_t n = 0;
  ls_error err = {0};
  ls_status st = ls_params_read(tmp("f32.safetensors"), &th, &n, &err);
  CHECK(st == LS_OK && n == 2 && th[0] == 0.5 && th[1] == -1.25, "F32 read exactly (%s)", err.msg);
  free(th);
}

static void test_bad_files(void) {
  double d[2] = {1, 2}, nan = NAN;
  const char *ok = "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
  write_raw(tmp("b0"), 0, "", NULL, 0);
  FILE *f = fopen(tmp("b0"), "wb");
  fwrite("\x10\0\0", 1, 3, f);
  fclose(f);
  CHECK(rejects(tmp("b0"), "no 8-byte header length"), "file shorter than 8 bytes");
  write_raw(tmp("b1"), 4000, ok, d, 16);
  CHECK(rejects(tmp("b1"), "header shorter than its declared length"), "header length past the end");
  write_raw(tmp("b2"), (uint64_t)1 << 40, ok, d, 16);
  CHECK(rejects(tmp("b2"), "out of range"), "absurd header length");
  write_raw(tmp("b3"), 0, ok, d, 8);
  CHECK(rejects(tmp("b3"), "data shorter than the header declares"), "truncated data");
  write_raw(tmp("b4"), 0, "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]", d, 16);
  CHECK(rejects(tmp("b4"), "header JSON"), "malformed JSON");
  write_raw(tmp("b5"), 0, "{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", d, 16);
  CHECK(rejects(tmp("b5"), "dtype I64 not supported"), "unsupported dtype");
  write_raw(tmp("b6"), 0, "{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}}", d, 16);
  CHECK(rejects(tmp("b6"), "do not hold 3 elements"), "offsets disagree with the shape");
  write_raw(tmp("b7"), 0, "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", d, 16);
  CHECK(rejects(tmp("b7"), "data starts at byte 8, expected 0"), "gap before the data");
  write_raw(tmp("b8"), 0, ok, d, 16);
  f = fopen(tmp("b8"), "ab");
  fputc('x', f);
  fclose(f);
  CHECK(rejects(tmp("b8"), "bytes after the last tensor"), "trailing bytes");
  double dn[2] = {1, nan};
  write_raw(tmp("b9"), 0, ok, dn, 16);
  CHECK(rejects(tmp("b9"), "element 1 is nan"), "NaN in the data");
  write_raw(tmp("b10"), 0, "[1,2]", d, 0);
  CHECK(rejects(tmp("b10"), "does not start with '{'"), "header not an object");
  write_raw(tmp("b11"), 0, "{\"a\":{\"dtype\":\"F64\",\"shape\":[-2],\"data_offsets\":[0,16]}}", d, 16);
  CHECK(rejects(tmp("b11"), "shape entry must be a non-negative integer"), "negative shape");
  write_raw(tmp("b12"), 0, "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", d, 16);
  CHECK(rejects(tmp("b12"), "expected 8"), "overlapping tensors");
  CHECK(rejects(dir, "directory") || rejects(dir, dir), "a directory");
  double *th = NULL;
  size_t n;
  ls_error err = {0};
  write_raw(tmp("b13.safetensors"), 0, "{\"layer\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", d, 16);
  ls_status st = ls_params_read(tmp("b13.safetensors"), &th, &n, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "'layer' is neither"), "unknown tensor name: %s", err.msg);
  double inf = INFINITY;
  ls_st_tensor t = {.name = "x", .ndim = 1, .shape = {1}, .numel = 1, .data = &inf};
  st = ls_safetensors_write(tmp("w.safetensors"), &t, 1, NULL, 0, &err);
  CHECK(st == LS_ERR_INPUT && strstr(err.msg, "not finite") && access(tmp("w.safetensors"), F_OK) != 0,
        "writing inf refused, no file left");
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/landsym_st_XXXXXX");
  if (!mkdtemp(dir)) return 1;
  test_tensor_round_trip();
  test_params_layout();
  test_glu_layout();
  test_f32();
  test_bad_files();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) printf("note: could not remove %s\n", dir);
  return check_done();
}
