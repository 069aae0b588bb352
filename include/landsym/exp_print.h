/* landsym: JSON results on a stream as one line (jansson, ", " and ": " separators, 17
 * significant digits, then a newline): the --json output of `landsym connect` and
 * `landsym expand` and the line-per-record output of `landsym invariance` and
 * `landsym locus`, which scripts read line by line. Multi-line JSON goes through
 * ls_json_print (landsym/out.h). */
#ifndef LANDSYM_EXP_PRINT_H
#define LANDSYM_EXP_PRINT_H

#include <stdio.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

/* Print value on one line and a newline. Does not steal the reference. */
ls_status ls_exp_json_line(const struct json_t *value, FILE *fp, ls_error *err);
/* Each element of a JSON array on its own line (records, in order). */
ls_status ls_exp_json_lines(const struct json_t *array, FILE *fp, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
