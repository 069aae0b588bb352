/* Batched training on the GPU, one seed per thread block (include/landsym/gpu.h).
 *
 * Network: one hidden layer of h units, din inputs, one output, MSE loss (DESIGN.md layout:
 * W1 (h x din) row-major, b1 (h) if any, a = W2 (1 x h), b2 if any). For sample k,
 *   z_i = W1_i . x_k + b1_i,  s_i = sigma(z_i),  f = sum_i a_i s_i + b2,  r = f - y_k,
 *   L = sum_k w_k r_k^2,  grad L = sum_k 2 w_k r_k J_k  (J_k = d f / d theta),
 *   H = sum_k 2 w_k (J_k J_k^T + r_k d^2 f / d theta^2),
 * where the only non-zero second derivatives of f are, for the same unit i,
 *   d^2 f / dW1_ij dW1_ik = a_i sigma''(z_i) x_j x_k  and  d^2 f / dW1_ij da_i = sigma'(z_i) x_j
 * (x_din = 1 stands for the bias b1_i). The block walks the samples in chunks of NT (one
 * per thread); each thread writes its sample's J, sigma', sigma'' and x to shared memory,
 * then each gradient entry is summed in NT / P interleaved partial sums and each Hessian
 * entry (p <= q) by one thread, each sum owned by one thread and added in a fixed order
 * (deterministic results).
 *
 * Gradient flow d theta/dt = -grad L (Simsek et al. 2021 section 5 and MLPGradientFlow.jl
 * integrate it; the CPU path uses CVODE BDF): the four-stage Rosenbrock method of Shampine
 * (ROS4: order 4, A-stable, embedded order-3 error estimate; Hairer & Wanner, Solving ODEs
 * II, section IV.7) with the exact Jacobian -H, all four stages sharing one factorisation
 * of I + gamma h H (gamma = 1/2), three gradients and one Hessian per step. The error
 * estimate is measured in CVODE's weighted RMS norm with rtol, atol; step factor
 * 0.9 err^(-1/4) within [0.2, 5]. (A second-order Rosenbrock method needs about 10^6
 * steps at rtol 1e-8 on the thesis toy; this one a few thousand.) The small dense systems
 * are solved by LU with partial pivoting across the block.
 *
 * Polish: the CPU's trust-region Newton (src/optim/newton.c; More & Sorensen, solved in
 * the Hessian's eigenbasis, here from cyclic Jacobi rotations across the block), with its
 * acceptance rule: a loss decrease of at least 1e-4 of the predicted one, or, where the
 * loss change is at its rounding level, a lower gradient. */
#ifdef LS_GPU_EMULATE
#include "gpu/gpu_emulate.h" /* one block of one thread on the host (tests/test_gpu_emulate.cpp) */
#else
#include <cuda_runtime.h>
#define NT 128 /* threads per block = samples per chunk */
#define LS_SHARED_ARRAY(name) extern __shared__ double name[]
#endif
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_internal.h"

typedef struct {
  int din, h, b1, b2, act, P, offa;
  int n; /* samples */
  const double *x, *y, *w;
} gnet;

typedef struct {
  int flow, newton;
  double rtol, atol, tmax, switch_tol, grad_tol, noise, h0;
  long flow_max, newton_max;
} gopts;

/* Pointers into the block's shared memory. */
typedef struct {
  double *J, *s1, *s2, *xe, *c, *rr; /* chunk: NT x P, NT x h, NT x h, NT x (din+1), NT, NT */
  double *H, *A;                     /* P x P */
  double *th, *g, *k1, *k2, *k3, *k4, *v, *gt; /* P each */
  double *red, *gpart;               /* NT each: loss partial sums, gradient partial sums */
  int *piv, *perm;                   /* P each: LU row swaps, and the permutation they make */
} blk;

static size_t shared_bytes(int P, int h, int din) {
  size_t d = (size_t)NT * (P + 2 * h + din + 1 + 2) + 2 * (size_t)P * P + 8 * (size_t)P + 2 * NT;
  return d * sizeof(double) + 2 * (size_t)P * sizeof(int);
}

__device__ static blk carve(double *sm, int P, int h, int din) {
  blk b;
  b.J = sm, sm += NT * P;
  b.s1 = sm, sm += NT * h;
  b.s2 = sm, sm += NT * h;
  b.xe = sm, sm += NT * (din + 1);
  b.c = sm, sm += NT;
  b.rr = sm, sm += NT;
  b.H = sm, sm += P * P;
  b.A = sm, sm += P * P;
  b.th = sm, sm += P;
  b.g = sm, sm += P;
  b.k1 = sm, sm += P;
  b.k2 = sm, sm += P;
  b.k3 = sm, sm += P;
  b.k4 = sm, sm += P;
  b.v = sm, sm += P;
  b.gt = sm, sm += P;
  b.red = sm, sm += NT;
  b.gpart = sm, sm += NT;
  b.piv = (int *)sm;
  b.perm = b.piv + P;
  return b;
}

/* sigma, sigma', sigma'' (src/net/act.c). */
__device__ static void act3(int act, double z, double *s, double *d1, double *d2) {
  switch (act) {
    case LS_GPU_ACT_SIGMOID: {
      double e = exp(-fabs(z)), q = 1 / (1 + e), v = z >= 0 ? q : e * q;
      *s = v, *d1 = v * (1 - v), *d2 = v * (1 - v) * (1 - 2 * v);
      break;
    }
    case LS_GPU_ACT_TANH: {
      double t = tanh(z);
      *s = t, *d1 = 1 - t * t, *d2 = -2 * t * (1 - t * t);
      break;
    }
    case LS_GPU_ACT_SOFTPLUS: { /* log(1+e^z), stable; f' = sigmoid */
      double e = exp(-fabs(z)), q = 1 / (1 + e), v = z >= 0 ? q : e * q;
      *s = fmax(z, 0.0) + log1p(e), *d1 = v, *d2 = v * (1 - v);
      break;
    }
    case LS_GPU_ACT_ERF: {
      double p = sqrt(2.0 / M_PI) * exp(-0.5 * z * z);
      *s = erf(z / M_SQRT2), *d1 = p, *d2 = -z * p;
      break;
    }
    case LS_GPU_ACT_GELU: {
      double phi = exp(-0.5 * z * z) / sqrt(2 * M_PI), Phi = 0.5 * erfc(-z / M_SQRT2);
      *s = z * Phi, *d1 = Phi + z * phi, *d2 = (2 - z * z) * phi;
      break;
    }
    default:
      *s = z, *d1 = 1, *d2 = 0;
  }
}

/* Parameter p: kind 0 = incoming weight/bias of unit *u from input *j (j = din: bias),
 * kind 1 = outgoing weight of unit *u, kind 2 = output bias. */
__device__ static int pkind(const gnet &n, int p, int *u, int *j) {
  if (p < n.h * n.din) return *u = p / n.din, *j = p % n.din, 0;
  if (n.b1 && p < n.h * n.din + n.h) return *u = p - n.h * n.din, *j = n.din, 0;
  if (p < n.offa + n.h) return *u = p - n.offa, *j = -1, 1;
  return *u = -1, *j = -1, 2;
}

/* Loss at th (shared, P), gradient into g (shared), and the Hessian into H (shared P x P,
 * full) when H is not NULL. Every thread of the block calls it and gets the loss. */
__device__ static double eval(const gnet &n, const blk &b, const double *th, double *g,
                              double *H) {
  const int tid = threadIdx.x, P = n.P, h = n.h, din = n.din, de = din + 1;
  /* the gradient's sums are split into `parts` interleaved partial sums per entry (thread
   * tid = part * P + p), added in part order at the end */
  const int parts = P < NT ? NT / P : 1;
  b.gpart[tid] = 0;
  if (H)
    for (int e = tid; e < P * P; e += NT) H[e] = 0;
  double lacc = 0;
  const double *a = th + n.offa;
  for (int base = 0; base < n.n; base += NT) {
    const int k = base + tid;
    double *Jk = b.J + tid * P, *s1 = b.s1 + tid * h, *s2 = b.s2 + tid * h, *xe = b.xe + tid * de;
    if (k < n.n) {
      for (int j = 0; j < din; j++) xe[j] = n.x[(size_t)k * din + j];
      xe[din] = 1;
      double f = n.b2 ? th[P - 1] : 0;
      for (int i = 0; i < h; i++) {
        double z = n.b1 ? th[h * din + i] : 0;
        for (int j = 0; j < din; j++) z += th[i * din + j] * xe[j];
        double s, d1, d2;
        act3(n.act, z, &s, &d1, &d2);
        s1[i] = d1, s2[i] = d2;
        f += a[i] * s;
        Jk[n.offa + i] = s;
        double ad = a[i] * d1;
        for (int j = 0; j < din; j++) Jk[i * din + j] = ad * xe[j];
        if (n.b1) Jk[h * din + i] = ad;
      }
      if (n.b2) Jk[P - 1] = 1;
      double r = f - n.y[k], wk = n.w[k];
      lacc += wk * r * r;
      b.c[tid] = 2 * wk, b.rr[tid] = 2 * wk * r;
    }
    __syncthreads();
    const int cnt = n.n - base < NT ? n.n - base : NT;
    if (parts > 1) {
      if (tid < parts * P) {
        const int p = tid % P;
        double acc = 0;
        for (int t = tid / P; t < cnt; t += parts) acc += b.rr[t] * b.J[t * P + p];
        b.gpart[tid] += acc;
      }
    } else {
      for (int p = tid; p < P; p += NT) {
        double acc = 0;
        for (int t = 0; t < cnt; t++) acc += b.rr[t] * b.J[t * P + p];
        g[p] = (base ? g[p] : 0) + acc;
      }
    }
    if (H)
      for (int e = tid; e < P * (P + 1) / 2; e += NT) { /* upper triangle, row by row */
        int p = 0, q = e;
        while (q >= P - p) q -= P - p, p++;
        q += p;
        int up, jp, uq, jq, kp = pkind(n, p, &up, &jp), kq = pkind(n, q, &uq, &jq);
        /* type 1: both incoming to one unit; type 2: incoming and outgoing of one unit */
        int type = 0, u = up, j = jp, jj = jq;
        if (kp == 0 && kq == 0 && up == uq) type = 1;
        else if (kp == 0 && kq == 1 && up == uq) type = 2;
        else if (kp == 1 && kq == 0 && up == uq) type = 2, j = jq;
        double au = type == 1 ? a[u] : 0, acc = 0;
        for (int t = 0; t < cnt; t++) {
          const double *Jt = b.J + t * P;
          double v = b.c[t] * Jt[p] * Jt[q];
          if (type == 1) v += b.rr[t] * au * b.s2[t * h + u] * b.xe[t * de + j] * b.xe[t * de + jj];
          else if (type == 2) v += b.rr[t] * b.s1[t * h + u] * b.xe[t * de + j];
          acc += v;
        }
        H[p * P + q] += acc;
      }
    __syncthreads();
  }
  b.red[tid] = lacc;
  __syncthreads();
  if (parts > 1)
    for (int p = tid; p < P; p += NT) {
      double acc = 0;
      for (int q = 0; q < parts; q++) acc += b.gpart[q * P + p];
      g[p] = acc;
    }
  if (H)
    for (int e = tid; e < P * P; e += NT) {
      int p = e / P, q = e % P;
      if (q < p) H[e] = H[q * P + p];
    }
  double loss = 0;
  for (int t = 0; t < NT; t++) loss += b.red[t]; /* every thread, same order */
  __syncthreads();
  return loss;
}

