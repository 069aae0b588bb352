/* The trainer's phase table (src/optim/phases.c).
 * 1. A polishing list runs exactly as the combined kind it spells: "slsqp+newton",
 *    "lbfgs+newton", "lm+newton", "newton+lm" as ls_train_opts.polish_list give the same
 *    phases, stop reasons, iteration counts and bitwise the same parameters as
 *    LS_POLISH_SLSQP_NEWTON, ... on the thesis problem (thesis section 6.2, a 21x21 grid),
 *    after a short Adam phase and without one.
 * 2. ls_phase_list_parse: names, order, bad lists (unknown phase, empty part, too long).
 * 3. The Levenberg-Marquardt loop on a known least-squares problem: linear regression
 *    y = W x + b (a network without hidden layer), whose residuals are linear in theta,
 *    so the undamped Gauss-Newton step is exact and LM reaches the generating
 *    coefficients to rounding in a few steps. */
#include <string.h>

#include "check.h"
#include "optim_fixture.h"

static void start_point(double *th, size_t P) {
  unsigned long long s = 7;
  for (size_t i = 0; i < P; i++) th[i] = thesis_teacher[i] + 0.05 * fixture_rand(&s);
}

/* Trains from the fixed start with opts; theta gets the result. */
static void run(const ls_net *net, const ls_data *d, const ls_train_opts *o, double *th,
                ls_train_result *r) {
  ls_error err = {0};
  start_point(th, ls_net_nparams(net));
  memset(r, 0, sizeof *r);
  ls_status st = ls_train(net, d, th, o, r, &err);
  if (st != LS_OK) printf("ls_train: %s\n", err.msg);
}

static int same_run(const ls_train_result *a, const ls_train_result *b, const double *ta,
                    const double *tb, size_t P) {
  if (a->n_phases != b->n_phases || a->stop != b->stop || a->iters != b->iters) return 0;
  for (int i = 0; i < a->n_phases; i++)
    if (strcmp(a->phase[i].name, b->phase[i].name) || a->phase[i].stop != b->phase[i].stop ||
        a->phase[i].iters != b->phase[i].iters)
      return 0;
  return memcmp(ta, tb, P * sizeof *ta) == 0 && memcmp(&a->loss, &b->loss, sizeof a->loss) == 0;
}

static void list_equals_kind(const ls_net *net, const ls_data *d, ls_polish_kind kind,
                             ls_first_kind first) {
  size_t P = ls_net_nparams(net);
  double ta[12], tb[12];
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = first, o.first_maxiter = 300, o.polish = kind, o.polish_maxiter = 60;
  o.traj_per_decade = 0;
  ls_train_result ra, rb;
  run(net, d, &o, ta, &ra);
  ls_error err = {0};
  CHECK(ls_phase_list_parse(ls_polish_name(kind), &o.polish_list, &err) == LS_OK, "parse %s",
        ls_polish_name(kind));
  o.polish = LS_POLISH_AUTO; /* ignored when the list is set */
  run(net, d, &o, tb, &rb);
  char names[64] = "";
  for (int i = 0; i < rb.n_phases; i++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
             rb.phase[i].name);
  CHECK(ra.n_phases >= 1 && same_run(&ra, &rb, ta, tb, P),
        "%s%s: list = kind bit for bit (phases %s, stop %s, loss %.3e)",
        first == LS_FIRST_ADAM ? "adam + " : "", ls_polish_name(kind), names,
        ls_stop_name(rb.stop), rb.loss);
  ls_train_result_free(&ra), ls_train_result_free(&rb);
}

static void parse_check(void) {
  ls_phase_list l;
  ls_error err = {0};
  CHECK(ls_phase_list_parse("lm+newton", &l, &err) == LS_OK && l.n == 2 &&
            l.k[0] == LS_PHASE_LM && l.k[1] == LS_PHASE_NEWTON,
        "lm+newton = {lm, newton}");
  CHECK(ls_phase_list_parse("lbfgs+slsqp+newton+lm", &l, &err) == LS_OK && l.n == 4 &&
            !strcmp(ls_phase_name(l.k[1]), "slsqp"),
        "four phases in order");
  const char *bad[] = {"", "lm+", "+lm", "lm++newton", "adam", "newton+foo", "lm+lm+lm+lm+lm"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(ls_phase_list_parse(bad[i], &l, &err) == LS_ERR_INPUT, "'%s' refused: %s", bad[i],
          err.msg);
}

static void lm_linear_check(void) {
  int w[2] = {3, 2};
  ls_net net;
  ls_act a = {LS_ACT_TANH, 0, 0};
  ls_net_init(&net, 1, w, a, 1, NULL);
  size_t P = ls_net_nparams(&net), n = 20;
  ls_data d;
  ls_data_alloc(&d, n, 3, 2, 0, NULL);
  unsigned long long s = 5;
  double truth[8], th[8];
  for (size_t i = 0; i < P; i++) truth[i] = fixture_rand(&s), th[i] = 0;
  for (size_t i = 0; i < 3 * n; i++) d.x[i] = 2 * fixture_rand(&s);
  ls_work *wk = ls_work_alloc(&net, n);
  ls_forward(&net, truth, n, d.x, d.y, wk);
  ls_lm_opts lo = {50, 0, NULL, NULL};
  double loss;
  ls_stop_reason why;
  ls_error err = {0};
  ls_status st = ls_lm_polish(&net, &d, th, &lo, &loss, &why, &err);
  double worst = 0;
  for (size_t i = 0; i < P; i++) worst = fmax(worst, fabs(th[i] - truth[i]));
  CHECK(P == 8 && st == LS_OK && loss < 1e-28 && worst < 1e-12,
        "linear least squares: loss %.2e, coefficients within %.2e of the truth, stop %s", loss,
        worst, ls_stop_name(why));
  ls_work_free(wk);
  ls_data_free(&d);
}

int main(void) {
  ls_net net;
  ls_data d;
  thesis_net(&net, 4);
  thesis_data(&d, 21);
  ls_polish_kind kinds[] = {LS_POLISH_SLSQP_NEWTON, LS_POLISH_LBFGS_NEWTON, LS_POLISH_LM_NEWTON,
                            LS_POLISH_NEWTON_LM};
  for (size_t i = 0; i < 4; i++) {
    list_equals_kind(&net, &d, kinds[i], LS_FIRST_NONE);
    list_equals_kind(&net, &d, kinds[i], LS_FIRST_ADAM);
  }
  ls_data_free(&d);
  parse_check();
  lm_linear_check();
  return check_done();
}
