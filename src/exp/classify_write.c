/* The tables of a classified sweep (landsym/exp_classify.h): summary.csv (counts per
 * width), runs.csv (one row per run) and groups.csv (one row per neuron group), each
 * written atomically. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landsym/exp_channel.h"
#include "landsym/exp_classify.h"
#include "landsym/out.h"

typedef void (*rows_fn)(FILE *fp, const ls_classified_sweep *s);

/* o->out/name, atomically: the header line, then the rows. */
static ls_status write_table(const ls_classify_dir_opts *o, const char *name, const char *header,
                             rows_fn rows, const ls_classified_sweep *s, ls_error *err) {
  char *path = ls_path_join(o->out, name);
  if (!path) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_atomic_file af;
  ls_status st = ls_atomic_open(&af, path, err);
  free(path);
  if (st) return st;
  fputs(header, af.fp);
  rows(af.fp, s);
  return ls_atomic_commit(&af, err);
}

static void groups_string(const ls_classify_result *r, char *buf, size_t len) {
  size_t u = 0;
  buf[0] = 0;
  for (int g = 0; g < r->n_groups && u + 32 < len; g++) {
    const ls_neuron_group *q = &r->groups[g];
    if (q->zero_type)
      u += (size_t)snprintf(buf + u, len - u, "%sL%d:z%d", g ? " " : "", q->layer, q->size);
    else if (q->teacher_unit >= 0)
      u += (size_t)snprintf(buf + u, len - u, "%sL%d:t%d*%d", g ? " " : "", q->layer,
                            q->teacher_unit, q->size);
    else
      u += (size_t)snprintf(buf + u, len - u, "%sL%d:u*%d", g ? " " : "", q->layer, q->size);
  }
}

/* summary.csv: counts per width. */
static const char *const summary_header =
    "width,total,global,global_teacher_match,symmetry_induced,local_min,saddle,"
    "saddle_symmetry_induced,not_converged,approaching,channel,channel_min,failed,"
    "near_global\n";

static void summary_rows(FILE *fp, const ls_classified_sweep *s) {
  for (int w = 0; w < s->n_widths; w++) {
    ls_class_counts c = ls_classify_count_width(s, s->widths[w]);
    fprintf(fp, "%d,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", s->widths[w], c.total,
            c.n[LS_CLASS_GLOBAL], c.matched, c.n[LS_CLASS_SYMMETRY], c.n[LS_CLASS_LOCAL],
            c.n[LS_CLASS_SADDLE], c.saddle_si, c.n[LS_CLASS_NOT_CONVERGED], c.approaching,
            c.n[LS_CLASS_CHANNEL], c.channel_min, c.failed, c.n[LS_CLASS_NEAR_GLOBAL]);
  }
}

/* A text as a CSV cell: quotes dropped, commas turned into ';'. */
static void csv_cell(const char *why, char *reason, size_t len) {
  size_t k = 0;
  for (const char *c = why; *c && k + 2 < len; c++)
    if (*c != '"' && *c != ',') reason[k++] = *c;
    else if (*c == ',') reason[k++] = ';';
  reason[k] = 0;
}

/* The certificate that holds (docs/classify.md), or why none does (a failed run's reason
 * is the sweep's). */
static void reason_cell(const ls_classified_run *q, char *reason, size_t len) {
  const ls_classify_result *r = &q->res;
  csv_cell(q->failed ? q->reason
           : r->crit.kind == LS_CERT_NONE ? r->crit.reason : r->mincert.reason, reason, len);
}

