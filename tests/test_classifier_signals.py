"""classifier/signals.py measures a line the cheap way; these tests show it is the obvious way's
answer, on text chosen to break shortcuts: combining marks, characters whose case folding is
several characters (ß, İ, ligatures), Chinese and Japanese, right-to-left scripts, emoji,
Unicode spaces, brackets and quotes at the end of a line, very long lines.

`obvious_measure` is how the classifier measured a line before the shortcuts (every word found
in the original text, then folded one by one); each shortcut must agree with it everywhere.
"""
from __future__ import annotations

import re
import sys
from operator import itemgetter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusclean.classifier.signals import (_SENTENCE_END, FOLDS_INTO_A_WORD, WORD, LineSignals, _is_symbolic,
                                            _MARKUP, _NO_SPACE_CLASS, casefold_words, ends_sentence,
                                            folded_words, measure)
from corpusclean.classifier.stoplists import CJK_STOP_CHARACTERS, Stoplists
from corpusclean.classifier.units import _ENDS, ends_clause, features

ENGLISH = Stoplists().get("en")
GERMAN = Stoplists().get("de")

# what makes a shortcut go wrong, mixed with ordinary words
TRICKY = [
    "Straße", "STRASSE", "İstanbul", "ınbox", "ΣΊΣΥΦΟΣ", "ﬁle", "\u212aelvin", "ſhare", "e\u0301te", "ᾳ",
    "α\u0345", "\u0345", "ŉ", "ǰ", "市议会星期二投票", "の", "ภาษาไทย", "مرحبا بالعالم", "שלום", "😀", "👍🏽",
    "x²", "٣٤", "Ⅻ", "ⓐⒶ", "𝐀𝐁", "_", "the", "The", "and", "OF", "we", "You", "2024", "a.", "b!",
    "end.", "”", "’", ")", "]", "»", "(", "(note)", "(Reporting by Jane Doe)", "\u00a0", "\u2003", "\t", " ",
    "<div class=\"x\">", "</p>", "x = (a + b) / 2;", "…", "。", "？", "؟", "।",
]
words_and_marks = st.lists(st.sampled_from(TRICKY) | st.text(max_size=6), max_size=40)
lines = st.builds(lambda parts, sep: sep.join(parts), words_and_marks, st.sampled_from([" ", "", "  ", "\u00a0"]))


def obvious_measure(line: str, stopwords: frozenset[str] | None) -> tuple:
    """The measures as the classifier took them before: findall, then fold word by word."""
    text = line.strip()
    words = WORD.findall(text)
    folded = [w.casefold() for w in words]
    script = re.findall(_NO_SPACE_CLASS, text) if not text.isascii() else []
    dense = len(script)
    no_space = dense * 2 > len(text)
    if no_space:
        stop_density = sum(1 for ch in script if ch in CJK_STOP_CHARACTERS) / dense
    elif stopwords is not None and words:
        stop_density = sum(map(stopwords.__contains__, folded)) / len(words)
    else:
        stop_density = None
    lettered = len(words) - sum(map(str.isdigit, words))
    capitalised = sum(map(str.isupper, map(itemgetter(0), words))) / lettered if lettered else 0.0
    return (len(text), len(text) + 2 * dense, dense // 2 + len(words) if no_space else len(words), stop_density,
            bool(_SENTENCE_END.search(text)), capitalised, "<" in text and bool(_MARKUP.search(text)), no_space,
            _is_symbolic(text) and not no_space)


def as_tuple(s: LineSignals) -> tuple:
    return (s.chars, s.length, s.words, s.stop_density, s.sentence_end, s.capitalised, s.markup, s.no_space_script,
            s.symbolic)


@given(lines)
def test_folded_words_are_the_words_folded_one_by_one(line):
    assert folded_words(line) == [w.casefold() for w in WORD.findall(line)]
    assert folded_words(line) == casefold_words(WORD.findall(line))


@pytest.mark.parametrize("line", [
    "İstanbul", "Straße und Weg", "α\u0345ι", "\u0345", "ﬁle ﬂow", "e\u0301te", "Hello, world", "", " ",
    "市议会星期二投票决定", "مرحبا بالعالم", "😀 emoji 👍🏽 ok",
])
def test_folded_words_on_the_characters_that_fold_oddly(line):
    assert folded_words(line) == [w.casefold() for w in WORD.findall(line)]


