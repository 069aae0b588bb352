/* landsym path: placeholder until its issue lands; says so and fails. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_path(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "landsym path: not available in this build yet\n");
  return 1;
}
