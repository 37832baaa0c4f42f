"""Reader comments under an article: their own category, `comments`.

Comments are content on some pages and chrome on others, so they are found as one section with
one category, and a user who wants them keeps them with `--disable comments`. A comment section
is recognised by its structure, not by what its comments say (they read like any prose):

- it opens with a heading that names it: "Comments", "13 comments", "Reader comments (4)",
  "Leave a comment", "Have your say", "Comments are closed", in the languages most of a crawl
  is in;
- entries follow, each with a line about its writer: "Posted by jim | January 14, 2008 07:20
  PM", "Anna said...", "Report this comment", "Reply", a date and a time;
- the article's own prose stands above the heading.

A heading with no entry marks after it ("Comments" as a menu entry, a section titled
"Comments on the draft") starts nothing. The section runs from the heading to the last entry
mark that follows the previous one closely, and the prose of the last comment after it.

Two structures say "comments" without the other:

- a heading that can only name a discussion ("Comments (5)", "Reader views", "Have your say",
  "Comments are closed"; not "Response", "Discussion" or "Comments" alone, which may title a
  section of the article) below the article's prose: the article is looked for above it (a long discussion
  would outscore a short article and take its place), and the run of prose below it goes as
  comments, whatever marks its entries carry ("Stephen B" on a line of its own);
- with no heading, a run of entries whose lines name their writers ("Posted by: Sean | Jan
  10, 2008 4:49 PM"), several writers, below the article. One name throughout is one author's
  posts (a blog's front page): they stay.
"""
from __future__ import annotations

import re
from functools import cached_property

from ..memo import TextMemo
from .config import CommentLimits
from .feeds import has_date, kept_prose, writer
from .regex import cached_compile, line_test
from .units import Unit
from .verdicts import ANCHORS, DROP, KEEP

_COUNTED = r"(?:\s*[(\[]\d+[)\]])?"
# what both heading patterns below accept alike: "Comments are closed", and "Comments" in the
# languages the stoplists cover (with a count)
_CLOSED = r"|comments?\s+(?:are|is|have\s+been)\s+(?:now\s+)?closed\b"
_OTHER_LANGUAGES = (r"|(?:kommentare|leserkommentare|commentaires|comentarios|comentários|commenti|reacties"
                    r"|komentarze|kommentarer)\b" + _COUNTED)
# (this module's long alternations are compiled through the start-up cache, regex.cached_compile:
# 1-1.5 ms each otherwise, in every process that classifies)
COMMENTS_HEADING = cached_compile(
    r"^(?:\d+\s+(?:reader\s+)?(?:comments?|responses?|replies|reactions)\b"
    r"|(?:(?:reader|readers'?|user|your|visitor|latest|recent|all|view|show|read|see|display)\s+)?"
    r"(?:comments?|responses?|reactions|discussion)" + _COUNTED + r"(?:\s*[|:–—-]?\s*(?:post|add|leave|write)\s+(?:a|your)\s+comment)?\s*:?$"
    r"|(?:leave|post|add|write|submit)\s+(?:a|your)\s+(?:comment|reply|response)\b"
    r"|(?:reader|readers'?|your)\s+views\b" + _COUNTED +
    r"|have\s+your\s+say\b|join\s+the\s+(?:discussion|conversation)\b" + _CLOSED +
    _OTHER_LANGUAGES + r")",
    re.IGNORECASE)
# a heading that can only name reader comments: "Response", "Discussion" or "Comments" alone
# may title a section of the article itself; "Comments (3)", "Reader views" or "Have your say"
# cannot
DISCUSSION_HEADING = cached_compile(
    r"^(?:\d+\s+(?:reader\s+)?comments?\b"
    r"|comments\s*[(\[]\d+[)\]]\s*:?$"
    r"|(?:reader|readers'?|user|visitor|your)\s+(?:comments|views|responses|reactions)\b"
    r"|(?:leave|post|add|write|submit)\s+(?:a|your)\s+comment\b"
    r"|have\s+your\s+say\b" + _CLOSED +
    _OTHER_LANGUAGES + r")",
    re.IGNORECASE)
