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

/* A test built for one kernel of the hot loops (CMakeLists.txt, TEST_kernel_K) skips on a
 * CPU without it, before main runs any of that kernel's code (this file is compiled for
 * the baseline). */
#if defined(LS_TEST_KERNEL) && defined(__x86_64__) && defined(__GNUC__)
#include <stdlib.h>
#include <string.h>
__attribute__((constructor)) static void check_kernel_available(void) {
  __builtin_cpu_init();
  int ok = !strcmp(LS_TEST_KERNEL, "default") ||
           (!strcmp(LS_TEST_KERNEL, "x86-64-v3") && __builtin_cpu_supports("x86-64-v3")) ||
           (!strcmp(LS_TEST_KERNEL, "x86-64-v4") && __builtin_cpu_supports("x86-64-v4"));
  if (!ok) {
    printf("SKIP: this CPU has no %s kernel\n", LS_TEST_KERNEL);
    exit(CHECK_SKIP);
  }
  printf("kernel %s\n", LS_TEST_KERNEL);
}
#endif

#endif
