/* Thesis (Stoican 2022) table 6.1 on a few seeds, through the installed library alone:
 * sweep the width-5 student of the thesis toy over N seeds (gradient flow, then Newton),
 * classify every run and print the table.
 *
 *   cc table61_few_seeds.c $(pkg-config --cflags --libs landsym) -o table61
 *   ./table61 examples/table6_1.json OUTDIR 10
 *
 * The counts are those of `landsym reproduce table6.1 --seeds 10`: every run depends on
 * (config, seed, width) only. */
#include <stdio.h>
#include <stdlib.h>

#include <landsym/exp_reproduce_sweep.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s CONFIG OUTDIR SEEDS\n", argv[0]);
    return 2;
  }
  ls_reproduce_opts o = {0};
  o.config = argv[1];      /* examples/table6_1.json */
  o.out_dir = argv[2];     /* sweep in OUTDIR, tables and figures in OUTDIR/classify */
  o.seeds = atol(argv[3]); /* seeds 1 .. SEEDS */
  o.ctx = ls_ctx_default();
  if (o.seeds < 1) {
    fprintf(stderr, "SEEDS must be a positive integer\n");
    return 2;
  }
  ls_sweep_classify_result r;
  ls_error err = {0};
  ls_status st = ls_exp_reproduce_table61(&o, &r, &err);
  if (r.classified) {
    ls_classify_print_table(stdout, &r.classes);
    /* the first width's classes, from the counts the table is made of */
    ls_class_counts c = ls_classify_count_width(&r.classes, r.classes.widths[0]);
    for (int k = 0; k < LS_CLASS_COUNT; k++)
      printf("class %s: %ld\n", ls_class_name((ls_class_kind)k), c.n[k]);
  }
  ls_sweep_classify_result_free(&r);
  if (st) {
    fprintf(stderr, "table61_few_seeds: %s\n", err.msg);
    return ls_status_exit_code(st);
  }
  return 0;
}
