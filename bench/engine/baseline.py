"""Python baselines for bench/engine/run.sh: the same float64 workloads as bench_engine
(read from DIR), timed with torch eager, torch.func and jax.jit.  Prints "key value" lines.
The MNIST-size workloads (784-25-25-10 softplus, 10,000 and 60,000 samples: gradient and
Hessian-vector product) and the dense Hessian of the deep net on 60,000 samples follow.
Usage: python baseline.py DIR THREADS   (THREADS = 1 or the number of cores)"""
import os
import sys
import time

DIR, THREADS = sys.argv[1], int(sys.argv[2])
if THREADS == 1:  # must be set before jax / torch start their thread pools
    os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np

SPECS = {  # widths, bias (sigmoid hidden layers, identity output, MSE)
    "toy": ([2, 5, 1], False),
    "deep": ([10, 10, 10, 10, 1], True),
}
MIN_S = float(os.environ.get("BENCH_MIN_S", "0.5"))


def load(tag):
    widths, bias = SPECS[tag]
    x = np.fromfile(f"{DIR}/{tag}_x.bin").reshape(-1, widths[0])
    y = np.fromfile(f"{DIR}/{tag}_y.bin").reshape(-1, widths[-1])
    th = np.fromfile(f"{DIR}/{tag}_theta.bin")
    return widths, bias, x, y, th


def timeit(f, min_s=MIN_S, rounds=3):
    f()  # warm-up (compilation, caches)
    best = float("inf")
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while True:
            f()
            n += 1
            t = time.perf_counter() - t0
            if t >= min_s:
                break
        best = min(best, t / n)
    return best


def unflatten(th, widths, bias, xp):
    """Parameter layout of landsym: per layer W_l row-major (out x in), then b_l."""
    out, off = [], 0
    for l in range(1, len(widths)):
        wo, wi = widths[l], widths[l - 1]
        W = th[off:off + wo * wi].reshape(wo, wi)
        off += wo * wi
        b = None
        if bias:
            b = th[off:off + wo]
            off += wo
        out.append((W, b))
    return out


def make_loss(widths, bias, x, y, xp, act):
    def loss(th):
        a = x
        layers = unflatten(th, widths, bias, xp)
        for l, (W, b) in enumerate(layers):
            z = a @ W.T
            if b is not None:
                z = z + b
            a = act(z) if l < len(layers) - 1 else z
        return ((a - y) ** 2).sum(axis=1).mean() if xp is np else ((a - y) ** 2).sum(1).mean()
    return loss


def say(k, v, exact=False):
    if isinstance(v, float):
        v = repr(v) if exact else f"{v:.6e}"
    print(f"{k} {v}", flush=True)


def run_torch():
    import torch
    torch.set_num_threads(THREADS)
    say("torch_version", torch.__version__)
    for tag in SPECS:
        widths, bias, x, y, th = load(tag)
        X, Y = torch.from_numpy(x), torch.from_numpy(y)
        loss = make_loss(widths, bias, X, Y, torch, torch.sigmoid)
        t = torch.from_numpy(th.copy()).requires_grad_(True)
        say(f"{tag}_torch_loss", loss(t).item(), exact=True)

        def eager_grad():
            t.grad = None
            loss(t).backward()
        say(f"{tag}_torch_eager_grad_s", timeit(eager_grad))
        t0 = torch.from_numpy(th.copy())
        g = torch.func.grad(loss)
        say(f"{tag}_torch_func_grad_s", timeit(lambda: g(t0)))
        h = torch.func.hessian(loss)
        say(f"{tag}_torch_func_hess_s", timeit(lambda: h(t0), rounds=2 if tag == "deep" else 3))
        he = lambda: torch.autograd.functional.hessian(loss, t0)
        if tag == "toy":
            say(f"{tag}_torch_eager_hess_s", timeit(he))
        else:  # P double-backward passes: slow, time a single call
            t1 = time.perf_counter()
            he()
            say(f"{tag}_torch_eager_hess_s", time.perf_counter() - t1)


