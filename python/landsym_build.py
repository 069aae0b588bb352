"""cffi build script (API mode) of landsym._ffi.

The extension is compiled against the headers in include/landsym and linked with the
shared library liblandsym.so of an existing build (cmake --build build --target
landsym_shared). Where they are is taken from the environment:

  LANDSYM_ROOT       the checkout (default: the parent of this directory)
  LANDSYM_BUILD_DIR  the directory holding liblandsym.so (default: $LANDSYM_ROOT/build)

The library directory is recorded as the extension's run path, so nothing has to be set
at import time.
"""
import os
import pathlib
import subprocess

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(os.environ.get("LANDSYM_ROOT", HERE.parent)).resolve()
BUILD = pathlib.Path(os.environ.get("LANDSYM_BUILD_DIR", ROOT / "build")).resolve()

CDEF = r"""
typedef enum { LS_OK = 0, LS_ERR_COMPUTE = 1, LS_ERR_INPUT = 2, LS_ERR_NOMEM = 3,
               LS_ERR_IO = 4 } ls_status;
typedef struct { ls_status code; char msg[1024]; } ls_error;

#define LS_MAX_LAYERS ...
typedef enum { LS_ACT_IDENTITY, LS_ACT_SIGMOID, LS_ACT_TANH, LS_ACT_SOFTPLUS, LS_ACT_G,
               LS_ACT_SOFTPLUS_SIG, LS_ACT_ERF, LS_ACT_GELU, LS_ACT_RELU,
               LS_ACT_COUNT } ls_act_kind;
typedef struct { ls_act_kind kind; double alpha, gamma; } ls_act;
typedef enum { LS_LOSS_MSE, LS_LOSS_NLL } ls_loss_kind;
typedef struct {
  int n_layers;
  int width[...];
  ls_act act[...];
  int bias[...];
  int glu[...];
  int glu2[...];
  ls_loss_kind loss;
  ...;
} ls_net;
ls_status ls_act_parse(const char *name, ls_act *out, ls_error *err);
const char *ls_act_name(ls_act_kind kind);
ls_status ls_loss_parse(const char *name, ls_loss_kind *out, ls_error *err);
const char *ls_loss_name(ls_loss_kind kind);
ls_status ls_net_validate(const ls_net *net, ls_error *err);
size_t ls_net_nparams(const ls_net *net);
size_t ls_net_w_offset(const ls_net *net, int l);
size_t ls_net_b_offset(const ls_net *net, int l);
size_t ls_net_v_offset(const ls_net *net, int l);
size_t ls_net_c_offset(const ls_net *net, int l);
size_t ls_net_m_offset(const ls_net *net, int l);
int ls_net_m_len(const ls_net *net, int l);
void ls_net_describe(const ls_net *net, char *buf, size_t len);

typedef struct { size_t n; int din, dout; double *x, *y, *w; ...; } ls_data;
ls_status ls_data_grid(ls_data *d, size_t n, int dim, double lo, double hi, int dout,
                       ls_error *err);
ls_status ls_data_gaussian(ls_data *d, size_t n, int dim, uint64_t seed, int dout,
                           ls_error *err);
ls_status ls_data_hermite(ls_data *d, int points, int dim, int dout, ls_error *err);
ls_status ls_data_teacher_targets(ls_data *d, const ls_net *teacher, const double *theta,
                                  int onehot, ls_error *err);
ls_status ls_data_check_finite(const ls_data *d, const char *what, ls_error *err);
ls_status ls_data_check_nll_targets(const ls_data *d, const char *what, ls_error *err);
ls_status ls_data_normalize_weights(double *w, size_t n, const char *what, ls_error *err);

typedef struct ls_work ls_work;
ls_work *ls_work_alloc(const ls_net *net, size_t n_samples);
void ls_work_free(ls_work *w);
const char *ls_kernel_name(void);
ls_status ls_loss(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                  ls_work *w);
ls_status ls_loss_grad(const ls_net *net, const ls_data *d, const double *theta, double *loss,
                       double *grad, ls_work *w);
ls_status ls_hessian(const ls_net *net, const ls_data *d, const double *theta, double *H,
                     ls_work *w);
ls_status ls_hvp(const ls_net *net, const ls_data *d, const double *theta, const double *v,
                 double *Hv, ls_work *w);

typedef struct { int threads; int blas_threads; ...; } ls_ctx;
ls_ctx ls_ctx_threads(int threads);
void ls_ctx_apply_blas(const ls_ctx *ctx);

typedef struct {
  char *path; char *dir;
  ls_data data;
  char data_desc[256];
  int has_teacher;
  ls_net teacher;
  double *teacher_params;
  ls_net student;
  ...;
} ls_config;
ls_status ls_config_load(const char *path, ls_config *cfg, ls_error *err);
void ls_config_free(ls_config *cfg);

void ls_params_glorot(const ls_net *net, uint64_t seed, double *theta);
void ls_params_normal(const ls_net *net, uint64_t seed, double scale, double *theta);
ls_status ls_params_read_net(const char *path, const ls_net *net, double **theta,
                             ls_error *err);
ls_status ls_params_read(const char *path, double **theta, size_t *n, ls_error *err);
ls_status ls_params_write(const char *path, const double *theta, size_t n, ls_error *err);
void ls_safetensors_param_name(int l, const char *what, char *buf, size_t len);
ls_status ls_safetensors_params_write(const char *path, const ls_net *net, const double *theta,
                                      ls_error *err);
ls_status ls_safetensors_params_read_net(const char *path, const ls_net *net, double **theta,
                                         ls_error *err);

/* optim.h */
typedef enum { LS_FIRST_NONE, LS_FIRST_GD, LS_FIRST_ADAM, LS_FIRST_FLOW } ls_first_kind;
typedef int... ls_polish_kind;
typedef int... ls_linsol_kind;
typedef int... ls_hessian_kind;
typedef enum { LS_STOP_NONE, LS_STOP_GRAD, LS_STOP_LOSS, LS_STOP_SWITCH, LS_STOP_ITERS,
               LS_STOP_TIME, LS_STOP_FLOWTIME, LS_STOP_PATIENCE, LS_STOP_STALL, LS_STOP_NAN,
               LS_STOP_USER, LS_STOP_FAIL } ls_stop_reason;
typedef struct {
  const char *phase; size_t iter; double wall; double loss, grad_norm; double best_loss;
} ls_train_progress;
typedef int (*ls_progress_fn)(const ls_train_progress *p, void *user);
typedef struct {
  double max_norm, barrier; double merge_lambda; int merge_layer, merge_i, merge_j;
} ls_penalty;
typedef struct {
  ls_first_kind first; ls_polish_kind polish;
  double lr; double beta1, beta2, eps; size_t batch; uint64_t seed; size_t first_maxiter;
  double switch_grad_tol;
  double flow_rtol, flow_atol; double flow_tmax; ls_linsol_kind flow_linsol;
  size_t dense_max_params;
  int newton_critical; ls_hessian_kind newton_hessian; size_t polish_maxiter; size_t auto_newton_max;
  double newton_switch_tol; size_t auto_slsqp_max;
  double lm_switch_tol; size_t lm_max_iter; double lm_drift;
  double grad_tol; double loss_tol; double time_limit; size_t patience;
  size_t traj_per_decade; int traj_params;
  ls_progress_fn progress; void *progress_user; double progress_interval;
  ls_penalty penalty;
  ...;
} ls_train_opts;
void ls_train_opts_default(ls_train_opts *o);
ls_status ls_train_opts_validate(const ls_train_opts *o, const ls_net *net, ls_error *err);
ls_status ls_first_parse(const char *s, ls_first_kind *out, ls_error *err);
ls_status ls_polish_parse(const char *s, ls_polish_kind *out, ls_error *err);
ls_status ls_linsol_parse(const char *s, ls_linsol_kind *out, ls_error *err);
ls_status ls_hessian_kind_parse(const char *s, ls_hessian_kind *out, ls_error *err);
const char *ls_first_name(ls_first_kind k);
const char *ls_polish_name(ls_polish_kind k);
const char *ls_stop_name(ls_stop_reason r);
typedef struct {
  char name[16]; ls_stop_reason stop; double wall; size_t iters; size_t evals;
  double loss, grad_norm; double flow_t; ...;
} ls_phase_result;
typedef struct {
  size_t n, cap, P; int *phase; double *iter, *wall, *loss, *grad_norm, *params; ...;
} ls_trajectory;
typedef struct {
  ls_stop_reason stop; double loss, grad_norm; double wall; double cpu; size_t iters;
  int n_phases; ls_phase_result phase[...]; ls_trajectory traj; char message[256]; ...;
} ls_train_result;
void ls_train_result_free(ls_train_result *r);
ls_status ls_train(const ls_net *net, const ls_data *data, double *theta,
                   const ls_train_opts *opts, ls_train_result *r, ls_error *err);

/* sym.h: reduction and expansion */
typedef struct { double tol; int use_sign; ...; } ls_sym_reduce_opts;
void ls_sym_reduce_opts_default(ls_sym_reduce_opts *o);
typedef struct {
  int width; int n_groups; int reduced_width; int *group; int *sign; int *group_size;
  int *zero_type; int *reduced_index; int const_group; ...;
} ls_sym_layer_groups;
typedef struct {
  ls_net net; double *theta; int n_hidden; ls_sym_layer_groups layer[...]; ...;
} ls_sym_reduction;
ls_status ls_sym_reduce(const ls_net *net, const double *theta, const ls_sym_reduce_opts *opts,
                        ls_sym_reduction *red, ls_error *err);
void ls_sym_reduction_free(ls_sym_reduction *red);
int ls_sym_is_irreducible(const ls_sym_reduction *red, int l);
typedef struct {
  int layer; int m; const int *k; int n_zero; const int *b; const double *beta;
  int vector_split; int equal_split; int zero_type_out; const int *perm; int random_perm; ...;
} ls_sym_expand_spec;
void ls_sym_expand_spec_default(ls_sym_expand_spec *s, int layer, int m);
ls_status ls_sym_expand_layer(const ls_net *net, const double *theta,
                              const ls_sym_expand_spec *spec, uint64_t seed, ls_net *net_m,
                              double **theta_m, int *group_of, ls_error *err);

/* classify.h */
typedef int... ls_class_kind;
const char *ls_class_name(ls_class_kind k);
typedef struct {
  double loss_floor; double grad_tol; double reduce_tol; double match_tol; double sym_grad_tol;
  double eig_tol; double approach_dist; double approach_loss_rtol; size_t continue_iter;
  double continue_lr; double near_global_rloss; double near_global_copy_rtol; ...;
} ls_classify_opts;
void ls_classify_opts_default(ls_classify_opts *o);
ls_status ls_classify_opts_validate(const ls_classify_opts *o, ls_error *err);
typedef struct { int layer; int size; int zero_type; int teacher_unit; int sign_mixed; ...; }
  ls_neuron_group;
typedef struct {
  ls_class_kind cls; int converged, sym_induced, reducible; char certificate[48];
  int teacher_match; double loss, grad_inf; double gn_loss; double eig[...]; int n_eig;
  int n_zero_eigs, n_neg_eigs; double max_abs_eig; int P, reduced_P;
  int reduced_width[...]; double reduced_loss, reduced_grad_inf; double match_error;
  double min_neuron_dist; double prune_max_diff; int approaching; int near_saddle;
  int n_groups; ls_neuron_group *groups; ls_net reduced_net; double *reduced_theta;
  int continued; double run_loss; char run_reason[200]; double continue_loss;
  double near_global_dist; double near_global_loss; int near_global_cloud; ...;
} ls_classify_result;
void ls_classify_result_free(ls_classify_result *r);
ls_status ls_classify_point(const ls_net *net, const ls_data *d, const double *theta,
                            const ls_net *teacher, const double *theta_t,
                            const ls_classify_opts *o, ls_classify_result *r, ls_error *err);

/* paths.h: nearest symmetry-induced saddle, loss slices */
typedef struct { int neg, zero, pos; } ls_inertia;
typedef struct {
  int layer; double lambda_min, lambda_max; int lambda_steps; double mu; double grad_tol;
  double eig_tol; ...;
} ls_saddle_opts;
void ls_saddle_opts_default(ls_saddle_opts *o);
typedef struct {
  int layer, l, m; double pair_distance; ls_net reduced_net; double *reduced;
  double reduced_grad; double reduced_loss; double mu; double *saddle;
  double saddle_loss, saddle_grad; double start_loss; double distance; ls_inertia inertia;
  ls_inertia predicted; int start_degenerate; double *eig_saddle; size_t P; ...;
} ls_saddle_result;
void ls_saddle_result_free(ls_saddle_result *r);
ls_status ls_saddle_find(const ls_net *net, const ls_data *data, const double *theta,
                         const ls_saddle_opts *opts, ls_saddle_result *r, ls_error *err);
ls_status ls_slice_1d(const ls_net *net, const ls_data *data, const double *a,
                      const double *b, double tmin, double tmax, int n, double *t,
                      double *loss, ls_error *err);

/* split.h: the split test (thesis 6.2.6, Theorem 3) */
ls_status ls_split_dims(const ls_net *net, int layer, int neuron, int *nin, int *nout,
                        ls_error *err);
ls_status ls_split_matrices(const ls_net *net, const ls_data *d, const double *theta,
                            int layer, int neuron, double *Y, double *U, ls_error *err);
ls_status ls_split_duplicate(const ls_net *net, const double *theta, int layer, int neuron,
                             double mu, ls_net *out, double *theta_out, ls_error *err);
void ls_split_block(const double *Y, const double *U, int nin, int nout, double mu, double *M);
ls_status ls_split_predict(const double *Y, const double *U, int nin, int nout, double mu,
                           double tol, ls_inertia *in, int *rank_u, ls_error *err);

/* sweep.h, exp_sweep.h: seed sweeps (through lsp_sweep in the shim) */
typedef struct {
  long done, total, skipped, converged, failed; double elapsed_s;
} ls_sweep_progress;
typedef void (*ls_sweep_progress_fn)(void *ctx, const ls_sweep_progress *p);
typedef struct {
  long total; long skipped; long ran; long converged; long failed; long unfinished;
  double elapsed_s;
} ls_sweep_stats;
typedef struct {
  const char *config; const char *dir; long seeds; int resume; int cuda; int quiet;
  ls_ctx ctx; ...;
} ls_exp_sweep_args;
typedef struct { ls_sweep_stats stats; double wall_s; char summary[...]; ...; }
  ls_exp_sweep_result;

/* exp_classify.h: classifying a sweep directory */
typedef struct {
  const char *dir; const char *out; ls_classify_opts copts; int threads; int prune;
  int figures; int quiet; ...;
} ls_classify_dir_opts;
void ls_classify_dir_opts_default(ls_classify_dir_opts *o);
typedef struct {
  int width; long seed; char stop[...]; int failed; char reason[...];
  ls_classify_result res; ...;
} ls_classified_run;
typedef struct {
  int n_widths; int widths[...]; long n_runs; ls_classified_run *runs; int has_teacher;
  long n_residuals; double prune_worst; double prune_raw_worst; long n_polished; ...;
} ls_classified_sweep;

/* certify.h, paths.h, exp_path.h: permutation paths (Brea et al. 2019) */
typedef int... ls_cert_kind;
const char *ls_cert_kind_name(ls_cert_kind k);
typedef struct { ls_cert_kind kind; double grad_inf; double bound; double dist;
                 char reason[...]; ...; } ls_crit_cert;
typedef struct {
  int layer, l, m; int steps; double dmin_rel; int maxeval; double ftol_rel;
  double lambda_min, lambda_max; int relative; double out_bound; int apex; ...;
} ls_path_opts;
typedef struct {
  size_t P; int n; int relative; double d0; double *d; double *dist; double *lambda;
  double *loss; double *grad_norm; double *params; int argmax; double barrier;
  int max_at_end; size_t evals; double out_bound; double beta_end; int end_refined;
  int has_apex; double *apex; double apex_loss; double apex_grad; double apex_move;
  double stat_worst; ...;
} ls_path;
typedef enum { LS_EXP_PATH_ONE = 0, LS_EXP_PATH_ALL = 1, LS_EXP_PATH_COSINE = 2 }
  ls_exp_path_pairs;
typedef struct {
  int steps; double dmin; int maxeval; int lagrangian; int layer; const char *params;
  ls_exp_path_pairs pairs; int l, m; int distance; double out_bound; const char *out_dir;
  int plot; ...;
} ls_exp_path_opts;
void ls_exp_path_opts_default(ls_exp_path_opts *o);
typedef struct {
  int l, m; ls_path p; double seconds; double mirror_end_loss; double dipole; int pp_done;
  double pp_grad; ls_inertia pp_inertia; ls_crit_cert cert; ...;
} ls_exp_path_pair;
typedef struct {
  int layer; ls_path_opts used; int n; ls_exp_path_pair *pairs; int best; double seconds;
  ...;
} ls_exp_path_result;
ls_status ls_exp_path_run(const ls_config *cfg, const ls_exp_path_opts *o,
                          ls_exp_path_result *r, ls_error *err);
void ls_exp_path_result_free(ls_exp_path_result *r);
int ls_exp_path_end_matches(const ls_path *p);
double ls_exp_path_max_loss(const ls_path *p);
double ls_exp_path_max_at_d(const ls_path *p);
size_t ls_path_full_len(const ls_path *p);
ls_status ls_path_mirror(const ls_net *net, const ls_path *p, int k, int l, int m,
                         double **params, double **s, ls_error *err);

/* landsym_shim.c */
static ls_status lsp_sweep(const ls_exp_sweep_args *a, ls_sweep_progress_fn fn, void *user,
                           ls_exp_sweep_result *res, ls_error *err);
static ls_classified_sweep *lsp_classified_new(void);
static void lsp_classified_delete(ls_classified_sweep *s);
static ls_status lsp_classify_dir(const ls_classify_dir_opts *o, ls_classified_sweep *s,
                                  ls_error *err);
static ls_status lsp_loss(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                          double *loss, ls_work *w, ls_error *err);
static ls_status lsp_loss_grad(const ls_net *net, const ls_data *d, const double *theta,
                               size_t P, double *loss, double *grad, ls_work *w, ls_error *err);
static ls_status lsp_hessian(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                             double *H, ls_work *w, ls_error *err);
static ls_status lsp_hvp(const ls_net *net, const ls_data *d, const double *theta,
                         const double *v, size_t P, double *Hv, ls_work *w, ls_error *err);
static ls_status lsp_forward(const ls_net *net, const double *theta, size_t P, size_t n,
                             const double *x, double *out, ls_work *w, ls_error *err);
static ls_status lsp_spectrum(const ls_net *net, const ls_data *d, const double *theta, size_t P,
                              size_t dense_max, int k, double *evals, size_t *n, int *method,
                              size_t *n_hvp, ls_error *err);
static ls_status lsp_check_finite(const double *v, size_t n, const char *what, ls_error *err);
static char *lsp_count_int(int which, long a, long b, ls_error *err);
static char *lsp_count_brea(long K, long n, int bound, ls_error *err);
static ls_status lsp_count_ratio(long rstar, long m, int kmax, long digits, int weights,
                                 int depth, char **R, char **total, ls_error *err);
static void lsp_free(void *p);
static ls_status lsp_config_from_text(const char *text, const char *name, const char *dir,
                                      ls_config *cfg, ls_error *err);
static char *lsp_config_section_text(const ls_config *cfg, const char *name);
static ls_data *lsp_data_new(void);
static void lsp_data_delete(ls_data *d, int owned);

extern "Python" int lsp_py_progress(const ls_train_progress *p, void *user);
extern "Python" void lsp_py_sweep_progress(void *ctx, const ls_sweep_progress *p);
"""


def _pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, "jansson", "gmp", "mpfr"],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return out.split()


ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source(
    "landsym._ffi",
    (HERE / "landsym_shim.c").read_text(),
    include_dirs=[str(ROOT / "include")] +
                 [f[2:] for f in _pkg_config("--cflags-only-I")],
    library_dirs=[str(BUILD)],
    libraries=["landsym", "jansson", "gmp", "mpfr"],
    runtime_library_dirs=[str(BUILD)],
    extra_compile_args=["-O2", "-std=gnu11"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
