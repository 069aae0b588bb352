/* Peak memory of a training run, counted from the phases' allocations, so that ls_train
 * can refuse a run the machine cannot hold before it starts (docs/engine.md, "Memory"). */
#include <string.h>

#include "landsym/engine.h"
#include "landsym/optim.h"

/* Doubles a phase holds at its peak, beyond the objective's workspace. */
static double phase_doubles(ls_phase_kind k, const ls_train_opts *o, const ls_net *net, size_t n) {
  double P = (double)ls_net_nparams(net), M = (double)n * net->width[net->n_layers];
  double K = M < P ? M : P;
  switch (k) {
    case LS_PHASE_GD:
    case LS_PHASE_ADAM:
      return 4 * P;
    case LS_PHASE_FLOW: /* CVODE's history (6 vectors of order 5) and its Jacobian or Krylov basis */
      return (o->flow_linsol == LS_LINSOL_DENSE ||
              (o->flow_linsol == LS_LINSOL_AUTO && P <= (double)o->dense_max_params))
                 ? 2 * P * P + 20 * P
                 : 30 * P;
    case LS_PHASE_NEWTON: /* dense: H, its eigenvectors, the eigen-solver's copy and
                             LAPACKE's transpose; hvp: ten vectors and a Lanczos basis */
      return ls_newton_uses_hvp(o, (size_t)P) ? 70 * P : 4 * P * P + 8 * P;
    case LS_PHASE_SLSQP: /* NLopt's SLSQP workspace, about (3 n1 + 1)(n1 + 1) + n1^2 + n1 n / 2 */
      return 4.5 * P * P + 20 * P;
    case LS_PHASE_LBFGS: /* NLopt's LBFGS: two vectors per stored pair, at most 100 pairs */
      return 210 * P;
    case LS_PHASE_LM: /* the Jacobian, its SVD factors U (M x K) and V^T (K x P) */
      return M * P + M * K + K * P + 2 * M + 6 * P;
    case LS_PHASE_LM_SHALLOW: /* three P x P matrices */
      return 3 * P * P + 10 * P;
    default:
      return 0;
  }
}

double ls_train_bytes(const ls_train_opts *o, const ls_net *net, size_t n, const char **peak) {
  size_t P = ls_net_nparams(net);
  ls_phase_list l;
  ls_polish_phases(o, P, &l);
  ls_phase_kind first = o->first == LS_FIRST_GD     ? LS_PHASE_GD
                        : o->first == LS_FIRST_ADAM ? LS_PHASE_ADAM
                        : o->first == LS_FIRST_FLOW ? LS_PHASE_FLOW
                                                    : LS_PHASE_NONE;
  ls_phase_kind all[LS_PHASE_LIST_MAX + 2];
  int na = 0;
  all[na++] = first;
  for (int i = 0; i < l.n; i++) all[na++] = l.k[i];
  if (o->polish == LS_POLISH_AUTO && o->lm_max_iter > 0 && net->n_layers == 2 &&
      net->width[2] == 1 && P <= o->auto_newton_max)
    all[na++] = LS_PHASE_LM_SHALLOW; /* auto's attempt on one-hidden-layer networks */
  double top = 0;
  if (peak) *peak = "adam";
  for (int i = 0; i < na; i++) {
    double d = phase_doubles(all[i], o, net, n);
    if (d > top) {
      top = d;
      if (peak) *peak = ls_phase_name(all[i]);
    }
  }
  return (double)ls_work_bytes(NULL, net, n) + (top + 4.0 * (double)P) * sizeof(double);
}
