"""Small factories shared by the tests: build an input tree, hash a tree, run the CLI."""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from corpusclean.cache import ENV as CACHE_ENV

# The rule packs' cache (corpusclean/cache.py) is this session's own, before anything loads a
# pack: the user's stays untouched, and each session loads cold once, so both paths run.
os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="corpusclean-test-cache-")
atexit.register(shutil.rmtree, os.environ[CACHE_ENV], True)

from corpusclean.cli import cli  # noqa: E402  (after the cache is chosen)

# No time limit per example: these machines are shared, and a slow example under load is not a
# failure (it made a property test "fail" once, then pass on replay). Speed is the benchmarks' job.
settings.register_profile("corpusclean", deadline=None)
settings.load_profile("corpusclean")


def write_tree(root: Path, files: dict[str, bytes | str]) -> Path:
    """Create files under root from {relative path: content}; str content is written as UTF-8."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every regular file below root (symlinks and FIFOs by kind)."""
    digest = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest[rel] = "symlink -> " + str(path.readlink())
        elif path.is_fifo():
            digest[rel] = "fifo"
        elif path.is_file():
            digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def tree_bytes(root: Path) -> dict[str, bytes]:
    """{relative path: content} of every file below root, to compare two output trees."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_report(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.report.json").read_text(encoding="utf-8"))


def read_summary(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run_cli(*args: str, input: str | bytes | None = None) -> Result:
    """corpusclean with these arguments, in-process; stderr is kept apart from stdout."""
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="corpusclean")


@pytest.fixture
def seeds_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "seeds"
