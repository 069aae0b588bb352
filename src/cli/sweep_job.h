/* The experiment behind `landsym sweep`: the loaded config, its "sweep" section and the
 * per-seed job (initialise the student from the seed, train, report). */
#ifndef LANDSYM_CLI_SWEEP_JOB_H
#define LANDSYM_CLI_SWEEP_JOB_H

#include "landsym/config.h"
#include "landsym/optim.h"
#include "landsym/sweep.h"

typedef struct cli_sweep_exp cli_sweep_exp;

/* Load the config and its "sweep" section ({"seeds", "first_seed", "student_widths"}),
 * and check its "train" section; LS_ERR_INPUT naming the field on any problem. */
ls_status cli_sweep_exp_load(const char *path, cli_sweep_exp **out, ls_error *err);
void cli_sweep_exp_free(cli_sweep_exp *x); /* accepts NULL */

/* Fill config, n_seeds (0 when the config gives none), first_seed and widths of o. */
void cli_sweep_exp_opts(const cli_sweep_exp *x, ls_sweep_opts *o);
/* One-line description for the log: "2-5-1 sigmoid ... on grid 41^2, train adam+newton". */
const char *cli_sweep_exp_describe(const cli_sweep_exp *x);

/* Output directory of the sweep: needed when the config asks for trajectories
 * ("sweep": {"trajectory": true}), written to DIR/runs/w<W>_s<S>.traj.csv. */
void cli_sweep_exp_set_dir(cli_sweep_exp *x, const char *dir);

/* What the "train" section sets for each run: trainer options and the initialisation. */
typedef struct {
  ls_train_opts opts;
  int init_normal;   /* 0: Glorot normal; 1: every weight N(0, init_scale^2) */
  double init_scale;
} cli_sweep_train;

/* The config's "train" section (optional) -> trainer options (defaults for absent keys),
 * with the meaning `landsym train` gives it. */
ls_status cli_sweep_train_opts(const ls_config *c, cli_sweep_train *t, ls_error *err);

/* The student of width `width` (the sweep's width replaces every hidden width), its initial
 * point from `seed` as the config's train.init says, the data and the trainer options. */
void cli_sweep_exp_student(const cli_sweep_exp *x, int width, ls_net *net);
void cli_sweep_exp_init(const cli_sweep_exp *x, const ls_net *net, long seed, double *theta);
const ls_data *cli_sweep_exp_data(const cli_sweep_exp *x);
const ls_train_opts *cli_sweep_exp_train_opts(const cli_sweep_exp *x);

/* `landsym sweep --device cuda` (sweep_gpu.c): LS_ERR_INPUT naming what the GPU backend
 * cannot train (checked for every width before anything is written), and the batch job
 * (ls_sweep_batch_job; ctx is the cli_sweep_exp) that trains a batch on the GPU. */
ls_status cli_sweep_gpu_check(const cli_sweep_exp *x, const ls_sweep_opts *o, ls_error *err);
ls_status cli_sweep_gpu_job(void *ctx, const ls_sweep_task *tasks, size_t n, ls_seed_result *out,
                            ls_error *err);

/* ls_sweep_job: ctx is the cli_sweep_exp (read-only). */
ls_status cli_sweep_exp_job(void *ctx, const ls_sweep_task *t, ls_seed_result *out,
                            ls_error *err);

#endif