__device__ static double inf_norm(const double *v, int P) {
  double m = 0;
  for (int p = 0; p < P; p++) {
    double a = fabs(v[p]);
    if (!(a <= m)) m = a; /* NaN propagates */
  }
  return m;
}

__device__ static double dot(const double *u, const double *v, int P) {
  double s = 0;
  for (int p = 0; p < P; p++) s += u[p] * v[p];
  return s;
}

/* LU factorisation of A (P x P, shared) in place across the block: with partial pivoting
 * (pivot = 1), or without, requiring positive pivots (pivot = 0, need_pos = 1: succeeds
 * iff the symmetric A is positive definite), with perm the permutation of its rows.
 * Returns 1 on a zero, negative (need_pos) or non-finite pivot; the same on every thread. */
__device__ static int lu_factor(double *A, int *piv, int *perm, int P, int pivot, int need_pos) {
  const int tid = threadIdx.x;
  for (int k = 0; k < P; k++) {
    int pr = k;
    if (pivot) {
      double best = fabs(A[k * P + k]);
      for (int i = k + 1; i < P; i++)
        if (fabs(A[i * P + k]) > best) best = fabs(A[i * P + k]), pr = i;
    }
    double d = A[pr * P + k];
    int bad = !(fabs(d) > 0) || !isfinite(d) || (need_pos && !(d > 0));
    __syncthreads();
    if (bad) return 1;
    if (pr != k)
      for (int j = tid; j < P; j += NT) {
        double t = A[k * P + j];
        A[k * P + j] = A[pr * P + j], A[pr * P + j] = t;
      }
    if (tid == 0) piv[k] = pr;
    __syncthreads();
    for (int i = k + 1 + tid; i < P; i += NT) A[i * P + k] /= A[k * P + k];
    __syncthreads();
    const int m = P - k - 1;
    for (int e = tid; e < m * m; e += NT) {
      int i = k + 1 + e / m, j = k + 1 + e % m;
      A[i * P + j] -= A[i * P + k] * A[k * P + j];
    }
    __syncthreads();
  }
  if (tid == 0) { /* perm[i]: the row of the original matrix that ended in row i */
    for (int i = 0; i < P; i++) perm[i] = i;
    for (int k = 0; k < P; k++) {
      int t = perm[k];
      perm[k] = perm[piv[k]], perm[piv[k]] = t;
    }
  }
  __syncthreads();
  return 0;
}

/* x = A^{-1} b with the factors of lu_factor (x, b in shared memory, may not alias):
 * gather by the row permutation, then forward and back substitution column by column,
 * each column's updates spread over the threads (one barrier per column). */
__device__ static void lu_solve(const double *A, const int *perm, int P, const double *b,
                                double *x) {
  const int tid = threadIdx.x;
  for (int i = tid; i < P; i += NT) x[i] = b[perm[i]];
  __syncthreads();
  for (int j = 0; j < P - 1; j++) { /* L unit lower triangular */
    for (int i = j + 1 + tid; i < P; i += NT) x[i] -= A[i * P + j] * x[j];
    __syncthreads();
  }
  for (int j = P - 1; j > 0; j--) { /* U: x_j = y_j / U_jj is final once column j is reached */
    const double xj = x[j] / A[j * P + j];
    for (int i = tid; i < j; i += NT) x[i] -= A[i * P + j] * xj;
    __syncthreads();
  }
  for (int i = tid; i < P; i += NT) x[i] /= A[i * P + i];
  __syncthreads();
}

