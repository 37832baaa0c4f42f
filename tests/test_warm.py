"""Getting the stages ready for the removal pass (Stage.prepare, Stage.warm): with more than one
worker, what the stages would otherwise build lazily on their first pages (compiled pattern
cuts, the classifier's vocabulary) is built ahead: by the parent before the workers fork when
the run has no corpus pass, so that they share one copy; by each worker, which keeps what it
built in pass 1, when it has. It must change nothing but when that work happens."""
from __future__ import annotations

import multiprocessing

from pathlib import Path

import pytest

from corpusclean.classifier.regex import LineTest, line_test, warm_line_tests
from corpusclean.classifier.vocabulary import Vocabulary
from corpusclean.config import RunConfig
from corpusclean.model import Document
from corpusclean.patterns.matcher import _UNCOMPILED, compiled_matcher
from corpusclean.pipeline import WARM_FROM, Job, run_corpus
from corpusclean.readers.files import iter_directory
from corpusclean.report import Summary
from corpusclean.stages.base import Stage
from corpusclean.stages.registry import build_stages
from corpusclean.stages.rules import RuleStage
from conftest import run_cli, tree_bytes, write_tree

#: a line of each kind of characters a Matcher has a cut for
LINES = ["Share this on Facebook", "Partagez cet article sur Facebook — merci",
         "在 Facebook 上分享", "Поделиться в Facebook 🙂", "nothing to see here", "😀"]

#: the cuts warm() compiles: the accented-Latin one, and with wide=True the one for most other
#: scripts (the whole waits for a line of a rare script)
CUTS = ("_common", "_wide")


@pytest.mark.parametrize("wide", [False, True])
def test_a_warmed_matcher_has_its_cuts_compiled_and_answers_as_before(wide):
    cold = compiled_matcher((r"\bshare\b.*\bfacebook\b", r"поделиться"), 2)  # re.IGNORECASE
    answers = [cold.search(line) for line in LINES]
    warmed = compiled_matcher.__wrapped__((r"\bshare\b.*\bfacebook\b", r"поделиться"), 2)
    warmed.warm(wide=wide)
    assert [getattr(warmed, cut) is not _UNCOMPILED for cut in CUTS] == [True, wide]
    assert [warmed.search(line) for line in LINES] == answers == [True, False, False, True, False, False]


def test_the_rules_stage_warms_the_common_cut_of_every_field_of_every_rule():
    """The wide cut is left to the worker whose line needs it: a field's line must hold its
    keywords and a character of another script, which most fields never meet (Matcher.warm)."""
    stage = next(s for s in build_stages(RunConfig()) if isinstance(s, RuleStage))
    stage.warm()
    for rule in stage.rulebook.rules:
        for matcher in (rule.patterns, rule.unless, rule.require, rule.end, rule.continues):
            if matcher is not None:
                assert matcher._common is not _UNCOMPILED, rule.id


def test_the_classifiers_vocabulary_and_line_tests_compile_ahead_of_use():
    vocabulary = Vocabulary()
    vocabulary.warm()
    assert {"by_category", "appeal", "notice_strong"} <= set(vars(vocabulary))  # cached_property values
    test = line_test(__import__("re").compile(r"^\d+ comments?$"))
    assert isinstance(test, LineTest) and test._search is None
    warm_line_tests()
    assert test._search is not None and test("12 comments") and not test("no comment")
    # the cut most lines of a corpus need; lines of other scripts take it too, with stand-ins
    assert [getattr(test._search.__self__, cut) is not _UNCOMPILED for cut in CUTS] == [True, False]
    assert test("12 комментариев") is False and test("12 comments 🙂") is False
    assert test._search.__self__._wide is _UNCOMPILED


def test_the_classifier_stage_warms_the_capital_counting_patterns():
    from corpusclean.classifier import signals
    from corpusclean.stages.classify import ClassifierStage

    signals._word_starts.cache_clear()
    ClassifierStage().warm()
    assert signals._word_starts.cache_info().currsize == 1


