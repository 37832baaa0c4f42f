"""The process that runs `corpusclean run -w N` (N > 1) only coordinates: it lists the input,
hands out documents, adds up the corpus pass's observations and the results, and writes what
must be written in order. What cleaning a document needs (ftfy, the HTML extractor) is imported
by the workers that clean, not by it. With one worker everything happens in the one process.

Each run here is a fresh interpreter (what a user's command is), which prints the modules it
imported when the run ended."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import tree_bytes, write_tree

PAGES = {
    "a.txt": "Home\nNews\n\nThe council met on Tuesday to discuss the new library, which residents say is used "
             "every day by families.\nSign up for our newsletter\n",
    "b.txt": "Home\nNews\n\nThe board met on Monday to discuss the caf\xc3\xa9, which residents say is open "
             "every day.\nSign up for our newsletter\n",  # mojibake: ftfy repairs it, in a worker
    "c.html": "<html><body><nav>Home</nav><article><p>The swimming pool opens on Saturday, the council said "
              "in a statement on Friday.</p></article></body></html>",
}

#: modules only cleaning a document needs
CLEANING_ONLY = ("ftfy", "trafilatura", "corpusclean.encoding")
#: the commands that read a finished run or rule packs, imported only when asked for
OTHER_COMMANDS = ("corpusclean.cli_review", "corpusclean.cli_rules", "corpusclean.cli_eval")

RUN_AND_LIST_MODULES = """
import json, sys
from corpusclean.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)))
"""


def run_fresh(*args: str) -> set[str]:
    """`corpusclean ARGS` in a new interpreter; the modules its process imported."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_parent_of_a_run_on_two_workers_imports_no_cleaning_module(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    parent = run_fresh("run", str(tmp_path / "in"), str(tmp_path / "two"), "-w", "2", "-q")
    assert not parent & {*CLEANING_ONLY, *OTHER_COMMANDS}
    alone = run_fresh("run", str(tmp_path / "in"), str(tmp_path / "one"), "-w", "1", "-q")
    assert set(CLEANING_ONLY) <= alone  # one worker: the documents are cleaned in this process
    assert not alone & set(OTHER_COMMANDS)
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert "café" in one["b.txt"].decode() and "swimming pool" in one["c.txt"].decode()
    assert one == two


def test_stages_build_what_scanning_needs_where_pages_are_scanned():
    """Building the stages (what the parent does, to check the options and rule packs and to
    record their settings) leaves out what only scanning pages needs: the rules' keyword gate
    and line memory, the dedup stage's MinHash tables. The process that scans builds them on
    its first page; warming (a run with no corpus pass, before its workers fork) builds the gate."""
    from corpusclean.config import RunConfig
    from corpusclean.model import Document, DocumentMeta
    from corpusclean.stages.registry import build_stages

    rules, *_, dedup = build_stages(RunConfig.build("run"))
    assert rules.settings()["rules"] > 0 and dedup.settings()
    assert not {"gate", "memo"} & set(vars(rules)) and "_fingerprints" not in vars(dedup)
    doc = Document("a", "Home\nSign up for our newsletter\n", DocumentMeta(source={}, stages=["fix"]))
    rules.process(doc)
    dedup.observe_batch([doc])
    assert {"gate", "memo"} <= set(vars(rules)) and "_fingerprints" in vars(dedup)
    warmed, *_ = build_stages(RunConfig.build("strip"))
    warmed.warm()
    assert "gate" in vars(warmed)
