/* Standalone driver for LLVMFuzzerTestOneInput when not building with libFuzzer:
 *   fuzz_driver SECONDS [CORPUS_FILE...]
 * replays each corpus file, then built-in seeds (valid IDX arrays of 1 to 4 dimensions),
 * then random mutations of the seeds (bit flips, byte sets, truncation, extension,
 * header-field rewrites) until SECONDS have passed. A crash or abort is the failure;
 * otherwise prints the number of inputs run and exits 0. Deterministic per seed 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

static uint64_t rs = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) { /* xorshift64* */
  rs ^= rs >> 12, rs ^= rs << 25, rs ^= rs >> 27;
  return rs * 0x2545f4914f6cdd1dU;
}

#define MAXLEN 4096

/* A valid IDX array with nd dimensions of small random sizes. */
static size_t make_seed(uint8_t *b, int nd) {
  size_t total = 1, len = 4 + 4 * (size_t)nd;
  b[0] = b[1] = 0, b[2] = 8, b[3] = (uint8_t)nd;
  for (int i = 0; i < nd; i++) {
    unsigned d = 1 + (unsigned)(rnd() % 6);
    b[4 + 4 * i] = 0, b[5 + 4 * i] = 0, b[6 + 4 * i] = 0, b[7 + 4 * i] = (uint8_t)d;
    total *= d;
  }
  for (size_t i = 0; i < total && len < MAXLEN; i++) b[len++] = (uint8_t)rnd();
  return len;
}

static size_t mutate(uint8_t *b, size_t len) {
  int times = 1 + (int)(rnd() % 4);
  for (int t = 0; t < times; t++) {
    switch (rnd() % 6) {
    case 0: if (len) b[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
    case 1: if (len) b[rnd() % len] = (uint8_t)rnd(); break;
    case 2: len = len ? rnd() % len : 0; break; /* truncate */
    case 3: { size_t add = rnd() % 16; while (add-- && len < MAXLEN) b[len++] = (uint8_t)rnd(); } break;
    case 4: if (len > 4) b[rnd() % 4] = (uint8_t)(rnd() % 2 ? rnd() : rnd() % 6); break; /* magic/type/ndim */
    case 5: if (len >= 8) { size_t at = 4 + 4 * (rnd() % ((len - 4) / 4 < 4 ? (len - 4) / 4 : 4));
                            uint32_t v = rnd() % 2 ? (uint32_t)rnd() : (uint32_t)(rnd() % 64);
                            if (at + 4 <= len) b[at] = v >> 24, b[at + 1] = v >> 16, b[at + 2] = v >> 8, b[at + 3] = v; }
            break; /* rewrite a dimension */
    }
  }
  return len;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help")) {
    fprintf(stderr, "usage: %s SECONDS [CORPUS_FILE...]\n", argv[0]);
    return argc < 2 ? 2 : 0;
  }
  double secs = atof(argv[1]);
  static uint8_t buf[MAXLEN];
  long runs = 0;
  for (int i = 2; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) { fprintf(stderr, "fuzz_driver: %s: cannot open\n", argv[i]); return 2; }
    size_t n = fread(buf, 1, MAXLEN, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n), runs++;
  }
  for (size_t n = 0; n <= 24; n++) { /* every short prefix of a 3-D seed, and empties */
    uint8_t s[MAXLEN];
    size_t len = make_seed(s, 3);
    LLVMFuzzerTestOneInput(s, n < len ? n : len), runs++;
  }
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    for (int k = 0; k < 1000; k++) {
      size_t len = make_seed(buf, 1 + (int)(rnd() % 4));
      len = mutate(buf, len);
      LLVMFuzzerTestOneInput(buf, len), runs++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec) >= secs) break;
  }
  printf("fuzz_driver: %ld inputs, no failure\n", runs);
  return 0;
}
