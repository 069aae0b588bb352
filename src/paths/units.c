/* Unit helpers for permutation paths: incoming-weight indices, distances, pair choice
 * and the merge of two units into one (Brea et al. 2019, Lemma 1 / Definition 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/paths.h"

int ls_path_unit_in_index(const ls_net *net, int k, int i, size_t *idx) {
  int din = net->width[k - 1];
  size_t w = ls_net_w_offset(net, k) + (size_t)i * (size_t)din;
  for (int j = 0; j < din; j++) idx[j] = w + (size_t)j;
  if (net->bias[k]) idx[din++] = ls_net_b_offset(net, k) + (size_t)i;
  return din;
}

/* Indices of the incoming weights (and bias) of units l (*a) and m (*b) of layer k, in one
 * block that the caller frees through *a. Returns their number, or -1 when out of memory. */
static int pair_in_index(const ls_net *net, int k, int l, int m, size_t **a, size_t **b) {
  int nin = net->width[k - 1] + 1;
  *a = malloc(2 * (size_t)nin * sizeof **a);
  if (!*a) return -1;
  *b = *a + nin;
  nin = ls_path_unit_in_index(net, k, l, *a);
  ls_path_unit_in_index(net, k, m, *b);
  return nin;
}

double ls_path_unit_distance(const ls_net *net, const double *theta, int k, int l, int m) {
  size_t *a, *b;
  int nin = pair_in_index(net, k, l, m, &a, &b);
  if (nin < 0) return NAN;
  double s = 0;
  for (int j = 0; j < nin; j++) {
    double t = theta[a[j]] - theta[b[j]];
    s += t * t;
  }
  free(a);
  return sqrt(s);
}

double ls_path_pair_scale(const ls_net *net, const double *theta, int k, int l, int m) {
  size_t *a, *b;
  int nin = pair_in_index(net, k, l, m, &a, &b);
  if (nin < 0) return NAN;
  double s = 0;
  for (int j = 0; j < nin; j++) {
    double t = 0.5 * (theta[a[j]] + theta[b[j]]);
    s += t * t;
  }
  free(a);
  return sqrt(s);
}

double ls_path_dipole(const ls_net *net, const double *theta, int k, int l, int m) {
  int w = net->width[k], no = net->width[k + 1];
  const double *Wn = theta + ls_net_w_offset(net, k + 1);
  double sp = 0, sm = 0;
  for (int r = 0; r < no; r++) {
    double al = Wn[(size_t)r * w + l], am = Wn[(size_t)r * w + m];
    sp += (al + am) * (al + am), sm += (al - am) * (al - am);
  }
  double S = sqrt(sp) * ls_path_pair_scale(net, theta, k, l, m);
  double D = 0.5 * sqrt(sm) * ls_path_unit_distance(net, theta, k, l, m);
  return S + D > 0 ? D / (S + D) : 0;
}

double ls_path_unit_cosine(const ls_net *net, const double *theta, int k, int l, int m) {
  size_t *a, *b;
  int nin = pair_in_index(net, k, l, m, &a, &b);
  if (nin < 0) return NAN;
  double ab = 0, aa = 0, bb = 0;
  for (int j = 0; j < nin; j++) {
    ab += theta[a[j]] * theta[b[j]];
    aa += theta[a[j]] * theta[a[j]];
    bb += theta[b[j]] * theta[b[j]];
  }
  free(a);
  return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
}

ls_status ls_path_pick_pair(const ls_net *net, const double *theta, int k, int by_cosine,
                            int *l, int *m, ls_error *err) {
  if (k < 1 || k >= net->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "layer %d is not a hidden layer (1..%d)", k,
                        net->n_layers - 1);
  int w = net->width[k];
  if (w < 2) return ls_error_set(err, LS_ERR_INPUT, "layer %d has fewer than 2 units", k);
  double best = 0;
  int found = 0;
  for (int i = 0; i < w; i++)
    for (int j = i + 1; j < w; j++) {
      double v = by_cosine ? -ls_path_unit_cosine(net, theta, k, i, j)
                           : ls_path_unit_distance(net, theta, k, i, j);
      if (!found || v < best) best = v, *l = i, *m = j, found = 1;
    }
  return LS_OK;
}

/* Copy theta of net into theta_out of net_out (layer k one unit narrower), skipping unit
 * `drop` of layer k (its row in W_k, b_k and its column in W_{k+1}). */
static void copy_without(const ls_net *net, const double *theta, int k, int drop,
                         const ls_net *out_net, double *out) {
  for (int L = 1; L <= net->n_layers; L++) {
    int rows = net->width[L], cols = net->width[L - 1];
    const double *W = theta + ls_net_w_offset(net, L);
    double *Wo = out + ls_net_w_offset(out_net, L);
    int ro = 0;
    for (int i = 0; i < rows; i++) {
      if (L == k && i == drop) continue;
      int co = 0;
      for (int j = 0; j < cols; j++) {
        if (L == k + 1 && j == drop) continue;
        Wo[(size_t)ro * (size_t)out_net->width[L - 1] + (size_t)co++] = W[(size_t)i * cols + j];
      }
      ro++;
    }
    if (net->bias[L]) {
      const double *b = theta + ls_net_b_offset(net, L);
      double *bo = out + ls_net_b_offset(out_net, L);
      int r = 0;
      for (int i = 0; i < rows; i++)
        if (!(L == k && i == drop)) bo[r++] = b[i];
    }
  }
}

ls_status ls_path_merge_units(const ls_net *net, const double *theta, int k, int l, int m,
                              ls_net *out_net, double **out, ls_error *err) {
  *out = NULL;
  if (k < 1 || k >= net->n_layers)
    return ls_error_set(err, LS_ERR_INPUT, "layer %d is not a hidden layer (1..%d)", k,
                        net->n_layers - 1);
  int w = net->width[k];
  if (l < 0 || m < 0 || l >= w || m >= w || l == m)
    return ls_error_set(err, LS_ERR_INPUT, "units %d and %d of layer %d (width %d) must differ",
                        l, m, k, w);
  if (w < 2) return ls_error_set(err, LS_ERR_INPUT, "layer %d has one unit", k);
  *out_net = *net;
  out_net->width[k] = w - 1;
  size_t P = ls_net_nparams(net), Po = ls_net_nparams(out_net);
  double *t = malloc(P * sizeof *t);
  double *o = malloc(Po * sizeof *o);
  if (!t || !o) {
    free(t), free(o);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  memcpy(t, theta, P * sizeof *t);
  /* unit l takes the mean incoming vector and the summed outgoing weights */
  size_t *a, *b;
  int nin = pair_in_index(net, k, l, m, &a, &b);
  if (nin < 0) {
    free(t), free(o);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  }
  for (int j = 0; j < nin; j++) t[a[j]] = 0.5 * (t[a[j]] + t[b[j]]);
  double *Wn = t + ls_net_w_offset(net, k + 1);
  for (int r = 0; r < net->width[k + 1]; r++) Wn[(size_t)r * w + l] += Wn[(size_t)r * w + m];
  free(a);
  copy_without(net, t, k, m, out_net, o);
  free(t);
  *out = o;
  return LS_OK;
}
