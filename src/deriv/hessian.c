/* Exact Hessian and Hessian-vector product: not yet written (engine issue). */
#include "landsym/engine.h"

ls_status ls_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                     ls_work *w) {
  (void)net, (void)d, (void)theta, (void)H, (void)w;
  return LS_ERR_COMPUTE;
}

ls_status ls_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                 double *Hv, ls_work *w) {
  (void)net, (void)d, (void)theta, (void)v, (void)Hv, (void)w;
  return LS_ERR_COMPUTE;
}
