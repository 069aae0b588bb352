/* Option and argument parsing shared by the `landsym count` subcommands. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_count.h"

int count_fail(const char *sub, const ls_error *err) {
  fprintf(stderr, "landsym count %s: %s\n", sub, err->msg);
  return ls_status_exit_code(err->code);
}

static int usage_err(const char *sub, const char *msg, const char *arg) {
  fprintf(stderr, "landsym count %s: %s '%s' (see landsym count %s --help)\n", sub, msg, arg, sub);
  return 2;
}

int count_parse_int(const char *sub, const char *what, const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || isspace((unsigned char)*s)) {
    fprintf(stderr, "landsym count %s: %s must be an integer, got '%s'\n", sub, what, s);
    return 2;
  }
  if (errno == ERANGE || v > 1000000000L || v < -1000000000L) {
    fprintf(stderr, "landsym count %s: %s = '%s' is out of range (|value| <= 1e9)\n", sub, what, s);
    return 2;
  }
  *out = v;
  return 0;
}

int count_parse_range(const char *sub, const char *what, const char *s, long *lo, long *hi,
                      long *step) {
  char buf[128];
  if (strlen(s) >= sizeof buf) return usage_err(sub, "argument too long:", s);
  strcpy(buf, s);
  char *p1 = strchr(buf, ':');
  *step = 1;
  if (!p1) {
    if (count_parse_int(sub, what, buf, lo)) return 2;
    *hi = *lo;
    return 0;
  }
  *p1++ = 0;
  char *p2 = strchr(p1, ':');
  if (p2) *p2++ = 0;
  if (count_parse_int(sub, what, buf, lo) || count_parse_int(sub, what, p1, hi)) return 2;
  if (p2 && count_parse_int(sub, what, p2, step)) return 2;
  if (*step < 1) return usage_err(sub, "range step must be >= 1 in", s);
  if (*hi < *lo) return usage_err(sub, "empty range (end before start)", s);
  return 0;
}

int count_parse_list(const char *sub, const char *what, const char *s, long *out, int max) {
  char buf[1024];
  if (strlen(s) >= sizeof buf) {
    usage_err(sub, "argument too long:", s);
    return -1;
  }
  strcpy(buf, s);
  int n = 0;
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    if (n == max) {
      fprintf(stderr, "landsym count %s: at most %d values in %s\n", sub, max, what);
      return -1;
    }
    if (count_parse_int(sub, what, tok, &out[n])) return -1;
    n++;
  }
  if (!n) {
    usage_err(sub, "empty list for", what);
    return -1;
  }
  return n;
}


static int looks_numeric(const char *s) {
  return s[0] == '-' && (isdigit((unsigned char)s[1]) || s[1] == '.');
}

/* Options taking a value, and the field each one fills. */
static int take_value(const char *sub, count_opts *o, const char *name, const char *val) {
  long v;
  if (!strcmp(name, "--digits")) {
    if (count_parse_int(sub, "--digits", val, &v)) return 2;
    if (v < 1 || v > 100000) return usage_err(sub, "--digits must be in 1..100000, got", val);
    o->digits = v;
  } else if (!strcmp(name, "--max-mem")) {
    if (count_parse_int(sub, "--max-mem", val, &v)) return 2;
    if (v < 1) return usage_err(sub, "--max-mem (MiB) must be >= 1, got", val);
    o->max_bytes = (double)v * 1048576.0;
  } else if (!strcmp(name, "--depth")) {
    if (count_parse_int(sub, "--depth", val, &v)) return 2;
    if (v < 2 || v > 1000) return usage_err(sub, "--depth L must be in 2..1000, got", val);
    o->depth = (int)v;
  } else if (!strcmp(name, "--rstar") || !strcmp(name, "--m-max") || !strcmp(name, "--kmax") ||
             !strcmp(name, "--r")) {
    if (count_parse_int(sub, name, val, &v)) return 2;
    if (!strcmp(name, "--rstar")) o->rstar = v;
    else if (!strcmp(name, "--m-max")) o->m_max = v;
    else if (!strcmp(name, "--kmax")) o->kmax = v;
    else o->r = v;
  } else if (!strcmp(name, "--k")) o->k_arg = val;
  else if (!strcmp(name, "--weights")) o->weights_arg = val;
  else if (!strcmp(name, "--format")) o->format = val;
  else if (!strcmp(name, "--output") || !strcmp(name, "-o")) o->output = val;
  else if (!strcmp(name, "--out")) o->out_dir = val;
  else if (!strcmp(name, "--layout")) o->layout = val;
  return 0;
}

