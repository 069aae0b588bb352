/* Cooper 2020 certificates: star locus points are critical at rounding level (Theorem
 * 3.1), with the Hessian spectrum predicted in closed form; core locus points have every
 * Hessian eigenvalue zero except m_L = b equal to 2 (Theorem 3.2: "one positive" for
 * b = 1); the free directions of each locus lie in the Hessian kernel; dimensions against
 * the paper's formulas (section 3.1.1, Proposition 6.1); zero-eigenvalue counts of very
 * wide networks against Corollary 5.18 / Theorem 5.15 and Proposition 6.2. */
#include <stdio.h>

#include "check.h"
#include "landsym/locus.h"
#include "test_split_util.h"

static void make_data(ls_data *d, int n, int a, int b, unsigned seed) {
  ls_data_alloc(d, (size_t)n, a, b, 0, NULL);
  for (int i = 0; i < n * a; i++) d->x[i] = tsu_normal(&seed);
  for (int i = 0; i < n * b; i++) d->y[i] = 1.0 + tsu_normal(&seed);
}

static ls_net make_net(int L, const int *w) {
  ls_net net;
  ls_act t = {LS_ACT_TANH, 0, 0};
  ls_net_init(&net, L, w, t, 1, NULL);
  return net;
}

/* Hessian spectrum at theta; returns max|lambda| and the measured gradient norm. */
static double spectrum(const ls_net *net, const ls_data *d, const double *th, double *eig,
                       double *H, double *gn) {
  size_t P = ls_net_nparams(net);
  tsu_hessian(net, d, th, H);
  ls_split_eigvals(H, (int)P, eig, NULL);
  *gn = tsu_grad_norm(net, d, th, NULL);
  return fmax(fabs(eig[0]), fabs(eig[P - 1]));
}

/* Zero eigenvalues of the Hessian restricted to the last-layer slice (W_L, b_L), the
 * quadratic form of Lemma 5.14 (it includes b_L). */
static int slice_zeros(const ls_net *net, const double *H) {
  int L = net->n_layers, b = net->width[L], m = net->width[L - 1], ns = (m + 1) * b;
  size_t P = ls_net_nparams(net), idx[4096];
  int c = 0;
  for (int i = 0; i < m * b; i++) idx[c++] = ls_net_w_offset(net, L) + (size_t)i;
  for (int i = 0; i < b; i++) idx[c++] = ls_net_b_offset(net, L) + (size_t)i;
  double *S = malloc((size_t)ns * ns * sizeof *S), *e = malloc((size_t)ns * sizeof *e);
  for (int i = 0; i < ns; i++)
    for (int j = 0; j < ns; j++) S[(size_t)i * ns + j] = H[idx[i] * P + idx[j]];
  ls_split_eigvals(S, ns, e, NULL);
  ls_inertia in = ls_inertia_count(e, ns, 1e-12 * fmax(1, fmax(fabs(e[0]), fabs(e[ns - 1]))));
  free(S), free(e);
  return in.zero;
}

