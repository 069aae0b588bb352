#!/usr/bin/env python3
"""Issue 15, item 6: where do the default and the thesis protocols part, seed by seed?

bench/sweep/agreement.sh trains the thesis toy's width-5 student from the same initial
point with the default protocol (gradient flow, then Newton) and with the thesis's (Adam,
lr 1e-4, then SLSQP), and compares the certified classes. Where they differ, this script
says why: it follows the default protocol from points along Adam's own path. For each K in
the grid, sweep A_K runs the thesis's Adam for K steps (the same steps as the thesis run:
full batch, deterministic), sweep B_K continues every run with the default protocol from
where A_K ended (sweep.init_from, docs/sweep.md), and `landsym classify` certifies B_K's
end points. K = 0 is the default run itself; K = "end" is Adam up to its hand-off to SLSQP
(gradient infinity-norm 1e-6, as the thesis preset). For a seed the two protocols classify
differently, the class of B_K along K shows where Adam's iterate crosses into the basin
(under gradient flow) of the thesis run's class: the protocols part at the first K from
which B_K keeps the thesis class. When even B_end keeps the default class, Adam's path
stayed in the default basin and the polishing (SLSQP against flow + Newton) parts them.

usage: bench/sweep/basins.py AGREEMENT_OUT [THREADS]
  AGREEMENT_OUT: the output directory of bench/sweep/agreement.sh (its default/ and
  thesis/ sweeps, classified), e.g. OUT=/tmp/agree bench/sweep/agreement.sh 100 2
env: LANDSYM=path/to/landsym (default build/landsym)
Writes AGREEMENT_OUT/basins/{A_K,B_K} and bench/sweep/basins.txt.
"""
import csv
import json
import os
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LANDSYM = os.environ.get("LANDSYM", os.path.join(ROOT, "build", "landsym"))
GRID = [300, 1000, 3000, 10000, 30000, "end"]


def classes(sweep_dir):
    """seed -> (class, loss) from a classified sweep's runs.csv."""
    with open(os.path.join(sweep_dir, "classify", "runs.csv")) as f:
        return {int(r["seed"]): (r["class"], float(r["loss"])) for r in csv.DictReader(f)}


def params(sweep_dir, seed):
    """The final parameters of run (5, seed): a 1-D '<f8' .npy, read without numpy."""
    with open(os.path.join(sweep_dir, "runs", f"w5_s{seed}.npy"), "rb") as f:
        b = f.read()
    head = 10 + struct.unpack("<H", b[8:10])[0]
    return struct.unpack(f"<{(len(b) - head) // 8}d", b[head:])


def dist(p, q):
    return max(abs(x - y) for x, y in zip(p, q))


def landsym(*args):
    subprocess.run([LANDSYM, *args], check=True, stdout=subprocess.DEVNULL)


