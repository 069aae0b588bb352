/* landsym: the ground floor every module may use. Status codes and error messages
 * (status.h), the seeded generator (rng.h), the execution context (ctx.h) and a clock.
 * Including core.h gives all four; the private SIMD helpers of the hot loops live beside
 * them in src/core/simd.h. */
#ifndef LANDSYM_CORE_H
#define LANDSYM_CORE_H

#include "landsym/ctx.h"
#include "landsym/rng.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds on a monotonic clock (CLOCK_MONOTONIC) from an unspecified origin: only
 * differences mean something (elapsed wall time of a phase, a run, a sweep). */
double ls_clock_seconds(void);
/* CPU seconds used so far by the whole process, all threads (CLOCK_PROCESS_CPUTIME_ID). */
double ls_clock_cpu_seconds(void);
/* Bytes of memory the machine can give now: MemAvailable of /proc/meminfo, else the free
 * pages (sysconf). For refusing work that would exhaust the machine. */
double ls_mem_available(void);

#ifdef __cplusplus
}
#endif
#endif
