"""The language stage: once per page, on the text most likely to be the article, jusText's
stoplists decide when one clearly wins, and a seeded langdetect call otherwise; `--lang` drops
pages in other languages (reported as dropped, never lost)."""
from __future__ import annotations

import pickle
import re
import sys
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from corpusclean.model import Document
from corpusclean.language_detection import StopwordVote, VectorDetector
from corpusclean.stages.language import (MIN_LETTERS, SEED, VOTE_MARGIN, VOTE_MIN_SHARE, VOTE_MIN_WORDS,
                                         LanguageStage, content_sample, ends_sentence, has_letters, parse_languages)
from conftest import read_report, read_summary, run_cli, write_tree
from multilingual import ENGLISH_MENU as SITE_MENU, PASSAGES

ENGLISH = ("The town council voted on Tuesday to keep the old library open for another five years, "
           "after residents filled the hall to argue that the building was still used every day.\n")
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die alte Bibliothek für weitere fünf Jahre offen "
          "zu halten, nachdem viele Bürger in den Saal gekommen waren, um für das Gebäude zu sprechen.\n")
FRENCH = ("Le conseil municipal a voté mardi pour garder la vieille bibliothèque ouverte pendant encore "
          "cinq ans, après que les habitants ont rempli la salle pour défendre le bâtiment.\n")
ENGLISH_MENU = "Home\nNews\nSport\nLogin\nSubscribe\nContact us\n\n"


def detect(text: str) -> dict:
    doc = Document("page", text)
    LanguageStage().process(doc)
    return doc.meta.language


def test_an_english_page_is_decided_by_its_stopwords():
    language = detect(ENGLISH)
    assert language["code"] == "en" and language["method"] == "stopwords"
    assert language["stopwords"] >= 0.3 and language["margin"] >= 2


def test_text_with_few_stopwords_goes_to_langdetect_with_its_probability():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
             "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.\n")
    language = detect(lorem)
    assert language["method"] == "langdetect"
    assert 0.0 <= language["probability"] <= 1.0


@pytest.fixture(scope="module")
def stage() -> LanguageStage:
    """One stage for many pages: langdetect's profiles load once."""
    return LanguageStage()


@pytest.mark.parametrize("code, passage", [(code, text) for code, texts in PASSAGES.items() for text in texts])
def test_the_stage_chooses_what_langdetect_chooses(stage, code, passage):
    """Whichever detector answers, the answer is langdetect's on the same sample: the
    stopwords only answer when they clearly agree with it (here under a site's English menu)."""
    doc = Document("page", SITE_MENU + passage)
    assert stage.detect(doc)["code"] == stage.langdetect(content_sample(doc.lines))["code"]


def test_close_languages_are_left_to_langdetect_when_their_lists_overlap():
    # Danish and Norwegian share most function words: no clear winner, so langdetect decides
    assert StopwordVote().decide(PASSAGES["da"][0] * 2) is None


def test_a_list_in_another_script_does_not_vote_for_english():
    # jusText's Marathi list holds "the", "of", "and", gathered with its text
    vote = StopwordVote()
    assert vote.decide(ENGLISH)["code"] == "en"
    assert "mr" not in languages_of("the") and "mr" in languages_of("आणि")


@lru_cache(maxsize=1)
def _lists() -> list[tuple[str, frozenset[str]]]:
    from corpusclean.classifier.stoplists import Stoplists
    from corpusclean.language_detection import _vote_lists

    return _vote_lists(Stoplists())


def languages_of(word: str) -> tuple[str, ...]:
    """The codes whose list (as the vote reads jusText's lists) holds `word`, in code order."""
    return tuple(code for code, words in _lists() if word in words)


def plain_vote(sample: str) -> dict | None:
    """StopwordVote.decide as first written, on the lists themselves and a dict by language
    code: what it must answer (whatever index it reads them through)."""
    words = re.findall(r"\w+", sample.casefold())
    if len(words) < VOTE_MIN_WORDS:
        return None
    scores: dict[str, float] = {}
    hits: dict[str, int] = {}
    for word in words:
        codes = languages_of(word)
        for code in codes:
            scores[code] = scores.get(code, 0.0) + 1.0 / len(codes)
            hits[code] = hits.get(code, 0) + 1
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if hits[best] < VOTE_MIN_SHARE * len(words) or score < VOTE_MARGIN * max(runner_up, 1.0):
        return None
    return {"code": best, "method": "stopwords", "stopwords": round(hits[best] / len(words), 3),
            "margin": round(score / max(runner_up, 1.0), 1)}


