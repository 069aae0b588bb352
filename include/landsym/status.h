/* landsym: status codes and error messages shared by every module.
 * Every fallible function returns an ls_status and, when err is not NULL,
 * leaves a readable message naming what was wrong (file, field, line). */
#ifndef LANDSYM_STATUS_H
#define LANDSYM_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LS_OK = 0,
  LS_ERR_COMPUTE = 1, /* the computation failed (NaN, no convergence, ...) */
  LS_ERR_INPUT = 2,   /* bad usage or bad input: config, file, dimensions  */
  LS_ERR_NOMEM = 3,   /* allocation failed                                  */
  LS_ERR_IO = 4       /* a file could not be read or written                */
} ls_status;

typedef struct {
  ls_status code;
  char msg[1024];
} ls_error;

/* Record code and a printf-style message in err (if not NULL); returns code. */
ls_status ls_error_set(ls_error *err, ls_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message already in err with "ctx: " (for call chains). */
ls_status ls_error_prefix(ls_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Process exit code for a status: 0 ok, 2 bad input/usage, 1 otherwise. */
int ls_status_exit_code(ls_status s);

#ifdef __cplusplus
}
#endif
#endif
