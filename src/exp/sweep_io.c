/* Atomic writes and .npy output for sweep directories (see sweep_io.h). */
#include "exp/sweep_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ls_status exp_write_atomic(const char *path, const void *buf, size_t len, ls_error *err) {
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 12);
  if (!tmp) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp.XXXXXX", 12);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    ls_error_set(err, LS_ERR_IO, "%s: cannot create temporary file: %s", path, strerror(errno));
    free(tmp);
    return LS_ERR_IO;
  }
  const char *p = buf;
  size_t left = len;
  while (left > 0) {
    ssize_t k = write(fd, p, left);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) goto fail;
    p += k;
    left -= (size_t)k;
  }
  /* fsync so that a crash after the rename cannot expose an empty file. */
  if (fsync(fd) != 0) goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(tmp, path) != 0) goto fail;
  free(tmp);
  return LS_OK;
fail:
  ls_error_set(err, LS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
  if (fd >= 0) close(fd);
  unlink(tmp);
  free(tmp);
  return LS_ERR_IO;
}

ls_status exp_npy_write_1d(const char *path, const double *x, size_t n, ls_error *err) {
  /* NumPy format 1.0: magic, version, little-endian u16 header length, a Python dict
   * literal padded with spaces and ended by '\n' so that the data start on a multiple
   * of 64 bytes. The host is assumed little-endian (x86-64, aarch64). */
  char dict[128];
  int dl = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }",
                    n);
  size_t hlen = 10 + (size_t)dl + 1;
  size_t pad = (64 - hlen % 64) % 64;
  size_t head = hlen + pad, total = head + n * sizeof(double);
  unsigned char *buf = malloc(total);
  if (!buf) return ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  uint16_t hl = (uint16_t)(head - 10);
  buf[8] = (unsigned char)(hl & 0xff);
  buf[9] = (unsigned char)(hl >> 8);
  memcpy(buf + 10, dict, (size_t)dl);
  memset(buf + 10 + dl, ' ', pad);
  buf[head - 1] = '\n';
  if (n) memcpy(buf + head, x, n * sizeof(double));
  ls_status s = exp_write_atomic(path, buf, total, err);
  free(buf);
  return s;
}

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
