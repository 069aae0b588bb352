/* Permutations, reduction to the irreducible form, teacher matching and the expansion
 * manifold (Simsek et al. 2021, Definitions 3.1-3.3, section 5) on constructed networks:
 * every expanded point must reproduce the original outputs, reduce back to the original
 * widths and match the original up to symmetry. */
#include "check.h"
#include "sym_util.h"

static double loss_of(const ls_net *net, const ls_data *d, const double *th) {
  ls_work *w = ls_work_alloc(net, d->n);
  double L;
  ls_loss(net, d, th, &L, w);
  ls_work_free(w);
  return L;
}

static void test_permute(ls_rng *rs) {
  int shapes[3][5] = {{3, 5, 2}, {2, 4, 3, 1}, {3, 4, 5, 3, 2}};
  int depth[3] = {2, 3, 4};
  ls_act_kind acts[3] = {LS_ACT_TANH, LS_ACT_SIGMOID, LS_ACT_SOFTPLUS};
  for (int s = 0; s < 3; s++)
    for (int bias = 0; bias <= 1; bias++) {
      ls_net net;
      double *th = su_random_net(&net, depth[s], shapes[s], acts[s], bias, 1.0, rs);
      ls_data d;
      su_teacher_data(&d, 40, &net, th, rs);
      for (size_t i = 0; i < d.n * d.dout; i++) d.y[i] += 0.3 * ls_rng_normal(rs);
      size_t P = ls_net_nparams(&net);
      double *p1 = malloc(P * sizeof *p1), *p2 = malloc(P * sizeof *p2);
      double L0 = loss_of(&net, &d, th), worst = 0;
      int bitwise = 0, restored = 1, total = 0;
      for (int l = 1; l < net.n_layers; l++)
        for (int rep = 0; rep < 5; rep++) {
          int m = net.width[l], perm[8], inv[8];
          ls_sym_perm_random(m, perm, rs);
          for (int i = 0; i < m; i++) inv[perm[i]] = i;
          ls_sym_permute(&net, l, perm, th, p1, NULL);
          double L1 = loss_of(&net, &d, p1);
          worst = fmax(worst, fabs(L1 - L0) / L0);
          bitwise += L1 == L0, total++;
          ls_sym_permute(&net, l, inv, p1, p2, NULL);
          restored &= memcmp(p2, th, P * sizeof *th) == 0;
        }
      CHECK(worst < 1e-14 && restored,
            "permute depth %d bias %d: loss rel diff %.1e (bitwise equal in %d/%d), inverse "
            "restores theta bitwise: %d",
            depth[s], bias, worst, bitwise, total, restored);
      ls_error err;
      int bad[5] = {0, 0, 1, 2, 3};
      CHECK(ls_sym_permute(&net, 1, bad, th, p1, &err) == LS_ERR_INPUT &&
                ls_sym_permute(&net, net.n_layers, bad, th, p1, &err) == LS_ERR_INPUT,
            "permute rejects a non-permutation and a non-hidden layer (%s)", err.msg);
      free(th), free(p1), free(p2);
      ls_data_free(&d);
    }
}

/* Expand every hidden layer of an irreducible point (random tuples, vector splits, zero-type
 * groups with nonzero outgoing weights summing to zero, random permutation), then reduce. */
