"""Against torch.autograd in float64 (skipped when torch is missing): loss, gradient and
Hessian of a torch-built nn.Sequential agree to 1e-12 relative; weights move both ways."""
import numpy as np
import pytest

import landsym
from landsym import weights

torch = pytest.importorskip("torch")
nn = torch.nn


def rel(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


def torch_loss(model, net, v, x, y):
    """The MSE of the Sequential with its parameters taken from the flat vector v (the
    layout of net.layout()), built from torch's own modules and autograd."""
    parts = {}
    for b in net.layout():
        parts[b["name"]] = v[b["offset"]:b["offset"] + b["size"]].reshape(b["shape"])
    h = x
    for i, m in enumerate(model):
        if isinstance(m, nn.Linear):
            h = nn.functional.linear(h, parts["%d.weight" % i], parts.get("%d.bias" % i))
        else:
            h = m(h)
    return ((h - y) ** 2).sum(dim=1).mean()


@pytest.mark.parametrize("act", ["Tanh", "Sigmoid", "Softplus"])
def test_loss_grad_hessian_match_autograd(act):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), getattr(nn, act)(),
                          nn.Linear(4, 2, bias=False)).double()
    net, theta = weights.from_torch(model)
    x = torch.randn(20, 3, dtype=torch.float64)
    y = torch.randn(20, 2, dtype=torch.float64)
    with landsym.Landscape(net, landsym.Data(x.numpy(), y.numpy())) as ls:
        f, g = ls.loss_grad(theta)
        H = ls.hessian(theta)
    v = torch.tensor(theta, requires_grad=True)
    ft = torch_loss(model, net, v, x, y)
    gt = torch.autograd.grad(ft, v)[0].numpy()
    Ht = torch.autograd.functional.hessian(lambda u: torch_loss(model, net, u, x, y),
                                           torch.tensor(theta)).numpy()
    assert ft.item() == pytest.approx(model_loss(model, x, y), rel=1e-14)
    assert abs(f - ft.item()) <= 1e-12 * abs(ft.item())
    assert rel(g, gt) <= 1e-12
    assert rel(H, Ht) <= 1e-12


def model_loss(model, x, y):
    with torch.no_grad():
        return ((model(x) - y) ** 2).sum(dim=1).mean().item()


def test_to_torch_round_trip():
    net = landsym.Net([2, 5, 1], activation="sigmoid", bias=False)
    theta = net.init(1)
    model = weights.to_torch(net, theta)
    net2, theta2 = weights.from_torch(model)
    assert net2.widths == net.widths and theta2.tobytes() == theta.tobytes()
    x = np.random.default_rng(0).standard_normal((4, 2))
    with landsym.Landscape(net, landsym.Data(x, np.zeros((4, 1)))) as ls:
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(ls.forward(theta, x), ref, rtol=1e-14)


def test_float32_state_dict_widens_exactly():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    net, theta = weights.from_torch(model)
    ref = np.concatenate([p.detach().numpy().astype(np.float64).ravel()
                          for p in model.state_dict().values()])
    assert theta.tobytes() == ref.tobytes()
