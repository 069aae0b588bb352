"""Paths in the landscape (include/landsym/paths.h): the nearest symmetry-induced saddle of
a trained point (thesis section 6.3.2) and loss slices along a segment.

    s = landsym.paths.saddle(net, data, theta)   # {"saddle", "saddle_loss", "distance", ...}
    t, L = landsym.paths.slice_1d(net, data, a, b, n=101)
"""
import numpy as np

from ._core import as_array, check, cstr, ffi, lib, ptr
from .net import Net

__all__ = ["saddle", "slice_1d", "path"]


def _point(net, theta, name):
    theta = as_array(theta, (net.n_params,), name)
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(theta), net.n_params, name.encode(), err), err)
    return theta


def _vec(p, n):
    return np.frombuffer(ffi.buffer(p, 8 * n), dtype=np.float64).copy() if n else np.empty(0)


def _inertia(i):
    return {"neg": i.neg, "zero": i.zero, "pos": i.pos}


def saddle(net, data, theta, layer=1, mu=None, **options):
    """The symmetry-induced saddle nearest to theta (ls_saddle_find): the two closest units
    of hidden layer `layer` (1-based) merged under a growing penalty, the reduced network
    re-optimised by Newton to a critical point and duplicated back onto the saddle line
    with the split mu nearest to theta (or the given mu). Returns the saddle point, its
    loss, gradient, Hessian eigenvalues and inertia (measured and predicted by the split
    test), the distance from theta, and the reduced critical point. Options: lambda_min,
    lambda_max, lambda_steps, grad_tol, eig_tol (include/landsym/paths.h)."""
    theta = _point(net, theta, "theta")
    o = ffi.new("ls_saddle_opts *")
    lib.ls_saddle_opts_default(o)
    o.layer = int(layer) - 1
    if mu is not None:
        o.mu = float(mu)
    for k, v in options.items():
        if k not in ("lambda_min", "lambda_max", "lambda_steps", "grad_tol", "eig_tol"):
            raise TypeError("saddle: unknown option '%s'" % k)
        setattr(o, k, int(v) if k == "lambda_steps" else float(v))
    r = ffi.new("ls_saddle_result *")
    err = ffi.new("ls_error *")
    d = data._ptr()
    keep = data._keep  # noqa: F841
    try:
        with data._lock:
            check(lib.ls_saddle_find(net._net, d, ptr(theta), o, r, err), err)
        rn = Net._wrap(ffi.addressof(r, "reduced_net"))
        P = net.n_params
        return {"saddle": _vec(r.saddle, P), "saddle_loss": r.saddle_loss,
                "saddle_grad": r.saddle_grad, "start_loss": r.start_loss,
                "distance": r.distance, "mu": r.mu, "pair": (r.l, r.m),
                "pair_distance": r.pair_distance, "eigs": _vec(r.eig_saddle, P),
                "inertia": _inertia(r.inertia), "predicted_inertia": _inertia(r.predicted),
                "start_degenerate": bool(r.start_degenerate), "reduced_net": rn,
                "reduced": _vec(r.reduced, rn.n_params), "reduced_loss": r.reduced_loss,
                "reduced_grad": r.reduced_grad}
    finally:
        lib.ls_saddle_result_free(r)


def slice_1d(net, data, a, b, tmin=0.0, tmax=1.0, n=101):
    """(t, loss(a + t (b - a))) at n values of t from tmin to tmax."""
    a = _point(net, a, "a")
    b = _point(net, b, "b")
    n = int(n)
    if n < 1:
        raise ValueError("n: must be >= 1, got %d" % n)
    t = np.empty(n)
    L = np.empty(n)
    err = ffi.new("ls_error *")
    check(lib.ls_slice_1d(net._net, data._ptr(), ptr(a), ptr(b), float(tmin), float(tmax), n,
                          ptr(t), ptr(L), err), err)
    return t, L


# ---- permutation paths (exp_path.h; Brea et al. 2019, section 2.1, Algorithm 1) ----------

_PAIRS = {"all": 1, "cosine": 2}


