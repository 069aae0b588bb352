/* Jacobian of the outputs (ls_jacobian) against central finite differences of ls_forward,
 * for several depths, widths, activations, with and without biases and with GLU units;
 * 2 J^T (w (f - y)) against the gradient of the MSE (ls_loss_grad); the residuals
 * (ls_residuals) and sqrt(w) J against the optimiser's residual Jacobian. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/engine.h"
#include "landsym/optim.h"
#include "random_problem.h"

/* Largest |J - FD| / max(1, |J|) over the entries, steps h = 1e-5. */
static double fd_error(const ls_net *net, const double *th, const ls_data *d, const double *J) {
  size_t P = ls_net_nparams(net), n = d->n, m = (size_t)net->width[net->n_layers];
  double *t = malloc(P * sizeof *t), *fp = malloc(n * m * sizeof *fp), *fm = malloc(n * m * sizeof *fm);
  ls_work *w = ls_work_alloc(net, n);
  double err = 0, h = 1e-5;
  memcpy(t, th, P * sizeof *t);
  for (size_t p = 0; p < P; p++) {
    t[p] = th[p] + h;
    ls_forward(net, t, n, d->x, fp, w);
    t[p] = th[p] - h;
    ls_forward(net, t, n, d->x, fm, w);
    t[p] = th[p];
    for (size_t r = 0; r < n * m; r++) {
      double fd = (fp[r] - fm[r]) / (2 * h), j = J[r * P + p];
      err = fmax(err, fabs(fd - j) / fmax(1, fabs(j)));
    }
  }
  free(t), free(fp), free(fm);
  ls_work_free(w);
  return err;
}

/* 2 sum_k w_k sum_o (f_ko - y_ko) J_(k,o) against ls_loss_grad: relative error. */
static double grad_error(const ls_net *net, const double *th, const ls_data *d, const double *J,
                         const double *f) {
  size_t P = ls_net_nparams(net), m = (size_t)net->width[net->n_layers];
  double *g = malloc(P * sizeof *g), *jr = calloc(P, sizeof *jr), loss, err = 0, scale = 1e-300;
  ls_work *w = ls_work_alloc(net, d->n);
  ls_loss_grad(net, d, th, &loss, g, w);
  for (size_t r = 0; r < d->n * m; r++) {
    double c = 2 * d->w[r / m] * (f[r] - d->y[r]);
    for (size_t p = 0; p < P; p++) jr[p] += c * J[r * P + p];
  }
  for (size_t p = 0; p < P; p++) scale = fmax(scale, fabs(g[p]));
  for (size_t p = 0; p < P; p++) err = fmax(err, fabs(jr[p] - g[p]) / scale);
  free(g), free(jr);
  ls_work_free(w);
  return err;
}

/* ls_residuals bitwise and sqrt(w) J to rounding against ls_residual_jacobian (MSE, no
 * GLU units: the optimiser's version goes through single-sample gradients). */
static void against_optim(const ls_net *net, const double *th, const ls_data *d, const double *J,
                          const char *what) {
  size_t P = ls_net_nparams(net), m = (size_t)net->width[net->n_layers], R = d->n * m;
  double *r = malloc(R * sizeof *r), *r2 = malloc(R * sizeof *r2), *J2 = malloc(R * P * sizeof *J2);
  CHECK(ls_residuals(net, d, th, r, NULL, NULL) == LS_OK &&
            ls_residual_jacobian(net, d, th, r2, J2, NULL) == LS_OK,
        "%s: residuals", what);
  CHECK(memcmp(r, r2, R * sizeof *r) == 0, "%s: ls_residuals bitwise ls_residual_jacobian's", what);
  double err = 0;
  for (size_t i = 0; i < R * P; i++)
    err = fmax(err, fabs(sqrt(d->w[i / P / m]) * J[i] - J2[i]) / fmax(1e-3, fabs(J2[i])));
  CHECK(err < 1e-12, "%s: sqrt(w) J vs the residual Jacobian (rel %.2e)", what, err);
  free(r), free(r2), free(J2);
}

static void one(const ls_net *net, size_t n, unsigned seed, const char *what) {
  ls_data d;
  double *th = random_problem(net, n, &seed, &d);
  size_t P = ls_net_nparams(net), m = (size_t)net->width[net->n_layers];
  double *J = malloc(n * m * P * sizeof *J);
  ls_layers *y = ls_layers_alloc(net, n, NULL);
  CHECK(th && J && y && ls_jacobian(net, th, n, d.x, J, y, NULL) == LS_OK, "%s: jacobian", what);
  double efd = fd_error(net, th, &d, J);
  CHECK(efd < 1e-7, "%s: J vs central differences (max %.2e)", what, efd);
  double eg = grad_error(net, th, &d, J, ls_layers_a(y, net->n_layers));
  CHECK(eg < 1e-12, "%s: 2 J^T w (f - y) vs the MSE gradient (rel %.2e)", what, eg);
  if (!ls_net_n_glu(net)) against_optim(net, th, &d, J, what);
  double *J2 = malloc(n * m * P * sizeof *J2);
  CHECK(ls_jacobian(net, th, n, d.x, J2, NULL, NULL) == LS_OK && !memcmp(J, J2, n * m * P * sizeof *J),
        "%s: without a workspace, the same bits", what);
  free(th), free(J), free(J2);
  ls_data_free(&d);
  ls_layers_free(y);
}

static void errors(void) {
  ls_net net;
  random_net_init(&net, LS_ACT_TANH, 2, 1, LS_LOSS_NLL);
  unsigned seed = 3;
  ls_data d;
  double *th = random_problem(&net, 4, &seed, &d), r[32], J[4 * 3 * 64];
  ls_error err = {0};
  CHECK(ls_residuals(&net, &d, th, r, NULL, &err) == LS_ERR_INPUT && strstr(err.msg, "MSE"),
        "residuals of an NLL network: %s", err.msg);
  ls_layers *y = ls_layers_alloc(&net, 2, NULL);
  CHECK(ls_jacobian(&net, th, 4, d.x, J, y, &err) == LS_ERR_INPUT && strstr(err.msg, "exceed"),
        "jacobian, too many samples: %s", err.msg);
  ls_layers_free(y);
  free(th);
  ls_data_free(&d);
}

int main(void) {
  const ls_act_kind acts[4] = {LS_ACT_SIGMOID, LS_ACT_TANH, LS_ACT_GELU, LS_ACT_SOFTPLUS_SIG};
  for (int a = 0; a < 4; a++)
    for (int depth = 1; depth <= 4; depth++)
      for (int bias = 0; bias <= 1; bias++) {
        ls_net net;
        char what[96];
        random_net_init(&net, acts[a], depth, bias, LS_LOSS_MSE);
        snprintf(what, sizeof what, "%s depth %d bias %d", ls_act_name(acts[a]), depth, bias);
        one(&net, 9, 21u + (unsigned)(a * 10 + depth * 2 + bias), what);
        if (depth >= 2) {
          for (int l = 1; l < depth; l++) net.glu[l] = 1 + (l + a) % 2;
          strcat(what, " glu");
          one(&net, 7, 3u + (unsigned)(a + depth), what);
        }
      }
  /* wider: one hidden layer of 40 units, 3 outputs, over more than one engine block */
  ls_net wide;
  int widths[3] = {2, 40, 3};
  ls_act sig = {LS_ACT_SIGMOID, 1, 1};
  ls_net_init(&wide, 2, widths, sig, 1, NULL);
  one(&wide, 300, 99u, "2-40-3 sigmoid, 300 samples");
  errors();
  return check_done();
}
