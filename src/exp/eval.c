/* `landsym eval` as a library call (landsym/exp_train.h): loss, gradient norms and the
 * Hessian spectrum of a config's student at given parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/config_train.h"
#include "landsym/core.h"
#include "landsym/engine.h"
#include "landsym/exp_train.h"
#include "landsym/io.h"
#include "landsym/linalg.h"
#include "landsym/out.h"

void ls_eval_result_free(ls_eval_result *r) {
  if (!r) return;
  free(r->theta), free(r->grad), free(r->hessian_eigenvalues);
  memset(r, 0, sizeof *r);
}

static int same_shape(const ls_net *a, const ls_net *b) {
  if (a->n_layers != b->n_layers) return 0;
  for (int l = 0; l <= a->n_layers; l++)
    if (a->width[l] != b->width[l] || (l && a->bias[l] != b->bias[l])) return 0;
  return 1;
}

/* Student parameters from the file, the teacher, or the seeded Glorot init. */
static ls_status student_params(const ls_config *cfg, const ls_eval_opts *o, ls_eval_result *r,
                                ls_error *err) {
  size_t P = r->P;
  if (o->params && strcmp(o->params, "teacher")) {
    snprintf(r->source, sizeof r->source, "%s", o->params);
    return ls_params_read_net(o->params, &cfg->student, &r->theta, err);
  }
  if (o->params && (!cfg->has_teacher || !same_shape(&cfg->student, &cfg->teacher)))
    return ls_error_set(err, LS_ERR_INPUT, "--params teacher needs a teacher with the student's shape");
  if (!(r->theta = malloc(P * sizeof(double))))
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  if (o->params) {
    memcpy(r->theta, cfg->teacher_params, P * sizeof(double));
    snprintf(r->source, sizeof r->source, "teacher");
  } else {
    ls_params_glorot(&cfg->student, o->seed, r->theta);
    snprintf(r->source, sizeof r->source, "glorot seed %ld", (long)o->seed);
  }
  return LS_OK;
}

/* Loss and gradient with their norms; non-finite values are LS_ERR_COMPUTE. */
static ls_status loss_grad(const ls_config *cfg, ls_eval_result *r, ls_work *w, ls_error *err) {
  size_t P = r->P;
  ls_status st = ls_loss_grad(&cfg->student, &cfg->data, r->theta, &r->loss, r->grad, w);
  if (st == LS_ERR_COMPUTE)
    return ls_error_set(err, st,
                        "the loss at %s is not finite (overflow: the parameters' largest magnitude "
                        "is %g)", r->source, ls_norm_inf(P, r->theta));
  if (st) return ls_error_set(err, st, "loss/gradient evaluation failed at %s", r->source);
  double g2 = 0, ginf = 0;
  for (size_t i = 0; i < P; i++) {
    g2 += r->grad[i] * r->grad[i];
    if (fabs(r->grad[i]) > ginf) ginf = fabs(r->grad[i]);
  }
  r->grad_norm = sqrt(g2), r->grad_norm_inf = ginf;
  if (!isfinite(r->loss) || !isfinite(r->grad_norm))
    return ls_error_set(err, LS_ERR_COMPUTE,
                        "the loss or gradient at %s is not finite (loss %g; the parameters' "
                        "largest magnitude is %g)", r->source, r->loss, ls_norm_inf(P, r->theta));
  return LS_OK;
}

/* Eigenvalues (ascending) of the exact Hessian. */
/* The dense Hessian needs P x P doubles (ls_hessian_bytes) and the eigen-solver two more
 * (ls_eig_sym's copy and LAPACKE's row-major transpose): refuse as bad input rather than
 * exhaust the machine. */
static double hessian_need(const ls_net *net) {
  size_t P = ls_net_nparams(net);
  return (double)ls_hessian_bytes(net) + 2.0 * (double)P * (double)P * sizeof(double);
}

/* The memory estimates of the result (see ls_eval_result). */
static ls_status memory(const ls_config *cfg, const ls_eval_opts *o, ls_eval_result *r,
                        ls_error *err) {
  ls_train_opts t;
  ls_status st = ls_config_train_opts(cfg, &t, err);
  if (st) return st;
  const ls_net *net = &cfg->student;
  size_t n = cfg->data.n;
  r->mem_work = (double)ls_work_bytes(&o->ctx, net, n);
  r->mem_hessian = hessian_need(net);
  r->mem_train = ls_train_bytes(&t, net, n, &r->train_peak);
  r->mem_data = (double)n * (cfg->data.din + cfg->data.dout + (cfg->data.w ? 1 : 0)) * sizeof(double);
  if (cfg->data.xs) /* by rows and by columns: 12 bytes a nonzero each, and the pointers */
    r->mem_data += 24.0 * (double)cfg->data.xs->nnz + 8.0 * ((double)n + cfg->data.din + 2);
  return LS_OK;
}

