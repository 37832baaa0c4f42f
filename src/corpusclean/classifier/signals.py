"""What one line of a page shows about itself, before any context.

Each measure is cheap (a couple of regular expressions per line) because the classifier runs on
every line of a crawl. Lengths are in characters, with each Chinese, Japanese or Thai character
counted as a short word: those scripts write no spaces, so "words" would mean nothing there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Iterable

from .regex import cached_compile
from .stoplists import CJK_STOP_CHARACTERS

WORD = re.compile(r"\w+")
# scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar. The
# class alone, compiled only in _NO_SPACE_RUN: `re` writes a class into a table of its
# characters, one by one in Python (these are 28,000), and compiling it alone too took 3-4 ms
# of every process that classifies pages
_NO_SPACE_CLASS = r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
# runs of those characters: `measure` counts them by the run, where finding them one by one
# made a string of each (Chinese text is all runs; a Latin text quoting a few words holds few).
# Written `[...][...]*`, not `[...]+`: a pattern that opens with a class lets the engine skip
# to the class's next character, and one that opens with a repeat is tried at every position.
# Compiled through the start-up cache (regex.cached_compile): `re` writes the class out three
# times here, 5 ms of every process that classifies
_NO_SPACE_RUN = cached_compile(_NO_SPACE_CLASS * 2 + "*")
# a sentence ends here, perhaps followed by closing quotes or brackets, or by a note in
# brackets after it: "... a big hit. (Reporting by Jane Doe; editing by John Roe)". The
# definition: ends_sentence computes the same faster, and the tests hold it to this
_SENTENCE_END = re.compile(r"[.!?…。！？؟।][\"'”’»)\]]*(?:\s+\([^()]{1,150}\))?$")
# its parts, for ends_sentence, which reads the same off the end of a text
_ENDERS = ".!?…。！？؟।"
_CLOSERS = "\"'”’»)]"
_NOTE_CHARS = 150
_URL = re.compile(r"https?://|www\.\w", re.I)
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|org|net|edu|gov|io|co|uk|de|fr|info)\b", re.I)
# the endings _DOMAIN needs, as one scan of the lower-cased line (".co" covers ".com")
_DOMAIN_CUE = re.compile(r"\.(?:co|org|net|edu|gov|io|uk|de|fr|info)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# raw markup left in the text by the HTML-to-text dump: tags with attributes, or closing tags
_MARKUP = re.compile(r"<(?:[a-zA-Z][\w-]*\s[^<>]*=|/?(?:div|span|img|a|p|script|iframe|br|strong|em|i|b)\b)[^<>]*>")
# characters of formulas and code: operators, brackets, math symbols
_SYMBOL = re.compile(r"[=+*/<>^_{}()\[\]|∑∏∫√∂∇→←≤≥≠±×÷·−⋅∞;]")
# separators sites put between menu entries or breadcrumb steps when a menu becomes one line
_SEPARATORS = re.compile(r"\s[|•·»›>/▪◦–—-]\s|\s\|\s?")


@dataclass(slots=True)
class LineSignals:
    """One non-blank line, measured. `length` counts a no-space-script character as 3, so that
    a Chinese sentence and an English one of the same content get about the same length.
    `stop_density` is the share of stopwords among words, or for Chinese and Japanese the share
    of function characters among their characters.

    `link`, `separators` and `capitalised` are measured when first asked: only some tests read
    them (a short line's link, the separators of a line on a page without a stoplist, the
    capitals of a line that no clearer measure decides), and most lines never meet those tests.
    (The capitals of the texts page_scan.py counts are counted with the rest, at a fraction of
    the cost of measuring them alone.)"""

    chars: int
    length: int
    words: int
    stop_density: float | None  # None: no stoplist for the page's language
    sentence_end: bool
    markup: bool                # raw HTML tags: never prose
    no_space_script: bool       # mostly Chinese / Japanese / Thai
    symbolic: bool              # a formula or a line of code: many operators and brackets
    text: str = field(default="", repr=False, compare=False)  # the stripped line, for the lazy measures
    _link: bool | None = field(default=None, repr=False, compare=False)
    _separators: int | None = field(default=None, repr=False, compare=False)
    _capitalised: float | None = field(default=None, repr=False, compare=False)
    found_words: int = field(default=0, repr=False, compare=False)  # WORD's words in the text

    @property
    def link(self) -> bool:
        """A URL or an e-mail address."""
        if self._link is None:
            self._link = _has_link(self.text)
        return self._link

    @property
    def separators(self) -> int:
        """" | ", " • ", " > " ...: menu entries run together on one line."""
        if self._separators is None:
            self._separators = len(_SEPARATORS.findall(self.text))
        return self._separators

    @property
    def capitalised(self) -> float:
        """The share of words that begin with a capital letter (words of digits left out)."""
        if self._capitalised is None:
            self._capitalised = capitalised_share(self.text, self.found_words)
        return self._capitalised

    def rounded(self) -> dict[str, float | int | bool | None]:
        """The measures as they go into a report: short, stable, JSON-friendly."""
        return {
            "chars": self.chars,
            "words": self.words,
            "stopwords": None if self.stop_density is None else round(self.stop_density, 2),
            "sentence_end": self.sentence_end,
            "capitalised": round(self.capitalised, 2),
        }


def _has_link(text: str) -> bool:
    """A URL, a bare domain or an e-mail address. Each regex runs only where a literal it
    needs is present ("://" or "www." for a URL, a domain ending, "@"): the case-insensitive
    URL search over every line was a quarter of `measure`'s time."""
    lowered = text.lower()
    if ("://" in text or "www." in lowered) and _URL.search(text):
        return True
    if _DOMAIN_CUE.search(lowered) and _DOMAIN.search(text):
        return True
    return "@" in text and bool(_EMAIL.search(text))


