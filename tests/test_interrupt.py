"""Stopping a run part-way, with Ctrl-C or `kill`: it ends soon, with exit code 1, and leaves
only whole outputs behind (every text with its report, no temporary files) and no workers."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_tree

WORDS = "the a of river town council budget school road market winter summer report local".split()


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + "."


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough pages that a 2-worker `run` takes a few seconds on any machine."""
    rng = random.Random(7)
    pages = {f"site{n % 7}/page{n:04d}.txt": "\n\n".join(paragraph(rng) for _ in range(12)) + "\n"
             for n in range(1500)}
    return write_tree(tmp_path_factory.mktemp("in"), pages)


def start_run(corpus: Path, out: Path) -> subprocess.Popen:
    # in its own process group with SIGINT at its default, as a terminal job is
    return subprocess.Popen([sys.executable, "-c", "from corpusclean.cli import cli; cli()",
                             "run", str(corpus), str(out), "--workers", "2"],
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()))


def wait_for_first_output(out: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not any(out.rglob("*.txt")):  # a whole document: its report is written before its text
        assert process.poll() is None, "the run ended before it was interrupted"
        assert time.monotonic() < deadline, "no output after two minutes"
        time.sleep(0.02)


@pytest.mark.parametrize("how", ["ctrl-c to the process group", "kill (SIGTERM) to the parent"])
def test_an_interrupted_run_stops_and_leaves_only_whole_outputs(corpus: Path, tmp_path: Path, how: str):
    out = tmp_path / "out"
    process = start_run(corpus, out)
    try:
        wait_for_first_output(out, process)
        if how.startswith("ctrl-c"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGTERM)
        # communicate() returns once every process holding stderr (the workers too) has exited
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1
    assert "Aborted!" in stderr
    texts = {p.relative_to(out).with_suffix("") for p in out.rglob("*.txt")}
    reports = {p.relative_to(out).with_suffix("").with_suffix("") for p in out.rglob("*.report.json")}
    # a report is written before its text: a document stopped between the two is not whole,
    # and --resume cleans it again (tests/test_output_folder.py)
    assert texts and texts <= reports and len(reports - texts) <= 2, "every clean text has its report"
    assert len(texts) < 1500, "the run stopped early"
    left = [p.name for p in out.rglob(".*") if p.is_file()]
    assert left == [".corpusclean-run"], "no temporary files are left; the run file marks the run unfinished"
