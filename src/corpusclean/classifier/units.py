"""The pieces of a page the classifier judges: units.

A unit is usually one line, because text dumps put each block element (paragraph, menu entry,
heading) on a line of its own. Prose that was hard-wrapped is the exception: a line that does
not end a sentence, followed by one that starts in lower case, is the same paragraph, and the
two become one unit, so a wrapped paragraph is judged by its whole length. So is a line that
opens with the punctuation closing the previous one (". Retrieved 2014.", ", he said."): dumps
break lines at inline links, and no block of a page starts with a full stop or a comma.

Only live lines make units: what the rules already removed is gone, and a removed line breaks
a group the way a blank line does.

What a unit's text shows by itself (its words, its signals, its chrome words, whether it reads
like an appeal or a notice) is worked out once per distinct text and shared (`Features`): a
site's header, menu and footer lines recur on every one of its pages, and a `FeatureMemo`
kept by the classifier stage hands those pages the features already found. The texts a page
brings that the memo lacks are counted together (page_scan.py); in a run, those of a whole
batch of pages at once, before the first of them is classified (`prepare_pages`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple, Sequence

from ..memo import TextMemo
from ..model import Document
from .page_scan import MIN_PAGE_CHARS, PageScanner, can_scan
from .regex import opens_with
from .recurrence import normalise
from .signals import LineSignals, capitalised_of_counts, folded_words, line_signals, measure
from .vocabulary import voice_words

if TYPE_CHECKING:
    from .comments import CommentLine
    from .feeds import Opening

#: what prose_chrome.suspect says of a unit: (kind, category, evidence), kind "" for none
Suspicion = tuple[str, str, dict[str, Any]]

# a line that continues the previous one starts in lower case (after an opening quote/bracket)
_CONTINUES = re.compile(r"^[\"'“‘(]?[a-zà-öø-ÿ]")
# a line that ends a sentence or a clause cannot be continued by the next line. The
# definition: ends_clause computes the same from its parts, and the tests hold it to this
_ENDS = re.compile(r"[.!?…。！？:;]['\"”’»)\]]*$")
_CLAUSE_ENDERS = frozenset(".!?…。！？:;")
_CLOSING = "'\"”’»)]"
# a line that carries on the previous one after an inline link: ". The Guardian. 2019."
_RESUMES = re.compile(r"^[.,;:)\]](?:\s|$)")
#: ... so it starts with one of these (asked first: a pattern's call costs more than the test)
_RESUMERS = frozenset(".,;:)]")
# a wrapped line is long: a short line followed by a lower-case one is a list, not wrapping
MIN_WRAPPED = 25
# a footnote or reference: the backlink caret or arrow of wikis ("^ Smith, J. (2015)", "↑"),
# or a bracketed number ("[12] Smith, J.")
FOOTNOTE = re.compile(r"^\s*(?:[\^↑]|\[\d{1,3}\]\s)")
# list items: a bullet or a number (1. 1) a) ...) and a space
_LIST_MARKER = re.compile(r"^\s*(?:[-+*•·◦▪‣–—]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s|[\^↑]|\[\d{1,3}\]\s)")
#: what a text _LIST_MARKER matches starts with, besides white space (`\s`, str.isspace) and
#: a digit (`\d`, str.isdecimal): the pattern is only tried on texts that start so, every
#: unit of every page being asked (most start with a capital)
_LIST_STARTS = frozenset("-+*•·◦▪‣–—(^↑[abcdefghijklmnopqrstuvwxyz")
#: a marked list needs this many items in a row
MIN_LIST_ITEMS = 3
#: a group of short lines this much holding figures is a table
TABLE_SHARE = 0.6
_FIGURE = re.compile(r"\d")
#: a group of lines this much symbolic is a code block
CODE_SHARE = 0.4
# a command typed at a prompt: "$ hg init public", ">>> import os"
COMMAND = re.compile(r"^(?:\$|>>>)\s+[a-z]")
#: what a text COMMAND matches starts with (asked first, as _LIST_STARTS)
_PROMPTS = ("$", ">>>")
_LETTERS = re.compile(r"[^\W\d_]{2}")
_CODE = re.compile(r"[{}();=<>\[\]]")


@dataclass(eq=False, slots=True)
class Features:
    """What a text shows by itself, whatever page it stands on, for one stoplist: shared by
    every unit with that text, so each is computed once. The lazily filled fields are set by
    the tests that need them, the first time any unit with the text asks."""

    voice: tuple[str, ...]               # vocabulary.voice_words of the text's words, casefolded
    signals: LineSignals
    lowered: str                         # the text casefolded
    key: str | None = None               # normalise(text)
    chrome: tuple[float, str, int] | None = None  # Vocabulary.chrome_share of the text
    suspicion: Suspicion | None = None   # prose_chrome.suspect's answer


def features(text: str, stopwords: frozenset[str] | None) -> Features:
    """`text`'s features, computed afresh."""
    lowered = text.casefold()
    folded = folded_words(text, lowered)
    # of the words only the few the prose-chrome tests read are kept (with their number, the
    # signals' found_words): the garbage collector walks a new container's every item once, at
    # its first collection, and tuples of all of each paragraph's words put 2 million words of
    # a 20 MB corpus in its way, each a cache miss (a 1-worker run's collections 0.29-0.38 ->
    # 0.13-0.19 CPU-s)
    # where folding kept the text's length, each character folded to one, and the folded words
    # hold as many characters as the text's words
    word_chars = sum(map(len, folded)) if len(lowered) == len(text) else None
    return Features(voice_words(folded), measure(text, stopwords, folded, word_chars), lowered)


