"""Networks: widths, activations, biases (layout of the parameter vector in net.h).

    net = landsym.Net([2, 5, 1], activation="sigmoid", bias=False)
    net.n_params            # 15
    net.layout()            # [{'name': '0.weight', 'shape': (5, 2), 'offset': 0, ...}, ...]
"""
import numpy as np

from ._core import check, cstr, ffi, lib

__all__ = ["Net"]

_PARTS = ("weight", "bias", "glu_weight", "glu_bias")


def _per_layer(value, L, name, what="layer"):
    if isinstance(value, (list, tuple)):
        if len(value) != L:
            raise ValueError("%s: expected %d entries (one per %s), got %d"
                             % (name, L, what, len(value)))
        return list(value)
    return [value] * L


def _seed(seed):
    seed = int(seed)
    if not 0 <= seed < 1 << 64:
        raise ValueError("seed: expected an integer in 0..2^64-1, got %d" % seed)
    return seed


class Net:
    """A multilayer perceptron of len(widths) - 1 weight layers.

    activation: hidden activation (name, or one per hidden layer); output: the last
    layer's activation; bias: bool or one per layer; glu: GLU units per hidden layer;
    glu2: how many of them (the last ones) are second-order units
    (docs/engine.md); loss: "mse" or "nll"; alpha, gamma: parameters of
    softplus_sigmoid."""

    __slots__ = ("_net",)

    def __init__(self, widths, activation="sigmoid", bias=True, output="identity",
                 loss="mse", glu=None, alpha=0.0, gamma=0.0, glu2=None):
        widths = [int(w) for w in widths]
        L = len(widths) - 1
        if L < 1 or L > lib.LS_MAX_LAYERS:
            raise ValueError("widths: expected 2 to %d sizes, got %d"
                             % (lib.LS_MAX_LAYERS + 1, len(widths)))
        if any(w < 1 or w > 1 << 30 for w in widths):
            raise ValueError("widths: every width must be in 1..2^30, got %s" % widths)
        acts = _per_layer(activation, L - 1, "activation", "hidden layer") + [output]
        biases = _per_layer(bias, L, "bias")
        glus = _per_layer(0 if glu is None else glu, L - 1, "glu", "hidden layer") + [0]
        glu2s = _per_layer(0 if glu2 is None else glu2, L - 1, "glu2", "hidden layer") + [0]
        err = ffi.new("ls_error *")
        n = ffi.new("ls_net *")
        n.n_layers = L
        for i, w in enumerate(widths):
            n.width[i] = w
        for l in range(1, L + 1):
            check(lib.ls_act_parse(str(acts[l - 1]).encode(), ffi.addressof(n.act[l]), err),
                  err)
            n.act[l].alpha, n.act[l].gamma = float(alpha), float(gamma)
            n.bias[l] = 1 if biases[l - 1] else 0
            n.glu[l] = int(glus[l - 1])
            n.glu2[l] = int(glu2s[l - 1])
        lk = ffi.new("ls_loss_kind *")
        check(lib.ls_loss_parse(str(loss).encode(), lk, err), err)
        n.loss = lk[0]
        check(lib.ls_net_validate(n, err), err)
        self._net = n

    @classmethod
    def _wrap(cls, cnet):
        """A Net holding a copy of an ls_net (e.g. a config's student)."""
        self = cls.__new__(cls)
        self._net = ffi.new("ls_net *")
        self._net[0] = cnet[0]
        return self

    @classmethod
    def from_config(cls, config, which="student"):
        """The student (or teacher) of a config: a landsym.Config, a path or a dict."""
        from .config import Config
        if isinstance(config, Config):
            return config.teacher if which == "teacher" else config.student
        with Config(config) as cfg:
            return cfg.teacher if which == "teacher" else cfg.student

    @property
    def n_layers(self):
        return self._net.n_layers

    @property
    def widths(self):
        return [self._net.width[i] for i in range(self._net.n_layers + 1)]

    @property
    def activations(self):
        return [cstr(lib.ls_act_name(self._net.act[l].kind))
                for l in range(1, self._net.n_layers + 1)]

    @property
    def bias(self):
        return [bool(self._net.bias[l]) for l in range(1, self._net.n_layers + 1)]

    @property
    def glu(self):
        return [self._net.glu[l] for l in range(1, self._net.n_layers)]

    @property
    def glu2(self):
        return [self._net.glu2[l] for l in range(1, self._net.n_layers)]

    @property
    def loss(self):
        return cstr(lib.ls_loss_name(self._net.loss))

    @property
    def n_params(self):
        return int(lib.ls_net_nparams(self._net))

    def describe(self):
        buf = ffi.new("char[256]")
        lib.ls_net_describe(self._net, buf, 256)
        return cstr(buf)

    def __repr__(self):
        return "landsym.Net(%s, %d parameters)" % (self.describe(), self.n_params)

    def layout(self):
        """The blocks of the flat parameter vector, in order: one dict per tensor with
        name (nn.Sequential state_dict key), layer (1-based), part, shape, offset, size.
        Offsets come from the library (ls_net_*_offset)."""
        out, n, buf = [], self._net, ffi.new("char[32]")
        for l in range(1, n.n_layers + 1):
            rows, cols, g = n.width[l], n.width[l - 1], n.glu[l]
            parts = [("weight", (rows, cols), lib.ls_net_w_offset(n, l), True),
                     ("bias", (rows,), lib.ls_net_b_offset(n, l), n.bias[l]),
                     ("glu_weight", (g, cols), lib.ls_net_v_offset(n, l), g > 0),
                     ("glu_bias", (g,), lib.ls_net_c_offset(n, l), g > 0 and n.bias[l]),
                     ("glu_quad", (n.glu2[l], lib.ls_net_m_len(n, l)), lib.ls_net_m_offset(n, l),
                      n.glu2[l] > 0)]
            for part, shape, off, present in parts:
                if not present:
                    continue
                lib.ls_safetensors_param_name(l, part.encode(), buf, 32)
                out.append({"name": cstr(buf), "layer": l, "part": part, "shape": shape,
                            "offset": int(off), "size": shape[0] * (shape[1] if len(shape) == 2 else 1)})
        return out

    def init(self, seed=0, scale=None):
        """Initial parameters from the library's seeded generators: Glorot normal (the
        command line's default), or N(0, scale^2) weights when scale is given."""
        seed = _seed(seed)
        theta = np.empty(self.n_params)
        p = ffi.from_buffer("double[]", theta)
        if scale is None:
            lib.ls_params_glorot(self._net, int(seed), p)
        else:
            if not scale > 0:
                raise ValueError("scale: must be > 0, got %r" % (scale,))
            lib.ls_params_normal(self._net, int(seed), float(scale), p)
        return theta
