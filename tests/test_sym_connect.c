/* Equal-loss paths between permuted points (Simsek et al. 2021, Theorem 3.1 / Figure 4;
 * Brea et al. 2019, appendix C.2): the path must end exactly at P_pi theta and the loss,
 * sampled densely along every segment, must stay within 1e-12 of its starting value. */
#include "check.h"
#include "sym_util.h"

static void run_case(const char *what, const ls_net *net, const double *th, const ls_data *d,
                     int l, ls_rng *rs) {
  int m = net->width[l], perm[32];
  ls_sym_perm_random(m, perm, rs);
  ls_sym_path path;
  ls_error err;
  ls_status st = ls_sym_connect(net, th, l, perm, 1e-10, &path, &err);
  if (st) {
    CHECK(0, "%s: %s", what, err.msg);
    return;
  }
  int n_per = 25, nseg = path.n_points - 1;
  size_t ns = (size_t)nseg * n_per + 1;
  double *t = malloc(ns * sizeof *t), *L = malloc(ns * sizeof *L), L0 = 0, dev = 0;
  ls_sym_path_sample(net, d, &path, n_per, t, L, &err);
  L0 = L[0];
  for (size_t i = 0; i < ns; i++) dev = fmax(dev, fabs(L[i] - L0));
  size_t P = ls_net_nparams(net);
  double *target = malloc(P * sizeof *target);
  ls_sym_permute(net, l, perm, th, target, NULL);
  int exact_end = memcmp(target, path.points + (size_t)nseg * P, P * sizeof *target) == 0;
  int exact_start = memcmp(th, path.points, P * sizeof *th) == 0;
  CHECK(exact_start && exact_end && dev <= 1e-12 * fmax(1, L0),
        "%s: %d segments, %zu samples, loss %.3e, max |L - L0| %.2e, ends exactly at P_pi "
        "theta: %d",
        what, nseg, ns, L0, dev, exact_end);
  free(t), free(L), free(target);
  ls_sym_path_free(&path);
}