static ls_status hessian_fits(const ls_net *net, ls_error *err) {
  size_t P = ls_net_nparams(net);
  return ls_dense_fits(P, hessian_need(net) / ((double)P * (double)P * sizeof(double)),
                       "--hessian: the dense Hessian", err);
}

static ls_status hessian_spectrum(const ls_config *cfg, ls_eval_result *r, ls_work *w,
                                  ls_error *err) {
  size_t P = r->P;
  double *H = malloc(P * P * sizeof *H);
  r->hessian_eigenvalues = malloc(P * sizeof(double));
  ls_status st = LS_OK;
  if (!H || !r->hessian_eigenvalues)
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory for a %zu x %zu Hessian", P, P);
  if (!st && (st = ls_hessian(&cfg->student, &cfg->data, r->theta, H, w)))
    ls_error_set(err, st, "Hessian evaluation failed (not available in this build?)");
  if (!st) st = ls_eig_sym(P, H, r->hessian_eigenvalues, NULL, err);
  free(H);
  return st;
}

ls_status ls_exp_eval(const ls_config *cfg, const ls_eval_opts *o, ls_eval_result *r,
                      ls_error *err) {
  memset(r, 0, sizeof *r);
  r->P = ls_net_nparams(&cfg->student);
  ls_net_describe(&cfg->student, r->student, sizeof r->student);
  r->grad = malloc(r->P * sizeof(double));
  ls_work *w = ls_work_alloc_ctx(&o->ctx, &cfg->student, cfg->data.n);
  ls_status st = (!r->grad || !w) ? ls_error_set(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  if (!st) {
    const ls_data_sparse *xs = cfg->data.xs;
    r->engine = ls_engine_name(ls_work_engine(w));
    r->sparse_inputs = xs && ls_work_engine(w) == LS_ENGINE_BLAS;
    r->input_fill = xs ? (double)xs->nnz / ((double)xs->n * xs->din) : -1.0;
  }
  if (!st) st = student_params(cfg, o, r, err);
  if (!st) st = loss_grad(cfg, r, w, err);
  if (!st) st = memory(cfg, o, r, err);
  if (!st && o->hessian) st = hessian_fits(&cfg->student, err);
  if (!st && o->hessian) st = hessian_spectrum(cfg, r, w, err);
  ls_work_free(w);
  return st;
}

static json_t *json_vec(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
  return a;
}

json_t *ls_exp_eval_json(const ls_config *cfg, const ls_eval_result *r) {
  json_t *o = json_object();
  json_object_set_new(o, "config", json_string(cfg->path));
  json_object_set_new(o, "data", json_string(cfg->data_desc));
  json_object_set_new(o, "n_samples", json_integer((json_int_t)cfg->data.n));
  json_object_set_new(o, "student", json_string(r->student));
  json_object_set_new(o, "n_params", json_integer((json_int_t)r->P));
  json_object_set_new(o, "params_source", json_string(r->source));
  json_object_set_new(o, "engine", json_string(r->engine ? r->engine : ""));
  json_object_set_new(o, "sparse_inputs", json_boolean(r->sparse_inputs));
  if (r->input_fill >= 0) json_object_set_new(o, "input_fill", json_real(r->input_fill));
  json_object_set_new(o, "loss", json_real(r->loss));
  json_object_set_new(o, "grad_norm", json_real(r->grad_norm));
  json_object_set_new(o, "grad_norm_inf", json_real(r->grad_norm_inf));
  json_object_set_new(o, "grad", json_vec(r->grad, r->P));
  json_t *m = json_object();
  json_object_set_new(m, "data_bytes", json_real(r->mem_data));
  json_object_set_new(m, "workspace_bytes", json_real(r->mem_work));
  json_object_set_new(m, "hessian_bytes", json_real(r->mem_hessian));
  json_object_set_new(m, "train_bytes", json_real(r->mem_train));
  json_object_set_new(m, "train_peak_phase", json_string(r->train_peak ? r->train_peak : ""));
  json_object_set_new(o, "memory", m);
  if (r->hessian_eigenvalues)
    json_object_set_new(o, "hessian_eigenvalues", json_vec(r->hessian_eigenvalues, r->P));
  return o;
}

ls_status ls_exp_eval_print_json(const ls_config *cfg, const ls_eval_result *r, FILE *fp,
                                 ls_error *err) {
  json_t *o = ls_exp_eval_json(cfg, r);
  int bad = !o || json_dumpf(o, fp, JSON_REAL_PRECISION(17) | JSON_INDENT(0)) != 0 ||
            fputc('\n', fp) == EOF;
  json_decref(o);
  return bad ? ls_error_set(err, LS_ERR_IO, "cannot write the JSON result") : LS_OK;
}
