/* The reports of the commands (landsym/exp_print.h): what `landsym path`, `saddle`,
 * `channel`, `connect`, `expand`, `invariance`, `locus` and `split` print on stdout. */
#include <stdio.h>

#include <jansson.h>

#include "landsym/exp_print.h"
#include "landsym/optim.h"
#include "landsym/out.h"

static void path_pair(FILE *f, const ls_exp_path_pair *q) {
  const ls_path *p = &q->p;
  fprintf(f, "%d,%d    %-9.4g %-9.3g %-14.8g %-14.8g %-6s %-9.2g %-12.6g %-11.3g %-9.3g %-9.2g %.2f\n",
          q->l, q->m, p->d0, p->d[p->n - 1] / p->d0, p->loss[p->n - 1], p->apex_loss,
          ls_exp_path_end_matches(p) ? "yes" : "no", p->apex_move, p->barrier,
          ls_exp_path_max_at_d(p), p->beta_end, q->dipole, q->seconds);
  if (p->has_apex)
    fprintf(f, "       permutation point certificate: %s, |grad|_inf %.2e (rounding bound %.2e), "
               "%.2e from the apex%s%s\n", ls_cert_kind_name(q->cert.kind), q->cert.grad_inf,
            q->cert.bound, q->cert.dist, q->cert.kind == LS_CERT_NONE ? ": " : "", q->cert.reason);
  if (q->pp_done)
    fprintf(f, "       permutation point: |grad|_inf %.2e, Hessian inertia (neg %d, zero %d, pos %d)\n",
            q->pp_grad, q->pp_inertia.neg, q->pp_inertia.zero, q->pp_inertia.pos);
}

ls_status ls_exp_path_print(FILE *f, const ls_exp_path_result *r, const char *out_dir, int json,
                            ls_error *err) {
  if (json) return ls_json_print(r->summary, f, err);
  fprintf(f, "pair   d0        d_end/d0  loss(dmin)     loss(d=0)      match  move      barrier      "
             "max at d    out_diff  dipole    seconds\n");
  for (int i = 0; i < r->n; i++) path_pair(f, &r->pairs[i]);
  const ls_exp_path_pair *b = &r->pairs[r->best];
  fprintf(f, "lowest barrier: pair %d,%d, %.8g; total %.2f s; files in %s\n", b->l, b->m,
          b->p.barrier, r->seconds, out_dir);
  return LS_OK;
}

static void saddle_line(FILE *f, const ls_exp_saddle_result *r) {
  const ls_saddle_result *sr = &r->saddle;
  const ls_crit_cert *sc = &r->cert;
  fprintf(f, "pair:            %d,%d of layer %d (distance %.6g)\n", sr->l, sr->m, sr->layer,
          sr->pair_distance);
  fprintf(f, "start loss:      %.12g\n", sr->start_loss);
  fprintf(f, "reduced:         loss %.12g, |grad|_inf %.2e\n", sr->reduced_loss, sr->reduced_grad);
  fprintf(f, "saddle line:     mu %.6g, loss %.12g, |grad|_inf %.2e\n", sr->mu, sr->saddle_loss,
          sr->saddle_grad);
  fprintf(f, "distance:        %.6g (start -> saddle)\n", sr->distance);
  fprintf(f, "certificate:     %s, |grad|_inf %.2e (rounding bound %.2e), %.2e from the "
             "saddle-line point%s%s\n", ls_cert_kind_name(sc->kind), sc->grad_inf, sc->bound,
          sc->dist, sc->kind == LS_CERT_NONE ? ": " : "", sc->reason);
  fprintf(f, "inertia:         saddle (neg %d, zero %d, pos %d), split test (neg %d, zero %d, pos %d)\n",
          sr->inertia.neg, sr->inertia.zero, sr->inertia.pos, sr->predicted.neg,
          sr->predicted.zero, sr->predicted.pos);
  if (r->retrain)
    fprintf(f, "retrain:         %d of %d perturbed restarts end below the start's loss\n",
            r->retrain_below_start, r->n_retrain);
  fprintf(f, "classification:  %s\n", sr->start_degenerate
                                          ? "degenerate local minimum near a saddle"
                                          : "not a degenerate minimum of the split test");
}

