/* landsym: the counting experiments of `landsym count` as library calls (Şimşek et al.
 * 2021, "Geometry of the loss landscape in overparameterized neural networks: symmetries
 * and invariances", sections 3-5; Brea et al. 2019, Proposition 3). The exact numbers come
 * from landsym/count.h; the calls here put them side by side with their asymptotic forms
 * and print them in the command's formats:
 *   G(r,m), T(r,m)  exact integers printed in full; tables over m; products over hidden
 *                   layers (section 5); Lemma 4.6 asymptotics;
 *   g(u)            Bell numbers (Proposition 4.5);
 *   R_k(r*,m)       ratios G(r*-k,m)/T(r*,m) and their weighted total as decimals, with
 *                   equation 5 (fixed h = m - r*) and the bound of equation 6;
 *   brea            K-th order permutation points (Brea et al. 2019, Proposition 3);
 *   enumerate/graph brute-force subspaces and their connectivity graph (figure 4);
 *   fig6, fig4c     figures 6 and 4(c) regenerated, through landsym/out.h;
 *   layers          brute-force subspaces of multi-layer expansions (section 5).
 * Text goes to the caller's stream; bad sizes are LS_ERR_INPUT with a message, before any
 * output. Decimals are printed with `digits` significant digits (%.{digits-1}e). */
#ifndef LANDSYM_EXP_COUNT_H
#define LANDSYM_EXP_COUNT_H

#include <stddef.h>
#include <stdio.h>

#include "landsym/count.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LS_COUNT_OUT_TEXT = 0, LS_COUNT_OUT_CSV, LS_COUNT_OUT_JSON } ls_count_out;

typedef struct {
  ls_count_out format; /* text, CSV, or JSON (integers and decimals as strings) */
  int asym;            /* print the asymptotic forms beside the exact values */
  long digits;         /* significant digits of decimals (20) */
  double max_bytes;    /* memory cap of the exact numbers (LS_COUNT_DEFAULT_MAX_BYTES) */
} ls_exp_count_opts;

ls_exp_count_opts ls_exp_count_opts_default(void);

/* ---- G, T, g (src/exp/count_exact.c) ---- */

/* which = 'G' or 'T'. One value r <= m (text: the integer alone, or with asym the Lemma
 * 4.6 forms m^k m!/(2^k k!), k = m-r, and for G r^m, with relative errors). */
ls_status ls_exp_count_GT(FILE *out, char which, long r, long m, const ls_exp_count_opts *o,
                          ls_error *err);
/* Table over m = m_lo, m_lo+step, ..., <= m_hi (CSV unless JSON). */
ls_status ls_exp_count_GT_table(FILE *out, char which, long r, long m_lo, long m_hi, long step,
                                const ls_exp_count_opts *o, ls_error *err);
/* Product over hidden layers prod_l which(r_l, m_l) (section 5); text or JSON. */
ls_status ls_exp_count_GT_layers(FILE *out, char which, const long *r, const long *m,
                                 int layers, const ls_exp_count_opts *o, ls_error *err);
/* g(u) for u = lo..hi step `step`; table: "u,g" rows (else the value alone). */
ls_status ls_exp_count_g(FILE *out, long lo, long hi, long step, int table,
                         const ls_exp_count_opts *o, ls_error *err);

/* ---- R_k and their total (src/exp/count_ratio.c) ---- */

typedef struct {
  long rstar;                /* r* >= 2 */
  long m_lo, m_hi, m_step;   /* m_lo >= r* */
  long k_lo, k_hi;           /* which R_k are printed, 1 <= k_lo <= k_hi <= r*-1 */
  ls_count_weights weights;  /* a_k of the total */
  const double *list;        /* LS_COUNT_WEIGHTS_LIST: a_1..a_nlist */
  int nlist;
  int depth;                 /* L >= 2: every ratio to the power L-1 (section 5) */
  int total_only;            /* print only the total */
  int table;                 /* a table over m (else one m: text shows the asymptotics) */
  int k_default;             /* print k = 1..min(5, r*-1) instead of k_lo..k_hi */
} ls_exp_count_R_req;

/* LS_ERR_INPUT when r* < 2, m_lo < r* or the k range leaves 1..r*-1. */
ls_status ls_exp_count_R(FILE *out, const ls_exp_count_R_req *q, const ls_exp_count_opts *o,
                         ls_error *err);

