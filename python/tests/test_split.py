"""The split test (thesis Theorem 3) at the thesis teacher, a global minimum: the lifted
point keeps the function, and the inertia of its exact Hessian (numpy eigvalsh) is
In(H_r) + In(M(mu)), with In(M(mu)) as predicted."""
import numpy as np
import pytest

import landsym
from landsym import split


def inertia(ev, tol):
    return {"neg": int(np.sum(ev < -tol)), "zero": int(np.sum(abs(ev) <= tol)),
            "pos": int(np.sum(ev > tol))}


@pytest.mark.parametrize("mu", [0.3, 1.7])
def test_theorem_3(thesis, mu):
    net, th, d = thesis.teacher, thesis.teacher_params, thesis.data
    Y, U = split.matrices(net, d, th, layer=1, neuron=2)
    assert Y.shape == (2, 2) and U.shape == (2, 1)
    big, lifted = split.duplicate(net, th, layer=1, neuron=2, mu=mu)
    assert big.widths == [2, 5, 1]
    with landsym.Landscape(net, d) as a, landsym.Landscape(big, d) as b:
        np.testing.assert_allclose(b.forward(lifted, d.x), a.forward(th, d.x), atol=1e-14)
        Hr = np.linalg.eigvalsh(a.hessian(th))
        Hl = np.linalg.eigvalsh(b.hessian(lifted))
    M = split.block(Y, U, mu)
    np.testing.assert_allclose(M[:2, :2], mu * (1 - mu) * Y, rtol=1e-15)
    tol = 1e-9 * abs(Hl).max()
    iM = inertia(np.linalg.eigvalsh(M), tol)
    p = split.predict(Y, U, mu, tol=1e-12)
    assert {k: p[k] for k in ("neg", "zero", "pos")} == iM
    ir = inertia(Hr, tol)
    assert inertia(Hl, tol) == {k: ir[k] + iM[k] for k in ir}


def test_bad_indices(thesis):
    with pytest.raises(landsym.InputError):
        split.matrices(thesis.teacher, thesis.data, thesis.teacher_params, layer=1, neuron=9)
    with pytest.raises(landsym.InputError):
        split.duplicate(thesis.teacher, thesis.teacher_params, layer=2, neuron=0, mu=0.5)


def test_theorem_3_at_a_nonzero_loss_critical_point(thesis):
    """The reduced critical point behind the nearest saddle of a trained run (loss about
    8e-5, Y != 0; U vanishes at any critical point): lifted Hessian inertia
    = In(H_r) + In(M(mu)) = In(H_r) + prediction, and the sign of Y flips with mu."""
    r = landsym.train(thesis.student, thesis.data, seed=1)
    s = landsym.paths.saddle(thesis.student, thesis.data, r["x"])
    net, th, d = s["reduced_net"], s["reduced"], thesis.data
    assert s["reduced_loss"] > 1e-8 and s["reduced_grad"] < 1e-12
    for mu in (0.3, 1.7):
        Y, U = split.matrices(net, d, th, layer=1, neuron=0)
        big, lifted = split.duplicate(net, th, layer=1, neuron=0, mu=mu)
        with landsym.Landscape(net, d) as a, landsym.Landscape(big, d) as b:
            Hr = np.linalg.eigvalsh(a.hessian(th))
            Hl = np.linalg.eigvalsh(b.hessian(lifted))
        tol = 1e-9 * abs(Hl).max()
        M = np.linalg.eigvalsh(split.block(Y, U, mu))
        p = split.predict(Y, U, mu, tol=1e-12)
        assert p["rank_u"] == 0 and np.abs(Y).max() > 1e-8
        assert {k: p[k] for k in ("neg", "zero", "pos")} == inertia(M, tol)
        ir, im = inertia(Hr, tol), inertia(M, tol)
        assert inertia(Hl, tol) == {k: ir[k] + im[k] for k in ir}
