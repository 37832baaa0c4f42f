"""The classifier stage: removes the chrome no rule named, judged from the text itself.

It runs after the rules and the language stage, on the lines still live. Its corpus pass
counts, for every short line, how many pages of the corpus hold it (classifier/recurrence.py);
its page pass is classifier/page.py. Every removal names the test that decided it
(`heuristic.menu-run`, `heuristic.header-zone`, ...), a best-guess category, and the unit's
measurements, so `corpusclean diff` can show why.

This module is what the rest of corpusclean needs to know of the classifier (its options,
its tests' rule ids, its corpus pass's counts); the page pass's code (classifier/page.py and
the modules it uses) is imported where pages are classified, on the first page: the main
process of a run on several workers only counts, and never imports it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import click

from ..classifier.config import ClassifierConfig
from ..classifier.terms import TERMS
from ..model import Document
from .base import RuleInfo, Stage

if TYPE_CHECKING:
    import numpy as np

    from ..classifier.recurrence import LineHashes, PageHashes, Recurrence
    from ..classifier.stoplists import Stoplists
    from ..classifier.units import FeatureMemo, PreparedPage, Unit
    from ..classifier.vocabulary import Vocabulary
    from ..config import RunConfig

RULE_PREFIX = "heuristic."

#: characters of page text a batch's warm-up (ClassifierStage.prepare_batch) takes at most: the
#: pages past it find their features when they are classified, within their own --doc-timeout.
#: The warm-up is some 100 ns a character (the units' texts, then their features), so at most
#: about 0.1 s a batch; a batch of the 20 MB bench corpus holds some 330,000 characters
BATCH_CHARS = 1_000_000

#: the categories the chrome vocabulary names (classifier/vocabulary.py): a test that names its
#: category "by its words" gives a unit the category whose words cover most of it
BY_WORDS = tuple(name.replace("_", "-") for name in TERMS)


@dataclass(frozen=True)
class ClassifierTest:
    """One of the classifier's tests: what it means (the report's `reason`), and the categories
    its removals may carry, so `rules list` and `diff --category` know them without a run."""

    description: str
    #: categories it gives whatever the unit says
    categories: tuple[str, ...] = ()
    #: True when the unit's chrome words name the category (BY_WORDS), `categories` being the
    #: fallback for a unit with none
    by_words: bool = False

    def may_emit(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.categories, *(BY_WORDS if self.by_words else ())]))

    def categories_label(self) -> str:
        fixed = ", ".join(self.categories)
        if not self.by_words:
            return fixed
        return f"by its words, else {fixed}" if fixed else "by its words"


#: every test, by the name that follows `heuristic.` in its rule id. The categories follow the
#: code: verdicts.judge, page.py's fallback (default_category: navigation or widget), feeds.py,
#: prose_chrome.py
TESTS: dict[str, ClassifierTest] = {
    "markup": ClassifierTest("raw HTML markup left in the text", ("widget",)),
    "page-title": ClassifierTest("the page's <title> line: it repeats the headline below, often with the site's name",
                                 ("duplicate",)),
    "page-repeat": ClassifierTest("a short line repeated on this page (a control under every item)",
                                  ("widget",), by_words=True),
    "corpus-repeat": ClassifierTest("a short line found on many pages of the corpus (site template)",
                                    ("navigation",), by_words=True),
    "chrome-words": ClassifierTest("a short line made of chrome vocabulary (share, sign in, read more, ...)",
                                   by_words=True),
    "few-stopwords": ClassifierTest("a long line with almost no function words: a list of names or terms, not prose",
                                    ("navigation", "widget"), by_words=True),
    "name-list": ClassifierTest("a long line of capitalised names with no sentence in it: a drop-down's choices, "
                                "a list of titles, places or sections", ("navigation", "widget"), by_words=True),
    "no-sentence": ClassifierTest("a line with no sentence in it, on a page without a stoplist",
                                  ("navigation", "widget"), by_words=True),
    "separators": ClassifierTest("menu entries run together on one line", ("navigation",)),
    "header-zone": ClassifierTest("above the article: site header and navigation",
                                  ("navigation", "widget"), by_words=True),
    "footer-zone": ClassifierTest("below the article: teasers, comments and site footer",
                                  ("navigation", "widget"), by_words=True),
    "menu-run": ClassifierTest("a menu: short labels in a run, or any run of short lines away from the article's "
                               "paragraphs", ("navigation", "widget"), by_words=True),
    "short-boilerplate": ClassifierTest("a short line whose neighbours are not the article's prose",
                                        ("navigation", "widget"), by_words=True),
    "dated-feed": ClassifierTest("a run of dated entries closing the article: comments, live updates, teasers",
                                 ("widget",)),
    "comments": ClassifierTest("reader comments: a section under a 'Comments' heading whose entries name their "
                               "writer and time", ("comments",)),
    "slideshow": ClassifierTest("a slideshow: slides counted 1/N, 2/N, ... with their captions", ("widget",)),
    "related-links": ClassifierTest("a list of other stories under a 'Related' heading, closing the article",
                                    ("widget",)),
    "teaser-list": ClassifierTest("other stories' headlines, each with its one-sentence teaser, opening or closing "
                                  "the article", ("widget",)),
    "appeal": ClassifierTest("a paragraph asking the reader for support, membership or a sign-up",
                             ("donation", "paywall", "newsletter")),
    "author-bio": ClassifierTest("a paragraph describing the author", ("author-bio",)),
    "licence-notice": ClassifierTest("a notice about licensing, syndication or where the text first appeared",
                                     ("legal",)),
}
#: what each test means, for the report
REASONS = {name: test.description for name, test in TESTS.items()}


def check_disabled(names: Iterable[str]) -> None:
    """Raise ValueError for a `heuristic.*` name that is no test of the classifier."""
    known = sorted(RULE_PREFIX + reason for reason in REASONS)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"--disable: unknown classifier test(s) {', '.join(unknown)}; "
                         f"the classifier's tests are: {', '.join(known)}")


@dataclass(frozen=True)
class ClassifierOptions:
    #: run the classifier on the lines no rule matched (False: rules only)
    classifier: bool = True


class ClassifierStage(Stage):
    name = "classifier"
    step = "strip"
    Config = ClassifierOptions
    cli_options = (
        click.option("--classifier/--no-classifier", default=True, show_default=True,
                     help="--no-classifier: rules only, do not run the chrome classifier on lines no rule matched."),
    )
    rules = {RULE_PREFIX + name: RuleInfo(test.description, test.may_emit(), test.categories_label())
             for name, test in TESTS.items()}
    disable_prefix = RULE_PREFIX

    @classmethod
    def from_config(cls, config: ClassifierOptions, run: "RunConfig") -> "ClassifierStage | None":
        check_disabled([name for name in run.disable if name.startswith(RULE_PREFIX)])
        return cls(disabled=run.disable) if config.classifier else None

    def __init__(self, config: ClassifierConfig | None = None, disabled: Iterable[str] = ()):
        self.config = config or ClassifierConfig()
        #: rule ids ("heuristic.menu-run") or categories ("social") the user switched off
        self.disabled = frozenset(disabled)
        #: the pages of the batch being cleaned whose texts and features were found together
        #: (prepare_batch), by id(doc) (PreparedPage.fits says whether they are the page's)
        self.prepared: dict[int, PreparedPage] = {}

    # The corpus pass's count and line hashes, made where they are first used: with numpy,
    # which the parent of a run on several workers never imports (it only coordinates: the
    # workers observe, and one of them builds the corpus state, pipeline.run_corpus)
    @cached_property
    def recurrence(self) -> Recurrence:
        from ..classifier.recurrence import Recurrence

        return Recurrence()

    @cached_property
    def hashes(self) -> LineHashes:
        """The hashes of the short lines met so far, for both passes (template lines recur)."""
        from ..classifier.recurrence import LineHashes

        return LineHashes()

    # What the page pass uses, built in the process that classifies, on its first page (or
    # when the stage is warmed), with the code that uses it (the module's docstring says why).
    @cached_property
    def stoplists(self) -> Stoplists:
        from ..classifier.stoplists import Stoplists

        return Stoplists()

    @cached_property
    def vocabulary(self) -> Vocabulary:
        from ..classifier.vocabulary import Vocabulary

        return Vocabulary()

    @cached_property
    def memo(self) -> FeatureMemo:
        """The features of the texts met so far: a site's template lines recur on all its pages."""
        from ..classifier.units import FeatureMemo

        return FeatureMemo()

    def settings(self) -> dict[str, Any]:
        return {"config": self.config.signature(), "disabled": sorted(self.disabled)}

    # -- corpus pass: how many pages hold each short line ---------------------------------
    def observe(self, doc: Document) -> np.ndarray:
        from ..classifier.recurrence import observe

        return observe(doc.lines, self.hashes)

    def observe_batch(self, docs: list[Document]) -> PageHashes:
        from ..classifier.recurrence import PageHashes, observe

        hashes = self.hashes
        return PageHashes([observe(doc.lines, hashes) for doc in docs])

    def absorb(self, number: int, observation: Any) -> None:
        self.recurrence.add(observation)

    def absorb_batch(self, numbers: Sequence[int], observations: PageHashes) -> None:
        self.recurrence.add_pages(observations)

    def prepare(self) -> None:
        self.recurrence.freeze(self._min_pages())

    def corpus_state(self) -> Recurrence:
        return self.recurrence   # the common lines' hashes and counts

    def use_corpus_state(self, state: Recurrence) -> "ClassifierStage":
        self.recurrence = state  # the worker keeps its memos and its warmed tables
        return self

    def get_ready(self) -> None:
        from ..classifier import page  # noqa: F401  (the page pass's code, imported here)

        self.stoplists, self.vocabulary, self.memo  # noqa: B018

    def warm(self) -> None:
        from ..classifier import signals
        from ..classifier.regex import warm_line_tests

        self.get_ready()
        self.vocabulary.warm()
        warm_line_tests()
        signals.warm()

    def fresh(self) -> "ClassifierStage":
        copy = ClassifierStage(self.config, self.disabled)
        # built once here, shared by every copy
        copy.stoplists, copy.vocabulary, copy.memo, copy.hashes = self.stoplists, self.vocabulary, self.memo, self.hashes
        return copy

    def __getstate__(self) -> dict[str, Any]:
        # a worker fills its own memos (on its first page): the parent's are no use to ship
        state = {**self.__dict__, "prepared": {}}
        state.pop("memo", None)
        state.pop("hashes", None)
        return state

    def _min_pages(self) -> int:
        limits = self.config.thresholds
        return max(limits.corpus_pages, int(limits.corpus_share * self.recurrence.documents + 0.999))

    # -- page pass ------------------------------------------------------------------------
    def prepare_batch(self, docs: Sequence[Document]) -> None:
        """The units' texts of the batch's pages and their features, the texts the memo lacks
        counted together for all the pages with one stoplist (units.prepare_pages): the page
        scan's fixed cost, some 60 numpy calls, is paid once a batch instead of once a page.
        Only BATCH_CHARS characters of pages are taken (the rest find their features when
        classified), and one page is left to `process` alone, as it always was."""
        from ..classifier.units import prepare_pages

        self.prepared = {}  # a page of an earlier batch that was never classified (it failed) is let go
        if len(docs) < 2:
            return
        pages, chars = [], 0
        for doc in docs:
            if chars + len(doc.text) <= BATCH_CHARS:
                pages.append((doc, self._stopwords(doc)))
                chars += len(doc.text)
        self.prepared = {id(doc): page for (doc, _), page in zip(pages, prepare_pages(pages, self.memo))}

    def process(self, doc: Document) -> None:
        from ..classifier.page import classify_page  # on the first page (the module's docstring says why)

        units = classify_page(doc, self._stopwords(doc), self.config, self.vocabulary,
                              corpus_pages=self.recurrence.line_pages(doc.lines, doc.removed, self.hashes),
                              corpus_size=self.recurrence.documents,
                              extracted=doc.meta.main_text, memo=self.memo, prepared=self.prepared.pop(id(doc), None))
        for run in _runs_of_drops(units):
            head = run[0]
            rule = RULE_PREFIX + head.reason
            if rule in self.disabled or head.category in self.disabled:
                continue
            doc.remove(head.first, run[-1].last, stage=self.name, rule=rule, category=head.category,
                       reason=REASONS.get(head.reason, head.reason), details=_details(run))

    def _stopwords(self, doc: Document) -> frozenset[str] | None:
        """The stoplist of the page's language (the language stage's choice), if there is one."""
        return self.stoplists.get((doc.meta.language or {}).get("code"))


def _runs_of_drops(units: list[Unit]) -> list[list[Unit]]:
    """Consecutive dropped units with the same reason and category: one removal each."""
    from ..classifier.verdicts import DROP

    runs: list[list[Unit]] = []
    previous_dropped = False
    for unit in units:
        if unit.verdict != DROP:
            previous_dropped = False
            continue
        head = runs[-1][0] if runs and previous_dropped else None
        if head is not None and head.reason == unit.reason and head.category == unit.category:
            runs[-1].append(unit)
        else:
            runs.append([unit])
        previous_dropped = True
    return runs


def _details(run: list[Unit]) -> dict[str, Any]:
    head = run[0]
    signals: dict[str, Any] = {"class": head.initial, **head.signals.rounded()}
    if head.page_repeats > 1:
        signals["page_repeats"] = head.page_repeats
    if head.corpus_pages:
        signals["corpus_pages"] = head.corpus_pages
    if head.extra:
        signals.update(head.extra)
    details: dict[str, Any] = {"signals": signals}
    if len(run) > 1:
        details["units"] = len(run)
    return details