__device__ static void copy(double *dst, const double *src, int P) {
  for (int p = threadIdx.x; p < P; p += NT) dst[p] = src[p];
  __syncthreads();
}

/* M x = gamma h (c0 (-gt) + sum_i ci gi / h) into x: the right-hand side of a ROS4 stage
 * (rhs built in v, then solved with the factors in A). */
__device__ static void stage(const gnet &n, const blk &b, double gh, double hs, double c1,
                             const double *g1, double c2, const double *g2, double c3,
                             const double *g3, double *x) {
  for (int p = threadIdx.x; p < n.P; p += NT) {
    double r = -b.gt[p];
    if (g1) r += c1 * g1[p] / hs;
    if (g2) r += c2 * g2[p] / hs;
    if (g3) r += c3 * g3[p] / hs;
    b.v[p] = gh * r;
  }
  __syncthreads();
  lu_solve(b.A, b.perm, n.P, b.v, x);
}

/* Gradient flow by ROS4 from th (f, g, H current). Returns the stop reason. */
__device__ static ls_stop_reason flow(const gnet &n, const gopts &o, const blk &b, double *f,
                                      double *gn, long *steps, double *tout) {
  /* Shampine's ROS4 parameters (Hairer & Wanner, Solving ODEs II, section IV.7, Table 7.2;
   * Press et al., Numerical Recipes section 16.6): order 4, embedded order 3. */
  const double gam = 0.5, a21 = 2, a31 = 48.0 / 25, a32 = 6.0 / 25, c21 = -8, c31 = 372.0 / 25,
               c32 = 12.0 / 5, c41 = -112.0 / 125, c42 = -54.0 / 125, c43 = -2.0 / 5,
               b1 = 19.0 / 9, b2 = 0.5, b3 = 25.0 / 108, b4 = 125.0 / 108, e1 = 17.0 / 54,
               e2 = 7.0 / 36, e4 = 125.0 / 108;
  const int P = n.P, tid = threadIdx.x;
  const double tol = o.newton ? fmax(o.switch_tol, o.grad_tol) : o.grad_tol;
  double t = 0, hs = o.h0;
  long attempts = 0;
  ls_stop_reason stop = LS_STOP_NONE;
  for (;;) {
    if (*gn < o.grad_tol) { stop = LS_STOP_GRAD; break; }
    if (*gn < tol) { stop = LS_STOP_SWITCH; break; }
    if (*steps >= o.flow_max || attempts >= 20 * o.flow_max) { stop = LS_STOP_ITERS; break; }
    if (t >= o.tmax) { stop = LS_STOP_FLOWTIME; break; }
    if (!(hs > 1e-300)) { stop = LS_STOP_FAIL; break; }
    attempts++;
    const double gh = gam * hs;
    for (int e = tid; e < P * P; e += NT) b.A[e] = gh * b.H[e] + (e / P == e % P ? 1.0 : 0.0);
    for (int p = tid; p < P; p += NT) b.gt[p] = b.g[p];
    __syncthreads();
    if (lu_factor(b.A, b.piv, b.perm, P, 1, 0)) { hs *= 0.25; continue; }
    stage(n, b, gh, hs, 0, NULL, 0, NULL, 0, NULL, b.k1);
    for (int p = tid; p < P; p += NT) b.k4[p] = b.th[p] + a21 * b.k1[p];
    __syncthreads();
    double fs = eval(n, b, b.k4, b.gt, NULL);
    if (!isfinite(fs) || !isfinite(inf_norm(b.gt, P))) { hs *= 0.25; continue; }
    stage(n, b, gh, hs, c21, b.k1, 0, NULL, 0, NULL, b.k2);
    for (int p = tid; p < P; p += NT) b.k4[p] = b.th[p] + a31 * b.k1[p] + a32 * b.k2[p];
    __syncthreads();
    fs = eval(n, b, b.k4, b.gt, NULL);
    if (!isfinite(fs) || !isfinite(inf_norm(b.gt, P))) { hs *= 0.25; continue; }
    stage(n, b, gh, hs, c31, b.k1, c32, b.k2, 0, NULL, b.k3);
    stage(n, b, gh, hs, c41, b.k1, c42, b.k2, c43, b.k3, b.k4);
    double err = 0;
    for (int p = 0; p < P; p++) {
      double est = e1 * b.k1[p] + e2 * b.k2[p] + e4 * b.k4[p];
      double wt = o.atol + o.rtol * fabs(b.th[p]);
      err += (est / wt) * (est / wt);
    }
    err = sqrt(err / P);
    if (!isfinite(err)) { hs *= 0.25; continue; }
    if (err <= 1) {
      __syncthreads(); /* everyone has read th */
      for (int p = tid; p < P; p += NT)
        b.v[p] = b.th[p] + b1 * b.k1[p] + b2 * b.k2[p] + b3 * b.k3[p] + b4 * b.k4[p];
      __syncthreads();
      double f1 = eval(n, b, b.v, b.gt, b.H);
      double g1 = inf_norm(b.gt, P);
      if (!isfinite(f1) || !isfinite(g1)) { stop = LS_STOP_NAN; break; }
      copy(b.th, b.v, P);
      copy(b.g, b.gt, P);
      *f = f1, *gn = g1, t += hs, (*steps)++;
    }
    double fac = err > 0 ? 0.9 * pow(err, -0.25) : 5;
    hs *= fmin(5.0, fmax(0.2, fac));
  }
  *tout = t;
  return stop;
}

