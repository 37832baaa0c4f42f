"""What one line of a page shows about itself, before any context.

Each measure is cheap (a couple of regular expressions per line) because the classifier runs on
every line of a crawl. Lengths are in characters, with each Chinese, Japanese or Thai character
counted as a short word: those scripts write no spaces, so "words" would mean nothing there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter

from .stoplists import CJK_STOP_CHARACTERS

WORD = re.compile(r"\w+")
# scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar
_NO_SPACE_SCRIPT = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# a sentence ends here, perhaps followed by closing quotes or brackets, or by a note in
# brackets after it: "... a big hit. (Reporting by Jane Doe; editing by John Roe)"
_SENTENCE_END = re.compile(r"[.!?…。！？؟।][\"'”’»)\]]*(?:\s+\([^()]{1,150}\))?$")
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

    `link` and `separators` are measured when first asked: only a few tests read them (a
    short line's link, the separators of a line on a page without a stoplist), and most
    lines never meet those tests."""

    chars: int
    length: int
    words: int
    stop_density: float | None  # None: no stoplist for the page's language
    sentence_end: bool
    capitalised: float          # share of words that begin with a capital letter
    markup: bool                # raw HTML tags: never prose
    no_space_script: bool       # mostly Chinese / Japanese / Thai
    symbolic: bool              # a formula or a line of code: many operators and brackets
    text: str = field(default="", repr=False, compare=False)  # the stripped line, for the lazy measures
    _link: bool | None = field(default=None, repr=False, compare=False)
    _separators: int | None = field(default=None, repr=False, compare=False)

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
    count = len(_SYMBOL.findall(text))
    return count >= 0.12 * len(text) and count >= (1 if len(text) < 40 else 3)


def casefold_words(words: list[str]) -> list[str]:
    """`[w.casefold() for w in words]`, in three calls instead of one per word: case folding
    maps each character alone, and a word (`\\w+`) holds no space to split on."""
    return " ".join(words).casefold().split(" ") if words else []


def measure(line: str, stopwords: frozenset[str] | None, words: list[str] | None = None,
            folded: list[str] | None = None) -> LineSignals:
    """`line`'s signals. `words` (`WORD.findall` of the stripped line) and `folded` (the same
    casefolded, see `casefold_words`) when the caller has them already: units.py keeps them
    for the later tests of the same unit."""
    text = line.strip()
    if words is None:
        words = WORD.findall(text)
    script = _NO_SPACE_SCRIPT.findall(text) if not text.isascii() else []
    dense = len(script)
    no_space = dense * 2 > len(text)
    word_count = dense // 2 + len(words) if no_space else len(words)
    if no_space:
        # function characters stand in for stopwords, whatever language the page was taken for
        stop_density = sum(1 for ch in script if ch in CJK_STOP_CHARACTERS) / dense
    elif stopwords is not None and words:
        folded = folded if folded is not None else casefold_words(words)
        stop_density = sum(map(stopwords.__contains__, folded)) / len(words)
    else:
        stop_density = None
    # the share of capitalised words among those that are not all digits; a word of digits
    # never starts with a capital, so counting capitals over all words gives the same numerator
    lettered = len(words) - sum(map(str.isdigit, words))
    capitalised = sum(map(str.isupper, map(itemgetter(0), words))) / lettered if lettered else 0.0
    return LineSignals(
        chars=len(text),
        length=len(text) + 2 * dense,
        words=word_count,
        stop_density=stop_density,
        sentence_end=bool(_SENTENCE_END.search(text)),
        capitalised=capitalised,
        markup="<" in text and bool(_MARKUP.search(text)),
        no_space_script=no_space,
        symbolic=_is_symbolic(text) and not no_space,
        text=text,
    )
