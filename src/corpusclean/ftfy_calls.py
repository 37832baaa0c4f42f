"""ftfy as the fix stage calls it: its settings, and what our calls hand it for speed.

Imported by encoding.py only when a line needs ftfy (or its mojibake detector): importing ftfy
builds its codecs and regexes and brings wcwidth, about 0.06 CPU-s, which a run whose pages
need none of it (English text, say) never pays. Our calls (`fix_segment`) hand ftfy, for their
duration (`FAST_FTFY`), its own mojibake detector windowed (`looks_bad`, see the note after
it), a `remove_control_chars` that skips text with nothing to remove, and RE2 for two of its
regexes over bytes. Outside them ftfy is left as it is.
"""
from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

import ftfy
import ftfy.chardata
import ftfy.fixes
import re2  # type: ignore[import-untyped]  # google-re2 ships no type information
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.chardata import CONTROL_CHARS

from .encoding import _LONE_MOJIBAKE, _MOJIBAKE_CHAR, _NON_ASCII_RUN, _UNANCHORED, _screen_options

# Each setting says why. ftfy's defaults that rewrite typography are off: they damaged CJK and
# typographic text in corpus tools that went before (full-width forms, curly quotes, ligatures).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",          # &amp; -> &, unless the line holds a "<" (then it is markup)
    remove_terminal_escapes=True,   # ANSI colour codes are never content
    fix_encoding=True,              # the point: undo mojibake (UTF-8 read as cp1252 and so on)
    restore_byte_a0=True,           # mojibake where a non-breaking space became a plain space
    replace_lossy_sequences=True,   # mojibake already partly replaced by U+FFFD or "?"
    decode_inconsistent_utf8=True,  # mojibake mixed with good text on one line
    fix_c1_controls=True,           # C1 controls are cp1252 punctuation read as latin-1
    fix_latin_ligatures=False,      # "ﬁ" is the author's typography, not an error
    fix_character_width=False,      # full-width forms are meaningful in CJK text
    uncurl_quotes=False,            # curly quotes are content; straightening loses information
    fix_line_breaks=False,          # we normalise CR/CRLF ourselves and keep U+2028 as written
    fix_surrogates=True,            # lone surrogates cannot be written as UTF-8 at all
    remove_control_chars=True,      # invisible controls (bidi marks and joiners are kept) are noise
    normalization="NFC",            # canonical composition only; NFKC would rewrite CJK forms
    explain=True,                   # every fix goes into the report
)


def looks_bad(segment: str) -> bool:
    """Exactly ftfy's `is_bad(segment)`, without running its detector over the whole line.

    Every alternative of ftfy's detector matches either a character of `_LONE_MOJIBAKE`
    with at most two characters of context on either side ("[a-z]\\s?[ÃÂ][ ]", "^[ÃÂ][ ]",
    "[Œœ][^A-Za-z]", a C1 control), or two or more adjacent non-ASCII characters, one of them
    from the set above, with at most two ASCII characters of context on either side
    ("ГўВЂВ.[A-Za-z ]") and never ASCII in between. So a match lies within two characters of
    a lone character or of a run of non-ASCII characters holding a character of the set, and
    searching those windows finds what searching the line finds. (`search(text, start, end)`
    keeps "^" at the true start of the line, and the detector looks neither ahead nor behind.)
    On Czech or Portuguese text, where nearly every line has runs like "ří" or "çã", this is
    about ten times cheaper than the detector over the whole line; on a line of mojibake,
    several times cheaper. tests/test_encoding.py checks it against `is_bad` on generated text.

    The argument was made for the detector of ftfy 6.3 (`_DETECTOR_CHECKED`); with another,
    this is `is_bad` itself until someone makes it again."""
    if not _WINDOWS_HOLD:
        return is_bad(segment)
    search = BADNESS_RE.search
    for lone in _LONE_MOJIBAKE.finditer(segment):
        at = lone.start()
        if search(segment, max(at - 2, 0), at + 3):
            return True
    for run in _NON_ASCII_RUN.finditer(segment):
        start, end = run.span()
        if _MOJIBAKE_CHAR.search(segment, start, end) and search(segment, max(start - 2, 0), end + 2):
            return True
    return False


