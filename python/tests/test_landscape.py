"""Loss, gradient, Hessian, HVP and spectrum against independent truth: central finite
differences in numpy, the loss recomputed from the network's outputs, numpy's eigvalsh."""
import numpy as np
import pytest

import landsym


def fd_grad(f, th, h=1e-6):
    g = np.empty_like(th)
    for i in range(th.size):
        e = np.zeros_like(th)
        e[i] = h
        g[i] = (f(th + e) - f(th - e)) / (2 * h)
    return g


def fd_jac(gfun, th, h=1e-6):
    cols = []
    for i in range(th.size):
        e = np.zeros_like(th)
        e[i] = h
        cols.append((gfun(th + e) - gfun(th - e)) / (2 * h))
    return np.array(cols).T


@pytest.mark.parametrize("which", ["toy", "small"])
def test_gradient_hessian_hvp_finite_differences(which, toy, small):
    ls, th = toy if which == "toy" else small[2:]
    f, g = ls.loss_grad(th)
    assert f == ls.loss(th)
    np.testing.assert_allclose(g, fd_grad(ls.loss, th), rtol=1e-6, atol=1e-8)
    H = ls.hessian(th)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(H, fd_jac(ls.grad, th), rtol=1e-5, atol=1e-7)
    v = np.linspace(-1, 1, th.size)
    np.testing.assert_allclose(ls.hvp(th, v), H @ v, rtol=1e-10, atol=1e-12)


def test_loss_from_outputs(small):
    """MSE = sum_k w_k sum_o (f_o(x_k) - y_ko)^2 with the weights normalised (DESIGN.md)."""
    net, data, ls, th = small
    out = ls.forward(th, data.x)
    w = data.w
    assert abs(w.sum() - 1) < 1e-15
    expect = float(np.sum(w[:, None] * (out - data.y) ** 2))
    assert ls.loss(th) == pytest.approx(expect, rel=1e-13)


def test_closed_form_linear_net():
    """1-1-1 identity net without biases: f(x) = a b x, L = mean((a b x - y)^2)."""
    x = np.array([[1.0], [2.0], [-1.0]])
    y = np.array([[0.5], [1.0], [0.0]])
    net = landsym.Net([1, 1, 1], activation="identity", bias=False)
    with landsym.Landscape(net, landsym.Data(x, y)) as ls:
        a, b = 0.7, -1.3
        r = a * b * x[:, 0] - y[:, 0]
        assert ls.loss(np.array([a, b])) == pytest.approx(np.mean(r ** 2), rel=1e-15)
        g = ls.grad(np.array([a, b]))
        assert g == pytest.approx([np.mean(2 * r * b * x[:, 0]), np.mean(2 * r * a * x[:, 0])],
                                  rel=1e-14)


def test_spectrum_dense_and_lanczos(toy):
    ls, th = toy
    H = ls.hessian(th)
    ref = np.linalg.eigvalsh(H)
    s = ls.spectrum(th, method="dense")
    assert s["method"] == "dense" and s["evals"].size == th.size
    np.testing.assert_allclose(s["evals"], ref, atol=1e-10 * abs(ref).max())
    z = ls.spectrum(th, method="lanczos", k=3)
    assert z["method"] == "lanczos" and z["n_hvp"] > 0 and z["evals"].size == 6
    np.testing.assert_allclose(z["evals"][:3], ref[:3], atol=1e-8 * abs(ref).max())
    np.testing.assert_allclose(z["evals"][3:], ref[-3:], atol=1e-8 * abs(ref).max())


def test_outputs_in_place(toy):
    ls, th = toy
    g = np.zeros(th.size)
    f, g2 = ls.loss_grad(th, out=g)
    assert g2 is g and np.any(g != 0)
    H = np.empty((th.size, th.size))
    assert ls.hessian(th, out=H) is H


