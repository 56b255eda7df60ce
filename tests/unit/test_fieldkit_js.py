"""Runs the field kit's JavaScript unit tests (fieldkit/tests, Node's built-in test runner)."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fieldkit_pure_modules():
    run = subprocess.run(["node", "--test", "fieldkit/tests/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
