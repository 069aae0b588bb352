"""Bad input from Python raises a clear exception, never a crash."""
import numpy as np
import pytest

import landsym


def test_wrong_dtype(toy):
    ls, th = toy
    with pytest.raises(TypeError, match="theta: expected dtype float64, got float32"):
        ls.loss(th.astype(np.float32))
    with pytest.raises(TypeError, match="expected a numpy float64 array"):
        ls.loss("abc")


def test_wrong_shape(toy):
    ls, th = toy
    with pytest.raises(ValueError, match=r"theta: expected shape \(15,\), got \(14,\)"):
        ls.loss(th[:-1].copy())
    with pytest.raises(ValueError, match="expected shape"):
        ls.hvp(th, np.zeros(16))
    with pytest.raises(ValueError, match=r"out: expected shape \(15, 15\)"):
        ls.hessian(th, out=np.empty((15, 14)))


def test_non_contiguous(toy):
    ls, th = toy
    strided = np.repeat(th, 2)[::2]
    assert np.array_equal(strided, th)
    with pytest.raises(ValueError, match="not C-contiguous"):
        ls.grad(strided)
    with pytest.raises(ValueError, match="not C-contiguous"):
        landsym.Data(np.zeros((3, 2), order="F"), np.zeros((3, 1)))


def test_nan(toy):
    ls, th = toy
    bad = th.copy()
    bad[4] = np.nan
    with pytest.raises(landsym.InputError, match=r"theta\[4\]: nan") as e:
        ls.loss_grad(bad)
    assert e.value.field == "theta[4]" and isinstance(e.value, ValueError)
    with pytest.raises(landsym.InputError, match="inf"):
        ls.hvp(th, np.full(th.size, np.inf))
    x = np.zeros((3, 2))
    x[1, 1] = np.nan
    with pytest.raises(landsym.InputError, match=r"x\[row 1, col 1\] is not finite"):
        landsym.Data(x, np.zeros((3, 1)))


def test_closed_objects(thesis):
    ls = landsym.Landscape(thesis.student, thesis.data)
    ls.close()
    with pytest.raises(landsym.ClosedError, match="Landscape: used after close"):
        ls.loss(thesis.student.init(0))
    d = landsym.Data.grid(3, dim=2)
    with d:
        pass
    with pytest.raises(landsym.ClosedError):
        d.x
    cfg = landsym.Config("builtin:thesis")
    cfg.close()
    cfg.close()  # idempotent
    with pytest.raises(landsym.ClosedError):
        cfg.section("train")


def test_config_errors_name_field_and_file(tmp_path):
    with pytest.raises(landsym.InputError) as e:
        landsym.Config({"data": {"kind": "grid", "n": 5}, "student": {"widths": [2, 0, 1]}})
    assert "student.widths" in e.value.message and e.value.file == "<dict>" or \
        "student" in e.value.message
    p = tmp_path / "c.json"
    p.write_text('{"data": {"kind": "grid", "n": 5}, "student": {"widths": [2, 3, 1], '
                 '"activation": "sigmoidd"}}')
    with pytest.raises(landsym.InputError) as e:
        landsym.Config(str(p))
    assert e.value.file == str(p) and "sigmoidd" in e.value.message
    with pytest.raises(landsym.InputError):
        landsym.Config(str(tmp_path / "missing.json"))


def test_bad_net_and_options(thesis):
    with pytest.raises(landsym.InputError, match="relu6"):
        landsym.Net([2, 3, 1], activation="relu6")
    with pytest.raises(ValueError, match="widths"):
        landsym.Net([2])
    with pytest.raises(landsym.InputError, match="inputs"):
        landsym.Landscape(landsym.Net([3, 2, 1]), thesis.data)
    with pytest.raises(TypeError, match="unknown option 'lrr'"):
        landsym.train(thesis.student, thesis.data, lrr=1)
    with pytest.raises(landsym.InputError, match="train.method"):
        landsym.train(thesis.student, thesis.data, method="sgd")


def test_degenerate_sizes_and_seeds():
    with pytest.raises(ValueError, match="at least one sample"):
        landsym.Data(np.zeros((0, 2)), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="seed"):
        landsym.Net([2, 3, 1]).init(-1)
    with pytest.raises(ValueError, match="n: expected >= 1"):
        landsym.Data.gaussian(0, 2)
    with pytest.raises(landsym.InputError, match="points"):
        landsym.Data.hermite(0)
    with pytest.raises(MemoryError):
        landsym.Landscape(landsym.Net([2, 1 << 29, 1]), landsym.Data.grid(5, dim=2))


def test_bad_parameter_files(tmp_path):
    net = landsym.Net([2, 3, 1])
    with pytest.raises(landsym.InputError, match="cannot open") as e:
        landsym.weights.load(tmp_path / "none.safetensors", net)
    assert e.value.file == str(tmp_path / "none.safetensors")
    with pytest.raises(landsym.InputError, match="must end in"):
        landsym.weights.load(tmp_path / "x.txt", net)
