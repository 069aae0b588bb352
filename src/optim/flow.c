/* Gradient flow d(theta)/dt = -grad L(theta) integrated with SUNDIALS CVODE (BDF), as
 * MLPGradientFlow.jl does. The Jacobian of the right-hand side is -H: given exactly as a
 * dense matrix for small networks (SUNDenseMatrix + SUNLinSol_Dense), or through exact
 * Hessian-vector products with the matrix-free SPGMR Krylov solver for large ones. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "phase.h"

/* CVODE callbacks return 0 for ok, > 0 for a recoverable failure (non-finite trial point:
 * CVODE then retries with a smaller step), < 0 for a fatal one. */
static int flow_rhs(realtype t, N_Vector y, N_Vector ydot, void *ud) {
  (void)t;
  ls_run *r = ud;
  double f, *g = N_VGetArrayPointer(ydot);
  ls_status st = ls_objective_grad(&r->obj, N_VGetArrayPointer(y), &f, g);
  if (st == LS_ERR_COMPUTE) return 1;
  if (st != LS_OK) return -1;
  for (size_t i = 0; i < r->P; i++) g[i] = -g[i];
  return 0;
}

static int flow_jac(realtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                    N_Vector t2, N_Vector t3) {
  (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
  ls_run *r = ud;
  /* H is symmetric, so its row-major and column-major layouts coincide */
  double *a = SUNDenseMatrix_Data(J);
  ls_status st = ls_objective_hessian(&r->obj, N_VGetArrayPointer(y), a);
  if (st == LS_ERR_COMPUTE) return 1;
  if (st != LS_OK) return -1;
  for (size_t i = 0; i < r->P * r->P; i++) a[i] = -a[i];
  return 0;
}

static int flow_jtimes(N_Vector v, N_Vector Jv, realtype t, N_Vector y, N_Vector fy, void *ud,
                       N_Vector tmp) {
  (void)t, (void)fy, (void)tmp;
  ls_run *r = ud;
  double *out = N_VGetArrayPointer(Jv);
  ls_status st = ls_objective_hvp(&r->obj, N_VGetArrayPointer(y), N_VGetArrayPointer(v), out);
  if (st == LS_ERR_COMPUTE) return 1;
  if (st != LS_OK) return -1;
  for (size_t i = 0; i < r->P; i++) out[i] = -out[i];
  return 0;
}

static void flow_quiet(int code, const char *module, const char *fn, char *msg, void *ud) {
  (void)code, (void)module, (void)fn;
  ls_run *r = ud;
  /* keep CVODE's last message for the result instead of printing it */
  snprintf(r->res->message, sizeof r->res->message, "CVODE: %s", msg);
}

ls_stop_reason ls_flow_run(ls_run *r, double *theta) {
  const ls_train_opts *o = r->opt;
  size_t P = r->P;
  double switch_tol = r->switch_tol;
  int dense = o->flow_linsol == LS_LINSOL_DENSE ||
              (o->flow_linsol == LS_LINSOL_AUTO && P <= o->dense_max_params);
  SUNContext ctx = NULL;
  N_Vector y = NULL, g = NULL;
  SUNMatrix A = NULL;
  SUNLinearSolver LS = NULL;
  void *mem = NULL;
  ls_stop_reason s = LS_STOP_FAIL;
  double t = 0, f;
  if (SUNContext_Create(NULL, &ctx)) return LS_STOP_FAIL;
  y = N_VNew_Serial((sunindextype)P, ctx);
  g = N_VNew_Serial((sunindextype)P, ctx);
  mem = CVodeCreate(CV_BDF, ctx);
  if (!y || !g || !mem) goto done;
  memcpy(N_VGetArrayPointer(y), theta, P * sizeof(double));
  int flag = CVodeInit(mem, flow_rhs, 0.0, y);
  flag |= CVodeSStolerances(mem, o->flow_rtol, o->flow_atol);
  flag |= CVodeSetUserData(mem, r);
  flag |= CVodeSetErrHandlerFn(mem, flow_quiet, r);
  flag |= CVodeSetStopTime(mem, o->flow_tmax);
  if (dense) {
    A = SUNDenseMatrix((sunindextype)P, (sunindextype)P, ctx);
    LS = A ? SUNLinSol_Dense(y, A, ctx) : NULL;
    if (!LS) goto done;
    flag |= CVodeSetLinearSolver(mem, LS, A);
    flag |= CVodeSetJacFn(mem, flow_jac);
  } else {
    LS = SUNLinSol_SPGMR(y, SUN_PREC_NONE, P < 30 ? (int)P : 30, ctx);
    if (!LS) goto done;
    flag |= CVodeSetLinearSolver(mem, LS, NULL);
    flag |= CVodeSetJacTimes(mem, NULL, flow_jtimes);
  }
  if (flag) {
    snprintf(r->res->message, sizeof r->res->message, "CVODE set-up failed");
    goto done;
  }
  double *yd = N_VGetArrayPointer(y), *gd = N_VGetArrayPointer(g);
  ls_status st = ls_objective_grad(&r->obj, yd, &f, gd);
  s = ls_run_observe(r, yd, st == LS_OK ? f : NAN, st == LS_OK ? ls_inf_norm(P, gd) : NAN);
  while (s == LS_STOP_NONE) {
    if (r->phase_iter >= o->first_maxiter) {
      s = LS_STOP_ITERS;
      break;
    }
    flag = CVode(mem, o->flow_tmax, y, &t, CV_ONE_STEP);
    if (flag < 0) {
      int nan = flag == CV_RHSFUNC_FAIL || flag == CV_REPTD_RHSFUNC_ERR ||
                flag == CV_UNREC_RHSFUNC_ERR || flag == CV_FIRST_RHSFUNC_ERR;
      s = nan ? LS_STOP_NAN : (flag == CV_TOO_CLOSE || flag == CV_CONV_FAILURE || flag == CV_ERR_FAILURE) ? LS_STOP_STALL : LS_STOP_FAIL;
      break;
    }
    st = ls_objective_grad(&r->obj, yd, &f, gd);
    double gn = st == LS_OK ? ls_inf_norm(P, gd) : NAN;
    s = ls_run_observe(r, yd, st == LS_OK ? f : NAN, gn);
    if (s == LS_STOP_NONE && gn < switch_tol) s = LS_STOP_SWITCH;
    if (s == LS_STOP_NONE && t >= o->flow_tmax) s = LS_STOP_FLOWTIME;
  }
  memcpy(theta, yd, P * sizeof(double));
done:
  r->res->phase[r->phase].flow_t = t;
  if (mem) CVodeFree(&mem);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
  N_VDestroy(g);
  SUNContext_Free(&ctx);
  return s;
}
