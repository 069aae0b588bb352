/* Bounded fuzzing of the file parsers: .npy (ls_npy_read), CSV (ls_csv_read), the
 * experiment config (ls_config_load, data built), the sweep manifest (ls_sweep_manifest_read,
 * and ls_sweep_prepare with --resume) and run records (ls_sweep_run_read).
 *   fuzz_files PARSER ITERATIONS [SEED]
 * Each input is a mutation of valid seed files (byte flips and sets, truncation,
 * extension, splices, and token rewrites: numbers replaced by edge values, keys dropped),
 * written to a scratch file and parsed. Every input must be accepted or refused with a
 * status from the documented set and a message; a crash, sanitizer report or abort is
 * the failure. Deterministic for a given SEED (default 1). Prints the inputs tried. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landsym/config.h"
#include "landsym/io.h"
#include "landsym/sweep.h"

static uint64_t rs;
static uint64_t rnd(void) { /* xorshift64* */
  rs ^= rs >> 12, rs ^= rs << 25, rs ^= rs >> 27;
  return rs * 0x2545f4914f6cdd1dU;
}

#define MAXLEN 8192
static char dir[200];
static long n_accepted;

static void put_le(unsigned char *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* A valid .npy: version 1 or 2, <f8 or <i4, 1-D or 2-D, small shape. */
static size_t seed_npy(unsigned char *b) {
  int v2 = rnd() % 4 == 0, i4 = rnd() % 4 == 0, nd = 1 + (int)(rnd() % 2);
  size_t r = 1 + rnd() % 5, c = 1 + rnd() % 4, count = nd == 1 ? r : r * c;
  char dict[128];
  int dl = nd == 1 ? snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                              i4 ? "<i4" : "<f8", r)
                   : snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                              i4 ? "<i4" : "<f8", r, c);
  size_t pre = v2 ? 12 : 10, hlen = ((pre + (size_t)dl + 1 + 63) / 64) * 64 - pre;
  memcpy(b, "\x93NUMPY", 6);
  b[6] = v2 ? 2 : 1, b[7] = 0;
  put_le(b + 8, hlen, v2 ? 4 : 2);
  memset(b + pre, ' ', hlen);
  memcpy(b + pre, dict, (size_t)dl);
  b[pre + hlen - 1] = '\n';
  size_t len = pre + hlen;
  for (size_t i = 0; i < count; i++) {
    if (i4) put_le(b + len, (uint64_t)(rnd() % 200) - 100, 4), len += 4;
    else {
      double d = ((double)(rnd() % 2000) - 1000) / 37.0;
      memcpy(b + len, &d, 8), len += 8;
    }
  }
  return len;
}

static size_t seed_text(unsigned char *b, const char *t) {
  size_t n = strlen(t);
  memcpy(b, t, n);
  return n;
}

static const char *csv_seeds[] = {
    "x1,x2,y\n1,2,0.5\n3,4,0.25\n-1,0.5,1\n",
    "\xEF\xBB\xBF" "1,2,0.5\n3,4,0.25\n",
    "# comment\n0.1, 0.2, 0.3\n\n1e-3,2E+2,-0\n",
    "1,2\r\n3,4\r\n"};

/* A grid config small enough to build in microseconds. */
static const char *config_seed =
    "{\"data\": {\"kind\": \"grid\", \"n\": 3, \"lo\": -2, \"hi\": 2},\n"
    " \"teacher\": {\"widths\": [2, 2, 1], \"activation\": \"sigmoid\", \"bias\": false,\n"
    "             \"params\": [0.6, 0.5, -0.5, 0.5, 1, -1]},\n"
    " \"student\": {\"widths\": [2, 3, 1], \"activation\": \"tanh\", \"bias\": true, \"loss\": \"mse\"},\n"
    " \"train\": {\"lr\": 0.1}, \"sweep\": {\"seeds\": 2}}\n";

static const char *record_seed =
    "{\"width\": 3, \"seed\": 2, \"loss\": 1.25e-3, \"grad_inf\": 4e-7, \"stop\": \"grad_tol\", "
    "\"converged\": true, \"iterations\": 120, \"time_s\": 0.01, \"params\": \"w3_s2.npy\", "
    "\"reason\": null}\n";