int main(void) {
  ls_rng rs;
  ls_rng_seed(&rs, 31415);
  /* 2-layer teacher 2-3-1, global minima of width 5 (zero-type singleton, outgoing 0) */
  int w2[3] = {2, 3, 1}, w3[4] = {2, 3, 3, 2};
  ls_net t, t3, big;
  double *tt = su_random_net(&t, 2, w2, LS_ACT_TANH, 1, 1.0, &rs), *tb;
  ls_data d;
  su_teacher_data(&d, 60, &t, tt, &rs);
  ls_sym_expand_spec sp;
  int k1[3] = {1, 1, 1}, b1[2] = {1, 1}, k2[3] = {2, 1, 1}, b2[1] = {2};
  ls_sym_expand_spec_default(&sp, 1, 5);
  sp.k = k1, sp.n_zero = 2, sp.b = b1;
  ls_sym_expand_layer(&t, tt, &sp, 11, &big, &tb, NULL, NULL);
  run_case("2-3-1 -> 5, two zero-type units", &big, tb, &d, 1, &rs);
  free(tb);
  /* only a duplicated unit: the free unit is made by an outgoing transfer */
  ls_sym_expand_spec_default(&sp, 1, 4);
  sp.k = k2, sp.n_zero = 0;
  ls_sym_expand_layer(&t, tt, &sp, 12, &big, &tb, NULL, NULL);
  run_case("2-3-1 -> 4, one duplicated unit", &big, tb, &d, 1, &rs);
  free(tb);
  /* zero-type pair with outgoing weights summing to zero */
  ls_sym_expand_spec_default(&sp, 1, 5);
  sp.k = k1, sp.n_zero = 1, sp.b = b2;
  ls_sym_expand_layer(&t, tt, &sp, 13, &big, &tb, NULL, NULL);
  run_case("2-3-1 -> 5, zero-type pair a, -a", &big, tb, &d, 1, &rs);
  free(tb);
  /* a unit and its negation (tanh is odd): transfer with the difference fixed */
  {
    ls_net s = t;
    s.width[1] = 4;
    size_t P = ls_net_nparams(&s);
    double *ts = calloc(P, sizeof *ts);
    for (int i = 0; i < 3; i++) {
      for (int q = 0; q < 2; q++) ts[ls_net_w_offset(&s, 1) + i * 2 + q] = tt[ls_net_w_offset(&t, 1) + i * 2 + q];
      ts[ls_net_b_offset(&s, 1) + i] = tt[ls_net_b_offset(&t, 1) + i];
      ts[ls_net_w_offset(&s, 2) + i] = tt[ls_net_w_offset(&t, 2) + i];
    }
    for (int q = 0; q < 2; q++) ts[ls_net_w_offset(&s, 1) + 3 * 2 + q] = -ts[ls_net_w_offset(&s, 1) + q];
    ts[ls_net_b_offset(&s, 1) + 3] = -ts[ls_net_b_offset(&s, 1)];
    ts[ls_net_w_offset(&s, 2) + 3] = 0.6; /* a0 tanh(z) + 0.6 tanh(-z) */
    ts[ls_net_w_offset(&s, 2) + 0] += 0.6;
    ts[ls_net_b_offset(&s, 2)] = tt[ls_net_b_offset(&t, 2)];
    run_case("2-3-1 + negated unit (tanh)", &s, ts, &d, 1, &rs);
    free(ts);
  }
  /* sigmoid with the constant c*a compensated in the output bias */
  {
    ls_net ts;
    double *tq = su_random_net(&ts, 2, w2, LS_ACT_SIGMOID, 1, 1.0, &rs);
    ls_data ds;
    su_teacher_data(&ds, 60, &ts, tq, &rs);
    ls_net s = ts;
    s.width[1] = 4;
    size_t P = ls_net_nparams(&s);
    double *tp = calloc(P, sizeof *tp);
    for (int i = 0; i < 3; i++) {
      for (int q = 0; q < 2; q++) tp[ls_net_w_offset(&s, 1) + i * 2 + q] = tq[ls_net_w_offset(&ts, 1) + i * 2 + q];
      tp[ls_net_b_offset(&s, 1) + i] = tq[ls_net_b_offset(&ts, 1) + i];
      tp[ls_net_w_offset(&s, 2) + i] = tq[ls_net_w_offset(&ts, 2) + i];
    }
    for (int q = 0; q < 2; q++) tp[ls_net_w_offset(&s, 1) + 2 * 3 + q] = -tp[ls_net_w_offset(&s, 1) + 2 * 1 + q];
    tp[ls_net_b_offset(&s, 1) + 3] = -tp[ls_net_b_offset(&s, 1) + 1];
    /* a1 s(z) + a s(-z) = (a1 - a) s(z) + a: outgoing a1 + a, output bias - a */
    tp[ls_net_w_offset(&s, 2) + 3] = -0.8;
    tp[ls_net_w_offset(&s, 2) + 1] += -0.8;
    tp[ls_net_b_offset(&s, 2)] = tq[ls_net_b_offset(&ts, 2)] + 0.8;
    run_case("2-3-1 + negated unit (sigmoid, bias moves)", &s, tp, &ds, 1, &rs);
    free(tp), free(tq);
    ls_data_free(&ds);
  }
  /* non-zero loss: any point with a free unit has an equal-loss path to its permutations */
  {
    ls_data dn;
    su_teacher_data(&dn, 60, &t, tt, &rs);
    for (size_t i = 0; i < dn.n; i++) dn.y[i] += 0.5 * ls_rng_normal(&rs);
    ls_sym_expand_spec_default(&sp, 1, 6);
    sp.vector_split = 1;
    sp.n_zero = 1;
    ls_sym_expand_layer(&t, tt, &sp, 14, &big, &tb, NULL, NULL);
    run_case("2-3-1 -> 6 random tuple, noisy targets (loss > 0)", &big, tb, &dn, 1, &rs);
    free(tb);
    ls_data_free(&dn);
  }
  /* 3-layer teacher 2-3-3-2: connect in each hidden layer after expanding it */
  {
    double *t3t = su_random_net(&t3, 3, w3, LS_ACT_TANH, 1, 1.0, &rs);
    ls_data d3;
    su_teacher_data(&d3, 60, &t3, t3t, &rs);
    ls_sym_expand_spec s2[2];
    ls_sym_expand_spec_default(&s2[0], 1, 5);
    ls_sym_expand_spec_default(&s2[1], 2, 5);
    s2[0].vector_split = s2[1].vector_split = 1;
    ls_sym_expand(&t3, t3t, 2, s2, 15, &big, &tb, NULL);
    run_case("2-3-3-2 -> 2-5-5-2, layer 1", &big, tb, &d3, 1, &rs);
    run_case("2-3-3-2 -> 2-5-5-2, layer 2", &big, tb, &d3, 2, &rs);
    /* an irreducible layer has no path */
    int perm[3] = {1, 2, 0};
    ls_sym_path path;
    ls_error err;
    CHECK(ls_sym_connect(&t3, t3t, 1, perm, 1e-10, &path, &err) == LS_ERR_INPUT,
          "irreducible layer rejected: %s", err.msg);
    free(tb), free(t3t);
    ls_data_free(&d3);
  }
  free(tt);
  ls_data_free(&d);
  return check_done();
}
