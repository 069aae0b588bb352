/* The split test's files and summary (landsym/exp_split.h), through landsym/out.h. */
#include <stdlib.h>

#include <jansson.h>

#include "exp/split_run.h"
#include "landsym/out.h"

/* split_sweep.csv: predicted and measured inertia and the smallest eigenvalues per mu. */
static void sweep_csv(ls_buf *b, const ls_exp_split_result *r) {
  ls_buf_printf(b, "mu,pred_neg,pred_zero,pred_pos,meas_neg,meas_zero,meas_pos,match");
  for (int k = 0; k < r->k; k++) ls_buf_printf(b, ",lambda_%d", k + 1);
  ls_buf_printf(b, "\n");
  for (long i = 0; i < r->n_mu; i++) {
    ls_inertia p = r->pred[i], m = r->meas[i];
    ls_buf_printf(b, "%.10g,%d,%d,%d,%d,%d,%d,%d", r->mu[i], p.neg, p.zero, p.pos, m.neg,
                  m.zero, m.pos, r->match[i]);
    for (int k = 0; k < r->k; k++) ls_buf_printf(b, ",%.17g", r->lambda[i * r->k + k]);
    ls_buf_printf(b, "\n");
  }
}

/* split_block.csv: coupling and eigenvalues of the measured block B and of M(mu). */
static void block_csv(ls_buf *b, const ls_exp_split_result *r) {
  int nb = r->nin + r->nout;
  ls_buf_printf(b, "mu,coupling");
  for (int k = 0; k < nb; k++) ls_buf_printf(b, ",block_%d", k + 1);
  for (int k = 0; k < nb; k++) ls_buf_printf(b, ",pred_%d", k + 1);
  ls_buf_printf(b, "\n");
  for (long i = 0; i < r->n_mu; i++) {
    ls_buf_printf(b, "%.10g,%.6e", r->mu[i], r->coupling[i]);
    for (int k = 0; k < nb; k++) ls_buf_printf(b, ",%.17g", r->block[i * nb + k]);
    for (int k = 0; k < nb; k++) ls_buf_printf(b, ",%.17g", r->block_pred[i * nb + k]);
    ls_buf_printf(b, "\n");
  }
}