#: a digest of the detector (ftfy.badness.BADNESS_RE's pattern) looks_bad's windows were
#: worked out for
_DETECTOR_CHECKED = "9dcc0f2ac90d9ae3c85eb7b9b2c0b8a8e8126153847c2b30c91a0bb263f3b8c4"
_WINDOWS_HOLD = hashlib.sha256(BADNESS_RE.pattern.encode()).hexdigest() == _DETECTOR_CHECKED
# ftfy asks its detector (`is_bad`) about the whole line at each step of fixing it, and about
# the fixed line to see that it is done: most of the time ftfy spends on the lines that need
# it. `looks_bad` is the same function, so our own ftfy calls hand it to ftfy (the names its
# fixing steps call) for their duration: ftfy on the 1,653 such lines of a 20 MB make_corpus
# corpus takes 0.26 CPU-s instead of 0.47, with the same text and explanation
# (tests/test_encoding.py checks both detectors give the same fixes). Outside those calls ftfy
# is left as it is: importing corpusclean changes nothing in a user's own ftfy calls.
_FTFY_OWN = (getattr(ftfy, "is_bad"), getattr(ftfy.fixes, "is_bad"), ftfy.FIXERS["remove_control_chars"],
             ftfy.chardata.ALTERED_UTF8_RE, ftfy.fixes.replace_lossy_sequences)

#: the text `looks_bad_again` was last asked about, and the answer
_LAST_ASKED: tuple[str, bool] = ("", False)


def looks_bad_again(text: str) -> bool:
    """`looks_bad(text)`, answered at once when `text` is the very string it was last asked
    about. ftfy asks its detector about one string several times: about a line that needs it
    (which needs_ftfy asked about first) before fixing it, then about the fixed line, once to
    see that its encoding is fixed and once more when it runs all its steps again to see that
    nothing changes. Five detector runs a fixed line become two. (The answer is a function of
    the text alone, and the string is held, so its identity cannot pass to another one.)"""
    global _LAST_ASKED
    last = _LAST_ASKED
    if text is last[0]:
        return last[1]
    answer = looks_bad(text)
    _LAST_ASKED = (text, answer)
    return answer

# ftfy's remove_control_chars is `str.translate` with a dict of the code points it removes: a
# dict lookup per character, on every line ftfy fixes and again on the fixed line (to see that
# nothing more changes), a tenth of ftfy's time on the corpus above. A text holding none of
# them comes back as it is, which one C-speed search of the same code points tells.
_FTFY_CONTROL_CHARS = re.compile("[" + "".join(re.escape(chr(point)) for point in sorted(CONTROL_CHARS)) + "]")


def remove_control_chars(text: str) -> str:
    """Exactly ftfy's `remove_control_chars(text)`, without its translate on text that holds
    none of the characters it removes."""
    return _FTFY_OWN[2](text) if _FTFY_CONTROL_CHARS.search(text) else text


# ftfy's encoding step runs two regexes over a line's bytes in each code page it tries:
# chardata.ALTERED_UTF8_RE (a search: UTF-8 with a space where byte A0 was?) and
# fixes.replace_lossy_sequences (a sub of chardata.LOSSY_UTF8_RE). Both are alternations `re`
# tries at every byte, about 100 ns a byte, 0.1 CPU-s of a run of the 20 MB bench corpus. RE2
# runs the same patterns (classes and alternatives of bytes, read as Latin-1: a byte is a
# character) at a few ns a byte, and finds the same matches: it takes, like `re`, the first
# alternative that matches at the leftmost place. Handed to ftfy as _FTFY_BYTES_HOLD says, for
# the patterns of ftfy 6.3 (a digest of both): with others, ftfy's own.
_FTFY_BYTES_CHECKED = "e7d9136deea9a9c8794a2378185771d53f58eab80aaa448a939b8058fb92173d"
_FTFY_BYTES_HOLD = hashlib.sha256(ftfy.chardata.ALTERED_UTF8_RE.pattern + b"\0" +
                                  ftfy.chardata.LOSSY_UTF8_RE.pattern).hexdigest() == _FTFY_BYTES_CHECKED


