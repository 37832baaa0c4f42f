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


def test_every_module_compiles_without_warnings():
    # an invalid escape such as "\w" in a docstring is a SyntaxWarning today and an error in
    # a later Python; it shows once, when the .pyc is written, so compile each source afresh
    import warnings

    for path in sorted((ROOT / "src" / "corpusclean").rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
