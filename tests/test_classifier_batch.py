"""The classifier on a batch of pages.

A run cleans its pages in batches (pipeline.process_batch): each stage goes over all the pages
of a batch before the next stage starts, and is first told which pages are coming
(`Stage.prepare_batch`). The classifier uses that to find the texts and features of all the
batch's pages at once (units.prepare_pages): the texts its memo lacks are counted in one page
scan for all the pages with one stoplist, instead of one scan a page.

That is a shortcut and nothing more. These tests show that a page is classified the same in a
batch as alone, that a page changed after its batch was prepared is judged from what it is
then, and that a page that breaks the batch's warm-up fails alone, as it would without it.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.classifier import units
from corpusclean.classifier.page_scan import MIN_PAGE_CHARS
from corpusclean.classifier.stoplists import Stoplists
from corpusclean.classifier.units import FeatureMemo
from corpusclean.model import Document
from corpusclean.pipeline import Job, process_batch, process_one
from corpusclean.readers import Source
from corpusclean.stages import classify
from corpusclean.stages.classify import ClassifierStage
from corpusclean.stages.language import LanguageStage

from conftest import write_tree
from test_classifier import ARTICLE, MENU, P1, P2, page

GERMAN = ("Der Gemeinderat hat am Dienstag beschlossen, die alte Bibliothek für weitere fünf Jahre "
          "offen zu halten, nachdem die Bewohner den Saal gefüllt hatten, um zu zeigen, dass das "
          "Gebäude jeden Tag von Schülern, Rentnern und Familien genutzt wird.")
FOOTER = ["Share", "Tweet", "Sign in", "Read more", "© 2024 Valley Courier"]

#: pages of one site and a few strangers: the site's menu and footer recur, as in a real batch
PAGES = [
    page(MENU, *ARTICLE, FOOTER),
    page(MENU, P2, P1, FOOTER),
    page(MENU, GERMAN, GERMAN + " Das ist alles.", FOOTER),
    page(["Tabelle", "1 2 3", "4 5 6"]),
    page("Just one short line"),
    page(MENU, P1, ["Comments (2)", "Anna, 3 hours ago", "Great news for the town!"], FOOTER),
    # long enough alone for the page scan (MIN_PAGE_CHARS); the short pages are counted with it
    # in a batch, and the plain way alone
    page(MENU, *(f"{text[:-1]}, as paragraph {n} says." for n, text in enumerate(ARTICLE * 2)), FOOTER),
]


def languages_found(texts: list[str]) -> list[Document]:
    """The pages as the classifier gets them: the language stage has run on them."""
    docs = [Document(f"page{n}", text) for n, text in enumerate(texts)]
    language = LanguageStage()
    for doc in docs:
        language.process(doc)
    return docs


def counted(texts: list[str]) -> ClassifierStage:
    """A classifier stage after its corpus pass over the pages."""
    stage = ClassifierStage()
    stage.absorb_batch(range(len(texts)), stage.observe_batch(languages_found(texts)))
    stage.prepare()
    return stage


def removals(doc: Document) -> list[tuple[int, int, str, str]]:
    return [(r.line_start, r.line_end, r.rule, r.category) for r in doc.iter_removals()]


def each_alone(texts: list[str]) -> list[list[tuple[int, int, str, str]]]:
    """Each page classified by a stage of its own (same corpus counts, an empty memo): what
    no other page can have had a hand in."""
    state = counted(texts).corpus_state()
    found = []
    for doc in languages_found(texts):
        ClassifierStage().use_corpus_state(state).process(doc)
        found.append(removals(doc))
    return found


def in_a_batch(texts: list[str], stage: ClassifierStage | None = None) -> list[list[tuple[int, int, str, str]]]:
    """The pages classified as a run does: the batch prepared, then each page processed."""
    stage = stage or counted(texts)
    docs = languages_found(texts)
    stage.prepare_batch(docs)
    for doc in docs:
        stage.process(doc)
    return [removals(doc) for doc in docs]


def test_each_page_of_a_batch_gets_the_removals_it_gets_alone():
    batched = in_a_batch(PAGES)
    assert batched == each_alone(PAGES)
    assert any(batched)  # the menus and footers did go


def test_a_batch_counts_the_new_texts_once_a_stoplist(monkeypatch):
    """The texts of the English pages in one scan, the German page's in another, and so on; each text once,
    however many pages bring it; and each page's units are made once, not again when it is
    classified."""
    scanned: list[list[str]] = []
    made: list[str] = []
    measure, make = units.page_features, units.page_texts

    def measuring(texts, stopwords, scanner):
        scanned.append(texts)
        return measure(texts, stopwords, scanner)

    def making(doc):
        made.append(doc.name)
        return make(doc)

    monkeypatch.setattr(units, "page_features", measuring)
    monkeypatch.setattr(units, "page_texts", making)
    in_a_batch(PAGES)
    stoplists = {Stoplists().get(doc.meta.language["code"]) for doc in languages_found(PAGES)}
    assert len(stoplists) == 3  # English, German, and none for the pages too short to tell
    assert len(scanned) == len(stoplists)
    english = next(texts for texts in scanned if P1 in texts)
    assert english.count("Share") == english.count(P1) == 1
    assert sum(map(len, english)) >= MIN_PAGE_CHARS  # so they were counted by the page scan
    assert made == [f"page{n}" for n in range(len(PAGES))]


def test_pages_share_the_features_of_a_text_they_share():
    memo = FeatureMemo()
    english = Stoplists().get("en")
    first, second = memo.get_pages([["Share", P1], [P2, "Share"]], english)
    assert first[0] is second[1]
    assert [f.lowered for f in first + second] == ["share", P1.casefold(), P2.casefold(), "share"]


def test_a_page_changed_after_its_batch_was_prepared_is_classified_as_it_is_then():
    """What a batch prepared for a page is only used while the page's live lines are the ones
    it was prepared from."""
    stage = counted(PAGES)
    docs = languages_found(PAGES)
    stage.prepare_batch(docs)
    docs[0].remove(0, 1, stage="rules", rule="test.menu", category="navigation")  # "Home", "News"
    stage.process(docs[0])

    alone = languages_found(PAGES)[0]
    alone.remove(0, 1, stage="rules", rule="test.menu", category="navigation")
    ClassifierStage().use_corpus_state(stage.corpus_state()).process(alone)
    assert removals(docs[0]) == removals(alone)


def test_the_warm_up_takes_pages_up_to_batch_chars_and_leaves_the_rest_to_process(monkeypatch):
    monkeypatch.setattr(classify, "BATCH_CHARS", len(PAGES[0]) + len(PAGES[1]))
    stage = counted(PAGES)
    docs = languages_found(PAGES)
    stage.prepare_batch(docs)
    assert set(stage.prepared) == {id(docs[0]), id(docs[1])}
    for doc in docs:
        stage.process(doc)
    assert [removals(doc) for doc in docs] == each_alone(PAGES)
    assert not stage.prepared  # each prepared page was taken by its own process


def test_a_single_page_is_not_prepared():
    """One page (`process_one`, the library's Cleaner) is classified as it always was."""
    stage = counted(PAGES[:1])
    stage.prepare_batch(languages_found(PAGES[:1]))
    assert stage.prepared == {}


blocks = st.sampled_from([MENU, FOOTER, P1, P2, GERMAN, "Share", "Sign in", "Tabelle", ["1 2 3", "4 5 6"],
                          "   indented line  ", "Straße und ﬁle", "日本語のテキストです。これは文です。"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(blocks, min_size=1, max_size=6).map(lambda b: page(*b)), min_size=2, max_size=6))
def test_any_batch_classifies_each_page_as_alone(texts):
    assert in_a_batch(texts) == each_alone(texts)


# -- in the pipeline -------------------------------------------------------------------------

def test_a_page_that_breaks_the_batch_warm_up_fails_alone(tmp_path, monkeypatch):
    """A page on which finding the units' texts raises: the batch's warm-up fails (said in a
    warning), each page is then classified on its own, and only the page with the problem
    fails, named, as it would have without batches; the others are cleaned as one by one."""
    files = {f"page{n}.txt": text for n, text in enumerate(PAGES)}
    files["bad.txt"] = page(MENU, P1, "BOOM", FOOTER)
    write_tree(tmp_path, files)
    sources = [Source(name=name[:-4], path=tmp_path / name, relpath=name) for name in sorted(files)]

    def job() -> Job:
        stage = ClassifierStage()
        stage.prepare()
        return Job(stages=[LanguageStage(), stage], steps=[], max_bytes=100_000)

    real = units.page_texts

    def breaks_on_boom(doc):
        if "BOOM" in doc.text:
            raise ZeroDivisionError("division by zero")
        return real(doc)

    monkeypatch.setattr(units, "page_texts", breaks_on_boom)
    with pytest.warns(RuntimeWarning, match="stage classifier: preparing a batch failed .ZeroDivisionError"):
        batched = process_batch(job(), [(None, source) for source in sources])
    one_by_one = [process_one(job(), source) for source in sources]

    statuses = {result.name: result.report["status"] for result in batched}
    assert statuses["bad"] == "failed"
    assert batched[0].report["error"].startswith("internal error in stage classifier: ZeroDivisionError")
    assert [r.report for r in batched] == [r.report for r in one_by_one]
    assert [r.clean for r in batched] == [r.clean for r in one_by_one]
