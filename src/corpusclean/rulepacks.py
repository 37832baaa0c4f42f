"""The rule packs a run uses, read but not parsed (rulebook.py parses them, with the pattern
engine): what the process that only checks them and records their settings needs (the main
process of a run on several workers, whose workers scan pages).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .rulebook import Rulebook


class RuleError(Exception):
    """A rule pack is invalid, or --rules/--disable named something that does not exist."""


def shipped_packs() -> list[tuple[str, str]]:
    """(name, TOML text) of every pack that ships with corpusclean, in file-name order.

    The packs are files in the package's folder in every installation (as the modules are for
    cache.code_version): read as files, not through importlib.resources, whose import (and
    zipfile's) cost every process that loads the packs 3 ms."""
    folder = Path(__file__).resolve().parent / "rules"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    return [(f"rules/{e.name}", e.read_text(encoding="utf-8")) for e in entries]


def user_packs(folder: str | Path) -> list[tuple[str, str]]:
    path = Path(folder)
    if not path.is_dir():
        raise RuleError(f"--rules {folder}: not a folder")
    files = sorted(path.glob("*.toml"))
    if not files:
        raise RuleError(f"--rules {folder}: no *.toml rule packs in it")
    packs = []
    for file in files:
        try:
            packs.append((str(file), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as err:
            raise RuleError(f"{file}: cannot read it ({err})") from None
    return packs


def read_packs(extra_dirs: Iterable[str | Path] = (), disabled: Iterable[str] = (),
               known_elsewhere: Iterable[str] = ()) -> "RulePacks":
    """The packs `load_rulebook` loads, read (a folder that is not one, or holds no pack, is
    a RuleError) but not parsed."""
    layers, sources = [tuple(shipped_packs())], ["rules/"]
    for folder in extra_dirs:
        layers.append(tuple(user_packs(folder)))
        sources.append(str(folder))
    return RulePacks(tuple(layers), tuple(sources), tuple(disabled), tuple(sorted(known_elsewhere)))


@dataclass(frozen=True)
class RulePacks:
    """The rule packs of a run, read but not parsed, and the names `--disable` switches off:
    what its Rulebook is made of (`load`).

    Parsing packs needs the pattern engine, which only a process that scans pages uses: the
    main process of a run on several workers checks the packs and records their settings
    (`settings`) from the start-up cache when the same packs, with the same names switched
    off, loaded before (a pack that fails to load is never cached, so it fails again here)."""

    #: per layer (the shipped packs, then each --rules folder in order), its packs: (name, TOML text)
    layers: tuple[tuple[tuple[str, str], ...], ...]
    #: where each layer came from, for the run summary
    sources: tuple[str, ...]
    disabled: tuple[str, ...] = ()
    #: categories other stages emit, which a disabled name may be too (sorted)
    known_elsewhere: tuple[str, ...] = ()

    def load(self) -> "Rulebook":
        """The rules of every layer (an id a later layer defines again is replaced where it
        stood), minus the disabled ones. RuleError names a pack's problem or an unknown name."""
        from .rulebook import load_packs  # the parsing, and the pattern engine it imports

        return load_packs(self)

    def settings(self) -> dict[str, Any]:
        """`self.load().settings()`: from the start-up cache when these packs loaded before
        (about 10 ms of the parent's CPU, and the pattern engine's imports, saved), else
        loaded, which raises RuleError for a bad pack or name."""
        from .cache import cached

        return cached("rulebook-settings", repr(self), lambda: self.load().settings())