class FeatureMemo(TextMemo[tuple[str, "frozenset[str] | None"], Features]):
    """Features by text and stoplist, for pages cleaned one after another by one classifier
    (one configuration and vocabulary: a unit's suspicion depends on them); bounded as every
    TextMemo (measured: about 390 bytes an entry for 30-character texts, key not counted, so
    some 13 bytes a character for short lines: about 50 MB a process at the default capacity;
    a paragraph costs less a character. The capacity was 2 M characters while an entry held
    all its text's words, 830 bytes a 30-character text: at 4 M the memo starts afresh 3
    times in a 1-worker run of the 20 MB bench corpus instead of 7 (0.07-0.08 CPU-s in those
    `keep`s against 0.10-0.13), measures 33,021 texts instead of 33,270, and the run's peak
    RSS is 167 MB against 163, 181 with the words).

    Two departures from TextMemo's defaults, each measured on the 20 MB bench corpus (features
    computed: 36,035 texts of 15.6 M characters -> 33,270 of 14.6 M):

    - paragraphs up to `max_chars` = 5,000 characters are kept too: a page that recurs whole
      (mirrored, syndicated, a print version) brings its paragraphs again, and measuring
      them is the dear part (0.9 M of the characters measured twice were paragraphs);
    - when the memo is full it keeps its short texts (up to `template_chars`: a site's
      template lines, met again on the site's next page) and starts afresh only for the rest,
      unless those alone fill half of it."""

    def __init__(self, capacity: int = 4_000_000, max_chars: int = 5_000, template_chars: int = 200):
        super().__init__(capacity, max_chars)
        self.template_chars = template_chars
        #: counts the texts a page brings (get_page), made on the first page
        self.scanner: PageScanner | None = None
        #: what the comment and feed tests make of a page's whole lines, by text (comments.
        #: CommentLines, feeds.opening_lines). Only lines of up to 200 characters: a heading or
        #: an entry's meta line is shorter, a longer line is told at once for its length, and
        #: paragraphs seldom recur (the 20 MB bench corpus: 7,070 distinct lines that short, 0.6 M
        #: characters, make 81,000 of its 112,000 lines; 31,000 distinct lines make 13.9 M)
        self.comment_lines: TextMemo[str, CommentLine] = TextMemo(max_chars=200)
        self.openings: TextMemo[str, Opening] = TextMemo(max_chars=200)

    def keep(self, key: tuple[str, "frozenset[str] | None"], text: str, value: Features) -> Features:
        if len(text) <= self.max_chars and self._chars + len(text) > self.capacity:
            kept = {k: v for k, v in self.found.items() if len(k[0]) <= self.template_chars}
            chars = sum(len(k[0]) for k in kept)
            # in place: a caller may hold the dict's `get` (build_units does, for a page)
            self.found.clear()
            if chars <= self.capacity // 2:
                self.found.update(kept)
            self._chars = chars if self.found else 0
        return super().keep(key, text, value)

    def get(self, text: str, stopwords: frozenset[str] | None) -> Features:
        """The features of one text: `get_page` of a page of one."""
        return self.get_page([text], stopwords)[0]

    def get_page(self, texts: list[str], stopwords: frozenset[str] | None) -> list[Features]:
        """The features of a page's texts, in order: `get_pages` of one page."""
        return self.get_pages([texts], stopwords)[0]

    def get_pages(self, pages: Sequence[list[str]], stopwords: frozenset[str] | None) -> list[list[Features]]:
        """The features of the texts of pages with one stoplist, page by page and in order:
        those the memo lacks counted together (page_features), once however many of the
        pages bring them, and kept (`keep`: a text too long is not)."""
        found = self.found.get
        known = [list(map(found, zip(texts, repeat(stopwords)))) for texts in pages]
        missing = list(dict.fromkeys([text for texts, have in zip(pages, known)
                                      for text, feature in zip(texts, have) if feature is None]))
        if not missing:
            return known  # type: ignore[return-value]
        if self.scanner is None:
            self.scanner = PageScanner()
        new = dict(zip(missing, page_features(missing, stopwords, self.scanner)))
        for text, value in new.items():
            self.keep((text, stopwords), text, value)
        return [[feature if feature is not None else new[text] for text, feature in zip(texts, have)]
                for texts, have in zip(pages, known)]


