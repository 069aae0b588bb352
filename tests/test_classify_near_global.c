/* Near a global minimum (classify.h near_global, src/sym/near_global.c, docs/classify.md),
 * on the thesis problem (2-4-1 sigmoid teacher, 41x41 grid).
 *
 * A wide student is built as figure 1c's wide students end: the four teacher units (two
 * of them taken flipped, sigma(-z) = 1 - sigma(z), one with its outgoing weight split over
 * two copies) and a cloud of K units with small, spread incoming weights whose outgoing
 * weights make the cloud's function nearly vanish: the right singular vector of the
 * smallest singular value of the matrix [sigma(w_k.x_i)] (data x K), so that the cloud
 * cancels to that singular value. At its loss, above
 * the floor and below 1e-10 L(0) (5e-13), the point is no critical point: no finite
 * certificate holds, and the classifier builds the teacher expansion (copies snapped to
 * the teacher, the cloud moved to the origin with its constants cancelled). Checked
 * against independent truth: that point's loss recomputed here is at rounding level, its
 * distance is the largest move (at least the cloud's largest |w|), and classified by
 * itself it is a global minimum that reduces to the teacher. A run with a teacher unit
 * missing (its copy moved away) gets no such certificate, nor does a run above the loss
 * threshold. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "landsym/classify.h"
#include "landsym/config.h"
#include "landsym/ctx.h"
#include "sym_util.h"

enum { K = 12, W = 5 + K };
static const double R0 = 0.05, R1 = 0.25; /* the cloud's |w| */

/* The student: units 0..3 teacher copies (units 0 and 1 flipped, their constants
 * -1 and +1 cancelling), unit 4 a second flipped copy of teacher unit 0 (the two share its
 * outgoing weight, 0.7 / 0.3), units 5.. the cloud with outgoing weights c v, v the right
 * singular vector of the smallest singular value of [sigma(w_k.x_i)] (data x K), scaled
 * to max |a_k| = 0.5 (figure 1c's clouds: 0.05 to 0.4). */
static int build(const ls_config *cfg, const ls_net *net, double *th, double *cloud_wmax,
                 double *smin) {
  const double *t = cfg->teacher_params; /* W1 (4 x 2), then a (4) */
  const ls_data *d = &cfg->data;
  ls_rng rs;
  ls_rng_seed(&rs, 3);
  size_t wo = ls_net_w_offset(net, 2);
  memset(th, 0, ls_net_nparams(net) * sizeof *th);
  for (int j = 0; j < 4; j++) {
    double s = j < 2 ? -1 : 1;
    th[2 * j] = s * t[2 * j], th[2 * j + 1] = s * t[2 * j + 1];
    th[wo + j] = s * t[8 + j];
  }
  th[8] = -t[0], th[9] = -t[1]; /* unit 4: a second flipped copy of teacher unit 0 */
  th[wo + 0] = -0.7 * t[8], th[wo + 4] = -0.3 * t[8];
  *cloud_wmax = 0;
  for (int k = 0; k < K; k++) {
    double r = R0 + (R1 - R0) * ls_rng_uniform(&rs), phi = 6.283185307179586 * ls_rng_uniform(&rs);
    th[2 * (5 + k)] = r * cos(phi), th[2 * (5 + k) + 1] = r * sin(phi);
    *cloud_wmax = fmax(*cloud_wmax, fmax(fabs(r * cos(phi)), fabs(r * sin(phi))));
  }
  size_t n = d->n;
  double *A = malloc(n * K * sizeof *A), s[K], vt[K * K], sup[K];
  if (!A) return -1;
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < K; k++) {
      double z = th[2 * (5 + k)] * d->x[2 * i] + th[2 * (5 + k) + 1] * d->x[2 * i + 1];
      A[i * K + k] = 1 / (1 + exp(-z));
    }
  int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'A', (int)n, K, A, K, s, NULL, 1, vt, K,
                            sup);
  free(A);
  if (info) return -1;
  const double *v = vt + (size_t)(K - 1) * K; /* last row: smallest singular value */
  double vm = 0;
  for (int k = 0; k < K; k++) vm = fmax(vm, fabs(v[k]));
  for (int k = 0; k < K; k++) th[wo + 5 + k] = 0.5 * v[k] / vm;
  *smin = s[K - 1] / s[0];
  return 0;
}

