/* Private helper of the sweep module: stray temporary files (folders: ls_mkdir_p, out.h).
 * Files are written with ls_file_write_atomic / ls_npy_write (landsym/io.h): temp file
 * "<path>.tmp.XXXXXX", fsync, rename. */
#ifndef LANDSYM_EXP_SWEEP_IO_H
#define LANDSYM_EXP_SWEEP_IO_H

#include <stddef.h>

#include "landsym/status.h"

/* Delete "*.tmp.*" files in dir (left by a killed sweep); missing dir is fine. */
void exp_remove_temps(const char *dir);

#endif
