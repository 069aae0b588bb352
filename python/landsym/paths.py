"""Paths in the landscape (include/landsym/paths.h): the nearest symmetry-induced saddle of
a trained point (thesis section 6.3.2) and loss slices along a segment.

    s = landsym.paths.saddle(net, data, theta)   # {"saddle", "saddle_loss", "distance", ...}
    t, L = landsym.paths.slice_1d(net, data, a, b, n=101)
"""
import numpy as np

from ._core import as_array, check, ffi, lib, ptr
from .net import Net

__all__ = ["saddle", "slice_1d"]


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
