/* Memory the machine can give now (core.h). */
#include <stdio.h>
#include <unistd.h>

#include "landsym/core.h"

double ls_mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  double kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) break;
  if (f) fclose(f);
  if (kib >= 0) return kib * 1024.0;
  return (double)sysconf(_SC_AVPHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}
