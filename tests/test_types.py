"""The package type-checks: `mypy` (strict, configured in pyproject.toml, where each
relaxation says why) passes on src/. CI runs it through this test."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_the_package():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "No module named mypy" not in done.stderr, "mypy is in the test extra: pip install -e '.[test]'"
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
