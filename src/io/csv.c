/* Numeric CSV tables: reader (strict, positions in messages) and atomic writer. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/io.h"

/* Parse one line into vals (grown as needed); returns the column count, or -1 with
 * *bad_col set to the first field that is not a number. */
static long parse_line(char *line, double **vals, size_t *cap, size_t *bad_col) {
  size_t n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    char *end;
    double v = strtod(p, &end); /* underflow keeps the subnormal; overflow is caught as inf */
    if (end == p) {
      *bad_col = n;
      return -1;
    }
    p = end;
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    if (n == *cap) {
      size_t nc = *cap ? 2 * *cap : 16;
      double *nv = realloc(*vals, nc * sizeof *nv);
      if (!nv) return -2;
      *vals = nv;
      *cap = nc;
    }
    (*vals)[n++] = v;
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == 0 || *p == '\n') break;
    *bad_col = n - 1;
    return -1;
  }
  return (long)n;
}

/* A header line: every comma-separated field is something other than a number (a
 * column name). A line with some numeric fields and some not is a data row with a typo,
 * which must be reported rather than skipped as a header. */
static int header_line(const char *line) {
  const char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    char *end;
    strtod(p, &end);
    if (end != p) {
      const char *q = end;
      while (*q == ' ' || *q == '\t' || *q == '\r') q++;
      if (*q == ',' || *q == 0 || *q == '\n') return 0; /* a whole numeric field */
    }
    p = strchr(p, ',');
    if (!p) return 1;
    p++;
  }
}

static int blank(const char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  return *s == 0 || *s == '#';
}

ls_status ls_csv_read(const char *path, double **data, size_t *rows, size_t *cols,
                      ls_error *err) {
  ls_status st0 = ls_input_check(path, err);
  if (st0) return st0;
  FILE *fp = fopen(path, "r");
  if (!fp) return ls_error_set(err, LS_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  char *line = NULL;
  size_t lcap = 0, vcap = 0, ncols = 0, nrows = 0, dcap = 0;
  double *vals = NULL, *out = NULL;
  long lineno = 0;
  int seen_data = 0;
  ls_status st = LS_OK;
  while (getline(&line, &lcap, fp) != -1) {
    lineno++;
    /* a UTF-8 byte-order mark (spreadsheet exports) before the first line */
    if (lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3)) memmove(line, line + 3, strlen(line + 3) + 1);
    if (blank(line)) continue;
    size_t bad = 0;
    long nc = parse_line(line, &vals, &vcap, &bad);
    if (nc == -2) {
      st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
      break;
    }
    if (nc < 0) {
      if (!seen_data && lineno == 1 && header_line(line)) continue; /* column names */
      st = ls_error_set(err, LS_ERR_INPUT, "%s: line %ld, column %zu: not a number", path,
                        lineno, bad + 1);
      break;
    }
    if (!seen_data) ncols = (size_t)nc, seen_data = 1;
    if ((size_t)nc != ncols) {
      st = ls_error_set(err, LS_ERR_INPUT, "%s: line %ld: %ld columns, expected %zu", path,
                        lineno, nc, ncols);
      break;
    }
    for (size_t j = 0; j < ncols; j++)
      if (!isfinite(vals[j])) {
        st = ls_error_set(err, LS_ERR_INPUT, "%s: line %ld, column %zu: %s", path, lineno,
                          j + 1, isnan(vals[j]) ? "NaN" : "infinite");
        break;
      }
    if (st) break;
    if ((nrows + 1) * ncols > dcap) {
      size_t nc2 = dcap ? 2 * dcap : 1024;
      while (nc2 < (nrows + 1) * ncols) nc2 *= 2;
      double *nd = realloc(out, nc2 * sizeof *nd);
      if (!nd) {
        st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
        break;
      }
      out = nd;
      dcap = nc2;
    }
    memcpy(out + nrows * ncols, vals, ncols * sizeof *vals);
    nrows++;
  }
  if (!st && ferror(fp)) st = ls_error_set(err, LS_ERR_IO, "%s: read error", path);
  if (!st && nrows == 0) st = ls_error_set(err, LS_ERR_INPUT, "%s: no data rows", path);
  fclose(fp);
  free(line);
  free(vals);
  if (st) {
    free(out);
    return st;
  }
  *data = out;
  *rows = nrows;
  *cols = ncols;
  return LS_OK;
}

ls_status ls_csv_write(const char *path, const char *header, const double *data, size_t rows,
                       size_t cols, ls_error *err) {
  ls_atomic_file f;
  ls_status st = ls_atomic_open(&f, path, err);
  if (st) return st;
  if (header) fprintf(f.fp, "%s\n", header);
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++)
      fprintf(f.fp, "%.17g%c", data[i * cols + j], j + 1 == cols ? '\n' : ',');
  return ls_atomic_commit(&f, err);
}