def sweep(cfg, out, seeds, threads):
    """Run (or resume) the sweep of cfg into out and classify it; seconds taken."""
    t0 = time.time()
    path = out + ".json"
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    if not os.path.exists(os.path.join(out, "summary.csv")):
        landsym("sweep", "--config", path, "--out", out, "--seeds", str(seeds),
                "--threads", str(threads), "--quiet",
                *(["--resume"] if os.path.exists(out) else []))
    if not os.path.exists(os.path.join(out, "classify", "runs.csv")):
        landsym("classify", out, "--threads", str(threads), "--quiet", "--no-figures")
    return time.time() - t0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    agree = os.path.abspath(sys.argv[1])
    threads = sys.argv[2] if len(sys.argv) > 2 else str(os.cpu_count())
    default, thesis = classes(os.path.join(agree, "default")), classes(os.path.join(agree, "thesis"))
    seeds = max(default)
    with open(os.path.join(ROOT, "examples", "table6_1.json")) as f:
        base = json.load(f)
    base.pop("sweep", None)
    work = os.path.join(agree, "basins")
    os.makedirs(work, exist_ok=True)
    along, log = {}, []
    for k in GRID:
        adam = dict(base, train={"method": "adam", "lr": 1e-4, "polish": "none",
                                 "max_iter": 100000 if k == "end" else k, "grad_tol": 1e-6})
        a = os.path.join(work, f"A_{k}")
        ta = sweep(adam, a, seeds, threads)
        b = os.path.join(work, f"B_{k}")
        tb = sweep(dict(base, sweep={"init_from": a}), b, seeds, threads)
        along[k] = classes(b)
        log.append(f"K = {k}: Adam {ta:.0f} s, default protocol from its ends {tb:.0f} s "
                   f"(sweep and classify, 0 when an earlier call left them)")
        print(log[-1], file=sys.stderr)

    lines = [f"where the two protocols part, {seeds} seeds, "
             f"{time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}",
             "class of the default protocol's end point started from Adam's iterate after K "
             "steps (K = 0: the default run;", "end: Adam's hand-off to SLSQP); last column: "
             "the thesis run's class", *log, ""]
    width = max(len(c) for c in ["channel", "symmetry_induced"])
    head = "seed  " + "  ".join(f"{'K=' + str(k):>{width}}" for k in [0, *GRID])
    lines += [head + f"  {'thesis':>{width}}  parts at"]
    parts, polish, agree_n, back = {}, 0, 0, 0
    for s in sorted(default):
        d, t = default[s][0], thesis[s][0]
        seq = [d] + [along[k][s][0] for k in GRID]
        if d == t:
            agree_n += 1
            back += any(c != d for c in seq)
            continue
        # the first K from which the default protocol keeps the thesis run's class
        ks = [0, *GRID]
        i = len(seq)
        while i > 0 and seq[i - 1] == t:
            i -= 1
        if i == len(seq):
            polish += 1
            where = "the polishing"
        else:
            where = f"Adam steps {ks[i - 1]}-{ks[i]}"
            parts[ks[i]] = parts.get(ks[i], 0) + 1
        lines.append(f"{s:4d}  " + "  ".join(f"{c:>{width}}" for c in seq)
                     + f"  {t:>{width}}  {where}")
    n_dis = len(default) - agree_n
    lines += ["", f"seeds whose certified classes differ: {n_dis} of {len(default)}"]
    for k in [0, *GRID]:
        if k in parts:
            lines.append(f"  Adam's iterate enters the thesis class's basin for good by "
                         f"step {k}: {parts[k]}")
    lines.append(f"  Adam's hand-off point still in another class's basin (the polishers "
                 f"part them, below): {polish}")
    lines.append(f"seeds whose classes agree, yet some K gives another class on the way: "
                 f"{back} of {agree_n}")
    # the same start, two polishers: Adam's hand-off point polished by the default protocol
    # (B_end) and by the thesis's SLSQP (the thesis run)
    same = [s for s in default if along["end"][s][0] == thesis[s][0]]
    lines += ["", f"from Adam's hand-off point, gradient flow + Newton (K = end) and SLSQP (the "
              f"thesis run) give the same certified class for {len(same)} of {len(default)} seeds"]
    a_end, b_end = os.path.join(work, "A_end"), os.path.join(work, "B_end")
    for s in sorted(set(default) - set(same)):
        pa = params(a_end, s)
        pt, pb = params(os.path.join(agree, "thesis"), s), params(b_end, s)
        lines.append(f"  seed {s}: flow + Newton {along['end'][s][0]} (loss "
                     f"{along['end'][s][1]:.4g}, {dist(pa, pb):.3g} from the hand-off point, "
                     f"largest outgoing weight {max(map(abs, pb[-5:])):.3g}), SLSQP "
                     f"{thesis[s][0]} (loss {thesis[s][1]:.4g}, {dist(pa, pt):.3g} away, "
                     f"largest outgoing weight {max(map(abs, pt[-5:])):.3g}); at the hand-off "
                     f"it is {max(map(abs, pa[-5:])):.3g}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "basins.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
