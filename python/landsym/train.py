"""Training by the library's ls_train (include/landsym/optim.h): a first phase (none, gd,
adam, flow) then polishing (auto, newton, slsqp, lbfgs, lm, ...). The result is a dict in
the spirit of MLPGradientFlow.jl's:

    r = landsym.train(net, data, theta0, method="adam", lr=1e-3, polish="auto")
    r["x"], r["init"], r["loss"], r["gnorm"], r["converged"], r["stopped_by"],
    r["trajectory"], r["loss_curve"]

Options carry the names of the config's "train" section (docs/train.md), so a config's
section can be passed as is: landsym.train(net, data, theta0, **cfg.section("train")).
"""
import numpy as np

from ._core import as_array, check, cstr, ffi, lib, ptr

__all__ = ["train", "train_config", "OPTIONS"]

# config key -> ls_train_opts field (docs/train.md)
_DOUBLE = {"lr": "lr", "beta1": "beta1", "beta2": "beta2", "eps": "eps",
           "switch_grad_tol": "switch_grad_tol", "rtol": "flow_rtol", "atol": "flow_atol",
           "tmax": "flow_tmax", "grad_tol": "grad_tol", "loss_tol": "loss_tol",
           "time_limit": "time_limit", "newton_switch_tol": "newton_switch_tol",
           "lm_switch_tol": "lm_switch_tol"}
_COUNT = {"batch": "batch", "max_iter": "first_maxiter", "polish_max_iter": "polish_maxiter",
          "patience": "patience", "newton_max_params": "auto_newton_max",
          "lm_max_iter": "lm_max_iter", "traj_per_decade": "traj_per_decade"}
_PENALTY = {"max_norm": "max_norm", "barrier": "barrier", "merge_lambda": "merge_lambda",
            "merge_layer": "merge_layer", "merge_i": "merge_i", "merge_j": "merge_j"}
OPTIONS = sorted(set(_DOUBLE) | set(_COUNT) | set(_PENALTY) |
                 {"preset", "method", "polish", "linsol", "newton_hessian", "critical", "init",
                  "init_scale"})

# minibatch stream seed, apart from the initialisation's (as `landsym train` does)
_BATCH_SALT = 0x6d696e6962617463


@ffi.def_extern(onerror=lambda exc, val, tb: 1)
def lsp_py_progress(p, user):
    cb = ffi.from_handle(user)
    try:
        stop = cb["fn"]({"phase": cstr(p.phase), "iter": int(p.iter), "wall": p.wall,
                         "loss": p.loss, "grad_norm": p.grad_norm, "best_loss": p.best_loss})
    except BaseException as e:  # re-raised after ls_train returns
        cb["exc"] = e
        return 1
    return 1 if stop else 0


def _parse(fn, name, value):
    err = ffi.new("ls_error *")
    out = ffi.new(fn[1])
    st = fn[0](str(value).encode(), out, err)
    if st:
        check(st, _named(err, name))
    return out[0]


def _named(err, name):
    msg = ffi.string(err.msg)
    err.msg = (b"train." + name.encode() + b": " + msg)[:1023]
    return err


def _options(net, opts):
    o = ffi.new("ls_train_opts *")
    lib.ls_train_opts_default(o)
    unknown = [k for k in opts if k not in OPTIONS]
    if unknown:
        raise TypeError("train: unknown option '%s' (known: %s)" % (unknown[0], ", ".join(OPTIONS)))
    preset = opts.get("preset", "none")
    if preset == "thesis":  # thesis section 6.2.1, as the config's "preset": "thesis"
        o.first, o.lr, o.first_maxiter, o.polish = lib.LS_FIRST_ADAM, 1e-4, 10000000, \
            _parse((lib.ls_polish_parse, "ls_polish_kind *"), "polish", "slsqp")
    elif preset != "none":
        raise ValueError("train.preset: unknown preset %r (thesis)" % (preset,))
    if "method" in opts:
        o.first = _parse((lib.ls_first_parse, "ls_first_kind *"), "method", opts["method"])
    if "polish" in opts:
        o.polish = _parse((lib.ls_polish_parse, "ls_polish_kind *"), "polish", opts["polish"])
    if "linsol" in opts:
        o.flow_linsol = _parse((lib.ls_linsol_parse, "ls_linsol_kind *"), "linsol",
                               opts["linsol"])
    if "newton_hessian" in opts:
        o.newton_hessian = _parse((lib.ls_hessian_kind_parse, "ls_hessian_kind *"),
                                  "newton_hessian", opts["newton_hessian"])
    o.newton_critical = 1 if opts.get("critical", False) else 0
    for k, f in _DOUBLE.items():
        if k in opts:
            setattr(o, f, float(opts[k]))
    for k, f in _COUNT.items():
        if k in opts:
            v = int(opts[k])
            if v < 0:
                raise ValueError("train.%s: must be >= 0, got %d" % (k, v))
            setattr(o, f, v)
    for k, f in _PENALTY.items():
        if k in opts:
            setattr(o.penalty, f, (int if k.startswith("merge_") and k != "merge_lambda"
                                   else float)(opts[k]))
    if "barrier" not in opts:
        o.penalty.barrier = 1.0 if o.penalty.max_norm > 0 else 0.0
    if "merge_layer" not in opts:
        o.penalty.merge_layer, o.penalty.merge_j = 1, int(opts.get("merge_j", 1))
    err = ffi.new("ls_error *")
    check(lib.ls_train_opts_validate(o, net._net, err), err)
    return o


