"""The worked example (examples/python/thesis_toy.py) runs end to end with 3 seeds."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_worked_example(tmp_path):
    script = os.path.join(ROOT, "examples", "python", "thesis_toy.py")
    p = subprocess.run([sys.executable, script, "3", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    for step in ("1. one training run", "2. sweep of 3 seeds", "classes:", "3. ",
                 "read back bit for bit", "Hessian spectrum", "closest symmetry-induced saddle"):
        assert step in p.stdout, (step, p.stdout)
    assert os.path.exists(tmp_path / "out" / "mlp.safetensors")
    assert os.path.exists(tmp_path / "out" / "sweep" / "classify" / "runs.csv")
