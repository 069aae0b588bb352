/* Loss, gradient and Hessian of fixed random problems, printed exactly (%a), for one kernel
 * of the hot loops (built once per kernel: kernel_dump_kernel_K); kernel_agree.sh compares
 * the kernels. The problems cover the general block path (depth 1-4, every activation,
 * both losses, with and without biases), the fused shallow kernels (1 hidden layer,
 * sigmoid and tanh, sample counts below, at and above the vector blocks) and Hessians. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "random_problem.h"
#include "landsym/engine.h"

static int dump(const char *tag, const ls_net *net, size_t n, unsigned *seed) {
  ls_data d;
  double *th = random_problem(net, n, seed, &d);
  size_t P = ls_net_nparams(net);
  double *g = malloc(P * sizeof *g), *H = malloc(P * P * sizeof *H), L;
  ls_work *w = ls_work_alloc(net, d.n);
  int bad = !th || !g || !H || !w || ls_loss_grad(net, &d, th, &L, g, w) ||
            ls_hessian(net, &d, th, H, w);
  if (!bad) {
    printf("%s loss %a\n%s grad", tag, L, tag);
    for (size_t i = 0; i < P; i++) printf(" %a", g[i]);
    printf("\n%s hess", tag);
    for (size_t i = 0; i < P * P; i++) printf(" %a", H[i]);
    printf("\n");
  }
  ls_work_free(w);
  free(th), free(g), free(H);
  ls_data_free(&d);
  return bad;
}

int main(void) {
  printf("kernel %s\n", ls_kernel_name());
  unsigned seed = 4242;
  int bad = 0;
  char tag[64];
  for (int act = 0; act < LS_ACT_COUNT; act++)
    for (int depth = 1; depth <= 4; depth++)
      for (int bias = 0; bias <= 1; bias++)
        for (int loss = 0; loss <= 1; loss++) {
          ls_net net;
          random_net_init(&net, (ls_act_kind)act, depth, bias, (ls_loss_kind)loss);
          snprintf(tag, sizeof tag, "gen-%d-%d-%d-%d", act, depth, bias, loss);
          bad |= dump(tag, &net, 37, &seed);
        }
  /* shallow networks: the fused kernels (fused.c, fused_small.c) */
  const size_t ns[] = {3, 8, 16, 61, 200};
  const ls_act_kind acts[] = {LS_ACT_SIGMOID, LS_ACT_TANH};
  for (int a = 0; a < 2; a++)
    for (int bias = 0; bias <= 1; bias++)
      for (int i = 0; i < 5; i++) {
        int widths[3] = {2, 6, 1};
        ls_act ac = {acts[a], 0, 0};
        ls_net net;
        ls_net_init(&net, 2, widths, ac, bias, NULL);
        snprintf(tag, sizeof tag, "fused-%d-%d-%zu", a, bias, ns[i]);
        bad |= dump(tag, &net, ns[i], &seed);
      }
  CHECK(!bad, "every loss, gradient and Hessian evaluated");
  return check_done();
}
