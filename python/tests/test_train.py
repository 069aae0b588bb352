"""train(): the result dict, the progress callback, the GIL released during training."""
import threading
import time

import numpy as np
import pytest

import landsym


def test_result_dict(thesis):
    th0 = thesis.student.init(0)
    r = landsym.train(thesis.student, thesis.data, th0, method="adam", lr=1e-2, max_iter=3000)
    for k in ("x", "init", "loss", "gnorm", "converged", "stopped_by", "trajectory",
              "loss_curve", "phases", "stopped_by_phase"):
        assert k in r
    assert np.array_equal(r["init"], th0) and r["x"].shape == th0.shape
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        f, g = ls.loss_grad(r["x"])
    assert f == r["loss"] and np.abs(g).max() == r["gnorm"]
    assert r["converged"] == (r["stopped_by"] in ("grad_tol", "loss_tol"))
    t = r["trajectory"]
    n = t["loss"].size
    assert n > 5 and t["x"].shape == (n, th0.size) and t["iter"].size == n
    assert np.all(np.diff(t["iter"]) >= 0)
    assert r["loss_curve"]["loss"] is t["loss"]


def test_same_as_default_initialisation(thesis):
    a = landsym.train(thesis.student, thesis.data, seed=4, method="gd", lr=0.1, max_iter=50,
                      polish="none", keep_params=False)
    b = landsym.train(thesis.student, thesis.data, thesis.student.init(4), method="gd",
                      lr=0.1, max_iter=50, polish="none")
    assert a["x"].tobytes() == b["x"].tobytes() and a["trajectory"]["x"] is None


def test_progress_callback_can_stop(thesis):
    seen = []

    def cb(p):
        seen.append(p)
        return True

    r = landsym.train(thesis.student, thesis.data, method="adam", max_iter=10 ** 7,
                      polish="none", progress=cb)
    assert seen and r["stopped_by"] == "user" and seen[0]["phase"] == "adam"


def test_progress_exception_propagates(thesis):
    def cb(p):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        landsym.train(thesis.student, thesis.data, method="adam", max_iter=10 ** 7,
                      polish="none", progress=cb)


def test_gil_released(thesis):
    """While one thread trains (one library call of about 0.5 s), another keeps running."""
    done = threading.Event()

    def work():
        landsym.train(thesis.student, thesis.data, method="adam", max_iter=10 ** 8,
                      polish="none", time_limit=0.5, traj_per_decade=0)
        done.set()

    th = threading.Thread(target=work)
    ticks = 0
    th.start()
    time.sleep(0.05)
    t0 = time.perf_counter()
    while not done.is_set() and time.perf_counter() - t0 < 0.3:
        ticks += 1
    th.join()
    assert ticks > 10000, "the main thread was blocked during ls_train"


def test_train_config(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"data": {"kind": "grid", "n": 11, "lo": -3, "hi": 3},'
                 ' "teacher": {"widths": [2, 2, 1], "activation": "sigmoid", "bias": false,'
                 '   "params": [1, -1, 0.5, 0.7, 1, -1]},'
                 ' "student": {"widths": [2, 2, 1], "activation": "sigmoid", "bias": false},'
                 ' "train": {"method": "adam", "lr": 0.01, "max_iter": 20000}, "seed": 1}')
    r = landsym.train_config(str(p))
    assert r["loss"] < 1e-20 and r["converged"]


def test_newton_on_products_matches_dense(thesis):
    """newton_hessian: Newton-CG on Hessian-vector products ends where dense Newton ends
    (from a 1e-4 perturbation of a point both reach)."""
    base = landsym.train(thesis.student, thesis.data, seed=2)
    start = base["x"] + 1e-4 * np.random.default_rng(0).standard_normal(base["x"].size)
    r = {k: landsym.train(thesis.student, thesis.data, start, method="none",
                          polish="newton", newton_hessian=k) for k in ("dense", "hvp")}
    for k in r:
        assert r[k]["gnorm"] < 1e-13, (k, r[k]["gnorm"], r[k]["stopped_by"])
    # seed 2 ends at a zero-loss (degenerate) global minimum, where both stop between 1e-27
    # and 1e-21 (Newton is sublinear there); tests/test_newton_cg.c checks a strict minimum
    assert abs(r["dense"]["loss"] - r["hvp"]["loss"]) <= 1e-12 * r["dense"]["loss"] + 1e-20
    with pytest.raises(landsym.InputError, match="newton_hessian"):
        landsym.train(thesis.student, thesis.data, base["x"], polish="newton",
                      newton_hessian="sparse")