static void check_net(const char *name, int L, const int *w, int n, unsigned seed) {
  ls_net net = make_net(L, w);
  ls_data d;
  make_data(&d, n, w[0], w[L], seed);
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th), *eig = malloc(P * sizeof *eig), *pr = malloc(P * sizeof *pr);
  double *H = malloc(P * P * sizeof *H), gn;
  unsigned char *mask = malloc(P);
  int b = w[L];
  for (int k = 1; k <= L - 1; k++) {
    for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed);
    double g0 = tsu_grad_norm(&net, &d, th, NULL);
    ls_locus_project(&net, &d, &k, 1, th, NULL);
    spectrum(&net, &d, th, eig, H, &gn);
    CHECK(gn < 1e-14 && g0 > 1e-3, "%s S_%d: critical (|grad| %.1e; %.1e before projection)", name, k, gn, g0);
    ls_locus_star_spectrum(&net, &d, th, k, pr, NULL);
    double err = 0;
    for (size_t i = 0; i < P; i++) err = fmax(err, fabs(eig[i] - pr[i]));
    ls_inertia in = ls_inertia_count(eig, (int)P, 1e-10);
    CHECK(err < 1e-12, "%s S_%d: Hessian spectrum = predicted 2 (x%d), +-2 s(G) s(J), 0 (max |diff| %.1e; inertia %d/%d/%d)",
          name, k, b, err, in.neg, in.zero, in.pos);
    long dim = ls_locus_free_mask(&net, &k, 1, mask, NULL), dimf = ls_locus_dim_formula(&net, &k, 1);
    double hfree = 0;
    for (size_t i = 0; i < P; i++)
      if (mask[i])
        for (size_t j = 0; j < P; j++) hfree = fmax(hfree, fabs(H[j * P + i]));
    CHECK(dim == dimf && hfree < 1e-13 && in.zero >= dim,
          "%s S_%d: dimension %ld = formula %ld, free directions in the Hessian kernel (max %.1e), %d zero eigenvalues >= dim",
          name, k, dim, dimf, hfree, in.zero);
    /* the literal "b_L = sum_a y_a" of the paper is not critical */
    double *bL = th + ls_net_b_offset(&net, L), keep = bL[0];
    bL[0] *= n;
    double gl = tsu_grad_norm(&net, &d, th, NULL);
    bL[0] = keep;
    CHECK(gl > 1e-2, "%s S_%d: b_L = sum of targets (paper's text) is not critical (|grad| %.3f)", name, k, gl);
  }
  for (int k1 = 1; k1 <= L - 1; k1++)
    for (int k2 = k1 + 1; k2 <= L - 1; k2++) {
      int ks[2] = {k1, k2};
      for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed);
      ls_locus_project(&net, &d, ks, 2, th, NULL);
      spectrum(&net, &d, th, eig, H, &gn);
      int npos = 0, nzero = 0;
      double dev = 0;
      for (size_t i = 0; i < P; i++) {
        if (fabs(eig[i]) < 1e-13)
          nzero++;
        else
          npos += eig[i] > 0, dev = fmax(dev, fabs(eig[i] - 2));
      }
      CHECK(gn < 1e-14 && npos == b && nzero == (int)P - b && dev < 1e-13,
            "%s C_{%d,%d}: critical (|grad| %.1e), %d positive eigenvalues all = 2 (dev %.1e), %d zero = d - b (d = %zu)",
            name, k1, k2, gn, npos, dev, nzero, P);
      long dim = ls_locus_free_mask(&net, ks, 2, mask, NULL), dimf = ls_locus_dim_formula(&net, ks, 2);
      CHECK(dim == dimf, "%s C_{%d,%d}: dimension %ld = formula %ld", name, k1, k2, dim, dimf);
    }
  free(th), free(eig), free(pr), free(H), free(mask);
  ls_data_free(&d);
}

/* Very wide: every hidden width m > n. Star, core and global-minimum points: zero
 * eigenvalues against Corollary 5.18 (m_{L-1}+1-n) m_L and Proposition 6.2. */
