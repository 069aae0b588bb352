/* The execution context (landsym/ctx.h). */
#include <omp.h>
#include <string.h>

#include "landsym/ctx.h"

/* OpenBLAS's own setter (cblas.h declares it only in some versions). */
void openblas_set_num_threads(int num_threads);

ls_ctx ls_ctx_default(void) {
  int nt = omp_get_max_threads();
  ls_ctx c = {nt < 1 ? 1 : nt, 1, LS_ENGINE_AUTO};
  return c;
}

ls_ctx ls_ctx_threads(int threads) {
  ls_ctx c = ls_ctx_default();
  if (threads >= 1) c.threads = threads;
  return c;
}

void ls_ctx_apply_blas(const ls_ctx *ctx) {
  openblas_set_num_threads(ctx && ctx->blas_threads >= 1 ? ctx->blas_threads : 1);
}

static const char *const engine_names[] = {"auto", "generic", "fused", "blas"};

const char *ls_engine_name(ls_engine_kind k) {
  return (unsigned)k < sizeof engine_names / sizeof *engine_names ? engine_names[k] : "?";
}

int ls_engine_parse(const char *name) {
  for (int k = 0; k < (int)(sizeof engine_names / sizeof *engine_names); k++)
    if (!strcmp(name, engine_names[k])) return k;
  return -1;
}
