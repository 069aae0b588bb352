"""Seed sweeps and their classification (include/landsym/exp_sweep.h, exp_classify.h):
what `landsym sweep` and `landsym classify` run, as calls.

    s = landsym.sweep("examples/thesis_toy.json", seeds=20, out="sw", threads=2,
                      progress=True)            # a tqdm bar when tqdm is installed
    runs = landsym.classify_dir("sw")           # one dict per run: class, certificate, ...
    df = landsym.classify_dir("sw", frame=True) # the same as a pandas DataFrame

The sweep writes the directory `landsym sweep` writes (sweep.json, runs/w<W>_s<S>.{npy,json},
summary.csv, timings.csv: docs/sweep.md); classify_dir writes DIR/classify as
`landsym classify DIR` does (summary.csv, runs.csv, groups.csv, pruned networks).
"""
import csv
import json
import numbers
import os
import sys
import tempfile
import time

from ._core import check, cstr, ffi, lib
from .errors import InputError
from .sym import _classify_opts, _result

__all__ = ["sweep", "classify_dir", "to_frame"]


@ffi.def_extern(onerror=lambda exc, val, tb: None)
def lsp_py_sweep_progress(user, p):
    cb = ffi.from_handle(user)
    if cb["exc"] is not None:
        return
    try:
        cb["fn"]({"done": p.done, "total": p.total, "skipped": p.skipped,
                  "converged": p.converged, "failed": p.failed, "elapsed_s": p.elapsed_s})
    except BaseException as e:  # re-raised when the sweep returns
        cb["exc"] = e


class _Bar:
    """progress=True: a tqdm bar when tqdm is installed, else a line on stderr every 5 s."""

    def __init__(self):
        try:
            from tqdm import tqdm
            self.tqdm, self.bar = tqdm, None
        except ImportError:
            self.tqdm, self.last = None, 0.0

    def __call__(self, p):
        if self.tqdm is not None:
            if self.bar is None:
                self.bar = self.tqdm(total=p["total"], unit="run", desc="landsym sweep")
            self.bar.n = p["done"]
            self.bar.set_postfix(converged=p["converged"], failed=p["failed"], refresh=False)
            self.bar.refresh()
        elif p["elapsed_s"] - self.last >= 5 or p["done"] == p["total"]:
            self.last = p["elapsed_s"]
            sys.stderr.write("landsym sweep: %d/%d runs, %d converged, %d failed, %.1f s\n"
                             % (p["done"], p["total"], p["converged"], p["failed"],
                                p["elapsed_s"]))

    def close(self):
        if self.tqdm is not None and self.bar is not None:
            self.bar.close()


def _progress_fn(progress):
    """(callable, closer): progress is None, True (tqdm or stderr), a tqdm bar or a
    callable taking the progress dict."""
    if progress is None or progress is False:
        return None, None
    if progress is True:
        bar = _Bar()
        return bar, bar.close
    if hasattr(progress, "update") and hasattr(progress, "total"):  # a tqdm instance
        def fn(p, bar=progress):
            bar.total = p["total"]
            bar.update(p["done"] - bar.n)
        return fn, None
    if callable(progress):
        return progress, None
    raise TypeError("progress: expected None, True, a tqdm bar or a callable, got %s"
                    % type(progress).__name__)


def _config_file(config, tmp):
    """A file name for the library: config as given (path or builtin:NAME), or a dict
    written as JSON into tmp (relative file names in it then resolve against tmp, so a
    dict config should name its files by absolute paths or use builtin data kinds)."""
    if isinstance(config, dict):
        path = os.path.join(tmp, "config.json")
        with open(path, "w") as f:
            json.dump(config, f)
        return path
    if isinstance(config, (str, os.PathLike)):
        return os.fspath(config)
    raise TypeError("config: expected a path, 'builtin:NAME' or a dict, got %s"
                    % type(config).__name__)


def _field(v):
    for t in (int, float):
        try:
            return t(v)
        except ValueError:
            pass
    return v


def _summary_rows(path):
    """summary.csv's rows, numbers as int or float (the file prints doubles with %.17g)."""
    with open(path, newline="") as f:
        return [{k: _field(v) for k, v in row.items()} for row in csv.DictReader(f)]


