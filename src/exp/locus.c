/* Points of Cooper's star and core loci, certified (landsym/exp_locus.h; Cooper 2020,
 * section 3.1, Theorems 3.1, 3.2, Corollary 5.18). docs/locus.md. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/path_plot.h"
#include "landsym/engine.h"
#include "landsym/exp_locus.h"
#include "landsym/io.h"
#include "landsym/locus.h"
#include "landsym/split.h"

void ls_exp_locus_opts_default(ls_exp_locus_opts *o) {
  memset(o, 0, sizeof *o);
  o->star = o->core = 1, o->seed = 1, o->scale = 1;
}

void ls_exp_locus_result_free(ls_exp_locus_result *r) {
  if (!r) return;
  json_decref(r->records), json_decref(r->summary);
  memset(r, 0, sizeof *r);
}

/* One component's numbers. */
typedef struct {
  double *th, *g, *H, *eig, *pred;
  unsigned char *mask;
  double loss, gn, emax, dev, hfree;
  ls_inertia in;
  long dim, dimf, bound;
  int r, r1;
} component;

static void component_free(component *c) {
  free(c->th), free(c->g), free(c->H), free(c->eig), free(c->pred), free(c->mask);
}

/* The predicted spectrum: closed form on S_k; on C_{k,j} b eigenvalues 2, the rest 0
 * (Theorem 3.2); dev is the largest deviation of the computed one from it. */
static ls_status predicted(const ls_config *cfg, const int *k, int nk, component *c, ls_error *err) {
  size_t P = ls_net_nparams(&cfg->student);
  int b = cfg->student.width[cfg->student.n_layers];
  if (nk == 1) {
    ls_status st = ls_locus_star_spectrum(&cfg->student, &cfg->data, c->th, k[0], c->pred, err);
    if (st) return st;
  } else {
    for (size_t i = 0; i < P; i++) c->pred[i] = i + b >= P ? 2.0 : 0.0;
  }
  c->dev = 0;
  for (size_t i = 0; i < P; i++) c->dev = fmax(c->dev, fabs(c->eig[i] - c->pred[i]));
  return LS_OK;
}

/* Build the point of component (k, nk) from seed and compute its gradient, Hessian
 * spectrum, inertia, free dimension, ranks of Phi and the Hessian on the free directions. */
static ls_status compute(const ls_config *cfg, const int *k, int nk, uint64_t seed, double scale,
                         component *c, ls_error *err) {
  const ls_net *net = &cfg->student;
  const ls_data *d = &cfg->data;
  int L = net->n_layers, b = net->width[L], m = net->width[L - 1];
  size_t P = ls_net_nparams(net), n = d->n;
  if (ls_dense_fits(P, 2, "locus: the Hessian and its spectrum", err)) return LS_ERR_INPUT;
  c->th = malloc(P * sizeof *c->th), c->g = malloc(P * sizeof *c->g), c->H = malloc(P * P * sizeof *c->H);
  c->eig = malloc(P * sizeof *c->eig), c->pred = malloc(P * sizeof *c->pred), c->mask = malloc(P);
  ls_work *w = ls_work_alloc(net, n);
  ls_status st = LS_OK;
  if (!c->th || !c->g || !c->H || !c->eig || !c->pred || !c->mask || !w)
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory for %zu parameters", P);
  if (!st) ls_params_normal(net, seed, scale, c->th), st = ls_locus_project(net, d, k, nk, c->th, err);
  if (!st && ((st = ls_loss_grad(net, d, c->th, &c->loss, c->g, w)) || (st = ls_hessian(net, d, c->th, c->H, w)) ||
              (st = ls_split_eigvals(c->H, (int)P, c->eig, err))))
    ls_error_set(err, st ? st : LS_ERR_COMPUTE, "gradient or Hessian failed");
  ls_work_free(w);
  if (st) return st;
  c->gn = 0;
  for (size_t i = 0; i < P; i++) c->gn += c->g[i] * c->g[i];
  c->gn = sqrt(c->gn);
  c->emax = fmax(fabs(c->eig[0]), fabs(c->eig[P - 1]));
  c->in = ls_inertia_count(c->eig, (int)P, 1e-12 * fmax(c->emax, 1.0));
  c->dim = ls_locus_free_mask(net, k, nk, c->mask, err), c->dimf = ls_locus_dim_formula(net, k, nk);
  if ((st = ls_locus_phi_rank(net, d, c->th, 1e-12, &c->r, &c->r1, err))) return st;
  c->bound = (long)(m + 1 - (long)n) * b;
  /* free directions of the locus are in the Hessian kernel (the locus is a linear space
   * of critical points) */
  c->hfree = 0;
  for (size_t i = 0; i < P; i++)
    if (c->mask[i])
      for (size_t j = 0; j < P; j++) c->hfree = fmax(c->hfree, fabs(c->H[j * P + i]));
  return predicted(cfg, k, nk, c, err);
}

/* The certificate: critical (gradient at rounding level), the predicted spectrum, a flat
 * Hessian on the free directions, enough zero eigenvalues (dimension, Corollary 5.18);
 * on C_{k,j} exactly b positive eigenvalues and no negative one. */
static int certified(const ls_net *net, int nk, const component *c) {
  int P = (int)ls_net_nparams(net), b = net->width[net->n_layers];
  double rtol = 1e-10 * fmax(c->emax, 1.0);
  int ok = c->gn < 1e-12 * fmax(1.0, sqrt(c->loss)) && c->dev < rtol && c->hfree < rtol &&
           c->in.zero >= c->dim && (c->bound <= 0 || c->in.zero >= c->bound);
  if (nk == 2) ok = ok && c->in.pos == b && c->in.neg == 0 && c->in.zero == P - b;
  return ok;
}