static void test_expand_reduce(ls_rng *rs) {
  int shapes[4][5] = {{2, 3, 1}, {3, 4, 2}, {2, 3, 3, 1}, {2, 3, 2, 3, 2}};
  int depth[4] = {2, 2, 3, 4};
  ls_act_kind acts[4] = {LS_ACT_TANH, LS_ACT_SIGMOID, LS_ACT_SOFTPLUS, LS_ACT_ERF};
  for (int s = 0; s < 4; s++)
    for (int bias = 0; bias <= 1; bias++) {
      ls_net net, big;
      double *th = su_random_net(&net, depth[s], shapes[s], acts[s], bias, 1.0, rs), *tb;
      ls_data d;
      su_teacher_data(&d, 50, &net, th, rs);
      ls_sym_expand_spec sp[LS_MAX_LAYERS];
      int nh = net.n_layers - 1;
      for (int l = 1; l <= nh; l++) {
        ls_sym_expand_spec_default(&sp[l - 1], l, net.width[l] + 3);
        sp[l - 1].vector_split = 1;
      }
      ls_error err;
      ls_status st = ls_sym_expand(&net, th, nh, sp, 1000 + s, &big, &tb, &err);
      ls_sym_equiv_cert c;
      if (!st) st = ls_sym_equiv(&net, th, &big, tb, &d, &c, &err);
      CHECK(!st && c.max_out_rel < 1e-12 && c.loss_diff < 1e-12,
            "expand %s depth %d bias %d -> width +3 per layer: max out diff %.2e (rel %.2e), "
            "loss diff %.2e",
            ls_act_name(acts[s]), depth[s], bias, c.max_out_diff, c.max_out_rel, c.loss_diff);
      ls_sym_reduction red;
      ls_sym_reduce_opts o;
      ls_sym_reduce_opts_default(&o);
      st = ls_sym_reduce(&big, tb, &o, &red, &err);
      int widths_ok = !st;
      for (int l = 1; l <= nh && widths_ok; l++) widths_ok = red.net.width[l] == net.width[l];
      ls_sym_equiv_cert c2;
      if (!st) ls_sym_equiv(&net, th, &red.net, red.theta, &d, &c2, &err);
      ls_sym_match mt;
      if (!st) ls_sym_match_teacher(&red.net, red.theta, &net, th, &mt, &err);
      CHECK(widths_ok && c2.max_out_rel < 1e-12 && mt.same_shape && mt.max_weight_error < 1e-9,
            "reduce back: widths restored %d, out diff %.2e, teacher match max weight error "
            "%.2e, irreducible %d",
            widths_ok, c2.max_out_rel, mt.max_weight_error, ls_sym_is_irreducible(&red, 0));
      /* group bookkeeping: sizes add up to the width and every unit's group exists */
      int sizes_ok = 1;
      for (int l = 1; l <= nh && !st; l++) {
        int tot = 0;
        for (int k = 0; k < red.layer[l].n_groups; k++) tot += red.layer[l].group_size[k];
        sizes_ok &= tot == big.width[l];
      }
      CHECK(sizes_ok, "group sizes sum to the expanded widths");
      ls_sym_match_free(&mt);
      ls_sym_reduction_free(&red);
      free(th), free(tb);
      ls_data_free(&d);
    }
}

