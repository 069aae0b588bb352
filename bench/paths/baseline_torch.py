"""PyTorch version of the permutation-path schedule of `landsym path` (Brea et al. 2019,
Algorithm 1) on Brea's figure 2 toy: a 2-5-1 ReLU network with biases at the teacher, every
pair of hidden units merged in STEPS log-spaced steps of the relative distance
r = ||w_l - w_m|| / ||(w_l + w_m)/2|| down to 1e-4 r0, every other parameter (the centre
c, the direction v and the rest) re-optimised at each step by LBFGS (strong Wolfe line
search, float64), warm-started, with the same outgoing bound as landsym (exterior penalty
rho (beta - B)_+^2, beta = |a_l - a_m| |c|, B = KAPPA (|a_l - a_m| + |a_l + a_m|) |c| at the
start, rho = 100 / B^2; KAPPA = 0: none). Then the exact end d = 0: the merged 4-unit
network (mean incoming, summed outgoing) re-optimised by LBFGS. Prints one line per pair
and the total time.
usage: baseline_torch.py DATADIR STEPS MAXEVAL THREADS [KAPPA (4)]"""
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def lbfgs(params, fn, maxeval):
    opt = torch.optim.LBFGS(params, max_iter=maxeval, history_size=20, tolerance_grad=1e-15,
                            tolerance_change=1e-16, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        L = fn()
        L.backward()
        return L

    opt.step(closure)


def main():
    d, steps, maxeval, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    kappa = float(sys.argv[5]) if len(sys.argv) > 5 else 4.0
    torch.set_num_threads(threads)
    x = torch.tensor(np.load(f"{d}/x.npy"))
    y = torch.tensor(np.load(f"{d}/y.npy"))[:, 0]
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
            ao = a0[others].clone().requires_grad_()
            apair = a0[[l, m]].clone().requires_grad_()
            cb = c0.clone().requires_grad_()
            c = (0.5 * (U[l] + U[m])).clone().requires_grad_()
            v = (U[l] - U[m]).clone().requires_grad_()
            r0 = float((U[l] - U[m]).norm() / c.detach().norm())
            B = kappa * float((a0[l] - a0[m]).abs() + (a0[l] + a0[m]).abs()) * float(c.detach().norm())
            rho = 100.0 / B**2 if B > 0 else 0.0
            params = [Uo, ao, apair, cb, c, v]
            rr = [r0]

            def loss_fn():
                u = 0.5 * rr[0] * c.norm() * v / v.norm()
                Uall = torch.cat([Uo, (c + u)[None], (c - u)[None]])
                h = torch.relu(x @ Uall[:, :2].T + Uall[:, 2])
                f = h @ torch.cat([ao, apair]) + cb
                return ((f - y) ** 2).mean()

            def objective():
                L = loss_fn()
                if B > 0:
                    beta = (apair[0] - apair[1]).abs() * c.norm()
                    L = L + rho * torch.clamp(beta - B, min=0) ** 2
                return L

            t0 = time.perf_counter()
            losses = []
            for s in range(1, steps + 1):
                rr[0] = r0 * 1e-4 ** (s / steps)
                lbfgs(params, objective, maxeval)
                with torch.no_grad():
                    losses.append(float(loss_fn()))
            # exact end d = 0: the merged 4-unit network, re-optimised
            Um = torch.cat([Uo.detach(), c.detach()[None]]).clone().requires_grad_()
            am = torch.cat([ao.detach(), apair.detach().sum()[None]]).clone().requires_grad_()
            cm = cb.detach().clone().requires_grad_()

            def merged():
                h = torch.relu(x @ Um[:, :2].T + Um[:, 2])
                return ((h @ am + cm - y) ** 2).mean()

            lbfgs([Um, am, cm], merged, 20000)
            with torch.no_grad():
                lm = float(merged())
            dt = time.perf_counter() - t0
            total += dt
            print(f"torch pair {l},{m}: loss at 1e-4 r0 {losses[-1]:.8g}, at d = 0 {lm:.8g}, "
                  f"max {max(losses + [lm]):.8g}, {dt:.2f} s", flush=True)
    print(f"torch total {total:.2f} s wall, {time.process_time() - cpu0:.2f} s CPU")


if __name__ == "__main__":
    main()
