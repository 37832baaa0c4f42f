"""The words chrome is made of, grouped by what the chrome is for.

These are not rules: no single word removes a line. They are measurements. A short line made
mostly of these words ("Share on Facebook", "Sign in", "Read more") is probably a control; a
paragraph that says "you" and "we" and "support", "member", "donate" is probably an appeal, not
reporting. Each group is a removal category, so the same measurement also names the category
of whatever the classifier removes.

Words are generic (no site's name or slogan) and cover the languages most of a crawl is in;
the groups are written out once here, in the spirit of trafilatura's grouped boilerplate
vocabulary, and compiled once per process.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, Sequence

from .regex import terms_pattern
from .terms import TERMS

if TYPE_CHECKING:
    from .units import Unit

#: addressing the reader and speaking as the publication: appeals are written this way
FIRST_PLURAL = frozenset("we us our ours we're we've we'll let's wir uns unser unsere nous notre nos nosotros nuestro nuestra nuestros nuestras".split())
SECOND = frozenset("you your yours you're you'll you've yourself du dein deine ihr euch vous votre vos tu tus usted ustedes".split())
_PERSON = FIRST_PLURAL | SECOND

#: what an appeal for money, membership or sign-up asks for
APPEAL_TERMS = [
    r"donat\w*", r"support\w*", r"contribut\w*", r"members?(?:hip)?", r"join\w*", r"subscri\w*",
    r"newsletters?", r"sign ?up", r"inbox", r"independent", r"journalism", r"reporters?", r"readers?",
    r"fund\w*", r"mission", r"ad-?free", r"ads", r"revenue", r"premium", r"benefits?", r"exclusive",
    r"access", r"free", r"help", r"today", r"patrons?", r"gifts?", r"monthly", r"account",
]

#: a short description of a person. Strong phrases name a role or a body of work outright; weak
#: ones ("covers", "based in") are ordinary words in reporting too and only count in pairs.
_ROLES = (r"writer|reporter|journalist|editor|author|correspondent|contributor|columnist|producer|"
          r"photographer|designer|developer|engineer|professor|student|researcher|analyst|critic|host|"
          r"freelancer|blogger|novelist|poet|founder|director|fellow|intern|staffer|commentator")
BIO_STRONG = [
    rf"is an? (?:[\w'’]+ ){{0,3}}(?:{_ROLES})", rf"is the (?:[\w'’]+ ){{0,3}}(?:{_ROLES})",
    r"writes? (?:about|for|on)", r"(?:his|her|their) work has appeared", r"has written for",
    r"(?:is )?the author of", r"contributing (?:writer|editor)",
]
BIO_WEAK = [
    r"covers", r"based in", r"lives? in", r"follow (?:him|her|them)", r"joined (?:\w+ ){0,3}in \d{4}",
    r"previously", r"graduate of", r"holds? a (?:degree|certificate)", r"(?:his|her|their) (?:book|novel|writing)",
    r"(?:he|she|they) (?:is|are) (?:currently )?(?:working|hacking|writing)", r"(?:in|on) twitter",
]


#: a notice about where the text comes from and who may reuse it: strong marks name it outright,
#: weak ones only support them (technical prose says "license" and "reproduce" too)
NOTICE_STRONG = [
    r"©", r"copyright", r"all rights reserved", r"creative commons", r"originally (?:published|appeared)",
    r"republish\w*", r"reprint(?:ed|s)? with permission", r"without (?:prior )?(?:written )?(?:consent|permission)",
    r"(?:this|the) (?:article|story|post) (?:was |is )?(?:first |originally )?(?:published|appeared)", r"syndicat\w*",
    # consent notices: cookies and personal data
    r"(?:we|this (?:site|website)|our (?:site|website|partners)) (?:and our partners )?uses? cookies",
    r"cookie (?:policy|settings|preferences|notice)", r"(?:use|usage) of cookies", r"personal data",
    r"privacy (?:policy|settings|terms|notice|statement)",
]
NOTICE_WEAK = [
    r"licen[cs]\w*", r"permission", r"reproduc\w*", r"redistribut\w*", r"news service", r"newswire",
    r"wire service", r"terms of (?:use|service)", r"guidelines", r"free of charge", r"without charge",
    r"trademarks?", r"rights", r"attribution", r"cookies?", r"consent", r"privacy", r"partners",
    r"personali[sz]ed?", r"advertising", r"browsing", r"accept",
]


class Cue(NamedTuple):
    """What a text must hold for one of a pattern's phrases to match it: one of `words` whole
    (casefolded, as `signals.folded_words` gives a text's words) and, where `phrases` are given,
    one of them in the casefolded text (each is written as the phrase writes it, so the text
    of any match holds one)."""

    words: frozenset[str]
    phrases: tuple[str, ...] = ()


def _cue(words: str, *phrases: str) -> Cue:
    return Cue(frozenset(words.split()), phrases)


#: Cues that let a text through to the patterns above, most paragraphs having none: their terms
#: match whole words (terms_pattern), and each phrase of NOTICE_STRONG, BIO_STRONG and BIO_WEAK
#: meets one of its group's cues (or holds one of CUE_STRINGS below), so a text that meets none
#: cannot match. A set of words meets the text's words at the cost of one lookup each, their
#: hashes already made (the stopwords were counted with them): a third of the cost of the
#: strings these checks looked for before, which common words held ("post", "is a", "live"),
#: sending a paragraph in six to the patterns. A cue's phrases are looked for only in a text
#: with one of its words: a word alone let through three texts for each that held the phrase
#: ("published" without "originally" or "this article", a role without "is a"): on the 20 MB
#: bench corpus the words alone sent texts to 3,983 searches of which 503 found a match, the
#: phrases send them to 777. tests/test_classifier_parts.py checks that each pattern's phrases
#: pass.
NOTICE_CUES = (
    _cue("copyright"), _cue("reserved", "all rights reserved"), _cue("commons", "creative commons"),
    _cue("published appeared", "originally ", "article ", "story ", "post "),
    _cue("permission", "with permission", "without "), _cue("consent", "without "),
    _cue("cookies", "use cookies", "uses cookies", "use of cookies", "usage of cookies"),
    _cue("cookie", "cookie policy", "cookie settings", "cookie preferences", "cookie notice"),
    _cue("personal", "personal data"),
    _cue("privacy", "privacy policy", "privacy settings", "privacy terms", "privacy notice", "privacy statement"),
)
BIO_STRONG_CUES = (
    Cue(frozenset(_ROLES.split("|")), ("is a", "is the")),
    _cue("write writes", "write about", "write for", "write on", "writes about", "writes for", "writes on"),
    _cue("appeared", "work has appeared"), _cue("written", "has written for"), _cue("author", "the author of"),
    _cue("contributing", "contributing writer", "contributing editor"),
)
BIO_WEAK_CUES = (
    _cue("covers"), _cue("based", "based in"), _cue("live lives", "live in", "lives in"),
    _cue("follow", "follow him", "follow her", "follow them"), _cue("joined"), _cue("previously"),
    _cue("graduate", "graduate of"), _cue("degree certificate", "a degree", "a certificate"),
    _cue("book novel writing", *(f"{whose} {what}" for whose in ("his", "her", "their")
                                 for what in ("book", "novel", "writing"))),
    # "she is" holds "he is"
    _cue("working hacking writing", "he is ", "he are ", "they is ", "they are "),
    _cue("twitter", "in twitter", "on twitter"),
)


def _words_of(cues: Sequence[Cue]) -> frozenset[str]:
    return frozenset().union(*(cue.words for cue in cues))


NOTICE_CUE_WORDS = _words_of(NOTICE_CUES)
BIO_STRONG_CUE_WORDS = _words_of(BIO_STRONG_CUES)
BIO_WEAK_CUE_WORDS = _words_of(BIO_WEAK_CUES)
#: ... and the strings no cue catches: the two letters that match an "i" when case is
#: ignored but do not casefold to one, dotless ı and dotted İ (which folds to "i" and U+0307);
#: for notices also "©" (no word character) and the terms that go on as any word
#: ("republish\w*", "syndicat\w*")
BIO_CUE_STRINGS = ("ı", "\u0307")
_NOTICE_ONLY_STRINGS = ("©", "republish", "syndicat")
NOTICE_CUE_STRINGS = (*_NOTICE_ONLY_STRINGS, *BIO_CUE_STRINGS)


def _meets(cues: Sequence[Cue], words: Sequence[str], lowered: str) -> bool:
    """Does a text (its casefolded `words`, the text casefolded: `lowered`) meet one of `cues`?"""
    return any(not cue.words.isdisjoint(words) and (not cue.phrases or any(map(lowered.__contains__, cue.phrases)))
               for cue in cues)


def _compile(terms: list[str]) -> re.Pattern[str]:
    """The terms as whole words, any case; raises ValueError for an empty term (it would match
    everywhere). Each term is only tried where the text can start it (regex.terms_pattern):
    the plain alternation cost 20-220 µs per long paragraph."""
    return terms_pattern([(None, terms)])[0]


class _ByCategory(dict):  # type: ignore[type-arg]
    """Each category's terms (TERMS) compiled alone, the first time the category is asked for:
    the classifier asks for three of the ten (prose_chrome), so neither warming nor a worker
    compiles the other seven (13 ms)."""

    def __missing__(self, category: str) -> re.Pattern[str]:
        compiled = self[category] = _compile(TERMS[category])
        return compiled


class Vocabulary:
    """The groups above, compiled once per process on first use."""

    @cached_property
    def by_category(self) -> dict[str, re.Pattern[str]]:
        """A category's terms alone: `by_category["donation"]` (compiled when first asked for)."""
        return _ByCategory()

    @cached_property
    def _any_category(self) -> tuple[re.Pattern[str], dict[str, str]]:
        """All groups in one alternation, each a named group: one scan finds every chrome word
        and which group it belongs to (the first group listed wins a tie); and the map from the
        pattern's group names to the categories."""
        return terms_pattern(list(TERMS.items()))

    @cached_property
    def appeal(self) -> re.Pattern[str]:
        return _compile(APPEAL_TERMS)

    @cached_property
    def bio_strong(self) -> re.Pattern[str]:
        return _compile(BIO_STRONG)

    @cached_property
    def bio_weak(self) -> re.Pattern[str]:
        return _compile(BIO_WEAK)

    @cached_property
    def notice_strong(self) -> re.Pattern[str]:
        return _compile(NOTICE_STRONG)

    @cached_property
    def notice_weak(self) -> re.Pattern[str]:
        return _compile(NOTICE_WEAK)

    def warm(self) -> None:
        """Compile every group now (Stage.warm)."""
        for name, value in vars(Vocabulary).items():
            if isinstance(value, cached_property):
                getattr(self, name)

    def chrome_share(self, text: str) -> tuple[float, str, int]:
        """The share of the text's non-space characters that are chrome words, the category
        that contributes most, and how many chrome words there are.
        ("Share on Facebook" -> about 0.8, "social", 2.)"""
        letters = len(text) - text.count(" ")
        if letters <= 0:
            return 0.0, "", 0
        by_category: dict[str, int] = {}
        found = 0
        pattern, names = self._any_category
        for match in pattern.finditer(text):
            category = names[match.lastgroup or ""]
            by_category[category] = by_category.get(category, 0) + len(match.group().replace(" ", ""))
            found += 1
        if not by_category:
            return 0.0, "", 0
        best = max(by_category, key=lambda c: by_category[c])
        return sum(by_category.values()) / letters, best, found

    @staticmethod
    def may_be_notice(words: Sequence[str], lowered: str) -> bool:
        """Can NOTICE_STRONG match a text? `words`: its words, casefolded (signals.folded_words);
        `lowered`: the text casefolded."""
        return any(map(lowered.__contains__, NOTICE_CUE_STRINGS)) or _meets(NOTICE_CUES, words, lowered)

    @staticmethod
    def may_be_strong_bio(words: Sequence[str], lowered: str) -> bool:
        """Can BIO_STRONG match? (each pattern only runs where its own cues are: a paragraph
        with "lives in" but no role needs no search for one)"""
        return any(map(lowered.__contains__, BIO_CUE_STRINGS)) or _meets(BIO_STRONG_CUES, words, lowered)

    @staticmethod
    def may_be_weak_bio(words: Sequence[str], lowered: str) -> bool:
        return any(map(lowered.__contains__, BIO_CUE_STRINGS)) or _meets(BIO_WEAK_CUES, words, lowered)

    def category_of(self, text: str, default: str) -> str:
        """The chrome category whose words cover most of the text, else `default`."""
        share, category, _ = self.chrome_share(text)
        return category if share > 0 else default

    def unit_chrome(self, unit: "Unit") -> tuple[float, str, int]:
        """`chrome_share` of a unit's text, computed once per text (Unit.features)."""
        features = unit.features
        if features.chrome is None:
            features.chrome = self.chrome_share(unit.text)
        return features.chrome


class ProseCues(NamedTuple):
    """Which of the prose-chrome patterns can match a text: what Vocabulary.may_be_notice,
    may_be_strong_bio and may_be_weak_bio say of it."""

    notice: bool
    strong_bio: bool
    weak_bio: bool


_ALL_CUES = ProseCues(True, True, True)
_ANY_CUE_WORD = NOTICE_CUE_WORDS | BIO_STRONG_CUE_WORDS | BIO_WEAK_CUE_WORDS


def _cues_by_word() -> dict[str, list[tuple[int, Cue]]]:
    """The cues each cue word belongs to, with their group's place in ProseCues."""
    found: dict[str, list[tuple[int, Cue]]] = {}
    for group, cues in enumerate((NOTICE_CUES, BIO_STRONG_CUES, BIO_WEAK_CUES)):
        for cue in cues:
            for word in cue.words:
                found.setdefault(word, []).append((group, cue))
    return found


_CUES_OF = _cues_by_word()


def prose_cues(words: Sequence[str], lowered: str) -> ProseCues:
    """The ProseCues of a text: `words`, its words casefolded (signals.folded_words), `lowered`,
    the text casefolded. Most paragraphs hold no cue at all, which one look at the words and
    one at the strings tell, where asking the three checks looked three times; in the others
    only the cues of the cue words found are tried (each check tried every cue of its group)."""
    if any(map(lowered.__contains__, BIO_CUE_STRINGS)):
        return _ALL_CUES  # NOTICE_CUE_STRINGS holds them too
    notice = any(map(lowered.__contains__, _NOTICE_ONLY_STRINGS))
    found = _ANY_CUE_WORD.intersection(words)
    if not found:
        return ProseCues(notice, False, False)
    met = [notice, False, False]
    for word in found:
        for group, cue in _CUES_OF[word]:
            if not met[group] and (not cue.phrases or any(map(lowered.__contains__, cue.phrases))):
                met[group] = True
    return ProseCues(*met)


#: the words of a text the prose-chrome tests read (voice_words)
VOICE_OR_CUE = _PERSON | _ANY_CUE_WORD


def voice_words(words: Sequence[str]) -> tuple[str, ...]:
    """The words of `words` (casefolded: signals.folded_words) that are a person's word or a
    prose cue, in order: all that voice_and_cues_of reads of a text's words besides their
    number. The classifier keeps only these of a text (units.Features)."""
    return tuple(filter(VOICE_OR_CUE.__contains__, words))


def voice_and_cues_of(picked: Sequence[str], words: int, lowered: str) -> tuple[float, float, ProseCues]:
    """`person_shares` and `prose_cues` of a text from one look at its words: its `voice_words`,
    its number of words (at least one) and the text casefolded (each asked alone looked at all
    of a paragraph's words)."""
    return (sum(map(FIRST_PLURAL.__contains__, picked)) / words,
            sum(map(SECOND.__contains__, picked)) / words, prose_cues(picked, lowered))


def person_shares(words: Sequence[str], folded: Sequence[str] | None = None) -> tuple[float, float]:
    """The share of words that are first person plural ("we", "our") and second person ("you").
    `folded`: the words casefolded, when the caller has them. The classifier asks
    `voice_and_cues_of`, which reads these shares off the same pass as the prose cues; this is the
    plain definition the tests hold it to."""
    if not words:
        return 0.0, 0.0
    lowered = folded if folded is not None else list(map(str.casefold, words))
    # one pass over the words keeps the few that are either; they are told apart afterwards
    found = list(filter(_PERSON.__contains__, lowered))
    if not found:
        return 0.0, 0.0
    return (sum(map(FIRST_PLURAL.__contains__, found)) / len(words),
            sum(map(SECOND.__contains__, found)) / len(words))