def test_only_one_character_folds_into_a_word_character_by_itself():
    """folded_words trusts that a character folding to one character keeps its being a word
    character or not, FOLDS_INTO_A_WORD apart: checked on every code point of this Python."""
    odd = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = char.casefold()
        if len(folded) == 1 and folded != char and bool(WORD.match(char)) != bool(WORD.match(folded)):
            odd.append(char)
    assert odd == [FOLDS_INTO_A_WORD]


ends = st.text(alphabet=st.sampled_from(list(".!?…。！？؟।\"'”’»)]([ \u00a0\u2003\tab,;")), max_size=12)


@given(st.text(max_size=20), ends)
def test_a_sentence_end_is_read_off_the_end_as_the_pattern_finds_it(start, end):
    text = (start + end).strip()
    assert ends_sentence(text) == bool(_SENTENCE_END.search(text))


clause_ends = st.text(alphabet=st.sampled_from(list(".!?…。！？:;\"'”’»)]([ \u00a0\tab,\n")), max_size=12)


@given(st.text(max_size=20), clause_ends)
def test_a_clause_end_is_read_off_the_end_as_the_pattern_finds_it(start, end):
    """units.ends_clause, which decides whether the next line may continue a line."""
    text = (start + end).strip()
    assert ends_clause(text) == bool(_ENDS.search(text))


@pytest.mark.parametrize("text", [
    "A big hit.", "A big hit.\u201d", "A big hit. (Reporting by Jane Doe; editing by John Roe)",
    "A big hit.(no space)", "A big hit. ()", "A big hit. (one (nested) note)", "A big hit. (a) (b)",
    "A big hit.\u00a0(note)", "A big hit.) (note)", "Home (3)", "What?", "Wait…", "完了。", "(note)", ")", ".",
    "A big hit. (" + "x" * 150 + ")", "A big hit. (" + "x" * 151 + ")", "",
])
def test_sentence_ends_at_the_edges_of_the_pattern(text):
    assert ends_sentence(text) == bool(_SENTENCE_END.search(text))


@given(lines, st.sampled_from([ENGLISH, GERMAN, None]))
def test_measure_gives_the_obvious_measures(line, stopwords):
    assert as_tuple(measure(line, stopwords)) == obvious_measure(line, stopwords)


@given(lines, st.sampled_from([ENGLISH, GERMAN, None]))
def test_a_units_features_give_the_obvious_measures(line, stopwords):
    """units.features measures a text with its folded words and their number of characters,
    which spare the symbol count of a line that cannot have enough symbols."""
    text = line.strip()
    assert as_tuple(features(text, stopwords).signals) == obvious_measure(text, stopwords)


@pytest.mark.parametrize("text", [
    "x_1 = y_2", "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s_t_u_v_w_x_y_z", "}", "f(x)", "f(x) ", "return x + y;",
    "The council met. ( a ) [ b ] { c } < d > | e ^ f = g", "Straße = ß", "ﬁle = x", "ΣΊΣΥΦΟΣ;", "α\u0345 = β",
    "A quiet afternoon in the reading room, with a few commas, and a semicolon; or two.",
])
def test_symbols_are_counted_where_a_line_can_have_enough(text):
    """The symbol count is skipped only on a line whose characters other than words and spaces
    (and "_") cannot reach the bar: the answer is always _is_symbolic's."""
    assert features(text, ENGLISH).signals.symbolic == _is_symbolic(text)


@pytest.mark.parametrize("line", [
    "The council said on Tuesday that it would keep the library open. " * 200,   # a very long line
    "市议会星期二投票决定，老图书馆将继续开放五年。" * 50,
    "Straße İstanbul ΣΊΣΥΦΟΣ ﬁle \u212aelvin α\u0345 — The Times (c) 2020.",
    "مرحبا بالعالم. Hello world 😀 (note)", "   ", "Home | News | Sport",
])
def test_measure_gives_the_obvious_measures_on_long_and_mixed_lines(line):
    for stopwords in (ENGLISH, GERMAN, None):
        assert as_tuple(measure(line, stopwords)) == obvious_measure(line, stopwords)
