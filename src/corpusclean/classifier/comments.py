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
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .feeds import has_date
from .regex import line_test
from .units import Unit
from .verdicts import ANCHORS, DROP, KEEP

_COUNTED = r"(?:\s*[(\[]\d+[)\]])?"
COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+(?:reader\s+)?(?:comments?|responses?|replies|reactions)\b"
    r"|(?:(?:reader|readers'?|user|your|visitor|latest|recent|all|view|show|read|see|display)\s+)?"
    r"(?:comments?|responses?|reactions|discussion)" + _COUNTED + r"(?:\s*[|:–—-]?\s*(?:post|add|leave|write)\s+(?:a|your)\s+comment)?\s*:?$"
    r"|(?:leave|post|add|write|submit)\s+(?:a|your)\s+(?:comment|reply|response)\b"
    r"|have\s+your\s+say\b|join\s+the\s+(?:discussion|conversation)\b"
    r"|comments?\s+(?:are|is|have\s+been)\s+(?:now\s+)?closed\b"
    r"|(?:kommentare|leserkommentare|commentaires|comentarios|comentários|commenti|reacties|komentarze|kommentarer)\b" + _COUNTED + r")",
    re.IGNORECASE)
# a line about a comment rather than in it: who wrote it and when, and its controls
ENTRY_MARK = re.compile(
    r"\b(?:posted|submitted|written|added|commented)\s+(?:by|on|at)\b"
    r"|\b(?:said|says|wrote|writes)\s*(?:\.{2,}|…|:)?\s*$"
    r"|\breport\s+(?:this\s+)?(?:comment|post|abuse)\b|\bin\s+reply\s+to\b"
    r"|^\W*(?:reply|quote|permalink|flag|like|recommend)\W*(?:\|\s*\w+\W*)*$"
    r"|^comment\s+(?:no\.?|#|number)\s*\d+|^#?\d{1,4}[.)]\s+\S[^.!?]*\s@\s*\d+",
    re.IGNORECASE)
# ENTRY_MARK's answer for a line in linear time: Python's search tried each of its branches at
# every position of every line, a tenth of a whole run
_HAS_ENTRY_MARK = line_test(ENTRY_MARK)


@dataclass(frozen=True)
class CommentLimits:
    heading_chars: int = 80     # a heading is at most this long
    article_anchors: int = 2    # prose units of the article above the heading, at least
    first_reach: int = 40       # the first entry mark stands this many lines below the heading, at most
    mark_gap: int = 40          # entry marks of one section are at most this many lines apart
    min_marks: int = 2          # entry marks that make a comment section
    meta_chars: int = 120       # a dated line is a comment's meta line when at most this long
    tail_units: int = 3         # prose units after the last mark: the last comment's text


def comment_lines(lines: list[str], limits: CommentLimits) -> tuple[list[int], list[int]]:
    """(heading lines, entry-mark lines) of the whole page, also those the rules removed: a rule
    that took "Report this comment" away leaves the comments comments."""
    headings, marks = [], []
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if len(text) <= limits.heading_chars and COMMENTS_HEADING.match(text.strip(" »›>-–—:*#")):
            headings.append(i)
        elif _HAS_ENTRY_MARK(text) or (len(text) <= limits.meta_chars and has_date(text)
                                         and not (text[-1] in ".!?" and len(text.split()) > 6)):
            marks.append(i)
    return headings, marks


def mark_comments(units: list[Unit], region: tuple[int, int], limits: CommentLimits,
                  found: tuple[list[int], list[int]]) -> None:
    """Drop the comment section below the article, if there is one (reason and category
    "comments"). `found` is comment_lines' answer for the page."""
    headings, marks = found
    if not headings or len(marks) < limits.min_marks or not units:
        return
    first = region[0]
    for heading in headings:
        above = sum(1 for u in units[first:] if u.last < heading and u.initial in ANCHORS and u.verdict == KEEP)
        if above < limits.article_anchors:
            continue
        after = [m for m in marks if heading < m]
        if not after or after[0] - heading > limits.first_reach:
            continue
        section = [after[0]]
        for m in after[1:]:
            if m - section[-1] > limits.mark_gap:
                break
            section.append(m)
        if len(section) < limits.min_marks:
            continue
        _drop_section(units, heading, section[-1], limits)
        return


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
        if unit.verdict == KEEP or unit.reason in _RELABELLED:
            unit.verdict, unit.reason, unit.category = DROP, "comments", "comments"
