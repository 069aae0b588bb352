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
    if not c:
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