@lru_cache(maxsize=1)
def _vote() -> StopwordVote:
    return StopwordVote()


#: each passage's words, with words of other lists and of none mixed in
_VOTE_WORDS = [sorted(set(re.findall(r"\w+", text)) | {"the", "and", "of", "der", "und", "og", "ikke", "le", "qwzx", "1999"})
               for texts in PASSAGES.values() for text in texts]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_VOTE_WORDS).flatmap(
    lambda words: st.lists(st.sampled_from(words), min_size=VOTE_MIN_WORDS - 2, max_size=90)))
def test_the_vote_answers_as_the_plain_loop_by_language_code(words):
    """The vote keeps scores in lists by language number: in every mix of words it must give
    the plain loop's answer (code, share, margin, or none), ties going to the first code."""
    sample = " ".join(words)
    assert _vote().decide(sample) == plain_vote(sample)


def test_the_vote_on_the_passages_is_the_plain_loops():
    for texts in PASSAGES.values():
        for text in texts:
            for sample in (text, SITE_MENU + text, text * 3, "the and of " * 10):
                assert _vote().decide(sample) == plain_vote(sample)


def test_a_german_page_is_de():
    assert detect(GERMAN)["code"] == "de"


def test_an_english_menu_does_not_make_a_german_article_english():
    assert detect(ENGLISH_MENU + GERMAN)["code"] == "de"


def test_an_empty_page_is_unknown():
    assert detect("") == {"code": "unknown", "probability": 0.0}


def test_a_page_too_short_to_tell_is_unknown():
    assert detect("Home\nLogin\n")["code"] == "unknown"


def test_detection_is_the_same_every_time_in_any_stage():
    first = [LanguageStage().detect(Document("p", text)) for text in (ENGLISH, GERMAN, FRENCH)]
    again = [LanguageStage().detect(Document("p", text)) for text in (ENGLISH, GERMAN, FRENCH)]
    assert first == again


def test_the_sample_prefers_sentences_to_menu_lines():
    sample = content_sample((ENGLISH_MENU + GERMAN).splitlines(), limit=100)
    assert sample.startswith("Der Stadtrat")


# -- keeping only some languages ---------------------------------------------------------------

def test_a_page_in_another_language_is_dropped_with_every_line_recorded():
    doc = Document("page", ENGLISH_MENU + GERMAN)
    LanguageStage(allowed=["en", "fr"]).process(doc)
    assert doc.meta.dropped == "language de not in en,fr"
    assert all(not doc.is_live(i) for i in range(len(doc.lines)))
    assert {(r.rule, r.category) for r in doc.removals} == {("language.filter", "language")}


def test_pages_in_an_allowed_language_and_unknown_pages_are_kept():
    for text in (ENGLISH, "Home\nLogin\n"):
        doc = Document("page", text)
        LanguageStage(allowed=["en"]).process(doc)
        assert doc.meta.dropped is None and not doc.removals


def test_zh_stands_for_both_chinese_codes():
    stage = LanguageStage(allowed=["zh"])
    assert stage.is_allowed("zh-cn") and stage.is_allowed("zh-tw") and not stage.is_allowed("ja")


def test_language_codes_are_checked():
    assert parse_languages("en, de") == ["en", "de"]
    assert parse_languages(None) is None
    with pytest.raises(ValueError, match="unknown language code"):
        parse_languages("en,xx")


def test_a_sample_met_before_is_answered_from_memory(monkeypatch):
    """langdetect's answer depends on the sample alone; a syndicated copy of a page is not
    detected twice, and gets the same answer."""
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
             "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.\n")
    stage = LanguageStage()
    calls = []
    detect_sample = stage.langdetect
    monkeypatch.setattr(stage, "langdetect", lambda sample: calls.append(sample) or detect_sample(sample))
    first = stage.detect(Document("original", lorem))
    copy = stage.detect(Document("copy", lorem))
    assert first == copy and first["method"] == "langdetect" and len(calls) == 1
    copy["code"] = "xx"  # each page gets its own answer to keep
    assert stage.detect(Document("again", lorem)) == first


def test_the_stage_pickles_without_its_profiles():
    stage = LanguageStage(allowed=["en"])
    stage.detect(Document("p", ENGLISH))  # loads langdetect's profiles
    copy = pickle.loads(pickle.dumps(stage))
    assert copy._factory is None
    assert copy.detect(Document("p", ENGLISH))["code"] == "en"


