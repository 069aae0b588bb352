/* landsym reproduce fig3: Brea et al. 2019 figure 3 through ls_exp_reproduce_fig3
 * (src/exp/fig3_run.c); the summary table on stdout, progress on stderr. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/reproduce_fig3.h"
#include "landsym/core.h"
#include "landsym/exp_fig3.h"

int reproduce_fig3(const char *config, const char *out, const char *seeds, const char *threads) {
  double t0 = ls_clock_seconds();
  long v = 0, nt = 1;
  if (seeds && cli_opt_long("reproduce", "seeds", seeds, 1, 10000, &v)) return 2;
  if (threads && (cli_parse_long(threads, &nt) || nt < 1)) nt = 1;
  ls_reproduce_opts ro = {config, out, v, 0, ls_ctx_threads((int)nt)};
  ro.ctx.blas_threads = 1;
  ls_exp_fig3_result res;
  ls_error err = {0};
  if (ls_exp_reproduce_fig3(&ro, &res, stderr, &err)) {
    int rc = cli_fail("reproduce", &err);
    if (strstr(err.msg, "cannot open"))
      fprintf(stderr, "landsym reproduce: install the MNIST digits with scripts/setup_mnist.sh "
                      "or point the config's data section at your IDX files (docs/mnist.md)\n");
    return rc;
  }
  ls_exp_fig3_print(stdout, &res.opts, &res.summary);
  ls_exp_fig3_result_free(&res);
  fprintf(stderr, "landsym reproduce fig3: done in %.1f s; %s/summary.json\n",
          ls_clock_seconds() - t0, out);
  return 0;
}
