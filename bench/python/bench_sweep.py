"""landsym.sweep against `landsym sweep` on the thesis toy (examples/thesis_toy.json): the
same seeds and threads, rounds interleaved, the best of each; the run files are checked
to hold the same parameters. Usage: python3 bench_sweep.py LANDSYM_BIN [SEEDS] [ROUNDS]"""
import filecmp
import os
import subprocess
import sys
import tempfile
import time

import landsym

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY = os.path.join(ROOT, "examples", "thesis_toy.json")


def main():
    exe = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    best_c = best_p = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            c, p = os.path.join(tmp, "c%d" % i), os.path.join(tmp, "p%d" % i)
            t0 = time.perf_counter()
            subprocess.run([exe, "sweep", "--config", TOY, "--seeds", str(seeds),
                            "--threads", "2", "--out", c, "--quiet"], check=True,
                           stdout=subprocess.DEVNULL)
            best_c = min(best_c, time.perf_counter() - t0)
            t0 = time.perf_counter()
            landsym.sweep(TOY, seeds=seeds, out=p, threads=2)
            best_p = min(best_p, time.perf_counter() - t0)
        npy = sorted(f for f in os.listdir(os.path.join(c, "runs")) if f.endswith(".npy"))
        same = filecmp.cmpfiles(os.path.join(c, "runs"), os.path.join(p, "runs"), npy,
                                shallow=False)[0] == npy
    print("sweep, thesis toy, %d seeds, 2 threads: best of %d, interleaved" % (seeds, rounds))
    print("  landsym sweep (process):  %.3f s" % best_c)
    print("  landsym.sweep (Python):   %.3f s" % best_p)
    print("  ratio Python / command line: %.3f; same parameters in every run: %s"
          % (best_p / best_c, same))


if __name__ == "__main__":
    main()
