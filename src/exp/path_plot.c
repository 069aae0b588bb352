/* gnuplot figures and output folders of the path experiments (exp/path_plot.h). */
#include "exp/path_plot.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

ls_status path_mkdir(const char *dir, ls_error *err) {
  struct stat sb;
  if (stat(dir, &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) return LS_OK;
    return ls_error_set(err, LS_ERR_INPUT, "--out %s exists and is not a directory", dir);
  }
  if (mkdir(dir, 0777) != 0)
    return ls_error_set(err, LS_ERR_IO, "cannot create directory %s: %s", dir, strerror(errno));
  return LS_OK;
}

ls_status path_plot(const char *dir, const char *base, const char *dat, size_t len,
                    const char *body, ls_error *err) {
  ls_figure fig = {dir, base, NULL, 0, 0, 0};
  return ls_figure_save(&fig, dat ? dat : "", len, body, err);
}

ls_status path_json_write(const char *dir, const char *name, const json_t *j, size_t flags,
                          ls_error *err) {
  char *sp = path_join(dir, name);
  char *txt = j ? json_dumps(j, flags) : NULL;
  ls_status st = !sp || !txt ? ls_error_set(err, LS_ERR_NOMEM, "out of memory")
                             : ls_file_write_atomic(sp, txt, strlen(txt), err);
  free(sp), free(txt);
  return st;
}
