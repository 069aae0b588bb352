/* IDX (MNIST-format) reader, plain and gzip, as a classification data set through the
 * config; PCA against the invariance it must have: data lying exactly on a 2-D affine
 * plane in 5-D keep all pairwise distances after projection on 2 components. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/rng.h"

static char dir[64];

static void put_be32(unsigned char *b, unsigned v) {
  b[0] = v >> 24, b[1] = v >> 16, b[2] = v >> 8, b[3] = v;
}

/* n images of r x c pixels (pixel = (7 k + 3 j) mod 256) gzip-compressed, labels k mod 3 plain */
static void write_idx(int n, int r, int c) {
  char p[128];
  snprintf(p, sizeof p, "%s/img.gz", dir);
  gzFile g = gzopen(p, "wb");
  unsigned char h[16] = {0, 0, 8, 3};
  put_be32(h + 4, n), put_be32(h + 8, r), put_be32(h + 12, c);
  gzwrite(g, h, 16);
  for (int k = 0; k < n; k++)
    for (int j = 0; j < r * c; j++) {
      unsigned char v = (unsigned char)((7 * k + 3 * j) % 256);
      gzwrite(g, &v, 1);
    }
  gzclose(g);
  snprintf(p, sizeof p, "%s/lab", dir);
  FILE *f = fopen(p, "wb");
  unsigned char hl[8] = {0, 0, 8, 1};
  put_be32(hl + 4, n);
  fwrite(hl, 1, 8, f);
  for (int k = 0; k < n; k++) fputc(k % 3, f);
  fclose(f);
}

static ls_status load(const char *json, ls_config *cfg, ls_error *err) {
  json_t *root = json_loads(json, 0, NULL);
  ls_status st = ls_config_load_json(root, "idx.json", dir, cfg, err);
  json_decref(root);
  return st;
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/landsym_idx_XXXXXX");
  if (!mkdtemp(dir)) return 1;
  write_idx(20, 4, 3);
  ls_error err = {0};
  ls_config cfg;
  CHECK(load("{\"data\": {\"kind\": \"idx\", \"images\": \"img.gz\", \"labels\": \"lab\", \"limit\": 15},"
             " \"student\": {\"widths\": [12, 5, 3], \"loss\": \"nll\"}}", &cfg, &err) == LS_OK,
        "idx config (gzip images, plain labels) loads: %s", err.msg);
  int good = cfg.data.n == 15 && cfg.data.din == 12;
  for (size_t k = 0; good && k < cfg.data.n; k++) {
    for (int j = 0; j < 12; j++)
      if (cfg.data.x[k * 12 + j] != ((7 * k + 3 * j) % 256) / 255.0) good = 0;
    for (int o = 0; o < 3; o++)
      if (cfg.data.y[k * 3 + o] != (o == (int)(k % 3))) good = 0;
  }
  CHECK(good, "15 of 20 samples (limit), pixels/255 row-major, one-hot labels");
  ls_config_free(&cfg);
  CHECK(load("{\"data\": {\"kind\": \"idx\", \"images\": \"img.gz\", \"labels\": \"lab\"},"
             " \"student\": {\"widths\": [12, 5, 2], \"loss\": \"nll\"}}", &cfg, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "idx.json: data: ") && strstr(err.msg, "label 2 of sample 2, but only 2 classes"),
        "label beyond the output width rejected: %s", err.msg);
  CHECK(load("{\"data\": {\"kind\": \"idx\", \"images\": \"img.gz\", \"labels\": \"lab\"},"
             " \"student\": {\"widths\": [10, 5, 3], \"loss\": \"nll\"}}", &cfg, &err) == LS_ERR_INPUT &&
            strstr(err.msg, "12 inputs (pixels), student.widths[0] is 10"),
        "pixel count vs input width: %s", err.msg);
  CHECK(load("{\"data\": {\"kind\": \"idx\", \"images\": \"img.gz\", \"labels\": \"lab\", \"pca\": 4},"
             " \"student\": {\"widths\": [4, 5, 3], \"loss\": \"nll\"}}", &cfg, &err) == LS_OK &&
            cfg.data.din == 4 && cfg.data.n == 20,
        "pca 4 gives 4 inputs: %s", err.msg);
  ls_config_free(&cfg);
  /* malformed files */
  char p[128];
  unsigned char *b;
  int nd;
  size_t dims[4];
  snprintf(p, sizeof p, "%s/bad", dir);
  FILE *f = fopen(p, "wb");
  fwrite("\x00\x00\x0d\x01\x00\x00\x00\x02", 1, 8, f);
  fclose(f);
  CHECK(ls_idx_read(p, &b, &nd, dims, &err) == LS_ERR_INPUT && strstr(err.msg, "0x0d"),
        "float IDX type rejected: %s", err.msg);
  f = fopen(p, "wb");
  fwrite("\x01\x00\x08\x01\x00\x00\x00\x02", 1, 8, f);
  fclose(f);
  CHECK(ls_idx_read(p, &b, &nd, dims, &err) == LS_ERR_INPUT && strstr(err.msg, "magic"), "bad magic rejected");
  f = fopen(p, "wb");
  fwrite("\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", 1, 10, f);
  fclose(f);
  CHECK(ls_idx_read(p, &b, &nd, dims, &err) == LS_ERR_INPUT && strstr(err.msg, "truncated"),
        "truncated data rejected: %s", err.msg);

  /* PCA: points a + u s + v t on a plane in 5-D; projections keep every distance */
  ls_data d;
  size_t n = 40;
  ls_data_alloc(&d, n, 5, 1, 0, &err);
  ls_rng r;
  ls_rng_seed(&r, 8);
  double a[5] = {1, -2, 0.5, 3, 0}, u[5] = {1, 2, 0, -1, 0.5}, v[5] = {0, 1, 1, 1, -2};
  for (size_t s = 0; s < n; s++) {
    double ss = 3 * ls_rng_normal(&r), tt = ls_rng_normal(&r);
    for (int j = 0; j < 5; j++) d.x[s * 5 + j] = a[j] + u[j] * ss + v[j] * tt;
  }
  double *orig = malloc(n * 5 * sizeof *orig);
  memcpy(orig, d.x, n * 5 * sizeof *orig);
  CHECK(ls_data_pca(&d, 2, &err) == LS_OK && d.din == 2, "pca to 2 components");
  double worst = 0, var0 = 0, var1 = 0;
  for (size_t i = 0; i < n; i++) {
    var0 += d.x[2 * i] * d.x[2 * i], var1 += d.x[2 * i + 1] * d.x[2 * i + 1];
    for (size_t j = 0; j < i; j++) {
      double d5 = 0, d2 = 0;
      for (int c = 0; c < 5; c++) d5 += pow(orig[i * 5 + c] - orig[j * 5 + c], 2);
      for (int c = 0; c < 2; c++) d2 += pow(d.x[i * 2 + c] - d.x[j * 2 + c], 2);
      worst = fmax(worst, fabs(sqrt(d5) - sqrt(d2)) / sqrt(d5));
    }
  }
  CHECK(worst < 1e-12, "planar data: pairwise distances kept (worst rel err %.1e)", worst);
  CHECK(var0 > var1, "first component carries the larger variance (%.3f > %.3f)", var0 / n, var1 / n);
  ls_data_free(&d);
  free(orig);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) return 1;
  return check_done();
}
