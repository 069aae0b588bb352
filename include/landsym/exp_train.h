/* landsym: the training run and the evaluation of `landsym train` and `landsym eval` as
 * library calls (docs/train.md, docs/eval.md). A run reads the config's "train" section
 * (landsym/config_train.h) with overrides, picks the initial point, trains (ls_train) and
 * writes its results folder through landsym/out.h. */
#ifndef LANDSYM_EXP_TRAIN_H
#define LANDSYM_EXP_TRAIN_H

#include <stdint.h>
#include <stdio.h>

#include "landsym/config.h"
#include "landsym/config_train.h"
#include "landsym/ctx.h"
#include "landsym/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- training run --------------------------------------------------------------------- */

typedef struct {
  const char *out_dir;   /* results folder (created); NULL: write nothing */
  const char *params;    /* start from these parameters (.npy/.json); NULL: seeded init */
  int have_seed;         /* seed given; else the config's top-level "seed", else 0 */
  uint64_t seed;
  const json_t *over;    /* keys that override the config's train section; may be NULL */
  int plot;              /* draw the loss curve (1) */
  ls_progress_fn progress; /* progress callback of the trainer; may be NULL */
  void *progress_user;
  ls_ctx ctx;            /* blas_threads (1 keeps runs bitwise identical on any machine) */
} ls_train_run_opts;

void ls_train_run_opts_default(ls_train_run_opts *o);

typedef struct {
  ls_train_settings settings; /* what the merged section gave */
  json_t *section;            /* the merged section (owned; settings.init points into it) */
  uint64_t seed;              /* of the initial point (minibatches: seed ^ a constant) */
  size_t P;
  char student[128];          /* ls_net_describe of the student */
  char init_desc[512];        /* "glorot seed 3", "normal scale 0.5 seed 3" or the file */
  double *theta0, *theta;     /* initial and trained parameters */
  ls_train_result res;
  char warning[512];          /* set when the figure could not be drawn (files kept) */
} ls_train_run;

/* Train the student of cfg as `landsym train` does and, with out_dir, write result.json,
 * params.npy, init.npy, trajectory.npy, trajectory.csv and the loss curve (loss.dat,
 * loss.gp, loss.png, loss.svg) there; on a write failure the files already written are
 * removed. Bad options or an out_dir that is a file are LS_ERR_INPUT before training.
 * Returns LS_OK whenever training produced a result (check run->res.stop). run must be
 * released with ls_train_run_free (also after a failure). */
ls_status ls_exp_train(const ls_config *cfg, const ls_train_run_opts *o, ls_train_run *run,
                       ls_error *err);
/* The run as the result.json object (new reference); plot names the figure file. */
json_t *ls_exp_train_json(const ls_config *cfg, const ls_train_run *run, int plot);
/* Write the results folder of a finished run (what ls_exp_train does with out_dir). */
ls_status ls_exp_train_write(const ls_config *cfg, const ls_train_run *run, const char *dir,
                             int plot, ls_error *err, char *warning, size_t wlen);
void ls_train_run_free(ls_train_run *run); /* accepts a zeroed struct */

/* ---- evaluation ----------------------------------------------------------------------- */

typedef struct {
  const char *params; /* .npy/.json file, "teacher", or NULL: Glorot init from seed */
  uint64_t seed;
  int hessian;        /* also the exact Hessian's eigenvalues; LS_ERR_INPUT before any work
                       * when the Hessian and the eigen-solver's two copies (24 P^2 bytes)
                       * need more memory than the machine has available */
  ls_ctx ctx;         /* engine: which implementation evaluates (LS_ENGINE_AUTO = 0 decides) */
} ls_eval_opts;

typedef struct {
  char source[512];   /* where the parameters came from */
  char student[128];
  const char *engine; /* the engine that ran (ls_engine_name of ls_work_engine) */
  int sparse_inputs;  /* the BLAS engine formed the first layer from the inputs' sparse
                       * index (ls_data_sparse; built by the config loader when it pays) */
  double input_fill;  /* share of the inputs that are nonzero; -1 when not counted (no index) */
  size_t P;
  double loss, grad_norm, grad_norm_inf;
  double *theta, *grad;         /* P each */
  double *hessian_eigenvalues;  /* P, ascending; NULL without hessian */
  /* memory (bytes) this network on these data needs: the engine's workspace
   * (ls_work_bytes), eval --hessian (ls_hessian_bytes + the eigen-solver's two P x P
   * copies), and `landsym train` with the config's train options at its peak
   * (ls_train_bytes; train_peak names the phase); the data set itself (mem_data, its
   * sparse index included) comes on top */
  double mem_work, mem_hessian, mem_train, mem_data;
  const char *train_peak;
} ls_eval_result;

/* Loss, gradient (2-norm and inf-norm) and optionally the Hessian spectrum of cfg's
 * student at the given parameters. A non-finite loss or gradient is LS_ERR_COMPUTE with a
 * message naming the parameters' largest magnitude. */
ls_status ls_exp_eval(const ls_config *cfg, const ls_eval_opts *o, ls_eval_result *r,
                      ls_error *err);
/* The result as a JSON object (new reference). */
json_t *ls_exp_eval_json(const ls_config *cfg, const ls_eval_result *r);
/* That object on one line and a newline (what `landsym eval --json` prints). */
ls_status ls_exp_eval_print_json(const ls_config *cfg, const ls_eval_result *r, FILE *fp,
                                 ls_error *err);
void ls_eval_result_free(ls_eval_result *r); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif
