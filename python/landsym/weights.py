"""Parameters across ecosystems: landsym's flat vector <-> the state_dict of a PyTorch
nn.Sequential of nn.Linear layers, safetensors files (read and written by the library),
.npz archives, and the library's .npy/.json parameter files.

Layout (net.h, include/landsym/safetensors.h): layer l = 1..L is module 2(l-1) of the
Sequential (an activation module sits between two Linear layers); its tensors are
"2(l-1).weight" (width[l] x width[l-1], out x in, row-major) then "2(l-1).bias" (width[l],
when the layer has a bias); GLU units add "2(l-1).glu_weight" and "2(l-1).glu_bias".
Concatenated in that order they are exactly the flat vector.
"""
import os
from collections import OrderedDict

import numpy as np

from ._core import as_array, check, ffi, lib, ptr
from .errors import InputError

__all__ = ["state_dict", "from_state_dict", "save_safetensors", "load_safetensors",
           "save_npz", "load_npz", "save", "load", "to_torch", "from_torch"]


def state_dict(net, theta):
    """OrderedDict name -> numpy view into theta (no copy), in layout order."""
    theta = as_array(theta, (net.n_params,), "theta")
    return OrderedDict((b["name"], theta[b["offset"]:b["offset"] + b["size"]].reshape(b["shape"]))
                       for b in net.layout())


def _as_numpy(v, name):
    if hasattr(v, "detach"):  # a torch tensor: float64 on the CPU (float32 widens exactly)
        import torch
        if v.dtype not in (torch.float64, torch.float32):
            raise TypeError("%s: expected a float64 or float32 tensor, got %s" % (name, v.dtype))
        v = v.detach().cpu().to(torch.float64).contiguous().numpy()
    return as_array(v, tuple(v.shape) if hasattr(v, "shape") else (None,), name)


def from_state_dict(net, sd):
    """The flat vector of a state_dict (numpy arrays or torch tensors) with exactly the
    names and shapes of net.layout(); InputError naming the missing, extra or misshapen
    tensor otherwise."""
    theta = np.empty(net.n_params)
    names = set()
    for b in net.layout():
        if b["name"] not in sd:
            raise InputError("state_dict: tensor '%s' missing (layer %d of %s)"
                             % (b["name"], b["layer"], net.describe()), 2)
        v = _as_numpy(sd[b["name"]], "state_dict: " + b["name"])
        if tuple(v.shape) != tuple(b["shape"]):
            raise InputError("state_dict: %s: expected shape %s, got %s"
                             % (b["name"], list(b["shape"]), list(v.shape)), 2)
        theta[b["offset"]:b["offset"] + b["size"]] = v.reshape(-1)
        names.add(b["name"])
    extra = [k for k in sd if k not in names]
    if extra:
        raise InputError("state_dict: tensor '%s' is not a parameter of %s"
                         % (extra[0], net.describe()), 2)
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(theta), net.n_params, b"state_dict", err), err)
    return theta


def save_safetensors(path, net, theta):
    """Write theta as the state_dict tensors of net (F64), by the library."""
    theta = as_array(theta, (net.n_params,), "theta")
    err = ffi.new("ls_error *")
    check(lib.ls_safetensors_params_write(os.fsencode(path), net._net, ptr(theta), err), err)


def _read(call, n):
    err = ffi.new("ls_error *")
    out = ffi.new("double **")
    check(call(out, err), err)
    try:
        return np.frombuffer(ffi.buffer(out[0], 8 * n), dtype=np.float64).copy()
    finally:
        lib.lsp_free(out[0])


def load_safetensors(path, net=None):
    """Read a parameter vector by the library: with net, every tensor of its layout must
    be there with its shape; without, the state_dict tensors (or one "params" tensor)
    are concatenated in layout order."""
    p = os.fsencode(path)
    if net is not None:
        return _read(lambda o, e: lib.ls_safetensors_params_read_net(p, net._net, o, e),
                     net.n_params)
    n = ffi.new("size_t *")
    err = ffi.new("ls_error *")
    out = ffi.new("double **")
    check(lib.ls_params_read(p, out, n, err), err)
    try:
        return np.frombuffer(ffi.buffer(out[0], 8 * n[0]), dtype=np.float64).copy()
    finally:
        lib.lsp_free(out[0])


def save_npz(path, net, theta):
    """Write the state_dict of theta to an .npz archive (one array per tensor)."""
    np.savez(path, **state_dict(net, theta))


def load_npz(path, net):
    """Read an .npz archive written by save_npz (or numpy.savez of a state_dict)."""
    with np.load(path, allow_pickle=False) as z:
        return from_state_dict(net, {k: z[k] for k in z.files})


def save(path, net, theta):
    """By extension: .safetensors, .npz, or the library's .npy / .json."""
    s = os.fspath(path)
    if s.endswith(".safetensors"):
        return save_safetensors(path, net, theta)
    if s.endswith(".npz"):
        return save_npz(path, net, theta)
    theta = as_array(theta, (net.n_params,), "theta")
    err = ffi.new("ls_error *")
    check(lib.ls_params_write(os.fsencode(path), ptr(theta), net.n_params, err), err)


def load(path, net):
    """By extension: .safetensors, .npz, or the library's .npy / .json readers."""
    s = os.fspath(path)
    if s.endswith(".npz"):
        return load_npz(path, net)
    p = os.fsencode(path)
    return _read(lambda o, e: lib.ls_params_read_net(p, net._net, o, e), net.n_params)


_TORCH_ACT = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh",
              "softplus": "Softplus", "relu": "ReLU", "gelu": "GELU"}


def to_torch(net, theta):
    """A float64 torch nn.Sequential with the parameters theta (needs torch). Activations
    without a torch module (g, softplus_sigmoid, erf) and GLU units are refused."""
    import torch
    from torch import nn
    if any(net.glu):
        raise InputError("to_torch: GLU units have no nn.Sequential equivalent", 2)
    mods = []
    acts = net.activations
    for l in range(1, net.n_layers + 1):
        mods.append(nn.Linear(net.widths[l - 1], net.widths[l], bias=net.bias[l - 1],
                              dtype=torch.float64))
        a = acts[l - 1]
        if a not in _TORCH_ACT:
            raise InputError("to_torch: activation %s has no torch module" % a, 2)
        if l < net.n_layers or a != "identity":
            mods.append(getattr(nn, _TORCH_ACT[a])())
    model = nn.Sequential(*mods)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state_dict(net, theta).items()})
    return model


def from_torch(model, loss="mse"):
    """(Net, theta) of a torch nn.Sequential alternating nn.Linear and activation modules
    (Sigmoid, Tanh, Softplus, ReLU, GELU, Identity). nn.Softplus is taken as log(1+e^x):
    torch's default threshold (x itself above 20) differs from it by about e^-20."""
    from torch import nn
    from .net import Net
    mods = list(model)
    lin = [m for m in mods[0::2]]
    if not all(isinstance(m, nn.Linear) for m in lin):
        raise InputError("from_torch: expected nn.Linear at the even positions of the "
                         "Sequential", 2)
    names = {v: k for k, v in _TORCH_ACT.items()}
    acts = []
    for m in mods[1::2]:
        n = type(m).__name__
        if n not in names:
            raise InputError("from_torch: module %s has no landsym activation" % n, 2)
        acts.append(names[n])
    L = len(lin)
    if len(acts) > L:
        raise InputError("from_torch: expected at most one activation after each nn.Linear", 2)
    hidden = acts[:L - 1]
    output = acts[L - 1] if len(acts) == L else "identity"
    widths = [lin[0].in_features] + [m.out_features for m in lin]
    net = Net(widths, activation=hidden if len(set(hidden)) > 1 else
              (hidden[0] if hidden else "identity"),
              bias=[m.bias is not None for m in lin], output=output, loss=loss)
    return net, from_state_dict(net, model.state_dict())
