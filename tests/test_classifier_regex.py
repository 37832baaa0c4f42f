"""classifier/regex.py: the fast forms of the classifier's regular expressions match exactly
where Python's own patterns do."""
from __future__ import annotations

import re

import pytest

from corpusclean.classifier.comments import ENTRY_MARK
from corpusclean.classifier.feeds import DATED, has_date
from corpusclean.classifier.regex import GatedSearch, _after_two, _first_of_term, line_test, terms_pattern
from corpusclean.classifier.signals import WORD, casefold_words
from corpusclean.classifier.vocabulary import APPEAL_TERMS, BIO_STRONG, BIO_WEAK, NOTICE_STRONG, NOTICE_WEAK, TERMS

# case folding Python's IGNORECASE knows beyond ASCII: the Kelvin sign matches k, the long s
# matches s, the dotted capital I matches i; and words that start with no letter at all
TEXTS = [
    "Share on Facebook", "SHARE ON FACEBOOK", "ſhare this", "\u212aontakt", "İnbox ınbox",
    "© 2020 The Times (c) All rights reserved", "(C)2009 e-mail this E-MAIL THIS", "Follow us on Twitter",
    "Sign in | Register | My account", "sharing shared shares share", "she is a writer based in Oslo",
    "The council said on Tuesday that it would keep the library open.", "homepage home-page homepages",
    "Photo: Getty Images / AFP", "menú menu MENU", "",
]


def plain(groups: list[tuple[str | None, list[str]]]) -> re.Pattern[str]:
    """The alternation as one would write it, with group names that say which group matched."""
    parts = [f"(?P<g{i}>{'|'.join(terms)})" for i, (_, terms) in enumerate(groups)]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def matches(pattern: re.Pattern[str], text: str, names: dict[str, str]) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), names.get(m.lastgroup or "", "")) for m in pattern.finditer(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_the_vocabulary_pattern_finds_what_the_plain_alternation_finds(text):
    groups = [(name, terms) for name, terms in TERMS.items()]
    fast, names = terms_pattern(groups)
    expected = [(span, groups[int(group[1:])][0]) for span, group in
                matches(plain(groups), text, {f"g{i}": f"g{i}" for i in range(len(groups))})]
    assert matches(fast, text, names) == expected


@pytest.mark.parametrize("terms", [APPEAL_TERMS, BIO_STRONG, BIO_WEAK, NOTICE_STRONG, NOTICE_WEAK],
                         ids=["appeal", "bio-strong", "bio-weak", "notice-strong", "notice-weak"])
def test_each_prose_chrome_pattern_finds_what_the_plain_alternation_finds(terms):
    vocabulary_texts = TEXTS + [
        "We need your support: become a member, donate today and get our newsletter ad-free.",
        "She is a staff writer based in Oslo; her work has appeared in Granta. Follow her on Twitter.",
        "© 2020 Example Media. Originally published by the Courier; reprinted with permission.",
        "This site uses cookies. Read our privacy policy and cookie settings.",
    ]
    fast, slow = terms_pattern([(None, terms)])[0], plain([(None, terms)])
    for text in vocabulary_texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)], text


def test_terms_sharing_two_first_characters_keep_their_order():
    # "sign", "sign in" and "site" share "si", "share" and "shop" share "sh": each pair's
    # sub-bucket keeps the order written
    fast, names = terms_pattern([("short", ["sign", "shop"]), ("long", ["sign in", "share", "site"])])
    assert [(m.group(), names[m.lastgroup]) for m in fast.finditer("Sign in to share the site's shop")] == [
        ("Sign", "short"), ("share", "long"), ("site", "long"), ("shop", "short")]


def test_a_term_whose_first_characters_are_fewer_than_its_buckets_looks_back_for_them():
    # the classes that took the two characters hold more than the term's own: it asks again
    own = (_first_of_term("s", re.IGNORECASE)[0], _first_of_term("h", re.IGNORECASE)[0])
    wider = (((ord("a"), ord("z")),), own[1])
    assert _after_two("share", own, re.IGNORECASE) == "are"
    assert _after_two("share", wider, re.IGNORECASE) == "(?<=sh)are"


def test_terms_sharing_a_first_character_keep_their_order():
    # "sign" and "sign in" start alike: the first listed wins, as in the plain alternation
    fast, names = terms_pattern([("short", ["sign"]), ("long", ["sign in", "share"])])
    assert [(m.group(), names[m.lastgroup]) for m in fast.finditer("Sign in to share")] == [
        ("Sign", "short"), ("share", "long")]


def test_a_term_that_may_start_with_any_letter_shares_one_bucket_with_the_rest():
    # "(?:\w+ )?news" may start with any word character, so every term that starts with a
    # letter goes into its bucket, in the order written
    fast, _ = terms_pattern([(None, [r"(?:\w+ )?news", "share"])])
    assert [m.group() for m in fast.finditer("Latest news, share")] == ["Latest news", "share"]


