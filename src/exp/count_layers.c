/* Several hidden layers by brute force (Şimşek et al. 2021, section 5, eq. 8): a random
 * irreducible tanh teacher with hidden widths r_l is expanded to m_l by every tuple of
 * Definition 3.2 and every permutation of every hidden layer (ls_sym_enum_layers); the
 * distinct affine subspaces are counted against prod_l T(r_l, m_l) (critical only:
 * prod_l G(r_l, m_l)), and their connectivity graph has one component when m_l > r_l in
 * every layer (Theorem 3.1 / section 5). */
#include <stdlib.h>
#include <string.h>

#include "exp/count_fmt.h"
#include "landsym/engine.h"
#include "landsym/out.h"
#include "landsym/rng.h"
#include "landsym/sym.h"

void ls_exp_count_layers_result_free(ls_exp_count_layers_result *r) {
  if (!r) return;
  free(r->formula);
  memset(r, 0, sizeof *r);
}

/* The teacher din-r_1-..-dout (biases, tanh), Gaussian weights, 30 Gaussian inputs, and its
 * outputs as targets: irreducible with probability one. */
static ls_status teacher(const ls_exp_count_layers_opts *o, ls_net *net, double **th, ls_data *d,
                         ls_error *err) {
  int widths[LS_MAX_LAYERS + 1];
  widths[0] = o->din;
  for (int l = 0; l < o->layers; l++) widths[l + 1] = (int)o->r[l];
  widths[o->layers + 1] = o->dout;
  ls_act act = {LS_ACT_TANH, 1, 1};
  ls_status st = ls_net_init(net, o->layers + 1, widths, act, 1, err);
  if (st) return st;
  size_t P = ls_net_nparams(net);
  *th = malloc(P * sizeof **th);
  if (!*th || ls_data_alloc(d, 30, o->din, o->dout, 0, err))
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_rng rs;
  ls_rng_seed(&rs, (uint64_t)o->seed);
  for (size_t i = 0; i < P; i++) (*th)[i] = ls_rng_normal(&rs);
  for (size_t i = 0; i < d->n * d->din; i++) d->x[i] = ls_rng_normal(&rs);
  ls_work *w = ls_work_alloc(net, d->n);
  ls_forward(net, *th, d->n, d->x, d->y, w);
  ls_work_free(w);
  return LS_OK;
}

/* prod_l T(r_l, m_l) or prod_l G(r_l, m_l), exact. */
static ls_status formula(const ls_exp_count_layers_opts *o, mpz_t prod, ls_error *err) {
  mpz_t f;
  mpz_init(f);
  mpz_set_ui(prod, 1);
  ls_status st = LS_OK;
  for (int l = 0; l < o->layers && !st; l++) {
    st = o->critical ? ls_count_G(f, o->r[l], o->m[l], LS_COUNT_DEFAULT_MAX_BYTES, err)
                     : ls_count_T(f, o->r[l], o->m[l], LS_COUNT_DEFAULT_MAX_BYTES, err);
    mpz_mul(prod, prod, f);
  }
  mpz_clear(f);
  return st;
}

/* Counts, dimensions and the graph of the enumerated subspaces. */
static ls_status summarise(const ls_exp_count_layers_opts *o, const ls_sym_layer_subspaces *s,
                           ls_exp_count_layers_result *r, ls_error *err) {
  mpz_t prod;
  mpz_init(prod);
  ls_status st = formula(o, prod, err);
  r->nparams = s->P, r->choices = s->combos, r->distinct = s->n, r->max_out_rel_diff = s->max_out_diff;
  r->match = !st && mpz_cmp_ui(prod, s->n) == 0;
  r->formula = mpz_get_str(NULL, 10, prod);
  mpz_clear(prod);
  r->need_connected = !o->critical;
  for (int l = 0; l < o->layers; l++) r->need_connected = r->need_connected && o->m[l] > o->r[l];
  r->dim_min = r->dim_max = s->n ? s->dim[0] : 0;
  for (size_t i = 0; i < s->n; i++) {
    if (s->dim[i] < r->dim_min) r->dim_min = s->dim[i];
    if (s->dim[i] > r->dim_max) r->dim_max = s->dim[i];
  }
  size_t *edges = NULL;
  if (!st && o->graph) st = ls_sym_layer_graph(s, &r->edges, &edges, &r->components, err);
  free(edges);
  return st;
}