def page_features(texts: list[str], stopwords: frozenset[str] | None, scanner: PageScanner) -> list[Features]:
    """`[features(text, stopwords) for text in texts]`, the texts counted together
    (page_scan.py) where there is enough text for that to pay."""
    scanned = [i for i, text in enumerate(texts) if can_scan(text)]
    counts = (scanner.counts([texts[i] for i in scanned], stopwords)
              if sum(len(texts[i]) for i in scanned) >= MIN_PAGE_CHARS else None)
    if counts is None:
        return [features(text, stopwords) for text in texts]
    found: list[Features | None] = [None] * len(texts)
    for i, count in zip(scanned, counts):
        if count is None:
            continue
        text = texts[i]
        capitalised = capitalised_of_counts(count.capitals, count.words, count.digit_words)
        found[i] = Features(count.voice, line_signals(text, count.words, count.no_space, count.function_characters,
                                                      count.stopwords, count.symbols, capitalised), count.lowered)
    return [have if have is not None else features(text, stopwords) for text, have in zip(texts, found)]


@dataclass(eq=False, slots=True)
class Unit:
    first: int               # first line (0-based)
    last: int                # last line, inclusive
    text: str                # the lines joined with spaces
    group: int               # units of one run of consecutive non-blank lines share a group
    features: Features       # what the text shows by itself (shared with its other units)
    listed: bool = False     # an item of a marked list, or a row of a table
    code: bool = False       # a formula or code, or a line of a block of them
    page_repeats: int = 1    # how often this exact short text occurs on the page
    corpus_pages: int = 0    # how many pages of the corpus hold this line (0: not counted)
    # filled in by the classifier
    initial: str = ""        # the verdict of the unit alone
    verdict: str = ""        # the verdict after context
    reason: str = ""         # which test decided (becomes the rule id)
    category: str = ""       # best-guess removal category
    extra: dict[str, Any] | None = None  # evidence for the report, from the test that decided
    # the features' signals, which every test reads: an attribute of its own, because the tests
    # read it some 800,000 times in a 20 MB corpus, and a property cost a call each time
    signals: LineSignals = field(init=False)

    def __post_init__(self) -> None:
        self.signals = self.features.signals

    # the features' other parts, as attributes of the unit
    @property
    def key(self) -> str:
        """`normalise(text)`, computed once per text: the page's tests compare units by it."""
        features = self.features
        if features.key is None:
            features.key = normalise(self.text)
        return features.key


