"""classifier/page_scan.py counts a page's new texts together in numpy; these tests show that
each text gets the features units.features gives it alone, the plain definition, on text
chosen to break the shortcuts (the same tricky pieces as tests/test_classifier_signals.py), and
that a word's hash never decides alone whether it is a stopword."""
from __future__ import annotations

import re
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.classifier.page_scan import (DIGIT, MAX_CHARS, MIN_PAGE_CHARS, NO_SPACE, UNFOLDED, UPPER, PageScanner,
                                              WordTable, case_folds,
                                              _code_points, _hashes, _Powers, _word_spans, can_scan,
                                              character_classes)
from corpusclean.classifier.signals import _NO_SPACE_CLASS, _SYMBOL, FOLDS_INTO_A_WORD, WORD
from corpusclean.classifier.stoplists import CJK_STOP_CHARACTERS, Stoplists
from corpusclean.classifier.units import FeatureMemo, features, page_features

from test_classifier_signals import TRICKY

ENGLISH = Stoplists().get("en")
GERMAN = Stoplists().get("de")
SCANNER = PageScanner()

texts = st.lists(st.sampled_from(TRICKY) | st.text(max_size=6), max_size=30).map(" ".join).map(str.strip)
pages = st.lists(texts, min_size=1, max_size=12)


def same_features(found, expected):
    return (found.voice == expected.voice and found.lowered == expected.lowered
            and found.signals == expected.signals and found.signals.text == expected.signals.text
            and found.signals.found_words == expected.signals.found_words
            and found.signals.capitalised == expected.signals.capitalised)


@settings(max_examples=300)
@given(pages, st.sampled_from([ENGLISH, GERMAN, None]))
def test_a_pages_texts_counted_together_have_each_texts_features(page, stopwords):
    """Every text counted by the scanner (none left to the plain way for being few: the
    scanner is asked directly) has the features the plain definition gives it; a text with a
    character that does not casefold to one character is left to the plain way."""
    scanned = [text for text in page if can_scan(text)]
    if not scanned:
        return
    counts = SCANNER.counts(scanned, stopwords)
    for text, count in zip(scanned, counts):
        unfolded = len(text.casefold()) != len(text) or FOLDS_INTO_A_WORD in text
        assert (count is None) == unfolded
        if unfolded:
            continue
        plain = features(text, stopwords)
        assert count.lowered == text.casefold()
        words = WORD.findall(text.casefold())
        assert count.words == len(words) == plain.signals.found_words
        assert count.voice == plain.voice
        assert count.symbols == len(_SYMBOL.findall(text))
        assert count.no_space == len(re.findall(_NO_SPACE_CLASS, text))
        assert count.function_characters == sum(ch in CJK_STOP_CHARACTERS for ch in re.findall(_NO_SPACE_CLASS, text))
        assert count.stopwords == (None if stopwords is None else sum(w in stopwords for w in words))
        as_written = WORD.findall(text)
        assert count.capitals == sum(word[0].isupper() for word in as_written)
        assert count.digit_words == sum(map(str.isdigit, as_written))


@settings(max_examples=200)
@given(pages, st.sampled_from([ENGLISH, GERMAN, None]))
def test_page_features_are_the_features_of_each_text(page, stopwords):
    # repeated to pass MIN_PAGE_CHARS, so that the page is counted together
    page = page * (1 + MIN_PAGE_CHARS // max(1, sum(map(len, page))))
    for found, text in zip(page_features(page, stopwords, SCANNER), page):
        assert same_features(found, features(text, stopwords))


@settings(max_examples=100)
@given(pages, st.sampled_from([ENGLISH, None]))
def test_a_page_counted_in_chunks_is_counted_as_in_one(page, stopwords):
    """A long page is counted a chunk of texts at a time (memory): the same counts."""
    page = [text for text in page if can_scan(text)]
    assert PageScanner(chunk_chars=40).counts(page, stopwords) == SCANNER.counts(page, stopwords)


def test_texts_the_scanner_cannot_count_are_measured_the_plain_way():
    odd = ["Straße und Weg", "α\u0345ι", " padded ", "x" * (MAX_CHARS + 1), "ﬁle"]
    page = odd + ["The council met on Tuesday and voted to keep the library open."] * 20
    assert [can_scan(text) for text in odd] == [True, True, False, False, True]
    assert SCANNER.counts([odd[0], odd[1], odd[4]], ENGLISH) == [None, None, None]   # they do not fold to as many
    for found, text in zip(page_features(page, ENGLISH, SCANNER), page):
        assert same_features(found, features(text, ENGLISH))


def test_the_memo_counts_only_the_texts_it_lacks_and_keeps_them():
    memo = FeatureMemo()
    menu = memo.get("Sign in", ENGLISH)
    page = ["Sign in", "The council met on Tuesday.", "Sign in"]
    found = memo.get_page(page, ENGLISH)
    assert found[0] is menu and found[2] is menu
    assert same_features(found[1], features(page[1], ENGLISH))
    assert memo.get("The council met on Tuesday.", ENGLISH) is found[1]


def test_a_word_with_a_stopwords_hash_is_not_taken_for_it():
    """The table compares a found word's characters with its own word's: a word whose hash
    (here made equal on purpose) is a stopword's is still no stopword."""
    table = WordTable(ENGLISH)
    codes = _code_points(["the thy"])
    starts, ends = _word_spans(character_classes().take(codes))
    hashes = _hashes(codes, starts, ends, _Powers())
    found, which = table.find(codes, starts, ends, hashes)
    assert [table.words[w] for w in which] == ["the"] and found.tolist() == [0]
    forged = np.array([hashes[0], hashes[0]], np.uint64)   # "thy" given the hash of "the"
    found, which = table.find(codes, starts, ends, forged)
    assert found.tolist() == [0]


def test_the_character_classes_are_pythons():
    """Each code point's classes are what the patterns say of it, and a character that folds to
    one character has its fold's classes (page_scan counts the casefolded texts)."""
    classes = character_classes()
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    word = np.zeros(len(everything), bool)
    for match in WORD.finditer(everything):
        word[match.start():match.end()] = True
    assert ((classes & 1) != 0).tolist() == word.tolist()
    for pattern, bit in ((re.compile(_NO_SPACE_CLASS), NO_SPACE), (_SYMBOL, 8)):
        assert sorted(ord(m.group()) for m in pattern.finditer(everything)) == np.flatnonzero(classes & bit).tolist()
    assert sorted(map(ord, CJK_STOP_CHARACTERS)) == np.flatnonzero(classes & 4).tolist()
    assert ((classes & UPPER) != 0).tolist() == [char.isupper() for char in everything]
    assert ((classes & DIGIT) != 0).tolist() == [char.isdigit() for char in everything]
    # but for UPPER, which page_scan reads off the texts as written
    odd = [char for char in everything if len(char.casefold()) == 1 and char != FOLDS_INTO_A_WORD
           and classes[ord(char)] | UPPER != classes[ord(char.casefold())] | UPPER]
    assert odd == []
    folds = case_folds()
    unfolded = [len(char.casefold()) != 1 or char == FOLDS_INTO_A_WORD for char in everything]
    assert ((classes & UNFOLDED) != 0).tolist() == unfolded
    assert all(folds[ord(char)] == ord(char.casefold()) for char, odd in zip(everything, unfolded) if not odd)