def _is_symbolic(text: str) -> bool:
    """Code or a formula: operators and brackets make an eighth of it ("return x + y;", "}",
    "x = ( -b ± √ d ) / 2a"); a long line needs at least three of them."""
    return _symbolic_share(len(_SYMBOL.findall(text)), len(text))


def _symbolic_share(symbols: int, length: int) -> bool:
    return symbols >= 0.12 * length and symbols >= (1 if length < 40 else 3)


def _may_be_symbolic(text: str, word_chars: int) -> bool:
    """Can `_is_symbolic(text)` hold, `word_chars` of its characters being word characters?
    Its symbols are among the others but spaces, and "_" (a word character): a line of prose,
    with few but its spaces, cannot, and need not be scanned for symbols."""
    return _symbolic_share(len(text) - word_chars - text.count(" ") + text.count("_"), len(text))


def casefold_words(words: list[str]) -> list[str]:
    """`[w.casefold() for w in words]`, in three calls instead of one per word: case folding
    maps each character alone, and a word (`\\w+`) holds no space to split on."""
    return " ".join(words).casefold().split(" ") if words else []


#: the one character whose case folding is a single character that is a word character where
#: it was not (COMBINING GREEK YPOGEGRAMMENI, a mark, folds to the letter iota);
#: tests/test_classifier_signals.py checks every code point of the running Python's Unicode
FOLDS_INTO_A_WORD = "\u0345"


def folded_words(text: str, lowered: str | None = None) -> list[str]:
    """`casefold_words(WORD.findall(text))`: the words of `text`, casefolded.

    Usually found in the casefolded text, one regex pass and no second list of words: when
    folding maps every character to one character (the folded text is as long) and none of
    them from a non-word character to a word character or back, the words of the folded text
    are the folded words, one for one. A text with a character that folds to several (ß, İ,
    ligatures) or with FOLDS_INTO_A_WORD is folded word by word. `lowered`: `text.casefold()`,
    when the caller has it."""
    folded = text.casefold() if lowered is None else lowered
    if len(folded) == len(text) and FOLDS_INTO_A_WORD not in text:
        return WORD.findall(folded)
    return casefold_words(WORD.findall(text))


def capitalised_of_counts(capitals: int, words: int, digit_words: int) -> float:
    """`capitalised_share` of a text with `words` words (WORD's), `capitals` of them beginning
    with a capital and `digit_words` of them all digits."""
    lettered = words - digit_words
    return capitals / lettered if lettered else 0.0


def capitalised_share(text: str, words: int) -> float:
    """The share of capitalised words among the `words` words of `text` (WORD's) that are not
    all digits. (A word of digits never starts with a capital, so counting capitals over all
    words gives the same numerator.)

    Counted without finding the words: for a text in the Basic Multilingual Plane, a capital
    that starts a word and a word of digits are each one pattern (`_word_starts`) that Python
    only tries where the text holds such a character."""
    if not words:
        return 0.0
    if text.isascii() or not _ASTRAL.search(text):
        capitals, digits = _word_starts()
        return capitalised_of_counts(len(capitals.findall(text)), words, len(digits.findall(text)))
    found = WORD.findall(text)
    return capitalised_of_counts(sum(map(str.isupper, map(itemgetter(0), found))), len(found),
                                 sum(map(str.isdigit, found)))


