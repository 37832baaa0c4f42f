"""Chrome written as prose: appeals, author bios, licence, syndication and cookie notices.

These read like paragraphs (long, full of function words, ending in full stops), so length and
stopwords keep them. What gives them away:

- vocabulary: an appeal asks for support, membership, a sign-up, a subscription; a bio says
  "is a reporter", "writes about", "lives in"; a notice says "licensed", "republish",
  "originally published";
- person: appeals speak as "we" to "you"; articles mostly report in the third person;
- position: they close the article (or stand between its end and the footer), and they come
  in blocks: a donation pitch is several paragraphs of the same voice.

So a paragraph is only a suspect by vocabulary and person; it is removed when it closes the
article's text, or when it is part of a block of at least `min_block` suspects, or when its
own evidence is overwhelming.

A closing block takes the short lines after it to the region's end (a letter's "With thanks,"
and signature), but it stops at the first line that informs rather than asks: a date, a time of
day or a street address. "Give blood at one of these clinics:" is followed by the clinics'
days, addresses and hours, which are the article's facts, not the appeal's sign-off.
"""
from __future__ import annotations

import re

from .config import ProseChromeLimits
from .feeds import has_date
from .units import Suspicion, Unit
from .verdicts import ANCHORS, BAD, DROP, KEEP
from .vocabulary import Vocabulary, voice_and_cues_of

APPEAL, BIO, NOTICE = "appeal", "author-bio", "notice"

# a house number and a street: "66 Main Street South", "995 Peter Robertson Blvd."
_STREET_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'’.-]*\s+){1,4}(?i:street|st|road|rd|avenue|ave|boulevard|blvd|drive|dr|"
    r"lane|ln|way|court|ct|place|pl|square|sq|highway|hwy|parkway|pkwy|crescent|terrace)\b")


def suspect(unit: Unit, limits: ProseChromeLimits, vocabulary: Vocabulary) -> Suspicion:
    """(kind, category, evidence) for a prose unit that reads like chrome, else ("", "", {})."""
    features = unit.features
    if features.suspicion is None:
        features.suspicion = _suspect(unit, limits, vocabulary)
    return features.suspicion


def _suspect(unit: Unit, limits: ProseChromeLimits, vocabulary: Vocabulary) -> Suspicion:
    # cheapest tests first: most paragraphs are none of these, and say so early
    text = unit.text
    words = unit.signals.found_words
    if not words:
        return "", "", {}
    first_plural, second, cues = voice_and_cues_of(unit.features.voice, words, unit.features.lowered)
    person = first_plural + second
    if person >= limits.person_share:
        appeal = len(vocabulary.appeal.findall(text))
        if appeal >= limits.appeal_terms:
            strong = appeal >= limits.appeal_strong and person >= 2 * limits.person_share
            return APPEAL, _appeal_category(text, vocabulary), {
                "person": round(person, 2), "appeal_terms": appeal, "strong": strong}
    # counted at once: searching first, then counting, read a text with a mark twice
    strong_marks = len(vocabulary.notice_strong.findall(text)) if cues.notice else 0
    if strong_marks:
        notice = strong_marks + len(vocabulary.notice_weak.findall(text))
        # short notices need two marks; a long text only when the marks are dense in it
        dense = strong_marks * limits.notice_chars_per_mark >= unit.signals.chars
        if notice >= limits.notice_terms and (unit.signals.chars <= limits.notice_max_chars or dense):
            return NOTICE, "legal", {"notice_terms": notice}
    if unit.signals.chars <= limits.bio_max_chars and second < limits.person_share:
        strong_terms = len(vocabulary.bio_strong.findall(text)) if cues.strong_bio else 0
        weak = len(vocabulary.bio_weak.findall(text)) if cues.weak_bio else 0
        if strong_terms >= 1 or weak >= limits.bio_weak_terms:
            return BIO, "author-bio", {"bio_terms": strong_terms + weak}
    return "", "", {}


def _appeal_category(text: str, vocabulary: Vocabulary) -> str:
    counts = {c: len(vocabulary.by_category[c].findall(text)) for c in ("donation", "paywall", "newsletter")}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else "donation"


def demote_notices(units: list[Unit], limits: ProseChromeLimits, vocabulary: Vocabulary) -> None:
    """Before the article is located: a licence notice or an overwhelming appeal must not anchor
    it (a long copyright footer can outweigh a news story of one-sentence paragraphs). Only when
    such paragraphs are rare on the page: when many paragraphs talk licences or donations, that
    is the article's subject."""
    anchors = [u for u in units if u.initial in ANCHORS]
    found = [(u, suspect(u, limits, vocabulary)) for u in anchors]
    chosen = [(u, s) for u, s in found if s[0] == NOTICE or (s[0] == APPEAL and s[2].get("strong"))]
    if not chosen or len(chosen) > limits.max_demoted or len(chosen) * 5 > len(anchors):
        return
    for unit, (kind, category, evidence) in chosen:
        unit.initial = BAD
        unit.reason = "licence-notice" if kind == NOTICE else "appeal"
        unit.category = category
        unit.extra = dict(evidence)


def mark_prose_chrome(units: list[Unit], region: tuple[int, int], limits: ProseChromeLimits,
                      vocabulary: Vocabulary) -> None:
    """Turn kept prose that is an appeal, a bio or a notice into drops (reason and category
    set), following the rules in the module docstring."""
    kept = [i for i in range(region[0], region[1] + 1)
            if units[i].verdict == KEEP and units[i].initial in ANCHORS]
    if not kept:
        return
    found = {i: suspect(units[i], limits, vocabulary) for i in kept}
    # blocks of consecutive suspect paragraphs (short units between them do not break a block)
    blocks: list[list[int]] = []
    previous = dict(zip(kept[1:], kept))
    for i in kept:
        if found[i][0]:
            if blocks and blocks[-1][-1] == previous.get(i):
                blocks[-1].append(i)
            else:
                blocks.append([i])
    # a suspect block may not take the whole article with it
    article = [i for i in kept if not found[i][0]]
    if not article:
        return
    last_article = article[-1]
    for block in blocks:
        closing = block[0] > last_article
        strong = any(found[i][2].get("strong") for i in block)
        if not (closing or len(block) >= limits.min_block or strong):
            continue
        # the block's own short lines (a "Readers," salutation, a signature) go with it
        lo, hi = block[0], block[-1]
        if closing:
            hi = _closing_tail_end(units, block[-1], region[1], found)
        for k in range(lo, hi + 1):
            unit = units[k]
            if unit.verdict != KEEP:
                continue
            kind, category, evidence = found.get(k) or ("", "", {})
            source = found[block[0]] if not kind else (kind, category, evidence)
            unit.verdict = DROP
            unit.reason = {APPEAL: "appeal", BIO: "author-bio", NOTICE: "licence-notice"}[source[0]]
            unit.category = source[1]
            unit.extra = dict(source[2])


def _closing_tail_end(units: list[Unit], end: int, region_end: int, found: dict[int, Suspicion]) -> int:
    """The last unit a closing block at ..`end` takes with it: up to the region's end, or to
    just before the first kept line that informs (a date, a time, an address) and is no suspect
    itself: a list of places and times after "give at one of these clinics" is content."""
    for k in range(end + 1, region_end + 1):
        unit = units[k]
        if unit.verdict != KEEP or (k in found and found[k][0]):
            continue
        if has_date(unit.text) or _STREET_ADDRESS.search(unit.text):
            return k - 1
    return region_end
