"""PyTorch version of the permutation-path schedule of `landsym path` (Brea et al. 2019,
Algorithm 1) on Brea's figure 2 toy: a 2-5-1 ReLU network with biases at the teacher, every
pair of hidden units merged in STEPS log-spaced steps of the relative distance
r = ||w_l - w_m|| / ||(w_l + w_m)/2|| down to 1e-4 r0, every other parameter (the centre
c, the direction v and the rest) re-optimised at each step by LBFGS (strong Wolfe line
search, float64), warm-started. Prints one line per pair and the total time.
usage: baseline_torch.py DATADIR STEPS MAXEVAL THREADS"""
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def main():
    d, steps, maxeval, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    x = torch.tensor(np.load(f"{d}/x.npy"))
    y = torch.tensor(np.load(f"{d}/y.npy"))
    t = np.load(f"{d}/teacher.npy")
    W0 = torch.tensor(t[:10].reshape(5, 2))
    b0 = torch.tensor(t[10:15])
    a0 = torch.tensor(t[15:20])
    c0 = torch.tensor(t[20:21])
    total = 0.0
    cpu0 = time.process_time()
    for l in range(5):
        for m in range(l + 1, 5):
            U = torch.cat([W0, b0[:, None]], 1)  # units: incoming weights + bias
            others = [i for i in range(5) if i not in (l, m)]
            Uo = U[others].clone().requires_grad_()
            ao = a0.clone().requires_grad_()
            cb = c0.clone().requires_grad_()
            c = (0.5 * (U[l] + U[m])).clone().requires_grad_()
            v = (U[l] - U[m]).clone().requires_grad_()
            r0 = float((U[l] - U[m]).norm() / c.detach().norm())
            params = [Uo, ao, cb, c, v]
            rr = torch.tensor(r0)

            def loss_fn():
                dd = rr * c.norm()
                u = 0.5 * dd * v / v.norm()
                rows = [None] * 5
                for i, k in enumerate(others):
                    rows[k] = Uo[i]
                rows[l], rows[m] = c + u, c - u
                Uall = torch.stack(rows)
                h = torch.relu(x @ Uall[:, :2].T + Uall[:, 2])
                f = h @ ao + cb
                return ((f - y[:, 0]) ** 2).mean()

            t0 = time.perf_counter()
            losses = []
            for s in range(1, steps + 1):
                rr = torch.tensor(r0 * 1e-4 ** (s / steps))
                opt = torch.optim.LBFGS(params, max_iter=maxeval, history_size=20,
                                        tolerance_grad=1e-15, tolerance_change=1e-16,
                                        line_search_fn="strong_wolfe")

                def closure():
                    opt.zero_grad()
                    L = loss_fn()
                    L.backward()
                    return L

                opt.step(closure)
                with torch.no_grad():
                    losses.append(float(loss_fn()))
            dt = time.perf_counter() - t0
            total += dt
            print(f"torch pair {l},{m}: loss at permutation point {losses[-1]:.8g}, "
                  f"max {max(losses):.8g}, {dt:.2f} s", flush=True)
    print(f"torch total {total:.2f} s wall, {time.process_time() - cpu0:.2f} s CPU")


if __name__ == "__main__":
    main()
