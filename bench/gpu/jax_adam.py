"""JAX baseline for bench/gpu: full-batch Adam (float64, vmap over seeds) on the table 6.1
problem from the same initial points as bench_gpu (its --dump files), for a given wall time
(the GPU sweep's), then the fraction of seeds whose gradient inf-norm is below the tolerance.
Adam with the thesis's settings (Stoican 2022 section 6.2.1: lr 1e-4, beta 0.9/0.999,
eps 1e-8, full batch). Loss: mean over samples of the squared error (landsym's MSE).

usage: python3 jax_adam.py DIR SECONDS [--lr 1e-4] [--chunk 2000] [--grad-tol 1e-12]
"""
import argparse
import os
import time

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("seconds", type=float)
ap.add_argument("--lr", type=float, default=1e-4)
ap.add_argument("--chunk", type=int, default=2000)
ap.add_argument("--grad-tol", type=float, default=1e-12)
a = ap.parse_args()

x = jnp.asarray(np.load(os.path.join(a.dir, "x.npy")))
y = jnp.asarray(np.load(os.path.join(a.dir, "y.npy")))
th0 = jnp.asarray(np.load(os.path.join(a.dir, "theta0.npy")))
n_seeds, P = th0.shape
h = (P) // 3  # 2-h-1 without biases: 2h + h parameters


def loss(th):
    w1 = th[: 2 * h].reshape(h, 2)  # landsym layout: W1 row-major, then W2
    a2 = th[2 * h:]
    f = jax.nn.sigmoid(x @ w1.T) @ a2
    return jnp.mean((f - y) ** 2)


grads = jax.jit(jax.vmap(jax.grad(loss)))
b1, b2, eps, lr = 0.9, 0.999, 1e-8, a.lr


@jax.jit
def chunk(th, m, v, t):
    def step(c, _):
        th, m, v, t = c
        g = jax.vmap(jax.grad(loss))(th)
        t = t + 1
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh = m / (1 - b1 ** t)
        vh = v / (1 - b2 ** t)
        return (th - lr * mh / (jnp.sqrt(vh) + eps), m, v, t), None

    (th, m, v, t), _ = jax.lax.scan(step, (th, m, v, t), None, length=a.chunk)
    return th, m, v, t


th, m, v, t = th0, jnp.zeros_like(th0), jnp.zeros_like(th0), jnp.asarray(0.0)
c0 = time.perf_counter()
chunk.lower(th, m, v, t).compile()
grads(th).block_until_ready()
compile_s = time.perf_counter() - c0
t0 = time.perf_counter()
steps = 0
while time.perf_counter() - t0 < a.seconds:
    th, m, v, t = chunk(th, m, v, t)
    th.block_until_ready()
    steps += a.chunk
wall = time.perf_counter() - t0
gi = np.asarray(jnp.max(jnp.abs(grads(th)), axis=1))
print(f"JAX {jax.__version__} on {jax.devices()[0].device_kind}: vmap Adam float64, lr {lr:g}, "
      f"{n_seeds} seeds, full batch ({x.shape[0]} samples)")
print(f"compile {compile_s:.1f} s (not counted); {steps} steps in {wall:.2f} s = "
      f"{steps * n_seeds / wall:.3g} seed-steps/s")
for tol in (a.grad_tol, 1e-8, 1e-6, 1e-4):
    print(f"gradient inf-norm < {tol:g}: {int(np.sum(gi < tol))} of {n_seeds} "
          f"= {np.mean(gi < tol):.4f}")
print(f"median gradient inf-norm {np.median(gi):.3g}")