def ends_clause(text: str) -> bool:
    """`_ENDS.search(text)` for a stripped text, read off its end: the search tried the
    pattern at every position of a paragraph. Closing quotes and brackets stripped from the
    end, what is left ends in a full stop, a colon or the like."""
    return text.rstrip(_CLOSING)[-1:] in _CLAUSE_ENDERS


def _split(stripped: list[str]) -> Iterator[tuple[int, int]]:
    """The units of a group of consecutive lines (`stripped`: each line stripped), as
    (first, last) places in the group."""
    start = 0
    for i in range(1, len(stripped)):
        previous, current = stripped[i - 1], stripped[i]
        wrapped = (len(previous) >= MIN_WRAPPED and not ends_clause(previous)
                   and _CONTINUES.match(current)) or (current[:1] in _RESUMERS and bool(_RESUMES.match(current)))
        if not wrapped:
            yield start, i - 1
            start = i
    yield start, len(stripped) - 1


def build_units(doc: Document, stopwords: frozenset[str] | None, memo: FeatureMemo | None = None) -> list[Unit]:
    """The page's units. `memo`: features found on earlier pages (see FeatureMemo); without
    one, a text that recurs on the page is still measured once."""
    return units_and_groups(doc, stopwords, memo)[0]


class PageTexts(NamedTuple):
    """Where a page's units stand and what they say, before their features (`page_texts`)."""

    firsts: list[int]   # each unit's first line
    lasts: list[int]    # and last line
    texts: list[str]    # its lines stripped and joined with spaces
    sizes: list[int]    # the units of each group (paragraph, list or block), in page order


def page_texts(doc: Document) -> PageTexts:
    """The places and texts of the page's units: its groups of live lines, each split into units."""
    lines = doc.lines
    places = PageTexts([], [], [], [])
    firsts, lasts, texts, sizes = places
    for group in doc.paragraphs():
        # a paragraph's lines are consecutive: group[k] is group[0] + k
        stripped = [lines[i].strip() for i in group]
        made = len(texts)
        for first, last in _split(stripped):
            firsts.append(group[first])
            lasts.append(group[last])
            texts.append(stripped[first] if first == last else " ".join(stripped[first:last + 1]))
        sizes.append(len(texts) - made)
    return places


class PreparedPage(NamedTuple):
    """A page's unit texts and their features, found before the page is classified, together
    with the other pages of its batch (`prepare_pages`): they are the page's as long as its
    lines, the live ones among them and its stoplist are those they were found for (`fits`)."""

    lines: list[str]
    removed: list[bool]
    stopwords: frozenset[str] | None
    texts: PageTexts
    features: list[Features]

    def fits(self, doc: Document, stopwords: frozenset[str] | None) -> bool:
        return doc.lines is self.lines and stopwords is self.stopwords and doc.removed == self.removed


def prepare_pages(pages: Sequence[tuple[Document, "frozenset[str] | None"]], memo: FeatureMemo) -> list[PreparedPage]:
    """Each page's texts and features (with its stoplist), the texts the memo lacks counted
    together for all the pages with one stoplist: the page scan's cost per call (page_scan.py)
    is paid once for them all, not once a page. Each page's features are what it would find
    alone, since a text's features depend on the text and the stoplist only."""
    texts = [page_texts(doc) for doc, _ in pages]
    by_stoplist: dict[frozenset[str] | None, list[int]] = {}
    for number, (_, stopwords) in enumerate(pages):
        by_stoplist.setdefault(stopwords, []).append(number)
    found: list[list[Features]] = [[] for _ in pages]
    for stopwords, numbers in by_stoplist.items():
        for number, features in zip(numbers, memo.get_pages([texts[n].texts for n in numbers], stopwords)):
            found[number] = features
    return [PreparedPage(doc.lines, doc.removed.copy(), stopwords, page, features)
            for (doc, stopwords), page, features in zip(pages, texts, found)]