static double max_abs_diff(size_t P, const double *a, const double *b) {
  double m = 0;
  for (size_t p = 0; p < P; p++) m = fmax(m, fabs(a[p] - b[p]));
  return m;
}

int main(void) {
  ls_ctx one = ls_ctx_threads(1); /* small products: BLAS on one thread */
  ls_ctx_apply_blas(&one);
  ls_config cfg;
  if (su_thesis_config(&cfg)) return check_done();
  ls_net net = cfg.student;
  net.width[1] = W;
  size_t P = ls_net_nparams(&net);
  double *th = malloc(P * sizeof *th), wmax, smin;
  if (!th || build(&cfg, &net, th, &wmax, &smin)) {
    CHECK(0, "building the wide student");
    return check_done();
  }
  double *zero = calloc(P, sizeof *zero);
  double L = su_loss(&net, &cfg.data, th), L0 = su_loss(&net, &cfg.data, zero);
  ls_classify_opts o;
  ls_classify_opts_default(&o);
  CHECK(L > 1e-16 && L < o.near_global_rloss * L0, "the wide student's loss %.3g: above the "
        "floor, below %g L(0) = %.3g (smallest relative singular value %.3g)", L,
        o.near_global_rloss, o.near_global_rloss * L0, smin);
  o.continue_iter = 0;
  ls_classify_result r;
  ls_error err;
  if (ls_classify_point(&net, &cfg.data, th, &cfg.teacher, cfg.teacher_params, &o, &r, &err)) {
    CHECK(0, "classify: %s", err.msg);
    return check_done();
  }
  CHECK(r.cls == LS_CLASS_NEAR_GLOBAL && !strcmp(r.certificate, "near_global") &&
            r.near_global_cloud == K && r.run_reason[0],
        "near_global (%s, certificate %s), %d cloud units (%d), own reason: %s",
        ls_class_name(r.cls), r.certificate, r.near_global_cloud, K, r.run_reason);
  ls_classify_result_free(&r);

  /* the construction, checked on its own */
  ls_teacher_expansion e;
  if (ls_teacher_expansion_near(&net, th, &cfg.teacher, cfg.teacher_params, 0.25, &e, &err) ||
      !e.ok) {
    CHECK(0, "teacher expansion: %s", e.reason);
    return check_done();
  }
  double Le = su_loss(&net, &cfg.data, e.theta);
  CHECK(Le < 1e-27 && e.n_copies == 5 && e.n_cloud == K,
        "the teacher expansion's loss %.3g (rounding level), %d copies, %d cloud units", Le,
        e.n_copies, e.n_cloud);
  CHECK(fabs(e.dist - max_abs_diff(P, e.theta, th)) == 0 && e.dist >= wmax,
        "its distance %.4g is the largest move, at least the cloud's largest |w| %.4g", e.dist,
        wmax);
  o.near_global_rloss = 0;
  if (!ls_classify_point(&net, &cfg.data, e.theta, &cfg.teacher, cfg.teacher_params, &o, &r,
                         &err)) {
    CHECK(r.cls == LS_CLASS_GLOBAL && r.teacher_match,
          "classified by itself: %s, teacher match %d", ls_class_name(r.cls), r.teacher_match);
    ls_classify_result_free(&r);
  }
  ls_teacher_expansion_free(&e);

  /* teacher unit 2 has no copy: no certificate */
  th[4] += 1.0, th[5] -= 1.0;
  if (ls_teacher_expansion_near(&net, th, &cfg.teacher, cfg.teacher_params, 0.25, &e, &err))
    CHECK(0, "teacher expansion: %s", err.msg);
  CHECK(!e.ok && strstr(e.reason, "teacher unit 2"), "a missing teacher unit: %s", e.reason);
  ls_teacher_expansion_free(&e);
  th[4] -= 1.0, th[5] += 1.0;
  /* above the threshold: the same construction, but the run is not called near_global */
  o.near_global_rloss = 1e-3 * L / L0;
  if (!ls_classify_point(&net, &cfg.data, th, &cfg.teacher, cfg.teacher_params, &o, &r, &err)) {
    CHECK(r.cls != LS_CLASS_NEAR_GLOBAL && isnan(r.near_global_dist),
          "loss above near_global_rloss L(0): %s", ls_class_name(r.cls));
    ls_classify_result_free(&r);
  }
  free(th), free(zero);
  ls_config_free(&cfg);
  return check_done();
}
