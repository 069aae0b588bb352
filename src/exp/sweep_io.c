/* Directories and stray temporary files of sweep directories (see sweep_io.h). */
#include "exp/sweep_io.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void exp_remove_temps(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d)) != NULL) {
    if (!strstr(e->d_name, ".tmp.")) continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path) unlink(path);
  }
  closedir(d);
}

ls_status exp_mkdir(const char *path, ls_error *err) {
  if (mkdir(path, 0777) == 0) return LS_OK;
  struct stat st;
  if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return LS_OK;
  return ls_error_set(err, errno == EEXIST ? LS_ERR_INPUT : LS_ERR_IO,
                      "%s: cannot create directory: %s", path,
                      errno == EEXIST ? "a file of that name exists" : strerror(errno));
}