ls_status ls_exp_saddle_print(FILE *f, const ls_exp_saddle_result *r, int json, ls_error *err) {
  if (json) return ls_json_print(r->summary, f, err);
  const ls_escape_result *er = &r->escape;
  if (r->have_escape)
    fprintf(f, "escape: %d directions (%d negative, %d near zero), lower point %s (best loss "
               "%.10g vs %.10g%s)\n", er->n_dirs, er->n_negative, er->n_near_zero,
            er->found_lower ? "FOUND" : "not found", er->best_loss, er->loss0,
            er->found_by_bfs ? ", by the BFS" : "");
  if (r->have_saddle) saddle_line(f, r);
  return LS_OK;
}

ls_status ls_exp_channel_print(FILE *f, const ls_exp_channel_result *res, const char *out_dir,
                               int json, ls_error *err) {
  if (json) return ls_json_print(res->summary, f, err);
  const ls_channel_report *r = &res->report;
  char g[512];
  ls_exp_channel_groups_string(r, g, sizeof g);
  fprintf(f, "channel:      %s\n", r->reason);
  if (r->n_groups) {
    fprintf(f, "groups:       %s (units 0-based, - = flipped)\n", g);
    fprintf(f, "run loss:     %.17g\n", r->loss);
    fprintf(f, "limit loss:   %.17g (at the run's parameters %.17g)\n", r->limit_loss,
            r->limit_loss0);
    fprintf(f, "limit grad:   %.3g (inf-norm)   inertia +%d 0:%d -%d\n", r->limit_grad_inf,
            r->n_pos, r->n_zero, r->n_neg);
    fprintf(f, "fn distance:  %.3g (RMS run vs polished limit; %.3g at the run's parameters)\n",
            r->fn_dist, r->fn_dist0);
  }
  if (r->n_flow)
    fprintf(f, "continuation: %zu samples, loss %s, end loss %.17g, s %.3g (%s)\n", r->n_flow,
            r->flow_monotone ? "monotone" : "NOT monotone", r->flow_loss_end, r->flow_s_end,
            r->flow_stop);
  fprintf(f, "written to:   %s\n", out_dir);
  return LS_OK;
}

ls_status ls_exp_connect_print(FILE *f, const ls_exp_connect_result *r, int plot, int json,
                               ls_error *err) {
  if (json) return ls_exp_json_line(r->summary, f, err);
  fprintf(f, "start:          %s\n", r->start);
  fprintf(f, "layer:          %d, permutation", r->layer);
  for (int i = 0; i < r->m; i++) fprintf(f, " %d", r->perm[i]);
  fprintf(f, "\nsegments:       %d (free %d, shift %d, transfer %d, restore %d)\n", r->n_segments,
          r->moves[1], r->moves[2], r->moves[3], r->moves[4]);
  fprintf(f, "samples:        %zu\n", r->n);
  fprintf(f, "loss at start:  %.17g\n", r->loss0);
  fprintf(f, "max |L - L0|:   %.3e\n", r->max_dev);
  fprintf(f, "files:          %s, %s%s\n", r->csv, r->npy, plot ? ", connect_loss.{png,svg,dat,gp}" : "");
  return LS_OK;
}

static void expand_critical(FILE *f, const ls_sym_critical_cert *cc) {
  fprintf(f, "gradient norm:    %.3e -> %.3e\n", cc->grad_norm_r, cc->grad_norm_m);
  fprintf(f, "zero eigenvalues: %d -> %d, predicted %d (tol %.1e; largest zero %.2e, "
             "smallest nonzero %.2e)\n", cc->zero_r, cc->zero_m, cc->zero_predicted, cc->tol,
          cc->gap_zero, cc->gap_nonzero);
  fprintf(f, "index:            %d -> %d (lower bounds: isotropic plateau %d, predicted %d)\n",
          cc->neg_r, cc->neg_m, cc->index_bound, cc->index_predicted_min);
  fprintf(f, "Brea plateau:     dim %d, loss change %.2e, gradient norm there %.2e\n",
          cc->plateau_dim, cc->plateau_loss_diff, cc->plateau_grad_norm);
}

