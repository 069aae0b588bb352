/* Option and argument parsing shared by the `landsym count` subcommands. */
#include <ctype.h>
#include <errno.h>
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


int count_begin(const char *sub, int argc, char **argv, count_opts *o, cli_opt *opts,
                const char *header, const char *footer) {
  char cmd[32];
  snprintf(cmd, sizeof cmd, "count %s", sub);
  memset(o, 0, sizeof *o);
  o->digits = 20, o->depth = 2;
  cli_spec spec = {.cmd = cmd, .header = header, .footer = footer, .opts = opts, .pos = o->pos,
                   .max_pos = 16, .numbers = 1};
  int rc = cli_parse(&spec, argc, argv);
  o->npos = spec.npos;
  if (rc == CLI_GO_ON && o->json && o->csv)
    return usage_err(sub, "choose one output format, not both", "--json --csv");
  return rc;
}

int count_check_npos(const char *sub, const count_opts *o, int n, const char *names) {
  if (o->npos == n) return 0;
  if (!n) return fprintf(stderr, "landsym count %s: unexpected argument '%s'\n", sub, o->pos[0]), 2;
  fprintf(stderr, "landsym count %s: expected %d argument%s %s, got %d (see --help)\n", sub, n,
          n == 1 ? "" : "s", names, o->npos);
  return 2;
}
