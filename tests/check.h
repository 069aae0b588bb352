/* Minimal test harness: every check prints one PASS/FAIL line; check_done() prints
 * "N passed, N failed" and returns the exit code (non-zero when anything failed or when
 * no check ran). */
#ifndef LANDSYM_TESTS_CHECK_H
#define LANDSYM_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_pass_count, check_fail_count;

#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (cond) {                                                 \
      check_pass_count++;                                       \
      printf("PASS: ");                                         \
    } else {                                                    \
      check_fail_count++;                                       \
      printf("FAIL: %s:%d: ", __FILE__, __LINE__);              \
    }                                                           \
    printf(__VA_ARGS__);                                        \
    printf("\n");                                               \
  } while (0)

/* Relative difference |a-b| / max(|a|,|b|,floor). */
static inline double check_rel(double a, double b, double floor) {
  double s = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  if (s < floor) s = floor;
  return fabs(a - b) / s;
}

/* A test in which no check ran has not passed. */
static inline int check_done(void) {
  printf("%d passed, %d failed\n", check_pass_count, check_fail_count);
  if (check_pass_count + check_fail_count == 0) {
    printf("FAIL: no check ran\n");
    return 1;
  }
  return check_fail_count ? 1 : 0;
}

/* Exit status of a test that cannot run here (ctest's SKIP_RETURN_CODE): reported as
 * skipped, never as passed. */
#define CHECK_SKIP 77

#endif
