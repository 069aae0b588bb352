"""Parameters across formats: safetensors written and read by the library, .npz, the
library's .npy/.json; bitwise round trips; a pure-Python reader of the safetensors
format; the command line reading what Python wrote."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest

import landsym
from landsym import weights


def read_safetensors(path):
    """A 20-line reader of the safetensors format (8-byte little-endian header length,
    JSON header, raw little-endian data), independent of the library."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    header.pop("__metadata__", None)
    data = buf[8 + n:]
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F64"
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f8").reshape(info["shape"])
    return out


@pytest.fixture
def net_theta():
    net = landsym.Net([3, 4, 2, 1], activation=["tanh", "sigmoid"], bias=[True, False, True])
    rng = np.random.default_rng(7)
    theta = rng.standard_normal(net.n_params) * np.logspace(-300, 300, net.n_params)
    theta[0], theta[1] = -0.0, 5e-324  # signed zero and a subnormal survive bit for bit
    return net, theta


def test_layout(net_theta):
    net, theta = net_theta
    names = [b["name"] for b in net.layout()]
    assert names == ["0.weight", "0.bias", "2.weight", "4.weight", "4.bias"]
    sd = weights.state_dict(net, theta)
    assert sd["0.weight"].shape == (4, 3) and sd["2.weight"].shape == (2, 4)
    assert np.shares_memory(sd["0.weight"], theta)  # views, no copy
    assert np.array_equal(np.concatenate([v.ravel() for v in sd.values()]), theta)


def test_safetensors_round_trip(tmp_path, net_theta):
    net, theta = net_theta
    p = tmp_path / "m.safetensors"
    weights.save(p, net, theta)
    back = weights.load(p, net)
    assert back.tobytes() == theta.tobytes()
    assert weights.load_safetensors(p).tobytes() == theta.tobytes()  # without the net
    raw = read_safetensors(p)
    assert list(raw) == ["0.weight", "0.bias", "2.weight", "4.weight", "4.bias"]
    for k, v in weights.state_dict(net, theta).items():
        assert raw[k].tobytes() == v.tobytes() and raw[k].shape == v.shape


def test_npz_and_library_formats_round_trip(tmp_path, net_theta):
    net, theta = net_theta
    for ext in ("npz", "npy", "json"):
        t = theta.copy()
        if ext == "json":  # JSON numbers have no negative zero; every other bit survives
            t[0] = 0.0
        p = tmp_path / ("m." + ext)
        weights.save(p, net, t)
        assert weights.load(p, net).tobytes() == t.tobytes(), ext
    with np.load(tmp_path / "m.npz") as z:
        assert sorted(z.files) == sorted(b["name"] for b in net.layout())


def test_safetensors_package_reads_landsym_files(tmp_path, net_theta):
    st = pytest.importorskip("safetensors.numpy")
    net, theta = net_theta
    p = tmp_path / "m.safetensors"
    weights.save_safetensors(p, net, theta)
    loaded = st.load_file(str(p))
    for k, v in weights.state_dict(net, theta).items():
        assert loaded[k].tobytes() == v.tobytes()


def test_command_line_reads_python_files(tmp_path, thesis):
    exe = os.environ.get("LANDSYM_BIN")
    if not exe:
        pytest.skip("LANDSYM_BIN not set (tests/test_python.sh sets it)")
    theta = thesis.student.init(5)
    weights.save(tmp_path / "s.safetensors", thesis.student, theta)
    weights.save(tmp_path / "s.npy", thesis.student, theta)
    run = lambda p: json.loads(subprocess.run(
        [exe, "eval", "--config", "builtin:thesis", "--params", str(p), "--json"],
        check=True, capture_output=True, text=True).stdout)
    a, b = run(tmp_path / "s.safetensors"), run(tmp_path / "s.npy")
    assert a["loss"] == b["loss"] and a["grad"] == b["grad"]
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        assert a["loss"] == ls.loss(theta)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes((tmp_path / "s.safetensors").read_bytes()[:-3])
    r = subprocess.run([exe, "eval", "--config", "builtin:thesis", "--params", str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "truncated" in r.stderr and str(bad) in r.stderr


def test_state_dict_errors(net_theta):
    net, theta = net_theta
    sd = dict(weights.state_dict(net, theta))
    del sd["0.bias"]
    with pytest.raises(landsym.InputError, match="'0.bias' missing"):
        weights.from_state_dict(net, sd)
    sd = dict(weights.state_dict(net, theta), extra=np.zeros(1))
    with pytest.raises(landsym.InputError, match="'extra' is not a parameter"):
        weights.from_state_dict(net, sd)
    sd = dict(weights.state_dict(net, theta))
    sd["2.weight"] = np.zeros((4, 2))
    with pytest.raises(landsym.InputError, match=r"2.weight: expected shape \[2, 4\]"):
        weights.from_state_dict(net, sd)


def test_bad_safetensors_file(tmp_path, net_theta):
    net, theta = net_theta
    p = tmp_path / "m.safetensors"
    weights.save(p, net, theta)
    q = tmp_path / "cut.safetensors"
    q.write_bytes(p.read_bytes()[:20])
    with pytest.raises(landsym.InputError) as e:
        weights.load(q, net)
    assert e.value.file == str(q) and "truncated" in e.value.message
    other = landsym.Net([3, 5, 1])
    with pytest.raises(landsym.InputError, match="expected shape"):
        weights.load(p, other)
