"""One document at a time, from Python: `clean(text)` and `Cleaner(...)`.

    from corpusclean import Cleaner
    cleaner = Cleaner(lang="en")              # rule packs compiled once
    cleaned = cleaner(page_html, kind="html")
    cleaned.text, cleaned.report, cleaned.removals

Every per-document stage runs: fix (and HTML extraction), rules, language, classifier, and the
dedup stage's within-page repeats. Each document is cleaned as a corpus of its own, so the
result is exactly what `corpusclean run` writes for a folder holding only that document. What
needs a corpus (template lines recurring across pages, paragraphs first seen in another page,
near-duplicate pages, the classifier's recurrence counts) is not done: use `corpusclean.run`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from .config import RunConfig
from .errors import InputError, UsageError
from .model import Removal
from .pipeline import build_document, clean_document
from .readers.base import Payload, looks_like_html
from .report import failure_report
from .rulepacks import RuleError
from .stages.base import Stage
from .stages.registry import build_stages

Kind = Literal["text", "html", "auto"]
KINDS = ("text", "html", "auto")


@dataclass(frozen=True)
class Cleaned:
    """One cleaned document."""

    #: the clean text; "" when the document failed or a stage dropped it (see `status`)
    text: str
    #: the document's report: the same dict `corpusclean run` writes to NAME.report.json
    report: dict[str, Any]
    #: what was removed, in text order (also in `report["removals"]`, as JSON)
    removals: tuple[Removal, ...]
    #: HTML: what the page says about itself, where it does (title, author, date, url)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """"ok", "dropped" (`report["dropped"]` says why) or "failed" (`report["error"]`)."""
        return str(self.report["status"])


class Cleaner:
    """The per-document stages, configured and built once, callable on many documents.

    Options are those of `corpusclean run` (see `RunConfig.build`): `lang`, `disable`,
    `classifier`, `keep_page_repeats`, `page_repeat_min_count`, ...; `rules` is a folder of
    extra rule packs (or several). A Cleaner pickles as its configuration and is rebuilt on
    the other side, so `datasets.Dataset.map(cleaner, num_proc=N)` and multiprocessing work.
    A Cleaner is not thread-safe: give each thread its own.
    """

    def __init__(self, *, kind: Kind = "auto", lang: str | Iterable[str] | None = None,
                 rules: str | Iterable[str] = (), disable: Iterable[str] = (), **options: Any):
        if kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind = kind
        rule_dirs = (rules,) if isinstance(rules, str) else tuple(str(folder) for folder in rules)
        try:
            self.config = RunConfig.build("run", lang=lang, rule_dirs=rule_dirs, disable=tuple(disable),
                                          workers=1, **options)
            self._setup()
        except (ValueError, TypeError, RuleError) as err:
            raise UsageError(str(err)) from None

    def _setup(self) -> None:
        self._stages: list[Stage] = build_stages(self.config)
        for stage in self._stages:
            if not stage.needs_corpus:
                stage.prepare()
            stage.get_ready()  # the page code imported and what every page needs built, once

    def __getstate__(self) -> dict[str, Any]:
        # the configuration, not the built stages: small to send, and whatever a stage holds
        # (compiled patterns, language profiles) is rebuilt on the other side
        return {"kind": self.kind, "config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.kind, self.config = state["kind"], state["config"]
        self._setup()

    def __call__(self, document: str | bytes, *, kind: Kind | None = None, name: str = "document") -> Cleaned:
        """Clean one document: text or HTML, as str or as bytes (decoded as `corpusclean run`
        decodes a file). `kind` overrides the Cleaner's; "auto" reads a document that starts
        like an HTML page as HTML. Bad input is not raised: the result's status is "failed"."""
        kind = kind or self.kind
        if kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if kind == "auto":
            kind = "html" if looks_like_html(document) else "text"
        try:
            doc = build_document(name, Payload(kind=kind, content=document), page_metadata=True)
            doc.meta.number = 0
            stages = [stage.fresh() if stage.needs_corpus else stage for stage in self._stages]
            for stage in stages:
                if stage.needs_corpus:  # the corpus pass, over a corpus of this one document
                    stage.absorb_batch([0], stage.observe_batch([doc]))
                    stage.prepare()
            clean, report = clean_document(doc, stages, self.config.steps)
        except InputError as err:
            return Cleaned("", failure_report(name, str(err), {"kind": kind}), ())
        return Cleaned(clean or "", report, tuple(doc.iter_removals()), dict(doc.meta.page))


def clean(document: str | bytes, *, kind: Kind = "auto", lang: str | Iterable[str] | None = None,
          rules: str | Iterable[str] = (), disable: Iterable[str] = (), name: str = "document",
          **options: Any) -> Cleaned:
    """Clean one document with every per-document stage (fix, HTML extraction, rules,
    language, classifier, within-page repeats); corpus-level dedup needs a corpus and is not
    run (use `corpusclean.run`). Builds the stages each call: for many documents, build a
    `Cleaner` once and call it."""
    return Cleaner(kind=kind, lang=lang, rules=rules, disable=disable, **options)(document, name=name)
