/* Directories and stray temporary files of sweep directories (see sweep_io.h). */
#include "exp/sweep_io.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
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
