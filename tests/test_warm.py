"""Warming before the workers fork (Stage.warm): with more than one worker, the parent builds
what the stages would otherwise build lazily in every worker (compiled pattern cuts, the
classifier's vocabulary), so that the forked workers share one copy. It must change nothing
but when that work happens."""
from __future__ import annotations

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
    """The same, for a stage with a corpus pass: the parent warms it while pass 1 runs."""

    def observe(self, doc: Document) -> int:
        return len(doc.text)


@pytest.mark.parametrize("stage", [Warmed, WarmedWithCorpusPass])
@pytest.mark.parametrize("workers, pages, warmed", [(1, 3, False), (2, 3, False), (1, 2 * WARM_FROM, False),
                                                    (2, 2 * WARM_FROM, True)])
def test_stages_are_warmed_before_the_workers_fork_when_several_have_enough_pages(tmp_path: Path, stage, workers,
                                                                                  pages, warmed):
    """Only with more than one worker and WARM_FROM pages each: one process builds only what
    its own pages need, and on a few pages a worker builds less than warming would."""
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