static json_t *record(const ls_config *cfg, const int *k, int nk, const component *c, int ok) {
  const ls_net *net = &cfg->student;
  size_t P = ls_net_nparams(net);
  int L = net->n_layers, b = net->width[L], m = net->width[L - 1];
  json_t *j = json_object(), *pos = json_array();
  json_object_set_new(j, "locus", json_string(nk == 1 ? "star" : "core"));
  json_object_set_new(j, "layers", nk == 1 ? json_pack("[i]", k[0]) : json_pack("[i,i]", k[0], k[1]));
  json_object_set_new(j, "nparams", json_integer((json_int_t)P));
  json_object_set_new(j, "dim", json_integer(c->dim));
  json_object_set_new(j, "dim_formula", json_integer(c->dimf));
  json_object_set_new(j, "loss", ls_json_num(c->loss));
  json_object_set_new(j, "grad_norm", ls_json_num(c->gn));
  json_object_set_new(j, "inertia", json_pack("[i,i,i]", c->in.neg, c->in.zero, c->in.pos));
  json_object_set_new(j, "max_dev_predicted_spectrum", ls_json_num(c->dev));
  json_object_set_new(j, "max_hessian_on_free_dirs", ls_json_num(c->hfree));
  json_object_set_new(j, "rank_phi", json_integer(c->r));
  json_object_set_new(j, "rank_phi_1", json_integer(c->r1));
  json_object_set_new(j, "cor518_bound", json_integer(c->bound));
  json_object_set_new(j, "slice_flat_dim", json_integer((json_int_t)(m + 1 - c->r1) * b));
  for (size_t i = 0; i < P; i++)
    if (c->eig[i] > 1e-12 * fmax(c->emax, 1.0)) json_array_append_new(pos, ls_json_num(c->eig[i]));
  json_object_set_new(j, "positive_eigenvalues", pos);
  json_object_set_new(j, "certified", json_boolean(ok));
  return j;
}

/* locus_<name>.npy and locus_<name>_eig.npy. */
static ls_status write_point(const char *dir, const int *k, int nk, const component *c, size_t P,
                             ls_error *err) {
  char name[96];
  if (nk == 1) snprintf(name, sizeof name, "locus_S%d", k[0]);
  else snprintf(name, sizeof name, "locus_C%d_%d", k[0], k[1]);
  size_t shp[1] = {P}, len = strlen(name);
  ls_status st = LS_OK;
  for (int e = 0; e < 2 && !st; e++) {
    snprintf(name + len, sizeof name - len, "%s.npy", e ? "_eig" : "");
    char *f = path_join(dir, name);
    st = f ? ls_npy_write(f, e ? c->eig : c->th, 1, shp, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
    free(f);
  }
  return st;
}

/* One component: built, certified, recorded, written. */
static ls_status one(const ls_config *cfg, const ls_exp_locus_opts *o, const int *k, int nk,
                     ls_exp_locus_result *r, ls_error *err) {
  component c;
  memset(&c, 0, sizeof c);
  r->total++;
  ls_status st = compute(cfg, k, nk, o->seed + (uint64_t)r->total, o->scale, &c, err);
  if (!st) {
    int ok = certified(&cfg->student, nk, &c);
    r->certified += ok;
    json_array_append_new(r->records, record(cfg, k, nk, &c, ok));
    if (o->out_dir) st = write_point(o->out_dir, k, nk, &c, ls_net_nparams(&cfg->student), err);
  }
  component_free(&c);
  return st;
}

static ls_status check_request(const ls_net *net, const ls_exp_locus_opts *o, ls_error *err) {
  int L = net->n_layers;
  ls_status st = ls_locus_check_net(net, err);
  if (st) return st;
  for (int i = 0; i < o->n_layers; i++)
    if (o->layers[i] < 1 || o->layers[i] > L - 1)
      return ls_error_set(err, LS_ERR_INPUT, "--layers: layer %d out of range: hidden layers are 1..%d",
                          o->layers[i], L - 1);
  if (o->n_layers == 2 && o->layers[1] <= o->layers[0])
    return ls_error_set(err, LS_ERR_INPUT, "--layers K,J needs K < J (got %d,%d)", o->layers[0], o->layers[1]);
  return LS_OK;
}

ls_status ls_exp_locus_certify(const ls_config *cfg, const ls_exp_locus_opts *o,
                               ls_exp_locus_result *r, ls_error *err) {
  memset(r, 0, sizeof *r);
  const ls_net *net = &cfg->student;
  int L = net->n_layers, nreq = o->n_layers;
  const int *req = o->layers;
  ls_status st = check_request(net, o, err);
  if (!st && o->out_dir) st = ls_mkdir_p(o->out_dir, err);
  r->records = json_array();
  for (int k = 1; k <= L - 1 && !st; k++) {
    if (o->star && (!nreq || (nreq == 1 && req[0] == k))) st = one(cfg, o, &k, 1, r, err);
    for (int j = k + 1; j <= L - 1 && o->core && !st; j++) {
      if (nreq && !(nreq == 2 && req[0] == k && req[1] == j)) continue;
      int kk[2] = {k, j};
      st = one(cfg, o, kk, 2, r, err);
    }
  }
  if (!st && r->total == 0)
    st = ls_error_set(err, LS_ERR_INPUT, "no component matches the request (a core locus needs two hidden layers)");
  if (!st) r->summary = json_pack("{s:i,s:i}", "components", r->total, "certified", r->certified);
  if (st) ls_exp_locus_result_free(r);
  return st;
}
