/* The GPU training algorithm (src/gpu/gpu_batch.cu) emulated on the host, one block of one
 * thread per seed, against the CPU trainer (same options and initial points) on the thesis
 * toy: runs without a GPU, so that the flow and Newton logic are tested everywhere. */
#define LS_GPU_EMULATE
#include "gpu/gpu_batch.cu"

#include <vector>

extern "C" {
#include "check.h"
#include "landsym/io.h"
#include "landsym/net.h"
#include "optim_fixture.h"
}

static void emul_train(const ls_net *net, const ls_data *d, const ls_train_opts *opts, size_t n,
                       double *theta, ls_gpu_result *out) {
  gnet g;
  g.din = net->width[0], g.h = net->width[1], g.b1 = net->bias[1], g.b2 = net->bias[2];
  g.act = ls_gpu_act_code(net->act[1].kind);
  g.P = (int)ls_net_nparams(net);
  g.offa = g.h * g.din + (g.b1 ? g.h : 0);
  g.n = (int)d->n;
  std::vector<double> w(d->n);
  for (size_t k = 0; k < d->n; k++) w[k] = ls_data_weight(d, k);
  g.x = d->x, g.y = d->y, g.w = w.data();
  gopts o;
  o.flow = opts->first == LS_FIRST_FLOW;
  o.newton = opts->polish == LS_POLISH_NEWTON;
  o.rtol = opts->flow_rtol, o.atol = opts->flow_atol, o.tmax = opts->flow_tmax;
  o.switch_tol = opts->switch_grad_tol, o.grad_tol = opts->grad_tol;
  o.noise = ls_gpu_loss_noise(net, d);
  o.h0 = 1e-4;
  o.flow_max = (long)opts->first_maxiter, o.newton_max = (long)opts->polish_maxiter;
  std::vector<double> smem(shared_bytes(g.P, g.h, g.din) / sizeof(double) + 1);
  ls_emul_smem = smem.data();
  for (size_t s = 0; s < n; s++) {
    blockIdx.x = (unsigned)s;
    train_kernel(g, o, theta, out);
  }
}

int main(int argc, char **argv) {
  /* default: 3 seeds on a 21 x 21 grid (seconds); `test_gpu_emulate 8 41`: the thesis grid */
  int nseeds = argc > 1 ? atoi(argv[1]) : 3, grid = argc > 2 ? atoi(argv[2]) : 21;
  ls_net net;
  thesis_net(&net, 5);
  ls_data d;
  thesis_data(&d, grid);
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_FLOW, o.polish = LS_POLISH_NEWTON, o.grad_tol = 1e-12;
  o.traj_per_decade = 0;
  size_t P = ls_net_nparams(&net);
  std::vector<double> th(nseeds * P), tc(P), gc(P);
  for (int s = 0; s < nseeds; s++) ls_params_glorot(&net, (uint64_t)s + 1, &th[s * P]);
  std::vector<ls_gpu_result> r(nseeds);
  emul_train(&net, &d, &o, (size_t)nseeds, th.data(), r.data());
  ls_work *w = ls_work_alloc(&net, d.n);
  int conv = 0, verified = 0, agree = 0, both = 0;
  ls_error err = {LS_OK, ""};
  for (int s = 0; s < nseeds; s++) {
    double lc, gi = 0;
    ls_loss_grad(&net, &d, &th[s * P], &lc, gc.data(), w);
    for (size_t p = 0; p < P; p++) gi = fmax(gi, fabs(gc[p]));
    if (r[s].stop == LS_STOP_GRAD) {
      conv++;
      verified += gi < 1e-11 && fabs(lc - r[s].loss) <= 1e-9 * fabs(lc) + 1e-28;
    }
    ls_params_glorot(&net, (uint64_t)s + 1, tc.data());
    ls_train_result cr;
    memset(&cr, 0, sizeof cr);
    ls_train(&net, &d, tc.data(), &o, &cr, &err);
    int same = (cr.loss < 1e-20 && r[s].loss < 1e-20) || check_rel(cr.loss, r[s].loss, 1e-30) < 1e-6;
    if (cr.stop == LS_STOP_GRAD && r[s].stop == LS_STOP_GRAD) both++, agree += same;
    printf("  seed %2d: emulated GPU loss %.6e grad %.2e %s (%ld flow steps, t %.3g, %ld Newton) | "
           "CPU loss %.6e grad %.2e %s (%zu iters)\n",
           s + 1, r[s].loss, r[s].grad_inf, ls_stop_name(r[s].stop), r[s].flow_steps, r[s].flow_t,
           r[s].newton_iters, cr.loss, cr.grad_norm, ls_stop_name(cr.stop), cr.iters);
    ls_train_result_free(&cr);
  }
  ls_work_free(w);
  CHECK(conv >= nseeds / 2, "emulated: %d of %d seeds converged to gradient < 1e-12", conv, nseeds);
  CHECK(verified == conv, "emulated: %d of %d converged points verified by the CPU engine", verified, conv);
  CHECK(both > 0 && agree >= both - 1, "emulated: final loss = CPU trainer's on %d of %d seeds", agree, both);
  ls_data_free(&d);
  return check_done();
}
