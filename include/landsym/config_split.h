/* landsym: the config's "split" section, which chooses how the split test computes Hessian
 * spectra (thesis section 6.3.1; docs/split.md):
 *     "split": {"spectrum": "auto" | "dense" | "lanczos", "dense_max": N, "lanczos_k": K}
 * Every key is optional; an unknown key or a bad value is LS_ERR_INPUT naming it. */
#ifndef LANDSYM_CONFIG_SPLIT_H
#define LANDSYM_CONFIG_SPLIT_H

#include "landsym/config.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int spectrum;   /* 0 auto, 1 dense, 2 lanczos (the order of ls_split_spectrum_kind) */
  long dense_max; /* auto: dense eigen-decomposition up to this many parameters (3000) */
  long lanczos_k; /* Lanczos window; 0: chosen by the split test */
} ls_config_split;

/* The defaults above: auto, 3000, 0. */
ls_config_split ls_config_split_default(void);
/* Read the section of cfg (absent: the defaults) into out. */
ls_status ls_config_split_read(const ls_config *cfg, ls_config_split *out, ls_error *err);

#ifdef __cplusplus
}
#endif
#endif
