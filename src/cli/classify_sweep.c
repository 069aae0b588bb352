/* `landsym classify DIR`: load the sweep's manifest and config, classify every run
 * (OpenMP over runs, each single-threaded), write tables and pruned networks. */
#include "cli/classify_sweep.h"
#include "exp/sweep_io.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "landsym/config.h"
#include "landsym/io.h"

void cli_classified_sweep_free(cli_classified_sweep *s) {
  if (!s) return;
  for (long i = 0; s->runs && i < s->n_runs; i++) {
    ls_classify_result_free(&s->runs[i].res);
  }
  free(s->runs);
  memset(s, 0, sizeof *s);
}

static ls_status make_dir(const char *p, ls_error *err) {
  if (mkdir(p, 0777) == 0 || errno == EEXIST) return LS_OK;
  return ls_error_set(err, LS_ERR_IO, "%s: cannot create directory (%s)", p, strerror(errno));
}

/* Manifest: seeds, first_seed, widths and the config copy. */
static ls_status read_manifest(const char *dir, long *seeds, long *first, int *nw, int *widths,
                               json_t **config, ls_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/sweep.json", dir);
  json_error_t je;
  json_t *m = json_load_file(path, 0, &je);
  if (!m)
    return ls_error_set(err, LS_ERR_INPUT, "%s: not a sweep directory (%s)", dir,
                        je.line > 0 ? je.text : "no sweep.json");
  json_t *s = json_object_get(m, "seeds"), *f = json_object_get(m, "first_seed"),
         *w = json_object_get(m, "widths"), *c = json_object_get(m, "config");
  if (!json_is_integer(s) || !json_is_integer(f) || !json_is_array(w) || !json_is_object(c) ||
      json_array_size(w) < 1 || json_array_size(w) > LS_SWEEP_MAX_WIDTHS) {
    json_decref(m);
    return ls_error_set(err, LS_ERR_INPUT, "%s: malformed sweep manifest", path);
  }
  /* the manifest is an input like any other: its numbers are checked before they size
   * anything (seeds -3 or 1e8 once reached calloc) */
  json_int_t ns = json_integer_value(s), fs = json_integer_value(f);
  const char *bad = NULL;
  if (ns < 1 || ns > 1000000) bad = "seeds: must be an integer in 1..1000000";
  else if (fs < 0 || fs > ((json_int_t)1 << 53)) bad = "first_seed: must be an integer >= 0";
  for (size_t i = 0; !bad && i < json_array_size(w); i++) {
    json_t *v = json_array_get(w, i);
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
      bad = "widths: each must be an integer in 1..100000";
  }
  if (bad) {
    json_decref(m);
    return ls_error_set(err, LS_ERR_INPUT, "%s: %s", path, bad);
  }
  *seeds = (long)ns;
  *first = (long)fs;
  *nw = (int)json_array_size(w);
  for (int i = 0; i < *nw; i++) widths[i] = (int)json_integer_value(json_array_get(w, (size_t)i));
  *config = json_incref(c);
  json_decref(m);
  return LS_OK;
}

/* A run that is counted as failed: no classification (class "not converged" in res for
 * the figures, which draw only finite losses), the reason kept for the tables. */
static ls_status mark_failed(cli_classified_run *run, const char *why) {
  ls_classify_result_free(&run->res);
  run->failed = 1;
  snprintf(run->reason, sizeof run->reason, "%.199s", why);
  for (char *c = run->reason; *c; c++)
    if (*c == ',' || *c == '\n' || *c == '"') *c = ';';
  run->res.cls = LS_CLASS_NOT_CONVERGED;
  run->res.loss = run->res.grad_inf = run->res.min_neuron_dist = NAN;
  return LS_OK;
}