/* Eigen-decomposition of the symmetric a (P x P, destroyed) by cyclic Jacobi rotations
 * (Golub & Van Loan, Matrix Computations, section 8.5) across the block: each rotation's
 * row and column updates are spread over the threads. lam ascending, V (row-major) with
 * the eigenvectors as columns. Every thread calls it. */
__device__ static void jacobi_eig(double *a, int P, double *lam, double *V) {
  const int tid = threadIdx.x;
  for (int e = tid; e < P * P; e += NT) V[e] = e / P == e % P;
  __syncthreads();
  for (int sweep = 0; sweep < 60; sweep++) {
    double off = 0, all = 0; /* every thread, same order */
    for (int i = 0; i < P; i++)
      for (int j = 0; j < P; j++) {
        double x = a[i * P + j] * a[i * P + j];
        all += x;
        if (i != j) off += x;
      }
    if (!(off > 1e-34 * all)) break;
    for (int p = 0; p < P - 1; p++)
      for (int q = p + 1; q < P; q++) {
        double apq = a[p * P + q];
        if (apq == 0) continue;
        /* rotation R (R_pp = R_qq = c, R_pq = s, R_qp = -s) that zeroes a_pq in R^T A R */
        double th = (a[q * P + q] - a[p * P + p]) / (2 * apq);
        double t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1));
        double c = 1 / sqrt(t * t + 1), sn = t * c;
        __syncthreads(); /* everyone has read a_pp, a_pq, a_qq */
        for (int k = tid; k < P; k += NT) { /* columns p, q of A and of V */
          double akp = a[k * P + p], akq = a[k * P + q];
          a[k * P + p] = c * akp - sn * akq, a[k * P + q] = sn * akp + c * akq;
          double vp = V[k * P + p], vq = V[k * P + q];
          V[k * P + p] = c * vp - sn * vq, V[k * P + q] = sn * vp + c * vq;
        }
        __syncthreads();
        for (int k = tid; k < P; k += NT) { /* rows p, q; the zeroed pair exactly 0 */
          double apk = a[p * P + k], aqk = a[q * P + k];
          a[p * P + k] = k == q ? 0 : c * apk - sn * aqk;
          a[q * P + k] = k == p ? 0 : sn * apk + c * aqk;
        }
        __syncthreads();
      }
  }
  if (tid == 0) {
    for (int i = 0; i < P; i++) lam[i] = a[i * P + i];
    for (int i = 0; i < P - 1; i++) { /* selection sort, ascending */
      int m = i;
      for (int j = i + 1; j < P; j++)
        if (lam[j] < lam[m]) m = j;
      if (m == i) continue;
      double t = lam[i];
      lam[i] = lam[m], lam[m] = t;
      for (int k = 0; k < P; k++) {
        t = V[k * P + i];
        V[k * P + i] = V[k * P + m], V[k * P + m] = t;
      }
    }
  }
  __syncthreads();
}

/* ||p(mu)|| with p_i = -gt_i / (lambda_i + mu) (src/optim/newton.c, tr_norm). */
__device__ static double tr_norm(const double *gt, const double *lam, int P, double mu) {
  double s = 0;
  for (int i = 0; i < P; i++) {
    double d = gt[i] / (lam[i] + mu);
    s += d * d;
  }
  return sqrt(s);
}

__device__ static double norm2(const double *v, int P) { return sqrt(dot(v, v, P)); }

/* Trust-region step of radius delta in the eigenbasis into pt (More & Sorensen; the CPU
 * Newton's tr_step, src/optim/newton.c); returns the predicted decrease of the quadratic
 * model. cut: eigenvalues with |lambda| <= cut count as 0. One thread. */
