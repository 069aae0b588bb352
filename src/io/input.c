/* Checks shared by the readers of input files (config JSON, parameters, .npy, .csv). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "landsym/io.h"

ls_status ls_input_check(const char *path, ls_error *err) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return ls_error_set(err, LS_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(sb.st_mode))
    return ls_error_set(err, LS_ERR_INPUT, "%s: is a directory, expected a file", path);
  return LS_OK;
}
