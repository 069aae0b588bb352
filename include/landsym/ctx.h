/* landsym: the execution context. How much of the machine a call may use and which
 * kernel runs the engine's hot loops are passed explicitly in an ls_ctx, never read from
 * environment variables or global symbols inside the library:
 *   threads       OpenMP threads of the engine's sample loop and of sweeps (>= 1);
 *   blas_threads  threads OpenBLAS may use inside one call (1 when the caller already
 *                 runs one job per thread, so that the two do not multiply);
 *   engine        which implementation evaluates loss, gradient and Hessian:
 *                 LS_ENGINE_AUTO picks per network (see docs/design.md, "engine").
 * Results are bitwise identical whatever `threads` is (reductions are over fixed sample
 * groups); the engine choice changes them only at rounding level. */
#ifndef LANDSYM_CTX_H
#define LANDSYM_CTX_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LS_ENGINE_AUTO = 0,    /* the library decides per network and data size */
  LS_ENGINE_GENERIC = 1, /* layer-by-layer loops over sample blocks */
  LS_ENGINE_FUSED = 2,   /* per-sample fused kernels for tiny networks */
  LS_ENGINE_BLAS = 3     /* matrix products through BLAS for wide layers */
} ls_engine_kind;

typedef struct {
  int threads;
  int blas_threads;
  ls_engine_kind engine;
} ls_ctx;

/* All the threads OpenMP offers, BLAS single-threaded, automatic engine. */
ls_ctx ls_ctx_default(void);
/* The same with `threads` threads (values < 1 mean the default). */
ls_ctx ls_ctx_threads(int threads);
/* Hand blas_threads to OpenBLAS (call before a region that uses it). */
void ls_ctx_apply_blas(const ls_ctx *ctx);
/* "auto", "generic", "fused", "blas"; ls_engine_parse returns -1 for an unknown name. */
const char *ls_engine_name(ls_engine_kind k);
int ls_engine_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
