/* Private helpers of the sweep module: atomic file writes and .npy output. */
#ifndef LANDSYM_EXP_SWEEP_IO_H
#define LANDSYM_EXP_SWEEP_IO_H

#include <stddef.h>

#include "landsym/status.h"

/* Write len bytes to path through "<path>.tmp.XXXXXX" + fsync + rename, so that a
 * killed process leaves either the old file, the new one, or a stray temp file that
 * exp_remove_temps deletes. */
ls_status exp_write_atomic(const char *path, const void *buf, size_t len, ls_error *err);
/* 1-D float64 '<f8' .npy (format 1.0), atomically. */
ls_status exp_npy_write_1d(const char *path, const double *x, size_t n, ls_error *err);
/* Delete "*.tmp.*" files in dir (left by a killed sweep); missing dir is fine. */
void exp_remove_temps(const char *dir);
/* mkdir that accepts an existing directory. */
ls_status exp_mkdir(const char *path, ls_error *err);

#endif
