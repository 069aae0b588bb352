/* Targets from a teacher network (config.h): the data set of an experiment whose targets
 * are a teacher's outputs, y_k = f_teacher(x_k) (thesis section 6.2; for an NLL teacher the
 * softmax of its outputs, or the one-hot row of their argmax). */
#include <math.h>

#include "landsym/config.h"
#include "landsym/engine.h"

ls_status ls_data_teacher_targets(ls_data *d, const ls_net *teacher, const double *theta,
                                  int onehot, ls_error *err) {
  int L = teacher->n_layers;
  if (teacher->width[0] != d->din || teacher->width[L] != d->dout)
    return ls_error_set(err, LS_ERR_INPUT,
                        "teacher maps %d inputs to %d outputs, data have %d inputs and %d targets",
                        teacher->width[0], teacher->width[L], d->din, d->dout);
  ls_work *w = ls_work_alloc(teacher, d->n);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "out of memory for the teacher's workspace");
  ls_status st = ls_forward(teacher, theta, d->n, d->x, d->y, w);
  ls_work_free(w);
  if (st) return ls_error_set(err, st, "teacher forward pass failed");
  if (teacher->loss == LS_LOSS_NLL)
    for (size_t k = 0; k < d->n; k++) {
      double *row = d->y + k * (size_t)d->dout, m = row[0], s = 0.0;
      int arg = 0;
      for (int o = 1; o < d->dout; o++)
        if (row[o] > m) m = row[o], arg = o;
      for (int o = 0; o < d->dout; o++) s += row[o] = onehot ? (o == arg) : exp(row[o] - m);
      for (int o = 0; o < d->dout; o++) row[o] /= s;
    }
  return ls_data_check_finite(d, "teacher targets", err);
}
