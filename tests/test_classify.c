/* Classification and pruning on constructed networks with known answers:
 *  - a teacher split and permuted (Simsek Definition 3.2) reduces back to it exactly and is
 *    classified global, with the expected groups (copies of teacher neurons, zero-type);
 *  - the sigmoid identity sigma(-x) = 1 - sigma(x) (thesis section 6.2.2): flipping two
 *    units whose constants cancel is the teacher; flipping one is not;
 *  - a critical point of a smaller network expanded by a collinear split (Definition 4.1)
 *    is classified symmetry-induced (a saddle when its Hessian has a negative eigenvalue,
 *    as thesis Theorem 3 / Corollary 3.1 predict from the sign of mu(1-mu) Y);
 *  - pruned parameters written to disk read back equal and compute the same outputs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/io.h"
#include "sym_util.h"

/* Thesis teacher (section 6.2), on a 21 x 21 grid on [-5, 5]^2 to keep the test fast. */
static const double thesis_w[12] = {0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1};

static const ls_act thesis_sigmoid = {LS_ACT_SIGMOID, 0, 0};

/* The thesis architecture 2-width-1 without biases. */
static void thesis_arch(ls_net *net, int width, ls_act act) {
  int w[3] = {2, width, 1};
  ls_net_init(net, 2, w, act, 0, NULL);
}

static void grid_data(ls_data *d, const ls_net *t, const double *tt) {
  ls_data_grid(d, 21, 2, -5, 5, 1, NULL);
  ls_data_teacher_targets(d, t, tt, 0, NULL);
}

static void split_and_permute(ls_act act) {
  ls_net t;
  thesis_arch(&t, 4, act);
  ls_data d;
  grid_data(&d, &t, thesis_w);
  /* teacher -> width 8: multiplicities (2,1,2,1), one zero-type group of size 2 */
  int k[4] = {2, 1, 2, 1}, b[1] = {2};
  ls_sym_expand_spec sp;
  ls_sym_expand_spec_default(&sp, 1, 8);
  sp.k = k, sp.n_zero = 1, sp.b = b, sp.zero_type_out = 1, sp.random_perm = 1;
  ls_net nm;
  double *tm = NULL;
  ls_error err = {0};
  ls_status st = ls_sym_expand_layer(&t, thesis_w, &sp, 7, &nm, &tm, NULL, &err);
  CHECK(st == LS_OK, "%s: expand 4 -> 8 (%s)", ls_act_name(act.kind), st ? err.msg : "ok");
  if (st) {
    ls_data_free(&d);
    return;
  }
  ls_classify_result r;
  st = ls_classify_point(&nm, &d, tm, &t, thesis_w, NULL, &r, &err);
  CHECK(st == LS_OK && r.cls == LS_CLASS_GLOBAL && r.teacher_match,
        "%s: split + permuted teacher classified %s, teacher match %d (loss %.2e)",
        ls_act_name(act.kind), ls_class_name(r.cls), r.teacher_match, r.loss);
  CHECK(r.reduced_width[1] == 4 && r.match_error < 1e-13,
        "%s: reduced back to width %d, max weight error against the teacher %.1e",
        ls_act_name(act.kind), r.reduced_width[1], r.match_error);
  int sizes[4] = {0}, zero = 0, zero_units = 0;
  for (int g = 0; g < r.n_groups; g++) {
    if (r.groups[g].zero_type) zero++, zero_units += r.groups[g].size;
    else if (r.groups[g].teacher_unit >= 0) sizes[r.groups[g].teacher_unit] = r.groups[g].size;
  }
  CHECK(sizes[0] == 2 && sizes[1] == 1 && sizes[2] == 2 && sizes[3] == 1 && zero == 1 &&
            zero_units == 2,
        "%s: groups: teacher copies of sizes %d %d %d %d, %d zero-type group(s) of %d units",
        ls_act_name(act.kind), sizes[0], sizes[1], sizes[2], sizes[3], zero, zero_units);
  CHECK(r.prune_max_diff < 1e-13, "%s: pruned network outputs equal, max diff %.1e",
        ls_act_name(act.kind), r.prune_max_diff);
  ls_classify_result_free(&r);
  free(tm);
  ls_data_free(&d);
}