/* One row of runs.csv. */
static void runs_row(FILE *fp, const ls_classified_run *q) {
  const ls_classify_result *r = &q->res;
  char rw[256] = "", gs[2048];
  size_t u = 0;
  for (int l = 1; r->reduced_width[l] && u + 16 < sizeof rw; l++)
    u += (size_t)snprintf(rw + u, sizeof rw - u, "%s%d", l > 1 ? "-" : "", r->reduced_width[l]);
  groups_string(r, gs, sizeof gs);
  char cg[512], ci[64] = "";
  ls_exp_channel_groups_string(&r->channel, cg, sizeof cg);
  if (r->channel.n_groups)
    snprintf(ci, sizeof ci, "%d/%d/%d", r->channel.n_pos, r->channel.n_zero, r->channel.n_neg);
  double e[3] = {NAN, NAN, NAN};
  for (int k = 0; k < r->n_eig; k++) e[k] = r->eig[k];
  fprintf(fp,
          "%d,%ld,%s,%s,%.17g,%.6g,%.6g,%.6g,%.6g,%d,%d,%.6g,%d,%d,%d,%.6g,%s,%.17g,%.6g,%.6g,"
          "%d,%.6g,%s,%d,%d,%.17g,%.6g,%.6g,%.6g,%.6g,%s,%s,%.17g,%.6g,%.6g,%s,%s",
          q->width, q->seed, q->failed ? "failed" : ls_class_name(r->cls), q->stop, r->loss, r->grad_inf, e[0], e[1],
          e[2], r->n_zero_eigs, r->n_neg_eigs, r->max_abs_eig, r->reducible, r->sym_induced,
          r->teacher_match, r->match_error, rw, r->reduced_loss, r->reduced_grad_inf,
          r->prune_max_diff, r->prune_polished, r->min_neuron_dist, gs, r->approaching, r->near_saddle,
          r->approach_loss, r->approach_grad_inf, r->gn_loss, r->polish_shift,
          r->prune_raw_diff, cg,
          r->cls == LS_CLASS_CHANNEL ? (r->channel.minimum ? "minimum" : "saddle") : "",
          r->channel.n_groups ? r->channel.limit_loss : NAN,
          r->channel.n_groups ? r->channel.limit_grad_inf : NAN,
          r->channel.n_groups ? r->channel.fn_dist : NAN, ci, r->channel.reason);
  const ls_min_cert *m = &r->mincert;
  char reason[256];
  reason_cell(q, reason, sizeof reason);
  fprintf(fp, ",%s,%s,%.6g,%.6g,%.17g,%.6g,%.6g,%d,%d,%d,%.6g,%.6g,%d,%.6g,%.6g,%d,%.17g,%.6g,%s",
          q->failed ? "none" : r->certificate[0] ? r->certificate : "none",
          ls_cert_kind_name(r->crit.kind),
          r->crit.grad_inf, r->crit.bound, r->crit.loss, r->crit.dist, r->crit.attempt_tol,
          m->index, m->n_zero, m->zero_predicted, m->margin, m->zero_level, m->extra_dim,
          m->third_max, m->fourth_min, m->escape_found, m->escape_loss, m->radius, reason);
  csv_cell(r->run_reason, reason, sizeof reason);
  fprintf(fp, ",%d,%.17g,%.17g,%.6g,%s,%.6g,%.6g,%d\n", r->continued,
          q->failed ? NAN : r->run_loss, r->continue_loss, r->continue_shift, reason,
          q->failed ? NAN : r->near_global_dist, q->failed ? NAN : r->near_global_loss,
          r->near_global_cloud);
}

/* runs.csv: one row per run. */
static const char *const runs_header =
    "width,seed,class,stop,loss,grad_inf,eig1,eig2,eig3,n_zero_eigs,n_neg_eigs,"
    "max_abs_eig,reducible,sym_induced,teacher_match,match_error,reduced_widths,"
    "reduced_loss,reduced_grad_inf,prune_max_diff,prune_polished,min_neuron_dist,groups,"
    "approaching,near_saddle,approach_loss,approach_grad_inf,polished_loss,polish_shift,"
    "prune_raw_diff,channel_groups,channel_at_infinity,channel_limit_loss,"
    "channel_limit_grad_inf,channel_fn_dist,channel_inertia,channel_reason,"
    "certificate,crit_cert,cert_grad_inf,cert_bound,cert_loss,"
    "cert_dist,cert_reduce_tol,index,cert_n_zero,zero_predicted,eig_margin,"
    "zero_level,extra_dim,third_deriv,fourth_deriv,escape_found,escape_loss,"
    "min_radius,reason,continued,run_loss,continue_loss,continue_shift,run_reason,"
    "near_global_dist,near_global_loss,near_global_cloud\n";

static void runs_rows(FILE *fp, const ls_classified_sweep *s) {
  for (long i = 0; i < s->n_runs; i++) runs_row(fp, &s->runs[i]);
}

/* groups.csv: one row per neuron group of every run. */
static const char *const groups_header =
    "width,seed,class,layer,group,size,zero_type,teacher_unit,sign_mixed\n";

static void groups_rows(FILE *fp, const ls_classified_sweep *s) {
  for (long i = 0; i < s->n_runs; i++) {
    const ls_classified_run *q = &s->runs[i];
    for (int g = 0; g < q->res.n_groups; g++) {
      const ls_neuron_group *n = &q->res.groups[g];
      fprintf(fp, "%d,%ld,%s,%d,%d,%d,%d,%d,%d\n", q->width, q->seed,
              ls_class_name(q->res.cls), n->layer, g, n->size, n->zero_type, n->teacher_unit,
              n->sign_mixed);
    }
  }
}

ls_status ls_classify_write_tables(const ls_classify_dir_opts *o, const ls_classified_sweep *s,
                                   ls_error *err) {
  ls_status st;
  if ((st = write_table(o, "summary.csv", summary_header, summary_rows, s, err)) ||
      (st = write_table(o, "runs.csv", runs_header, runs_rows, s, err)))
    return st;
  return write_table(o, "groups.csv", groups_header, groups_rows, s, err);
}
