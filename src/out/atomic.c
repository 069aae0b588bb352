/* Atomic file writes: write to a temp file in the target's directory, then rename. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landsym/out.h"

/* The process umask, read without changing it (Linux >= 4.7 reports it in
 * /proc/self/status); elsewhere read by setting and restoring it. */
static mode_t current_umask(void) {
  FILE *st = fopen("/proc/self/status", "r");
  char line[256];
  unsigned m = 0;
  int found = 0;
  if (st) {
    while (!found && fgets(line, sizeof line, st)) found = sscanf(line, "Umask: %o", &m) == 1;
    fclose(st);
  }
  if (found) return (mode_t)m;
  mode_t u = umask(022);
  umask(u);
  return u;
}

ls_status ls_atomic_open(ls_atomic_file *f, const char *path, ls_error *err) {
  memset(f, 0, sizeof *f);
  size_t len = strlen(path);
  f->path = malloc(len + 1);
  f->tmp = malloc(len + 16);
  if (!f->path || !f->tmp) {
    free(f->path), free(f->tmp);
    memset(f, 0, sizeof *f);
    return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  }
  memcpy(f->path, path, len + 1);
  snprintf(f->tmp, len + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(f->tmp);
  if (fd < 0) {
    int e = errno;
    free(f->path), free(f->tmp);
    memset(f, 0, sizeof *f);
    return ls_error_set(err, LS_ERR_IO, "%s: cannot create: %s", path, strerror(e));
  }
  /* mkstemp creates mode 0600; the result gets what open(O_CREAT, 0666) would give */
  int chmod_failed = fchmod(fd, 0666 & ~current_umask()) != 0;
  f->fp = chmod_failed ? NULL : fdopen(fd, "wb");
  if (!f->fp) {
    int e = errno;
    close(fd);
    unlink(f->tmp);
    free(f->path), free(f->tmp);
    memset(f, 0, sizeof *f);
    return ls_error_set(err, LS_ERR_IO, "%s: cannot open: %s", path, strerror(e));
  }
  return LS_OK;
}

static void atomic_release(ls_atomic_file *f) {
  free(f->path);
  free(f->tmp);
  memset(f, 0, sizeof *f);
}

ls_status ls_atomic_commit(ls_atomic_file *f, ls_error *err) {
  if (!f->fp) return ls_error_set(err, LS_ERR_IO, "atomic file not open");
  int bad = ferror(f->fp) != 0;
  if (fflush(f->fp) != 0) bad = 1;
  if (!bad && fsync(fileno(f->fp)) != 0 && errno != EINVAL) bad = 1;
  if (fclose(f->fp) != 0) bad = 1;
  f->fp = NULL;
  if (bad || rename(f->tmp, f->path) != 0) {
    int e = errno;
    unlink(f->tmp);
    ls_error_set(err, LS_ERR_IO, "%s: write failed: %s", f->path, strerror(e));
    atomic_release(f);
    return LS_ERR_IO;
  }
  atomic_release(f);
  return LS_OK;
}

void ls_atomic_abort(ls_atomic_file *f) {
  if (!f) return;
  if (f->fp) {
    fclose(f->fp);
    f->fp = NULL;
  }
  if (f->tmp) unlink(f->tmp);
  atomic_release(f);
}

ls_status ls_file_write_atomic(const char *path, const void *buf, size_t len, ls_error *err) {
  ls_atomic_file f;
  ls_status s = ls_atomic_open(&f, path, err);
  if (s) return s;
  if (len && fwrite(buf, 1, len, f.fp) != len) {
    ls_atomic_abort(&f);
    return ls_error_set(err, LS_ERR_IO, "%s: short write", path);
  }
  return ls_atomic_commit(&f, err);
}
