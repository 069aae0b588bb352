/* Internal layout of the engine workspace (shared by the files of src/deriv).
 *
 * Every pass works on blocks of consecutive samples held "unit-major": an array of a layer
 * with width w over a block of nb samples is w rows of nb contiguous values, so the loops
 * over samples are unit-stride and vectorise (activations, exp).  Tangent arrays of the
 * Hessian passes add a third, innermost index over T directions: [unit][sample][t]. */
#ifndef LANDSYM_DERIV_WORK_H
#define LANDSYM_DERIV_WORK_H

#include "landsym/engine.h"

/* Samples per block of the loss/gradient pass (blocks are fixed by n alone, so the
 * reduction order, hence every bit of the result, is independent of the thread count). */
#define LS_GRAD_BLOCK 256
/* Most groups of blocks reduced separately (the parallelism available to one call). */
#define LS_GROUPS 32

/* Fused shallow kernel (fused.c): samples per chunk (lanes of the accumulators) and the
 * largest widths it takes (register/L1 budget); other networks use the general path. */
#define LS_FZ_C 8
#define LS_FZ_MAX_IN 16
#define LS_FZ_MAX_HID 256
#define LS_FZ_MAX_OUT 8
/* Its narrow sigmoid case (fused_small.c: 1 or 2 inputs, 1 output): widest hidden layer. */
#define LS_FZS_MAX_HID 8

/* Per-block forward/backward state, layer l = 0..L, each [unit][sample] with ld = nb. */
typedef struct {
  size_t cap;                    /* capacity in samples */
  double *a[LS_MAX_LAYERS + 1];  /* activations (a[0]: inputs, transposed)        */
  double *z[LS_MAX_LAYERS + 1];  /* pre-activations                               */
  double *d1[LS_MAX_LAYERS + 1]; /* act'(z)                                       */
  double *d2[LS_MAX_LAYERS + 1]; /* act''(z)            (Hessian passes only)     */
  double *dl[LS_MAX_LAYERS + 1]; /* delta = dloss/dz (sample weight included)     */
  double *e[LS_MAX_LAYERS + 1];  /* dloss/da           (Hessian passes only)      */
  double *p;                     /* softmax probabilities [o][k] (NLL)            */
  double *c;                     /* per-sample factor of the output curvature      */
  double *buf;
} ls_blk;

/* Tangent scratch of one Hessian pass: per layer [unit][sample][t]. */
typedef struct {
  size_t cap_nb, cap_t;
  double *rz[LS_MAX_LAYERS + 1], *ra[LS_MAX_LAYERS + 1], *rd[LS_MAX_LAYERS + 1];
  double *re, *acc, *buf;
} ls_tan;

struct ls_work {
  ls_net net;
  size_t n;      /* capacity in samples */
  size_t nparams;
  int nthreads;  /* scratch sets (one per OpenMP thread) */
  ls_blk *gblk;  /* nthreads gradient blocks of LS_GRAD_BLOCK samples */
  double *part;  /* per-group partials (loss, gradient or HVP): LS_GROUPS x (1 + P) */
  int fused;     /* use the fused kernel (engine == LS_ENGINE_FUSED) */
  ls_engine_kind engine; /* the engine chosen (gemm_choice.c), never AUTO */
  int blas_threads;      /* ctx->blas_threads */
  struct ls_gemm *gemm;  /* BLAS engine scratch (gemm.c), allocated on first use */
  double *fz;    /* its scratch: nthreads x fz_len */
  size_t fz_len;
  /* Hessian scratch, allocated on first use: one set per thread */
  int h_ready;
  size_t h_nb, h_t;
  ls_blk *hblk;
  ls_tan *htan;
  ls_error err; /* the last failure (ls_work_error; work_error.c) */
};

/* Number of fixed groups for nblocks blocks: min(nblocks, LS_GROUPS), at least 1. */
size_t ls_groups(size_t nblocks);
ls_status ls_work_check(const ls_net *net, size_t n, const ls_work *w);
ls_status ls_blk_alloc(ls_blk *b, const ls_net *net, size_t cap, int second);
void ls_blk_free(ls_blk *b);
/* Forward pass of samples k0..k0+nb-1 into b (d2 too when second). */
void ls_blk_forward(const ls_net *net, const double *theta, const double *x, size_t k0,
                    size_t nb, ls_blk *b, int second);
/* Output gradient: b->e[L] = w_k dloss/df, b->dl[L] = e * act_L', and (second) the
 * curvature factors b->c, b->p; returns sum_k w_k loss_k over the block. */
double ls_blk_output(const ls_net *net, const ls_data *d, size_t k0, size_t nb, ls_blk *b,
                     int second);
/* Fused kernel: whether net is the supported shallow case, its per-thread scratch length
 * (doubles), and one block: returns the block's loss and adds its gradient to grad. */
int ls_fused_supported(const ls_net *net);
size_t ls_fused_scratch(const ls_net *net);
double ls_fused_block(const ls_net *net, const double *theta, const ls_data *d, size_t k0,
                      size_t nb, double *grad, double *scratch);
/* The narrow sigmoid case of the fused kernel (fused_small.c), gradient passes only:
 * same loss and activations as ls_fused_block, scheduled for throughput. */
int ls_fused_small_supported(const ls_net *net);
double ls_fused_small_block(const ls_net *net, const double *theta, const ls_data *d,
                            size_t k0, size_t nb, double *grad);
/* Switch the fused kernel on or off for w (on only takes effect for supported networks;
 * off selects the generic engine).  For tests and benchmarks comparing both paths. */
void ls_work_set_fused(ls_work *w, int on);
/* Failures of engine calls, recorded in w for ls_work_error (work_error.c): ls_work_fail
 * records code and message and returns code; ls_work_verify is ls_work_check naming what
 * does not fit, ls_work_verify_data adds the data's shapes; ls_work_result records a
 * failed status st of the step `what` (st unchanged; LS_OK passes through). */
ls_status ls_work_fail(ls_work *w, ls_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ls_status ls_work_verify(const ls_net *net, size_t n, ls_work *w);
ls_status ls_work_verify_data(const ls_net *net, const ls_data *d, ls_work *w);
ls_status ls_work_result(ls_work *w, ls_status st, const char *what);

/* The BLAS engine (gemm.c, gemm_hvp.c, gemm_hessian.c) and the automatic choice
 * (gemm_choice.c). */
ls_engine_kind ls_engine_choose(const ls_net *net, size_t n, ls_engine_kind requested);
ls_status ls_gemm_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                            double *loss, double *grad, ls_work *w);
ls_status ls_gemm_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                          ls_work *w);
/* The dense Hessian's last step (hessian.c), shared by both engines: the rows of layers
 * below a column's layer from symmetry, diagonal blocks averaged with their transpose;
 * LS_ERR_COMPUTE when a diagonal entry is not finite. */
ls_status ls_hessian_finish(const ls_net *net, double *H, size_t P);
/* st recorded in w for ls_work_error: LS_ERR_COMPUTE as "the Hessian is not finite". */
ls_status ls_hessian_result(ls_work *w, ls_status st);
ls_status ls_gemm_hvp(const ls_net *net, const ls_data *d, const double *theta,
                      const double *v, double *Hv, ls_work *w);
void ls_gemm_free(struct ls_gemm *g);
double ls_sample_loss(ls_loss_kind kind, int m, const double *f, const double *y, double *g);

#endif
