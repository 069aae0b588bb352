/* Per-layer values of the engine's forward pass (ls_layers_*): against a hand-computed
 * network, against ls_forward (bitwise) and ls_loss, with GLU units, and the messages of
 * the failures (ls_layers_*, ls_work_error). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/engine.h"
#include "random_problem.h"

/* 2-2-1 tanh network with biases, by hand: z1 = W1 x + b1, a1 = tanh z1, f = W2 a1 + b2. */
static void hand_net(void) {
  ls_net net;
  int widths[3] = {2, 2, 1};
  ls_act tanh_act = {LS_ACT_TANH, 1, 1};
  ls_net_init(&net, 2, widths, tanh_act, 1, NULL);
  /* W1 = [[0.5,-1],[2,0.25]], b1 = [0.1,-0.3], W2 = [1.5,-0.7], b2 = 0.2 */
  double th[9] = {0.5, -1, 2, 0.25, 0.1, -0.3, 1.5, -0.7, 0.2};
  double x[4] = {1, 2, -0.5, 0.75};
  ls_layers *y = ls_layers_alloc(&net, 2, NULL);
  CHECK(y && ls_layers_forward(&net, th, 2, x, y, NULL) == LS_OK, "hand net: forward");
  CHECK(ls_layers_count(y) == 2, "hand net: two samples");
  double err = 0;
  for (int k = 0; k < 2; k++) {
    const double *xk = x + 2 * k;
    double z1[2], a1[2];
    for (int i = 0; i < 2; i++) {
      z1[i] = th[2 * i] * xk[0] + th[2 * i + 1] * xk[1] + th[4 + i];
      a1[i] = tanh(z1[i]);
      err = fmax(err, fabs(ls_layers_z(y, 1)[2 * k + i] - z1[i]));
      err = fmax(err, fabs(ls_layers_a(y, 1)[2 * k + i] - a1[i]));
    }
    double f = th[6] * a1[0] + th[7] * a1[1] + th[8];
    err = fmax(err, fabs(ls_layers_z(y, 2)[k] - f) + fabs(ls_layers_a(y, 2)[k] - f));
    err = fmax(err, fabs(ls_layers_a(y, 0)[2 * k] - xk[0]) + fabs(ls_layers_a(y, 0)[2 * k + 1] - xk[1]));
  }
  CHECK(err < 1e-14, "hand net: z, a of both layers (max error %.2e)", err);
  CHECK(!ls_layers_z(y, 0) && !ls_layers_a(y, 3) && !ls_layers_z(y, 3), "hand net: layers out of range");
  CHECK(!ls_layers_u(y, 1) && ls_layers_a(y, 0) == x, "hand net: no gates, a_0 is x");
  ls_layers_free(y);
}

/* a_L against ls_forward (bitwise with GLU units), and the loss of a_L against ls_loss, for net on n samples. */
static void against_engine(const ls_net *net, size_t n, unsigned seed, const char *what) {
  ls_data d;
  double *th = random_problem(net, n, &seed, &d);
  int L = net->n_layers, m = net->width[L];
  double *out = malloc(n * (size_t)m * sizeof *out), loss;
  ls_work *w = ls_work_alloc(net, n);
  ls_layers *y = ls_layers_alloc(net, n, NULL);
  CHECK(th && out && w && y, "%s: allocated", what);
  CHECK(ls_layers_forward(net, th, n, d.x, y, NULL) == LS_OK, "%s: forward", what);
  CHECK(ls_forward(net, th, n, d.x, out, w) == LS_OK && ls_loss(net, &d, th, &loss, w) == LS_OK,
        "%s: engine", what);
  const double *f = ls_layers_a(y, L);
  double ef = 0;
  for (size_t i = 0; i < n * (size_t)m; i++) ef = fmax(ef, check_rel(f[i], out[i], 1));
  CHECK(ls_net_n_glu(net) ? memcmp(f, out, n * (size_t)m * sizeof *out) == 0 : ef < 1e-14,
        "%s: outputs vs ls_forward (max %.2e%s)", what, ef, ls_net_n_glu(net) ? ", bitwise" : "");
  double s = 0;
  for (size_t k = 0; k < n; k++)
    for (int o = 0; o < m; o++) {
      double e = f[k * m + o] - d.y[k * m + o];
      s += d.w[k] * e * e;
    }
  CHECK(check_rel(s, loss, 1e-300) < 1e-12, "%s: loss of the outputs %.17g vs ls_loss %.17g", what, s, loss);
  /* every hidden layer: a_l = act(z_l) from the stored pre-activations */
  double err = 0;
  for (int l = 1; l < L && !ls_net_n_glu(net); l++)
    for (size_t i = 0; i < n * (size_t)net->width[l]; i++) {
      double v[4];
      ls_act_eval(&net->act[l], ls_layers_z(y, l)[i], v);
      err = fmax(err, fabs(v[0] - ls_layers_a(y, l)[i]));
    }
  CHECK(err < 1e-13, "%s: hidden a = act(z) (max error %.2e)", what, err);
  free(th), free(out);
  ls_data_free(&d);
  ls_work_free(w);
  ls_layers_free(y);
}