def _vec(p, n):
    if p == ffi.NULL or n == 0:
        return np.empty(0)
    return np.frombuffer(ffi.buffer(p, 8 * n), dtype=np.float64).copy()


def _result(r, theta0, theta, P):
    t = r.traj
    n = int(t.n)
    phases = [{"name": cstr(r.phase[i].name), "stopped_by": cstr(lib.ls_stop_name(r.phase[i].stop)),
               "wall": r.phase[i].wall, "iters": int(r.phase[i].iters),
               "evals": int(r.phase[i].evals), "loss": r.phase[i].loss,
               "gnorm": r.phase[i].grad_norm, "flow_t": r.phase[i].flow_t}
              for i in range(r.n_phases)]
    phase_idx = (np.frombuffer(ffi.buffer(t.phase, 4 * n), dtype=np.intc).astype(np.int64)
                 if n else np.empty(0, dtype=np.int64))
    traj = {"phase": phase_idx, "iter": _vec(t.iter, n), "wall": _vec(t.wall, n),
            "loss": _vec(t.loss, n), "gnorm": _vec(t.grad_norm, n),
            "x": _vec(t.params, n * P).reshape(n, P) if t.params != ffi.NULL else None}
    stop = cstr(lib.ls_stop_name(r.stop))
    return {"x": theta, "init": theta0, "loss": r.loss, "gnorm": r.grad_norm,
            "converged": r.stop in (lib.LS_STOP_GRAD, lib.LS_STOP_LOSS), "stopped_by": stop,
            "phases": phases, "stopped_by_phase": {p["name"]: p["stopped_by"] for p in phases},
            "trajectory": traj, "loss_curve": {"iter": traj["iter"], "loss": traj["loss"]},
            "iters": int(r.iters), "wall": r.wall, "cpu": r.cpu, "message": cstr(r.message)}


def train(net, data, theta0=None, *, seed=0, progress=None, keep_params=True, **options):
    """Train net on data from theta0 (default: the library's Glorot initialisation from
    seed, or init="normal" with init_scale) and return the result dict:

      x, init          final (best) and initial parameters
      loss, gnorm      objective and gradient infinity-norm at x
      converged        stopped by the gradient or the loss tolerance
      stopped_by       why the run stopped (the last phase's reason)
      stopped_by_phase {phase name: reason}; phases: per-phase details
      trajectory       arrays phase, iter, wall, loss, gnorm, x (parameters, keep_params)
      loss_curve       {"iter", "loss"}
      iters, wall, cpu, message

    progress(dict) is called about every 0.25 s (phase, iter, wall, loss, grad_norm,
    best_loss); a true return value stops the run (stopped_by "user"). The GIL is
    released while the library trains (it is retaken only for the callback)."""
    P = net.n_params
    o = _options(net, options)
    from .net import _seed
    o.seed = _seed(seed) ^ _BATCH_SALT
    o.traj_params = 1 if keep_params else 0
    if theta0 is None:
        init = options.get("init", "glorot")
        if init not in ("glorot", "normal"):
            raise ValueError("train.init: unknown %r (glorot, normal)" % (init,))
        theta0 = net.init(seed, float(options.get("init_scale", 1.0)) if init == "normal" else None)
    theta0 = np.array(as_array(theta0, (P,), "theta0"))
    theta = theta0.copy()
    err = ffi.new("ls_error *")
    check(lib.lsp_check_finite(ptr(theta), P, b"theta0", err), err)
    d = data._ptr()
    keep = data._keep  # noqa: F841 (the arrays behind d stay alive during the call)
    handle = None
    if progress is not None:
        cb = {"fn": progress, "exc": None}
        handle = ffi.new_handle(cb)
        o.progress, o.progress_user = lib.lsp_py_progress, handle
    r = ffi.new("ls_train_result *")
    ctx = ffi.new("ls_ctx *", lib.ls_ctx_threads(0))
    ctx.blas_threads = 1  # as `landsym train`: one BLAS thread inside the trainer
    lib.ls_ctx_apply_blas(ctx)
    try:
        with data._lock:
            check(lib.ls_train(net._net, d, ptr(theta), o, r, err), err)
        if handle is not None and cb["exc"] is not None:
            raise cb["exc"]
        return _result(r, theta0, theta, P)
    finally:
        lib.ls_train_result_free(r)


def train_config(config, theta0=None, *, seed=None, **overrides):
    """train() on a config's student and data with its "train" section (overridden by
    keyword arguments) and its top-level "seed" (or seed)."""
    from .config import Config
    cfg = config if isinstance(config, Config) else Config(config)
    opts = dict(cfg.section("train") or {})
    opts.update(overrides)
    if seed is None:
        seed = (cfg.section("seed") or 0)
    return train(cfg.student, cfg.data, theta0, seed=seed, **opts)