def run_jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    say("jax_version", jax.__version__)
    for tag in SPECS:
        widths, bias, x, y, th = load(tag)
        loss = make_loss(widths, bias, jnp.asarray(x), jnp.asarray(y), jnp, jax.nn.sigmoid)
        t = jnp.asarray(th)
        say(f"{tag}_jax_loss", float(loss(t)), exact=True)
        g = jax.jit(jax.grad(loss))
        say(f"{tag}_jax_jit_grad_s", timeit(lambda: g(t).block_until_ready()))
        h = jax.jit(jax.hessian(loss))
        say(f"{tag}_jax_jit_hess_s", timeit(lambda: h(t).block_until_ready()))


def load_large(tag):
    widths = [784, 25, 25, 10] if tag == "mnist" else [10, 10, 10, 10, 1]
    x = np.fromfile(f"{DIR}/{tag}_x.bin").reshape(-1, widths[0])
    y = np.fromfile(f"{DIR}/{tag}_y.bin").reshape(-1, widths[-1])
    return widths, x, y, np.fromfile(f"{DIR}/{tag}_theta.bin")


def run_torch_large():
    import torch
    torch.set_num_threads(THREADS)
    widths, x, y, th = load_large("mnist")
    for n in (10000, 60000):
        tag = f"mnist{n // 1000}k"
        X, Y = torch.from_numpy(x[:n]), torch.from_numpy(y[:n])
        loss = make_loss(widths, True, X, Y, torch, torch.nn.functional.softplus)
        t = torch.from_numpy(th.copy()).requires_grad_(True)
        v = torch.from_numpy(th.copy())
        say(f"{tag}_torch_loss", loss(t).item(), exact=True)

        def eager_grad():
            t.grad = None
            loss(t).backward()

        def eager_hvp():  # double backward: d/dt (grad . v)
            g, = torch.autograd.grad(loss(t), t, create_graph=True)
            hv, = torch.autograd.grad(g @ v, t)
            return hv
        say(f"{tag}_torch_eager_grad_s", timeit(eager_grad))
        say(f"{tag}_torch_eager_hvp_s", timeit(eager_hvp))
    widths, x, y, th = load_large("deep60k")
    loss = make_loss(widths, True, torch.from_numpy(x), torch.from_numpy(y), torch, torch.sigmoid)
    h = torch.func.hessian(loss)  # minutes per call: one call, no warm-up (eager, nothing to compile)
    t1 = time.perf_counter()
    h(torch.from_numpy(th))
    say("deep60k_torch_func_hess_s", time.perf_counter() - t1)


def run_jax_large():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    widths, x, y, th = load_large("mnist")
    t = jnp.asarray(th)
    for n in (10000, 60000):
        tag = f"mnist{n // 1000}k"
        loss = make_loss(widths, True, jnp.asarray(x[:n]), jnp.asarray(y[:n]), jnp, jax.nn.softplus)
        say(f"{tag}_jax_loss", float(loss(t)), exact=True)
        g = jax.jit(jax.grad(loss))
        hvp = jax.jit(lambda p, v: jax.jvp(jax.grad(loss), (p,), (v,))[1])
        say(f"{tag}_jax_jit_grad_s", timeit(lambda: g(t).block_until_ready()))
        say(f"{tag}_jax_jit_hvp_s", timeit(lambda: hvp(t, t).block_until_ready()))
    widths, x, y, th = load_large("deep60k")
    loss = make_loss(widths, True, jnp.asarray(x), jnp.asarray(y), jnp, jax.nn.sigmoid)
    h = jax.jit(jax.hessian(loss))
    t = jnp.asarray(th)
    say("deep60k_jax_jit_hess_s", timeit(lambda: h(t).block_until_ready(), min_s=0.1, rounds=2))


for name, fn in (("torch", run_torch), ("jax", run_jax), ("torch (large)", run_torch_large),
                 ("jax (large)", run_jax_large)):
    try:
        fn()
    except Exception as e:  # report and go on: landsym's numbers still count
        print(f"# {name} baseline failed: {type(e).__name__}: {e}", file=sys.stderr)