class Warmed(Stage):
    """Drops every page it cleans unless warm() ran in the process that forked the worker
    (or in the worker's own process, with one worker)."""

    name = "warmed"

    def __init__(self) -> None:
        self.warmed = False

    def warm(self) -> None:
        self.warmed = True

    def process(self, doc: Document) -> None:
        if not self.warmed:
            doc.meta.dropped = "not warmed"


class WarmedWithCorpusPass(Warmed):
    """The same, for a stage with a corpus pass: the workers are forked for pass 1, before the
    stages are ready, and none warms it (nothing would share what it builds)."""

    def observe(self, doc: Document) -> int:
        return len(doc.text)


@pytest.mark.parametrize("stage, workers, pages, warmed", [
    (Warmed, 1, 3, False), (Warmed, 2, 3, False), (Warmed, 1, 2 * WARM_FROM, False), (Warmed, 2, 2 * WARM_FROM, True),
    (WarmedWithCorpusPass, 2, 2 * WARM_FROM, False), (WarmedWithCorpusPass, 1, 2 * WARM_FROM, False)])
def test_stages_are_warmed_before_the_workers_fork_when_several_have_enough_pages(tmp_path: Path, stage, workers,
                                                                                  pages, warmed):
    """Only with more than one worker and WARM_FROM pages each, forked after the stages are
    ready: one process builds only what its own pages need, on a few pages a worker builds less
    than warming would, and a worker forked for a corpus pass has no one to share with."""
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(pages)})
    summary = Summary("strip", {})
    job = Job(stages=[stage()], steps=["strip"], max_bytes=10**6)
    run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=workers)
    assert summary.documents["dropped"] == (0 if warmed else pages)


class BrokenWarm(Warmed):
    """A stage whose warming fails: the run goes on, and the workers build what they need."""

    def warm(self) -> None:
        raise RuntimeError("cannot build ahead")


def test_a_stage_that_fails_to_warm_leaves_the_run_as_it_was_without_warming(tmp_path: Path):
    """...and says so (a RuntimeWarning naming the stage): a broken warm() is not left to show
    only as a slower run."""
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(2 * WARM_FROM)})
    summary = Summary("strip", {})
    job = Job(stages=[BrokenWarm()], steps=["strip"], max_bytes=10**6)
    with pytest.warns(RuntimeWarning, match=f"stage {BrokenWarm.name}: warming up failed .*cannot build ahead"):
        run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=2)
    assert (summary.failed, summary.documents["dropped"]) == (0, 2 * WARM_FROM)


def test_a_run_warmed_before_the_workers_fork_writes_what_one_worker_writes(tmp_path: Path, seeds_dir: Path):
    """Enough pages for the parent to warm every stage (2 x WARM_FROM and more), built from
    the seeds' chrome and articles with lines of other scripts mixed in (they reach the
    pattern cuts warming compiles): with two workers the output is byte for byte what one
    worker, which never warms, writes."""
    seeds = [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    pages = {f"p{n:03d}.txt": f"{seeds[n % len(seeds)]}\n{LINES[n % len(LINES)]} {n}\n"
             for n in range(2 * WARM_FROM + 7)}
    source = write_tree(tmp_path / "in", pages)
    trees = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        assert run_cli("run", str(source), str(out), "-q", "--workers", workers).exit_code == 0
        trees.append({name: data for name, data in tree_bytes(out).items() if name != "corpusclean-summary.json"})
    assert trees[0] == trees[1]
    assert len(trees[0]) == 2 * len(pages)  # a text and a report for every page


class KeptFromPass1(Stage):
    """Drops every page it cleans in a process that did not observe pages in pass 1: it keeps
    its own object through the hand-over (use_corpus_state), as the shipped corpus stages do."""

    name = "kept"

    def __init__(self) -> None:
        self.observed_here = 0
        self.pages = 0

    def observe(self, doc: Document) -> int:
        self.observed_here += 1
        return 1

    def absorb(self, number: int, observation: int) -> None:
        self.pages += observation

    def corpus_state(self) -> int:
        return self.pages

    def use_corpus_state(self, state: int) -> "KeptFromPass1":
        self.pages = state
        return self

    def process(self, doc: Document) -> None:
        if not self.observed_here or self.pages != PAGES:
            doc.meta.dropped = f"observed {self.observed_here} pages here, told of {self.pages}"


PAGES = 4 * WARM_FROM


def test_the_workers_of_pass_1_clean_pass_2_with_the_corpus_state_handed_to_them(tmp_path: Path):
    """One pool for both passes: each worker keeps what it built observing (memos, hashes),
    and takes the corpus-wide count, which one of them builds from every worker's
    observations (tests/test_corpus_state.py), once before its first page."""
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(PAGES)})
    summary = Summary("strip", {})
    job = Job(stages=[KeptFromPass1()], steps=["strip"], max_bytes=10**6)
    run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=2)
    assert (summary.failed, summary.documents["dropped"], summary.documents["ok"]) == (0, 0, PAGES)


