"""The split test (include/landsym/split.h; thesis section 6.2.6, Theorem 3): a critical
point lifted by duplicating neuron j of hidden layer l with outgoing split (mu, 1 - mu) has
Hessian inertia In(H_r) + In(M(mu)), M(mu) = [[mu(1-mu) Y, U], [U^T, 0]].

    Y, U = landsym.split.matrices(net, data, theta, layer=1, neuron=0)
    big, theta_l = landsym.split.duplicate(net, theta, layer=1, neuron=0, mu=0.3)
    M = landsym.split.block(Y, U, 0.3)
    landsym.split.predict(Y, U, 0.3)     # {"neg", "zero", "pos", "rank_u"}
"""
import numpy as np

from ._core import as_array, check, ffi, lib, ptr
from .net import Net

__all__ = ["dims", "matrices", "duplicate", "block", "predict"]


def _point(net, theta):
    theta = as_array(theta, (net.n_params,), "theta")
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(theta), net.n_params, b"theta", err), err)
    return theta


def dims(net, layer, neuron):
    """(nin, nout) of the split block: nin = width[l-1] + bias[l], nout = width[l+1]."""
    a, b = ffi.new("int *"), ffi.new("int *")
    err = ffi.new("ls_error *")
    check(lib.ls_split_dims(net._net, int(layer), int(neuron), a, b, err), err)
    return a[0], b[0]


def matrices(net, data, theta, layer, neuron):
    """Y (nin x nin) and U (nin x nout) of Theorem 3 at theta for neuron `neuron`
    (0-based) of hidden layer `layer` (1-based)."""
    theta = _point(net, theta)
    nin, nout = dims(net, layer, neuron)
    Y = np.empty((nin, nin))
    U = np.empty((nin, nout))
    err = ffi.new("ls_error *")
    check(lib.ls_split_matrices(net._net, data._ptr(), ptr(theta), int(layer), int(neuron),
                                ptr(Y), ptr(U), err), err)
    return Y, U


def duplicate(net, theta, layer, neuron, mu):
    """The lifted network (layer widened by one, the copy last) and its parameters: the
    neuron's outgoing weights a split into (mu a, (1 - mu) a)."""
    theta = _point(net, theta)
    big = ffi.new("ls_net *")
    err = ffi.new("ls_error *")
    dims(net, layer, neuron)  # checks layer and neuron
    probe = ffi.new("ls_net *")  # the lifted network's size, from the library
    probe[0] = net._net[0]
    probe.width[int(layer)] += 1
    out = np.empty(lib.ls_net_nparams(probe))
    check(lib.ls_split_duplicate(net._net, ptr(theta), int(layer), int(neuron), float(mu), big,
                                 ptr(out), err), err)
    bnet = Net._wrap(big)
    return bnet, out[:bnet.n_params].copy()


def _YU(Y, U):
    Y = as_array(Y, (None, None), "Y")
    nin = Y.shape[0]
    if Y.shape[1] != nin:
        raise ValueError("Y: expected a square matrix, got shape %s" % (Y.shape,))
    U = as_array(U, (nin, None), "U")
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(Y), Y.size, b"Y", err), err)
    check(lib.lsp_check_finite(ptr(U), U.size, b"U", err), err)
    return Y, U, nin, U.shape[1]


def block(Y, U, mu):
    """M(mu) = [[mu(1-mu) Y, U], [U^T, 0]] ((nin + nout) square)."""
    Y, U, nin, nout = _YU(Y, U)
    M = np.empty((nin + nout, nin + nout))
    lib.ls_split_block(ptr(Y), ptr(U), nin, nout, float(mu), ptr(M))
    return M


def predict(Y, U, mu, tol=1e-10):
    """Predicted inertia of M(mu) from the structure of Theorem 3: {"neg", "zero", "pos",
    "rank_u"} (singular values of U and eigenvalues of Z^T Y Z at most tol count as 0)."""
    Y, U, nin, nout = _YU(Y, U)
    inertia = ffi.new("ls_inertia *")
    rank = ffi.new("int *")
    err = ffi.new("ls_error *")
    check(lib.ls_split_predict(ptr(Y), ptr(U), nin, nout, float(mu), float(tol), inertia, rank,
                               err), err)
    return {"neg": inertia.neg, "zero": inertia.zero, "pos": inertia.pos, "rank_u": rank[0]}
