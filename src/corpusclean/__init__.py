"""corpusclean: turn scraped web text into a clean corpus, with every removal explained.

    import corpusclean
    cleaned = corpusclean.clean(page)                          # one document: .text, .report
    summary = corpusclean.run("pages/", "clean/", lang="en")   # what `corpusclean run` does
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: the public names, and the module each comes from. They are imported when first used, not
#: with the package: the command line imports only the modules its process needs (the parent
#: of a run on several workers never imports the stages' modules: pipeline.run_corpus)
_EXPORTS = {"run": "api", "clean": "cleaner", "Cleaner": "cleaner", "Cleaned": "cleaner", "RunConfig": "config",
            "InputError": "errors", "UsageError": "errors", "Document": "model", "DocumentMeta": "model",
            "Removal": "model", "Summary": "report"}

if TYPE_CHECKING:
    from .api import run
    from .cleaner import Cleaned, Cleaner, clean
    from .config import RunConfig
    from .errors import InputError, UsageError
    from .model import Document, DocumentMeta, Removal
    from .report import Summary


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'corpusclean' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = ["__version__", "clean", "Cleaner", "Cleaned", "run", "RunConfig", "Summary",
           "Document", "DocumentMeta", "Removal", "InputError", "UsageError"]