# -- on the command line -----------------------------------------------------------------------

def test_lang_drops_other_languages_and_the_summary_says_so(tmp_path):
    write_tree(tmp_path / "in", {"english.txt": ENGLISH, "german.txt": GERMAN})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "--lang", "en", "-q", "-w", "1")
    assert result.exit_code == 0, result.output
    assert read_report(tmp_path / "out", "german")["status"] == "dropped"
    assert read_report(tmp_path / "out", "english")["language"]["code"] == "en"
    assert not (tmp_path / "out" / "german.txt").exists()
    summary = read_summary(tmp_path / "out" / "corpusclean-summary.json")
    assert summary["documents"]["dropped"] == 1


def test_an_unknown_lang_code_is_a_clear_error(tmp_path):
    write_tree(tmp_path / "in", {"english.txt": ENGLISH})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "--lang", "english", "-q")
    assert result.exit_code == 1
    assert "unknown language code(s): english" in result.stderr


def test_the_vector_detector_gives_langdetects_probabilities_bit_for_bit(stage):
    """VectorDetector runs langdetect's loop on arrays, over profiles read when first needed
    (Profiles): every probability must be the float langdetect's own Detector computes with
    its own factory, on every passage (alone and under a menu)."""
    from langdetect.detector import Detector
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    samples = [content_sample((menu + text).splitlines())
               for texts in PASSAGES.values() for text in texts for menu in ("", SITE_MENU)]
    for sample in samples:
        theirs, ours = Detector(factory), VectorDetector(stage._detector_factory())
        theirs.append(sample)
        ours.append(sample)
        assert [(p.lang, float(p.prob)) for p in ours.get_probabilities()] == \
               [(p.lang, p.prob) for p in theirs.get_probabilities()]


_PASSAGE_WORDS = sorted({word for texts in PASSAGES.values() for text in texts for word in text.split()})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_PASSAGE_WORDS), min_size=1, max_size=80).map(" ".join))
def test_the_vector_detector_gives_langdetects_probabilities_on_any_mix_of_words(text):
    """Words of every passage's language mixed at random: trials that converge on one
    language, change leader on the way, or stop at langdetect's iteration limit."""
    from langdetect.detector import Detector

    theirs, ours = Detector(_langdetect_factory()), VectorDetector(_our_profiles())
    theirs.append(text)
    ours.append(text)
    assert [(p.lang, float(p.prob)) for p in ours.get_probabilities()] == \
           [(p.lang, p.prob) for p in theirs.get_probabilities()]