def units_and_groups(doc: Document, stopwords: frozenset[str] | None, memo: FeatureMemo | None = None,
                     prepared: PreparedPage | None = None) -> tuple[list[Unit], list[list[Unit]]]:
    """The page's units (build_units), and the same units in runs of one group (one paragraph,
    list or block of the page), in order, as they are made: the feeds' list tests read the
    groups too (regrouping the units cost them 1.5% of the classifier's time). `prepared`:
    the page's texts and features found with its batch (prepare_pages), used if they fit."""
    if prepared is not None and prepared.fits(doc, stopwords):
        places, found = prepared.texts, prepared.features
    else:
        # the units' places and texts first, then their features, the page's new texts counted together
        places = page_texts(doc)
        found = (memo if memo is not None else FeatureMemo()).get_page(places.texts, stopwords)
    # each unit's group number, its group's place on the page: group k's number k, sizes[k] times
    numbers = chain.from_iterable(map(repeat, range(len(places.sizes)), places.sizes))
    units = list(map(Unit, places.firsts, places.lasts, places.texts, numbers, found))
    groups: list[list[Unit]] = []
    made = 0
    for size in places.sizes:
        groups.append(units[made:made + size])
        made += size
    _mark_lists(units)
    _mark_table_rows(groups)
    _mark_code(groups)
    _count_repeats(units)
    return units, groups


def _mark_table_rows(groups: list[list[Unit]]) -> None:
    """Rows of a table: a group of MIN_LIST_ITEMS or more short lines, most of which hold
    figures ("Jane Doe 63 16.6%"). Menus are made of words; tables of data are content."""
    for group in groups:
        if len(group) < MIN_LIST_ITEMS or any(u.signals.length >= 120 for u in group):
            continue
        with_figures = sum(1 for u in group if _FIGURE.search(u.text))
        if with_figures >= TABLE_SHARE * len(group):
            for unit in group:
                unit.listed = True


def _mark_code(groups: list[list[Unit]]) -> None:
    """Code and formulas: symbolic lines, commands at a prompt, and every line of a group that is mostly symbolic
    lines (a code block's comments and blank-ish lines belong to it too)."""
    for group in groups:
        own = [u.signals.symbolic or (u.text.startswith(_PROMPTS) and bool(COMMAND.match(u.text))) for u in group]
        symbolic = sum(own)
        block = symbolic >= 2 and symbolic >= CODE_SHARE * len(group)
        for unit, code in zip(group, own):
            unit.code = code or block


def _mark_lists(units: list[Unit]) -> None:
    """Mark the items of lists written with markers: MIN_LIST_ITEMS or more units in a row, each
    starting with a bullet or a number, at most one blank line apart."""
    run: list[Unit] = []

    def close() -> None:
        if len(run) >= MIN_LIST_ITEMS:
            for unit in run:
                unit.listed = True

    for unit in units:
        if opens_with(unit.text, _LIST_STARTS) and _LIST_MARKER.match(unit.text):
            if run and unit.first - run[-1].last > 2:
                close()
                run = []
            run.append(unit)
        else:
            close()
            run = []
    close()


def _count_repeats(units: list[Unit]) -> None:
    """How often each short, wordy, non-code text occurs on the page ("Share", "Reply", "Read
    more" under every teaser). Code (braces, semicolons) repeats naturally and is not counted."""
    counts: dict[str, int] = {}
    counted = [(u, u.key) for u in units
               if u.signals.chars < 70 and _LETTERS.search(u.text) and not _CODE.search(u.text)]
    for _, key in counted:
        counts[key] = counts.get(key, 0) + 1
    for unit, key in counted:
        unit.page_repeats = counts[key]
