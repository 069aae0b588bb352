"""The nearest symmetry-induced saddle (thesis 6.3.2) and loss slices, checked against the
Landscape's own loss and numpy's eigenvalues of the exact Hessian."""
import numpy as np
import pytest

import landsym
from landsym import paths


@pytest.fixture(scope="module")
def minimum(thesis):
    r = landsym.train(thesis.student, thesis.data, seed=1)
    assert r["loss"] < 1e-25
    return r["x"]


def test_saddle(thesis, minimum):
    s = paths.saddle(thesis.student, thesis.data, minimum)
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        f, g = ls.loss_grad(s["saddle"])
        ev = np.linalg.eigvalsh(ls.hessian(s["saddle"]))
    assert f == pytest.approx(s["saddle_loss"], rel=1e-12) and np.abs(g).max() < 1e-10
    assert s["inertia"]["neg"] >= 1 and s["inertia"] == s["predicted_inertia"]
    np.testing.assert_allclose(s["eigs"], ev, atol=1e-9 * np.abs(ev).max())
    assert s["reduced_net"].widths == [2, 4, 1]
    assert s["distance"] == pytest.approx(np.linalg.norm(s["saddle"] - minimum), rel=1e-12)


def test_slice(thesis, minimum):
    b = thesis.student.init(2)
    t, L = paths.slice_1d(thesis.student, thesis.data, minimum, b, -0.5, 1.5, n=9)
    assert t[0] == -0.5 and t[-1] == 1.5 and L.shape == (9,)
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        for ti, Li in zip(t, L):
            assert Li == pytest.approx(ls.loss(minimum + ti * (b - minimum)), rel=1e-12)
