/* `landsym reproduce fig2`: Brea et al. 2019 figure 2 through ls_exp_reproduce_fig2. */
#include "cli/path_fig2.h"

#include <stdio.h>

#include "cli/cli.h"

int ls_cli_reproduce_fig2(const char *out_dir, int steps) {
  ls_reproduce_opts ro = {NULL, out_dir, 0, 0, ls_ctx_default()};
  ls_exp_path_opts po;
  ls_exp_path_opts_default(&po);
  po.steps = steps > 0 ? steps : 200;
  po.log = stderr;
  ls_exp_path_result r;
  ls_error err = {0};
  if (ls_exp_reproduce_fig2(&ro, &po, &r, &err)) return cli_fail("path", &err);
  int rc = cli_path_print(&r, out_dir, 0);
  ls_exp_path_result_free(&r);
  return rc;
}
