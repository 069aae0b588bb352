/* Numbers of the counting experiments as text and JSON strings (src/exp/count_fmt.h). */
#include <string.h>

#include "exp/count_fmt.h"
#include "landsym/out.h"

ls_exp_count_opts ls_exp_count_opts_default(void) {
  ls_exp_count_opts o = {LS_COUNT_OUT_TEXT, 0, 20, LS_COUNT_DEFAULT_MAX_BYTES};
  return o;
}

void count_print_dec(FILE *f, const mpfr_t x, long digits) {
  mpfr_fprintf(f, "%.*Re", (int)(digits > 1 ? digits - 1 : 0), x);
}

/* A string GMP allocated, into JSON, freed with GMP's own free function. */
static json_t *json_gmp_string(char *s) {
  void (*freefunc)(void *, size_t);
  mp_get_memory_functions(NULL, NULL, &freefunc);
  json_t *j = json_string(s);
  freefunc(s, strlen(s) + 1);
  return j;
}

json_t *count_json_mpz(const mpz_t x) { return json_gmp_string(mpz_get_str(NULL, 10, x)); }
json_t *count_json_mpq(const mpq_t x) { return json_gmp_string(mpq_get_str(NULL, 10, x)); }

json_t *count_json_dec(const mpfr_t x, long digits) {
  char *s = NULL;
  if (mpfr_asprintf(&s, "%.*Re", (int)(digits - 1), x) < 0) return json_null();
  json_t *j = json_string(s);
  mpfr_free_str(s);
  return j;
}

ls_status count_json_out(FILE *out, json_t *value, ls_error *err) {
  if (!value) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the JSON output");
  ls_status st = ls_json_print(value, out, err);
  json_decref(value);
  return st;
}
