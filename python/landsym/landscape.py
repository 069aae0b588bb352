"""The loss landscape of a network on a data set: loss, gradient, Hessian, Hessian-vector
product, Hessian spectrum, network output. Every number comes from the library's exact
derivatives (src/deriv); the loss convention is DESIGN.md's (MSE = sum_k w_k sum_o
(f_o(x_k) - y_ko)^2, no 1/2).

    ls = landsym.Landscape(net, data)
    ls.loss(theta); f, g = ls.loss_grad(theta); H = ls.hessian(theta)
    ls.hvp(theta, v); ls.spectrum(theta)["evals"]
"""
import numpy as np

from ._core import Closable, as_array, check, ffi, lib, out_array, ptr
from .errors import InputError, raise_for

_loss_grad = lib.lsp_loss_grad
_ND, _F64, _S8 = np.ndarray, np.dtype(np.float64), (8,)
_ptr = ptr

__all__ = ["Landscape"]

_METHODS = {0: "dense", 1: "lanczos"}


class Landscape(Closable):
    """Loss, gradient, Hessian, HVP and spectrum of `net` on `data` (a landsym.Data).

    theta is a float64 C-order array of net.n_params entries; outputs are new arrays, or
    the caller's `out` (no allocation). The workspace is reused across calls; one call at
    a time per Landscape (a lock), the GIL released during each."""

    _kind = "landsym.Landscape"

    def __init__(self, net, data):
        super().__init__()
        d = data._ptr()
        widths = net.widths
        if d.din != widths[0] or d.dout != widths[-1]:
            raise InputError("data: %d inputs and %d outputs, network %s has %d and %d"
                             % (d.din, d.dout, net.describe(), widths[0], widths[-1]), 2)
        err = ffi.new("ls_error *")
        if net.loss == "nll":
            check(lib.ls_data_check_nll_targets(d, b"data", err), err)
        self.net, self.data = net, data
        self._n, self._d, self.P = net._net, d, net.n_params
        self._keep = data._keep  # the arrays behind d stay alive as long as self
        self._w = ffi.gc(lib.ls_work_alloc(self._n, d.n), lib.ls_work_free)
        if self._w == ffi.NULL:
            raise MemoryError("landsym: workspace for %s on %d samples" % (net.describe(), d.n))
        self._err = err
        self._f = ffi.new("double[1]")
        self._shape = (self.P,)
        self._last_t = self._last_tp = self._last_g = self._last_gp = None

    def _free(self):
        self._w = None
        self._last_t = self._last_tp = self._last_g = self._last_gp = None

    def _theta(self, theta):
        if self._closed or self.data._closed:
            self._check_open()
            self.data._check_open()
        return as_array(theta, self._shape, "theta")

    def loss(self, theta):
        """L(theta)."""
        with self._lock:
            t = self._theta(theta)
            check(lib.lsp_loss(self._n, self._d, ptr(t), self.P, self._f, self._w, self._err),
                  self._err)
            return self._f[0]

    def loss_grad(self, theta, out=None):
        """(L(theta), grad L(theta)); the gradient goes to `out` when given."""
        with self._lock:
            if self._closed or self.data._closed:
                self._check_open()
                self.data._check_open()
            # the common case checked inline (1-D float64 with stride 8 is C-contiguous)
            t = theta if (theta.__class__ is _ND and theta.dtype is _F64 and
                          theta.shape == self._shape and theta.strides == _S8) \
                else as_array(theta, self._shape, "theta")
            # pointers into the last arrays seen are kept: the buffer export they hold
            # stops numpy from moving those arrays' data, so the same object means the
            # same memory (loops that update theta and out in place skip from_buffer)
            if t is not self._last_t:
                self._last_t, self._last_tp = t, _ptr(t)
            if out is None:
                g = np.empty(self.P)
                gp = _ptr(g)
            else:
                g = out_array(out, self._shape, "out")
                if g is not self._last_g:
                    self._last_g, self._last_gp = g, _ptr(g)
                gp = self._last_gp
            st = _loss_grad(self._n, self._d, self._last_tp, self.P, self._f, gp, self._w,
                            self._err)
            if st:
                raise_for(st, self._err)
            return self._f[0], g

    def grad(self, theta, out=None):
        """grad L(theta)."""
        return self.loss_grad(theta, out)[1]

    def hessian(self, theta, out=None):
        """The exact Hessian, P x P (symmetric)."""
        with self._lock:
            t = self._theta(theta)
            H = out_array(out, (self.P, self.P), "out")
            check(lib.lsp_hessian(self._n, self._d, ptr(t), self.P, ptr(H), self._w, self._err),
                  self._err)
            return H

    def hvp(self, theta, v, out=None):
        """H(theta) v, exact, without forming H."""
        with self._lock:
            t = self._theta(theta)
            v = as_array(v, (self.P,), "v")
            Hv = out_array(out, (self.P,), "out")
            check(lib.lsp_hvp(self._n, self._d, ptr(t), ptr(v), self.P, ptr(Hv), self._w,
                              self._err), self._err)
            return Hv

    def spectrum(self, theta, method="auto", k=10):
        """Hessian eigenvalues, ascending: method "dense" (all P), "lanczos" (the k smallest
        and k largest, on Hessian-vector products), or "auto" (dense up to 3000
        parameters). Returns {"evals", "method", "n_hvp"}."""
        if method not in ("auto", "dense", "lanczos"):
            raise ValueError("method: expected 'auto', 'dense' or 'lanczos', got %r" % (method,))
        k = int(k)
        if method != "dense" and k < 1:
            raise ValueError("k: must be >= 1, got %d" % k)
        dense_max = {"auto": 0, "dense": self.P, "lanczos": 1}[method]
        with self._lock:
            t = self._theta(theta)
            ev = np.empty(max(self.P, 1))
            n, m, nh = ffi.new("size_t *"), ffi.new("int *"), ffi.new("size_t *")
            check(lib.lsp_spectrum(self._n, self._d, ptr(t), self.P, dense_max, k, ptr(ev),
                                   n, m, nh, self._err), self._err)
            return {"evals": ev[:n[0]], "method": _METHODS.get(m[0], str(m[0])),
                    "n_hvp": int(nh[0])}

    def forward(self, theta, x, out=None):
        """Network outputs (before any softmax) for inputs x (n x din)."""
        with self._lock:
            t = self._theta(theta)
            x = as_array(x, (None, self.net.widths[0]), "x")
            y = out_array(out, (x.shape[0], self.net.widths[-1]), "out")
            w = ffi.gc(lib.ls_work_alloc(self._n, x.shape[0]), lib.ls_work_free)
            check(lib.lsp_forward(self._n, ptr(t), self.P, x.shape[0], ptr(x), ptr(y), w,
                                  self._err), self._err)
            return y

    def __repr__(self):
        return "landsym.Landscape(%s%s)" % (self.net.describe(),
                                            ", closed" if self._closed else "")