/* Classify one run: read its record and parameters, classify, prune. */
static ls_status classify_one(const cli_classify_opts *o, const ls_config *cfg, int width,
                              cli_classified_run *run, ls_error *err) {
  char path[4096];
  ls_seed_result rec;
  ls_status st = ls_sweep_run_path(o->dir, width, run->seed, ".json", path, sizeof path, err);
  if (!st) st = ls_sweep_run_read(path, &rec, err);
  if (st) return st;
  snprintf(run->stop, sizeof run->stop, "%s", rec.stop);
  if (!strcmp(rec.stop, "failed")) /* recorded by the sweep: nothing to classify */
    return mark_failed(run, rec.reason[0] ? rec.reason : "training failed");
  ls_net net = cfg->student;
  for (int l = 1; l < net.n_layers; l++) net.width[l] = width;
  double *theta = NULL;
  if ((st = ls_sweep_run_path(o->dir, width, run->seed, ".npy", path, sizeof path, err)) ||
      (st = ls_params_read_net(path, &net, &theta, err)))
    return st;
  st = ls_classify_point(&net, &cfg->data, theta, cfg->has_teacher ? &cfg->teacher : NULL,
                         cfg->teacher_params, &o->copts, &run->res, err);
  if (st == LS_ERR_COMPUTE) { /* a point whose loss cannot be evaluated is a failed run */
    free(theta);
    return mark_failed(run, err->msg);
  }
  if (!st && o->prune && run->res.reduced_theta) {
    char stem[4200];
    snprintf(stem, sizeof stem, "%s/pruned/w%d_s%ld", o->out, width, run->seed);
    st = ls_prune_write(stem, &run->res.reduced_net, run->res.reduced_theta, err);
  }
  free(theta);
  return st;
}

ls_status cli_classify_sweep(const cli_classify_opts *o, cli_classified_sweep *out,
                             ls_error *err) {
  memset(out, 0, sizeof *out);
  long seeds = 0, first = 0;
  json_t *config = NULL;
  ls_status st = read_manifest(o->dir, &seeds, &first, &out->n_widths, out->widths, &config, err);
  if (st) return st;
  char name[4200];
  snprintf(name, sizeof name, "%s/sweep.json: config", o->dir);
  ls_config cfg;
  st = ls_config_load_json(config, name, o->dir, &cfg, err);
  json_decref(config);
  if (st) return st;
  out->has_teacher = cfg.has_teacher;
  out->n_residuals = (long)cfg.data.n * cfg.data.dout;
  char pdir[4200];
  snprintf(pdir, sizeof pdir, "%s/pruned", o->out);
  if ((st = make_dir(o->out, err)) || (o->prune && (st = make_dir(pdir, err)))) goto done;
  /* temporary files of a classify that was killed (SIGKILL) before it committed them */
  exp_remove_temps(o->out);
  if (o->prune) exp_remove_temps(pdir);
  out->n_runs = seeds * out->n_widths;
  out->runs = calloc((size_t)out->n_runs, sizeof *out->runs);
  if (!out->runs) {
    st = ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld runs", out->n_runs);
    goto done;
  }
  for (int w = 0; w < out->n_widths; w++)
    for (long s = 0; s < seeds; s++) {
      cli_classified_run *r = &out->runs[w * seeds + s];
      r->width = out->widths[w];
      r->seed = first + s;
    }
  long done_n = 0;
  int failed = 0, nth = o->threads;
#ifdef _OPENMP
  if (nth <= 0) nth = omp_get_max_threads();
#endif
  if (nth < 1) nth = 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
  for (long i = 0; i < out->n_runs; i++) {
    int skip;
#pragma omp atomic read
    skip = failed;
    if (skip) continue;
    ls_error e = {0};
    ls_status si = classify_one(o, &cfg, out->runs[i].width, &out->runs[i], &e);
    if (si) ls_error_prefix(&e, "run w%d_s%ld", out->runs[i].width, out->runs[i].seed);
#pragma omp critical(classify_progress)
    {
      if (si && !failed) {
        failed = 1;
        st = si;
        *err = e;
      }
      done_n++;
      if (!o->quiet && (done_n % 100 == 0 || done_n == out->n_runs))
        fprintf(stderr, "landsym classify: %ld/%ld runs classified\n", done_n, out->n_runs);
    }
  }
  for (long i = 0; !st && i < out->n_runs; i++) {
    out->prune_worst = fmax(out->prune_worst, out->runs[i].res.prune_max_diff);
    out->prune_raw_worst = fmax(out->prune_raw_worst, out->runs[i].res.prune_raw_diff);
    if (out->runs[i].res.polish_shift > 0) out->n_polished++;
  }
done:
  ls_config_free(&cfg);
  if (st) cli_classified_sweep_free(out);
  return st;
}

/* ---- tables --------------------------------------------------------------------------- */

typedef struct {
  long n[LS_CLASS_COUNT], total, matched, saddle_si, approaching, approaching_nc, near_saddle, near_saddle_nc;
  long failed; /* training failed or the point could not be evaluated: in no class */
  long channel_min, channel_rejected; /* minima at infinity; channel groups not certified */
  long escape;   /* unexplained runs that the escape checks / higher-order test descend from */
  long cert[LS_CLASS_COUNT]; /* runs of each class with a certificate other than "none" */
} class_counts;

