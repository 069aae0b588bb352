/* Internal layout of ls_layers (layers.c), shared with the Jacobian (jacobian.c). */
#ifndef LANDSYM_DERIV_LAYERS_H
#define LANDSYM_DERIV_LAYERS_H

#include "landsym/engine.h"
#include "work.h"

struct ls_layers {
  ls_net net;   /* the shape the workspace was made for */
  size_t cap;   /* capacity in samples */
  size_t n;     /* samples of the last pass */
  /* row-major n x width[l]: a for l = 0..L (a[0]: the caller's inputs, read only),
   * z, dz for l = 1..L, u and du for the layers with GLU units (else NULL) */
  double *a[LS_MAX_LAYERS + 1], *z[LS_MAX_LAYERS + 1], *u[LS_MAX_LAYERS + 1];
  double *dz[LS_MAX_LAYERS + 1]; /* da/dz: act'(z), for a GLU unit act'(z) + u act''(z) */
  double *du[LS_MAX_LAYERS + 1]; /* da/du: act'(z) for a GLU unit, 0 for the others */
  ls_blk blk;                    /* one block of the blocked pass (no GLU units) */
  double *buf;
};

/* LS_OK when net has y's shape and n <= y's capacity; else LS_ERR_INPUT with a message. */
ls_status ls_layers_fits(const ls_net *net, size_t n, const ls_layers *y, ls_error *err);

#endif
