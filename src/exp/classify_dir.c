/* Classifying a sweep directory (landsym/exp_classify.h): read the sweep's manifest and
 * config, classify every run (OpenMP over runs, each single-threaded), write the pruned
 * networks. */
#include "landsym/exp_classify.h"
#include "exp/sweep_io.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "landsym/config.h"
#include "landsym/io.h"
#include "landsym/out.h"

void ls_classify_dir_opts_default(ls_classify_dir_opts *o) {
  memset(o, 0, sizeof *o);
  ls_classify_opts_default(&o->copts);
  o->prune = o->figures = 1;
}

void ls_classified_sweep_free(ls_classified_sweep *s) {
  if (!s) return;
  for (long i = 0; s->runs && i < s->n_runs; i++) {
    ls_classify_result_free(&s->runs[i].res);
  }
  free(s->runs);
  memset(s, 0, sizeof *s);
}

/* A run that is counted as failed: no classification (class "not converged" in res for
 * the figures, which draw only finite losses), the reason kept for the tables. */
static ls_status mark_failed(ls_classified_run *run, const char *why) {
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
static ls_status classify_one(const ls_classify_dir_opts *o, const ls_config *cfg, int width,
                              ls_classified_run *run, ls_error *err) {
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
  if (!st && run->res.continued) { /* the continued point, loadable as --params */
    char stem[4200];
    snprintf(stem, sizeof stem, "%s/continued", o->out);
    if (!(st = ls_mkdir_p(stem, err))) {
      snprintf(stem, sizeof stem, "%s/continued/w%d_s%ld", o->out, width, run->seed);
      st = ls_prune_write(stem, &net, run->res.continued_theta, err);
    }
  }
  free(theta);
  return st;
}

/* Output folders (the pruned networks' too), cleared of the temporary files of a classify
 * that was killed (SIGKILL) before it committed them. */
static ls_status make_out(const ls_classify_dir_opts *o, ls_error *err) {
  char *pdir = ls_path_join(o->out, "pruned");
  if (!pdir) return ls_error_set(err, LS_ERR_NOMEM, "out of memory");
  ls_status st = ls_mkdir_p(o->out, err);
  if (!st && o->prune) st = ls_mkdir_p(pdir, err);
  if (!st) {
    exp_remove_temps(o->out);
    if (o->prune) exp_remove_temps(pdir);
  }
  free(pdir);
  return st;
}

/* The runs' grid: widths in the manifest's order, seeds ascending within each. */
static ls_status make_runs(const ls_sweep_manifest *m, ls_classified_sweep *out,
                           ls_error *err) {
  out->n_widths = m->n_widths;
  memcpy(out->widths, m->widths, sizeof out->widths);
  out->n_runs = m->n_seeds * m->n_widths;
  out->runs = calloc((size_t)out->n_runs, sizeof *out->runs);
  if (!out->runs)
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory for %ld runs", out->n_runs);
  for (int w = 0; w < m->n_widths; w++)
    for (long s = 0; s < m->n_seeds; s++) {
      ls_classified_run *r = &out->runs[w * m->n_seeds + s];
      r->width = m->widths[w];
      r->seed = m->first_seed + s;
    }
  return LS_OK;
}

/* Classify every run over the threads; the first error stops the others. */
static ls_status classify_all(const ls_classify_dir_opts *o, const ls_config *cfg,
                              ls_classified_sweep *out, ls_error *err) {
  long done_n = 0;
  int failed = 0, nth = o->threads;
  ls_status st = LS_OK;
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
    ls_status si = classify_one(o, cfg, out->runs[i].width, &out->runs[i], &e);
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
  return st;
}

ls_status ls_classify_dir(const ls_classify_dir_opts *o, ls_classified_sweep *out,
                          ls_error *err) {
  memset(out, 0, sizeof *out);
  ls_sweep_manifest m;
  ls_status st = ls_sweep_manifest_read(o->dir, &m, err);
  if (st) return st;
  char name[4200];
  snprintf(name, sizeof name, "%s/sweep.json: config", o->dir);
  ls_config cfg;
  st = ls_config_load_json(m.config, name, o->dir, &cfg, err);
  if (st) {
    ls_sweep_manifest_free(&m);
    return st;
  }
  out->has_teacher = cfg.has_teacher;
  out->n_residuals = (long)cfg.data.n * cfg.data.dout;
  if (!(st = make_out(o, err)) && !(st = make_runs(&m, out, err)))
    st = classify_all(o, &cfg, out, err);
  for (long i = 0; !st && i < out->n_runs; i++) {
    out->prune_worst = fmax(out->prune_worst, out->runs[i].res.prune_max_diff);
    out->prune_raw_worst = fmax(out->prune_raw_worst, out->runs[i].res.prune_raw_diff);
    if (out->runs[i].res.polish_shift > 0) out->n_polished++;
  }
  ls_config_free(&cfg);
  ls_sweep_manifest_free(&m);
  if (st) ls_classified_sweep_free(out);
  return st;
}