class CannotPrepareInAWorker(Stage):
    """A stage with no corpus pass whose preparing fails (its data unreadable, say): with a
    corpus pass and several workers, each worker prepares it before its first page of pass 2."""

    name = "unprepared"

    def prepare(self) -> None:
        raise OSError("profiles.bin is unreadable")

    def process(self, doc: Document) -> None:
        pass


def test_a_stage_that_cannot_get_ready_in_a_worker_fails_each_document_saying_why(tmp_path: Path):
    """Not a hung or killed run: every document of pass 2 fails with the stage's name and the
    error, the summary counts them, and the run ends."""
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(5)})
    summary = Summary("strip", {})
    job = Job(stages=[CannotPrepareInAWorker(), WarmedWithCorpusPass()], steps=["strip"], max_bytes=10**6)
    run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=2)
    assert summary.failed == 5
    assert {failure["error"] for failure in summary.failures} == {
        "internal error while preparing stage unprepared in a worker: OSError: profiles.bin is unreadable "
        f"(at {Path(__file__).name}:{CannotPrepareInAWorker.prepare.__code__.co_firstlineno + 1}); please report it"}


class PreparedOnce(Stage):
    """A stage with no corpus pass that notes, in a file, each time a process prepares it and
    from where; it drops a page when its process prepared it other than once."""

    name = "prepared-once"
    log: Path

    def __init__(self) -> None:
        self.times = 0

    def prepare(self) -> None:
        import inspect
        import os

        self.times += 1
        caller = next(frame.function for frame in inspect.stack() if frame.function in ("_get_ready", "_take_handover"))
        with open(self.log, "a") as log:
            log.write(f"{os.getpid()} {caller}\n")

    def process(self, doc: Document) -> None:
        if self.times != 1:
            doc.meta.dropped = f"prepared {self.times} times"


def test_each_worker_gets_ready_for_pass_2_once_while_one_of_them_builds_the_corpus_state(tmp_path: Path):
    """Once pass 1 is done and one worker is building the corpus state, every worker is asked
    to prepare its stages with no corpus pass (pipeline._get_ready) as soon as it has nothing
    to do, and before its first task of pass 2 at the latest (Pool.when_idle; the builder,
    after building), instead of in that task after the hand-over: each worker that cleans
    prepares once, there, however the pages' timing falls."""
    PreparedOnce.log = tmp_path / "prepared.log"
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(PAGES)})
    summary = Summary("strip", {})
    job = Job(stages=[PreparedOnce(), KeptFromPass1()], steps=["strip"], max_bytes=10**6)
    run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=2)
    assert (summary.failed, summary.documents["dropped"], summary.documents["ok"]) == (0, 0, PAGES)
    for process in multiprocessing.active_children():  # the run leaves the workers' exit to them
        process.join()
    prepared = [line.split() for line in PreparedOnce.log.read_text().splitlines()]
    assert len({pid for pid, _ in prepared}) == len(prepared)  # once a worker
    # every page was cleaned by a worker prepared once (none dropped), and each got ready
    # ahead; a worker the run never gave a batch of pass 2 may not have needed to
    assert {caller for _, caller in prepared} == {"_get_ready"}
