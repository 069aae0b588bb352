"""Permutation symmetry (include/landsym/sym.h, classify.h): reduction to the irreducible
form, expansion of a hidden layer (Şimşek et al. 2021, Definitions 3.1-3.2), and the
classification of a trained point (global minimum, symmetry-induced critical point, local
minimum, saddle, not converged, channel), all computed by the library.

    red = landsym.sym.reduce(net, theta)       # {"net", "theta", "irreducible", "layers"}
    big, theta_m, origin = landsym.sym.expand(net, theta, layer=1, m=6, seed=0)
    c = landsym.sym.classify(net, data, theta, teacher=cfg.teacher, theta_t=cfg.teacher_params)
    rows = landsym.sym.classify_many(net, data, [r["x"] for r in runs])   # list of dicts
    landsym.sym.to_frame(rows)                 # a pandas DataFrame, when pandas is installed
"""
import numpy as np

from ._core import as_array, check, cstr, ffi, lib, ptr
from .net import Net, _seed

__all__ = ["reduce", "expand", "classify", "classify_many", "to_frame", "CLASSIFY_OPTIONS"]


def _ints(p, n):
    return [int(p[i]) for i in range(n)] if p != ffi.NULL else []


def _vec(p, n):
    return np.frombuffer(ffi.buffer(p, 8 * n), dtype=np.float64).copy() if n else np.empty(0)


def _theta(net, theta, name="theta"):
    theta = as_array(theta, (net.n_params,), name)
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(theta), net.n_params, name.encode(), err), err)
    return theta


def reduce(net, theta, tol=1e-8, use_sign=True):
    """The irreducible form of theta (Definition 3.1, section 5 for several layers):
    units of equal incoming weights merged, units with vanishing outgoing weights dropped.
    Returns {"net", "theta", "irreducible", "layers": [per hidden layer: width,
    reduced_width, group (of each unit), group_size, zero_type]}."""
    theta = _theta(net, theta)
    o = ffi.new("ls_sym_reduce_opts *")
    lib.ls_sym_reduce_opts_default(o)
    o.tol, o.use_sign = float(tol), 1 if use_sign else 0
    red = ffi.new("ls_sym_reduction *")
    err = ffi.new("ls_error *")
    check(lib.ls_sym_reduce(net._net, ptr(theta), o, red, err), err)
    try:
        rnet = Net._wrap(ffi.addressof(red, "net"))
        layers = []
        for l in range(1, red.n_hidden + 1):
            g = red.layer[l]
            layers.append({"layer": l, "width": g.width, "reduced_width": g.reduced_width,
                           "group": _ints(g.group, g.width),
                           "group_size": _ints(g.group_size, g.n_groups),
                           "zero_type": [bool(z) for z in _ints(g.zero_type, g.n_groups)]})
        return {"net": rnet, "theta": _vec(red.theta, rnet.n_params),
                "irreducible": bool(lib.ls_sym_is_irreducible(red, 0)), "layers": layers}
    finally:
        lib.ls_sym_reduction_free(red)


def expand(net, theta, layer, m, seed=0, k=None, equal_split=False, random_perm=False):
    """Expand hidden layer `layer` (1-based) from its width r to m units (Definition 3.2):
    multiplicities k (r entries >= 1, default random), splits of the outgoing weights
    (random, or 1/k_t with equal_split), zero-type units for the rest. The network function
    is unchanged. Returns (Net, theta_m, origin): origin[i] is the original unit of new
    unit i, or -1 - g for zero-type group g."""
    theta = _theta(net, theta)
    spec = ffi.new("ls_sym_expand_spec *")
    lib.ls_sym_expand_spec_default(spec, int(layer), int(m))
    keep = None
    if k is not None:
        keep = ffi.new("int[]", [int(v) for v in k])
        spec.k = keep
    spec.equal_split = 1 if equal_split else 0
    spec.random_perm = 1 if random_perm else 0
    big = ffi.new("ls_net *")
    out = ffi.new("double **")
    origin = ffi.new("int[]", max(int(m), 1))
    err = ffi.new("ls_error *")
    check(lib.ls_sym_expand_layer(net._net, ptr(theta), spec, _seed(seed), big, out, origin,
                                  err), err)
    try:
        bnet = Net._wrap(big)
        return bnet, _vec(out[0], bnet.n_params), _ints(origin, int(m))
    finally:
        lib.lsp_free(out[0])
        del keep


