/* IDX (MNIST-format) reader, plain and gzip, as a classification data set through the
 * config; the in-memory parser against crafted bad inputs (LS_ERR_INPUT each); PCA against
 * the invariance it must have (data lying exactly on a 2-D affine plane in 5-D keep all
 * pairwise distances after projection on 2 components) and against a direct
 * eigendecomposition of the covariance; standardisation; parity targets. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "landsym/config.h"
#include "landsym/linalg.h"
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

/* ls_idx_parse on crafted bytes: status and a message fragment. */
static void parse_bad(const char *bytes, size_t len, const char *needle, const char *what) {
  unsigned char *b = (unsigned char *)1;
  int nd;
  size_t dims[4];
  ls_error err = {0};
  ls_status st = ls_idx_parse((const unsigned char *)bytes, len, "mem", &b, &nd, dims, &err);
  CHECK(st == LS_ERR_INPUT && b == NULL && strstr(err.msg, needle), "%s rejected: %s", what, err.msg);
}

/* PCA of correlated Gaussian data against ls_eig_sym of the covariance computed here:
 * explained variances = leading eigenvalues, projections = centred data times the
 * eigenvectors up to sign. */
static void pca_vs_eig(void) {
  enum { N = 60, P = 6, K = 4 };
  ls_error err = {0};
  ls_data d;
  ls_data_alloc(&d, N, P, 1, 0, &err);
  ls_rng r;
  ls_rng_seed(&r, 21);
  double A[P * P], X[N * P], mean[P] = {0}, C[P * P] = {0}, ev[P], V[P * P], var[K];
  for (int i = 0; i < P * P; i++) A[i] = ls_rng_normal(&r);
  for (int s = 0; s < N; s++)
    for (int j = 0; j < P; j++) {
      double z = 0;
      for (int i = 0; i < P; i++) z += ls_rng_normal(&r) * A[i * P + j] * (i + 1); /* distinct scales */
      d.x[s * P + j] = X[s * P + j] = z + j;
    }
  for (int s = 0; s < N; s++)
    for (int j = 0; j < P; j++) mean[j] += X[s * P + j] / N;
  for (int i = 0; i < P; i++)
    for (int j = 0; j < P; j++)
      for (int s = 0; s < N; s++) C[i * P + j] += (X[s * P + i] - mean[i]) * (X[s * P + j] - mean[j]) / N;
  ls_eig_sym(P, C, ev, V, &err);
  CHECK(ls_data_pca_var(&d, K, var, &err) == LS_OK && d.din == K, "pca 6 -> 4 with variances");
  double evar = 0, eproj = 0;
  for (int m = 0; m < K; m++) {
    int c = P - 1 - m;
    evar = fmax(evar, fabs(var[m] - ev[c]) / ev[c]);
    double dp = 0, dm = 0, nrm = 0;
    for (int s = 0; s < N; s++) {
      double z = 0;
      for (int j = 0; j < P; j++) z += (X[s * P + j] - mean[j]) * V[j * P + c];
      dp += pow(d.x[s * K + m] - z, 2), dm += pow(d.x[s * K + m] + z, 2), nrm += z * z;
    }
    eproj = fmax(eproj, sqrt(fmin(dp, dm) / nrm));
  }
  CHECK(evar < 1e-12, "explained variances = covariance eigenvalues (worst rel err %.1e)", evar);
  CHECK(eproj < 1e-12, "projections = centred x times eigenvectors, up to sign (worst rel err %.1e)", eproj);
  CHECK(var[0] >= var[1] && var[1] >= var[2] && var[2] >= var[3], "variances decreasing");
  /* components uncorrelated, each with its variance */
  double off = 0;
  for (int a = 0; a < K; a++)
    for (int b = 0; b < K; b++) {
      double c = 0;
      for (int s = 0; s < N; s++) c += d.x[s * K + a] * d.x[s * K + b] / N;
      off = fmax(off, fabs(c - (a == b ? var[a] : 0)) / var[0]);
    }
  CHECK(off < 1e-12, "projected covariance is diag(variances) (worst %.1e)", off);
  /* standardisation: mean 0, variance 1 per column, and a constant column becomes 0 */
  for (int s = 0; s < N; s++) d.x[s * K + 3] = 2.5;
  CHECK(ls_data_standardize(&d, &err) == LS_OK, "standardize");
  double worst = 0;
  for (int j = 0; j < 3; j++) {
    double m = 0, v = 0;
    for (int s = 0; s < N; s++) m += d.x[s * K + j] / N;
    for (int s = 0; s < N; s++) v += pow(d.x[s * K + j] - m, 2) / N;
    worst = fmax(worst, fmax(fabs(m), fabs(v - 1)));
  }
  for (int s = 0; s < N; s++) worst = fmax(worst, fabs(d.x[s * K + 3]));
  CHECK(worst < 1e-12, "standardized columns mean 0 variance 1, constant column 0 (worst %.1e)", worst);
  ls_data_free(&d);
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

  /* the in-memory parser on crafted bytes */
  parse_bad("\0\0", 2, "truncated IDX header", "2-byte file");
  parse_bad("\0\0\x08\x03\0\0\0\x01\0\0", 10, "3 dimensions need 16", "truncated header");
  parse_bad("\0\0\x08\x01\0\0\0\x03\x01", 9, "header says 3 data bytes, file holds 1", "truncated data");
  parse_bad("\0\x01\x08\x01\0\0\0\x01\x01", 9, "bad magic", "wrong magic");
  parse_bad("\0\0\x0b\x01\0\0\0\x01\x01", 9, "type 0x0b", "short-int dtype");
  parse_bad("\0\0\x08\x00", 4, "0 dimensions", "0 dimensions");
  parse_bad("\0\0\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\0\0\0\x10", 16, "overflow", "dims overflow");
  parse_bad("\0\0\x08\x01\0\0\0\x01\x01\x02", 10, "1 trailing bytes", "trailing byte");
  {
    unsigned char *b = NULL;
    int nd = 0;
    size_t dims[4];
    CHECK(ls_idx_parse((const unsigned char *)"\0\0\x08\x02\0\0\0\x02\0\0\0\x01\x07\x09", 14, "mem",
                       &b, &nd, dims, &err) == LS_OK && nd == 2 && dims[0] == 2 && dims[1] == 1 && b[0] == 7 &&
              b[1] == 9, "2 x 1 array parses: %s", err.msg);
    free(b);
  }
  /* gzip damaged: flip a byte in the middle of the deflate stream */
  {
    char g[128];
    snprintf(g, sizeof g, "%s/img.gz", dir);
    FILE *gf = fopen(g, "r+b");
    fseek(gf, 0, SEEK_END);
    long sz = ftell(gf);
    fseek(gf, sz / 2, SEEK_SET);
    int c = fgetc(gf);
    fseek(gf, sz / 2, SEEK_SET);
    fputc(c ^ 0x5a, gf);
    fclose(gf);
    unsigned char *b = NULL;
    int nd;
    size_t dims[4];
    ls_status st = ls_idx_read(g, &b, &nd, dims, &err);
    CHECK(st == LS_ERR_INPUT && strstr(err.msg, "gzip"), "damaged gzip stream rejected: %s", err.msg);
    free(b);
    write_idx(20, 4, 3);
  }
  /* parity targets: labels k mod 3 -> +1 odd, -1 even */
  {
    char im[128], lb[128];
    snprintf(im, sizeof im, "%s/img.gz", dir), snprintf(lb, sizeof lb, "%s/lab", dir);
    ls_data d;
    CHECK(ls_data_load_idx_labels(&d, im, lb, 0, 1, LS_IDX_PARITY, &err) == LS_OK, "parity load: %s", err.msg);
    int ok = d.n == 20 && d.dout == 1;
    for (size_t k = 0; ok && k < d.n; k++) ok = d.y[k] == ((k % 3) % 2 ? 1.0 : -1.0);
    CHECK(ok, "parity targets +1 for odd labels, -1 for even");
    ls_data_free(&d);
  }
  pca_vs_eig();

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
