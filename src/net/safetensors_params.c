/* Parameter vectors of a network as safetensors files: the flat layout of net.h mapped onto
 * the state_dict of a PyTorch nn.Sequential (mapping in include/landsym/safetensors.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/safetensors_net.h"

#define PART ls_safetensors_parts

void ls_safetensors_param_name(int l, const char *what, char *buf, size_t len) {
  snprintf(buf, len, "%d.%s", 2 * (l - 1), what);
}

/* Tensor `part` of layer l (shape, offset into theta); 0 when the layer has no such part. */
static int layer_part(const ls_net *net, int l, int part, size_t shape[2], int *ndim,
                      size_t *off) {
  int out = net->width[l], in = net->width[l - 1], g = net->glu[l];
  switch (part) {
    case 0: shape[0] = (size_t)out, shape[1] = (size_t)in, *ndim = 2; *off = ls_net_w_offset(net, l); return 1;
    case 1: shape[0] = (size_t)out, *ndim = 1; *off = ls_net_b_offset(net, l); return net->bias[l];
    case 2: shape[0] = (size_t)g, shape[1] = (size_t)in, *ndim = 2; *off = ls_net_v_offset(net, l); return g > 0;
    default: shape[0] = (size_t)g, *ndim = 1; *off = ls_net_c_offset(net, l); return g > 0 && net->bias[l];
  }
}

/* Fill t (room for 4 L entries, names in names[][32]) with the tensors of net over theta. */
static size_t net_tensors(const ls_net *net, const double *theta, ls_st_tensor *t,
                          char (*names)[32]) {
  size_t n = 0;
  for (int l = 1; l <= net->n_layers; l++)
    for (int p = 0; p < 4; p++) {
      size_t off;
      ls_st_tensor *x = &t[n];
      memset(x, 0, sizeof *x);
      if (!layer_part(net, l, p, x->shape, &x->ndim, &off)) continue;
      x->numel = x->shape[0] * (x->ndim == 2 ? x->shape[1] : 1);
      ls_safetensors_param_name(l, PART[p], names[n], sizeof names[n]);
      x->name = names[n];
      x->data = (double *)(theta + off);
      n++;
    }
  return n;
}

ls_status ls_safetensors_params_write(const char *path, const ls_net *net, const double *theta,
                                      ls_error *err) {
  ls_status st = ls_net_validate(net, err);
  if (st) return st;
  if (ls_net_n_glu2(net))
    return ls_error_set(err, LS_ERR_INPUT, "%s: safetensors: second-order GLU units have no "
                        "nn.Sequential layout (write .npy)", path);
  ls_st_tensor t[4 * LS_MAX_LAYERS];
  char names[4 * LS_MAX_LAYERS][32], desc[256];
  size_t n = net_tensors(net, theta, t, names);
  ls_net_describe(net, desc, sizeof desc);
  const char *meta[] = {"format", "pt", "landsym.net", desc, "landsym.layout", "nn.Sequential"};
  return ls_safetensors_write(path, t, n, meta, 3, err);
}

static int same_shape(const ls_st_tensor *x, const size_t *shape, int ndim) {
  if (x->ndim != ndim) return 0;
  for (int d = 0; d < ndim; d++)
    if (x->shape[d] != shape[d]) return 0;
  return 1;
}

/* Copy every tensor the layout of net names into theta; count them in *used. */
static ls_status copy_layers(const ls_st_file *f, const ls_net *net, const char *path,
                             double *theta, size_t *used, ls_error *err) {
  *used = 0;
  for (int l = 1; l <= net->n_layers; l++)
    for (int p = 0; p < 4; p++) {
      size_t shape[2], off;
      int ndim;
      char name[32];
      if (!layer_part(net, l, p, shape, &ndim, &off)) continue;
      ls_safetensors_param_name(l, PART[p], name, sizeof name);
      const ls_st_tensor *x = ls_safetensors_find(f, name);
      if (!x)
        return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s' missing (layer %d of the network)",
                            path, name, l);
      if (!same_shape(x, shape, ndim))
        return ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s': expected shape [%zu%s%.0zu]",
                            path, name, shape[0], ndim == 2 ? ", " : "", ndim == 2 ? shape[1] : 0);
      memcpy(theta + off, x->data, x->numel * sizeof *theta);
      (*used)++;
    }
  return LS_OK;
}

/* The first tensor of f that the layout of net does not name. */
static const char *extra_tensor(const ls_st_file *f, const ls_net *net) {
  for (size_t i = 0; i < f->n; i++) {
    int found = 0;
    for (int l = 1; l <= net->n_layers && !found; l++)
      for (int p = 0; p < 4 && !found; p++) {
        size_t shape[2], off;
        int ndim;
        char name[32];
        ls_safetensors_param_name(l, PART[p], name, sizeof name);
        found = layer_part(net, l, p, shape, &ndim, &off) && !strcmp(name, f->t[i].name);
      }
    if (!found) return f->t[i].name;
  }
  return NULL;
}

ls_status ls_safetensors_params_read_net(const char *path, const ls_net *net, double **theta,
                                         ls_error *err) {
  ls_st_file f;
  ls_status st = ls_safetensors_read(path, &f, err);
  if (st) return st;
  size_t P = ls_net_nparams(net), used = 0;
  char desc[256];
  ls_net_describe(net, desc, sizeof desc);
  *theta = malloc((P ? P : 1) * sizeof **theta);
  const ls_st_tensor *flat = ls_safetensors_flat_tensor(&f);
  if (!*theta) st = ls_error_set(err, LS_ERR_NOMEM, "%s: out of memory", path);
  else if (flat && flat->numel != P)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: %zu parameters, network %s has %zu", path,
                      flat->numel, desc, P);
  else if (flat) memcpy(*theta, flat->data, P * sizeof **theta);
  else if (!(st = copy_layers(&f, net, path, *theta, &used, err)) && used != f.n)
    st = ls_error_set(err, LS_ERR_INPUT, "%s: tensor '%s' is not a parameter of network %s",
                      path, extra_tensor(&f, net), desc);
  ls_safetensors_free(&f);
  if (st) {
    free(*theta);
    *theta = NULL;
  }
  return st;
}
