/* Internal layout of the BLAS engine (gemm.c, gemm_hvp.c).
 *
 * A block of nb consecutive samples is held sample-major, as the data already are: the
 * array of a layer of width w is nb rows of w values (row k = sample k0 + k), so the
 * inputs of a block are used in place and every layer is one matrix product,
 *   Z_l = A_{l-1} W_l^T + 1 b_l^T          (nb x w_l, cblas_dgemm)
 * and the backward pass and the R-operator are products of the same shapes. */
#ifndef LANDSYM_DERIV_GEMM_H
#define LANDSYM_DERIV_GEMM_H

#include "work.h"

/* A thread's scratch for the sparse first layer's gradient (gemm_sparse.c): the
 * accumulator of grad W_1^T (din x wp), the block's Delta_1 padded to wp columns, and
 * one cursor a column into the by-columns index.  Delta_1 rows of consecutive blocks are
 * stashed (ls_gm_sparse_stash) and folded into the accumulator span by span
 * (ls_gm_sparse_grad). */
typedef struct {
  double *acc, *dpad;
  size_t *cur;
  size_t first, count; /* samples first .. first+count-1 stashed in dpad */
} ls_gm_sp;

/* Per-block state, layer l = 0..L, each nb x width[l] row-major. */
typedef struct {
  const double *a0;             /* inputs of the block (in the data, ld = width[0]) */
  double *z;                    /* pre-activation scratch, nb x max width            */
  double *a[LS_MAX_LAYERS + 1]; /* activations, l >= 1                               */
  double *d1[LS_MAX_LAYERS + 1], *d2[LS_MAX_LAYERS + 1]; /* act', act'' (d2: HVP)   */
  double *e[LS_MAX_LAYERS + 1];  /* dloss/da_l (weighted; HVP only, l >= 1)         */
  double *dl[LS_MAX_LAYERS + 1]; /* delta_l = dloss/dz_l                             */
  double *p, *c;                 /* softmax probabilities (nb x m), curvature factor */
  double *rz[LS_MAX_LAYERS + 1], *ra[LS_MAX_LAYERS + 1]; /* R z_l, R a_l (HVP)      */
  double *rd, *re;               /* R delta_l, R e_l of the current layer (HVP)      */
  /* sparse first layer (gemm_sparse.c; NULL: dense): the inputs' index, W_1^T, and the
   * din x width[1] gradient accumulator of W_1^T; k0 = the block's first sample */
  const ls_data_sparse *xs;
  const double *wt;
  ls_gm_sp sp;
  size_t k0;
} ls_gm_blk;

struct ls_gemm {
  size_t nb;      /* samples per block (fixed by the network and n: see ls_gm_block) */
  int nthr;
  size_t glen, hlen; /* doubles per thread: gradient pass, HVP pass */
  double *g, *h;     /* nthr x glen, nthr x hlen (each allocated on first use) */
  double *wt;        /* sparse first layer: W_1^T, then nthr accumulators (same size) */
};

/* Samples per block for net on n samples (a function of the network and n only, so
 * the block partition and the reduction order never depend on the thread count). */
size_t ls_gm_block(const ls_net *net, size_t n, int hvp);
/* Lay out one block's state in buf (NULL: only count); returns its length in doubles. */
size_t ls_gm_layout(const ls_net *net, size_t nb, int hvp, double *buf, ls_gm_blk *b);
/* The engine's scratch for the gradient (hvp = 0) or HVP (1) pass, allocated once. */
ls_status ls_gm_ready(ls_work *w, int hvp);
/* Set OpenBLAS threads for a region: 1 when the sample loop is parallel (par), else
 * the workspace's blas_threads; returns the previous setting, which
 * ls_gm_blas_restore puts back after the region. */
int ls_gm_blas_threads(const ls_work *w, int par);
void ls_gm_blas_restore(const ls_work *w, int par, int old);
/* Forward pass of samples k0..k0+nb-1 (d2 too when hvp). */
void ls_gm_forward(const ls_net *net, const double *theta, const double *x, size_t k0,
                   size_t nb, ls_gm_blk *b, int hvp);
/* Output layer: weighted dloss/df into e[L] (hvp) and delta_L into dl[L]; curvature
 * factors c, p when hvp; returns sum_k w_k loss_k of the block. */
double ls_gm_output(const ls_net *net, const ls_data *d, size_t k0, size_t nb, ls_gm_blk *b,
                    int hvp);
/* Backpropagation: adds the block's gradient to g (if g), and keeps e_l, delta_l of
 * every layer when hvp. */
void ls_gm_backward(const ls_net *net, const double *theta, size_t nb, ls_gm_blk *b,
                    double *g, int hvp);

/* Sparse first layer (gemm_sparse.c): the index to use (d->xs where it fits d); the
 * scratch (W_1^T and each thread's ls_gm_sp), allocated once; thread t's part of it;
 * W_1^T from theta; Z_1 += X W_1^T over samples k0..k0+nb-1; the column cursors set to
 * sample k0 (a group's start); the blocks per pass; a block's Delta_1 stashed; the
 * accumulator += X^T Delta_1 over the stashed samples (spans in increasing order after
 * ls_gm_sparse_start); the accumulator added (transposed) to g's
 * W_1 block; the accumulator zeroed (at a group's start). */
const ls_data_sparse *ls_gm_sparse_inputs(const ls_data *d);
size_t ls_gm_sparse_len(const ls_net *net, size_t n, int nthr); /* the scratch, doubles */
ls_status ls_gm_sparse_ready(ls_work *w);
ls_gm_sp ls_gm_sparse_scratch(const ls_work *w, int thread);
void ls_gm_sparse_transpose(const ls_net *net, const double *theta, double *wt);
void ls_gm_sparse_forward(const ls_data_sparse *xs, size_t k0, size_t nb, int wo,
                          const double *wt, double *z);
void ls_gm_sparse_start(const ls_data_sparse *xs, size_t k0, size_t *cur);
size_t ls_gm_sparse_span(const ls_net *net, size_t n); /* blocks stashed per pass */
void ls_gm_sparse_stash(size_t k0, size_t nb, int wo, const double *dl, ls_gm_sp *sp);
void ls_gm_sparse_grad(const ls_data_sparse *xs, int wo, ls_gm_sp *sp);
void ls_gm_sparse_fold(const ls_net *net, double *acc, double *g);
void ls_gm_sparse_clear(const ls_net *net, double *acc);

#endif