ls_status ls_exp_expand_print(FILE *f, const ls_exp_expand_result *r, long seed, int json,
                              ls_error *err) {
  if (json) return ls_exp_json_line(r->summary, f, err);
  char d0[128], d1[128];
  ls_net_describe(&r->net, d0, sizeof d0);
  ls_net_describe(&r->big, d1, sizeof d1);
  fprintf(f, "point:            %s, %s\n", r->point, d0);
  fprintf(f, "irreducible form: ");
  for (int l = 0; l <= r->red.net.n_layers; l++) fprintf(f, "%s%d", l ? "-" : "", r->red.net.width[l]);
  fprintf(f, "\n");
  fprintf(f, "expanded:         %s (seed %ld)\n", d1, seed);
  if (r->group_of) {
    fprintf(f, "unit origin:     ");
    for (int i = 0; i < r->m; i++)
      r->group_of[i] >= 0 ? fprintf(f, " %d", r->group_of[i]) : fprintf(f, " z%d", -1 - r->group_of[i]);
    fprintf(f, "   (original unit, or zN: zero-type group N)\n");
  }
  const ls_sym_equiv_cert *ec = &r->equiv;
  fprintf(f, "max output diff:  %.3e (relative %.3e)\n", ec->max_out_diff, ec->max_out_rel);
  fprintf(f, "loss:             %.17g -> %.17g (diff %.3e)\n", ec->loss_a, ec->loss_b, ec->loss_diff);
  if (r->critical) expand_critical(f, &r->crit);
  return LS_OK;
}

static void invariance_leg(FILE *f, const char *name, const ls_sym_invariance_leg *g) {
  fprintf(f, "%-4s start %.3e  max %.3e  min %.3e  end %.3e  (%zu steps to t = %.4g, loss %.6e "
             "-> %.6e, stop %s)\n", name, g->dist_start, g->dist_max, g->dist_min, g->dist_end,
          g->n_samples, g->flow_t, g->loss_start, g->loss_end, ls_stop_name(g->stop));
}

ls_status ls_exp_invariance_print(FILE *f, const ls_sym_invariance_opts *o,
                                  const ls_exp_invariance_result *r, int json, ls_error *err) {
  if (json) return ls_exp_json_line(r->summary, f, err);
  fprintf(f, "Lemma 2.1, layer %d, H_{%d,%d}: distance to the subspace along the gradient flow\n",
          o->layer, o->i, o->j);
  invariance_leg(f, "on", &r->res.on);
  invariance_leg(f, "off", &r->res.off);
  fprintf(f, "on:  max distance %.3e <= %.3e (rounding level): %s\n", r->res.on.dist_max,
          r->on_tol, r->stays_on ? "holds" : "FAILS");
  fprintf(f, "off: min distance %.3e > 0: %s\n", r->res.off.dist_min,
          r->stays_off ? "holds" : "FAILS");
  return LS_OK;
}

ls_status ls_exp_locus_print(FILE *f, const ls_exp_locus_result *r, ls_error *err) {
  ls_status st = ls_exp_json_lines(r->records, f, err);
  return st ? st : ls_exp_json_line(r->summary, f, err);
}