def sweep(config, seeds=None, out=None, threads=0, progress=None, resume=False):
    """Train the config's student from seeds first_seed .. first_seed + seeds - 1 (every
    width of sweep.student_widths) into the directory out, as `landsym sweep --config
    CONFIG --seeds N --threads T --out DIR` does (identical run files). seeds=None: the
    config's sweep.seeds. threads <= 0: all cores. progress: None, True (a tqdm bar when
    tqdm is installed, else a line on stderr every 5 s), a tqdm bar, or a callable given
    {"done", "total", "skipped", "converged", "failed", "elapsed_s"} after every run (from
    the worker threads, one call at a time; an exception it raises is re-raised when the
    sweep ends, which it does not stop). The GIL is released while the library runs.

    Returns {"dir", "summary" (path), "runs" (summary.csv rows as dicts), "total",
    "ran", "skipped", "converged", "failed", "unfinished", "wall_s"}."""
    if out is None:
        raise InputError("sweep: out: the output directory is required")
    if seeds is not None:
        if isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral):
            raise TypeError("sweep: seeds: expected an int, got %s" % type(seeds).__name__)
        if seeds < 1:
            raise InputError("sweep: seeds: must be >= 1, got %d" % seeds)
    fn, closer = _progress_fn(progress)
    with tempfile.TemporaryDirectory(prefix="landsym-sweep-") as tmp:
        a = ffi.new("ls_exp_sweep_args *")
        cfg = ffi.new("char[]", os.fsencode(_config_file(config, tmp)))
        d = ffi.new("char[]", os.fsencode(out))
        a.config, a.dir, a.seeds, a.resume, a.quiet = cfg, d, seeds or 0, int(bool(resume)), 1
        a.ctx = lib.ls_ctx_threads(int(threads))
        res = ffi.new("ls_exp_sweep_result *")
        err = ffi.new("ls_error *")
        cb, handle, cfn = None, ffi.NULL, ffi.NULL
        if fn is not None:
            cb = {"fn": fn, "exc": None}
            handle, cfn = ffi.new_handle(cb), lib.lsp_py_sweep_progress
        try:
            st = lib.lsp_sweep(a, cfn, handle, res, err)
        finally:
            if closer is not None:
                closer()
        check(st, err)
        if cb is not None and cb["exc"] is not None:
            raise cb["exc"]
    s = res.stats
    summary = cstr(res.summary)
    return {"dir": os.fspath(out), "summary": summary, "runs": _summary_rows(summary),
            "total": s.total, "ran": s.ran, "skipped": s.skipped, "converged": s.converged,
            "failed": s.failed, "unfinished": s.unfinished, "wall_s": res.wall_s}


def _run_row(r):
    row = {"width": r.width, "seed": r.seed, "stop": cstr(r.stop), "failed": bool(r.failed),
           "reason": cstr(r.reason) if r.failed else ""}
    if r.failed:
        row["class"] = "failed"
        return row
    c = _result(r.res)
    c["grad_norm"] = c["grad_inf"]  # the infinity norm of the gradient
    row.update(c)
    return row


def classify_dir(dir, out=None, threads=0, prune=True, figures=False, frame=False, **options):
    """Classify every run of the sweep directory dir (ls_classify_dir, as `landsym classify
    DIR`), writing the tables (and the pruned networks when prune, the figures when
    figures) into out (default DIR/classify). Returns one dict per run, width-major then
    seed: width, seed, stop, failed, reason, class, certificate, loss, grad_norm (= grad_inf,
    the gradient's infinity norm), converged, symmetry_induced, eigs, reduced_widths, ...;
    with frame=True, a pandas DataFrame of them (needs pandas). Options: the classify
    thresholds of sym.CLASSIFY_OPTIONS."""
    if not isinstance(dir, (str, os.PathLike)):
        raise TypeError("classify_dir: dir: expected a path, got %s" % type(dir).__name__)
    if not os.path.isdir(dir):
        raise InputError("classify_dir: %s: no such directory" % os.fspath(dir))
    o = ffi.new("ls_classify_dir_opts *")
    lib.ls_classify_dir_opts_default(o)
    o.copts = _classify_opts(options)[0]
    dpath = ffi.new("char[]", os.fsencode(dir))
    opath = ffi.new("char[]", os.fsencode(out if out is not None else
                                          os.path.join(dir, "classify")))
    o.dir, o.out, o.threads = dpath, opath, int(threads)
    o.prune, o.figures, o.quiet = int(bool(prune)), int(bool(figures)), 1
    s = lib.lsp_classified_new()
    if s == ffi.NULL:
        raise MemoryError("classify_dir: out of memory")
    err = ffi.new("ls_error *")
    try:
        check(lib.lsp_classify_dir(o, s, err), err)
        rows = [_run_row(s.runs[i]) for i in range(s.n_runs)]
    finally:
        lib.lsp_classified_delete(s)
    return to_frame(rows) if frame else rows


def to_frame(rows):
    """A pandas DataFrame of classify_dir's rows (ImportError without pandas)."""
    import pandas as pd
    return pd.DataFrame(rows)