def test_a_term_with_look_around_falls_back_to_the_plain_alternation():
    fast, names = terms_pattern([("cue", [r"(?=n)\w+ today", "share"])])
    assert "(?=(?-i:" not in fast.pattern
    assert [(m.group(), names[m.lastgroup]) for m in fast.finditer("news today, share news")] == [
        ("news today", "cue"), ("share", "cue")]


def test_an_empty_term_is_refused():
    with pytest.raises(ValueError, match="empty term"):
        terms_pattern([(None, ["share", ""])])


@pytest.mark.parametrize("line", [
    "Posted by jim | January 14, 2008 07:20 PM", "Anna said...", "Report this comment", "Reply",
    "reply | quote", "#12. Sam Lee @ 10:45", "Comment No. 4", "In reply to Tom",
    "The mayor said the library would stay open.", "Written by the staff of the library", "",
    "ſaid:", "REPORT ABUSE", "Posted\u00a0by someone",
])
def test_the_entry_mark_test_answers_as_python_searches(line):
    assert line_test(ENTRY_MARK)(line) == bool(ENTRY_MARK.search(line))


def test_a_pattern_re2_cannot_take_keeps_pythons_search():
    lookbehind = re.compile(r"(?<!not )bad")
    test = line_test(lookbehind)
    assert test("a bad line") and not test("not bad at all")


def test_casefold_words_folds_each_word_as_casefold_does():
    words = WORD.findall("Straße İstanbul ΣΊΣΥΦΟΣ ﬁle Kelvin \u212a")
    assert casefold_words(words) == [w.casefold() for w in words]
    assert casefold_words([]) == []


@pytest.mark.parametrize("line", ["March 10, 2017", "10 March 2017", "14:44", "2 hours ago", "3/9/18",
                                  "2017-03-10", "no date here", "March", "", "١٤:٤٤"])
def test_the_date_test_answers_as_python_searches(line):
    assert has_date(line) == bool(DATED.search(line))


def test_a_gate_is_used_only_where_every_match_needs_it():
    assert GatedSearch(DATED, r"\d")._proved_gate() is not None
    # "yesterday" holds no digit: a gate on digits would hide it, so there is none
    either = re.compile(DATED.pattern + "|yesterday", re.IGNORECASE)
    test = GatedSearch(either, r"\d")
    assert test._proved_gate() is None
    assert test("Posted yesterday")


def test_the_gates_proof_is_kept_in_the_start_up_cache(monkeypatch):
    # the proof parses the pattern (slow under IGNORECASE); a process that finds the answer in
    # the cache does not parse at all, and gets the same gate
    from corpusclean.classifier import regex

    either = re.compile(DATED.pattern + "|yesterday", re.IGNORECASE)
    proved = [GatedSearch(pattern, r"\d")._proved_gate() for pattern in (DATED, either)]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(regex, "parse", no_parsing)
    again = [GatedSearch(pattern, r"\d")._proved_gate() for pattern in (DATED, either)]
    assert [gate.pattern if gate else None for gate in again] == [gate.pattern if gate else None for gate in proved]
    assert again[0] is not None and again[1] is None


def test_a_pattern_from_the_start_up_cache_is_the_one_python_compiles(tmp_path, monkeypatch):
    """cached_compile keeps what Python's compiler makes of a pattern (the code it hands the
    engine): a process that finds it in the cache gets a Pattern equal to re.compile's (the
    same pattern, flags and code), its groups named as they were, without compiling it."""
    from corpusclean.classifier import regex

    monkeypatch.setenv("CORPUSCLEAN_CACHE_DIR", str(tmp_path))
    vocabulary = terms_pattern(list(TERMS.items()))[0]
    sources = [(vocabulary.pattern, re.IGNORECASE), (r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\b", 0),
               (r"[A-ZÀ-Þ](?<!\w\w)|ſ\w*", re.IGNORECASE)]
    made = [regex.cached_compile(source, flags) for source, flags in sources]   # compiled, and kept
    monkeypatch.setattr(regex, "_compiled_code", lambda *args: pytest.fail("compiled again"))
    for (source, flags), first in zip(sources, made):
        again = regex.cached_compile(source, flags)
        assert again == first == re.compile(source, flags)
        assert again.groupindex == re.compile(source, flags).groupindex
    found = regex.cached_compile(*sources[1]).search("on 10.03 at noon")
    assert found is not None and found.group("month") == "03" and found.lastgroup == "month"
    for text in TEXTS:
        assert [(m.span(), m.lastgroup) for m in made[0].finditer(text)] == \
            [(m.span(), m.lastgroup) for m in vocabulary.finditer(text)]


def test_a_pattern_python_refuses_is_refused_through_the_cache_too(tmp_path, monkeypatch):
    from corpusclean.classifier.regex import cached_compile

    monkeypatch.setenv("CORPUSCLEAN_CACHE_DIR", str(tmp_path))
    with pytest.raises(re.error):
        cached_compile("(unclosed")