__device__ static double tr_step(const double *gt, const double *lam, int P, double delta,
                                 double cut, double *pt) {
  double lmin = lam[0];
  int interior = 0;
  if (lmin >= -cut) { /* Newton step, pseudo-inverse over the numerically null directions */
    for (int i = 0; i < P; i++) pt[i] = lam[i] > cut ? -gt[i] / lam[i] : 0;
    interior = norm2(pt, P) <= delta;
  }
  if (!interior) {
    double lo = fmax(0.0, -lmin), gnorm = norm2(gt, P);
    double hi = lo + gnorm / delta + cut;
    if (tr_norm(gt, lam, P, lo + cut) <= delta) { /* hard case */
      double mu = lo + cut;
      for (int i = 0; i < P; i++) pt[i] = -gt[i] / (lam[i] + mu);
      double n2 = norm2(pt, P), tau = sqrt(fmax(0.0, delta * delta - n2 * n2));
      pt[0] += gt[0] > 0 ? -tau : tau;
    } else {
      for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
        double mid = 0.5 * (lo + hi);
        if (tr_norm(gt, lam, P, mid) > delta) lo = mid;
        else hi = mid;
      }
      for (int i = 0; i < P; i++) pt[i] = -gt[i] / (lam[i] + hi);
    }
  }
  double pred = 0;
  for (int i = 0; i < P; i++) pred -= gt[i] * pt[i] + 0.5 * lam[i] * pt[i] * pt[i];
  return pred;
}

/* Trust-region Newton on the exact Hessian from th (f, g, H current) to gradient inf-norm
 * grad_tol: the CPU Newton's algorithm (src/optim/newton.c, minimisation mode) with its
 * acceptance rule, radius updates and rejection limit. */
__device__ static ls_stop_reason newton(const gnet &n, const gopts &o, const blk &b, double *f,
                                        double *gn, long *iters) {
  const int P = n.P, tid = threadIdx.x;
  double *V = b.A, *lam = b.k3, *gt = b.k4, *pt = b.v, *p = b.k1, *trial = b.k2;
  double delta = 1.0;
  for (;;) {
    if (*gn < o.grad_tol) return LS_STOP_GRAD;
    if (*iters >= o.newton_max) return LS_STOP_ITERS;
    (*iters)++;
    jacobi_eig(b.H, P, lam, V);
    for (int j = tid; j < P; j += NT) {
      double s = 0;
      for (int i = 0; i < P; i++) s += V[i * P + j] * b.g[i];
      gt[j] = s;
    }
    __syncthreads();
    double lmax = fmax(fabs(lam[0]), fabs(lam[P - 1]));
    double cut = 16 * DBL_EPSILON * lmax;
    int accepted = 0;
    for (int rej = 0; !accepted; rej++) {
      if (rej >= 40 || delta < 1e-300 || !isfinite(lmax)) return LS_STOP_STALL;
      __syncthreads(); /* everyone has read the last trial */
      if (tid == 0) {
        b.red[0] = tr_step(gt, lam, P, delta, cut, pt);
        for (int i = 0; i < P; i++) {
          double s = 0;
          for (int j = 0; j < P; j++) s += V[i * P + j] * pt[j];
          p[i] = s;
        }
      }
      __syncthreads();
      double pred = b.red[0], pn = norm2(p, P);
      for (int i = tid; i < P; i += NT) trial[i] = b.th[i] + p[i];
      __syncthreads();
      double ft = eval(n, b, trial, b.gt, NULL), gnt = inf_norm(b.gt, P);
      if (!isfinite(ft) || !isfinite(gnt)) {
        delta = 0.25 * pn;
        continue;
      }
      double ared = *f - ft, noise = o.noise + 8 * DBL_EPSILON * (fabs(*f) + fabs(ft));
      double rho = ared / fmax(pred, 1e-300);
      if (fabs(ared) <= noise) {
        accepted = gnt < *gn; /* the loss cannot tell: judge by the gradient */
        if (!accepted) delta = 0.25 * pn;
      } else if (ared < 0 && -ared <= 1e-9 * fabs(*f) && gnt < 0.5 * *gn) {
        accepted = 1;
      } else {
        accepted = rho > 1e-4;
        if (rho < 0.25) delta = 0.25 * pn;
        else if (rho > 0.75 && pn > 0.99 * delta) delta = fmin(2 * delta, 1e10);
      }
    }
    copy(b.th, trial, P);
    *f = eval(n, b, b.th, b.g, b.H);
    *gn = inf_norm(b.g, P);
    if (!isfinite(*f) || !isfinite(*gn)) return LS_STOP_NAN;
  }
}

