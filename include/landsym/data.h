/* landsym: data sets (inputs, targets, per-sample weights) and their sources. */
#ifndef LANDSYM_DATA_H
#define LANDSYM_DATA_H

#include <stddef.h>

#include <stdint.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The nonzero inputs of a data set, both by rows and by columns: sample k's nonzero
 * x[k, col[i]] = val[i] for i in row[k] .. row[k+1]-1 (columns increasing), and column
 * j's nonzero x[cidx[i], j] = cval[i] for i in cptr[j] .. cptr[j+1]-1 (samples
 * increasing).  Built from x by ls_data_sparse_build (src/data/sparse.c); the BLAS engine
 * then forms the first layer's products from it (src/deriv/gemm_sparse.c). */
typedef struct {
  size_t n, nnz;
  int din;
  const double *x; /* the inputs it was built from (an index is used with those only) */
  size_t *row; /* n + 1 */
  int32_t *col;
  double *val;
  size_t *cptr; /* din + 1 */
  uint32_t *cidx;
  double *cval;
} ls_data_sparse;

/* n samples; x is n x din row-major, y is n x dout row-major (for NLL: one-hot rows).
 * w holds per-sample weights that sum to 1 (quadrature weights, user weights);
 * w == NULL means the uniform 1/n. The loss is sum_k w_k * loss_k.
 * xs (NULL unless built) is x's sparse index: owned by the data set, freed by
 * ls_data_free, and dropped (ls_data_sparse_drop) by whatever rewrites x.  Copies of the
 * struct share it and must leave x unchanged. */
typedef struct {
  size_t n;
  int din, dout;
  double *x, *y, *w;
  ls_data_sparse *xs;
} ls_data;

ls_status ls_data_alloc(ls_data *d, size_t n, int din, int dout, int with_weights, ls_error *err);
void ls_data_free(ls_data *d); /* accepts a zeroed struct */
/* Weight of sample k (w[k] or 1/n). */
static inline double ls_data_weight(const ls_data *d, size_t k) {
  return d->w ? d->w[k] : 1.0 / (double)d->n;
}

/* ---- sources (src/data/) ---------------------------------------------------------
 * Generators fill x (and w where stated) and leave y zero for dout columns; targets
 * come from a teacher (ls_data_teacher_targets, landsym/config.h) or from a file. */

/* Regular grid: n^dim points, coordinate i = lo + i*(hi-lo)/(n-1), the last coordinate
 * varying fastest (thesis section 6.2: n = 41, dim = 2, [-5, 5]^2, 1681 points). */
ls_status ls_data_grid(ls_data *d, size_t n, int dim, double lo, double hi, int dout,
                       ls_error *err);
/* n standard-normal samples in dimension dim from ls_rng seeded with seed, drawn in
 * row-major order (see rng.h). Uniform weights (w == NULL). */
ls_status ls_data_gaussian(ls_data *d, size_t n, int dim, uint64_t seed, int dout,
                           ls_error *err);
/* Gauss-Hermite rule for the standard normal density (probabilists' Hermite):
 * sum_i weights[i] f(nodes[i]) = E[f(Z)], Z ~ N(0,1), exact for polynomials of degree
 * <= 2*points-1. Golub-Welsch: nodes are the eigenvalues of the symmetric tridiagonal
 * Jacobi matrix with zero diagonal and off-diagonal sqrt(k), k = 1..points-1; weights
 * are the squared first components of the unit eigenvectors (LAPACKE dstev),
 * normalised to sum 1. Nodes ascending. 1 <= points <= 500. */
ls_status ls_hermite_rule(int points, double *nodes, double *weights, ls_error *err);
/* Tensor-product Gauss-Hermite data set: points^dim samples (dim 1 or 2, last
 * coordinate fastest) with weights w = product of the 1-D weights (sum 1). */
ls_status ls_data_hermite(ls_data *d, int points, int dim, int dout, ls_error *err);

/* User data from .npy files: x (n x din, or 1-D = din 1), optional y (n x dout or
 * 1-D), optional per-sample weights (n; must be >= 0 with a positive sum; normalised
 * to sum 1). Without y, dout columns of zeros are allocated (targets from a teacher).
 * Errors name the file and the position. */
ls_status ls_data_load_npy(ls_data *d, const char *xpath, const char *ypath,
                           const char *wpath, int din, int dout, ls_error *err);
/* User data from a CSV table: din input columns, then either dout target columns or
 * none (targets from a teacher, has_targets set to 0). */