static class_counts count_width(const cli_classified_sweep *s, int width) {
  class_counts c;
  memset(&c, 0, sizeof c);
  for (long i = 0; i < s->n_runs; i++) {
    const cli_classified_run *r = &s->runs[i];
    if (r->width != width) continue;
    c.total++;
    if (r->failed) {
      c.failed++;
      continue;
    }
    c.n[r->res.cls]++;
    if (r->res.mincert.kind == LS_MINCERT_ESCAPE && r->res.cls == LS_CLASS_NOT_CONVERGED) c.escape++;
    if (strcmp(r->res.certificate, "none") && r->res.certificate[0]) c.cert[r->res.cls]++;
    if (r->res.cls == LS_CLASS_GLOBAL && r->res.teacher_match) c.matched++;
    if (r->res.cls == LS_CLASS_SADDLE && r->res.sym_induced) c.saddle_si++;
    if (r->res.approaching) c.approaching++;
    if (r->res.approaching && !r->res.converged) c.approaching_nc++;
    if (r->res.near_saddle) c.near_saddle++;
    if (r->res.near_saddle && r->res.cls == LS_CLASS_NOT_CONVERGED) c.near_saddle_nc++;
    if (r->res.cls == LS_CLASS_CHANNEL && r->res.channel.minimum) c.channel_min++;
    if (r->res.cls != LS_CLASS_CHANNEL && r->res.channel.n_groups) c.channel_rejected++;
  }
  return c;
}

/* The certified table (docs/classify.md): every row is a certificate; the last row counts
 * the runs that none explains, with the escape checks' share. Channels are the runs of a
 * class named "channel", whatever its value. */
static void cli_classify_print_certified(FILE *f, const class_counts *c) {
  long sym_min = c->n[LS_CLASS_SYMMETRY], sym_sad = c->saddle_si;
  fprintf(f, "  certified (each row a certificate, runs.csv column `certificate`):\n");
  fprintf(f, "    %-44s %6ld\n", "global minima (loss at the floor)", c->n[LS_CLASS_GLOBAL]);
  fprintf(f, "    %-44s %6ld\n", "symmetry-induced critical points", sym_min + sym_sad);
  fprintf(f, "    %-44s %6ld\n", "  minima (reduced, lifted, Morse-Bott/4th)", sym_min);
  fprintf(f, "    %-44s %6ld\n", "  saddles (reduced, lifted, index >= 1)", sym_sad);
  fprintf(f, "    %-44s %6ld\n", "finite local minima (irreducible, certified)", c->n[LS_CLASS_LOCAL]);
  fprintf(f, "    %-44s %6ld\n", "saddles (irreducible, index >= 1)", c->n[LS_CLASS_SADDLE] - sym_sad);
  fprintf(f, "    %-44s %6ld\n", "channels (minima / saddles at infinity)", c->n[LS_CLASS_CHANNEL]);
  fprintf(f, "    %-44s %6ld\n", "unexplained (no certificate)", c->n[LS_CLASS_NOT_CONVERGED]);
  if (c->escape)
    fprintf(f, "      of which flat points the escape checks descend from: %ld\n", c->escape);
}

/* Parameter count of the students of this width (every run of a width has the same). */
static long width_params(const cli_classified_sweep *s, int width) {
  for (long i = 0; i < s->n_runs; i++)
    if (s->runs[i].width == width) return s->runs[i].res.P;
  return 0;
}