def test_teacher_is_a_global_minimum(thesis):
    """The thesis teacher realised by the student with one zero output weight (an
    expansion point, Theorem 3.1) has zero loss and zero gradient."""
    t = thesis.teacher_params
    # student 2-5-1: W1 rows (5 x 2) then W2 (1 x 5); neuron 5 gets a zero output weight
    th = np.concatenate([t[:8], [0.3, -0.2], t[8:], [0.0]])
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        f, g = ls.loss_grad(th)
        assert f < 1e-30 and np.abs(g).max() < 1e-15


def test_data_generators():
    d = landsym.Data.grid(41, dim=2, lo=-5, hi=5)
    assert d.x.shape == (1681, 2) and d.x[0].tolist() == [-5, -5] and d.x[1, 1] == -4.75
    h = landsym.Data.hermite(10, dim=1)
    assert abs(h.w.sum() - 1) < 1e-14 and abs(h.w @ h.x[:, 0] ** 2 - 1) < 1e-13
    g = landsym.Data.gaussian(5, 3, seed=2)
    assert g.x.shape == (5, 3) and np.array_equal(g.x, landsym.Data.gaussian(5, 3, seed=2).x)


def test_data_without_copy():
    x = np.zeros((4, 2))
    y = np.zeros((4, 1))
    d = landsym.Data(x, y)
    assert d.x is x and d.y is y
    net = landsym.Net([2, 2, 1], activation="identity", bias=False)
    with landsym.Landscape(net, d) as ls:
        th = np.ones(net.n_params)
        assert ls.loss(th) == 0.0
        x[:, 0] = 1.0  # the library reads the caller's array
        assert ls.loss(th) == pytest.approx(4.0)


def test_config_dict_and_teacher_targets(thesis):
    cfg = landsym.Config({"data": {"kind": "grid", "n": 5, "lo": -1, "hi": 1},
                          "teacher": {"widths": [2, 2, 1], "activation": "tanh", "bias": False,
                                      "params": [1, 2, 3, 4, 5, 6]},
                          "student": {"widths": [2, 3, 1], "activation": "tanh"}})
    d = landsym.Data.grid(5, dim=2, lo=-1, hi=1).set_teacher(cfg.teacher, cfg.teacher_params)
    np.testing.assert_array_equal(d.y, cfg.data.y)
    with landsym.Landscape(cfg.teacher, d) as ls:
        assert ls.loss(cfg.teacher_params) < 1e-28  # rounding of two evaluation orders


@pytest.mark.parametrize("glu, glu2", [(1, 0), (2, 1)])
def test_gated_units_finite_differences(glu, glu2):
    """Networks with gated linear units and second-order gated units (docs/engine.md):
    the parameter layout covers every parameter once, and gradient, Hessian and HVP
    agree with central differences in numpy."""
    rng = np.random.default_rng(5)
    net = landsym.Net([2, 3, 1], activation="sigmoid", bias=True, glu=glu, glu2=glu2)
    assert net.glu == [glu] and net.glu2 == [glu2]
    blocks = net.layout()
    assert sum(b["size"] for b in blocks) == net.n_params
    assert [b["offset"] for b in blocks] == sorted(b["offset"] for b in blocks)
    assert (glu2 > 0) == any(b["part"] == "glu_quad" for b in blocks)
    x = rng.standard_normal((11, 2))
    y = rng.standard_normal((11, 1))
    with landsym.Data(x, y) as data, landsym.Landscape(net, data) as ls:
        th = rng.uniform(-1, 1, net.n_params)
        np.testing.assert_allclose(ls.grad(th), fd_grad(ls.loss, th), rtol=1e-6, atol=1e-8)
        H = ls.hessian(th)
        np.testing.assert_array_equal(H, H.T)
        np.testing.assert_allclose(H, fd_jac(ls.grad, th), rtol=1e-5, atol=1e-7)
        v = np.linspace(-1, 1, th.size)
        np.testing.assert_allclose(ls.hvp(th, v), H @ v, rtol=1e-10, atol=1e-12)
    with pytest.raises(landsym.InputError):
        landsym.Net([2, 3, 1], glu=1, glu2=2)
