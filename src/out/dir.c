/* Output folders and paths (landsym/out.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "landsym/out.h"

char *ls_path_join(const char *dir, const char *name) {
  if (!dir || !*dir) return strdup(name);
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
  return p;
}

/* One level: an existing directory is fine, an existing other file is a bad input. */
static ls_status mkdir_one(const char *path, ls_error *err) {
  if (mkdir(path, 0777) == 0) return LS_OK;
  int e = errno;
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) return LS_OK;
    return ls_error_set(err, LS_ERR_INPUT, "%s exists and is not a directory", path);
  }
  return ls_error_set(err, LS_ERR_IO, "cannot create directory %s: %s", path, strerror(e));
}

ls_status ls_mkdir_p(const char *dir, ls_error *err) {
  if (!dir || !*dir) return ls_error_set(err, LS_ERR_INPUT, "empty output directory name");
  char *p = strdup(dir);
  if (!p) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = LS_OK;
  /* every proper prefix ending before a '/', then the whole path */
  for (char *s = p + 1; !st && *s; s++) {
    if (*s != '/' || s[-1] == '/') continue;
    *s = '\0';
    st = mkdir_one(p, err);
    *s = '/';
  }
  if (!st) st = mkdir_one(p, err);
  free(p);
  return st;
}
