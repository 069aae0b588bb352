"""landsym.sweep and landsym.classify_dir (exp_sweep.h, exp_classify.h): the run files
are those of `landsym sweep` on the same config (byte for byte, but for the wall-clock
time_s of the records), the classes those
docs/classify.md names, progress reaches the caller, and bad input raises InputError."""
import filecmp
import json
import os
import subprocess

import pytest

import landsym

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY = os.path.join(ROOT, "examples", "thesis_toy.json")
CLASSES = {"global", "symmetry_induced", "local_min", "saddle", "not_converged", "channel",
           "failed"}  # docs/classify.md


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("sweep") / "py")
    seen = []
    s = landsym.sweep(TOY, seeds=4, out=out, threads=2, progress=seen.append)
    return out, s, seen


def test_sweep_result_and_progress(swept):
    out, s, seen = swept
    assert s["total"] == 4 and s["ran"] == 4 and s["unfinished"] == 0
    assert [r["seed"] for r in s["runs"]] == [1, 2, 3, 4]
    assert sorted(p["done"] for p in seen)[-4:] == [1, 2, 3, 4]  # after a call at 0
    assert all(p["total"] == 4 for p in seen)
    assert os.path.exists(os.path.join(out, "runs", "w5_s4.npy"))


def test_sweep_files_match_the_command_line(swept, tmp_path):
    exe = os.environ.get("LANDSYM_BIN")
    if not exe:
        pytest.skip("LANDSYM_BIN not set (tests/test_python.sh sets it)")
    out, _, _ = swept
    cli = str(tmp_path / "cli")
    subprocess.run([exe, "sweep", "--config", TOY, "--seeds", "4", "--threads", "2",
                    "--out", cli, "--quiet"], check=True, capture_output=True)
    runs = sorted(os.listdir(os.path.join(cli, "runs")))
    assert runs == sorted(os.listdir(os.path.join(out, "runs"))) and len(runs) == 8
    npy = [r for r in runs if r.endswith(".npy")]
    same, diff, errs = filecmp.cmpfiles(os.path.join(cli, "runs"), os.path.join(out, "runs"),
                                        npy, shallow=False)
    assert same == npy  # the final parameters, byte for byte
    for r in runs:  # the records, but for the wall-clock time_s
        if r.endswith(".json"):
            a, b = (json.load(open(os.path.join(d, "runs", r))) for d in (cli, out))
            a.pop("time_s"), b.pop("time_s")
            assert a == b
    assert filecmp.cmp(os.path.join(cli, "summary.csv"), os.path.join(out, "summary.csv"),
                       shallow=False)


def test_classify_dir(swept):
    out, _, _ = swept
    rows = landsym.classify_dir(out, threads=2)
    assert [(r["width"], r["seed"]) for r in rows] == [(5, s) for s in (1, 2, 3, 4)]
    for r in rows:
        assert r["class"] in CLASSES
        if not r["failed"]:
            assert r["loss"] >= 0 and r["grad_norm"] >= 0 and isinstance(r["certificate"], str)
    assert os.path.exists(os.path.join(out, "classify", "runs.csv"))


def test_classify_dir_frame(swept):
    pd = pytest.importorskip("pandas")
    df = landsym.classify_dir(swept[0], threads=1, frame=True)
    assert isinstance(df, pd.DataFrame) and len(df) == 4
    assert set(df["class"]) <= CLASSES


def test_bad_input(tmp_path):
    with pytest.raises(landsym.InputError, match="seeds"):
        landsym.sweep(TOY, seeds=0, out=str(tmp_path / "a"))
    cfg = {"bogus_key": 1, "data": {"kind": "grid", "n": 5, "lo": -1, "hi": 1},
           "student": {"widths": [2, 2, 1]}}
    with pytest.raises(landsym.InputError, match="bogus_key"):
        landsym.sweep(cfg, seeds=1, out=str(tmp_path / "b"))
    with pytest.raises(landsym.InputError, match="no such directory"):
        landsym.classify_dir(str(tmp_path / "missing"))
    with pytest.raises(landsym.InputError):
        landsym.classify_dir(str(tmp_path))  # a directory without a sweep
    with pytest.raises(TypeError, match="progress"):
        landsym.sweep(TOY, seeds=1, out=str(tmp_path / "c"), progress=3)


def test_progress_exception_is_raised(tmp_path):
    def boom(p):
        raise RuntimeError("stop here")
    with pytest.raises(RuntimeError, match="stop here"):
        landsym.sweep(TOY, seeds=1, out=str(tmp_path / "d"), threads=1, progress=boom)


def test_sweep_releases_the_gil(tmp_path):
    """Another Python thread keeps running while the library sweeps: the longest pause of
    a counting loop in this thread stays well below the sweep's own time."""
    import threading
    import time
    box = {}

    def work():
        t0 = time.perf_counter()
        landsym.sweep(TOY, seeds=8, out=str(tmp_path / "gil"), threads=1)
        box["wall"] = time.perf_counter() - t0

    th = threading.Thread(target=work)
    th.start()
    last, gap = time.perf_counter(), 0.0
    while th.is_alive():
        now = time.perf_counter()
        gap, last = max(gap, now - last), now
    th.join()
    if box["wall"] < 0.2:
        pytest.skip("the sweep took %.2f s, too short to tell" % box["wall"])
    assert gap < 0.5 * box["wall"], (gap, box["wall"])


def test_progress_true_reports_on_stderr(tmp_path, capsys):
    """progress=True: a tqdm bar when tqdm is installed, plain lines otherwise; both on
    stderr and both named "landsym sweep"."""
    landsym.sweep(TOY, seeds=2, out=str(tmp_path / "bar"), threads=1, progress=True)
    assert "landsym sweep" in capsys.readouterr().err
