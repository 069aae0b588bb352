"""Baselines for bench/train/run.sh: the thesis protocol (Stoican 2022, section 6.2: 2-4-1
sigmoid teacher without biases on the 41x41 grid of [-5,5]^2, width-5 student) trained
with PyTorch Adam + SciPy SLSQP (the thesis's own stack) and with JAX (Adam, then Newton
with the exact Hessian), from the same initial points landsym used (DIR/SEED/init.npy).

Every stack follows the same rule: Adam (lr, float64, full batch) until the gradient
infinity-norm is below SWITCH, then second-order polishing; converged as soon as an
evaluated point has gradient infinity-norm < TOL; stop at the time limit.
Prints one JSON line per seed: {"stack", "seed", "converged", "time" (wall seconds), "cpu"
(CPU seconds of the process, all threads), "loss", "grad"}.
usage: baselines.py torch|jax RUNDIR SEEDS TOL TIME_LIMIT LR SWITCH
"""
import json
import sys
import time

import numpy as np

TEACHER = np.array([[0.6, 0.5], [-0.5, 0.5], [-0.2, -0.6], [0.1, -0.6]])
A_TEACHER = np.array([1.0, -1.0, 1.0, -1.0])


def thesis_data():
    g = -5 + 10 * np.arange(41) / 40
    X = np.array([[a, b] for a in g for b in g])  # last coordinate fastest, as landsym
    Y = (1 / (1 + np.exp(-X @ TEACHER.T))) @ A_TEACHER
    return X, Y


class Done(Exception):
    pass


def run_torch(theta0, X, Y, tol, tlimit, lr, switch):
    import scipy.optimize
    import torch

    torch.set_num_threads(1)
    Xt = torch.tensor(X, dtype=torch.float64)
    Yt = torch.tensor(Y, dtype=torch.float64)

    def loss_fn(th):
        W = th[:10].view(5, 2)
        a = th[10:15]
        f = torch.sigmoid(Xt @ W.T) @ a
        return ((f - Yt) ** 2).mean()

    t0 = time.perf_counter()
    best = {"loss": np.inf, "grad": np.inf}

    def record(L, g):
        if g < best["grad"]:
            best.update(loss=L, grad=g)
        if g < tol:
            raise Done(True)
        if time.perf_counter() - t0 > tlimit:
            raise Done(False)

    th = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([th], lr=lr)
    try:
        for _ in range(10**7):
            opt.zero_grad()
            L = loss_fn(th)
            L.backward()
            g = th.grad.abs().max().item()
            record(L.item(), g)
            if g < switch:
                break
            opt.step()

        def fun(x):
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            L = loss_fn(t)
            L.backward()
            gr = t.grad.numpy().copy()
            record(L.item(), np.abs(gr).max())
            return L.item(), gr

        x = th.detach().numpy().copy()
        while True:  # SLSQP restarted from its own result until the time limit
            r = scipy.optimize.minimize(fun, x, jac=True, method="SLSQP",
                                        options={"ftol": 1e-32, "maxiter": 100000})
            if np.array_equal(r.x, x):
                break
            x = r.x
        # SLSQP gave up: wait out nothing, report not converged
        return False, time.perf_counter() - t0, best
    except Done as d:
        return d.args[0], time.perf_counter() - t0, best


def make_jax(X, Y, lr):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    Xj = jnp.asarray(X)
    Yj = jnp.asarray(Y)

    def loss_fn(th):
        W = th[:10].reshape(5, 2)
        a = th[10:15]
        f = jax.nn.sigmoid(Xj @ W.T) @ a
        return jnp.mean((f - Yj) ** 2)

    vg = jax.value_and_grad(loss_fn)
    b1, b2, eps = 0.9, 0.999, 1e-8

    @jax.jit
    def adam_chunk(th, m, v, t):
        # 25 Adam steps; returns the state and the loss/gradient at the final point
        def body(i, s):
            th, m, v, t = s
            _, g = vg(th)
            t = t + 1
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            th = th - lr * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + eps)
            return th, m, v, t

        th, m, v, t = jax.lax.fori_loop(0, 25, body, (th, m, v, t))
        L, g = vg(th)
        return th, m, v, t, L, jnp.max(jnp.abs(g))

    @jax.jit
    def newton_dir(th):
        L, g = vg(th)
        H = jax.hessian(loss_fn)(th)
        lam, V = jnp.linalg.eigh(H)
        # saddle-free Newton: |lambda|, floored at the rounding level
        d = jnp.maximum(jnp.abs(lam), 1e-14 * jnp.max(jnp.abs(lam)))
        p = -V @ ((V.T @ g) / d)
        return L, jnp.max(jnp.abs(g)), p

    @jax.jit
    def evaluate(th):
        L, g = vg(th)
        return L, jnp.max(jnp.abs(g))

    return adam_chunk, newton_dir, evaluate, jnp


def run_jax(fns, theta0, tol, tlimit, switch):
    adam_chunk, newton_dir, evaluate, jnp = fns
    t0 = time.perf_counter()
    th = jnp.asarray(theta0)
    m = jnp.zeros_like(th)
    v = jnp.zeros_like(th)
    t = 0.0
    L, g = evaluate(th)
    L, g = float(L), float(g)
    while g >= switch and g >= tol:
        if time.perf_counter() - t0 > tlimit:
            return False, time.perf_counter() - t0, {"loss": L, "grad": g}
        th, m, v, t, L, g = adam_chunk(th, m, v, t)
        L, g = float(L), float(g)
    while g >= tol:
        if time.perf_counter() - t0 > tlimit:
            return False, time.perf_counter() - t0, {"loss": L, "grad": g}
        L0, g0, p = newton_dir(th)
        alpha, moved = 1.0, False
        for _ in range(40):  # backtracking: lower loss, or equal loss and lower gradient
            Lt, gt = evaluate(th + alpha * p)
            Lt, gt = float(Lt), float(gt)
            noise = 1e-15 * abs(L) + 1e-31
            if Lt < L - noise or (abs(Lt - L) <= noise and gt < g):
                th, L, g, moved = th + alpha * p, Lt, gt, True
                break
            alpha /= 2
        if not moved:
            return False, time.perf_counter() - t0, {"loss": L, "grad": g}
    return True, time.perf_counter() - t0, {"loss": L, "grad": g}


def main():
    stack, rundir, seeds, tol, tlimit, lr, switch = sys.argv[1:8]
    seeds = [int(s) for s in seeds.split(",")]
    tol, tlimit, lr, switch = float(tol), float(tlimit), float(lr), float(switch)
    X, Y = thesis_data()
    fns = None
    if stack == "jax":
        fns = make_jax(X, Y, lr)
        # compile outside the timed runs
        run_jax(fns, np.load(f"{rundir}/{seeds[0]}/init.npy"), tol, 5.0, switch)
    for s in seeds:
        theta0 = np.load(f"{rundir}/{s}/init.npy")
        c0 = time.process_time()
        if stack == "torch":
            ok, t, best = run_torch(theta0, X, Y, tol, tlimit, lr, switch)
        else:
            ok, t, best = run_jax(fns, theta0, tol, tlimit, switch)
        cpu = time.process_time() - c0
        print(json.dumps({"stack": stack, "seed": s, "converged": bool(ok), "time": t, "cpu": cpu,
                          "loss": float(best["loss"]), "grad": float(best["grad"])}), flush=True)


if __name__ == "__main__":
    main()
