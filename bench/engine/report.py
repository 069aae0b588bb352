"""Combine the "key value" outputs of bench_engine and baseline.py into one table.
Usage: report.py C_1THREAD C_ALL PY_1THREAD PY_ALL   (files; missing ones are skipped)"""
import sys


def read(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 2 and not line.startswith("#"):
                    try:
                        out[p[0]] = float(p[1])
                    except ValueError:
                        out[p[0]] = p[1]
    except OSError:
        pass
    return out


c1, ca, p1, pa = (read(a) for a in sys.argv[1:5])


def row(label, ours, theirs):
    if ours is None:
        return
    if theirs is None:
        print(f"  {label:34s} {'n/a':>12s}")
        return
    print(f"  {label:34s} {theirs * 1e6:12.1f} us   landsym is {theirs / ours:8.1f}x faster")


for name, c, p in (("single thread", c1, p1), (f"all cores ({int(ca.get('threads', 0))} threads)", ca, pa)):
    if "toy_grad_s" not in c:  # missing, or a --sparse run alone
        continue
    print(f"== {name}")
    for tag, title in (("toy", "(a) thesis toy 2-5-1 sigmoid, no bias, 1681 points"),
                       ("deep", "(b) 10-10-10-10-1 sigmoid + biases, 10,000 points")):
        g, h = c.get(f"{tag}_grad_s"), c.get(f"{tag}_hess_s")
        print(f" {title}  (P = {int(c.get(f'{tag}_params', 0))}, loss {c.get(f'{tag}_loss')})")
        print(f"  landsym gradient  {g * 1e6:12.2f} us  = {1 / g:12.0f} /s   "
              f"{c.get(f'{tag}_grad_ns_per_sample_neuron'):.3f} ns per sample x hidden neuron")
        print(f"  landsym Hessian   {h * 1e6:12.1f} us  = {1 / h:12.1f} /s")
        if f"{tag}_grad_general_s" in c:
            gg = c[f"{tag}_grad_general_s"]
            print(f"  general path      {gg * 1e6:12.2f} us   (fused kernel off; fused vs general: "
                  f"loss {c.get(f'{tag}_fused_rel_diff_loss', 0):.1e}, "
                  f"gradient {c.get(f'{tag}_fused_rel_diff_grad', 0):.1e} relative)")
        if f"{tag}_hvp_s" in c:
            v = c[f"{tag}_hvp_s"]
            print(f"  landsym HVP       {v * 1e6:12.2f} us  = {v / g:.1f} gradients")
        if tag == "toy" and "toy_loss_s" in c:
            print(f"  landsym loss only {c['toy_loss_s'] * 1e6:12.2f} us")
        if tag == "toy" and "toy_exp_bound_s" in c:
            e = c["toy_exp_bound_s"]
            print(f"  exp-only bound    {e * 1e6:12.2f} us   libmvec exp:        gradient / bound = {g / e:.2f}")
            ei = c.get("toy_exp_inline_bound_s")
            if ei is not None:
                print(f"  exp-only bound    {ei * 1e6:12.2f} us   landsym inline exp: gradient / bound = {g / ei:.2f}")
        print("  gradient vs")
        for k in ("torch_eager_grad_s", "torch_func_grad_s", "jax_jit_grad_s"):
            row(k[:-2], g, p.get(f"{tag}_{k}"))
        print("  Hessian vs")
        for k in ("torch_eager_hess_s", "torch_func_hess_s", "jax_jit_hess_s"):
            row(k[:-2], h, p.get(f"{tag}_{k}"))
        for lib in ("torch", "jax"):
            lv = p.get(f"{tag}_{lib}_loss")
            if lv is not None and c.get(f"{tag}_loss"):
                print(f"  ({lib} loss {lv:.15g}: rel diff {abs(lv - c[f'{tag}_loss']) / abs(c[f'{tag}_loss']):.1e})")


def mnist_rows(name, c, p):
    """The MNIST-size case and the deep net's dense Hessian on 60,000 points."""
    if "mnist10k_grad_s" not in c:
        return
    print(f"== {name}: 784-25-25-10 softplus + biases, MSE (P = {int(c.get('mnist10k_params', 0))}), "
          f"engine {c.get('mnist10k_engine')}")
    for tag in ("mnist10k", "mnist60k"):
        g, h, b = c[f"{tag}_grad_s"], c[f"{tag}_hvp_s"], c[f"{tag}_dgemm_s"]
        pk = c.get(f"{tag}_at_peak_s")
        print(f" {tag[5:]} samples: landsym gradient {g * 1e3:9.2f} ms, HVP {h * 1e3:9.2f} ms; "
              f"the gradient's products as bare dgemm calls on all samples {b * 1e3:9.2f} ms "
              f"({c.get(f'{tag}_dgemm_gflops')} GFLOP/s): gradient / bare dgemm = {g / b:.2f}")
        if pk:
            print(f"   same arithmetic at the square-dgemm rate ({c.get('dgemm_peak_gflops')} GFLOP/s): "
                  f"{pk * 1e3:9.2f} ms: gradient / that = {g / pk:.2f}")
        for k in ("torch_eager_grad_s", "jax_jit_grad_s"):
            row(f"gradient vs {k[:-2]}", g, p.get(f"{tag}_{k}"))
        for k in ("torch_eager_hvp_s", "jax_jit_hvp_s"):
            row(f"HVP vs {k[:-2]}", h, p.get(f"{tag}_{k}"))
        for lib in ("torch", "jax"):
            lv = p.get(f"{tag}_{lib}_loss")
            if lv is not None and c.get(f"{tag}_loss"):
                print(f"  ({lib} loss {lv:.15g}: rel diff {abs(lv - c[f'{tag}_loss']) / abs(c[f'{tag}_loss']):.1e})")
    if "deep60k_hess_s" in c:
        h = c["deep60k_hess_s"]
        print(f" dense Hessian, 10-10-10-10-1 sigmoid + biases, 60,000 points (engine "
              f"{c.get('deep60k_engine')}): landsym {h:.3f} s")
        for k in ("torch_func_hess_s", "jax_jit_hess_s"):
            row(f"Hessian vs {k[:-2]}", h, p.get(f"deep60k_{k}"))


mnist_rows("single thread", c1, p1)
mnist_rows(f"all cores ({int(ca.get('threads', 0))} threads)", ca, pa)


def sparse_rows(name, c):
    """The first layer on sparse inputs against the dense BLAS path, same run."""
    cases = sorted({k[: -len("_sparse_s")] for k in c if k.startswith("pixels_") and k.endswith("_sparse_s")})
    if not cases:
        return
    print(f"== {name}: 784-H-H-10 softplus + biases, NLL, loss + gradient, first layer from the "
          f"nonzero inputs (src/deriv/gemm_sparse.c) vs dense products")
    for tag in cases:
        s, d = c[f"{tag}_sparse_s"], c[f"{tag}_dense_s"]
        print(f"  {tag[7:]:22s} sparse {s * 1e3:9.2f} ms  dense {d * 1e3:9.2f} ms  "
              f"speed-up {d / s:5.2f}x  (gradients differ by {c.get(f'{tag}_rel_diff_grad', 0):.1e})")


sparse_rows("single thread", c1)
sparse_rows(f"all cores ({int(ca.get('threads', 0))} threads)", ca)
