/* landsym sweep: placeholder until its issue lands; says so and fails. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_sweep(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "landsym sweep: not available in this build yet\n");
  return 1;
}
