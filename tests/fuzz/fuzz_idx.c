/* libFuzzer target: the in-memory IDX parser (ls_idx_parse) must accept or reject every
 * byte string without reading out of bounds; what it accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "landsym/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len) {
  unsigned char *data = NULL;
  int nd = 0;
  size_t dims[4];
  ls_error err = {0};
  ls_status st = ls_idx_parse(buf, len, "fuzz", &data, &nd, dims, &err);
  if (st == LS_OK) {
    size_t total = 1;
    for (int i = 0; i < nd; i++) total *= dims[i];
    /* an accepted file holds exactly header + data, and the copy matches it */
    if (nd < 1 || nd > 4 || 4 + 4 * (size_t)nd + total != len) abort();
    for (size_t i = 0; i < total; i++)
      if (data[i] != buf[4 + 4 * (size_t)nd + i]) abort();
  } else if (st != LS_ERR_INPUT && st != LS_ERR_NOMEM)
    abort();
  else if (data || !err.msg[0])
    abort(); /* rejection leaves no buffer and says why */
  free(data);
  return 0;
}