__global__ static void __launch_bounds__(NT, 5) train_kernel(gnet n, gopts o, double *theta, ls_gpu_result *out) {
  LS_SHARED_ARRAY(sm);
  const int P = n.P;
  blk b = carve(sm, P, n.h, n.din);
  double *th_g = theta + (size_t)blockIdx.x * P;
  for (int p = threadIdx.x; p < P; p += NT) b.th[p] = th_g[p];
  __syncthreads();
  double f = eval(n, b, b.th, b.g, b.H), gn = inf_norm(b.g, P), t = 0;
  long steps = 0, iters = 0;
  ls_stop_reason stop = LS_STOP_NONE;
  if (!isfinite(f) || !isfinite(gn)) stop = LS_STOP_NAN;
  if (stop == LS_STOP_NONE && o.flow) stop = flow(n, o, b, &f, &gn, &steps, &t);
  if (o.newton && (stop == LS_STOP_NONE || stop == LS_STOP_SWITCH || stop == LS_STOP_ITERS ||
                   stop == LS_STOP_FLOWTIME))
    stop = newton(n, o, b, &f, &gn, &iters);
  else if (stop == LS_STOP_NONE)
    stop = gn < o.grad_tol ? LS_STOP_GRAD : LS_STOP_ITERS;
  if (stop == LS_STOP_SWITCH) stop = LS_STOP_ITERS;
  for (int p = threadIdx.x; p < P; p += NT) th_g[p] = b.th[p];
  if (threadIdx.x == 0) {
    ls_gpu_result *r = out + blockIdx.x;
    r->loss = f, r->grad_inf = gn, r->stop = stop;
    r->flow_steps = steps, r->newton_iters = iters, r->flow_t = t;
  }
}

__global__ static void eval_kernel(gnet n, const double *theta, double *loss, double *grad,
                                   double *hess) {
  LS_SHARED_ARRAY(sm);
  const int P = n.P;
  blk b = carve(sm, P, n.h, n.din);
  for (int p = threadIdx.x; p < P; p += NT) b.th[p] = theta[(size_t)blockIdx.x * P + p];
  __syncthreads();
  double f = eval(n, b, b.th, b.g, hess ? b.H : NULL);
  for (int p = threadIdx.x; p < P; p += NT) grad[(size_t)blockIdx.x * P + p] = b.g[p];
  if (hess)
    for (int e = threadIdx.x; e < P * P; e += NT) hess[(size_t)blockIdx.x * P * P + e] = b.H[e];
  if (threadIdx.x == 0) loss[blockIdx.x] = f;
}

/* ---- host side ------------------------------------------------------------------------ */
#ifndef LS_GPU_EMULATE

static ls_status cuda_fail(ls_error *err, cudaError_t e, const char *what) {
  return ls_error_set(err, LS_ERR_COMPUTE, "GPU: %s: %s", what, cudaGetErrorString(e));
}

extern "C" int ls_gpu_device_count(char *msg, size_t len) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n < 1) {
    if (msg && len)
      snprintf(msg, len, "no CUDA device: %s",
               e != cudaSuccess ? cudaGetErrorString(e) : "none found");
    return 0;
  }
  if (msg && len) {
    cudaDeviceProp pr;
    if (cudaGetDeviceProperties(&pr, 0) == cudaSuccess)
      snprintf(msg, len, "%s (%d multiprocessors)", pr.name, pr.multiProcessorCount);
    else
      snprintf(msg, len, "CUDA device 0");
  }
  return n;
}

/* Device copies of the data (x, y, w with w = 1/n when the data set has none) and the
 * network description; freed by dev_free. */
typedef struct {
  gnet n;
  double *x, *y, *w;
  size_t smem;
} dev_data;

static void dev_free(dev_data *dd) {
  cudaFree(dd->x), cudaFree(dd->y), cudaFree(dd->w);
  memset(dd, 0, sizeof *dd);
}

static ls_status dev_setup(const ls_net *net, const ls_data *d, dev_data *dd, ls_error *err) {
  memset(dd, 0, sizeof *dd);
  ls_status s = ls_gpu_check(net, d, NULL, err);
  if (s) return s;
  char msg[256];
  if (ls_gpu_device_count(msg, sizeof msg) < 1)
    return ls_error_set(err, LS_ERR_COMPUTE, "GPU: %s", msg);
  gnet &n = dd->n;
  n.din = net->width[0], n.h = net->width[1], n.b1 = net->bias[1], n.b2 = net->bias[2];
  n.act = ls_gpu_act_code(net->act[1].kind);
  n.P = (int)ls_net_nparams(net);
  n.offa = n.h * n.din + (n.b1 ? n.h : 0);
  n.n = (int)d->n;
  size_t N = d->n;
  double *w = (double *)malloc(N * sizeof *w);
  if (!w) return ls_error_set(err, LS_ERR_NOMEM, "GPU: out of memory for %zu weights", N);
  for (size_t k = 0; k < N; k++) w[k] = ls_data_weight(d, k);
  cudaError_t e;
  if ((e = cudaMalloc(&dd->x, N * n.din * sizeof(double))) != cudaSuccess ||
      (e = cudaMalloc(&dd->y, N * sizeof(double))) != cudaSuccess ||
      (e = cudaMalloc(&dd->w, N * sizeof(double))) != cudaSuccess ||
      (e = cudaMemcpy(dd->x, d->x, N * n.din * sizeof(double), cudaMemcpyHostToDevice)) ||
      (e = cudaMemcpy(dd->y, d->y, N * sizeof(double), cudaMemcpyHostToDevice)) ||
      (e = cudaMemcpy(dd->w, w, N * sizeof(double), cudaMemcpyHostToDevice))) {
    free(w);
    dev_free(dd);
    return cuda_fail(err, e, "copying the data to the device");
  }
  free(w);
  n.x = dd->x, n.y = dd->y, n.w = dd->w;
  dd->smem = shared_bytes(n.P, n.h, n.din);
  return LS_OK;
}