void cli_classify_print_table(FILE *f, const cli_classified_sweep *s) {
  for (int w = 0; w < s->n_widths; w++) {
    class_counts c = count_width(s, s->widths[w]);
    long loc = c.n[LS_CLASS_SYMMETRY] + c.n[LS_CLASS_LOCAL];
    fprintf(f, "student width %d: %ld runs\n", s->widths[w], c.total);
    fprintf(f, "  %-16s %6s %18s %8s\n", "", "count", "symmetry-induced", "other");
    fprintf(f, "  %-16s %6ld %18s %8s\n", "Global minima", c.n[LS_CLASS_GLOBAL], "-", "-");
    fprintf(f, "  %-16s %6ld %18ld %8ld\n", "Local minima", loc, c.n[LS_CLASS_SYMMETRY],
            c.n[LS_CLASS_LOCAL]);
    fprintf(f, "  %-16s %6ld %18ld %8ld\n", "Saddles", c.n[LS_CLASS_SADDLE], c.saddle_si,
            c.n[LS_CLASS_SADDLE] - c.saddle_si);
    fprintf(f, "  %-16s %6ld   (minima at infinity %ld, saddles at infinity %ld)\n", "Channels",
            c.n[LS_CLASS_CHANNEL], c.channel_min, c.n[LS_CLASS_CHANNEL] - c.channel_min);
    fprintf(f, "  %-16s %6ld\n", "No certificate", c.n[LS_CLASS_NOT_CONVERGED]);
    if (c.failed) fprintf(f, "  %-16s %6ld\n", "Failed", c.failed);
    fprintf(f, "  %-16s %6ld\n", "Total", c.total);
    cli_classify_print_certified(f, &c);
    if (c.channel_rejected)
      fprintf(f, "  channel-shaped groups whose GLU limit failed the certificate: %ld runs\n"
                 "  (channel_reason in runs.csv)\n",
              c.channel_rejected);
    if (c.approaching)
      fprintf(f, "  %ld runs (%ld not converged) whose two closest units, merged and polished, give\n"
                 "  a critical point of the same loss (thesis 6.2.5; the class is the certificate's)\n",
              c.approaching, c.approaching_nc);
    if (c.near_saddle)
      fprintf(f, "  near a symmetry-induced saddle (closest units merged and polished: a critical\n"
                 "  point of one unit fewer within 10%% of the loss): %ld runs, %ld not converged\n",
              c.near_saddle, c.near_saddle_nc);
    if (s->has_teacher)
      fprintf(f, "  global minima whose reduced network matches the teacher: %ld of %ld\n",
              c.matched, c.n[LS_CLASS_GLOBAL]);
    /* With at least as many parameters as residuals, zero loss is generically reached away
     * from the teacher's expansion manifold: such global minima interpolate the data. */
    long P = width_params(s, s->widths[w]);
    if (s->has_teacher && c.n[LS_CLASS_GLOBAL] && P >= s->n_residuals)
      fprintf(f, "  (%ld parameters for %ld residuals: zero loss interpolates the data and need\n"
                 "  not reduce to the teacher)\n",
              P, s->n_residuals);
  }
  double cs = 0;
  for (long i = 0; i < s->n_runs; i++) cs += s->runs[i].res.cert_seconds;
  fprintf(f, "certificates: %.1f s summed over the runs (critical points and minima)\n", cs);
  fprintf(f, "pruned networks: max |f_pruned - f| over all runs and samples = %.3g\n",
          s->prune_worst);
  if (s->n_polished)
    fprintf(f, "  (%ld zero-loss runs polished onto the expansion manifold first; against the\n"
               "  runs as trained, before polishing: %.3g)\n",
            s->n_polished, s->prune_raw_worst);
}

static ls_status open_table(const cli_classify_opts *o, const char *name, ls_atomic_file *af,
                            ls_error *err) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", o->out, name);
  return ls_atomic_open(af, path, err);
}

