/* landsym: files. NumPy .npy arrays, CSV tables, flat parameter vectors (.npy or .json)
 * and arrays of numbers in JSON documents; atomic writes come from landsym/out.h. Every
 * reader rejects NaN and infinities with a message naming the file and the position.
 * Checking a vector against a network and seeded initialisation are the network's
 * (landsym/net.h). */
#ifndef LANDSYM_IO_H
#define LANDSYM_IO_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "landsym/out.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An input file exists and is not a directory (LS_ERR_INPUT naming it otherwise): called
 * by every reader before it opens a file, so that a directory is a bad input (exit 2),
 * not a read error. */
ls_status ls_input_check(const char *path, ls_error *err);

/* ---- .npy (NumPy format 1.0/2.0/3.0) ---------------------------------------------- */

/* Read a 1-D or 2-D C-order little-endian array into a new double buffer (free()).
 * dtypes accepted: '<f8' (native), '<f4', '<i4', '<i8' (converted exactly to double).
 * Rejected with a clear message: bad magic, truncated data, big-endian, Fortran order,
 * other dtypes, 0-D or >2-D shapes, NaN/inf (position given), a directory, and data
 * beyond what the header declares. Reads only the declared bytes (a device such as
 * /dev/zero fails at the magic). shape[1] is 1 for 1-D. */
ls_status ls_npy_read(const char *path, double **data, int *ndim, size_t shape[2],
                      ls_error *err);
/* Write a 1-D (ndim=1, shape[0]) or 2-D (ndim=2, shape[0] x shape[1], row-major)
 * float64 '<f8' array, format 1.0, atomically. */
ls_status ls_npy_write(const char *path, const double *data, int ndim, const size_t *shape,
                       ls_error *err);

/* Streaming 2-D writer for rows whose count is not known in advance (trajectories):
 * rows of `cols` doubles are appended; close rewrites the fixed-size (128-byte) header
 * with the final row count and commits atomically. Zero rows give shape (0, cols). */
typedef struct {
  ls_atomic_file f;
  size_t cols, rows;
} ls_npy_stream;

ls_status ls_npy_stream_open(ls_npy_stream *s, const char *path, size_t cols, ls_error *err);
ls_status ls_npy_stream_append(ls_npy_stream *s, const double *row, ls_error *err);
ls_status ls_npy_stream_close(ls_npy_stream *s, ls_error *err);
void ls_npy_stream_abort(ls_npy_stream *s); /* removes the temp file; accepts zeroed */

/* ---- CSV --------------------------------------------------------------------------- */

/* Read a numeric CSV table (comma, optional spaces; one optional non-numeric header
 * line; '#' comment lines skipped). Every row must have the same number of columns. */
ls_status ls_csv_read(const char *path, double **data, size_t *rows, size_t *cols,
                      ls_error *err);
/* Write rows x cols (row-major) with %.17g, atomically. header (without newline) may be
 * NULL. */
ls_status ls_csv_write(const char *path, const char *header, const double *data, size_t rows,
                       size_t cols, ls_error *err);

/* ---- parameter vectors ------------------------------------------------------------- */

/* Read a flat parameter vector from .npy (1-D, or 2-D flattened row-major) or .json
 * (a flat array of numbers, or an object {"params": [...]}), chosen by the extension. */
ls_status ls_params_read(const char *path, double **theta, size_t *n, ls_error *err);
/* Flat array of finite numbers -> new buffer (free()); where names the field. */
ls_status ls_json_doubles(const json_t *arr, const char *file, const char *where,
                          double **out, size_t *n, ls_error *err);
/* Write .npy (1-D '<f8') or .json ({"params": [...]}, 17 significant digits) by
 * extension, atomically. */
ls_status ls_params_write(const char *path, const double *theta, size_t n, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
