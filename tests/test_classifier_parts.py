"""The classifier's parts, one at a time: signals of a line, units of a page, vocabulary, the
corpus line counts, and how the article region is found.

tests/test_classifier.py shows the whole stage on made-up pages; these pin down the pieces it
is built from, so a change to one shows where it bites.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.classifier.comments import CommentLimits, comment_lines
from corpusclean.classifier.config import FeedLimits
from corpusclean.classifier.feeds import SLIDE, opening_lines
from corpusclean.classifier.regex import opens_with
from corpusclean.classifier.recurrence import LineHashes, PageHashes, Recurrence, line_hash, line_key, observe
from corpusclean.classifier.region import _NUMBERED, _NUMBERED_STARTS, RegionWeights, find_region
from corpusclean.classifier.signals import folded_words, measure
from corpusclean.classifier.stoplists import JUSTEXT_NAMES, Stoplists
from corpusclean.classifier.units import _LIST_MARKER, _LIST_STARTS, _RESUMERS, _RESUMES, COMMAND, FeatureMemo, build_units
from corpusclean.classifier.verdicts import _SENTENCE_BREAK, BAD, GOOD, NEARGOOD, SHORT, Thresholds, _at_most_one, judge
from corpusclean.classifier.vocabulary import TERMS, Vocabulary, _compile, person_shares, prose_cues, voice_and_cues_of, voice_words
from corpusclean.model import Document

ENGLISH = Stoplists().get("en")


def units_of(*lines: str):
    return build_units(Document("p", "".join(line + "\n" for line in lines)), ENGLISH)


# -- stoplists ---------------------------------------------------------------------------------

def test_stoplists_come_from_justext_files_by_langdetect_code():
    lists = Stoplists()
    assert {"the", "of", "and"} <= lists.get("en")
    assert {"und", "der", "nicht"} <= lists.get("de")


def test_languages_without_a_list_get_none():
    lists = Stoplists()
    assert lists.get("zh-cn") is None
    assert lists.get("unknown") is None
    assert lists.get(None) is None
    assert "zh-cn" not in JUSTEXT_NAMES


# -- signals of one line -----------------------------------------------------------------------

def test_prose_has_many_stopwords_and_ends_like_a_sentence():
    s = measure("The council said on Tuesday that it would keep the library open for the town.", ENGLISH)
    assert s.stop_density > 0.4
    assert s.sentence_end


def test_a_menu_entry_has_no_stopwords_and_capitals():
    s = measure("Podcasts Crosswords", ENGLISH)
    assert s.stop_density == 0
    assert not s.sentence_end
    assert s.capitalised == 1.0


def test_chinese_counts_function_characters_and_triple_length():
    s = measure("市议会星期二投票决定，老图书馆将继续开放五年。", None)
    assert s.no_space_script
    assert s.stop_density > 0
    assert s.length > 2 * s.chars


def test_links_markup_and_formulas_are_recognised():
    assert measure("Read it at https://example.org/story", ENGLISH).link
    assert measure('<div class="ad"><img src="x.gif"></div>', ENGLISH).markup
    assert measure("x = ( - b ± √ ( b 2 − 4 a c ) ) / 2 a", ENGLISH).symbolic
    assert not measure("A quiet afternoon in the reading room.", ENGLISH).symbolic


# -- units -------------------------------------------------------------------------------------

def test_hard_wrapped_prose_becomes_one_unit():
    [unit] = units_of("The council voted on Tuesday to keep the old library",
                      "open for another five years, after residents argued for it.")
    assert (unit.first, unit.last) == (0, 1)
    assert unit.text.startswith("The council") and unit.text.endswith("argued for it.")


def test_lines_of_a_menu_stay_separate_units():
    units = units_of("Home", "News", "Sport")
    assert [u.text for u in units] == ["Home", "News", "Sport"]
    assert len({u.group for u in units}) == 1


def test_marked_list_items_are_listed():
    units = units_of("Intro line", "- first item", "- second item", "- third item")
    assert [u.listed for u in units] == [False, True, True, True]


def test_two_bullets_are_not_yet_a_list():
    assert not any(u.listed for u in units_of("- first item", "- second item"))


def test_short_lines_repeated_on_the_page_are_counted_but_code_is_not():
    units = units_of("Reply", "A comment.", "Reply", "", "}", "}")
    assert [u.page_repeats for u in units if u.text == "Reply"] == [2, 2]
    assert [u.page_repeats for u in units if u.text == "}"] == [1, 1]


def test_a_line_opening_with_the_previous_ones_punctuation_continues_it():
    doc = Document("p", 'Read "Reading rooms"\n. Valley Press, 2015.\nNext line\n')
    assert [u.text for u in build_units(doc, ENGLISH)] == ['Read "Reading rooms" . Valley Press, 2015.', "Next line"]


def test_removed_lines_make_no_units():
    doc = Document("p", "Home\nNews\n\nBody text here.\n")
    doc.remove(0, 1, stage="rules", rule="navigation.menu", category="navigation")
    assert [u.text for u in build_units(doc, ENGLISH)] == ["Body text here."]


def test_units_with_the_same_text_share_its_features_across_pages():
    memo = FeatureMemo()
    first = build_units(Document("a", "Share\n\nThe council met on Tuesday.\n\nShare\n"), ENGLISH, memo)
    second = build_units(Document("b", "Share\n\nSomething else entirely.\n"), ENGLISH, memo)
    assert first[0].features is first[2].features is second[0].features
    assert second[0].signals == measure("Share", ENGLISH)
    # another stoplist measures the same text afresh: its stopword density differs
    german = build_units(Document("c", "Share\n"), Stoplists().get("de"), memo)
    assert german[0].features is not first[0].features


def test_the_feature_memo_stays_bounded():
    memo = FeatureMemo(capacity=20, max_chars=20)
    for text in ["One line", "Two lines", "Three lines"]:  # 8 + 9 characters, then 11 more
        memo.get(text, ENGLISH)
    assert len(memo) == 1
    # a paragraph is measured, not kept
    memo.get("A paragraph longer than twenty characters.", ENGLISH)
    assert len(memo) == 1


def test_a_full_feature_memo_keeps_its_short_texts():
    # the template lines a site repeats on every page outlive a memo that fills with paragraphs
    memo = FeatureMemo(capacity=60, max_chars=40, template_chars=10)
    menu = memo.get("Sign in", ENGLISH)
    memo.get("A paragraph of some length, kept.", ENGLISH)   # 7 + 33 characters
    memo.get("Another paragraph, long too.", ENGLISH)        # 28 more: full
    assert memo.get("Sign in", ENGLISH) is menu
    assert sorted(text for text, _ in memo.found) == ["Another paragraph, long too.", "Sign in"]


def test_comment_lines_find_headings_entry_marks_and_the_writers_marks_name():
    lines = ["An article paragraph that says something.", "", "12 Comments",
             "Posted by: Sean | Jan 10, 2008 4:49 PM", "Great piece, thanks.", "Anna said...", "I disagree.",
             "Reply", "",
             "Posted by the editors of this site to explain how the archive of the town newspaper was put together."]
    found = comment_lines(lines, CommentLimits())
    assert found.headings == [2]
    assert found.marks == [3, 5, 7, 9]
    # a writer's name is read off a short mark only (the last one is a paragraph)
    assert found.posters == [(3, "sean")]


def test_comment_and_feed_lines_remembered_from_page_to_page_are_what_each_page_finds_alone():
    """A site's template lines recur page after page: the classifier remembers what the
    comment and feed tests make of a line (FeatureMemo.comment_lines and .openings). Pages
    read one after another with the memos find what each finds alone, whichever page first
    asked for a line's entry marks (a page with a comments heading asks; most do not)."""
    limits, feed_limits = CommentLimits(), FeedLimits()
    template = ["Home | News | Sport", "Posted by: Sean | Jan 10, 2008 4:49 PM", "Anna said...", "Reply",
                "Updated 10:42 AM, March 3, 2017", "Report this comment", "© 2017 The Daily Example", ""]
    paragraph = ("A paragraph of the article, long enough to pass for prose, that runs on for more than "
                 "two hundred characters so that no memo keeps it, and that names no date, writer or "
                 "comment at all, which is what most of a page's text is like. It says nothing else.")
    pages = [template + ["An article paragraph.", paragraph],
             ["12 Comments"] + template[::-1] + [paragraph],
             template + ["Comments (3)", "Posted by: Anna | Jan 11, 2008 5:01 PM", "posted by nobody"],
             ["3 comments", "", paragraph, "Reply", "Reply"]]
    memo = FeatureMemo()
    for lines in pages:
        alone, remembered = comment_lines(lines, limits), comment_lines(lines, limits, memo.comment_lines)
        assert (remembered.headings, remembered.posters) == (alone.headings, alone.posters)
        if alone.headings:   # as mark_comments asks (the first page has none: its lines' marks wait)
            assert remembered.marks == alone.marks
        assert opening_lines(lines, feed_limits, memo.openings) == opening_lines(lines, feed_limits)
    # the short lines were remembered, the paragraph was not
    assert "Reply" in memo.comment_lines.found and paragraph not in memo.comment_lines.found
    assert "Updated 10:42 AM, March 3, 2017" in memo.openings.found and paragraph not in memo.openings.found