static void check_wide(const char *name, int L, const int *w, int n, unsigned seed) {
  ls_net net = make_net(L, w);
  ls_data d;
  make_data(&d, n, w[0], w[L], seed);
  size_t P = ls_net_nparams(&net);
  int b = w[L], m = w[L - 1];
  double *th = malloc(P * sizeof *th), *eig = malloc(P * sizeof *eig), *H = malloc(P * P * sizeof *H), gn;
  long bound = (long)(m + 1 - n) * b;
  for (int k = 1; k <= L - 1; k++) {
    for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed) / sqrt(w[0] + 1.0);
    ls_locus_project(&net, &d, &k, 1, th, NULL);
    double emax = spectrum(&net, &d, th, eig, H, &gn);
    ls_inertia in = ls_inertia_count(eig, (int)P, 1e-12 * emax);
    int r, r1;
    ls_locus_phi_rank(&net, &d, th, 1e-12, &r, &r1, NULL);
    CHECK(gn < 1e-14 && in.zero >= bound,
          "%s wide S_%d (d = %zu): %d zero eigenvalues >= Cor. 5.18 bound %ld (|grad| %.1e; rank Phi %d, rank [Phi;1] %d)",
          name, k, P, in.zero, bound, gn, r, r1);
    int sz = slice_zeros(&net, H);
    CHECK(sz == (m + 1 - r1) * b && sz != (m + 1 - r) * b,
          "%s wide S_%d: last-layer slice has %d flat directions = (m+1-rank[Phi;1]) b = %d, not Lemma 5.14's (m+1-rank Phi) b = %d",
          name, k, sz, (m + 1 - r1) * b, (m + 1 - r) * b);
  }
  if (L >= 3) {
    int ks[2] = {1, 2};
    for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed);
    ls_locus_project(&net, &d, ks, 2, th, NULL);
    double emax = spectrum(&net, &d, th, eig, H, &gn);
    ls_inertia in = ls_inertia_count(eig, (int)P, 1e-12 * emax);
    CHECK(gn < 1e-14 && in.zero == (long)P - b && in.zero >= bound,
          "%s wide C_{1,2}: %d zero eigenvalues = d - b = %ld (Prop. 6.2, b = %d) >= %ld", name, in.zero,
          (long)P - b, b, bound);
  }
  /* a global minimum: random hidden layers, last layer solving [Phi; 1]^T [M; b]^T = Y */
  for (size_t i = 0; i < P; i++) th[i] = tsu_normal(&seed) / sqrt(w[0] + 1.0);
  {
    ls_net sub = net;
    double *F = malloc((size_t)n * (m + 1) * sizeof *F), *Yt = malloc((size_t)(m + 1 > n ? m + 1 : n) * b * sizeof *Yt);
    ls_work *wk;
    /* Phi by a forward pass of the truncated network (hidden layers only) */
    sub.n_layers = L - 1;
    wk = ls_work_alloc(&sub, (size_t)n);
    double *Ph = malloc((size_t)n * m * sizeof *Ph);
    ls_forward(&sub, th, (size_t)n, d.x, Ph, wk);
    ls_work_free(wk);
    for (int a = 0; a < n; a++) {
      memcpy(F + (size_t)a * (m + 1), Ph + (size_t)a * m, (size_t)m * sizeof *F);
      F[(size_t)a * (m + 1) + m] = 1;
      for (int o = 0; o < b; o++) Yt[(size_t)a * b + o] = d.y[(size_t)a * b + o];
    }
    LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', n, m + 1, b, F, m + 1, Yt, b);
    double *W = th + ls_net_w_offset(&net, L), *bb = th + ls_net_b_offset(&net, L);
    for (int o = 0; o < b; o++) {
      for (int q = 0; q < m; q++) W[(size_t)o * m + q] = Yt[(size_t)q * b + o];
      bb[o] = Yt[(size_t)m * b + o];
    }
    free(F), free(Yt), free(Ph);
  }
  double loss, emax = spectrum(&net, &d, th, eig, H, &gn);
  tsu_grad_norm(&net, &d, th, &loss);
  ls_inertia in = ls_inertia_count(eig, (int)P, 1e-10 * emax);
  int r, r1, sz = slice_zeros(&net, H);
  ls_locus_phi_rank(&net, &d, th, 1e-12, &r, &r1, NULL);
  CHECK(sz == (m + 1 - r1) * b, "%s wide global minimum: slice flat directions %d = (m+1-rank[Phi;1]) b = %d (rank Phi %d)",
        name, sz, (m + 1 - r1) * b, r);
  CHECK(loss < 1e-26 && in.zero == (long)P - (long)b * n && in.neg == 0 && in.zero >= bound,
        "%s wide global minimum (loss %.1e): %d zero eigenvalues = d - bn = %ld (Prop. 6.2) >= %ld", name,
        loss, in.zero, (long)P - (long)b * n, bound);
  free(th), free(eig), free(H);
  ls_data_free(&d);
}

/* A critical point that is neither on a locus nor a global minimum: a narrow 3-2-1 tanh
 * network converged on n = 20 samples (11 parameters, no interpolation), embedded in a
 * very wide 3-24-1 network with inactive neurons (zero incoming weights, bias and
 * outgoing weight: sigma(0) = 0 keeps them silent and their gradients zero). */