/* ---- Brea et al. 2019 (src/exp/count_brea.c) ---- */

/* Per layer of widths n[0..layers-1] (each > K): T_B(K,n), its bound and Lemma 2 limit;
 * then the permutation points of the whole network (Lemma 3). Text or JSON. */
ls_status ls_exp_count_brea(FILE *out, long K, const long *n, int layers,
                            const ls_exp_count_opts *o, ls_error *err);
/* CSV (or JSON) table over n = lo..hi step `step` (lo > K). */
ls_status ls_exp_count_brea_table(FILE *out, long K, long lo, long hi, long step,
                                  const ls_exp_count_opts *o, ls_error *err);

/* ---- brute force, graph, figures (src/exp/count_graph.c, count_fig6.c) ---- */

/* The distinct subspaces r -> m by enumeration (Definitions 3.2-3.3; critical_only:
 * Definition 4.1): patterns one a line, or their number (count_only), or JSON; the
 * summary with the closed form to log. LS_ERR_COMPUTE when the enumeration and the
 * closed form disagree. */
ls_status ls_exp_count_enumerate(FILE *out, FILE *log, long r, long m, int critical_only,
                                 int count_only, ls_count_out format, ls_error *err);
/* The connectivity graph of figure 4 for m = r+1 (1 <= r <= LS_COUNT_GRAPH_MAX_R) in
 * format "dot" or "graphml", to out, or atomically to path when path != NULL; its
 * statistics (nodes by colour, edges, degrees, components) to log. */
ls_status ls_exp_count_graph(FILE *out, const char *path, FILE *log, long r,
                             const char *format, ls_error *err);
/* Figure 4(c): DIR/fig4c.dot, .graphml, and .png/.svg drawn by graphviz's `layout`
 * program (neato, circo, sfdp, dot, fdp, twopi). */
ls_status ls_exp_count_fig4c(const char *dir, long r, const char *layout, FILE *log,
                             ls_error *err);
/* Figure 6: R_k(r*,m), k = 1..kmax, and the total (a_k = 1) for m = r*+1..m_max, as
 * DIR/fig6.dat (values and log10 columns) and a gnuplot figure (ls_figure_save). */
ls_status ls_exp_count_fig6(const char *dir, long rstar, long m_max, long kmax,
                            double max_bytes, FILE *log, ls_error *err);

/* ---- several hidden layers by brute force (src/exp/count_layers.c) ---- */

typedef struct {
  long r[16], m[16]; /* hidden widths of the teacher and of the expansion */
  int layers;
  int critical;      /* no zero-type units (Definition 4.1): compare with prod G */
  int graph;         /* also the connectivity graph */
  int din, dout;     /* inputs and outputs (1, 1) */
  unsigned long seed;
} ls_exp_count_layers_opts;

typedef struct {
  size_t nparams, choices, distinct;
  char *formula;     /* prod_l T(r_l,m_l) or prod_l G(r_l,m_l), decimal (free()) */
  int match;         /* distinct == formula */
  int dim_min, dim_max;
  double max_out_rel_diff; /* how far the sampled points moved the network function */
  size_t edges, components; /* with graph */
  int need_connected;       /* Theorem 3.1 / section 5: one component expected */
} ls_exp_count_layers_result;

/* A random irreducible tanh teacher (Gaussian weights and inputs from seed), expanded by
 * every tuple and permutation of every layer (ls_sym_enum_layers), against the product
 * formula. */
ls_status ls_exp_count_layers(const ls_exp_count_layers_opts *o, ls_exp_count_layers_result *res,
                              ls_error *err);
void ls_exp_count_layers_result_free(ls_exp_count_layers_result *res);
/* The result as text or as one line of JSON (through jansson). */
ls_status ls_exp_count_layers_print(FILE *out, const ls_exp_count_layers_opts *o,
                                    const ls_exp_count_layers_result *res, int json,
                                    ls_error *err);
/* NULL when the result holds (count = formula, function kept, connected when it must be),
 * else the sentence saying what failed. */
const char *ls_exp_count_layers_failure(const ls_exp_count_layers_opts *o,
                                        const ls_exp_count_layers_result *res);

#ifdef __cplusplus
}
#endif
#endif
