"""Dataclasses made from code compiled by an earlier run.

`@dataclass` writes the source of each class's methods (`__init__`, `__repr__`, `__eq__`, a
frozen class's `__setattr__` and `__delattr__`, ...) and compiles it as the class is made: 189
functions in the modules the parent of a run imports, 0.04 CPU-s of its 0.5-0.6 at every start
(alone on the cores, before its workers fork: the parent's share of a 2-worker run, and the
fixed cost of every run), and a few more in each worker as it gets ready for its pages
(the cache of a 2-worker run of the bench corpus holds 199).

Inside `dataclass_code()`, each such source is compiled once and its code kept in the start-up
cache (cache.py, which says which code made what it holds), keyed by the source itself: a class
made later from the same source gets the same code object and so the same methods, defined as
`dataclasses` defines them. How: `dataclasses` runs each source with the built-in `exec`,
looked up by name in its own module; inside the block that name is `_exec` below. A Python whose
`dataclasses` makes its methods some other way makes them as usual (and this saves nothing).
"""
from __future__ import annotations

import builtins
import dataclasses
import marshal
import sys
from contextlib import contextmanager
from types import CodeType
from typing import Any, Iterator

from .cache import read, write

#: the cache's kind for the compiled methods (cache.py)
KIND = "dataclass-code"


@contextmanager
def dataclass_code() -> Iterator[None]:
    """Dataclasses made inside the block compile each method's source once, ever (see the
    module's docstring); what was compiled here for the first time is added to the cache when
    the block ends. Nested blocks, and blocks on other threads meanwhile, are the outer one's."""
    if "exec" in vars(dataclasses):  # a block already on: its sources are kept by it
        yield
        return
    key = _key()
    known: dict[str, bytes] = _stored(key)
    compiled: dict[str, CodeType] = {}  # this block's sources, compiled here

    def _exec(source: Any, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None) -> None:
        if type(source) is str:
            code = compiled.get(source) or _loaded(known.get(source))
            if code is None:  # what exec(source) compiles, called from a module without __future__ imports
                code = compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        builtins.exec(source, globals, locals)

    dataclasses.exec = _exec  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del dataclasses.exec  # type: ignore[attr-defined]
        if compiled:
            # another process may have added its own since this one read them: keep both
            write(KIND, key, {**_stored(key), **{source: marshal.dumps(code) for source, code in compiled.items()}})


def _key() -> str:
    """What compiled code depends on besides the source: the bytecode's version (in the cache's
    code version too), and the optimisation level, which decides what compiling keeps."""
    return f"{sys.version}\0{sys.flags.optimize}"


def _loaded(kept: bytes | None) -> CodeType | None:
    """The code kept for a source, or None: none kept, or what was kept is not code (a file
    damaged inside a whole pickle), which is then compiled again and replaced."""
    try:
        code = marshal.loads(kept) if kept is not None else None
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _stored(key: str) -> dict[str, bytes]:
    stored = read(KIND, key, {})
    return stored if isinstance(stored, dict) else {}
