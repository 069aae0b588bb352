"""Per-call time of Landscape.loss_grad on the thesis toy from Python (the binding's checks,
the lock, and the C call), of the same C call through the bare cffi function, and the
C loop's time given on the command line: prints a small table (bench/python/run.sh).
Rounds of the different calls are interleaved, so that a change of machine load between
them shifts all alike; the best round of each counts.
Usage: python3 bench_call.py C_NS C1_NS [SECONDS] [ROUNDS]
  C_NS, C1_NS: the C loop's ns per call on the whole toy and on its first sample alone."""
import sys
import time

import numpy as np

import landsym
from landsym._core import ffi, lib


def round_ns(fn, secs):
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(100):
            fn()
        n += 100
        t = time.perf_counter() - t0
        if t >= secs:
            return t / n * 1e9


def best_ns(fns, secs, rounds):
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], round_ns(fn, secs))
    return best


def calls(net, data):
    ls = landsym.Landscape(net, data)
    th = net.init(3)
    g = np.empty_like(th)
    f = ffi.new("double *")
    pt, pg = ffi.from_buffer("double[]", th), ffi.from_buffer("double[]", g)
    return ls, [lambda: lib.ls_loss_grad(ls._n, ls._d, pt, f, pg, ls._w),
                lambda: ls.loss_grad(th, out=g), lambda: ls.loss_grad(th)]


def main():
    c_ns, c1_ns = float(sys.argv[1]), float(sys.argv[2])
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    cfg = landsym.Config("builtin:thesis")
    one = landsym.Data(cfg.data.x[:1].copy(), cfg.data.y[:1].copy())
    ls, full = calls(cfg.student, cfg.data)
    ls1, tiny = calls(cfg.student, one)
    t = best_ns(full + tiny, secs, rounds)
    names = ("bare cffi lib.ls_loss_grad", "Landscape.loss_grad(theta, out=g)",
             "Landscape.loss_grad(theta)")
    print("%-48s %10s %12s" % ("loss + gradient, thesis student (15 parameters)", "ns/call",
                                "over C, ns"))
    for label, c, ts in (("1681 points", c_ns, t[:3]), ("first point only", c1_ns, t[3:])):
        print("%-48s %10.0f %12s" % ("C loop, " + label, c, "-"))
        for name, x in zip(names, ts):
            print("%-48s %10.0f %12.0f" % ("Python " + name + ", " + label, x, x - c))
    print("per-call overhead of Landscape.loss_grad(theta, out=g): %.2f us on the toy, "
          "%.2f us on one point (target < 2 us)" % ((t[1] - c_ns) / 1e3, (t[4] - c1_ns) / 1e3))


if __name__ == "__main__":
    main()