def test_patterns_asked_of_every_unit_are_skipped_only_where_they_cannot_match():
    """Five patterns the classifier asks of every unit or line are tried only on texts whose
    first character one of them can start with (a cheap test first): for every character of
    the Basic Multilingual Plane the test turns away, no text starting with it matches."""
    numbered_words = "step|part|chapter|tip|phase|stage|schritt|teil|étape|paso|passo".split("|")
    endings = ["", " ", "1", " 1", "\t1", ". x", ") x", " x", "1. x", "12) x", "] ", "3] x", "a) x",
               "/5", " of 5", "5 of 12", " 3/4", "$ ls", ">> import os", " ls"]
    endings += [word[1:] + " 1" for word in numbered_words] + [word[1:] + "1" for word in numbered_words]
    cases = [(lambda c: opens_with(c, _NUMBERED_STARTS), _NUMBERED), (lambda c: opens_with(c, _LIST_STARTS), _LIST_MARKER),
             (opens_with, SLIDE),
             (lambda c: c in "$>", COMMAND), (lambda c: c in _RESUMERS, _RESUMES)]
    for code in range(0x10000):
        char = chr(code)
        for lets_through, pattern in cases:
            if not lets_through(char):
                assert not any(pattern.match(char + ending) for ending in endings), (char, pattern.pattern)