def _bytes_re2(pattern: re.Pattern[bytes]) -> Any:
    """`pattern` compiled by RE2, over bytes as they are (Latin-1), for where its matches are."""
    options = _screen_options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile(pattern.pattern, options)._regexp


_ALTERED_UTF8 = _bytes_re2(ftfy.chardata.ALTERED_UTF8_RE)
_LOSSY_UTF8 = _bytes_re2(ftfy.chardata.LOSSY_UTF8_RE)
_REPLACEMENT_CHARACTER = "\ufffd".encode()


class _AlteredUtf8:
    """What ftfy's encoding step asks of chardata.ALTERED_UTF8_RE (`search`), answered by RE2
    first: `re`'s own match where RE2 finds one, else None, as `re` would say. Anything else is
    asked of the pattern itself."""

    def search(self, data: bytes) -> re.Match[bytes] | None:
        return _FTFY_OWN[3].search(data) if _ALTERED_UTF8.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0 else None

    def __getattr__(self, name: str) -> Any:
        return getattr(_FTFY_OWN[3], name)


def replace_lossy_sequences(data: bytes) -> bytes:
    """Exactly ftfy's `replace_lossy_sequences(data)`: each match of LOSSY_UTF8_RE (none is
    empty), found by RE2, replaced by U+FFFD's bytes."""
    pieces: list[bytes] = []
    done, size, match = 0, len(data), _LOSSY_UTF8.Match
    while (span := match(_UNANCHORED, data, done, size)[0])[0] >= 0:
        pieces += (data[done:span[0]], _REPLACEMENT_CHARACTER)
        done = span[1]
    if not pieces:
        return data
    pieces.append(data[done:])
    return b"".join(pieces)


class _FastFtfy:
    """`with FAST_FTFY:` ftfy's steps call looks_bad as their detector, our
    remove_control_chars as that fixer, and RE2 for two regexes over bytes (_AlteredUtf8,
    replace_lossy_sequences); on leaving, ftfy's own again. Counted, so that threads
    cleaning at once restore them only when the last one leaves (a thread's ftfy calls give the
    same text with either)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0

    def __enter__(self) -> None:
        with self._lock:
            self._inside += 1
            if self._inside == 1:
                ftfy.FIXERS["remove_control_chars"] = remove_control_chars   # ftfy._try_fix
                if _WINDOWS_HOLD:
                    setattr(ftfy, "is_bad", looks_bad_again)         # ftfy._fix_encoding_one_step_and_explain
                    setattr(ftfy.fixes, "is_bad", looks_bad_again)   # ftfy.fixes.decode_inconsistent_utf8
                if _FTFY_BYTES_HOLD:   # both in ftfy._fix_encoding_one_step_and_explain
                    setattr(ftfy.chardata, "ALTERED_UTF8_RE", _AlteredUtf8())
                    setattr(ftfy.fixes, "replace_lossy_sequences", replace_lossy_sequences)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                setattr(ftfy, "is_bad", _FTFY_OWN[0])
                setattr(ftfy.fixes, "is_bad", _FTFY_OWN[1])
                ftfy.FIXERS["remove_control_chars"] = _FTFY_OWN[2]
                setattr(ftfy.chardata, "ALTERED_UTF8_RE", _FTFY_OWN[3])
                setattr(ftfy.fixes, "replace_lossy_sequences", _FTFY_OWN[4])


FAST_FTFY = _FastFtfy()


def fix_segment(segment: str) -> tuple[str, list[list[str]]]:
    """ftfy on a segment `needs_ftfy` flagged: the fixed text and ftfy's explanation."""
    with FAST_FTFY:
        result = ftfy.fix_and_explain(segment, FTFY_CONFIG)
    # ftfy must not create line breaks ("&#10;" would): line numbers index the report
    fixed = result.text.replace("\r", " ").replace("\n", " ")
    return fixed, [list(step) for step in result.explanation or []]
