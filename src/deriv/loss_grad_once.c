/* One loss and gradient evaluation with its own workspace (engine.h), for the analyses that
 * evaluate a point once (certificates, classification). */
#include <stdlib.h>

#include "landsym/engine.h"

ls_status ls_loss_grad_once(const ls_net *net, const ls_data *d, const double *theta,
                            double *loss, double **grad, const char *what, ls_error *err) {
  size_t P = ls_net_nparams(net);
  *grad = malloc((P ? P : 1) * sizeof **grad);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_status st = LS_OK;
  if (!*grad || !w) st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", what);
  else if ((st = ls_loss_grad(net, d, theta, loss, *grad, w)))
    ls_error_set(err, st, "%s: loss and gradient could not be computed", what);
  ls_work_free(w);
  if (st) {
    free(*grad);
    *grad = NULL;
  }
  return st;
}
