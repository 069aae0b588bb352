/* Cooper 2020 section 5 (ls_locus_descent_line, ls_locus_flat_certificate) and the distance
 * to a locus (ls_locus_distance), against independent truth:
 * - along the line of Theorem 5.11 the outputs are affine in t and reach the targets, so the
 *   loss is exactly (1 - t)^2 L(p): strictly decreasing, zero at the end, only the last layer
 *   moved; with fewer hidden units than samples (rank F < n) the end keeps a positive loss;
 * - the flat move of Proposition 5.13 keeps every output (ls_forward before and after) and
 *   its dimension is (m + 1 - n) m_L; none exists when m + 1 <= n;
 * - the distance to a star locus of a projected point is 0, and of a point moved off it by a
 *   known vector, that vector's length. */
#include "check.h"
#include "landsym/locus.h"
#include "sym_util.h"

int main(void) {
  ls_rng rs;
  ls_rng_seed(&rs, 5);
  ls_net teacher, net;
  int tw[3] = {2, 3, 2};
  double *tt = su_random_net(&teacher, 2, tw, LS_ACT_TANH, 1, 1.0, &rs);
  ls_data d;
  su_teacher_data(&d, 5, &teacher, tt, &rs);
  int widths[2][3] = {{2, 6, 2}, {2, 3, 2}};
  for (int c = 0; c < 2; c++) {
    double *th = su_random_net(&net, 2, widths[c], LS_ACT_TANH, 1, 1.0, &rs);
    size_t P = ls_net_nparams(&net), wo = ls_net_w_offset(&net, 2);
    double *end = malloc(P * sizeof *end);
    ls_locus_line_result r;
    ls_error err;
    ls_status st = ls_locus_descent_line(&net, &d, th, 51, end, &r, &err);
    double inner = 0;
    for (size_t i = 0; i < wo; i++) inner = fmax(inner, fabs(end[i] - th[i]));
    if (c == 0)
      CHECK(!st && r.rank == 5 && r.strictly_decreasing && r.max_rel_dev < 1e-10 &&
                r.loss_end < 1e-25 && inner == 0,
            "2-6-2 on 5 samples: rank F = %d, L(t) = (1-t)^2 L(p) to %.1e over 51 points, strictly "
            "decreasing, end loss %.1e, inner layers unchanged", r.rank, r.max_rel_dev, r.loss_end);
    else
      CHECK(!st && r.rank == 4 && r.loss_end > 1e-6 * r.loss0 && inner == 0,
            "2-3-2 on 5 samples: rank F = %d < n, the slice minimum keeps loss %.3e (start %.3e): "
            "Theorem 5.11 does not apply", r.rank, r.loss_end, r.loss0);
    ls_locus_flat_result f;
    st = ls_locus_flat_certificate(&net, &d, th, &f, &err);
    if (c == 0) {
      CHECK(!st && f.flat_dim == 2 * 2 && f.max_out_change < 1e-13 &&
                fabs(f.loss_moved - f.loss) <= 1e-13 * f.loss,
            "2-6-2: flat dimension %ld = (m + 1 - n) m_L = 4; a unit move changes the outputs by "
            "%.1e and the loss from %.15e to %.15e", f.flat_dim, f.max_out_change, f.loss, f.loss_moved);
    } else {
      CHECK(!st && f.flat_dim == 0, "2-3-2 on 5 samples: no flat last-layer direction (%ld)", f.flat_dim);
    }
    free(th), free(end);
  }
  /* distance to the star locus S_1 of a 2-3-3-2 network */
  int w4[4] = {2, 3, 3, 2};
  double *th = su_random_net(&net, 3, w4, LS_ACT_TANH, 1, 1.0, &rs);
  size_t P = ls_net_nparams(&net);
  int k = 1;
  ls_error err;
  ls_status st = ls_locus_project(&net, &d, &k, 1, th, &err);
  double d0 = -1, d1 = -1;
  if (!st) st = ls_locus_distance(&net, &d, th, &k, 1, &d0, &err);
  /* move M_3 (must be 0 on S_1) by a vector of length 0.5 */
  size_t w3 = ls_net_w_offset(&net, 3);
  th[w3] += 0.3, th[w3 + 1] -= 0.4;
  if (!st) st = ls_locus_distance(&net, &d, th, &k, 1, &d1, &err);
  CHECK(!st && d0 == 0 && fabs(d1 - 0.5) < 1e-15,
        "distance to S_1: %.1e on the locus, %.17g after a move of length 0.5 off it", d0, d1);
  (void)P;
  /* bad input */
  ls_net nb = net;
  nb.act[3].kind = LS_ACT_TANH;
  ls_locus_flat_result f;
  CHECK(ls_locus_flat_certificate(&nb, &d, th, &f, &err) == LS_ERR_INPUT,
        "a non-identity output layer is refused (%s)", err.msg);
  free(th), free(tt);
  ls_data_free(&d);
  return check_done();
}