def _path_opts(layer, pair, steps, dmin, maxeval, lagrangian, distance, out_bound, plot):
    o = ffi.new("ls_exp_path_opts *")
    lib.ls_exp_path_opts_default(o)
    o.layer = int(layer)
    if isinstance(pair, str):
        if pair not in _PAIRS:
            raise ValueError("path: pair: expected (l, m), 'all' or 'cosine', got %r" % pair)
        o.pairs = _PAIRS[pair]
    else:
        try:
            l, m = (int(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError("path: pair: expected (l, m), 'all' or 'cosine', got %r"
                             % (pair,)) from None
        o.pairs, o.l, o.m = lib.LS_EXP_PATH_ONE, l, m
    for name, v, lo in (("steps", steps, 1), ("maxeval", maxeval, 1)):
        if v is not None:
            if int(v) < lo:
                raise ValueError("path: %s: must be >= %d, got %d" % (name, lo, int(v)))
            setattr(o, name, int(v))
    if dmin is not None:
        if not 0 < float(dmin) < 1:
            raise ValueError("path: dmin: must be in (0, 1), got %r" % (dmin,))
        o.dmin = float(dmin)
    o.lagrangian = int(bool(lagrangian))
    if distance is not None:
        if distance not in ("abs", "rel"):
            raise ValueError("path: distance: 'abs' or 'rel', got %r" % (distance,))
        o.distance = 1 if distance == "rel" else 0
    if out_bound is not None:
        if not float(out_bound) >= 0:
            raise ValueError("path: out_bound: must be >= 0, got %r" % (out_bound,))
        o.out_bound = float(out_bound)
    o.plot = int(bool(plot))
    return o


def _full(net, q, layer):
    """The full path (first half, apex, mirrored half; ls_path_mirror): s, d, loss."""
    p = q.p
    N, n = int(lib.ls_path_full_len(ffi.addressof(q, "p"))), p.n
    full, s = ffi.new("double **"), ffi.new("double **")
    err = ffi.new("ls_error *")
    check(lib.ls_path_mirror(net._net, ffi.addressof(q, "p"), layer, q.l, q.m, full, s, err),
          err)
    try:
        sv = _vec(s[0], N)
        params = _vec(full[0], N * p.P).reshape(N, p.P)
    finally:
        lib.lsp_free(full[0])
        lib.lsp_free(s[0])
    # row i of the full path is point i of the first half, then point N-1-i mirrored (the
    # apex row, n, is filled below), as path_L_M.csv is written
    src = np.array([i if i < n else min(N - 1 - i, n - 1) for i in range(N)])
    apex = np.zeros(N, dtype=bool)
    if p.has_apex:
        apex[n] = True
    d, loss = _vec(p.d, n)[src], _vec(p.loss, n)[src]
    d[apex] = 0.0
    if p.has_apex:
        loss[n] = p.apex_loss
    return {"s": sv, "d": d, "loss": loss, "params": params,
            "half": (np.arange(N) > (n if p.has_apex else n - 1)).astype(np.int64)}


def _pair(net, q, layer):
    p = q.p
    n, P = p.n, p.P
    out = {"pair": (q.l, q.m), "layer": layer, "relative": bool(p.relative), "d0": p.d0,
           "d": _vec(p.d, n), "distance": _vec(p.dist, n), "lambda": _vec(getattr(p, "lambda"), n),
           "loss": _vec(p.loss, n), "grad_norm": _vec(p.grad_norm, n),
           "params": _vec(p.params, n * P).reshape(n, P), "barrier": p.barrier,
           "argmax": p.argmax, "max_at_end": bool(p.max_at_end), "evals": int(p.evals),
           "has_apex": bool(p.has_apex), "end_matches": bool(lib.ls_exp_path_end_matches(
               ffi.addressof(q, "p"))), "max_loss": lib.ls_exp_path_max_loss(
               ffi.addressof(q, "p")), "seconds": q.seconds,
           "partner_loss": q.mirror_end_loss, "dipole": q.dipole}
    if p.has_apex:
        out.update(apex=_vec(p.apex, P), apex_loss=p.apex_loss, apex_grad=p.apex_grad,
                   apex_move=p.apex_move, certificate=cstr(lib.ls_cert_kind_name(q.cert.kind)),
                   certificate_grad=q.cert.grad_inf)
    if q.pp_done:
        out.update(pp_grad=q.pp_grad, pp_inertia=_inertia(q.pp_inertia))
    out["full"] = _full(net, q, layer)
    return out


def path(config, pair=(0, 1), params=None, layer=1, steps=None, dmin=None, maxeval=None,
         lagrangian=False, distance=None, out_bound=None, out=None, plot=False,
         threads=None):
    """The permutation path between two units of hidden layer `layer` (1-based) of the
    config's student (ls_exp_path_run, as `landsym path`; Brea et al. 2019, section 2.1,
    Algorithm 1): the distance d between the incoming weights of units l and m goes from d0
    down to dmin d0 with every other parameter re-optimised, then to the permutation point
    d = 0 (the apex); the second half mirrors the first to the partner minimum.

    config: a Config, a path, 'builtin:NAME' or a dict. pair: (l, m) (0-based), 'all' or
    'cosine'. params: the start point (a float64 array of the student's size, a .npy/.json
    file, or None / 'teacher' for the teacher). steps, dmin, maxeval: the schedule (None:
    the config's path section, else 200, 1e-4, 1000); distance 'abs' / 'rel'; out_bound
    kappa. out: where the files of `landsym path --out` go (None: a temporary folder).
    threads: BLAS threads for the call (None: as they are). The re-optimised permutation
    point's last digits depend on the BLAS thread count (as with the command line, whose
    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set it).

    Returns for one pair (a list for 'all' and 'cosine') a dict of numpy arrays over the
    first half, d, distance, lambda, loss, grad_norm, params (rows), and barrier (max loss
    - loss at the start, the apex counted), d0, apex, apex_loss, certificate,
    partner_loss, and "full": the whole path {s, d, loss, params, half}, whose last point
    is the partner minimum."""
    from .config import Config
    own = not isinstance(config, Config)
    cfg = Config(config) if own else config
    try:
        if threads is not None:
            ctx = ffi.new("ls_ctx *", lib.ls_ctx_threads(int(threads)))
            ctx.blas_threads = int(threads)
            lib.ls_ctx_apply_blas(ctx)
        return _path_on(cfg, pair, params, layer, steps, dmin, maxeval, lagrangian,
                        distance, out_bound, out, plot)
    finally:
        if own:
            cfg.close()


def _path_on(cfg, pair, params, layer, steps, dmin, maxeval, lagrangian, distance,
             out_bound, out, plot):
    import os
    import tempfile
    cfg._check_open()
    o = _path_opts(layer, pair, steps, dmin, maxeval, lagrangian, distance, out_bound, plot)
    with tempfile.TemporaryDirectory(prefix="landsym-path-") as tmp:
        keep = []
        if params is None or isinstance(params, str) and params == "teacher":
            o.params = ffi.NULL
        elif isinstance(params, (str, os.PathLike)):
            keep.append(ffi.new("char[]", os.fsencode(params)))
            o.params = keep[-1]
        else:
            theta = _point(cfg.student, params, "params")
            f = ffi.new("char[]", os.fsencode(os.path.join(tmp, "start.npy")))
            err = ffi.new("ls_error *")
            check(lib.ls_params_write(f, ptr(theta), cfg.student.n_params, err), err)
            keep.append(f)
            o.params = f
        keep.append(ffi.new("char[]", os.fsencode(out if out is not None else
                                                  os.path.join(tmp, "out"))))
        o.out_dir = keep[-1]
        r = ffi.new("ls_exp_path_result *")
        err = ffi.new("ls_error *")
        with cfg._lock:
            check(lib.ls_exp_path_run(cfg._cfg, o, r, err), err)
        try:
            rows = [_pair(cfg.student, r.pairs[i], r.layer) for i in range(r.n)]
        finally:
            lib.ls_exp_path_result_free(r)
    return rows[0] if o.pairs == lib.LS_EXP_PATH_ONE else rows
