/* The table 6.1 layout of a classified sweep (landsym/exp_classify.h): per width, runs
 * by class (thesis, Stoican 2022, table 6.1) and by certificate (docs/classify.md). */
#include <stdio.h>
#include <string.h>

#include "landsym/exp_classify.h"


ls_class_counts ls_classify_count_width(const ls_classified_sweep *s, int width) {
  ls_class_counts c;
  memset(&c, 0, sizeof c);
  for (long i = 0; i < s->n_runs; i++) {
    const ls_classified_run *r = &s->runs[i];
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
    if (r->res.continued) c.continued++;
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
static void print_certified(FILE *f, const ls_class_counts *c) {
  long sym_min = c->n[LS_CLASS_SYMMETRY], sym_sad = c->saddle_si;
  fprintf(f, "  certified (each row a certificate, runs.csv column `certificate`):\n");
  fprintf(f, "    %-44s %6ld\n", "global minima (loss at the floor)", c->n[LS_CLASS_GLOBAL]);
  fprintf(f, "    %-44s %6ld\n", "symmetry-induced critical points", sym_min + sym_sad);
  fprintf(f, "    %-44s %6ld\n", "  minima (reduced, lifted, Morse-Bott/4th)", sym_min);
  fprintf(f, "    %-44s %6ld\n", "  saddles (reduced, lifted, index >= 1)", sym_sad);
  fprintf(f, "    %-44s %6ld\n", "finite local minima (irreducible, certified)", c->n[LS_CLASS_LOCAL]);
  fprintf(f, "    %-44s %6ld\n", "saddles (irreducible, index >= 1)", c->n[LS_CLASS_SADDLE] - sym_sad);
  fprintf(f, "    %-44s %6ld\n", "channels (minima / saddles at infinity)", c->n[LS_CLASS_CHANNEL]);
  if (c->n[LS_CLASS_NEAR_GLOBAL]) {
    fprintf(f, "    %-44s %6ld\n", "near a global minimum (not at it)", c->n[LS_CLASS_NEAR_GLOBAL]);
    fprintf(f, "      (a certified global minimum at near_global_dist: runs.csv)\n");
  }
  fprintf(f, "    %-44s %6ld\n", "unexplained (no certificate)", c->n[LS_CLASS_NOT_CONVERGED]);
  if (c->escape)
    fprintf(f, "      of which flat points the escape checks descend from: %ld\n", c->escape);
  if (c->continued)
    fprintf(f, "    certified after a continuation (the run's own point had none;\n"
               "    runs.csv columns continued, run_loss, run_reason)    %6ld\n", c->continued);
}

/* Parameter count of the students of this width (every run of a width has the same). */
static long width_params(const ls_classified_sweep *s, int width) {
  for (long i = 0; i < s->n_runs; i++)
    if (s->runs[i].width == width) return s->runs[i].res.P;
  return 0;
}

void ls_classify_print_table(FILE *f, const ls_classified_sweep *s) {
  for (int w = 0; w < s->n_widths; w++) {
    ls_class_counts c = ls_classify_count_width(s, s->widths[w]);
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
    if (c.n[LS_CLASS_NEAR_GLOBAL])
      fprintf(f, "  %-16s %6ld   (approaching; a certified global minimum nearby)\n",
              "Near global", c.n[LS_CLASS_NEAR_GLOBAL]);
    fprintf(f, "  %-16s %6ld\n", "No certificate", c.n[LS_CLASS_NOT_CONVERGED]);
    if (c.failed) fprintf(f, "  %-16s %6ld\n", "Failed", c.failed);
    fprintf(f, "  %-16s %6ld\n", "Total", c.total);
    print_certified(f, &c);
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

