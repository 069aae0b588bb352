"""landsym.path (exp_path.h; Brea et al. 2019 Algorithm 1): the loss at the path's start
against a forward pass written in numpy, the barrier against the losses along the path,
and the numbers against `landsym path` on the same config and start point."""
import csv
import os
import subprocess

import numpy as np
import pytest

import landsym

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY = os.path.join(ROOT, "examples", "thesis_toy.json")


def numpy_loss(theta, x, y, w):
    """The thesis student 2-5-1, sigmoid, no biases: L = sum_k w_k (a . s(W x_k) - y_k)^2
    with the sample weights summing to one (docs/python.md's layout: W 5x2, then a)."""
    W, a = theta[:10].reshape(5, 2), theta[10:15]
    h = 1.0 / (1.0 + np.exp(-(x @ W.T)))
    return float(np.sum(w * (h @ a - y[:, 0]) ** 2))


@pytest.fixture(scope="module")
def start(tmp_path_factory):
    with landsym.Config(TOY) as cfg:
        r = landsym.train(cfg.student, cfg.data, seed=2, method="adam", lr=1e-2,
                          max_iter=3000, polish="lbfgs", keep_params=False)
        x, y = cfg.data.x.copy(), cfg.data.y.copy()
        # no weights: uniform, 1/n each
        w = cfg.data.w.copy() if cfg.data.w is not None else np.full(len(x), 1.0 / len(x))
    f = str(tmp_path_factory.mktemp("path") / "start.npy")
    np.save(f, r["x"])
    return r["x"], f, (x, y, w)


@pytest.fixture(scope="module")
def result(start, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("path") / "py")
    return landsym.path(TOY, pair=(0, 1), params=start[0], steps=12, maxeval=200, out=out,
                        threads=1), out


def test_path_start_and_barrier(start, result):
    theta, _, (x, y, w) = start
    p, _ = result
    n = len(p["d"])
    assert n == 13 and p["params"].shape == (n, 15)
    for k in ("d", "distance", "loss", "grad_norm", "lambda"):
        assert p[k].dtype == np.float64 and p[k].shape == (n,)
    # the path starts at the given point, whose loss a numpy forward pass gives
    assert np.array_equal(p["params"][0], theta)
    assert p["loss"][0] == pytest.approx(numpy_loss(theta, x, y, w), rel=1e-12)
    # the distances decrease from d0 to dmin d0
    assert p["d"][0] == pytest.approx(p["d0"]) and np.all(np.diff(p["d"]) < 0)
    # the barrier: max loss (apex included) - loss at the start; over the full path,
    # which ends at the partner minimum, max(loss) - loss at the end
    top = max(p["loss"].max(), p["apex_loss"]) if p["has_apex"] else p["loss"].max()
    assert p["barrier"] == pytest.approx(top - p["loss"][0], rel=1e-12, abs=1e-15)
    full = p["full"]
    assert full["loss"][-1] == pytest.approx(p["loss"][0], rel=1e-9)
    assert full["loss"].max() - full["loss"][-1] == pytest.approx(p["barrier"], rel=1e-6,
                                                                  abs=1e-12)
    for th, L in zip(p["params"][::4], p["loss"][::4]):
        assert L == pytest.approx(numpy_loss(th, x, y, w), rel=1e-12)


def test_path_matches_the_command_line(start, result, tmp_path):
    exe = os.environ.get("LANDSYM_BIN")
    if not exe:
        pytest.skip("LANDSYM_BIN not set (tests/test_python.sh sets it)")
    _, f, _ = start
    p, _ = result
    cli = str(tmp_path / "cli")
    subprocess.run([exe, "path", "--config", TOY, "--params", f, "--pair", "0,1", "--steps",
                    "12", "--maxeval", "200", "--out", cli, "--no-plot"], check=True,
                   capture_output=True,  # one thread, as path(threads=1)
                   env=dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))
    with open(os.path.join(cli, "path_0_1.csv")) as fh:
        rows = list(csv.DictReader(fh))
    full = p["full"]
    assert len(rows) == len(full["loss"])
    for r, s, d, L in zip(rows, full["s"], full["d"], full["loss"]):
        assert float(r["s"]) == pytest.approx(s, rel=1e-12, abs=1e-300)
        assert float(r["d"]) == pytest.approx(d, rel=1e-12, abs=1e-300)
        assert float(r["loss"]) == pytest.approx(L, rel=1e-12, abs=1e-300)


def test_path_bad_input():
    with pytest.raises(ValueError, match="pair"):
        landsym.path(TOY, pair="some")
    with pytest.raises(landsym.InputError):
        landsym.path(TOY, pair=(0, 9), params=np.zeros(15), steps=2)
    with pytest.raises(ValueError, match="shape"):
        landsym.path(TOY, pair=(0, 1), params=np.zeros(3))
    with pytest.raises(landsym.InputError):
        landsym.path(TOY, pair=(0, 1))  # the teacher is narrower than the student