CLASSIFY_OPTIONS = ("loss_floor", "grad_tol", "reduce_tol", "match_tol", "sym_grad_tol",
                    "eig_tol", "approach_dist", "approach_loss_rtol", "continue_iter",
                    "continue_lr", "near_global_rloss", "near_global_copy_rtol")


def _classify_opts(options):
    o = ffi.new("ls_classify_opts *")
    lib.ls_classify_opts_default(o)
    for k, v in options.items():
        if k not in CLASSIFY_OPTIONS:
            raise TypeError("classify: unknown option '%s' (known: %s)"
                            % (k, ", ".join(CLASSIFY_OPTIONS)))
        setattr(o, k, int(v) if k == "continue_iter" else float(v))
    err = ffi.new("ls_error *")
    check(lib.ls_classify_opts_validate(o, err), err)
    return o


def _result(r):
    return {"class": cstr(lib.ls_class_name(r.cls)), "converged": bool(r.converged),
            "symmetry_induced": bool(r.sym_induced), "reducible": bool(r.reducible),
            "certificate": cstr(r.certificate), "teacher_match": bool(r.teacher_match),
            "loss": r.loss, "grad_inf": r.grad_inf,
            "eigs": [r.eig[i] for i in range(r.n_eig)], "n_zero_eigs": r.n_zero_eigs,
            "n_neg_eigs": r.n_neg_eigs, "P": r.P, "reduced_P": r.reduced_P,
            "reduced_widths": [r.reduced_width[l] for l in range(1, r.reduced_net.n_layers)],
            "reduced_loss": r.reduced_loss, "match_error": r.match_error,
            "min_neuron_dist": r.min_neuron_dist, "approaching": bool(r.approaching),
            "near_saddle": bool(r.near_saddle), "continued": bool(r.continued),
            "run_loss": r.run_loss, "continue_loss": r.continue_loss,
            "run_reason": cstr(r.run_reason), "near_global_dist": r.near_global_dist,
            "near_global_loss": r.near_global_loss}


def classify(net, data, theta, teacher=None, theta_t=None, **options):
    """Classify the point theta of net on data (ls_classify_point): a dict with class
    ("global", "symmetry_induced", "local_min", "saddle", "not_converged", "channel",
    "near_global"),
    the certificate, the smallest Hessian eigenvalues, the reduced widths, ... Options:
    CLASSIFY_OPTIONS (defaults of include/landsym/classify.h)."""
    theta = _theta(net, theta)
    o = _classify_opts(options)
    tn, tp = ffi.NULL, ffi.NULL
    if teacher is not None:
        theta_t = _theta(teacher, theta_t, "theta_t")
        tn, tp = teacher._net, ptr(theta_t)
    r = ffi.new("ls_classify_result *")
    err = ffi.new("ls_error *")
    d = data._ptr()
    keep = data._keep  # noqa: F841
    try:
        with data._lock:
            check(lib.ls_classify_point(net._net, d, ptr(theta), tn, tp, o, r, err), err)
        out = _result(r)
        if r.reduced_theta != ffi.NULL:
            rn = Net._wrap(ffi.addressof(r, "reduced_net"))
            out["reduced_net"], out["reduced_theta"] = rn, _vec(r.reduced_theta, rn.n_params)
        return out
    finally:
        lib.ls_classify_result_free(r)


def classify_many(net, data, thetas, teacher=None, theta_t=None, progress=None, **options):
    """classify() of every point in thetas: a list of dicts (the index as "run").
    progress: a callable(i, n), or True for a tqdm bar when tqdm is installed."""
    thetas = list(thetas)
    bar = None
    if progress is True:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(thetas))
        except ImportError:
            bar = None
    rows = []
    for i, th in enumerate(thetas):
        row = classify(net, data, th, teacher, theta_t, **options)
        row.pop("reduced_net", None)
        row.pop("reduced_theta", None)
        rows.append(dict(run=i, **row))
        if bar is not None:
            bar.update(1)
        elif callable(progress):
            progress(i + 1, len(thetas))
    if bar is not None:
        bar.close()
    return rows


def to_frame(rows):
    """A pandas DataFrame of a list of dicts (needs pandas)."""
    import pandas as pd
    return pd.DataFrame(rows)