static ls_status save_text(void (*fill)(ls_buf *, const ls_exp_split_result *),
                           const ls_exp_split_result *r, const char *dir, const char *name,
                           ls_error *err) {
  ls_buf b = {0};
  char *path = ls_path_join(dir, name);
  fill(&b, r);
  ls_status st = path ? ls_buf_save(&b, path, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(path);
  ls_buf_free(&b);
  return st;
}

/* A figure; gnuplot's failure is a warning (the data and script are kept). */
static ls_status figure(const ls_figure *fig, const ls_buf *dat, const ls_buf *body,
                        ls_error *fig_warn, ls_error *err) {
  ls_status st = ls_buf_status(dat, err);
  if (!st) st = ls_buf_status(body, err);
  if (st) return st;
  ls_error e = {0};
  st = ls_figure_save(fig, dat->s, dat->len, body->s, &e);
  if (st == LS_ERR_COMPUTE) {
    if (fig_warn && !fig_warn->code) *fig_warn = e;
    return LS_OK;
  }
  if (st) *err = e;
  return st;
}

/* Figure 6.16 style: the eigenvalues of Y. */
static ls_status y_figure(const ls_exp_split_result *r, const char *dir, ls_error *fig_warn,
                          ls_error *err) {
  ls_buf dat = {0}, body = {0};
  ls_buf_printf(&dat, "# index, eigenvalue of Y (layer %d, neuron %d)\n", r->layer, r->neuron);
  for (int i = 0; i < r->nin; i++) ls_buf_printf(&dat, "%d %.17g\n", i + 1, r->y_eigs[i]);
  ls_buf_printf(&body,
                "set title 'Eigenvalues of Y (layer %d, neuron %d)'\nset xlabel 'index'\n"
                "set ylabel 'eigenvalue'\nset xzeroaxis\nset grid\n"
                "plot 'split_y_eigs.dat' using 1:2 with points pt 7 ps 1.2 title 'eig(Y)'",
                r->layer, r->neuron);
  ls_figure fig = {dir, "split_y_eigs", "Eigenvalues of Y (landsym split)", 640, 420, 0};
  ls_status st = figure(&fig, &dat, &body, fig_warn, err);
  ls_buf_free(&dat), ls_buf_free(&body);
  return st;
}

/* Figures 6.17-6.18 style: the smallest eigenvalues of the lifted Hessian along mu, with
 * mu = 0 and 1 (where M(mu) loses rank) marked. */
static ls_status smallest_figure(const ls_exp_split_result *r, const char *dir,
                                 ls_error *fig_warn, ls_error *err) {
  ls_buf dat = {0}, body = {0};
  ls_buf_printf(&dat, "# mu, then the %d smallest Hessian eigenvalues of the lifted point\n", r->k);
  for (long i = 0; i < r->n_mu; i++) {
    ls_buf_printf(&dat, "%.10g", r->mu[i]);
    for (int k = 0; k < r->k; k++) ls_buf_printf(&dat, " %.17g", r->lambda[i * r->k + k]);
    ls_buf_printf(&dat, "\n");
  }
  ls_buf_printf(&body,
                "set title 'Smallest %d Hessian eigenvalues, neuron %d of layer %d duplicated'\n"
                "set xlabel 'mu'\nset ylabel 'eigenvalue'\nset xzeroaxis\nset grid\n"
                "set arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n"
                "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2\n"
                "plot for [k=2:%d] 'split_smallest.dat' using 1:k with lines notitle",
                r->k, r->neuron, r->layer, r->k + 1);
  ls_figure fig = {dir, "split_smallest", "Smallest Hessian eigenvalues along mu (landsym split)",
                   720, 480, 0};
  ls_status st = figure(&fig, &dat, &body, fig_warn, err);
  ls_buf_free(&dat), ls_buf_free(&body);
  return st;
}

static json_t *inertia_json(ls_inertia in) { return json_pack("[i, i, i]", in.neg, in.zero, in.pos); }
static json_t *count_or_null(int n) { return n >= 0 ? json_integer(n) : json_null(); }

json_t *ls_exp_split_summary(const ls_exp_split_result *r) {
  json_t *y = json_array();
  for (int i = 0; i < r->nin; i++) json_array_append_new(y, ls_json_num(r->y_eigs[i]));
  return json_pack(
      "{s:i, s:i, s:o, s:o, s:i, s:i, s:s, s:s, s:I, s:i, s:o, s:i, s:o, s:o, s:o, s:i, s:o, "
      "s:o, s:i, s:o, s:o, s:o, s:I, s:i}",
      "layer", r->layer, "neuron", r->neuron, "grad_norm", ls_json_num(r->grad_norm), "loss",
      ls_json_num(r->loss), "nin", r->nin, "nout", r->nout, "spectrum_narrow",
      ls_spectrum_method_name(r->method_narrow), "spectrum_lifted",
      ls_spectrum_method_name(r->method_lifted), "hessian_vector_products",
      (json_int_t)r->n_hvp, "inertia_incomplete", r->incomplete, "narrow_inertia",
      inertia_json(r->narrow), "rank_U", r->rank_u, "Y_eigenvalues", y,
      "predicted_inertia_inside", inertia_json(r->pred_inside), "predicted_inertia_outside",
      inertia_json(r->pred_outside), "zeros_narrow", r->narrow.zero, "zeros_at_mu0",
      count_or_null(r->zeros_mu0), "zeros_at_mu1", count_or_null(r->zeros_mu1),
      "zeros_added_predicted", r->zeros_added_predicted, "block_coupling_max",
      ls_json_num(r->coupling_max), "block_vs_prediction_max", ls_json_num(r->block_diff_max),
      "lambda_max_narrow", ls_json_num(r->lambda_max_narrow), "mu_values", (json_int_t)r->n_mu,
      "mismatches", r->mismatches);
}

ls_status split_write(const ls_exp_split_result *r, const ls_exp_split_opts *o,
                      ls_error *fig_warn, ls_error *err) {
  const char *dir = o->out_dir;
  ls_status st = save_text(sweep_csv, r, dir, "split_sweep.csv", err);
  if (!st) st = save_text(block_csv, r, dir, "split_block.csv", err);
  if (!st) st = y_figure(r, dir, fig_warn, err);
  if (!st) st = smallest_figure(r, dir, fig_warn, err);
  if (st) return st;
  json_t *j = ls_exp_split_summary(r);
  char *path = ls_path_join(dir, "split_summary.json");
  st = j && path ? ls_json_save(j, path, err) : ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  free(path);
  json_decref(j);
  return st;
}