# a character beyond the Basic Multilingual Plane (emoji, rare Han, mathematical letters)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _word_starts() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two patterns over the Basic Multilingual Plane: a word's first character when it is a
    capital (`str.isupper`), and a word all of digits (`str.isdigit`). `(?<!\\w\\w)` after a word
    character says the one before it is none: the word starts there."""
    from ..cache import cached

    upper, digit = cached("word-starts", "", _capital_and_digit_classes)
    return cached_compile(upper + r"(?<!\w\w)"), cached_compile(digit + r"(?<!\w\w)" + digit + r"*(?!\w)")


def _capital_and_digit_classes() -> tuple[str, str]:
    """The classes of `_word_starts`, built from every character's own answer: 18 ms, kept in
    the start-up cache (cache.py; the Python version, whose Unicode data they are, is in its
    key)."""
    plane = [chr(code) for code in range(0x10000) if WORD.match(chr(code))]
    return _char_class(c for c in plane if c.isupper()), _char_class(c for c in plane if c.isdigit())


def warm() -> None:
    """Build now what the measures build on first use (Stage.warm)."""
    _word_starts()


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class of `chars`, runs of consecutive code points as ranges."""
    runs: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(f"\\u{lo:04x}" if lo == hi else f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in runs) + "]"


def ends_sentence(text: str) -> bool:
    """`_SENTENCE_END.search(text)` for a stripped text, read off its end: the search tried
    the pattern at every full stop of a paragraph. A sentence end, then closing quotes and
    brackets to the end of the text; or the same before a note in brackets that ends the text
    (the note holds no bracket, and whitespace stands before it)."""
    body = text.rstrip(_CLOSERS)
    if body and body[-1] in _ENDERS:
        return True
    if not text.endswith(")"):
        return False
    opening = text.rfind("(", 0, len(text) - 1)
    if opening < 0 or not 1 <= len(text) - 2 - opening <= _NOTE_CHARS or ")" in text[opening + 1:-1]:
        return False
    before = text[:opening]
    spaced = before.rstrip()  # str.rstrip() strips what \s matches (Unicode white space)
    if len(spaced) == len(before):
        return False
    body = spaced.rstrip(_CLOSERS)
    return bool(body) and body[-1] in _ENDERS


def measure(line: str, stopwords: frozenset[str] | None, folded: list[str] | None = None,
            word_chars: int | None = None) -> LineSignals:
    """`line`'s signals. `folded` (`folded_words` of the stripped line) when the caller has it
    already: units.py keeps it for the later tests of the same unit. `word_chars`: how many
    characters of the stripped line are word characters, when the caller knows (units.features:
    the folded words' length, where folding kept the line's length): the symbols of a line
    that cannot have enough are not counted (`_may_be_symbolic`)."""
    text = line.strip()
    if folded is None:
        folded = folded_words(text)
    # most lines hold no Chinese, Japanese or Thai, and an ASCII line none at all
    runs = [] if text.isascii() else _NO_SPACE_RUN.findall(text)
    dense = sum(map(len, runs))
    if dense * 2 > len(text):
        # function characters stand in for stopwords, whatever language the page was taken for
        return line_signals(text, len(folded), dense, sum(map(CJK_STOP_CHARACTERS.__contains__, "".join(runs))),
                            None, 0)
    stops = None if stopwords is None else sum(map(stopwords.__contains__, folded))
    symbols = len(_SYMBOL.findall(text)) if word_chars is None or _may_be_symbolic(text, word_chars) else 0
    return line_signals(text, len(folded), dense, 0, stops, symbols)


def line_signals(text: str, words: int, dense: int, function_chars: int, stops: int | None,
                 symbols: int, capitalised: float | None = None) -> LineSignals:
    """The signals of a stripped text from its counts (`measure` counts them one text at a time,
    page_scan.py a page's texts at once): its `words` (WORD's), its `dense` characters of
    scripts written without spaces and the `function_chars` among them (CJK_STOP_CHARACTERS;
    read only where those make most of the text), its `stops` among the casefolded words (None
    without a stoplist; read only where they do not), its `symbols` (_SYMBOL's characters; 0
    will do where they cannot reach the bar); its `capitalised` share when the caller has it
    (`capitalised_share`, else measured when first asked)."""
    no_space = dense * 2 > len(text)
    if no_space:
        stop_density: float | None = function_chars / dense
    elif stops is not None and words:
        stop_density = stops / words
    else:
        stop_density = None
    return LineSignals(
        chars=len(text),
        length=len(text) + 2 * dense,
        words=dense // 2 + words if no_space else words,
        stop_density=stop_density,
        sentence_end=ends_sentence(text),
        markup="<" in text and bool(_MARKUP.search(text)),
        no_space_script=no_space,
        symbolic=not no_space and _symbolic_share(symbols, len(text)),
        text=text,
        _capitalised=capitalised,
        found_words=words,
    )