ls_status ls_data_load_csv(ls_data *d, const char *path, int din, int dout,
                           int *has_targets, ls_error *err);

/* IDX files (the MNIST / Fashion-MNIST format, plain or gzip-compressed): unsigned-byte
 * arrays only (type 0x08). *data is malloc'd, dims[0..ndim-1] big-endian sizes decoded.
 * Bad magic, other types, 0 or > 4 dimensions, sizes overflowing 2^34 bytes, truncated
 * header or data, trailing bytes and damaged gzip streams are LS_ERR_INPUT naming the file. */
ls_status ls_idx_read(const char *path, unsigned char **data, int *ndim, size_t dims[4],
                      ls_error *err);
/* Images (n x rows x cols) and labels (n) as a classification data set: x = pixel/255
 * flattened row-major (din = rows*cols), y = one-hot rows of dout classes (a label >=
 * dout is an error). limit > 0 keeps the first `limit` samples. */
ls_status ls_data_load_idx(ls_data *d, const char *images, const char *labels, size_t limit,
                           int dout, ls_error *err);
/* The same bytes in memory (name labels the messages); what ls_idx_read validates. */
ls_status ls_idx_parse(const unsigned char *buf, size_t len, const char *name,
                       unsigned char **data, int *ndim, size_t dims[4], ls_error *err);
/* Target encodings for IDX labels: one-hot rows over dout classes, or (dout = 1) the
 * parity +1 for an odd label, -1 for an even one (thesis section 6.3). */
typedef enum { LS_IDX_ONEHOT = 0, LS_IDX_PARITY = 1 } ls_idx_labels;
ls_status ls_data_load_idx_labels(ls_data *d, const char *images, const char *labels, size_t limit,
                                  int dout, ls_idx_labels mode, ls_error *err);
/* Each input column shifted to mean 0 and scaled to (population) standard deviation 1;
 * a constant column becomes 0. */
ls_status ls_data_standardize(ls_data *d, ls_error *err);
/* Replace x by its coordinates on the k leading principal axes (x centred by its mean,
 * axes = eigenvectors of the covariance sorted by decreasing eigenvalue, each signed so
 * that its largest-magnitude entry is positive; no whitening). din becomes k. */
ls_status ls_data_pca(ls_data *d, int k, ls_error *err);
/* The same; var (k entries, or NULL) receives the explained variances (the leading
 * eigenvalues of the covariance with divisor n), decreasing. */
ls_status ls_data_pca_var(ls_data *d, int k, double *var, ls_error *err);

/* The sparse index of the inputs (ls_data_sparse): ls_data_sparse_worth tells whether
 * x is sparse enough for it to pay (at least LS_SPARSE_MIN_DIN inputs, at most
 * LS_SPARSE_MAX_FILL of the entries nonzero: the crossover measured in
 * src/deriv/gemm_sparse.c); ls_data_sparse_build builds it (replacing an older one;
 * LS_ERR_INPUT for 2^32 samples or more);
 * ls_data_sparse_index builds it where it is worth it; ls_data_sparse_drop frees it. */
#define LS_SPARSE_MIN_DIN 32
#define LS_SPARSE_MAX_FILL 0.5
int ls_data_sparse_worth(const ls_data *d);
ls_status ls_data_sparse_build(ls_data *d, ls_error *err);
ls_status ls_data_sparse_index(ls_data *d, ls_error *err);
void ls_data_sparse_drop(ls_data *d);

/* First NaN/inf in x, y or w, named "<what>: x[row k, col j] is nan". */
ls_status ls_data_check_finite(const ls_data *d, const char *what, ls_error *err);
/* NLL targets are probability vectors (Simsek et al. 2021 use soft teacher outputs or
 * one-hot labels): every entry >= 0 and each row summing to 1 within 1e-6 (as printed
 * decimals give); LS_ERR_INPUT naming the row otherwise. Without it the loss
 * -sum_o y_o log softmax_o is unbounded below. */
ls_status ls_data_check_nll_targets(const ls_data *d, const char *what, ls_error *err);
/* Normalises n non-negative finite weights to sum 1 without overflow (scaled by the
 * largest first: [1e308]*10 gives 0.1 each, not 0); LS_ERR_INPUT if one is negative or not
 * finite, or all are 0. what names the source in messages. */
ls_status ls_data_normalize_weights(double *w, size_t n, const char *what, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