_SENTENCE_END = re.compile(r"[.!?…。！？؟।][\"'”’»)\]]*\s*$")
_PIECES = st.sampled_from(["word", "W", " ", "\u00a0", "\t", ".", "!", "?", "…", "。", "؟", "।", "\"", "'", "”",
                           "’", "»", ")", "]", "(", ",", ":", "1", "_", "é", "ß", "ı", "\u2028", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_a_line_ends_like_a_sentence_exactly_where_the_regular_expression_says(line):
    """content_sample ranks lines by `ends_sentence`, a few string operations instead of a
    regex search tried at every position of the line."""
    assert ends_sentence(line) == bool(_SENTENCE_END.search(line))


def plain_sample(lines: list[str], limit: int) -> str:
    """What content_sample picks, by its definition: the non-blank lines ranked by whether
    they end a sentence, then by length (the longest first), then by place; taken while the
    text is shorter than `limit`, then put back in page order."""
    texts = [line.strip() for line in lines]
    ranked = sorted((i for i, text in enumerate(texts) if text),
                    key=lambda i: (not ends_sentence(texts[i]), -len(texts[i]), i))
    chosen, size = [], 0
    for i in ranked:
        if size >= limit:
            break
        chosen.append(i)
        size += len(texts[i]) + 1
    return "\n".join(texts[i] for i in sorted(chosen))[: limit + limit // 2]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=6).map("".join), max_size=10), st.integers(0, 30))
def test_the_sample_is_the_lines_ranked_as_its_definition_says(lines, limit):
    assert content_sample(lines, limit) == plain_sample(lines, limit)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_has_letters_counts_letters_as_findall_does(text):
    assert has_letters(text) == (len(re.findall(r"[^\W\d_]", text)) >= MIN_LETTERS)
    assert has_letters(text * 12) == (len(re.findall(r"[^\W\d_]", text * 12)) >= MIN_LETTERS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["the", "The", "THE", " ", "  ", "ab", "AB", "Ab", "ß", "ǅ", "ア", "ガ", "한", "中",
                                 "ế", "ș", "ț", "ﾟ", "x@y.org", "http://a.b/c", "'", "-", "1", "\u0301", "e\u0301",
                                 "ا", "ی", "\u00a0", "Ё", "İ", "\U0001d400", "\udc80", "\x00", "𝐀b"]), max_size=40).map("".join))
def test_the_detectors_text_and_n_grams_are_langdetects(text):
    """VectorDetector's append and cleaning_text (regular expressions) and its n-gram
    numbering (arrays of code points) give langdetect's own text and n-grams, in its order."""
    from langdetect.detector import Detector

    theirs, ours = Detector(_langdetect_factory()), VectorDetector(_our_profiles())
    theirs.append(text)
    ours.append(text)
    assert ours.text == theirs.text
    theirs.cleaning_text()
    ours.cleaning_text()
    assert ours.text == theirs.text
    assert ours._extract_ngrams() == theirs._extract_ngrams()
    row = _our_profiles().word_lang_prob_map.row
    assert ours._ngram_rows().tolist() == [row[ngram] for ngram in theirs._extract_ngrams()]


@lru_cache(maxsize=1)
def _our_profiles():
    return LanguageStage()._detector_factory()


@lru_cache(maxsize=1)
def _langdetect_factory():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def test_the_ngram_table_holds_langdetects_probabilities_row_for_row():
    """The detector gathers a page's n-grams' probabilities from rows filled, as n-grams are
    met, from the profiles read in a few numpy divisions: each row must be the list
    langdetect's own factory makes, float for float."""
    probabilities = _our_profiles().word_lang_prob_map
    theirs = _langdetect_factory().word_lang_prob_map
    assert probabilities.row.keys() == theirs.keys()
    assert not [ngram for ngram in theirs if "  " in ngram]   # word_windows counts on it
    table = probabilities.rows(np.arange(len(probabilities.row)))
    for ngram, row in probabilities.row.items():
        assert table[row].tolist() == theirs[ngram]
    assert probabilities["the"] == theirs["the"]   # one at a time, as langdetect's own loop reads them


def test_the_rows_gathered_are_the_profiles_whatever_order_n_grams_are_met_in():
    """DetectorTables fills a row for each n-gram the first time a detection needs it, and
    makes its table longer as it fills: every row gathered is that n-gram's probabilities."""
    from corpusclean.language_detection import DetectorTables

    probabilities = _our_profiles().word_lang_prob_map
    tables = DetectorTables(_our_profiles())
    for numbers in ([5, 3, 5, 0], list(range(2000, 0, -3)), [7, 3000, 2000, 5], [len(probabilities.row) - 1]):
        table, rows = tables.gather(np.array(numbers))
        assert np.array_equal(table[rows], probabilities.rows(np.array(numbers)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=3),
       st.integers(min_value=0, max_value=3000))
def test_draws_are_the_ones_pythons_random_makes(sizes, skip):
    """langdetect seeds random.Random and calls gauss and choice; RandomStream and Draws
    read the same words: the same normal values and the same picks, in the same order."""
    import random

    from corpusclean.language_detection import Draws, RandomStream

    stream, theirs = RandomStream(SEED), random.Random(SEED)
    for _ in range(skip):
        theirs.getrandbits(32)
    at = skip
    for n in sizes:
        assert stream.gauss_pair(at) == (theirs.gauss(0.0, 1.0), theirs.gauss(0.0, 1.0))
        at += 4
        draws = Draws(stream, n)
        first = draws.first_at(at)
        picks = draws.values(first, 300).tolist()
        assert picks == [theirs.choice(range(n)) for _ in range(300)]
        at = draws.position(first + 299) + 1
        assert int(stream.upto(at + 1)[at]) == theirs.getrandbits(32)   # both read up to here
        at += 1




def test_the_profiles_from_the_start_up_cache_are_the_ones_read_afresh(tmp_path, monkeypatch):
    """Profiles keeps what it read in the start-up cache: the next run's profiles come from
    there, the same languages, n-grams and probabilities."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    from corpusclean import cache
    from corpusclean import language_detection as language

    monkeypatch.setenv(cache.ENV, str(tmp_path))
    fresh = language.Profiles(PROFILES_DIRECTORY, SEED)
    assert list(tmp_path.glob("profiles-*.pickle"))
    monkeypatch.setattr(language, "_read_profiles", lambda directory: pytest.fail("read afresh"))
    again = language.Profiles(PROFILES_DIRECTORY, SEED)
    assert again.langlist == fresh.langlist
    assert again.word_lang_prob_map.row == fresh.word_lang_prob_map.row
    everything = np.arange(len(fresh.word_lang_prob_map.row))
    assert np.array_equal(again.word_lang_prob_map.rows(everything), fresh.word_lang_prob_map.rows(everything))


def test_the_vote_from_the_start_up_cache_reads_the_lists_it_read_afresh(tmp_path, monkeypatch):
    from corpusclean import cache
    from corpusclean.classifier.stoplists import Stoplists
    from corpusclean import language_detection as language

    monkeypatch.setenv(cache.ENV, str(tmp_path))
    fresh = StopwordVote()
    monkeypatch.setattr(language, "_vote_lists", lambda stoplists: pytest.fail("read afresh"))
    assert StopwordVote().index == fresh.index
    monkeypatch.undo()
    assert fresh.index == StopwordVote(Stoplists()).index   # jusText's lists, read with no cache


def test_a_voted_sample_met_before_is_answered_from_memory(monkeypatch):
    stage = LanguageStage()
    stage.prepare()
    calls = []
    decide = stage._vote.decide
    monkeypatch.setattr(stage._vote, "decide", lambda sample: calls.append(sample) or decide(sample))
    first, copy = stage.detect(Document("original", ENGLISH)), stage.detect(Document("copy", ENGLISH))
    assert first == copy and first["method"] == "stopwords" and len(calls) == 1


def test_threads_detecting_at_once_with_one_stage_get_the_answers_of_one_thread(stage):
    """A library caller may share one stage between threads: the detectors share the
    stage's tables, never a work array."""
    from concurrent.futures import ThreadPoolExecutor

    samples = [content_sample((menu + text).splitlines())
               for texts in PASSAGES.values() for text in texts for menu in ("", SITE_MENU)]
    alone = [stage.langdetect(sample) for sample in samples]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # threads take turns every few instructions: a shared array would show
    try:
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(stage.langdetect, samples * 3)) == alone * 3
    finally:
        sys.setswitchinterval(interval)


