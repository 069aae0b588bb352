/* Declarative options: a table of cli_opt per command (cli.h), parsed with getopt_long built
 * from the table, values checked for syntax and range, --help generated from the table. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define HELP_VAL 1000 /* getopt value of --help; table entries use 1001 + index */
#define MAX_OPTS 64

/* "a|b|c" as "a, b or c" into buf. */
static const char *choice_words(const char *choices, char *buf, size_t n) {
  size_t k = 0, len = strlen(choices);
  const char *last = strrchr(choices, '|');
  for (size_t i = 0; i < len && k + 5 < n; i++) {
    if (choices[i] != '|') buf[k++] = choices[i];
    else if (choices + i == last) k += (size_t)snprintf(buf + k, n - k, " or ");
    else k += (size_t)snprintf(buf + k, n - k, ", ");
  }
  buf[k < n ? k : n - 1] = 0;
  return buf;
}

/* Index of word s in choices "a|b|c", or -1. */
static int choice_index(const char *choices, const char *s) {
  size_t n = strlen(s);
  int i = 0;
  for (const char *p = choices; p; p = strchr(p, '|'), p = p ? p + 1 : p, i++)
    if (!strncmp(p, s, n) && (p[n] == '|' || p[n] == 0)) return i;
  return -1;
}

/* A number within o's range, or a usage error that names the range. */
static int store_double(const char *cmd, const cli_opt *o, const char *arg) {
  double v;
  int ok = !cli_parse_double(arg, &v);
  if (ok && ((o->open & CLI_OPEN_LO) ? !(v > o->dmin) : !(v >= o->dmin))) ok = 0;
  if (ok && ((o->open & CLI_OPEN_HI) ? !(v < o->dmax) : !(v <= o->dmax))) ok = 0;
  if (ok) return *(double *)o->dest = v, 0;
  if (o->dmax == DBL_MAX && o->dmin == 0)
    return cli_usage_error(cmd, "--%s needs a %s, got '%s'", o->name,
                           o->open & CLI_OPEN_LO ? "positive number" : "number >= 0", arg);
  if (o->dmax == DBL_MAX && o->dmin == -DBL_MAX)
    return cli_usage_error(cmd, "--%s needs a finite number, got '%s'", o->name, arg);
  return cli_usage_error(cmd, "--%s needs a number in %c%g, %g%c, got '%s'", o->name,
                         o->open & CLI_OPEN_LO ? '(' : '[', o->dmin, o->dmax,
                         o->open & CLI_OPEN_HI ? ')' : ']', arg);
}

/* An integer within [lmin, lmax] into the destination's type. */
static int store_integer(const char *cmd, const cli_opt *o, const char *arg) {
  long v;
  if (cli_opt_long(cmd, o->name, arg, o->lmin, o->lmax, &v)) return 2;
  switch (o->kind) {
    case CLI_KINT: *(int *)o->dest = (int)v; break;
    case CLI_KSIZE: *(size_t *)o->dest = (size_t)v; break;
    case CLI_KU64: *(uint64_t *)o->dest = (uint64_t)v; break;
    default: *(long *)o->dest = v; break;
  }
  return 0;
}

/* One element of a list: 0 when it parses and is in range. */
static int list_item(const cli_opt *o, const char *tok, cli_list *l) {
  long v;
  if (o->kind == CLI_KDOUBLES) return cli_parse_double(tok, &l->d[l->n++]);
  if (cli_parse_long(tok, &v) || v < o->lmin || v > o->lmax) return -1;
  l->i[l->n++] = (int)v;
  return 0;
}

/* Comma-separated values (or a word of choices) into the cli_list at o->dest. */
static int store_list(const char *cmd, const cli_opt *o, const char *arg) {
  cli_list *l = o->dest;
  free(l->i), free(l->d);
  *l = (cli_list){0, -1, NULL, NULL};
  if (o->choices && (l->word = choice_index(o->choices, arg)) >= 0) return 0;
  size_t cap = strlen(arg) / 2 + 2;
  char *dup = strdup(arg), *save = NULL;
  if (o->kind == CLI_KDOUBLES) l->d = malloc(cap * sizeof *l->d);
  else l->i = malloc(cap * sizeof *l->i);
  int ok = dup && (l->i || l->d) && arg[0] != ',' && arg[0] && arg[strlen(arg) - 1] != ',';
  for (char *t = ok ? strtok_r(dup, ",", &save) : NULL; t && ok; t = strtok_r(NULL, ",", &save))
    ok = !list_item(o, t, l);
  free(dup);
  if (ok && l->n >= o->nmin && (!o->nmax || l->n <= o->nmax)) return 0;
  const char *what = o->kind == CLI_KDOUBLES ? "numbers" : "integers";
  char words[128] = "";
  if (o->choices) snprintf(words, sizeof words, " (or %s)", choice_words(o->choices, (char[96]){0}, 96));
  if (o->nmin == o->nmax && o->nmin)
    return cli_usage_error(cmd, "--%s needs %d comma-separated %s%s, got '%s'", o->name, o->nmin,
                           what, words, arg);
  if (o->nmax) return cli_usage_error(cmd, "--%s needs %d to %d comma-separated %s%s, got '%s'",
                                      o->name, o->nmin, o->nmax, what, words, arg);
  return cli_usage_error(cmd, "--%s needs comma-separated %s%s, got '%s'", o->name, what, words, arg);
}