/* One GLU unit by hand: a = act(z) + u act'(z). */
static void glu_by_hand(void) {
  ls_net net;
  random_net_init(&net, LS_ACT_SIGMOID, 3, 1, LS_LOSS_MSE);
  net.glu[1] = 2, net.glu[2] = 1;
  unsigned seed = 7;
  ls_data d;
  double *th = random_problem(&net, 5, &seed, &d);
  ls_layers *y = ls_layers_alloc(&net, 5, NULL);
  CHECK(ls_layers_forward(&net, th, 5, d.x, y, NULL) == LS_OK, "glu: forward");
  int wi = net.width[0], wo = net.width[1], g0 = wo - net.glu[1];
  double err = 0;
  for (size_t k = 0; k < 5; k++)
    for (int i = g0; i < wo; i++) {
      double z = th[ls_net_b_offset(&net, 1) + i], u = th[ls_net_c_offset(&net, 1) + i - g0], v[4];
      for (int j = 0; j < wi; j++) {
        z += th[ls_net_w_offset(&net, 1) + i * wi + j] * d.x[k * wi + j];
        u += th[ls_net_v_offset(&net, 1) + (i - g0) * wi + j] * d.x[k * wi + j];
      }
      ls_act_eval(&net.act[1], z, v);
      err = fmax(err, fabs(ls_layers_u(y, 1)[k * wo + i] - u));
      err = fmax(err, fabs(ls_layers_a(y, 1)[k * wo + i] - (v[0] + u * v[1])));
    }
  CHECK(err < 1e-14, "glu: gate and unit by hand (max error %.2e)", err);
  free(th);
  ls_data_free(&d);
  ls_layers_free(y);
}

/* Failures carry messages. */
static void errors(void) {
  ls_net net, other;
  random_net_init(&net, LS_ACT_TANH, 2, 1, LS_LOSS_MSE);
  random_net_init(&other, LS_ACT_TANH, 3, 1, LS_LOSS_MSE);
  ls_error err = {0};
  ls_layers *y = ls_layers_alloc(&net, 4, &err);
  double th[64] = {0}, x[64] = {0};
  CHECK(ls_layers_forward(&net, th, 5, x, y, &err) == LS_ERR_INPUT && strstr(err.msg, "exceed"),
        "too many samples: %s", err.msg);
  CHECK(ls_layers_forward(&other, th, 2, x, y, &err) == LS_ERR_INPUT && strstr(err.msg, "does not fit"),
        "other network: %s", err.msg);
  ls_layers_free(y);
  ls_work *w = ls_work_alloc(&net, 4);
  ls_data d;
  ls_data_alloc(&d, 4, 3, 2, 0, NULL);
  double loss;
  CHECK(ls_work_error(w)->code == LS_OK && !ls_work_error(w)->msg[0], "fresh workspace: no failure");
  CHECK(ls_loss(&other, &d, th, &loss, w) == LS_ERR_INPUT && strstr(ls_work_error(w)->msg, "does not fit"),
        "ls_loss, other network: %s", ls_work_error(w)->msg);
  d.dout = 1;
  CHECK(ls_loss(&net, &d, th, &loss, w) == LS_ERR_INPUT && strstr(ls_work_error(w)->msg, "data"),
        "ls_loss, data shape: %s", ls_work_error(w)->msg);
  d.dout = 2;
  th[0] = NAN;
  d.x[0] = 1;
  CHECK(ls_loss(&net, &d, th, &loss, w) == LS_ERR_COMPUTE && strstr(ls_work_error(w)->msg, "not finite"),
        "ls_loss, NaN parameter: %s", ls_work_error(w)->msg);
  ls_data_free(&d);
  ls_work_free(w);
}

int main(void) {
  hand_net();
  const ls_act_kind acts[3] = {LS_ACT_SIGMOID, LS_ACT_TANH, LS_ACT_SOFTPLUS_SIG};
  for (int a = 0; a < 3; a++)
    for (int depth = 1; depth <= 4; depth++)
      for (int bias = 0; bias <= 1; bias++) {
        ls_net net;
        char what[96];
        random_net_init(&net, acts[a], depth, bias, LS_LOSS_MSE);
        snprintf(what, sizeof what, "%s depth %d bias %d", ls_act_name(acts[a]), depth, bias);
        against_engine(&net, 600, 11u + (unsigned)(a * 10 + depth * 2 + bias), what);
        if (depth >= 2) { /* with GLU units in the hidden layers */
          for (int l = 1; l < depth; l++) net.glu[l] = 1 + l % 2;
          strcat(what, " glu");
          against_engine(&net, 37, 5u + (unsigned)depth, what);
        }
      }
  glu_by_hand();
  errors();
  return check_done();
}
