"""landsym.train on the thesis toy (examples/thesis_toy.json, its defaults) timed against
`landsym train` on the same config, with identical results checked bit for bit.
Usage: python3 bench_train.py LANDSYM_BINARY ROUNDS"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import landsym


def main():
    exe, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    config = "examples/thesis_toy.json"
    t_cli, t_py = [], []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(rounds):
            t0 = time.perf_counter()
            subprocess.run([exe, "train", "--config", config, "--out", d, "--no-plot",
                            "--quiet"], check=True, capture_output=True)
            t_cli.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = landsym.train_config(config)
            t_py.append(time.perf_counter() - t0)
        x_cli = np.load(os.path.join(d, "params.npy"))
    same = x_cli.tobytes() == r["x"].tobytes()
    print("train, thesis toy (%s): best of %d, interleaved" % (config, rounds))
    print("  landsym train (process, config load, outputs): %.3f s" % min(t_cli))
    print("  landsym.train_config (in Python):              %.3f s" % min(t_py))
    print("  ratio Python / command line: %.3f; library's own wall time %.3f s" %
          (min(t_py) / min(t_cli), r["wall"]))
    print("  same final parameters bit for bit: %s (stopped by %s, loss %.3e)" %
          (same, r["stopped_by"], r["loss"]))


if __name__ == "__main__":
    main()