# a line about a comment rather than in it: who wrote it and when, and its controls
ENTRY_MARK = cached_compile(
    r"\b(?:posted|submitted|written|added|commented)\s+(?:by|on|at)\b"
    r"|\b(?:said|says|wrote|writes)\s*(?:\.{2,}|…|:)?\s*$"
    r"|\breport\s+(?:this\s+)?(?:comment|post|abuse)\b|\bin\s+reply\s+to\b"
    r"|^\W*(?:reply|quote|permalink|flag|like|recommend)\W*(?:\|\s*\w+\W*)*$"
    r"|^comment\s+(?:no\.?|#|number)\s*\d+|^#?\d{1,4}[.)]\s+\S[^.!?]*\s@\s*\d+"
    r"|^[-–—]\s*[A-Z][\w.'’ -]{0,30}(?:,\s*[\w.'’ -]{1,30}){1,3}$",   # a signature: "- Louise, Lancaster, UK"
    re.IGNORECASE)
# ENTRY_MARK's answer for a line in linear time: Python's search tried each of its branches at
# every position of every line, a tenth of a whole run
_HAS_ENTRY_MARK = line_test(ENTRY_MARK)


def comments_start(units: list[Unit], limits: CommentLimits) -> int | None:
    """The unit where reader comments begin, when a heading names them below the article: the
    first comments heading with at least `discussion_anchors` prose units above it. (One
    right under the headline, "13 comments", links to them: a standfirst and a teaser above it
    do not make an article, and it starts nothing.)"""
    paragraphs = 0
    for i, unit in enumerate(units):
        if unit.initial in ANCHORS:
            paragraphs += 1
        elif paragraphs >= limits.discussion_anchors and _is_heading(unit.text, limits, DISCUSSION_HEADING):
            return i
    return None


def _is_heading(text: str, limits: CommentLimits, heading: re.Pattern[str] = COMMENTS_HEADING) -> bool:
    text = text.strip()
    return len(text) <= limits.heading_chars and bool(heading.match(text.strip(" »›>-–—:*#")))


def mark_discussion(units: list[Unit], start: int, span: tuple[int, int] | None) -> None:
    """Drop the discussion under a comments heading at unit `start`: the heading, and the run
    of prose that follows it (`span`, found the way the article is), as "comments". What
    follows that run is the site's footer, and stays footer."""
    end = span[1] if span is not None else start
    for unit in units[start:end + 1]:
        _relabel(unit)


class CommentLines:
    """The lines of a page that frame comments (0-based), also those the rules removed: a rule
    that took "Report this comment" away leaves the comments comments.

    Entry marks are only looked for when they can matter, on a page with a comments heading:
    finding them tries ENTRY_MARK and a date on every line, and most pages have no heading. A
    page without one needs only the marks that name their writer (`posters`), and an anchored
    match ("Posted by ...") finds the few lines that can be those.

    What a line is depends on its text alone, and a site's template lines recur from page to
    page (on the 20 MB bench corpus 31,000 distinct lines among 112,000): `memo` remembers it
    (a `CommentLine` by the line's text) for the pages cleaned after this one with the same
    `limits`."""

    def __init__(self, lines: list[str], limits: CommentLimits, memo: TextMemo[str, CommentLine] | None = None):
        self._lines = lines
        self._limits = limits
        memo = memo if memo is not None else TextMemo()
        #: what each line is (comment_line), in order
        self._found = found = memo.answers(lines, lambda line: comment_line(line, limits))
        self.headings: list[int] = [i for i, line in enumerate(found) if line.heading]
        #: entry marks that name the writer ("Posted by: Sean | ..."), with the name
        self.posters: list[tuple[int, str]] = [(i, line.poster) for i, line in enumerate(found) if line.poster]

    @cached_property
    def marks(self) -> list[int]:
        """Entry marks: a writer, a time, a control."""
        limits, lines = self._limits, self._lines
        marks = []
        for i, line in enumerate(self._found):
            mark = line.mark
            if mark is None:   # asked once a text
                mark = line.mark = _is_mark(lines[i].strip(), limits)
            if mark:
                marks.append(i)
        return marks


class CommentLine:
    """What a line of a page is to CommentLines: a comments heading, a line naming a
    comment's writer (`poster`), an entry mark (`mark`: None until a page with a heading
    asks). A blank line is none of them."""

    __slots__ = ("heading", "poster", "mark")

    def __init__(self, heading: bool, poster: str | None = None, mark: bool | None = None):
        self.heading = heading
        self.poster = poster
        self.mark = mark