ls_status ls_exp_count_layers(const ls_exp_count_layers_opts *o, ls_exp_count_layers_result *res,
                              ls_error *err) {
  memset(res, 0, sizeof *res);
  if (o->layers < 1 || o->layers > LS_MAX_LAYERS - 2 || o->layers > 16)
    return ls_error_set(err, LS_ERR_INPUT, "1 to %d hidden layers (got %d)", LS_MAX_LAYERS - 2, o->layers);
  int mm[LS_MAX_LAYERS];
  for (int l = 0; l < o->layers; l++) {
    if (o->r[l] < 1 || o->m[l] < o->r[l])
      return ls_error_set(err, LS_ERR_INPUT, "layer %d: need 1 <= R <= M, got R = %ld, M = %ld",
                          l + 1, o->r[l], o->m[l]);
    if (o->m[l] > LS_SYM_ENUM_LAYERS_MAX_M)
      return ls_error_set(err, LS_ERR_INPUT, "layer %d: M = %ld above %d (m! permutations per layer)",
                          l + 1, o->m[l], LS_SYM_ENUM_LAYERS_MAX_M);
    mm[l] = (int)o->m[l];
  }
  ls_net net;
  double *th = NULL;
  ls_data d = {0};
  ls_sym_layer_subspaces s = {0};
  ls_status st = teacher(o, &net, &th, &d, err);
  if (!st) st = ls_sym_enum_layers(&net, th, mm, &d, o->critical, (uint64_t)o->seed, &s, err);
  if (!st) st = summarise(o, &s, res, err);
  if (st) ls_exp_count_layers_result_free(res);
  free(th);
  ls_data_free(&d);
  ls_sym_layer_subspaces_free(&s);
  return st;
}

static json_t *widths_json(const long *w, int n) {
  json_t *a = json_array();
  for (int l = 0; l < n; l++) json_array_append_new(a, json_integer(w[l]));
  return a;
}

ls_status ls_exp_count_layers_print(FILE *out, const ls_exp_count_layers_opts *o,
                                    const ls_exp_count_layers_result *r, int json, ls_error *err) {
  if (!json) {
    fprintf(out, "%zu distinct subspaces from %zu (tuple, permutation) choices; %s = %s: %s\n",
            r->distinct, r->choices, o->critical ? "prod_l G(r_l,m_l)" : "prod_l T(r_l,m_l)",
            r->formula, r->match ? "equal" : "DIFFERENT");
    fprintf(out, "dimensions %d..%d of %zu parameters; sampled points keep the function to %.1e\n",
            r->dim_min, r->dim_max, r->nparams, r->max_out_rel_diff);
    if (o->graph) fprintf(out, "graph: %zu edges, %zu connected component(s)\n", r->edges, r->components);
    return LS_OK;
  }
  json_t *j = json_pack("{s:o, s:o, s:b, s:I, s:I, s:I, s:s, s:b, s:i, s:i, s:o}", "r",
                        widths_json(o->r, o->layers), "m", widths_json(o->m, o->layers), "critical",
                        o->critical, "nparams", (json_int_t)r->nparams, "choices", (json_int_t)r->choices,
                        "distinct", (json_int_t)r->distinct, "formula", r->formula, "match", r->match,
                        "dim_min", r->dim_min, "dim_max", r->dim_max, "max_out_rel_diff",
                        ls_json_num(r->max_out_rel_diff));
  if (j && o->graph) {
    json_object_set_new(j, "edges", json_integer((json_int_t)r->edges));
    json_object_set_new(j, "components", json_integer((json_int_t)r->components));
  }
  /* one line with 4 significant digits for the one real, as the command has always printed it */
  int bad = !j || json_dumpf(j, out, JSON_REAL_PRECISION(4)) || fputc('\n', out) == EOF;
  json_decref(j);
  return bad ? ls_error_set(err, LS_ERR_IO, "cannot write the JSON output") : LS_OK;
}

const char *ls_exp_count_layers_failure(const ls_exp_count_layers_opts *o,
                                        const ls_exp_count_layers_result *r) {
  if (!r->match) return "the brute-force count differs from the product formula";
  if (r->max_out_rel_diff > 1e-10) return "an expansion changed the network function";
  if (o->graph && r->need_connected && r->components != 1) return "the graph is not connected";
  return NULL;
}
