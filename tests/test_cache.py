"""The start-up cache: rule packs loaded once by this code are not translated again.

What it must show: a result comes back from the file without being built again; anything wrong
with the file (corrupt, from other code, unwritable folder) only means building it again; caching
can be switched off; and a rulebook loaded from the cache cleans exactly as one loaded fresh.
"""
from __future__ import annotations

import os
import pickle
import re
import time
from pathlib import Path

import pytest

from corpusclean import cache
from corpusclean.model import Document
from corpusclean.patterns.matcher import matcher, translate_all
from corpusclean.rulebook import RuleError, load_rulebook, parse_pack
from corpusclean.stages.rules import check_rules, gate_for, scan


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    return where


def fail() -> object:
    raise AssertionError("built again although it was cached")


def test_a_result_is_built_once_then_read_back(folder: Path):
    assert cache.cached("pack", "key", lambda: ["built"]) == ["built"]
    assert cache.cached("pack", "key", fail) == ["built"]
    [stored] = folder.glob("pack-*.pickle")
    assert cache.code_version()[:12] in stored.name


def test_another_key_is_another_result(folder: Path):
    cache.cached("pack", "one", lambda: 1)
    assert cache.cached("pack", "two", lambda: 2) == 2
    assert cache.cached("gate", "one", lambda: 3) == 3   # kinds do not share entries


def test_a_corrupt_file_is_built_again_and_replaced(folder: Path):
    cache.cached("pack", "key", lambda: "first")
    [stored] = folder.glob("pack-*.pickle")
    stored.write_bytes(b"\x80\x05not a pickle")
    assert cache.cached("pack", "key", lambda: "again") == "again"
    assert cache.cached("pack", "key", fail) == "again"


def test_a_file_made_for_another_key_is_not_taken(folder: Path):
    cache.cached("pack", "key", lambda: "mine")
    [stored] = folder.glob("pack-*.pickle")
    stored.write_bytes(pickle.dumps(("some other digest", "theirs")))
    assert cache.cached("pack", "key", lambda: "mine") == "mine"


def test_a_folder_that_cannot_be_written_only_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(blocked / "cache"))
    assert cache.cached("pack", "key", lambda: "built") == "built"
    assert cache.cached("pack", "key", lambda: "built again") == "built again"
    assert list(tmp_path.iterdir()) == [blocked]     # no temporary file left behind


def test_an_empty_setting_switches_caching_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(cache.ENV, "")
    assert cache.cache_dir() is None
    assert cache.cached("pack", "key", lambda: 1) == 1
    assert cache.cached("pack", "key", lambda: 2) == 2