/* Odd activations: a unit with negated incoming weights is a constant plus a unit. */
static void test_sign(ls_rng *rs) {
  ls_act_kind acts[2] = {LS_ACT_TANH, LS_ACT_SIGMOID};
  for (int a = 0; a < 2; a++)
    for (int bias = 0; bias <= 1; bias++) {
      int widths[3] = {2, 3, 2};
      ls_net net, big;
      double *th = su_random_net(&net, 2, widths, acts[a], bias, 1.0, rs);
      ls_data d;
      su_teacher_data(&d, 40, &net, th, rs);
      /* big: units 0..2 of th, unit 3 = -(unit 0) with outgoing a3; outgoing of unit 0
       * adjusted so that the function is unchanged when the next layer has a bias. */

      big = net;
      big.width[1] = 4;
      double *tb = calloc(ls_net_nparams(&big), sizeof *tb), v[3], o[2], c = 0;
      ls_act_odd_shift(&net.act[1], &c);
      for (int i = 0; i < 3; i++) {
        double vv[3], oo[2];
        int D = 2 + bias;
        for (int q = 0; q < 2; q++) vv[q] = th[ls_net_w_offset(&net, 1) + i * 2 + q];
        if (bias) vv[2] = th[ls_net_b_offset(&net, 1) + i];
        for (int q = 0; q < 2; q++) oo[q] = th[ls_net_w_offset(&net, 2) + q * 3 + i];
        for (int q = 0; q < 2; q++) tb[ls_net_w_offset(&big, 1) + i * 2 + q] = vv[q];
        if (bias) tb[ls_net_b_offset(&big, 1) + i] = vv[2];
        for (int q = 0; q < 2; q++) tb[ls_net_w_offset(&big, 2) + q * 4 + i] = oo[q];
        if (i == 0) memcpy(v, vv, D * sizeof *v), memcpy(o, oo, sizeof o);
      }

      double a3[2] = {0.7, -0.4};
      for (int q = 0; q < 2; q++) tb[ls_net_w_offset(&big, 1) + 3 * 2 + q] = -v[q];
      if (bias) tb[ls_net_b_offset(&big, 1) + 3] = -v[2];
      /* a0 sigma(z) + a3 sigma(-z) = (a0 - a3) sigma(z) + c a3: give unit 0 a0 + a3 */
      for (int q = 0; q < 2; q++) {
        tb[ls_net_w_offset(&big, 2) + q * 4 + 3] = a3[q];
        tb[ls_net_w_offset(&big, 2) + q * 4 + 0] = o[q] + a3[q];
        if (bias) tb[ls_net_b_offset(&big, 2) + q] = th[ls_net_b_offset(&net, 2) + q] - c * a3[q];
      }
      ls_sym_equiv_cert ce;
      ls_sym_equiv(&net, th, &big, tb, &d, &ce, NULL);
      int exact = bias || c == 0; /* without a bias the constant c a3 cannot be compensated */
      ls_sym_reduction red;
      ls_sym_reduce(&big, tb, NULL, &red, NULL);
      ls_sym_layer_groups *g = &red.layer[1];
      if (exact) {
        ls_sym_equiv_cert c2;
        ls_sym_equiv(&net, th, &red.net, red.theta, &d, &c2, NULL);
        CHECK(ce.max_out_rel < 1e-13 && red.net.width[1] == 3 && g->sign[3] == -1 &&
                  g->group[3] == g->group[0] && c2.max_out_rel < 1e-12,
              "%s bias %d: negated unit merged with sign -1 (width 4 -> %d), out diff %.2e",
              ls_act_name(acts[a]), bias, red.net.width[1], c2.max_out_rel);
      } else {
        ls_sym_equiv_cert c2;
        ls_sym_equiv(&big, tb, &red.net, red.theta, &d, &c2, NULL);
        CHECK(red.net.width[1] == 4 && g->sign_rejected && c2.max_out_rel < 1e-12,
              "%s without bias: sign merge refused (constant %.2g would be lost), width stays "
              "%d, function kept (%.1e)",
              ls_act_name(acts[a]), c * a3[0], red.net.width[1], c2.max_out_rel);
      }
      /* matching: the teacher permuted and with unit 1 flipped is recognised */
      if (bias || c == 0) {
        size_t P = ls_net_nparams(&net);
        double *tp = malloc(P * sizeof *tp), *tq = malloc(P * sizeof *tq);
        memcpy(tq, th, P * sizeof *tq);
        for (int q = 0; q < 2; q++) tq[ls_net_w_offset(&net, 1) + 1 * 2 + q] *= -1;
        if (bias) tq[ls_net_b_offset(&net, 1) + 1] *= -1;
        for (int q = 0; q < 2; q++) {
          double aq = tq[ls_net_w_offset(&net, 2) + q * 3 + 1];
          if (bias) tq[ls_net_b_offset(&net, 2) + q] += c * aq;
          tq[ls_net_w_offset(&net, 2) + q * 3 + 1] = -aq;
        }
        int perm[3] = {2, 0, 1};
        ls_sym_permute(&net, 1, perm, tq, tp, NULL);
        ls_sym_equiv_cert c3;
        ls_sym_equiv(&net, th, &net, tp, &d, &c3, NULL);
        ls_sym_match mt;
        ls_sym_match_teacher(&net, tp, &net, th, &mt, NULL);
        CHECK(c3.max_out_rel < 1e-13 && mt.max_weight_error < 1e-13 && mt.sign[1][2] == -1 &&
                  mt.perm[1][0] == 2 && mt.perm[1][1] == 0,
              "%s bias %d: match finds permutation and sign flip, error %.1e",
              ls_act_name(acts[a]), bias, mt.max_weight_error);
        ls_sym_match_free(&mt);
        free(tp), free(tq);
      }
      ls_sym_reduction_free(&red);
      free(th), free(tb);
      ls_data_free(&d);
    }
}

