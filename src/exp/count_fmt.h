/* Internals of the counting experiments (src/exp/count_*.c): exact and decimal numbers as
 * text and as JSON strings. */
#ifndef LANDSYM_EXP_COUNT_FMT_H
#define LANDSYM_EXP_COUNT_FMT_H

#include <jansson.h>
#include <stdio.h>

#include "landsym/exp_count.h"

/* x with `digits` significant digits ("%.{digits-1}Re"). */
void count_print_dec(FILE *f, const mpfr_t x, long digits);
/* JSON string of an exact integer / rational, and of a decimal with `digits` digits
 * (null when it cannot be formatted). New references. */
json_t *count_json_mpz(const mpz_t x);
json_t *count_json_mpq(const mpq_t x);
json_t *count_json_dec(const mpfr_t x, long digits);
/* Print value (JSON, indented 2) and a newline; takes the reference. */
ls_status count_json_out(FILE *out, json_t *value, ls_error *err);
/* "G" or "T". */
static inline const char *count_name(char which) { return which == 'G' ? "G" : "T"; }

#endif