/* "L1:0+3- L1:1+2+": the channel groups, units with their signs (- flipped). */
void cli_channel_groups_string(const ls_channel_report *c, char *buf, size_t len) {
  size_t u = 0;
  buf[0] = 0;
  for (int g = 0; g < c->n_groups && u + 64 < len; g++) {
    u += (size_t)snprintf(buf + u, len - u, "%sL%d:", g ? " " : "", c->groups[g].layer);
    for (int a = 0; a < c->groups[g].size; a++)
      u += (size_t)snprintf(buf + u, len - u, "%d%c", c->groups[g].unit[a],
                            c->groups[g].sign[a] < 0 ? '-' : '+');
  }
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

ls_status cli_classify_write_tables(const cli_classify_opts *o, const cli_classified_sweep *s,
                                    ls_error *err) {
  ls_atomic_file af;
  ls_status st = open_table(o, "summary.csv", &af, err);
  if (st) return st;
  fprintf(af.fp, "width,total,global,global_teacher_match,symmetry_induced,local_min,saddle,"
                 "saddle_symmetry_induced,not_converged,approaching,channel,channel_min,failed\n");
  for (int w = 0; w < s->n_widths; w++) {
    class_counts c = count_width(s, s->widths[w]);
    fprintf(af.fp, "%d,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", s->widths[w], c.total,
            c.n[LS_CLASS_GLOBAL], c.matched, c.n[LS_CLASS_SYMMETRY], c.n[LS_CLASS_LOCAL],
            c.n[LS_CLASS_SADDLE], c.saddle_si, c.n[LS_CLASS_NOT_CONVERGED], c.approaching,
            c.n[LS_CLASS_CHANNEL], c.channel_min, c.failed);
  }
  if ((st = ls_atomic_commit(&af, err))) return st;

  if ((st = open_table(o, "runs.csv", &af, err))) return st;
  fprintf(af.fp, "width,seed,class,stop,loss,grad_inf,eig1,eig2,eig3,n_zero_eigs,n_neg_eigs,"
                 "max_abs_eig,reducible,sym_induced,teacher_match,match_error,reduced_widths,"
                 "reduced_loss,reduced_grad_inf,prune_max_diff,prune_polished,min_neuron_dist,groups,"
                 "approaching,near_saddle,approach_loss,approach_grad_inf,polished_loss,polish_shift,"
                 "prune_raw_diff,channel_groups,channel_at_infinity,channel_limit_loss,"
                 "channel_limit_grad_inf,channel_fn_dist,channel_inertia,channel_reason,"
                 "certificate,crit_cert,cert_grad_inf,cert_bound,cert_loss,"
                 "cert_dist,cert_reduce_tol,index,cert_n_zero,zero_predicted,eig_margin,"
                 "zero_level,extra_dim,third_deriv,fourth_deriv,escape_found,escape_loss,"
                 "min_radius,reason\n");
  for (long i = 0; i < s->n_runs; i++) {
    const cli_classified_run *q = &s->runs[i];
    const ls_classify_result *r = &q->res;
    char rw[256] = "", gs[2048];
    size_t u = 0;
    for (int l = 1; r->reduced_width[l] && u + 16 < sizeof rw; l++)
      u += (size_t)snprintf(rw + u, sizeof rw - u, "%s%d", l > 1 ? "-" : "", r->reduced_width[l]);
    groups_string(r, gs, sizeof gs);
    char cg[512], ci[64] = "";
    cli_channel_groups_string(&r->channel, cg, sizeof cg);
    if (r->channel.n_groups)
      snprintf(ci, sizeof ci, "%d/%d/%d", r->channel.n_pos, r->channel.n_zero, r->channel.n_neg);
    double e[3] = {NAN, NAN, NAN};
    for (int k = 0; k < r->n_eig; k++) e[k] = r->eig[k];
    fprintf(af.fp,
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
    /* the certificate that holds (docs/classify.md), or why none does; a failed run's
     * reason is the sweep's */
    const ls_min_cert *m = &r->mincert;
    const char *why = q->failed ? q->reason
                      : r->crit.kind == LS_CERT_NONE ? r->crit.reason : m->reason;
    char reason[256];
    size_t k = 0;
    for (const char *c = why; *c && k + 2 < sizeof reason; c++)
      if (*c != '"' && *c != ',') reason[k++] = *c;
      else if (*c == ',') reason[k++] = ';';
    reason[k] = 0;
    fprintf(af.fp, ",%s,%s,%.6g,%.6g,%.17g,%.6g,%.6g,%d,%d,%d,%.6g,%.6g,%d,%.6g,%.6g,%d,%.17g,%.6g,%s\n",
            q->failed ? "none" : r->certificate[0] ? r->certificate : "none",
            ls_cert_kind_name(r->crit.kind),
            r->crit.grad_inf, r->crit.bound, r->crit.loss, r->crit.dist, r->crit.attempt_tol,
            m->index, m->n_zero, m->zero_predicted, m->margin, m->zero_level, m->extra_dim,
            m->third_max, m->fourth_min, m->escape_found, m->escape_loss, m->radius, reason);
  }
  if ((st = ls_atomic_commit(&af, err))) return st;

  if ((st = open_table(o, "groups.csv", &af, err))) return st;
  fprintf(af.fp, "width,seed,class,layer,group,size,zero_type,teacher_unit,sign_mixed\n");
  for (long i = 0; i < s->n_runs; i++) {
    const cli_classified_run *q = &s->runs[i];
    for (int g = 0; g < q->res.n_groups; g++) {
      const ls_neuron_group *n = &q->res.groups[g];
      fprintf(af.fp, "%d,%ld,%s,%d,%d,%d,%d,%d,%d\n", q->width, q->seed,
              ls_class_name(q->res.cls), n->layer, g, n->size, n->zero_type, n->teacher_unit,
              n->sign_mixed);
    }
  }
  return ls_atomic_commit(&af, err);
}