/* The manifest ls_sweep_prepare wrote for opts_for_manifest(); read back as the seed. */
static unsigned char manifest_seed[MAXLEN];
static size_t manifest_len;
static json_t *manifest_config;

static const char *edge_tokens[] = {"0", "-1", "1e308", "-1e308", "1e-320", "1e9", "2.5", "3",
                                    "null", "[]", "{}", "\"\"", "\"x\"", "true", "[1e308]", "-0",
                                    "9223372036854775807", "18446744073709551616", "\"nan\"", "NaN"};

static size_t mutate(unsigned char *b, size_t len, int text) {
  int times = 1 + (int)(rnd() % 4);
  for (int t = 0; t < times; t++) {
    switch (rnd() % (text ? 8 : 6)) {
      case 0: if (len) b[rnd() % len] ^= (unsigned char)(1u << (rnd() % 8)); break;
      case 1: if (len) b[rnd() % len] = (unsigned char)rnd(); break;
      case 2: len = len ? rnd() % (len + 1) : 0; break; /* truncate */
      case 3: { size_t add = rnd() % 24; while (add-- && len < MAXLEN) b[len++] = (unsigned char)rnd(); } break;
      case 4: /* duplicate a slice (repeated rows, keys, data) */
        if (len > 2) {
          size_t a = rnd() % len, n = 1 + rnd() % (len - a);
          if (len + n < MAXLEN) memmove(b + a + n, b + a, len - a), len += n;
        }
        break;
      case 5: /* header fields of binary formats, or any byte to a structural one */
        if (len > 12) b[6 + rnd() % 6] = (unsigned char)(rnd() % 2 ? rnd() : rnd() % 4);
        break;
      case 6: case 7: { /* text: replace the token at a random place by an edge value */
        if (!len) break;
        size_t a = rnd() % len, e = a;
        while (e < len && b[e] != ',' && b[e] != '}' && b[e] != ']' && b[e] != '\n') e++;
        const char *tok = edge_tokens[rnd() % (sizeof edge_tokens / sizeof *edge_tokens)];
        size_t tl = strlen(tok);
        if (len - (e - a) + tl >= MAXLEN) break;
        memmove(b + a + tl, b + e, len - e);
        memcpy(b + a, tok, tl);
        len = len - (e - a) + tl;
      } break;
    }
  }
  return len;
}

static void write_file(const char *path, const unsigned char *b, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(b, 1, len, f) != len) abort();
  fclose(f);
}

/* A refusal must carry one of the documented statuses and a message. */
static void check_status(ls_status st, const ls_error *e, const char *what) {
  if (st == LS_OK) {
    n_accepted++;
    return;
  }
  if ((st != LS_ERR_INPUT && st != LS_ERR_NOMEM && st != LS_ERR_IO && st != LS_ERR_COMPUTE) ||
      !e->msg[0]) {
    fprintf(stderr, "fuzz_files %s: status %d with message '%s'\n", what, (int)st, e->msg);
    abort();
  }
}

static void opts_for_manifest(ls_sweep_opts *o, const char *sdir) {
  ls_sweep_opts_init(o);
  o->dir = sdir;
  o->config = manifest_config;
  o->version = "fuzz";
  o->n_seeds = 2, o->n_widths = 2, o->widths[0] = 3, o->widths[1] = 2;
  o->resume = 1;
}