static ls_status set_smem(const void *kernel, size_t smem, ls_error *err) {
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       (int)smem);
  return e == cudaSuccess ? LS_OK : cuda_fail(err, e, "shared memory of the kernel");
}

extern "C" ls_status ls_gpu_eval(const ls_net *net, const ls_data *d, size_t n,
                                 const double *theta, double *loss, double *grad, double *hess,
                                 ls_error *err) {
  dev_data dd;
  ls_status s = dev_setup(net, d, &dd, err);
  if (s) return s;
  const size_t P = (size_t)dd.n.P;
  double *dth = NULL, *dl = NULL, *dg = NULL, *dh = NULL;
  cudaError_t e;
  if ((e = cudaMalloc(&dth, n * P * sizeof(double))) || (e = cudaMalloc(&dl, n * sizeof(double))) ||
      (e = cudaMalloc(&dg, n * P * sizeof(double))) ||
      (hess && (e = cudaMalloc(&dh, n * P * P * sizeof(double)))) ||
      (e = cudaMemcpy(dth, theta, n * P * sizeof(double), cudaMemcpyHostToDevice))) {
    s = cuda_fail(err, e, "device memory");
    goto done;
  }
  if ((s = set_smem((const void *)eval_kernel, dd.smem, err))) goto done;
  eval_kernel<<<(unsigned)n, NT, dd.smem>>>(dd.n, dth, dl, dg, dh);
  if ((e = cudaGetLastError()) || (e = cudaDeviceSynchronize())) {
    s = cuda_fail(err, e, "evaluation kernel");
    goto done;
  }
  if ((e = cudaMemcpy(loss, dl, n * sizeof(double), cudaMemcpyDeviceToHost)) ||
      (e = cudaMemcpy(grad, dg, n * P * sizeof(double), cudaMemcpyDeviceToHost)) ||
      (hess && (e = cudaMemcpy(hess, dh, n * P * P * sizeof(double), cudaMemcpyDeviceToHost))))
    s = cuda_fail(err, e, "copying results back");
done:
  cudaFree(dth), cudaFree(dl), cudaFree(dg), cudaFree(dh);
  dev_free(&dd);
  return s;
}

extern "C" ls_status ls_gpu_train(const ls_net *net, const ls_data *d,
                                  const ls_train_opts *opts, size_t n, double *theta,
                                  ls_gpu_result *out, ls_error *err) {
  ls_status s = ls_gpu_check(net, d, opts, err);
  if (s) return s;
  if (n == 0) return LS_OK;
  dev_data dd;
  if ((s = dev_setup(net, d, &dd, err))) return s;
  gopts o;
  o.flow = opts->first == LS_FIRST_FLOW;
  o.newton = opts->polish == LS_POLISH_NEWTON;
  o.rtol = opts->flow_rtol, o.atol = opts->flow_atol, o.tmax = opts->flow_tmax;
  o.switch_tol = opts->switch_grad_tol, o.grad_tol = opts->grad_tol;
  o.noise = ls_gpu_loss_noise(net, d);
  o.h0 = 1e-4;
  o.flow_max = (long)opts->first_maxiter, o.newton_max = (long)opts->polish_maxiter;
  const size_t P = (size_t)dd.n.P;
  double *dth = NULL;
  ls_gpu_result *dout = NULL;
  cudaError_t e;
  if ((e = cudaMalloc(&dth, n * P * sizeof(double))) ||
      (e = cudaMalloc(&dout, n * sizeof(ls_gpu_result))) ||
      (e = cudaMemcpy(dth, theta, n * P * sizeof(double), cudaMemcpyHostToDevice))) {
    s = cuda_fail(err, e, "device memory");
    goto done;
  }
  if ((s = set_smem((const void *)train_kernel, dd.smem, err))) goto done;
  train_kernel<<<(unsigned)n, NT, dd.smem>>>(dd.n, o, dth, dout);
  if ((e = cudaGetLastError()) || (e = cudaDeviceSynchronize())) {
    s = cuda_fail(err, e, "training kernel");
    goto done;
  }
  if ((e = cudaMemcpy(theta, dth, n * P * sizeof(double), cudaMemcpyDeviceToHost)) ||
      (e = cudaMemcpy(out, dout, n * sizeof(ls_gpu_result), cudaMemcpyDeviceToHost)))
    s = cuda_fail(err, e, "copying results back");
done:
  cudaFree(dth), cudaFree(dout);
  dev_free(&dd);
  return s;
}
#endif /* LS_GPU_EMULATE */
