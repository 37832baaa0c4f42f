"""The Stage contract.

A stage looks at a Document's live lines and records removals with `doc.remove(...)`; it never
edits text. A stage that needs to see the whole corpus first (the dedup stage, the classifier's
"how often does this line recur" signal) overrides `observe` and `prepare`:

    pass 1, in workers:  observation = stage.observe(doc)        for every document
                         (the pipeline calls `observe_batch(docs)` on a chunk of them)
    then, in one process: stage.absorb(number, observation)    in sorted input order
                         (the pipeline calls `absorb_batch(numbers, observations)` on a chunk)
                         stage.prepare()                         once, after the last document
    pass 2, in workers:  stage.process(doc)                      with the prepared state
                         (the pipeline calls `prepare_batch(docs)` on a batch of documents
                         first: a warm-up, which `process` may use or not)

With one worker, everything runs in the one process, absorbing as pass 1 goes. With more, the
workers of pass 1 keep each chunk's observations in the run's spill folder and go on to pass 2
(they keep what they built); when pass 1 ends, one of them absorbs every chunk's observations
and prepares (the parent only coordinates, and never imports what that takes), leaves the
corpus-wide state, `stage.corpus_state()` pickled into the spill folder, and each worker takes
it with `use_corpus_state`. Each worker prepares the stages
with no corpus pass itself, and warms none (no other process would share what it builds: it
builds what its pages need, as one process does). A run with no corpus pass forks its workers
after the parent has prepared (and, with enough documents, warmed) every stage, so that they
share it.

A stage that drops whole documents from their text alone also overrides `screen`: pass 1 then
leaves the documents it will drop out of the later stages' observations.

Stages must be picklable and deterministic: the same document and prepared state give the
same removals whatever process runs them.

A stage also *declares* what the rest of corpusclean needs to know about it, so that adding one
is its module plus its line in `stages/registry.py`: its options (`Config`, a frozen dataclass,
and the click options that set it), the rule ids and categories its removals may carry, the
report fields it adds, and how a run's configuration builds it (`from_config`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

from ..model import Document

if TYPE_CHECKING:
    from ..config import RunConfig


@dataclass(frozen=True)
class RuleInfo:
    """A rule id a stage emits itself: what it means (the report's `reason`) and the
    categories its removals may carry, so `rules list`, `--disable` and `diff --category`
    know them without a run."""

    reason: str
    categories: tuple[str, ...]
    #: how `rules list` shows the categories; default: the list itself
    categories_label: str = ""

    def label(self) -> str:
        return self.categories_label or ", ".join(self.categories)


@dataclass(frozen=True)
class NoOptions:
    """The configuration of a stage that has no options."""


class Stage:
    name: str = "stage"
    #: the command-line group this stage belongs to: "strip" or "dedup"
    step: str = ""
    #: the stage's options: a frozen dataclass. Its field names are the stage's keyword options
    #: (`corpusclean.run(..., lang="en")`), the keys of its `[name]` table in a --config file,
    #: and the destinations of `cli_options`; they must be unique across stages
    Config: ClassVar[type[Any]] = NoOptions
    #: click option decorators that set `Config`'s fields on the command line
    cli_options: ClassVar[tuple[Callable[..., Any], ...]] = ()
    #: every rule id the stage itself may emit (the rule packs' ids are the rulebook's)
    rules: ClassVar[Mapping[str, RuleInfo]] = {}
    #: `--disable` names starting with this prefix are this stage's to check and honour
    #: (`heuristic.` for the classifier); None: the stage takes no --disable names of its own
    disable_prefix: ClassVar[str | None] = None
    #: keys of `doc.meta.fields` the stage sets, which go into the document's report as they are
    report_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_config(cls, config: Any, run: "RunConfig") -> "Stage | None":
        """The stage as a run configures it (`config` is its own `Config`), or None when the
        configuration leaves it out. Raises ValueError (or RuleError) for a bad setting."""
        return cls()

    def observe(self, doc: Document) -> Any:
        """Per-document data for the corpus pass. None means the stage needs no corpus pass."""
        return None

    # The batch's type is the stage's own (a list, or a compact type such as dedup's
    # PageFingerprints); the pipeline only carries it from one to the other, hence Any.
    def observe_batch(self, docs: list[Document]) -> Any:
        """`observe` for consecutive documents: one observation per document, in order.

        The pipeline's corpus pass calls this on a chunk of documents at a time and hands the
        result to `absorb_batch` (in the process that builds the corpus state). A stage whose work vectorises over many
        documents overrides it and may return a compact sequence type that pickles cheaply;
        the result must equal `[self.observe(doc) for doc in docs]` item by item."""
        return [self.observe(doc) for doc in docs]

    @property
    def needs_corpus(self) -> bool:
        return type(self).observe is not Stage.observe

    def screen(self, doc: Document) -> bool:
        """In the corpus pass: will this stage drop the whole document in the removal pass?

        Only a stage that decides that from the encoding-fixed text alone overrides it (the
        language stage with `--lang`). The corpus pass leaves a document it screens out of the
        observations of every later stage, so a dropped page is nobody's kept copy: `run`
        then agrees with running the stages one command at a time, where the later command
        never sees the dropped page."""
        return False

    @property
    def screens(self) -> bool:
        return type(self).screen is not Stage.screen

    def absorb(self, number: int, observation: Any) -> None:
        """Take one document's observation, in input order (document numbers count from 0)."""

    def absorb_batch(self, numbers: Sequence[int], observations: Any) -> None:
        """`absorb` for consecutive documents: `observations` as `observe_batch` returned them,
        `numbers` increasing. A stage whose `observe_batch` returns a compact sequence
        overrides this to take it whole instead of one document at a time."""
        for number, observation in zip(numbers, observations):
            self.absorb(number, observation)

    def prepare(self) -> None:
        """Called once before documents are processed: finish the corpus-wide state (after
        every observation was absorbed, in the process that absorbed them), or load what the
        stage needs (language profiles, say: in the parent before workers fork, so that they
        share it instead of each loading its own, or in each worker of a run with a corpus
        pass)."""

    def corpus_state(self) -> Any:
        """After `prepare`, in the process that built it: what `process` needs of the corpus,
        for workers started before the corpus pass ended (`use_corpus_state` takes it there). Pickled once
        for all of them, so a stage hands over its finished state rather than itself; by
        default the whole prepared stage."""
        return self

    def use_corpus_state(self, state: Any) -> "Stage":
        """In a worker: the stage to clean with, given what `corpus_state` returned where the
        state was built (by default that stage itself, replacing this one)."""
        return state  # type: ignore[no-any-return]  # the default corpus_state is a Stage

    def get_ready(self) -> None:
        """In a process about to run `process` (after `prepare`, or `use_corpus_state`): import
        the code it runs and build what every page needs, whatever the page (the rules' gate,
        the classifier's vocabulary), so that the process freezes them with the rest of what it
        built (`gc.freeze`, pipeline._collect_for_a_run) before its first page. A worker of a
        run on several workers does this after it forks, when it has no document left to
        observe or before its first document of the removal pass; the process that only
        coordinates never does (a stage's module declares it and holds its corpus state, and
        imports its page code here or on first use). Idempotent; what fails here fails again
        where it is needed, for each document that needs it."""

    def warm(self) -> None:
        """Build now what `process` would build on its first documents (patterns compiled on
        first use, say), in the parent before worker processes fork (a run with no corpus
        pass), so that they share one copy instead of each building its own. Called only with
        at least `pipeline.WARM_FROM` documents a worker (one process, or a worker with a few
        pages, builds only what its own documents need); the workers of a run with a corpus
        pass, forked before the stages are ready, build on first use too (warming each of them
        cost more than it built for its pages). It must not depend on the corpus state, and
        what it builds must not change any removal."""

    def prepare_batch(self, docs: Sequence[Document]) -> None:
        """Called before `process` on each of `docs`, consecutive documents of the removal pass
        (`pipeline.process_batch`), with nothing done to them in between: a stage whose work
        per call pays to share among pages may do it here for all of them at once, to be taken
        up by `process`. A warm-up only: each document's removals must be what `process`
        gives it without this call (cleaning a document alone does not make it), and what
        this call does must stay cheap and bounded (it counts towards no document's
        --doc-timeout). What fails here is not any document's failure: the pipeline goes on
        (with a warning), and `process` meets the problem again for the document that has it."""

    def process(self, doc: Document) -> None:
        raise NotImplementedError

    def fresh(self) -> "Stage":
        """This stage for a new corpus: no corpus state, sharing what was built once (rule
        packs, language profiles, MinHash permutations). `corpusclean.Cleaner` cleans each
        document as a corpus of its own with it. A stage without corpus state is its own."""
        return self

    def settings(self) -> dict[str, Any]:
        """The settings this stage ran with, recorded in the run summary."""
        return {}