/* Cascade in a 3-layer net: a layer-1 unit that feeds only a zero-type unit of layer 2. */
static void test_cascade(ls_rng *rs) {
  int widths[4] = {2, 3, 2, 1};
  ls_net net;
  double *th = su_random_net(&net, 3, widths, LS_ACT_TANH, 1, 1.0, rs);
  /* layer 3 weight of layer-2 unit 1 is zero: unit 1 of layer 2 is zero-type */
  th[ls_net_w_offset(&net, 3) + 1] = 0;
  /* layer-1 unit 2 feeds only layer-2 unit 1 */
  th[ls_net_w_offset(&net, 2) + 0 * 3 + 2] = 0;
  ls_sym_reduction red;
  ls_sym_reduce(&net, th, NULL, &red, NULL);
  ls_data d;
  su_teacher_data(&d, 30, &net, th, rs);
  ls_sym_equiv_cert c;
  ls_sym_equiv(&net, th, &red.net, red.theta, &d, &c, NULL);
  CHECK(red.net.width[1] == 2 && red.net.width[2] == 1 && red.layer[1].zero_type[2] &&
            c.max_out_rel < 1e-14,
        "cascade: widths 3-2 reduce to %d-%d, out diff %.1e", red.net.width[1],
        red.net.width[2], c.max_out_rel);
  ls_sym_reduction_free(&red);
  free(th);
  ls_data_free(&d);
}

static void test_expand_errors(ls_rng *rs) {
  int widths[3] = {2, 3, 1};
  ls_net net, big;
  double *th = su_random_net(&net, 2, widths, LS_ACT_TANH, 1, 1.0, rs), *tb;
  ls_sym_expand_spec sp;
  ls_error err;
  ls_sym_expand_spec_default(&sp, 1, 2);
  CHECK(ls_sym_expand_layer(&net, th, &sp, 1, &big, &tb, NULL, &err) == LS_ERR_INPUT,
        "expand rejects m < r: %s", err.msg);
  ls_sym_expand_spec_default(&sp, 2, 5);
  CHECK(ls_sym_expand_layer(&net, th, &sp, 1, &big, &tb, NULL, &err) == LS_ERR_INPUT,
        "expand rejects the output layer: %s", err.msg);
  int k[3] = {2, 2, 2};
  ls_sym_expand_spec_default(&sp, 1, 5);
  sp.k = k;
  CHECK(ls_sym_expand_layer(&net, th, &sp, 1, &big, &tb, NULL, &err) == LS_ERR_INPUT,
        "expand rejects a tuple summing past m: %s", err.msg);
  int k2[3] = {2, 1, 1};
  double beta[4] = {0.3, 0.3, 1, 1};
  sp.k = k2, sp.beta = beta, sp.m = 4;
  CHECK(ls_sym_expand_layer(&net, th, &sp, 1, &big, &tb, NULL, &err) == LS_ERR_INPUT,
        "expand rejects splits not summing to 1: %s", err.msg);
  free(th);
}

int main(void) {
  ls_rng rs;
  ls_rng_seed(&rs, 20210101);
  test_permute(&rs);
  test_expand_reduce(&rs);
  test_sign(&rs);
  test_cascade(&rs);
  test_expand_errors(&rs);
  return check_done();
}