def test_old_files_go_when_a_new_one_is_written_and_another_version_s_stay(folder: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    folder.mkdir()
    stale = folder / "pack-000000000000-0123.pickle"
    stale.write_bytes(b"left by a corpusclean nobody ran for two months")
    os.utime(stale, (time.time() - 60 * 86400,) * 2)
    other = folder / "pack-111111111111-0123.pickle"
    other.write_bytes(b"another installation's, in use")   # two venvs share one home
    cache.cached("pack", "key", lambda: 1)
    assert not stale.exists() and other.exists()
    monkeypatch.setattr(cache, "KEEP", 2)
    for key in ("a", "b", "c"):
        cache.cached("pack", key, lambda: 1)
    assert len(list(folder.glob("pack-*.pickle"))) == 2


def written_hours_ago(folder: Path, kind: str, hours: float) -> Path:
    """The file of `kind` written last, made to look written `hours` ago."""
    newest = max(folder.glob(f"{kind}-*.pickle"), key=lambda path: path.stat().st_mtime)
    os.utime(newest, (time.time() - hours * 3600,) * 2)
    return newest


def test_the_least_recently_used_files_go_past_the_byte_budget_whatever_their_kind(folder: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache, "BUDGET", 25_000)
    cache.cached("profiles", "written", lambda: b"x" * 10_000)
    written_hours_ago(folder, "profiles", 5)
    cache.cached("pack", "read", lambda: b"x" * 10_000)
    written_hours_ago(folder, "pack", 6)
    assert cache.cached("pack", "read", fail)           # read by a run: used now, though written earlier
    cache.cached("stopword-vote", "new", lambda: b"x" * 10_000)   # 30 kB of files: one goes
    assert cache.cached("pack", "read", fail) and cache.cached("stopword-vote", "new", fail)
    assert cache.cached("profiles", "written", lambda: b"built again") == b"built again"


def test_the_file_just_written_stays_even_past_the_budget(folder: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache, "BUDGET", 25_000)
    cache.cached("stopword-vote", "big", lambda: b"x" * 30_000)
    assert cache.cached("stopword-vote", "big", fail)


def test_a_file_read_again_soon_is_only_read(folder: Path):
    # a run reads a dozen files: marking each used costs an fstat, and a write at most once an hour
    cache.cached("pack", "key", lambda: 1)
    stored = written_hours_ago(folder, "pack", 0.25)
    before = stored.stat().st_mtime
    assert cache.cached("pack", "key", fail) == 1
    assert stored.stat().st_mtime == before
    os.utime(stored, (time.time() - 2 * cache.USED_EVERY,) * 2)
    assert cache.cached("pack", "key", fail) == 1
    assert stored.stat().st_mtime > time.time() - 60


def test_a_pack_that_fails_is_not_cached(folder: Path):
    bad = ('category = "navigation"\n[[rule]]\nid = "navigation.x"\ndescription = "x"\npatterns = ["("]\n'
           'examples = ["x"]\ncounter_examples = ["y"]\n')
    for _ in range(2):   # the second time says it again: nothing was kept
        with pytest.raises(RuleError, match="bad regex"):
            parse_pack(bad, "bad.toml")
    assert not folder.exists() or not list(folder.glob("pack-*.pickle"))


def test_the_rulebook_from_the_cache_cleans_as_a_fresh_one(folder: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(cache.ENV, "")
    fresh = load_rulebook().rules
    monkeypatch.setenv(cache.ENV, str(folder))
    load_rulebook()                                  # writes the files
    from_files = load_rulebook().rules               # reads them
    assert [rule.id for rule in from_files] == [rule.id for rule in fresh]
    assert all(a.patterns is not b.patterns for a, b in zip(fresh, from_files))
    assert check_rules(from_files) == []             # every example, the gate, every field whole
    page = "\n".join(example for rule in fresh for example in rule.examples + rule.counter_examples)
    page += "\nКомментарии закрыты\nCommentaires fermés — 日本語のニュース\n"
    removed = []
    for rules in (fresh, from_files):
        doc = Document("page", page)
        scan(doc, rules, "rules", gate_for(rules))
        removed.append([(r.line_start, r.line_end, r.rule) for r in doc.removals])
    assert removed[0] == removed[1] and removed[0]


def test_the_keyword_gate_from_the_cache_admits_what_a_fresh_one_does(folder: Path, monkeypatch: pytest.MonkeyPatch):
    """The gate, its Aho-Corasick automata included, is kept whole: a run unpickles it in about
    half the CPU that building it from the expanded literals takes."""
    from corpusclean.patterns.gate import Gate
    from corpusclean.stages import rules as rules_stage

    rules = load_rulebook().rules
    rules_stage._gate.cache_clear()
    built = gate_for(rules)                          # built, and written to the cache
    rules_stage._gate.cache_clear()                  # as a new process would find it
    monkeypatch.setattr(Gate, "__init__", lambda *args: fail())
    read = gate_for(rules)                           # read back
    assert read is not built
    lines = [line for rule in rules for text in rule.examples + rule.counter_examples for line in text.splitlines()]
    lines += ["Комментарии закрыты", "Commentaires fermés — 日本語のニュース", "ſHARE on İnstagram", "x" * 2000]
    assert [read.candidates(line) for line in lines] == [built.candidates(line) for line in lines]
    assert sum(map(bool, (built.candidates(line) for line in lines))) > len(rules)
    rules_stage._gate.cache_clear()                  # leave no gate of this cache folder to other tests


def test_a_matcher_pickles_as_its_compiled_sources_and_matches_the_same():
    pattern = r"\bnews(letter)?\b"
    original = matcher([pattern], re.IGNORECASE, translate_all([pattern], re.IGNORECASE))
    copy = pickle.loads(pickle.dumps(original))
    assert copy.tree is None and copy.sources == original.sources
    for line in ("Newsletter", "übernews", "NEWS İN", "новости news", "newsy", "café news"):
        assert copy.search(line) == original.search(line) == bool(re.search(pattern, line, re.IGNORECASE))


def test_when_the_code_cannot_be_read_nothing_is_cached(folder: Path, monkeypatch: pytest.MonkeyPatch):
    def unreadable() -> str:
        raise PermissionError("a module of the package cannot be read")
    monkeypatch.setattr(cache, "code_version", unreadable)
    assert cache.cached("pack", "key", lambda: 1) == 1
    assert cache.cached("pack", "key", lambda: 2) == 2
    assert not folder.exists()


def test_a_text_run_that_finds_the_cache_filled_imports_no_toml_metadata_or_html_module(tmp_path: Path):
    # TOML (the packs are parsed only on a miss), importlib.metadata (the summary's versions
    # come from the cache: report._installed), numpy.random (dedup's MinHash draws come from
    # the cache: fingerprint._drawn) and HTML extraction (trafilatura, lxml) each cost every
    # process that imports them; a run on text with the cache filled needs none of them
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text("A page of text.\n\nShare on Facebook\n", encoding="utf-8")
    code = ("import sys; from corpusclean.cli import cli\n"
            "try: cli(['run', sys.argv[1], sys.argv[2], '-q', '-w', '1'])\n"
            "except SystemExit as done: assert not done.code, done.code\n"
            "print(' '.join(sorted(m for m in ('tomllib', 'tomli', 'importlib.metadata', 'numpy.random', 'trafilatura', 'lxml')"
            " if m in sys.modules)))")
    environment = {**os.environ, cache.ENV: str(tmp_path / "cache")}
    imported = [subprocess.run([sys.executable, "-c", code, str(tmp_path / "in"), str(tmp_path / f"out{i}")],
                               capture_output=True, text=True, check=True, env=environment).stdout.split()
                for i in range(2)]
    assert "tomllib" in imported[0] or "tomli" in imported[0]   # the first run fills the cache
    assert imported[1] == []
