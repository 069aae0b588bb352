/* landsym: safetensors files (the tensor format of Hugging Face's `safetensors`).
 *
 * Format: an 8-byte little-endian unsigned header length N, N bytes of a JSON object
 * {"NAME": {"dtype": "F64", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...,
 *  "__metadata__": {"key": "string", ...}} (metadata optional), then the data buffer:
 * every tensor's elements little-endian, C order, at bytes [begin, end) of the buffer.
 * landsym writes F64 only and pads the header with spaces to a multiple of 8 bytes; it
 * reads F64 and F32 (converted exactly to double). Malformed files (short header, a
 * header length past the end, bad JSON, unknown dtype, offsets that disagree with the
 * shape, overlapping or uncovered bytes, trailing data, NaN/inf) are LS_ERR_INPUT with a
 * message naming the file and the tensor.
 *
 * Parameter vectors (src/io/safetensors_params.c, src/net/safetensors_params.c) are stored as a PyTorch nn.Sequential of
 * nn.Linear layers separated by one activation module each, i.e. its state_dict:
 *   layer l = 1..L of the net is module index k = 2(l-1);
 *   "k.weight"  W_l, shape [width[l], width[l-1]] (out x in, row-major = the flat layout);
 *   "k.bias"    b_l, shape [width[l]]           (only when bias[l]);
 *   "k.glu_weight", "k.glu_bias"  V_l [glu[l], width[l-1]] and c_l [glu[l]] for GLU units
 *                (landsym's own names; PyTorch has no such module).
 * Concatenating the tensors in that order (k ascending, weight, bias, glu_weight, glu_bias)
 * gives exactly the flat parameter vector of net.h. A file holding a single 1-D tensor
 * named "params" is also read as the flat vector. */
#ifndef LANDSYM_SAFETENSORS_H
#define LANDSYM_SAFETENSORS_H

#include <stddef.h>

#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
/* The part names of a layer's block in layout order: weight, bias, glu_weight, glu_bias. */
extern const char *const ls_safetensors_parts[4];
/* The single 1-D tensor "params" of f, or NULL. */
const ls_st_tensor *ls_safetensors_flat_tensor(const ls_st_file *f);

#endif

#define LS_ST_MAX_DIMS 8

typedef struct {
  char *name;                  /* owned */
  int ndim;                    /* 0 = scalar (one element) */
  size_t shape[LS_ST_MAX_DIMS];
  size_t numel;
  double *data;                /* numel values; owned by the file struct when read */
} ls_st_tensor;

typedef struct {
  size_t n;
  ls_st_tensor *t;             /* in the order of their data offsets */
} ls_st_file;

/* Read every tensor of path. f is zeroed first; on failure it is left freed. */
ls_status ls_safetensors_read(const char *path, ls_st_file *f, ls_error *err);
void ls_safetensors_free(ls_st_file *f); /* accepts a zeroed struct */
/* The tensor called name, or NULL. */
const ls_st_tensor *ls_safetensors_find(const ls_st_file *f, const char *name);
/* Write n tensors (F64, in the given order, data packed back to back) atomically, with the
 * metadata pairs meta[0..2*n_meta-1] = key, value (NULL when n_meta = 0). Names must be
 * distinct and not "__metadata__". */
ls_status ls_safetensors_write(const char *path, const ls_st_tensor *t, size_t n,
                               const char *const *meta, size_t n_meta, ls_error *err);

/* ---- parameter vectors as an nn.Sequential state_dict (layout above) ---- */

/* Read a parameter vector without knowing the net: a single tensor "params", or the
 * state_dict tensors "k.weight", "k.bias", ... concatenated in layout order. */
ls_status ls_safetensors_params_read(const char *path, double **theta, size_t *n,
                                     ls_error *err);
/* Write a bare flat vector as the single 1-D tensor "params". */
ls_status ls_safetensors_params_write_flat(const char *path, const double *theta, size_t n,
                                           ls_error *err);

#ifdef __cplusplus
}
/* The part names of a layer's block in layout order: weight, bias, glu_weight, glu_bias. */
extern const char *const ls_safetensors_parts[4];
/* The single 1-D tensor "params" of f, or NULL. */
const ls_st_tensor *ls_safetensors_flat_tensor(const ls_st_file *f);

#endif
/* The part names of a layer's block in layout order: weight, bias, glu_weight, glu_bias. */
extern const char *const ls_safetensors_parts[4];
/* The single 1-D tensor "params" of f, or NULL. */
const ls_st_tensor *ls_safetensors_flat_tensor(const ls_st_file *f);

#endif
