/* landsym: command dispatch, --help and --version. Every command starts with OpenBLAS on
 * one thread (the default execution context): OpenBLAS's threaded products sum in an
 * order that depends on its thread count, so without this a command's last digits would
 * depend on the machine's core count; commands that want BLAS threads set them. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "landsym/ctx.h"
#include "landsym/engine.h"

#define CLI_ENTRY(n, s) {#n, cmd_##n, s},
static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {CLI_COMMANDS(CLI_ENTRY)};
#undef CLI_ENTRY

static void usage(FILE *out) {
  fprintf(out,
          "usage: landsym <command> [options]\n"
          "       landsym <command> --help\n"
          "       landsym --version\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("landsym %s\nkernel %s\n", LANDSYM_VERSION, ls_kernel_name());
    return cli_stdout_close(0);
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return cli_stdout_close(0);
  }
  ls_ctx ctx = ls_ctx_default();
  ls_ctx_apply_blas(&ctx);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return cli_stdout_close(commands[i].run(argc - 1, argv + 1));
  fprintf(stderr, "landsym: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
