/* Pruning (Simsek et al. 2021, Remark 4.2): the reduced network's parameters and
 * description on disk, and the check that it computes the same function. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/classify.h"
#include "landsym/engine.h"
#include "landsym/io.h"

static json_t *act_json(const ls_act *a) {
  if (a->kind == LS_ACT_SOFTPLUS_SIG)
    return json_pack("{s:s, s:f, s:f}", "name", ls_act_name(a->kind), "alpha", a->alpha,
                     "gamma", a->gamma);
  return json_string(ls_act_name(a->kind));
}

/* Network section of docs/config.md: per-layer activations and biases as lists. */
static json_t *net_json(const ls_net *net) {
  json_t *o = json_object(), *w = json_array(), *act = json_array(), *b = json_array();
  if (!o || !w || !act || !b) {
    json_decref(o), json_decref(w), json_decref(act), json_decref(b);
    return NULL;
  }
  for (int l = 0; l <= net->n_layers; l++) json_array_append_new(w, json_integer(net->width[l]));
  for (int l = 1; l < net->n_layers; l++) json_array_append_new(act, act_json(&net->act[l]));
  for (int l = 1; l <= net->n_layers; l++) json_array_append_new(b, json_boolean(net->bias[l]));
  json_object_set_new(o, "widths", w);
  json_object_set_new(o, "activation", act);
  json_object_set_new(o, "output_activation", act_json(&net->act[net->n_layers]));
  json_object_set_new(o, "bias", b);
  json_object_set_new(o, "loss", json_string(ls_loss_name(net->loss)));
  if (ls_net_n_glu(net)) {
    json_t *g = json_array();
    for (int l = 1; g && l < net->n_layers; l++) json_array_append_new(g, json_integer(net->glu[l]));
    json_object_set_new(o, "glu", g);
  }
  if (ls_net_n_glu2(net)) {
    json_t *g = json_array();
    for (int l = 1; g && l < net->n_layers; l++) json_array_append_new(g, json_integer(net->glu2[l]));
    json_object_set_new(o, "glu2", g);
  }
  return o;
}

char *ls_prune_net_json(const ls_net *net) {
  json_t *o = net_json(net);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return s;
}

ls_status ls_prune_write(const char *stem, const ls_net *net, const double *theta,
                         ls_error *err) {
  size_t P = ls_net_nparams(net), len = strlen(stem) + 8;
  char *npy = malloc(len), *js = malloc(len);
  json_t *o = net_json(net);
  char *text = NULL;
  ls_status st = LS_OK;
  if (!npy || !js || !o) {
    st = ls_error_set(err, LS_ERR_NOMEM, "prune: out of memory");
    goto done;
  }
  snprintf(npy, len, "%s.npy", stem);
  snprintf(js, len, "%s.json", stem);
  const char *base = strrchr(npy, '/');
  json_object_set_new(o, "params_file", json_string(base ? base + 1 : npy));
  text = json_dumps(o, JSON_INDENT(1));
  if (!text) {
    st = ls_error_set(err, LS_ERR_NOMEM, "prune: out of memory");
    goto done;
  }
  if ((st = ls_npy_write(npy, theta, 1, &P, err))) goto done;
  size_t tl = strlen(text);
  text[tl] = '\n'; /* the terminator becomes a newline: written by length */
  st = ls_file_write_atomic(js, text, tl + 1, err);
done:
  free(npy), free(js), free(text);
  json_decref(o);
  return st;
}

ls_status ls_prune_verify(const ls_net *na, const double *ta, const ls_net *nb,
                          const double *tb, const ls_data *d, double *max_diff, ls_error *err) {
  int dout = na->width[na->n_layers];
  if (nb->width[nb->n_layers] != dout || nb->width[0] != na->width[0])
    return ls_error_set(err, LS_ERR_INPUT, "prune: networks differ in input or output width");
  double *ya = malloc(d->n * dout * sizeof *ya), *yb = malloc(d->n * dout * sizeof *yb);
  ls_work *wa = ls_work_alloc(na, d->n), *wb = ls_work_alloc(nb, d->n);
  ls_status st = LS_OK;
  if (!ya || !yb || !wa || !wb) st = ls_error_set(err, LS_ERR_NOMEM, "prune: out of memory");
  else if ((st = ls_forward(na, ta, d->n, d->x, ya, wa)) ||
           (st = ls_forward(nb, tb, d->n, d->x, yb, wb)))
    ls_error_set(err, st, "prune: forward pass failed");
  double m = 0;
  for (size_t k = 0; !st && k < d->n * dout; k++) m = fmax(m, fabs(ya[k] - yb[k]));
  *max_diff = st ? NAN : m;
  free(ya), free(yb);
  ls_work_free(wa), ls_work_free(wb);
  return st;
}
