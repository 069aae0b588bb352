/* Closed-form Gauss-Newton matrix and Hessian for one-hidden-layer, one-output MSE
 * networks (src/optim/shallow.c). */
#ifndef LANDSYM_OPTIM_SHALLOW_H
#define LANDSYM_OPTIM_SHALLOW_H

#include "landsym/engine.h"
#include "landsym/optim.h"

#define LS_SHALLOW_BLOCK 256 /* samples per pass */

typedef struct {
  size_t P;
  int u;        /* incoming entries of a hidden neuron: inputs, plus 1 with a bias */
  double *buf;  /* per-block scratch (see ls_shallow_alloc) */
  size_t *idx;  /* parameter index of entry j of hidden neuron i's incoming vector */
  double *w2;   /* 2 w_k, then sqrt(2 w_k), for the n samples */
  ls_layers *lay; /* the engine's forward pass over the n samples */
} ls_shallow;

/* 1 when the objective is a one-hidden-layer, one-output MSE loss without penalties. */
int ls_shallow_applies(const ls_objective *o);
ls_status ls_shallow_alloc(ls_shallow *s, const ls_objective *o);
void ls_shallow_free(ls_shallow *s); /* accepts a zeroed struct */
/* A = Gauss-Newton matrix, S = residual curvature (H = A + S), P x P row-major, at theta;
 * S may be NULL (not computed). LS_ERR_COMPUTE when an entry is not finite. */
ls_status ls_shallow_matrices(ls_shallow *s, const ls_objective *o, const double *theta,
                              double *A, double *S);

#endif
