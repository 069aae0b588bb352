/* Plain per-sample engine path for networks with gated linear units (glu.c); the public
 * functions of engine.h call these when ls_net_n_glu(net) > 0. */
#ifndef LANDSYM_DERIV_GLU_H
#define LANDSYM_DERIV_GLU_H

#include "landsym/data.h"
#include "landsym/net.h"
#include "landsym/status.h"

ls_status ls_glu_forward(const ls_net *net, const double *theta, size_t n, const double *x,
                         double *out);
ls_status ls_glu_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                           double *loss, double *grad); /* grad may be NULL */
ls_status ls_glu_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                     double *Hv);
ls_status ls_glu_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H);

#endif
