"""Worked example of the Python package (docs/python.md) on the thesis toy (Stoican 2022,
section 6.2: a 2-4-1 sigmoid teacher without biases on the 41x41 grid of [-5,5]^2, a
width-5 student; examples/thesis_toy.json). Every number comes from the C library.

  1. train the student once (landsym.train_config) and print the MLPGradientFlow-style
     result;
  2. sweep SEEDS seeds (landsym.sweep: what `landsym sweep` writes) and classify every run
     (landsym.classify_dir: global minimum, symmetry-induced critical point, local minimum,
     saddle, channel, not converged; thesis table 6.1);
  3. plot the loss curves of the sweep and the class table (when matplotlib is installed);
  4. build a small MLP in PyTorch (when installed, trained a few hundred Adam steps on the
     same data; else its weights drawn with numpy), save it to safetensors through
     landsym.weights, load it back, and print its Hessian spectrum and its closest
     symmetry-induced saddle.

Usage (from the checkout, with the package installed as docs/python.md says):
    python3 examples/python/thesis_toy.py [SEEDS] [OUTDIR]
SEEDS defaults to 20 (about 10 s on 2 cores); the thesis's table uses 100 or 1000 seeds:
    python3 examples/python/thesis_toy.py 100 out100
"""
import collections
import csv
import json
import os
import sys

import numpy as np

import landsym
from landsym import weights

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "thesis_toy.json")


def train_once():
    r = landsym.train_config(CONFIG, seed=1)
    print("1. one training run: loss %.3e, |grad|_inf %.2e, converged %s, stopped by %s "
          "(phases %s), %d points on its loss curve"
          % (r["loss"], r["gnorm"], r["converged"], r["stopped_by"], r["stopped_by_phase"],
             len(r["loss_curve"]["loss"])))


def sweep_and_classify(seeds, outdir):
    with open(CONFIG) as f:
        config = json.load(f)
    config["sweep"] = {"trajectory": True}  # keep the loss curves: runs/w5_s<S>.traj.csv
    sweep_dir = os.path.join(outdir, "sweep")
    s = landsym.sweep(config, seeds=seeds, out=sweep_dir, threads=0, progress=True,
                      resume=os.path.exists(os.path.join(sweep_dir, "sweep.json")))
    print("2. sweep of %d seeds in %s: %d converged, %d failed, %.1f s"
          % (seeds, sweep_dir, s["converged"], s["failed"], s["wall_s"]))
    runs = landsym.classify_dir(sweep_dir)
    print("   seed  class             certificate   loss        |grad|_inf")
    for r in runs:
        print("   %4d  %-16s  %-12s  %.3e   %.2e" % (r["seed"], r["class"],
                                                    r.get("certificate", "-"),
                                                    r.get("loss", float("nan")),
                                                    r.get("grad_norm", float("nan"))))
    table = collections.Counter(r["class"] for r in runs)
    print("   classes:", dict(table))
    return sweep_dir, runs, table


def loss_curves(sweep_dir, runs):
    curves = []
    for r in runs:
        path = os.path.join(sweep_dir, "runs", "w%d_s%d.traj.csv" % (r["width"], r["seed"]))
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        curves.append((r["seed"], r["class"], [int(x["iter"]) for x in rows],
                       [float(x["loss"]) for x in rows]))
    return curves


def plot(curves, table, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("3. matplotlib is not installed: no plots (pip install matplotlib)")
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    colors = {}
    for seed, cls, it, loss in curves:
        c = colors.setdefault(cls, "C%d" % len(colors))
        a.loglog(np.maximum(it, 1), np.maximum(loss, 1e-32), color=c, lw=0.8,
                 label=cls if cls not in a.get_legend_handles_labels()[1] else None)
    a.set_xlabel("iteration")
    a.set_ylabel("loss")
    a.legend(fontsize=8)
    a.set_title("thesis toy: loss curves of %d seeds" % len(curves))
    b.axis("off")
    b.table(cellText=[[k, v] for k, v in sorted(table.items())], colLabels=["class", "runs"],
            loc="center")
    b.set_title("classes (thesis table 6.1)")
    path = os.path.join(outdir, "thesis_toy.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print("3. loss curves and class table:", path)


def small_mlp(cfg):
    """(net, theta) of a 2-5-1 sigmoid MLP without biases: trained in PyTorch when torch is
    installed, else weights drawn with numpy."""
    try:
        import torch
        from torch import nn
    except ImportError:
        rng = np.random.default_rng(0)
        net = landsym.Net([2, 5, 1], activation="sigmoid", bias=False)
        sd = {"0.weight": rng.standard_normal((5, 2)), "2.weight": rng.standard_normal((1, 5))}
        print("4. torch is not installed: a 2-5-1 MLP with weights from numpy")
        return net, weights.from_state_dict(net, sd)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 5, bias=False), nn.Sigmoid(),
                          nn.Linear(5, 1, bias=False)).double()
    x, y = torch.from_numpy(cfg.data.x), torch.from_numpy(cfg.data.y)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).sum(dim=1).mean()
        loss.backward()
        opt.step()
    print("4. a 2-5-1 MLP trained in PyTorch (300 Adam steps): torch loss %.3e" % loss.item())
    return weights.from_torch(model)


def mlp_landscape(cfg, outdir):
    net, theta = small_mlp(cfg)
    path = os.path.join(outdir, "mlp.safetensors")
    weights.save_safetensors(path, net, theta)
    back = weights.load_safetensors(path, net)
    assert back.tobytes() == theta.tobytes()  # bit-exact round trip
    print("   saved to %s and read back bit for bit (also: landsym eval --params %s)"
          % (path, path))
    with landsym.Landscape(net, cfg.data) as ls:
        print("   loss on the thesis data (landsym): %.6e" % ls.loss(back))
        s = ls.spectrum(back)
        print("   Hessian spectrum (%s): %s" % (s["method"],
                                               " ".join("%.3e" % e for e in s["evals"])))
    sd = landsym.paths.saddle(net, cfg.data, back)
    print("   closest symmetry-induced saddle: units %d and %d merged, distance %.4f, loss "
          "%.6e, inertia %s (split test predicts %s)"
          % (sd["pair"][0], sd["pair"][1], sd["distance"], sd["saddle_loss"], sd["inertia"],
             sd["predicted_inertia"]))


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    outdir = sys.argv[2] if len(sys.argv) > 2 else "thesis-toy-python"
    os.makedirs(outdir, exist_ok=True)
    with landsym.Config(CONFIG) as cfg:
        print(cfg.student, "on", cfg.data_desc)
        train_once()
        sweep_dir, runs, table = sweep_and_classify(seeds, outdir)
        plot(loss_curves(sweep_dir, runs), table, outdir)
        mlp_landscape(cfg, outdir)


if __name__ == "__main__":
    main()