def test_were_pythons_random_to_draw_otherwise_langdetects_own_loop_would_run(monkeypatch):
    """The draws made in advance are checked against this Python's random.Random once; were
    they to differ, the detector runs langdetect's own trials: its probabilities still."""
    from langdetect.detector import Detector

    from corpusclean.language_detection import DetectorTables, RandomStream

    assert RandomStream(SEED).draws_as_python()
    monkeypatch.setattr(RandomStream, "draws_as_python", lambda self: False)
    tables = DetectorTables(_our_profiles())
    for text in (ENGLISH, GERMAN, PASSAGES["da"][0]):
        theirs, ours = Detector(_langdetect_factory()), VectorDetector(_our_profiles(), tables)
        theirs.append(text)
        ours.append(text)
        assert [(p.lang, p.prob) for p in ours.get_probabilities()] == \
               [(p.lang, p.prob) for p in theirs.get_probabilities()]


@pytest.mark.parametrize("in_order", [True, False])
def test_a_blocks_total_is_pythons_sum_whichever_way_this_python_adds(monkeypatch, in_order):
    """langdetect normalises with Python's `sum`, which adds floats one after the other before
    Python 3.12 and compensates for rounding from 3.12 on. The detector takes the last of
    numpy's running sums where `sum` adds in order and calls `sum` where it does not: both
    ways, on this Python, give langdetect's probabilities bit for bit."""
    from langdetect.detector import Detector

    from corpusclean import language_detection as language

    monkeypatch.setattr(language, "_SUM_IN_ORDER", in_order and language._SUM_IN_ORDER)
    for text in (ENGLISH, GERMAN, FRENCH, PASSAGES["da"][0], PASSAGES["da"][0] + GERMAN):
        theirs, ours = Detector(_langdetect_factory()), VectorDetector(_our_profiles())
        theirs.append(text)
        ours.append(text)
        assert [(p.lang, float(p.prob)) for p in ours.get_probabilities()] == \
               [(p.lang, p.prob) for p in theirs.get_probabilities()]
