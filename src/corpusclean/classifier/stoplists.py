"""Stopword lists per language, read from the files jusText ships.

Stopword density (the share of a line's words that are function words: "the", "of", "und",
"que") is the best single sign that a line is running prose rather than a menu entry or a
list of tags. jusText ships hand-checked lists for about a hundred languages. We read its text
files directly instead of importing `justext`, because importing it pulls in lxml's HTML
cleaner (a separate package in recent lxml) that we never use.

Languages are named by langdetect's codes ("en", "de", "zh-cn"); langdetect knows a few
languages jusText has no list for (Chinese, Japanese, Thai, Somali) and those get `None`: the
classifier then leans on its language-independent signals.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

#: langdetect code -> jusText stoplist name
JUSTEXT_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pa": "Western_Panjabi",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese",
}


#: Chinese and Japanese write no spaces, so there are no "words" to look up. Their function
#: characters play the stopwords' part: particles and auxiliaries (の に は を が で / 的 了 是 在),
#: pronouns and conjunctions. Prose has one in four or five characters among these; menus and
#: headlines have few. Simplified and traditional forms are both listed.
CJK_STOP_CHARACTERS = frozenset(
    "的了是在我有和就不人都一這这也很到說说要去你會会著着沒没看好自己那他們们為为與与及之而其或但被"
    "把從从對对以中上下個个所得可能還还再又更最如果因此已經经於于將将地她它些什麼么"
    "のにはをたがでてとしれさもなかるいうよりからまでこそやへねだっ"
)


def stoplist_directory() -> Path | None:
    """Where jusText keeps its lists, found without importing the package."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "stoplists"
        if folder.is_dir():
            return folder
    return None


class Stoplists:
    """Loads each language's list on first use and keeps it; one instance per stage, so there is
    no module-level cache and a forked worker reuses what the parent already read."""

    def __init__(self, directory: Path | None = None):
        self._directory = directory
        self._located = directory is not None
        self._loaded: dict[str, frozenset[str] | None] = {}

    def get(self, code: str | None) -> frozenset[str] | None:
        """The stopwords of a langdetect language code, lower-cased; None when there is no list."""
        if not code or code == "unknown":
            return None
        if code not in self._loaded:
            self._loaded[code] = self._read(JUSTEXT_NAMES.get(code))
        return self._loaded[code]

    def _read(self, name: str | None) -> frozenset[str] | None:
        if name is None:
            return None
        if not self._located:
            self._directory, self._located = stoplist_directory(), True
        if self._directory is None:
            return None
        path = self._directory / f"{name}.txt"
        if not path.is_file():
            return None
        words = path.read_text(encoding="utf-8").split()
        return frozenset(word.casefold() for word in words)
