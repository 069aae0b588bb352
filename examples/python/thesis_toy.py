"""Worked example of the Python bindings (docs/python.md) on the thesis toy (Stoican 2022,
section 6.2: 2-4-1 sigmoid teacher on the 41x41 grid of [-5,5]^2, width-5 student):

  1. train the student from several seeds, classify where each run ends (global minimum,
     symmetry-induced critical point, saddle, ...; landsym.sym.classify_many) and tabulate
     loss, gradient, class and the extreme Hessian eigenvalues (all from the library);
  2. plot the loss curves (when matplotlib is installed);
  3. write one trained network to a safetensors file as an nn.Sequential state_dict, read
     it back (as a PyTorch user's file would be read), print its Hessian spectrum and its
     nearest symmetry-induced saddle; with torch installed, evaluate it as a torch model;
  4. the exact counts behind the picture (Şimşek et al. 2021): T(4, 5) subspaces of the
     expansion manifold from the 4-neuron teacher to width 5, and the ratios R_k.

Usage: PYTHONPATH=build/python/site python3 examples/python/thesis_toy.py [SEEDS] [OUTDIR]
"""
import os
import sys

import numpy as np

import landsym
from landsym import count, sym, weights


def train_seeds(cfg, seeds):
    rows, curves = [], []
    with landsym.Landscape(cfg.student, cfg.data) as ls:
        for seed in range(seeds):
            r = landsym.train(cfg.student, cfg.data, seed=seed, method="adam", lr=1e-3,
                              max_iter=100000, polish="auto")
            ev = ls.spectrum(r["x"])["evals"]
            rows.append((seed, r["loss"], r["gnorm"], r["stopped_by"], ev[0], ev[-1], r["x"]))
            curves.append((seed, r["loss_curve"]))
    classes = sym.classify_many(cfg.student, cfg.data, [row[6] for row in rows],
                                teacher=cfg.teacher, theta_t=cfg.teacher_params)
    print("seed  loss        |grad|_inf  stopped by   class             min eig     max eig")
    for (seed, f, g, why, lo, hi, _), c in zip(rows, classes):
        print("%4d  %.3e   %.2e    %-11s  %-16s  %+.3e  %.3e" % (seed, f, g, why, c["class"],
                                                                lo, hi))
    tally = {}
    for c in classes:
        tally[c["class"]] = tally.get(c["class"], 0) + 1
    print("classes:", tally)
    return rows, curves


def plot(curves, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for seed, c in curves:
        ax.loglog(np.maximum(c["iter"], 1), c["loss"], label="seed %d" % seed)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.legend(fontsize=7)
    path = os.path.join(outdir, "loss_curves.png")
    fig.savefig(path, dpi=120)
    print("loss curves:", path)


def safetensors_round_trip(cfg, theta, outdir):
    path = os.path.join(outdir, "student.safetensors")
    weights.save(path, cfg.student, theta)
    back = weights.load(path, cfg.student)
    assert back.tobytes() == theta.tobytes()
    print("wrote %s: tensors %s" % (path, [b["name"] for b in cfg.student.layout()]))
    with landsym.Landscape(cfg.student, cfg.data) as ls:
        s = ls.spectrum(back)
        print("Hessian spectrum of the file's network (%s):" % s["method"])
        print("  " + " ".join("%.3e" % e for e in s["evals"]))
    sd = landsym.paths.saddle(cfg.student, cfg.data, back)
    print("nearest symmetry-induced saddle: units %d and %d merged, distance %.4f, loss %.6e, "
          "inertia %s (split test predicted %s)" % (sd["pair"][0], sd["pair"][1], sd["distance"],
                                                    sd["saddle_loss"], sd["inertia"],
                                                    sd["predicted_inertia"]))
    try:
        import torch
    except ImportError:
        print("(torch not installed: skipping the torch model)")
        return
    model = weights.to_torch(cfg.student, back)
    with torch.no_grad():
        out = model(torch.from_numpy(cfg.data.x))
    print("torch model loss on the grid: %.6e" %
          float(((out.numpy() - cfg.data.y) ** 2).sum(axis=1).mean()))


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    outdir = sys.argv[2] if len(sys.argv) > 2 else "python-example-out"
    os.makedirs(outdir, exist_ok=True)
    cfg = landsym.Config("builtin:thesis")
    print(cfg.student, "on", cfg.data_desc)
    rows, curves = train_seeds(cfg, seeds)
    plot(curves, outdir)
    best = min(rows, key=lambda r: r[1])
    safetensors_round_trip(cfg, best[6], outdir)
    print("T(4, 5) = %d affine subspaces (Theorem 3.1); G(3, 5) = %d critical ones from a "
          "3-neuron point" % (count.T(4, 5), count.G(3, 5)))
    r = count.ratios(4, 5, digits=20)
    print("R_k(4, 5), k = 1..3:", r["R"], "total", r["total"])


if __name__ == "__main__":
    main()