static void run_one(const char *parser, const unsigned char *b, size_t len) {
  char path[512];
  ls_error e = {0};
  ls_status st;
  if (!strcmp(parser, "npy")) {
    snprintf(path, sizeof path, "%s/in.npy", dir);
    write_file(path, b, len);
    double *d = NULL;
    int nd = 0;
    size_t shape[2];
    st = ls_npy_read(path, &d, &nd, shape, &e);
    if (st == LS_OK && (nd < 1 || nd > 2 || (nd == 1 && shape[1] != 1))) abort();
    check_status(st, &e, parser);
    free(d);
  } else if (!strcmp(parser, "csv")) {
    snprintf(path, sizeof path, "%s/in.csv", dir);
    write_file(path, b, len);
    double *d = NULL;
    size_t r = 0, c = 0;
    st = ls_csv_read(path, &d, &r, &c, &e);
    if (st == LS_OK && (r < 1 || c < 1)) abort();
    check_status(st, &e, parser);
    free(d);
  } else if (!strcmp(parser, "config")) {
    snprintf(path, sizeof path, "%s/in.json", dir);
    write_file(path, b, len);
    ls_config cfg;
    st = ls_config_load(path, &cfg, &e);
    check_status(st, &e, parser);
    if (st == LS_OK) ls_config_free(&cfg);
  } else if (!strcmp(parser, "record")) {
    snprintf(path, sizeof path, "%s/w3_s2.json", dir);
    write_file(path, b, len);
    ls_seed_result r;
    st = ls_sweep_run_read(path, &r, &e);
    check_status(st, &e, parser);
  } else { /* manifest */
    char sdir[300];
    snprintf(sdir, sizeof sdir, "%s/sweep", dir);
    snprintf(path, sizeof path, "%s/sweep.json", sdir);
    write_file(path, b, len);
    ls_sweep_manifest m; /* the reader classify uses */
    st = ls_sweep_manifest_read(sdir, &m, &e);
    check_status(st, &e, parser);
    if (st == LS_OK) ls_sweep_manifest_free(&m);
    ls_sweep_opts o;
    opts_for_manifest(&o, sdir);
    st = ls_sweep_prepare(&o, &e);
    check_status(st, &e, parser);
  }
}

static size_t make_seed(const char *parser, unsigned char *b) {
  if (!strcmp(parser, "npy")) return seed_npy(b);
  if (!strcmp(parser, "csv")) return seed_text(b, csv_seeds[rnd() % 4]);
  if (!strcmp(parser, "config")) return seed_text(b, config_seed);
  if (!strcmp(parser, "record")) return seed_text(b, record_seed);
  memcpy(b, manifest_seed, manifest_len);
  return manifest_len;
}

int main(int argc, char **argv) {
  const char *parsers = "npy csv config manifest record";
  if (argc < 3 || !strstr(parsers, argv[1])) {
    fprintf(stderr, "usage: %s npy|csv|config|manifest|record ITERATIONS [SEED]\n", argv[0]);
    return 2;
  }
  const char *parser = argv[1];
  long iters = atol(argv[2]);
  rs = 0x9e3779b97f4a7c15u ^ (uint64_t)(argc > 3 ? atol(argv[3]) : 1);
  /* scratch files in memory when the system has /dev/shm (thousands of writes) */
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                     : getenv("TMPDIR")           ? getenv("TMPDIR")
                                                  : "/tmp";
  snprintf(dir, sizeof dir, "%s/landsym_fuzz.XXXXXX", base);
  if (!mkdtemp(dir)) return 2;
  ls_error e = {0};
  if (!strcmp(parser, "manifest")) { /* a real manifest to mutate */
    manifest_config = json_loads(config_seed, 0, NULL);
    char sdir[300], path[600];
    snprintf(sdir, sizeof sdir, "%s/sweep", dir);
    ls_sweep_opts o;
    opts_for_manifest(&o, sdir);
    o.resume = 0;
    if (ls_sweep_prepare(&o, &e)) {
      fprintf(stderr, "fuzz_files: seed manifest: %s\n", e.msg);
      return 1;
    }
    snprintf(path, sizeof path, "%s/sweep.json", sdir);
    FILE *f = fopen(path, "rb");
    manifest_len = f ? fread(manifest_seed, 1, MAXLEN, f) : 0;
    if (f) fclose(f);
  }
  static unsigned char buf[MAXLEN];
  for (long i = 0; i < iters; i++) {
    size_t len = make_seed(parser, buf);
    if (i % 10) len = mutate(buf, len, strcmp(parser, "npy") != 0); /* 1 in 10 unmutated */
    run_one(parser, buf, len);
  }
  json_decref(manifest_config);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) fprintf(stderr, "fuzz_files: could not remove %s\n", dir);
  printf("PASS: fuzz %s: %ld inputs (%ld accepted, %ld refused), no crash, every refusal "
         "with a status and a message\n", parser, iters, n_accepted, iters - n_accepted);
  return 0;
}
