"""Per-seed agreement of two sweeps of the same config (e.g. `landsym sweep` on the CPU and
`landsym sweep --device cuda`), each classified by `landsym classify DIR --out DIR/cls`.

usage: python3 compare.py CPU_DIR GPU_DIR

Prints: stop reasons side by side, the final-loss agreement on the runs that converged on
both, the parameter distance up to permutations of the hidden units (one hidden layer),
and the class agreement (runs.csv of each classification). Plain Python (no numpy)."""
import ast
import csv
import itertools
import struct
import sys


def npy(path):
    with open(path, "rb") as f:
        data = f.read()
    hlen = struct.unpack("<H", data[8:10])[0]
    hdr = ast.literal_eval(data[10:10 + hlen].decode())
    assert hdr["descr"] == "<f8" and not hdr["fortran_order"], path
    n = 1
    for s in hdr["shape"]:
        n *= s
    return list(struct.unpack("<%dd" % n, data[10 + hlen:10 + hlen + 8 * n]))


def rows(path):
    return {(r["width"], r["seed"]): r for r in csv.DictReader(open(path))}


def perm_dist(a, b, din, h):
    """min over permutations of the hidden units of max |a - pi(b)| (no biases)."""
    best = float("inf")
    for p in itertools.permutations(range(h)):
        d = 0.0
        for i, j in enumerate(p):
            for k in range(din):
                d = max(d, abs(a[i * din + k] - b[j * din + k]))
            d = max(d, abs(a[h * din + i] - b[h * din + j]))
        best = min(best, d)
    return best


cpu, gpu = sys.argv[1], sys.argv[2]
sc, sg = rows(cpu + "/summary.csv"), rows(gpu + "/summary.csv")
cc, cg = rows(cpu + "/cls/runs.csv"), rows(gpu + "/cls/runs.csv")
keys = sorted(sc, key=lambda k: (int(k[0]), int(k[1])))
n = len(keys)
print(f"{n} runs; CPU {cpu}, GPU {gpu}")
for name, s in (("CPU", sc), ("GPU", sg)):
    stops = {}
    for k in keys:
        stops[s[k]["stop"]] = stops.get(s[k]["stop"], 0) + 1
    conv = sum(s[k]["converged"] in ("1", "true") for k in keys)
    print(f"{name}: converged {conv}; stops {dict(sorted(stops.items()))}")

both = [k for k in keys if sc[k]["stop"] == "grad_tol" and sg[k]["stop"] == "grad_tol"]
zero = [k for k in both if float(sc[k]["loss"]) < 1e-20 and float(sg[k]["loss"]) < 1e-20]
pos = [k for k in both if k not in zero]
rel = sorted(abs(float(sc[k]["loss"]) - float(sg[k]["loss"])) / abs(float(sc[k]["loss"]))
             for k in pos)
mixed = [k for k in both if (float(sc[k]["loss"]) < 1e-20) != (float(sg[k]["loss"]) < 1e-20)]
print(f"converged on both: {len(both)}; both at zero loss (< 1e-20): {len(zero)}; "
      f"zero on one side only: {len(mixed)}")
for tol in (1e-12, 1e-10, 1e-8, 1e-6):
    ok = sum(r <= tol for r in rel)
    print(f"  nonzero-loss minima with relative loss difference <= {tol:g}: {ok} of {len(pos)}")
if rel:
    print(f"  median relative difference {rel[len(rel) // 2]:.2e}, max {rel[-1]:.2e}")

js = ast.literal_eval(open(cpu + "/sweep.json").read().replace("true", "True")
                      .replace("false", "False").replace("null", "None"))
din = js["config"]["student"]["widths"][0]
dist_pos, dist_zero = [], []
for k in both:
    w = int(k[0])
    a = npy(f"{cpu}/runs/w{k[0]}_s{k[1]}.npy")
    b = npy(f"{gpu}/runs/w{k[0]}_s{k[1]}.npy")
    if len(a) != w * din + w or w > 7:
        continue
    (dist_zero if k in zero else dist_pos).append(perm_dist(a, b, din, w))
for name, d in (("nonzero-loss minima", dist_pos), ("zero-loss minima", dist_zero)):
    if not d:
        continue
    d.sort()
    print(f"  parameters up to permutations, {name}: median max-abs distance {d[len(d) // 2]:.2e}, "
          + ", ".join(f"<= {t:g}: {sum(x <= t for x in d)}" for t in (1e-8, 1e-6, 1e-3)) +
          f" of {len(d)}")

same = sum(cc[k]["class"] == cg[k]["class"] for k in keys)
print(f"class agreement: {same} of {n} = {same / n:.4f}")
pairs = {}
for k in keys:
    if cc[k]["class"] != cg[k]["class"]:
        p = (cc[k]["class"], cg[k]["class"])
        pairs[p] = pairs.get(p, 0) + 1
for (a, b), c in sorted(pairs.items(), key=lambda x: -x[1]):
    print(f"  CPU {a} -> GPU {b}: {c}")
for name, c in (("CPU", cc), ("GPU", cg)):
    counts = {}
    for k in keys:
        counts[c[k]["class"]] = counts.get(c[k]["class"], 0) + 1
    print(f"{name} classes: {dict(sorted(counts.items()))}")