def comment_line(line: str, limits: CommentLimits) -> CommentLine:
    """What `line` is to CommentLines (a heading is no entry mark)."""
    text = line.strip()
    if not text:
        return CommentLine(False, None, False)
    if len(text) > limits.heading_chars and len(text) > limits.meta_chars:
        return CommentLine(False)   # a paragraph: only an entry mark, if a page asks
    if _is_heading(text, limits):
        return CommentLine(True, None, False)
    if len(text) <= limits.meta_chars:
        name = writer(text)
        if name:
            mark = _is_mark(text, limits)
            return CommentLine(False, name if mark else None, mark)
    return CommentLine(False)


def _is_mark(text: str, limits: CommentLimits) -> bool:
    """Is a (stripped, non-blank) line about a comment rather than in it?"""
    return _HAS_ENTRY_MARK(text) or (len(text) <= limits.meta_chars and has_date(text)
                                     and not (text[-1] in ".!?" and len(text.split()) > 6))


def comment_lines(lines: list[str], limits: CommentLimits,
                  memo: TextMemo[str, CommentLine] | None = None) -> CommentLines:
    """The page's comment headings, entry marks and writers' lines (`memo`: see CommentLines)."""
    return CommentLines(lines, limits, memo)


def mark_comments(units: list[Unit], region: tuple[int, int], limits: CommentLimits, found: CommentLines) -> None:
    """Drop the comment section below the article, if there is one (reason and category
    "comments"). `found` is comment_lines' answer for the page."""
    if not units:
        return
    first = region[0]
    if found.headings and len(found.marks) >= limits.min_marks:
        for heading in found.headings:
            if _article_above(units, first, heading) < limits.article_anchors:
                continue
            after = [m for m in found.marks if heading < m]
            if not after or after[0] - heading > limits.first_reach:
                continue
            section = _close_run(after, limits.mark_gap)
            if len(section) >= limits.min_marks:
                _drop_section(units, heading, section[-1], limits)
                return
    _mark_posted_entries(units, first, limits, found.posters)


def _mark_posted_entries(units: list[Unit], first: int, limits: CommentLimits,
                         posters: list[tuple[int, str]]) -> None:
    """Comments without a heading: a run of at least `headless_marks` entries, each with a line
    naming its writer ("Posted by: Sean | Jan 10, 2008 4:49 PM"), below the article's prose.
    Several writers make it a discussion; one name throughout is one author's posts (a blog's
    front page), which stay. The section starts at the first such line: a comment printed
    above its writer's line cannot be told from the article's last paragraph, and stays."""
    for start, (line, _) in enumerate(posters):
        if _article_above(units, first, line) < limits.headless_anchors:
            continue
        run = _close_run([p[0] for p in posters[start:]], limits.mark_gap)
        names = {name for at, name in posters[start:start + len(run)]}
        if len(run) >= limits.headless_marks and len(names) >= 2:
            _drop_section(units, line, run[-1], limits)
        return


def _article_above(units: list[Unit], first: int, line: int) -> int:
    """Prose units of the article (from the region's start) that stand above a line and stay."""
    return sum(1 for u in units[first:] if u.last < line and kept_prose(u))


def _close_run(lines: list[int], gap: int) -> list[int]:
    """The sorted lines from the first on, as long as each follows the previous within `gap`."""
    run = lines[:1]
    for line in lines[1:]:
        if line - run[-1] > gap:
            break
        run.append(line)
    return run


# what the section relabels: what is still kept, and what other tests dropped only for where it
# stands (the classifier's zones and feeds); controls dropped for their words keep their label
_RELABELLED = {"footer-zone", "dated-feed", "short-boilerplate", "menu-run", "related-links", "header-zone"}


def _drop_section(units: list[Unit], heading: int, last_mark: int, limits: CommentLimits) -> None:
    tail = 0
    for unit in units:
        if unit.last < heading:
            continue
        if unit.first > last_mark:
            if unit.initial not in ANCHORS or tail >= limits.tail_units:
                break
            tail += 1
        _relabel(unit)


def _relabel(unit: Unit) -> None:
    """Drop a unit of a discussion as "comments", if it stays or went only for where it stands."""
    if unit.verdict == KEEP or unit.reason in _RELABELLED:
        unit.verdict, unit.reason, unit.category = DROP, "comments", "comments"