/* The value of option o; 0, or 2 after a usage error. */
static int store(const char *cmd, cli_opt *o, const char *arg) {
  char buf[160];
  int i;
  o->seen = 1;
  switch (o->kind) {
    case CLI_KFLAG: *(int *)o->dest = 1; return 0;
    case CLI_KSTR: *(const char **)o->dest = arg; return 0;
    case CLI_KDOUBLE: return store_double(cmd, o, arg);
    case CLI_KCHOICE:
      if ((i = choice_index(o->choices, arg)) >= 0) return *(int *)o->dest = i, 0;
      return cli_usage_error(cmd, "--%s must be %s, got '%s'", o->name,
                             choice_words(o->choices, buf, sizeof buf), arg);
    case CLI_KINTS:
    case CLI_KDOUBLES: return store_list(cmd, o, arg);
    default: return store_integer(cmd, o, arg);
  }
}

/* getopt_long's tables from spec->opts; the number of entries. */
static int build(const cli_opt *opts, struct option *lo, char *shorts) {
  int n = 0, k = 0;
  shorts[k++] = ':';
  for (; opts[n].kind != CLI_KEND && n < MAX_OPTS; n++) {
    int arg = opts[n].kind != CLI_KFLAG;
    lo[n] = (struct option){opts[n].name, arg ? required_argument : no_argument, NULL, 1001 + n};
    if (opts[n].letter) {
      shorts[k++] = (char)opts[n].letter;
      if (arg) shorts[k++] = ':';
    }
  }
  lo[n] = (struct option){"help", no_argument, NULL, HELP_VAL};
  lo[n + 1] = (struct option){0, 0, 0, 0};
  shorts[k++] = 'h';
  shorts[k] = 0;
  return n;
}

/* getopt's code c as the table's index (-1 for --help, -2 for an error). */
static int opt_index(const cli_opt *opts, int n, int c) {
  if (c == HELP_VAL || c == 'h') return -1;
  if (c > 1000 && c <= 1000 + n) return c - 1001;
  for (int i = 0; i < n && c > 0 && c < 256; i++)
    if (opts[i].letter == c) return i;
  return -2;
}

/* With spec->numbers, getopt sees "-3" as "3" (the same string past its sign): the original
 * argument for p. */
static const char *unhide(char **orig, int argc, const char *p) {
  for (int i = 1; p && i < argc; i++)
    if (p == orig[i] + 1 && orig[i][0] == '-') return orig[i];
  return p;
}

static int looks_negative(const char *a) {
  return a[0] == '-' && ((a[1] >= '0' && a[1] <= '9') || a[1] == '.');
}

/* After the options: positional arguments and required options. */
static int finish(cli_spec *s, int argc, char **argv, char **orig) {
  for (int i = optind; i < argc; i++) {
    const char *a = unhide(orig, argc, argv[i]);
    if (s->npos >= s->max_pos) return cli_usage_error(s->cmd, "unexpected argument '%s'", a);
    s->pos[s->npos++] = a;
  }
  for (const cli_opt *o = s->opts; o->kind != CLI_KEND; o++)
    if (o->required && !o->seen)
      return cli_usage_error(s->cmd, "--%s %s is required", o->name, o->metavar);
  return CLI_GO_ON;
}

int cli_parse(cli_spec *s, int argc, char **orig) {
  struct option lo[MAX_OPTS + 2];
  char shorts[2 * MAX_OPTS + 4], *argv[argc + 1];
  int n = build(s->opts, lo, shorts), c;
  for (int i = 0; i <= argc; i++)
    argv[i] = i && i < argc && s->numbers && looks_negative(orig[i]) ? orig[i] + 1 : orig[i];
  s->npos = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    int i = opt_index(s->opts, n, c);
    if (i == -1) return cli_help(s, stdout), 0;
    if (c == ':')
      return cli_usage_error(s->cmd, "%s needs a value", argv[optind - 1]);
    if (i == -2) {
      const char *a = optopt && optopt < 256 ? (char[3]){'-', (char)optopt, 0} : argv[optind - 1];
      return cli_usage_error(s->cmd, "unknown option '%s'", a);
    }
    if (store(s->cmd, &s->opts[i], unhide(orig, argc, optarg))) return 2;
  }
  return finish(s, argc, argv, orig);
}

void cli_help(const cli_spec *s, FILE *f) {
  int w = 0;
  for (const cli_opt *o = s->opts; o->kind != CLI_KEND; o++) {
    int len = (int)strlen(o->name) + 3 + (o->metavar ? (int)strlen(o->metavar) + 1 : 0);
    if (len > w && len <= 22) w = len;
  }
  fputs(s->header, f);
  for (const cli_opt *o = s->opts; o->kind != CLI_KEND; o++) {
    char left[96];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
    fprintf(f, "  %-*s ", w, left);
    if ((int)strlen(left) > w) fprintf(f, "\n  %*s ", w, "");
    for (const char *h = o->help; *h; h++) {
      fputc(*h, f);
      if (*h == '\n') fprintf(f, "  %*s ", w, "");
    }
    fputc('\n', f);
  }
  fprintf(f, "  %-*s this text\n", w, "--help");
  if (s->footer) fputs(s->footer, f);
}

const cli_opt *cli_opt_find(const cli_opt *opts, const char *name) {
  for (; opts->kind != CLI_KEND; opts++)
    if (!strcmp(opts->name, name)) return opts;
  return NULL;
}

void cli_opts_free(cli_opt *opts) {
  for (; opts->kind != CLI_KEND; opts++)
    if (opts->kind == CLI_KINTS || opts->kind == CLI_KDOUBLES) {
      cli_list *l = opts->dest;
      free(l->i), free(l->d);
      l->i = NULL, l->d = NULL;
    }
}