static void sigmoid_identity(void) {
  ls_net t;
  thesis_arch(&t, 4, thesis_sigmoid);
  ls_data d;
  grid_data(&d, &t, thesis_w);
  /* Thesis section 6.2.2: units 1 (a=1) and 4 (a=-1) learn -w with -a; the constants
   * c*a = 1 and -1 cancel, so no bias is needed. Then permute. */
  double th[12], tp[12];
  memcpy(th, thesis_w, sizeof th);
  const int flip[2] = {0, 3};
  for (int f = 0; f < 2; f++) {
    int u = flip[f];
    th[2 * u] *= -1, th[2 * u + 1] *= -1, th[8 + u] *= -1;
  }
  int perm[4] = {3, 1, 0, 2};
  ls_sym_permute(&t, 1, perm, th, tp, NULL);
  ls_classify_result r;
  ls_error err = {0};
  ls_status st = ls_classify_point(&t, &d, tp, &t, thesis_w, NULL, &r, &err);
  int signs = 0;
  for (int g = 0; g < r.n_groups; g++) signs += r.groups[g].teacher_unit >= 0;
  CHECK(st == LS_OK && r.cls == LS_CLASS_GLOBAL && r.teacher_match && r.match_error < 1e-14 &&
            signs == 4 && r.loss < 1e-28,
        "sigmoid(-x) = 1 - sigmoid(x): two flipped units recognised as the teacher (loss %.1e, "
        "match error %.1e)", r.loss, r.match_error);
  ls_classify_result_free(&r);
  /* one flip alone leaves the constant a = 1 in the output: not the teacher (the point
   * itself: without the continuation, which would train it back to the teacher) */
  memcpy(th, thesis_w, sizeof th);
  th[0] *= -1, th[1] *= -1, th[8] *= -1;
  ls_classify_opts no_cont;
  ls_classify_opts_default(&no_cont);
  no_cont.continue_iter = 0;
  st = ls_classify_point(&t, &d, th, &t, thesis_w, &no_cont, &r, &err);
  CHECK(st == LS_OK && r.cls != LS_CLASS_GLOBAL && !r.teacher_match &&
            fabs(r.match_error - 1) < 1e-14 && fabs(r.loss - 1) < 1e-12,
        "one flipped unit: class %s, loss %.3f (= 1), uncancelled constant %.3f",
        ls_class_name(r.cls), r.loss, r.match_error);
  ls_classify_result_free(&r);
  ls_data_free(&d);
}

/* Critical points of width-2 students, expanded to width 3 by splitting unit 0 with
 * outgoing weights (mu a, (1 - mu) a). Thesis Corollary 3.1 (one output, so U = 0): the
 * split point is a degenerate minimum when mu(1-mu) Y is positive definite and a saddle when
 * Y is indefinite; mu in (0,1) and mu outside [0,1] flip the sign of mu(1-mu); at mu = 1
 * the block vanishes and no negative eigenvalue appears. */
