"""Shared fixtures: the thesis toy (section 6.2: 41x41 grid on [-5,5]^2, 2-4-1 sigmoid
teacher without biases, 2-5-1 student) and a small network with biases on random data."""
import numpy as np
import pytest

import landsym


@pytest.fixture(scope="session")
def thesis():
    cfg = landsym.Config("builtin:thesis")
    yield cfg
    cfg.close()


@pytest.fixture
def toy(thesis):
    ls = landsym.Landscape(thesis.student, thesis.data)
    yield ls, thesis.student.init(3)
    ls.close()


@pytest.fixture
def small():
    """2-3-2 tanh net with biases, 7 Gaussian samples, random targets and weights."""
    rng = np.random.default_rng(1)
    net = landsym.Net([2, 3, 2], activation="tanh", bias=True)
    x = rng.standard_normal((7, 2))
    y = rng.standard_normal((7, 2))
    w = rng.uniform(0.5, 1.5, 7)
    data = landsym.Data(x, y, w)
    ls = landsym.Landscape(net, data)
    yield net, data, ls, rng.standard_normal(net.n_params)
    ls.close()