# -- verdicts of units alone -------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("The head librarian, who has worked in the building for twenty years, said that the staff would "
     "now have to raise money for new shelves, since the grant covers the roof and the windows but "
     "nothing that stands inside the rooms.", GOOD),
    ("The library will stay open with shorter hours during the summer works.", NEARGOOD),
    ("What happens next", SHORT),
    ("Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan "
     "Bahamas Bahrain Bangladesh Barbados Belarus Belgium", BAD),
    ('<img src="pixel.gif" width="1" height="1">', BAD),
])
def test_a_unit_alone_is_judged_by_length_stopwords_and_markup(line, expected):
    [unit] = units_of(line)
    verdict, _, _ = judge(unit, Thresholds(), True, Vocabulary())
    assert verdict == expected


def test_a_line_made_of_chrome_words_is_bad_and_says_which_kind():
    [unit] = units_of("Share on Facebook")
    assert judge(unit, Thresholds(), True, Vocabulary()) == (BAD, "chrome-words", "social")


def test_a_heading_with_one_chrome_word_is_still_just_short():
    [unit] = units_of("Language classes")
    assert judge(unit, Thresholds(), True, Vocabulary())[0] == SHORT


@pytest.mark.parametrize("text", [
    "Smith Jones Brown", "Smith Jones. Brown Green", "One. Two. Three", "A. B. C. D. E",
    "Done. And. More. Still. Going", "no break. at all"])
