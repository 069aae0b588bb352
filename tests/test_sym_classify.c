/* Classification of trained students (Simsek et al. 2021, Remark 4.2 and Figure 5): the
 * thesis teacher (2-4-1 sigmoid, no biases, 41x41 grid) learnt by 2-5-1 students with the
 * trainer (Adam, then Newton). Every run that reaches zero loss must reduce to width 4 and
 * match the teacher up to permutation and the sigmoid's sign symmetry. Without biases the
 * sign flips only work in pairs whose constants cancel (outgoing weights +1 and -1) or
 * together with a constant unit (zero incoming weights, output sigma(0) = 1/2): both
 * occur among these students. */
#include "check.h"
#include "landsym/config.h"
#include "landsym/io.h"
#include "landsym/optim.h"
#include "sym_util.h"

int main(void) {
  ls_config cfg;
  if (su_thesis_config(&cfg)) {
    CHECK(0, "the thesis config loads");
    return check_done();
  }
  ls_error err;
  size_t P = ls_net_nparams(&cfg.student);
  double *th = malloc(P * sizeof *th);
  int n_global = 0, n_ok = 0, n_flip = 0, n_const = 0;
  for (int seed = 1; seed <= 8; seed++) {
    ls_params_glorot(&cfg.student, (uint64_t)seed, th);
    ls_train_opts o = su_adam_newton(1e-5);
    ls_train_result r = {0};
    if (ls_train(&cfg.student, &cfg.data, th, &o, &r, &err)) {
      CHECK(0, "seed %d: %s", seed, err.msg);
      continue;
    }
    double loss = r.loss;
    ls_train_result_free(&r);
    ls_sym_reduce_opts ro;
    ls_sym_reduce_opts_default(&ro);
    ro.tol = 1e-4;
    ls_sym_reduction red;
    if (ls_sym_reduce(&cfg.student, th, &ro, &red, &err)) {
      CHECK(0, "seed %d: reduce: %s", seed, err.msg);
      continue;
    }
    ls_sym_match mt = {0};
    ls_sym_equiv_cert ec;
    if (ls_sym_match_teacher(&red.net, red.theta, &cfg.teacher, cfg.teacher_params, &mt, &err) ||
        ls_sym_equiv(&cfg.student, th, &red.net, red.theta, &cfg.data, &ec, &err)) {
      CHECK(0, "seed %d: match / equivalence: %s", seed, err.msg);
      ls_sym_match_free(&mt);
      ls_sym_reduction_free(&red);
      continue;
    }
    ls_sym_layer_groups *g = &red.layer[1];
    int flips = 0;
    for (int i = 0; mt.same_shape && i < 4; i++) flips += mt.sign[1][i] < 0;
    if (loss < 1e-20) {
      n_global++;
      int ok = red.net.width[1] == 4 && mt.same_shape && mt.max_weight_error < 1e-6;
      n_ok += ok;
      n_flip += flips > 0;
      n_const += g->const_group >= 0;
      CHECK(ok,
            "seed %d: loss %.1e -> width %d (groups: spread %.1e, separation %.2f%s), "
            "teacher match error %.1e with %d sign flips, reduced outputs differ by %.1e",
            seed, loss, red.net.width[1], g->max_in_group, g->min_between,
            g->const_group >= 0 ? ", a constant unit absorbed" : "",
            mt.same_shape ? mt.max_weight_error : -1, flips, ec.max_out_diff);
    } else {
      printf("  seed %d: not a global minimum (loss %.2e), reduced width %d\n", seed, loss,
             red.net.width[1]);
    }
    ls_sym_match_free(&mt);
    ls_sym_reduction_free(&red);
  }
  CHECK(n_global >= 3 && n_ok == n_global,
        "%d of 8 students reached zero loss, all %d classified as the teacher (%d via sign "
        "flips, %d with a constant unit)",
        n_global, n_ok, n_flip, n_const);
  free(th);
  ls_config_free(&cfg);
  return check_done();
}
