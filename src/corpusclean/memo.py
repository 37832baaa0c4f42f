"""Answers remembered by text, for work repeated from page to page (a site's template lines
recur on every one of its pages), in bounded memory.

Texts longer than `max_chars` (paragraphs, which seldom recur) are not kept, and the memo
starts afresh once the texts it holds reach `capacity` characters: simpler than evicting one
by one, and a site's template is met again within a few pages. Lookups are the dict's own
`get` (`memo.found.get`), so a hit on a hot path costs one dictionary lookup; only a miss
calls `keep`.
"""
from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class TextMemo(Generic[Key, Value]):
    def __init__(self, capacity: int = 2_000_000, max_chars: int = 1_000):
        self.capacity = capacity
        self.max_chars = max_chars
        self.found: dict[Key, Value] = {}
        self._chars = 0

    def __len__(self) -> int:
        return len(self.found)

    def keep(self, key: Key, text: str, value: Value) -> Value:
        """Remember `value` under `key` (made from `text`) unless `text` is too long; `value`."""
        if len(text) <= self.max_chars:
            if self._chars + len(text) > self.capacity:
                self.found.clear()
                self._chars = 0
            self.found[key] = value
            self._chars += len(text)
        return value

    def answers(self: TextMemo[str, Value], texts: list[str], tell: Callable[[str], Value]) -> list[Value]:
        """`tell(text)` for each of `texts`, remembered by the text. A text longer than
        `max_chars` is told at once, not looked up: hashing a paragraph to miss costs more."""
        known, short, keep = self.found.get, self.max_chars, self.keep
        found = []
        for text in texts:
            if len(text) > short:
                found.append(tell(text))
                continue
            value = known(text)
            found.append(keep(text, text, tell(text)) if value is None else value)
        return found