def test_the_name_list_test_reads_sentence_breaks_only_up_to_the_second(text):
    """_at_most_one stops at the second sentence break; the answer is the count's."""
    assert _at_most_one(_SENTENCE_BREAK.finditer(text)) == (len(_SENTENCE_BREAK.findall(text)) <= 1)


# -- vocabulary --------------------------------------------------------------------------------

def test_every_vocabulary_group_compiles_and_none_is_empty():
    for terms in TERMS.values():
        _compile(terms)
    with pytest.raises(ValueError, match="empty term"):
        _compile(["share", ""])


def test_chrome_share_measures_and_names_the_chrome():
    share, category, words = Vocabulary().chrome_share("Share on Facebook")
    assert share > 0.7 and category == "social" and words == 2
    assert Vocabulary().chrome_share("The council met on Tuesday.")[0] == 0


@pytest.mark.parametrize("phrase", [
    "© 2024 Example Media", "Copyright Example Media", "All rights reserved.", "under a Creative Commons licence",
    "This story originally appeared in the Courier", "Republished with permission", "reprinted with permission",
    "without prior written consent", "This article was first published by", "syndicated by the wire",
    "We use cookies to improve the site", "see our cookie policy", "the use of cookies", "your personal data",
    "read our privacy policy",
])
def test_every_notice_phrase_carries_a_cue(phrase):
    vocabulary = Vocabulary()
    assert vocabulary.notice_strong.search(phrase), phrase   # the phrase is one the pattern names ...
    assert vocabulary.may_be_notice(*cues_of(phrase))        # ... and the cheap check lets it through


@pytest.mark.parametrize("phrase", [
    "She is a reporter for the Courier", "He is an editor at large", "is the paper's science correspondent",
    "writes about schools", "Her work has appeared in many papers", "has written for the Times",
    "is the author of two novels", "a contributing editor", "She covers politics", "He is based in Leeds",
    "she lives in Paris", "Follow her on Twitter", "joined the paper in 2012", "previously worked at a bank",
    "a graduate of the university", "holds a degree in law", "his book about rivers",
    "she is currently writing a novel", "on Twitter",
])
def test_every_bio_phrase_carries_a_cue(phrase):
    vocabulary = Vocabulary()
    strong, weak = vocabulary.bio_strong.search(phrase), vocabulary.bio_weak.search(phrase)
    assert strong or weak, phrase                            # the phrase is one a pattern names ...
    if strong:                                               # ... and the cheap check of its cues
        assert vocabulary.may_be_strong_bio(*cues_of(phrase))  # lets it through to that pattern
    if weak:
        assert vocabulary.may_be_weak_bio(*cues_of(phrase))


def cues_of(text: str) -> tuple[list[str], str]:
    """What the cue checks read: the text's words casefolded, and the text casefolded."""
    return folded_words(text), text.casefold()


# the patterns' phrases, among other words
_CUE_PHRASES = [
    "copyright", "©", "all rights reserved", "creative commons", "originally published", "republished",
    "reprinted with permission", "without prior written consent", "this story first appeared", "syndicated",
    "we use cookies", "cookie policy", "usage of cookies", "personal data", "privacy notice",
    "she is a staff writer", "is the paper's editor", "writes about", "her work has appeared", "has written for",
    "the author of", "contributing editor", "covers", "based in", "lives in", "follow her", "joined us in 2019",
    "previously", "graduate of", "holds a degree", "his novel", "they are working", "on twitter",
]
_OTHER_WORDS = ["the", "story", "post", "article", "is a", "life", "household", ".", ",", "’s", "-"]
# letters that match one of the patterns' only when case is ignored: long s, the Kelvin sign,
# dotless ı and dotted İ
_ODD_LETTERS = {"s": "ſ", "k": "\u212a", "i": "ıİ"}