static void check_embedded(void) {
  int wn[3] = {3, 2, 1}, ww[3] = {3, 24, 1}, n = 20;
  ls_net nn = make_net(2, wn), nw = make_net(2, ww);
  ls_data d;
  make_data(&d, n, 3, 1, 17);
  size_t Pn = ls_net_nparams(&nn), P = ls_net_nparams(&nw);
  double tn[11] = {0.8, -0.5, 0.3, -0.4, 0.9, 0.2, 0.1, -0.1, 1.0, -1.0, 0.5}, loss;
  double gn = tsu_critical_point(&nn, &d, tn, 500, 0.05, 1e-14, 0);
  tsu_grad_norm(&nn, &d, tn, &loss);
  double *th = calloc(P, sizeof *th), *eig = malloc(P * sizeof *eig), *H = malloc(P * P * sizeof *H);
  memcpy(th + ls_net_w_offset(&nw, 1), tn + ls_net_w_offset(&nn, 1), 6 * sizeof(double));
  memcpy(th + ls_net_b_offset(&nw, 1), tn + ls_net_b_offset(&nn, 1), 2 * sizeof(double));
  memcpy(th + ls_net_w_offset(&nw, 2), tn + ls_net_w_offset(&nn, 2), 2 * sizeof(double));
  th[ls_net_b_offset(&nw, 2)] = tn[ls_net_b_offset(&nn, 2)];
  double gw, emax = spectrum(&nw, &d, th, eig, H, &gw);
  ls_inertia in = ls_inertia_count(eig, (int)P, 1e-10 * emax);
  int r, r1;
  ls_locus_phi_rank(&nw, &d, th, 1e-12, &r, &r1, NULL);
  long bound = (long)(24 + 1 - n);
  CHECK(gn < 1e-13 && gw < 1e-13 && loss > 1e-3 && in.zero >= bound,
        "embedded 3-2-1 -> 3-24-1 critical point (loss %.4f, |grad| %.1e, d = %zu, inertia %d/%d/%d): %d zero eigenvalues >= Cor. 5.18 bound %ld (rank Phi %d, rank [Phi;1] %d; Thm 5.15 with rank: %ld)",
        loss, gw, P, in.neg, in.zero, in.pos, in.zero, bound, r, r1, (long)(24 + 1 - r));
  (void)Pn;
  free(th), free(eig), free(H);
  ls_data_free(&d);
}

int main(void) {
  check_embedded();
  int w2[3] = {3, 6, 1}, w3[4] = {3, 5, 4, 2}, w4[5] = {2, 4, 5, 3, 1};
  check_net("3-6-1", 2, w2, 7, 1);
  check_net("3-5-4-2", 3, w3, 7, 2);
  check_net("2-4-5-3-1", 4, w4, 6, 3);
  int v2[3] = {3, 40, 1}, v3[4] = {2, 16, 16, 2}, v4[5] = {2, 12, 12, 12, 1};
  check_wide("3-40-1", 2, v2, 6, 4);
  check_wide("2-16-16-2", 3, v3, 6, 5);
  check_wide("2-12-12-12-1", 4, v4, 5, 6);
  /* Proposition 6.1 against the general formula: the printed dim(S), dim(C) are the
   * dimensions of S_2 and C_{2,3}; the maxima over k are those of S_1, C_{1,2} */
  for (int ell = 4; ell <= 5; ell++)
    for (long m = 6; m <= 30; m += 12) {
      int wd[8];
      wd[0] = 3;
      for (int l = 1; l < ell; l++) wd[l] = (int)m;
      wd[ell] = 2;
      ls_net net = make_net(ell, wd);
      long dm, ds, dc, s2, c23, best_s = 0, best_c = 0;
      ls_locus_dims_equal_width(ell, m, 3, 2, 10, &dm, &ds, &dc);
      int k2 = 2, k23[2] = {2, 3};
      s2 = ls_locus_dim_formula(&net, &k2, 1);
      c23 = ls_locus_dim_formula(&net, k23, 2);
      for (int k = 1; k < ell; k++) {
        long v = ls_locus_dim_formula(&net, &k, 1);
        if (v > best_s) best_s = v;
        for (int j = k + 1; j < ell; j++) {
          int kk[2] = {k, j};
          long c = ls_locus_dim_formula(&net, kk, 2);
          if (c > best_c) best_c = c;
        }
      }
      long d = (long)ls_net_nparams(&net);
      CHECK(ds == s2 && dc == c23 && dm == d - 2 * 10 && best_s == (ell - 2) * m * m &&
                best_c == (ell - 3) * m * m,
            "Prop. 6.1, ell %d, m %ld: dim S printed %ld = dim S_2 %ld (max over k: %ld = (ell-2) m^2), dim C printed %ld = dim C_{2,3} %ld (max: %ld = (ell-3) m^2), dim M %ld = d - bn",
            ell, m, ds, s2, best_s, dc, c23, best_c, dm);
    }
  return check_done();
}
