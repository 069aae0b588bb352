"""Data sets: numpy arrays (used in place) or the library's generators.

    d = landsym.Data(x, y)                       # x (n, din), y (n, dout), float64 C order
    d = landsym.Data.grid(41, dim=2, lo=-5, hi=5).set_teacher(teacher, theta_t)
    d = landsym.Data.gaussian(1000, dim=2, seed=0)
    d = landsym.Data.hermite(20, dim=1)          # Gauss-Hermite quadrature, weights sum 1
"""
import numpy as np

from ._core import Closable, as_array, check, ffi, lib, ptr

__all__ = ["Data"]


class Data(Closable):
    """n samples: inputs x (n x din), targets y (n x dout), optional weights w (sum 1).

    Arrays given by the caller are used without a copy (and kept referenced, so they must
    not be resized); weights are copied once, since the library normalises them to sum 1.
    Generated data sets are copied once from the library into numpy arrays; x, y, w are
    those arrays (no copy), valid as long as anyone holds them."""

    _kind = "landsym.Data"

    def __init__(self, x, y=None, w=None, *, dout=None):
        super().__init__()
        x = as_array(x, (None, None), "x")
        n = x.shape[0]
        if n == 0 or x.shape[1] == 0:
            raise ValueError("x: expected at least one sample and one input, got shape %s"
                             % (x.shape,))
        if y is None:
            y = np.zeros((n, 1 if dout is None else int(dout)))
        y = as_array(y, (n, None), "y")
        if w is not None:
            w = np.array(as_array(w, (n,), "w"))  # normalised in place by the library
            err = ffi.new("ls_error *")
            check(lib.ls_data_normalize_weights(ptr(w), n, b"w", err), err)
        self._attach(x, y, w)

    def _attach(self, x, y, w):
        self._keep = (x, y, w)
        d = self._d = ffi.new("ls_data *")
        d.n, d.din, d.dout = x.shape[0], x.shape[1], y.shape[1]
        d.x, d.y = ptr(x), ptr(y)
        d.w = ptr(w) if w is not None else ffi.NULL
        err = ffi.new("ls_error *")
        check(lib.ls_data_check_finite(d, b"data", err), err)

    @classmethod
    def _copy_of(cls, cd):
        """A Data holding copies of the arrays of an ls_data owned by the library."""
        self = cls.__new__(cls)
        Closable.__init__(self)

        def arr(p, shape):
            k = shape[0] * (shape[1] if len(shape) == 2 else 1)
            return np.frombuffer(ffi.buffer(p, 8 * k), dtype=np.float64).reshape(shape).copy()
        w = arr(cd.w, (cd.n,)) if cd.w != ffi.NULL else None
        self._attach(arr(cd.x, (cd.n, cd.din)), arr(cd.y, (cd.n, cd.dout)), w)
        return self

    @classmethod
    def _generated(cls, fill):
        tmp = ffi.gc(lib.lsp_data_new(), lambda d: lib.lsp_data_delete(d, 1))
        err = ffi.new("ls_error *")
        check(fill(tmp, err), err)
        return cls._copy_of(tmp)

    @classmethod
    def grid(cls, n, dim=2, lo=-5.0, hi=5.0, dout=1):
        """n^dim grid points on [lo, hi]^dim, last coordinate fastest (thesis 6.2)."""
        if int(n) < 1:
            raise ValueError("n: expected >= 1 points per axis, got %d" % int(n))
        return cls._generated(lambda d, e: lib.ls_data_grid(d, int(n), int(dim), float(lo),
                                                            float(hi), int(dout), e))

    @classmethod
    def gaussian(cls, n, dim, seed=0, dout=1):
        """n standard-normal samples from the library's seeded generator."""
        from .net import _seed
        seed = _seed(seed)
        if int(n) < 1:
            raise ValueError("n: expected >= 1 samples, got %d" % int(n))
        return cls._generated(lambda d, e: lib.ls_data_gaussian(d, int(n), int(dim), int(seed),
                                                                int(dout), e))

    @classmethod
    def hermite(cls, points, dim=1, dout=1):
        """Tensor-product Gauss-Hermite rule for the standard normal (weights sum 1)."""
        return cls._generated(lambda d, e: lib.ls_data_hermite(d, int(points), int(dim),
                                                               int(dout), e))

    @classmethod
    def from_config(cls, config):
        """The data set of a config (a landsym.Config, path or dict), targets filled."""
        from .config import Config
        if isinstance(config, Config):
            return config.data
        with Config(config) as cfg:
            return cfg.data

    def set_teacher(self, net, theta, onehot=False):
        """y = teacher(x) (NLL teacher: softmax probabilities, or one-hot with onehot)."""
        with self._lock:
            d = self._ptr()
            theta = as_array(theta, (net.n_params,), "teacher theta")
            err = ffi.new("ls_error *")
            check(lib.lsp_check_finite(ptr(theta), net.n_params, b"teacher theta", err), err)
            check(lib.ls_data_teacher_targets(d, net._net, ptr(theta), 1 if onehot else 0,
                                              err), err)
        return self

    def _ptr(self):
        self._check_open()
        return self._d

    def _free(self):
        self._d = None
        self._keep = None

    @property
    def n(self):
        return int(self._ptr().n)

    @property
    def din(self):
        return int(self._ptr().din)

    @property
    def dout(self):
        return int(self._ptr().dout)

    @property
    def x(self):
        self._check_open()
        return self._keep[0]

    @property
    def y(self):
        self._check_open()
        return self._keep[1]

    @property
    def w(self):
        """Per-sample weights (sum 1), or None for the uniform 1/n."""
        self._check_open()
        return self._keep[2]

    def __repr__(self):
        if self._closed:
            return "landsym.Data(closed)"
        return "landsym.Data(n=%d, din=%d, dout=%d%s)" % (
            self.n, self.din, self.dout, ", weighted" if self._keep[2] is not None else "")
