/* The clock (landsym/core.h). */
#include <time.h>

#include "landsym/core.h"

static double seconds_of(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double ls_clock_seconds(void) { return seconds_of(CLOCK_MONOTONIC); }

double ls_clock_cpu_seconds(void) { return seconds_of(CLOCK_PROCESS_CPUTIME_ID); }
