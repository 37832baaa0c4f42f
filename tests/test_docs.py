"""What the README shows must keep working: its shell examples run as written (those that
fit in a test's time), its example rule pack passes `rules check`, and a run with it applies
the pack's rule."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_report, run_cli, tree_bytes, write_tree

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_RULES = ROOT / "docs" / "example-rules"


def test_the_example_rule_pack_passes_rules_check():
    result = run_cli("rules", "check", str(EXAMPLE_RULES))
    assert result.exit_code == 0, result.output
    assert "0 failures" in result.output


def test_a_run_with_the_example_pack_removes_what_its_rule_names(tmp_path):
    source = write_tree(tmp_path / "in", {"page.txt": "Weather: 12°C Cloudy\n\nThe council met on Tuesday and agreed the budget.\n"})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q", "--rules", str(EXAMPLE_RULES))
    assert result.exit_code == 0, result.output
    rules = [row["rule"] for row in read_report(tmp_path / "out", "page")["removals"]]
    assert "widget.weather-ticker" in rules
    assert (tmp_path / "out" / "page.txt").read_text(encoding="utf-8") == "The council met on Tuesday and agreed the budget.\n"


# -- the README's shell examples ------------------------------------------------------------

#: examples the test leaves out, by a phrase of the command, and why
NOT_RUN = {
    "pip install": "installs the package: the test runs the installed one",
    "python3 -m pytest": "the test suite itself",
    "../shared/devset": "reads the whole dev set (130 pages): about a minute",
    "make_corpus.py": "a 5 MB corpus: its run takes about 40 s on a shared 2-core machine",
    "work/corpus/corpus.jsonl": "cleans the 5 MB corpus (see make_corpus.py)",
    "work/clean.jsonl.gz": "reviews the 5 MB corpus's run",
    "work/dev/": "reads the dev-set run above",
    "--engine ray": "starts or joins a Ray cluster (a minute on this machine); tests/test_ray.py runs the engine",
}


def readme_commands() -> list[str]:
    """Every command of the README's ```sh blocks, continuation lines joined."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for command in re.sub(r"\\\n", " ", block).splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                commands.append(command.strip())
    return commands


def test_the_readme_names_what_it_does_not_run():
    """Each left-out phrase still matches a command, so the list cannot go stale."""
    commands = readme_commands()
    assert commands
    for phrase in NOT_RUN:
        assert any(phrase in command for command in commands), phrase


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the examples read, laid out as they expect: the project root holding
    seeds/, docs/ and clean/, with the shared folder beside it."""
    root = tmp_path / "corpusclean"
    root.mkdir()
    for name in ("seeds", "docs", "clean"):
        shutil.copytree(ROOT / name, root / name)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (tmp_path / "shared").symlink_to(shared)
    return root


def test_the_readme_shell_examples_run_as_written(project):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PAGER": "cat", "LESS": "FRX"}
    ran = []
    for command in readme_commands():
        if any(phrase in command for phrase in NOT_RUN):
            continue
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
        ran.append((command, done))
    assert len(ran) >= 10

    # `corpusclean run seeds/ clean/` gives the committed clean/ (its summary's library
    # versions aside: they are this machine's)
    made, committed = tree_bytes(project / "clean"), tree_bytes(ROOT / "clean")
    summaries = [json.loads(tree.pop("corpusclean-summary.json")) for tree in (made, committed)]
    assert made == committed
    assert [{k: v for k, v in summary.items() if k != "versions"} for summary in summaries] == [
        {k: v for k, v in summaries[1].items() if k != "versions"}] * 2
    # the stdin example: one record in, one out, the sign-up line removed
    stdin_run = next(done for command, done in ran if command.startswith("printf"))
    record = json.loads(stdin_run.stdout)
    assert (record["id"], record["text"]) == ("a", "The council met on Tuesday.\n")
    assert "(0 failed, 0 dropped)" in stdin_run.stderr
