"""Dataclasses made from cached code: the same classes, only made faster.

What it must show: a dataclass made inside `dataclass_code()` from code an earlier block kept
behaves, and is built, exactly as one `@dataclass` compiles itself (the same code for every
generated method); the block leaves `dataclasses` as it found it, even when it fails; a cache that
is off, corrupt or unwritable only means compiling as usual.
"""
from __future__ import annotations

import dataclasses
import marshal
import pickle
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from corpusclean import cache
from corpusclean.dataclass_code import KIND, _key, dataclass_code


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    return where


def make_classes() -> list[type]:
    """Fresh classes of the kinds the package declares: plain, frozen, with defaults and
    factories, ordered, with slots."""

    @dataclasses.dataclass
    class Plain:
        name: str
        count: int = 0
        tags: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        limit: float = 1.5
        words: tuple[str, ...] = ("a", "b")

    @dataclasses.dataclass(order=True, slots=True)
    class Ordered:
        first: int
        second: str = "x"

    return [Plain, Frozen, Ordered]


def methods(cls: type) -> dict[str, Any]:
    """Each generated method's code and annotations, to compare classes made two ways."""
    found = {}
    for name, value in vars(cls).items():
        code = getattr(value, "__code__", None)
        if code is not None:
            found[name] = (code.co_code, code.co_consts, code.co_names, code.co_varnames,
                           code.co_flags, value.__annotations__, value.__defaults__, value.__kwdefaults__)
    return found


def test_classes_from_cached_code_are_the_classes_dataclass_makes(folder: Path):
    compiled_as_usual = make_classes()
    with dataclass_code():      # first time: compiled here, then kept
        first = make_classes()
    [stored] = folder.glob(f"{KIND}-*.pickle")
    with dataclass_code():      # then: made from the kept code
        again = make_classes()
    for usual, cold, warm in zip(compiled_as_usual, first, again):
        assert methods(usual) == methods(cold) == methods(warm)
        assert methods(usual)    # the comparison compared something
    plain, frozen, ordered = again
    assert plain("a") == plain("a", 0, []) and repr(plain("a")).endswith("Plain(name='a', count=0, tags=[])")
    assert plain("a").tags is not plain("a").tags
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen().limit = 2.0
    assert hash(frozen()) == hash(frozen(1.5, ("a", "b")))
    assert sorted([ordered(2), ordered(1, "y")]) == [ordered(1, "y"), ordered(2)]
    assert stored.stat().st_size > 0


def test_the_cache_keeps_what_every_block_compiled(folder: Path):
    with dataclass_code():
        make_classes()
    [stored] = folder.glob(f"{KIND}-*.pickle")
    before = pickle.loads(stored.read_bytes())[1]

    with dataclass_code():
        @dataclasses.dataclass
        class Another:
            other_field: bytes = b""
    after = pickle.loads(stored.read_bytes())[1]
    assert set(before) < set(after)              # added to, not replaced
    assert any("other_field" in source for source in set(after) - set(before))


def test_the_block_leaves_dataclasses_as_it_found_it(folder: Path):
    with pytest.raises(ZeroDivisionError):
        with dataclass_code():
            with dataclass_code():               # nested: the outer block's
                assert "exec" in vars(dataclasses)
            assert "exec" in vars(dataclasses)
            1 / 0
    assert "exec" not in vars(dataclasses)       # the built-in again


@pytest.mark.parametrize("state", ["off", "corrupt", "damaged entries", "unwritable"])
def test_a_cache_that_cannot_help_only_means_compiling(state: str, folder: Path, monkeypatch: pytest.MonkeyPatch):
    if state == "off":
        monkeypatch.setenv(cache.ENV, "")
    elif state == "corrupt":
        with dataclass_code():
            make_classes()
        [stored] = folder.glob(f"{KIND}-*.pickle")
        stored.write_bytes(b"\x80\x05not a pickle")
    elif state == "damaged entries":     # a whole file whose kept code is not code
        with dataclass_code():
            make_classes()
        sources = cache.read(KIND, _key(), {})
        cache.write(KIND, _key(), {source: b"\x00not code" for source in sources})
    else:
        folder.parent.mkdir(exist_ok=True)
        folder.write_text("a file where the cache folder should be")
    with dataclass_code():
        made = make_classes()
    assert [methods(cls) for cls in made] == [methods(cls) for cls in make_classes()]
    if state == "damaged entries":       # compiled again, and kept in their place
        assert all(isinstance(marshal.loads(kept), CodeType) for kept in cache.read(KIND, _key(), {}).values())