@pytest.mark.parametrize("phrase", _CUE_PHRASES)
@settings(max_examples=20)
@given(others=st.lists(st.sampled_from(_OTHER_WORDS), max_size=6), random=st.randoms())
def test_a_text_the_patterns_match_passes_the_cue_checks(phrase, others, random):
    """The cue checks are only ever a shortcut: where a pattern matches, its check says so
    (whatever the case of the text, and with the letters that match only when case is ignored)."""
    vocabulary = Vocabulary()
    words = [*others, phrase]
    random.shuffle(words)
    text = "".join(random.choice(_ODD_LETTERS[c]) if c in _ODD_LETTERS and random.random() < 0.2
                   else c.upper() if random.random() < 0.3 else c for c in " ".join(words))
    if vocabulary.notice_strong.search(text):
        assert vocabulary.may_be_notice(*cues_of(text))
    if vocabulary.bio_strong.search(text):
        assert vocabulary.may_be_strong_bio(*cues_of(text))
    if vocabulary.bio_weak.search(text):
        assert vocabulary.may_be_weak_bio(*cues_of(text))
    # the three checks at once, as the prose-chrome tests ask them, answer as each alone
    assert prose_cues(*cues_of(text)) == (vocabulary.may_be_notice(*cues_of(text)),
                                          vocabulary.may_be_strong_bio(*cues_of(text)),
                                          vocabulary.may_be_weak_bio(*cues_of(text)))


@pytest.mark.parametrize("text, expected", [
    ("The council met on Tuesday to vote on the library.", (False, False, False)),
    ("Posted in the story archive, without a word.", (False, False, False)),   # the old cues' common words
    ("The report was published by a student", (False, False, False)),  # a cue's word without its phrase
    ("The story was published first; she is a student", (True, True, False)),
    ("© Example Media", (True, False, False)),
    ("She is a reporter who lives in Leeds.", (False, True, True)),
    ("The prıvacy notice", (True, True, True)),   # dotless ı: every check lets it through
])
def test_prose_cues_say_which_patterns_can_match(text, expected):
    assert prose_cues(*cues_of(text)) == expected


def test_person_shares_count_we_and_you():
    first_plural, second = person_shares("we need your help so we can keep going".split())
    assert first_plural == pytest.approx(2 / 9)
    assert second == pytest.approx(1 / 9)
    assert person_shares("The council met on Tuesday".split()) == (0.0, 0.0)
    assert person_shares("Wir danken Ihnen, ihr seid".split()) == (1 / 5, 1 / 5)


@pytest.mark.parametrize("text", [
    "We need your help so we can keep our reporting free. Donate today.",
    "The council met on Tuesday to vote on the library.",
    "© Example Media. Originally published by the Courier; republished with permission.",
    "She is a reporter who lives in Leeds. Follow her on Twitter.",
    "The prıvacy notice İs yours",
])
def test_voice_and_cues_is_person_shares_and_prose_cues_at_once(text):
    words, lowered = cues_of(text)
    assert voice_and_cues_of(voice_words(words), len(words), lowered) == (*person_shares(words, words), prose_cues(words, lowered))


# -- corpus line counts ------------------------------------------------------------------------

def test_recurrence_counts_pages_not_occurrences():
    counts = Recurrence()
    counts.add(observe(["Sign in", "Sign in", "Story one."]))
    counts.add(observe(["Sign in", "Story two."]))
    counts.freeze(min_pages=2)
    assert counts.pages(observe(["Sign in"])).tolist() == [2]
    assert counts.pages(observe(["Story one."])).tolist() == [0]  # on one page: pruned
    assert counts.by_hash() == {line_hash("Sign in"): 2}  # the same counts, as a dict


