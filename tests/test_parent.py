"""The process that runs `corpusclean run -w N` (N > 1) only coordinates: it lists the input,
hands out documents, adds up the results, and writes what must be written in order. What
cleaning a document needs (ftfy, the HTML extractor) is imported by the workers that clean, not
by it, and so is each stage's code for looking at a page (the classifier's page pass, the
language detectors) and what builds the corpus state (numpy, the dedup index: one worker builds
it, tests/test_corpus_state.py): the parent imports a stage's declarations (its options, rule
ids, settings). With one worker everything happens in the one process.

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

#: modules only cleaning a document needs: loading it (the fix stage, HTML extraction), and
#: each stage's page pass (its module declares the stage and holds its corpus state; the code
#: that looks at pages is imported where pages are looked at)
CLEANING_ONLY = ("ftfy", "trafilatura", "corpusclean.encoding", "corpusclean.extract",
                 "langdetect", "corpusclean.language_detection",
                 "corpusclean.classifier.page", "corpusclean.classifier.units", "corpusclean.classifier.vocabulary",
                 "re2", "ahocorasick", "corpusclean.patterns.matcher", "corpusclean.patterns.gate",
                 "corpusclean.rulebook", "corpusclean.dedup.fingerprint")
#: what observes pages and builds the corpus state from the observations (a worker does)
CORPUS_STATE = ("numpy", "corpusclean.dedup.index", "corpusclean.dedup.pages", "corpusclean.classifier.recurrence")
#: the commands that read a finished run or rule packs, imported only when asked for
OTHER_COMMANDS = ("corpusclean.cli_review", "corpusclean.cli_rules", "corpusclean.cli_eval")
#: what the coordinating parent has no use for at all: the pool's BrokenProcessPool is its
#: own (workers.py), where importing concurrent.futures' brought logging and multiprocessing's
#: connections too, in the parent's CPU before its workers fork (in a worker, or a 1-worker
#: run, trafilatura imports both for itself when a page is HTML)
PARENT_NEVER = ("concurrent.futures", "logging")

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
    """The rule packs are checked in the parent without parsing them (and importing the
    pattern engine) when the start-up cache holds their settings, and the dedup banding chosen
    without numpy when it holds that: any run after the first."""
    write_tree(tmp_path / "in", PAGES)
    alone = run_fresh("run", str(tmp_path / "in"), str(tmp_path / "one"), "-w", "1", "-q")
    assert set(CLEANING_ONLY) <= alone  # one worker: the documents are cleaned in this process
    assert not alone & set(OTHER_COMMANDS)
    parent = run_fresh("run", str(tmp_path / "in"), str(tmp_path / "two"), "-w", "2", "-q")
    assert set(CORPUS_STATE) <= alone
    assert not parent & {*CLEANING_ONLY, *CORPUS_STATE, *OTHER_COMMANDS, *PARENT_NEVER}
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert "café" in one["b.txt"].decode() and "swimming pool" in one["c.txt"].decode()
    assert one == two


def test_the_command_line_loads_its_modules_without_a_collection_and_leaves_the_collector_as_it_was():
    """What `import corpusclean.cli` makes lives as long as the process: the collector is paused
    while its modules load (collector.paused: a collection or two while the standard library's
    first modules load, where there were 58, 10-12 ms of a run's CPU before its first page, in a
    2-worker run's parent before the workers fork), then on again, or off when the program had
    turned it off; nothing of the program's is frozen. Counted from after the package itself
    (`corpusclean/__init__.py`: typing and importlib, which the interpreter's site may or may not
    have loaded already: a fresh venv collects 8 times there, this machine's site none)."""
    check = ("import gc, sys\n"
             "if sys.argv[1] == 'off': gc.disable()\n"
             "import corpusclean\n"
             "collections = sum(generation['collections'] for generation in gc.get_stats())\n"
             "import corpusclean.cli\n"
             "print(sum(generation['collections'] for generation in gc.get_stats()) - collections,\n"
             "      gc.isenabled(), gc.get_freeze_count())")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    (on, *on_state), (off, *off_state) = [
        subprocess.run([sys.executable, "-c", check, before], capture_output=True, text=True, env=env,
                       check=True).stdout.split() for before in ("on", "off")]
    assert int(on) < 5 and on_state == ["True", "0"]
    assert off == "0" and off_state == ["False", "0"]


def test_with_lang_the_workers_load_what_they_screen_with_and_the_parent_does_not(tmp_path):
    """--lang makes the corpus pass leave out the pages the language stage will drop: the
    workers detect languages there, so they load the detectors, not the parent."""
    german = ("Der Gemeinderat hat am Dienstag über die neue Bibliothek beraten, die nach Angaben der "
              "Bewohner jeden Tag von vielen Familien genutzt wird und deshalb länger geöffnet sein soll.\n")
    write_tree(tmp_path / "in", {**PAGES, "d.txt": german})
    run_fresh("run", str(tmp_path / "in"), str(tmp_path / "one"), "-w", "1", "-q", "--lang", "de")
    parent = run_fresh("run", str(tmp_path / "in"), str(tmp_path / "two"), "-w", "2", "-q", "--lang", "de")
    assert not parent & {"langdetect", "corpusclean.language_detection"}
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one == two and "Bibliothek" in one["d.txt"].decode() and "a.txt" not in one


def test_stages_build_what_scanning_needs_where_pages_are_scanned():
    """Building the stages (what the parent does, to check the options and rule packs and to
    record their settings) leaves out what only scanning pages needs: the parsed rules, their
    keyword gate and line memory, the classifier's stoplists, vocabulary and feature memo, the
    dedup stage's MinHash tables. The process that scans builds them when it gets ready
    (Stage.get_ready) or on its first page; warming (a run with no corpus pass, before its
    workers fork) builds the gate."""
    from corpusclean.config import RunConfig
    from corpusclean.model import Document, DocumentMeta
    from corpusclean.stages.registry import build_stages

    rules, _, classifier, dedup = build_stages(RunConfig.build("run"))
    assert rules.settings()["rules"] > 0 and dedup.settings() and classifier.settings()
    assert not {"rulebook", "gate", "memo"} & set(vars(rules)) and "_fingerprints" not in vars(dedup)
    assert not {"stoplists", "vocabulary", "memo"} & set(vars(classifier))
    doc = Document("a", "Home\nSign up for our newsletter\n", DocumentMeta(source={}, stages=["fix"]))
    rules.process(doc)
    dedup.observe_batch([doc])
    assert {"rulebook", "gate", "memo"} <= set(vars(rules)) and "_fingerprints" in vars(dedup)
    classifier.get_ready()  # what a worker does before its first page of the removal pass
    assert {"stoplists", "vocabulary", "memo"} <= set(vars(classifier))
    warmed, *_ = build_stages(RunConfig.build("strip"))
    warmed.warm()
    assert "gate" in vars(warmed)


BAD_PACK = '''category = "widget"
description = "a pack with a broken pattern"

[[rule]]
id = "widget.broken"
description = "an unclosed group"
patterns = ['^(print this']
examples = ["print this"]
'''


def test_a_bad_rule_pack_is_refused_alike_whatever_the_number_of_workers(tmp_path):
    """The main process builds the stages before anything is written, with any number of
    workers, so a pack that cannot load is the same error, exit status and untouched OUT."""
    from conftest import run_cli

    write_tree(tmp_path / "in", PAGES)
    write_tree(tmp_path / "mine", {"broken.toml": BAD_PACK})
    results = [run_cli("run", str(tmp_path / "in"), str(tmp_path / f"out{workers}"), "-q", "-w", str(workers),
                       "--rules", str(tmp_path / "mine")) for workers in (1, 2)]
    assert [result.exit_code for result in results] == [1, 1]
    assert results[0].stderr == results[1].stderr.replace("out2", "out1")
    assert "widget.broken" in results[0].stderr and results[0].stderr.startswith("Error: ")
    assert not (tmp_path / "out1").exists() and not (tmp_path / "out2").exists()


def test_what_a_worker_fails_to_build_on_its_first_page_fails_each_document_naming_the_stage(tmp_path, monkeypatch):
    """The rules' gate is built where pages are scanned: in a worker, when building it fails
    there, every document fails alone, naming the stage, and the run ends (exit status 1)."""
    import corpusclean.stages.rules as rules
    from conftest import read_summary, run_cli

    def broken(rules_: object) -> object:
        raise MemoryError("no room for the gate")

    monkeypatch.setattr(rules, "gate_for", broken)  # the workers are forked from this process
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "-w", "2")
    assert result.exit_code == 1
    failures = read_summary(tmp_path / "out" / "corpusclean-summary.json")["failures"]
    assert sorted(failure["document"] for failure in failures) == ["a", "b", "c"]
    assert all("in stage rules" in failure["error"] for failure in failures)
