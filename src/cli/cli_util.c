/* Helpers shared by the subcommands: error reporting and strict number parsing. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_fail(const char *cmd, const ls_error *err) {
  fprintf(stderr, "landsym %s: %s\n", cmd, err->msg);
  return ls_status_exit_code(err->code);
}

int cli_stdout_close(int status) {
  errno = 0;
  int bad = fflush(stdout) != 0 || ferror(stdout);
  int e = errno;
  if (fclose(stdout) != 0 && !bad) bad = 1, e = errno;
  if (!bad) return status;
  fprintf(stderr, "landsym: error writing standard output: %s\n", e ? strerror(e) : "write error");
  return status ? status : 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "landsym %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see landsym %s --help)\n", cmd);
  return 2;
}

int cli_parse_long(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end) return -1;
  *out = v;
  return 0;
}

int cli_parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int cli_opt_long(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out) {
  if (!cli_parse_long(arg, out) && *out >= lo && *out <= hi) return 0;
  if ((hi == LONG_MAX || hi == INT_MAX) && lo == 1)
    return cli_usage_error(cmd, "--%s needs a positive integer, got '%s'", name, arg);
  if ((hi == LONG_MAX || hi == INT_MAX) && lo == 0)
    return cli_usage_error(cmd, "--%s needs a non-negative integer, got '%s'", name, arg);
  if ((hi == LONG_MAX || hi == INT_MAX) && lo == LONG_MIN)
    return cli_usage_error(cmd, "--%s needs an integer, got '%s'", name, arg);
  return cli_usage_error(cmd, "--%s needs an integer in %ld..%ld, got '%s'", name, lo, hi, arg);
}