def test_recurrence_merges_its_buffer_the_same_as_counting_at_once(monkeypatch):
    import corpusclean.classifier.recurrence as recurrence

    pages = [[f"line {k % 7}", "Menu"] for k in range(40)]
    at_once = Recurrence()
    for lines in pages:
        at_once.add(observe(lines))
    at_once.freeze(1)
    monkeypatch.setattr(recurrence, "BUFFER", 3)  # merge every few pages
    in_steps = Recurrence()
    for lines in pages:
        in_steps.add(observe(lines))
    in_steps.freeze(1)
    assert np.array_equal(at_once.keys, in_steps.keys) and np.array_equal(at_once.counts, in_steps.counts)


def test_a_chunk_of_pages_counts_as_its_pages_one_by_one(monkeypatch):
    """What a worker hands back for a chunk (PageHashes) is each page's observation, and the
    parent adding the chunk at once counts what adding its pages one by one counts."""
    import corpusclean.classifier.recurrence as recurrence

    pages = [[f"line {k % 7}", "Menu"] for k in range(40)] + [[], ["x" * 200]]  # two with no short line
    observed = [observe(lines) for lines in pages]
    chunk = PageHashes(observed)
    assert len(chunk) == len(pages) and all(np.array_equal(a, b) for a, b in zip(chunk, observed))
    assert np.array_equal(chunk[-1], observed[-1]) and len(PageHashes([])) == 0
    one_by_one = Recurrence()
    for page in observed:
        one_by_one.add(page)
    one_by_one.freeze(1)
    monkeypatch.setattr(recurrence, "BUFFER", 3)  # merged after each chunk
    in_chunks = Recurrence()
    for start in range(0, len(observed), 16):
        in_chunks.add_pages(PageHashes(observed[start:start + 16]))
    in_chunks.freeze(1)
    assert in_chunks.documents == one_by_one.documents == len(pages)
    assert np.array_equal(one_by_one.keys, in_chunks.keys) and np.array_equal(one_by_one.counts, in_chunks.counts)


def test_line_hashes_are_line_hash_remembered_and_stay_bounded():
    hashes = LineHashes(capacity=2)
    assert [hashes(line) for line in ["Sign in", "Menu", "Sign in"]] == [line_hash("Sign in"), line_hash("Menu"),
                                                                         line_hash("Sign in")]
    assert len(hashes) == 2
    hashes("Most read")  # a third line: the memo starts afresh
    assert len(hashes) == 1
    page = ["Sign in", "", "Story one.", "Sign in", "x" * 200]
    assert observe(page, hashes).tolist() == observe(page).tolist()


def test_template_lines_differing_only_in_numbers_count_as_one():
    assert line_key("12 Comments") == line_key("3 comments")


# -- the article region ------------------------------------------------------------------------

def _graded(*classes: str, length: int = 300):
    """Units with given initial classes (prose of `length` characters, others short)."""
    units = units_of(*[f"unit {'abcdefghijklmnopqrstuvwxyz'[k % 26] * (1 + k // 26)}" for k in range(len(classes))])
    for unit, cls in zip(units, classes):
        unit.initial = cls
        unit.reason = cls
        if cls in (GOOD, NEARGOOD):
            unit.signals.length = length
    return units


def test_the_region_is_the_run_where_prose_outweighs_the_rest():
    units = _graded(SHORT, SHORT, SHORT, GOOD, GOOD, SHORT, GOOD, SHORT, SHORT)
    assert find_region(units, RegionWeights()) == (3, 6)


def test_a_long_gap_inside_an_article_costs_at_most_the_cap():
    units = _graded(GOOD, GOOD, *[SHORT] * 40, GOOD, GOOD, GOOD)
    assert find_region(units, RegionWeights()) == (0, 44)


def test_teasers_alone_between_headlines_do_not_anchor_an_article():
    units = _graded(GOOD, GOOD, GOOD, SHORT, *[SHORT, NEARGOOD] * 5, length=200)
    first, last = find_region(units, RegionWeights())
    assert (first, last) == (0, 2)


def test_a_page_with_no_prose_has_no_region():
    assert find_region(_graded(SHORT, SHORT, BAD), RegionWeights()) is None