ls_status ls_exp_locus_wide_print(FILE *f, const ls_exp_locus_wide_result *r, long n,
                                  ls_error *err) {
  if (ls_exp_json_lines(r->records, f, err)) return err ? err->code : LS_ERR_IO;
  fprintf(f, "Theorem 5.11: %d of %ld initial points have rank F = n and a certified strictly "
             "decreasing line to a global minimum (max deviation from (1-t)^2 L(p): %.1e; end "
             "loss up to %.1e)\n", r->lines_ok, n, r->worst_dev, r->worst_end);
  fprintf(f, "Proposition 5.13: %d minima found (%d global, %d non-global with a flat "
             "certificate, %d without); %d saddles, %d not converged\n", r->n_min, r->n_global,
          r->n_flat, r->n_bad, r->n_saddle, r->n_unconv);
  return LS_OK;
}

ls_status ls_exp_locus_attract_print(FILE *f, const ls_exp_locus_attract_result *r, long n,
                                     double scale, double tmax, ls_error *err) {
  if (ls_exp_json_lines(r->records, f, err)) return err ? err->code : LS_ERR_IO;
  fprintf(f, "Definition 3.4, %ld flows from N(0, %g^2) to t = %g: global %.3f", n, scale, tmax,
          (double)r->n_global / n);
  for (int c = 0; c < r->n_comp; c++) {
    if (r->comp_n[c] == 1) fprintf(f, ", S%d %.3f", r->comp[c][0], (double)r->count[c] / n);
    else fprintf(f, ", C%d_%d %.3f", r->comp[c][0], r->comp[c][1], (double)r->count[c] / n);
  }
  fprintf(f, ", other critical %.3f, not converged %.3f\n", (double)r->n_other / n,
          (double)r->n_unconv / n);
  return LS_OK;
}

ls_status ls_exp_split_print(FILE *f, FILE *log, const ls_exp_split_result *r, int lanczos_k,
                             const ls_error *fig, ls_error *err) {
  json_t *j = ls_exp_split_summary(r);
  ls_status st = ls_json_print(j, f, err);
  json_decref(j);
  if (st) return st;
  if (r->grad_norm > 1e-8)
    fprintf(log, "landsym split: warning: |grad| = %.3e at the given point; Theorem 3 holds at "
                 "critical points\n", r->grad_norm);
  if (!r->narrow_complete)
    fprintf(log, "landsym split: warning: the %d smallest eigenvalues of the narrow Hessian are "
                 "not all positive; its inertia is incomplete (raise --lanczos-k)\n", lanczos_k);
  if (fig->code) fprintf(log, "landsym split: %s\n", fig->msg);
  fprintf(log, "landsym split: spectra by %s (narrow, P = %zu) and %s (lifted, P = %zu)%s\n",
          ls_spectrum_method_name(r->method_narrow), r->p_narrow,
          ls_spectrum_method_name(r->method_lifted), r->p_lifted,
          r->incomplete ? "; some inertias incomplete (raise --lanczos-k)" : "");
  if (r->mismatches)
    fprintf(log, "landsym split: %d of %ld values of mu differ from the prediction (see "
                 "split_sweep.csv)\n", r->mismatches, r->n_mu);
  return LS_OK;
}

int ls_exp_train_print(FILE *f, FILE *log, const ls_config *cfg, const ls_train_run *run,
                       int plot) {
  const ls_train_result *res = &run->res;
  if (run->warning[0]) fprintf(log, "landsym train: warning: %s\n", run->warning);
  json_t *j = ls_exp_train_json(cfg, run, plot);
  ls_json_print(j, f, NULL);
  json_decref(j);
  fprintf(log, "landsym train: %s after %.3f s: loss %.3e, gradient %.3e%s%s\n",
          ls_stop_name(res->stop), res->wall, res->loss, res->grad_norm,
          res->message[0] ? "; " : "", res->message);
  return (res->stop == LS_STOP_NAN || res->stop == LS_STOP_FAIL) ? 1 : 0;
}

int ls_exp_train_progress_line(const ls_train_progress *p, void *user) {
  FILE *f = user;
  fprintf(f, "\r\033[K[%s] iter %zu  loss %.3e  grad %.3e  best %.3e  %.1f s", p->phase, p->iter,
          p->loss, p->grad_norm, p->best_loss, p->wall);
  fflush(f);
  return 0;
}