static int allowed(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
  return 0;
}

/* Flags (no value) and valued options each subcommand accepts. */
static const char *flags_of(const char *sub) {
  if (!strcmp(sub, "R")) return "--json --csv --asym --total";
  if (!strcmp(sub, "enumerate")) return "--json --critical --count";
  if (!strcmp(sub, "graph") || !strcmp(sub, "fig6") || !strcmp(sub, "fig4c")) return "";
  if (!strcmp(sub, "brea")) return "--json --csv";
  return "--json --csv --asym";
}
static const char *valued_of(const char *sub) {
  if (!strcmp(sub, "R")) return "--digits --max-mem --k --weights --depth";
  if (!strcmp(sub, "graph")) return "--format --output -o";
  if (!strcmp(sub, "fig6")) return "--out --rstar --m-max --kmax --max-mem";
  if (!strcmp(sub, "fig4c")) return "--out --r --layout";
  if (!strcmp(sub, "enumerate")) return "";
  return "--digits --max-mem";
}

int count_parse(const char *sub, int argc, char **argv, count_opts *o) {
  memset(o, 0, sizeof *o);
  o->digits = 20;
  o->max_bytes = LS_COUNT_DEFAULT_MAX_BYTES;
  o->depth = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      o->help = 1;
      return 0;
    }
    if (a[0] == '-' && a[1] && !looks_numeric(a)) {
      if (allowed(flags_of(sub), a)) {
        if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--csv")) o->csv = 1;
        else if (!strcmp(a, "--asym")) o->asym = 1;
        else if (!strcmp(a, "--total")) o->total = 1;
        else if (!strcmp(a, "--critical")) o->critical = 1;
        else if (!strcmp(a, "--count")) o->count_only = 1;
        continue;
      }
      if (allowed(valued_of(sub), a)) {
        if (i + 1 >= argc) return usage_err(sub, "missing value after", a);
        if (take_value(sub, o, a, argv[++i])) return 2;
        continue;
      }
      return usage_err(sub, "unknown option", a);
    }
    if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0]))
      return usage_err(sub, "too many arguments at", a);
    o->pos[o->npos++] = a;
  }
  if (o->json && o->csv) return usage_err(sub, "choose one output format, not both", "--json --csv");
  return 0;
}

int count_begin(const char *sub, int argc, char **argv, count_opts *o, const char *help, ...) {
  if (count_parse(sub, argc, argv, o)) return 2;
  if (!o->help) return COUNT_GO_ON;
  va_list ap;
  va_start(ap, help);
  vprintf(help, ap);
  va_end(ap);
  return 0;
}

int count_check_npos(const char *sub, const count_opts *o, int n, const char *names) {
  if (o->npos == n) return 0;
  fprintf(stderr, "landsym count %s: expected %d argument%s %s, got %d (see --help)\n", sub, n,
          n == 1 ? "" : "s", names, o->npos);
  return 2;
}

int count_check_out_dir(const char *sub, const count_opts *o) {
  if (!o->out_dir) return fprintf(stderr, "landsym count %s: --out DIR is required\n", sub), 2;
  if (o->npos)
    return fprintf(stderr, "landsym count %s: unexpected argument '%s'\n", sub, o->pos[0]), 2;
  return 0;
}
