/* Which kernel of the hot loops runs: the clones of src/core/simd.h (LS_HOT) are chosen
 * by the loader from the CPU's features, best first (GCC's target_clones resolver: v4, then
 * v3, then the baseline); a build with LS_KERNEL_FIXED has only the one it names. */
#include <string.h>

#include "landsym/engine.h"
#include "core/simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LS_CPU_LEVELS 1
#endif

int ls_kernel_supported(const char *name) {
  if (!name) return 0;
  if (!strcmp(name, "default")) return 1;
#ifdef LS_CPU_LEVELS
  __builtin_cpu_init();
  if (!strcmp(name, "x86-64-v3") || !strcmp(name, "v3"))
    return __builtin_cpu_supports("x86-64-v3") != 0;
  if (!strcmp(name, "x86-64-v4") || !strcmp(name, "v4"))
    return __builtin_cpu_supports("x86-64-v4") != 0;
#endif
  return 0;
}

const char *ls_kernel_name(void) {
#if defined(LS_KERNEL_FIXED)
  return LS_KERNEL_FIXED;
#elif defined(LS_CPU_LEVELS) && defined(__linux__)
  /* the same order as the target_clones resolver */
  if (ls_kernel_supported("x86-64-v4")) return "x86-64-v4";
  if (ls_kernel_supported("x86-64-v3")) return "x86-64-v3";
  return "default";
#else
  return "default";
#endif
}