static void symmetry_induced(void) {
  ls_net t, n2;
  thesis_arch(&t, 4, thesis_sigmoid);
  thesis_arch(&n2, 2, thesis_sigmoid);
  ls_data d;
  grid_data(&d, &t, thesis_w);
  int n_min = 0, consistent = 1, all_si = 1, n_pts = 0;
  for (int trial = 0; trial < 4; trial++) {
    uint64_t seed = 1 + (uint64_t)(trial / 2);
    double th2[6];
    ls_params_glorot(&n2, seed, th2);
    if (su_find_critical(&n2, &d, th2, 3000) > 1e-12) continue;
    n_pts++;
    const double mus[3] = {0.3, 1.6, 1.0};
    int cls[3] = {-1, -1, -1};
    for (int q = 0; q < 3; q++) {
      int k[2] = {2, 1}; /* split unit trial % 2 */
      double beta[3] = {mus[q], 1 - mus[q], 1};
      if (trial % 2) k[0] = 1, k[1] = 2, beta[0] = 1, beta[1] = mus[q], beta[2] = 1 - mus[q];
      ls_sym_expand_spec sp;
      ls_sym_expand_spec_default(&sp, 1, 3);
      sp.k = k, sp.n_zero = 0, sp.beta = beta;
      ls_net n3;
      double *t3 = NULL;
      ls_error err = {0};
      if (ls_sym_expand_layer(&n2, th2, &sp, 1, &n3, &t3, NULL, &err)) {
        all_si = 0;
        continue;
      }
      ls_classify_result r;
      ls_status st = ls_classify_point(&n3, &d, t3, &t, thesis_w, NULL, &r, &err);
      cls[q] = r.cls;
      printf("  seed %d mu %.1f: %s, reduced width %d, reduced gradient %.1e, smallest "
             "eigenvalues %.2e %.2e, %d negative, %d zero\n",
             (int)seed, mus[q], ls_class_name(r.cls), r.reduced_width[1], r.reduced_grad_inf,
             r.eig[0], r.eig[1], r.n_neg_eigs, r.n_zero_eigs);
      if (st || !r.sym_induced || r.reduced_width[1] != 2 ||
          r.cls != (r.n_neg_eigs ? LS_CLASS_SADDLE : LS_CLASS_SYMMETRY))
        all_si = 0;
      ls_classify_result_free(&r);
      free(t3);
    }
    n_min += cls[2] == LS_CLASS_SYMMETRY;
    if (cls[0] == LS_CLASS_SYMMETRY && cls[1] == LS_CLASS_SYMMETRY) consistent = 0;
  }
  CHECK(n_pts >= 2 && all_si,
        "%d split critical points: all symmetry-induced (reduced to width 2, critical there), "
        "class saddle exactly when a negative eigenvalue is found", 2 * n_pts);
  CHECK(consistent && n_min == n_pts,
        "Corollary 3.1: never a minimum for both mu = 0.3 and mu = 1.6; mu = 1 (the copy "
        "gets outgoing weight 0, mu(1-mu) Y = 0, U = 0) is a symmetry-induced minimum in "
        "%d of %d cases", n_min, n_pts);
  ls_data_free(&d);
}

static void not_converged_and_prune_files(void) {
  ls_net t, n5;
  thesis_arch(&t, 4, thesis_sigmoid);
  thesis_arch(&n5, 5, thesis_sigmoid);
  ls_data d;
  grid_data(&d, &t, thesis_w);
  double th[15];
  ls_params_glorot(&n5, 11, th);
  ls_classify_result r;
  ls_error err = {0};
  ls_classify_opts no_cont; /* the point itself (tests/test_classify_continue.c: continued) */
  ls_classify_opts_default(&no_cont);
  no_cont.continue_iter = 0;
  ls_status st = ls_classify_point(&n5, &d, th, &t, thesis_w, &no_cont, &r, &err);
  CHECK(st == LS_OK && r.cls == LS_CLASS_NOT_CONVERGED && r.grad_inf > 1e-8,
        "random point: %s (gradient %.1e)", ls_class_name(r.cls), r.grad_inf);
  ls_classify_result_free(&r);

  char stem[] = "/tmp/landsym_test_prune_XXXXXX";
  int fd = mkstemp(stem);
  if (fd >= 0) close(fd), unlink(stem);
  st = ls_prune_write(stem, &t, thesis_w, &err);
  char p[128];
  snprintf(p, sizeof p, "%s.npy", stem);
  double *back = NULL;
  size_t n = 0;
  if (!st) st = ls_params_read(p, &back, &n, &err);
  int same = !st && n == 12 && !memcmp(back, thesis_w, sizeof thesis_w);
  unlink(p);
  snprintf(p, sizeof p, "%s.json", stem);
  json_t *j = json_load_file(p, 0, NULL);
  json_t *w = j ? json_object_get(j, "widths") : NULL;
  CHECK(same && json_array_size(w) == 3 && json_integer_value(json_array_get(w, 1)) == 4 &&
            json_is_string(json_object_get(j, "params_file")),
        "pruned network written: .npy reads back bit for bit, .json describes widths 2-4-1");
  json_decref(j);
  unlink(p);
  free(back);
  ls_classify_opts o;
  ls_classify_opts_default(&o);
  o.eig_tol = -1;
  CHECK(ls_classify_opts_validate(&o, &err) == LS_ERR_INPUT, "negative tolerance rejected: %s",
        err.msg);
  ls_data_free(&d);
}

int main(void) {
  ls_act sps = {LS_ACT_SOFTPLUS_SIG, 1.0, 4.0};
  split_and_permute(thesis_sigmoid);
  split_and_permute(sps);
  sigmoid_identity();
  symmetry_induced();
  not_converged_and_prune_files();
  return check_done();
}
