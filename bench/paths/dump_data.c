/* Writes the inputs and targets of a config's data set as x.npy, y.npy (for the Python
 * baseline of bench/paths/run.sh) and the teacher's parameters as teacher.npy. */
#include <stdio.h>

#include "landsym/config.h"
#include "landsym/io.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dump_data CONFIG OUTDIR\n");
    return 2;
  }
  ls_config cfg;
  ls_error err = {0};
  if (ls_config_load(argv[1], &cfg, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  char p[4096];
  size_t sx[2] = {cfg.data.n, (size_t)cfg.data.din}, sy[2] = {cfg.data.n, (size_t)cfg.data.dout};
  int bad = 0;
  snprintf(p, sizeof p, "%s/x.npy", argv[2]);
  bad |= ls_npy_write(p, cfg.data.x, 2, sx, &err) != LS_OK;
  snprintf(p, sizeof p, "%s/y.npy", argv[2]);
  bad |= ls_npy_write(p, cfg.data.y, 2, sy, &err) != LS_OK;
  snprintf(p, sizeof p, "%s/teacher.npy", argv[2]);
  bad |= ls_params_write(p, cfg.teacher_params, ls_net_nparams(&cfg.teacher), &err) != LS_OK;
  ls_config_free(&cfg);
  if (bad) fprintf(stderr, "%s\n", err.msg);
  return bad;
}
