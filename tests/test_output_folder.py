"""What a run does to its OUT: one run at a time, nothing stale from an earlier run or a
killed one, an interrupted run finished with --resume as if it had never stopped, OUT
filling up stopping the run with a clear message, and no output name taking another's place.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import time
from pathlib import Path

import pytest

import corpusclean.pipeline as pipeline
import corpusclean.writers.directory as directory
from corpusclean.writers.claim import RUN_FILE
from conftest import read_report, read_summary, run_cli, tree_bytes, write_tree

GOOD = "A headline\n\nThe council voted on Tuesday to extend the programme until next spring.\n"
SIGNUP = "Sign up for our newsletter\n"


def corpus(root: Path, pages: int = 8) -> Path:
    """Pages that share a sign-up line, so the dedup stage's corpus pass matters."""
    return write_tree(root, {f"s{n % 2}/p{n}.txt": SIGNUP + GOOD.replace("council", f"council {n}")
                             for n in range(pages)})


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of OUT but the summary (which may count a run's parts differently)."""
    return {name: data for name, data in tree_bytes(out).items() if name != "corpusclean-summary.json"}


class Crash(BaseException):
    """Stands in for the process dying mid-run."""


def interrupted_run(source: Path, out: Path, at: str) -> None:
    """`corpusclean run` that dies (as if killed) when it reaches the batch of documents
    (of four, `pipeline.CLEAN_BATCH`) that holds document `at`."""
    real = pipeline.process_batch

    def dies(job, batch):
        if any(source.name == at for _, source in batch):
            raise Crash
        return real(job, batch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "CLEAN_BATCH", 4)
        patch.setattr(pipeline, "process_batch", dies)
        with pytest.raises(Crash):
            run_cli("run", str(source), str(out), "-w", "1", "-q")


# -- one run at a time -------------------------------------------------------------------------

def test_a_second_run_into_the_same_out_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = {"pid": 4242, "host": "crawler-7", "started": "2026-11-30 05:00:00 UTC"}
    with open(out / RUN_FILE, "w") as handle:  # another run holds OUT
        handle.write(json.dumps(holder))
        handle.flush()
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run_cli("fix", str(corpus(tmp_path / "in")), str(out))
    assert result.exit_code == 1
    assert ("OUT (" + str(out) + ") is being written by another corpusclean run (pid 4242 on crawler-7, "
            "started 2026-11-30 05:00:00 UTC)") in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [RUN_FILE]


def test_a_finished_run_leaves_no_lock_or_run_file(tmp_path):
    out = tmp_path / "out"
    assert run_cli("fix", str(corpus(tmp_path / "in")), str(out), "-q").exit_code == 0
    assert not (out / RUN_FILE).exists()
    assert run_cli("fix", str(corpus(tmp_path / "in")), str(tmp_path / "o.jsonl"), "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "o.jsonl", "o.jsonl.summary.json", "out"]


# -- nothing stale -------------------------------------------------------------------------------

def test_temporary_files_of_a_killed_run_are_removed(tmp_path):
    out = write_tree(tmp_path / "out", {".p0.txt.k3j_x9a2.tmp": "half", "s1/.p1.report.json.0a1b2c3d.tmp": "half",
                                        ".notes.tmp": "the user's own", "keep.md": "the user's own"})
    assert run_cli("fix", str(corpus(tmp_path / "in")), str(out), "-q").exit_code == 0
    left = {name for name in tree_bytes(out) if not name.startswith("s")}
    assert left == {".notes.tmp", "keep.md", "corpusclean-summary.json"}
    assert not list(out.rglob("*.tmp"))[1:]  # only .notes.tmp


@pytest.mark.parametrize("out_name, spill", [("out", "out/.corpusclean-spill-k3j_x9a2"),
                                              ("out.jsonl", ".out.jsonl.corpusclean-spill-k3j_x9a2")],
                         ids=["folder OUT", "JSONL OUT"])
def test_the_spill_folder_of_a_run_killed_outright_is_removed_by_the_next_run(tmp_path, monkeypatch,
                                                                               out_name, spill):
    """Pass 1 keeps the documents it loaded in a dot-folder inside OUT (beside a JSONL OUT, named
    after it); the run removes it at its end, but a run killed with kill -9 cannot, so the next
    run into the same OUT does. Nothing else is touched: not a file of that shape, not a
    folder another OUT's run may be using."""
    made = []
    real_spill = pipeline.spill
    monkeypatch.setattr(pipeline, "spill", lambda folder, *rest: made.append(folder.name) or real_spill(folder, *rest))
    write_tree(tmp_path, {f"{spill}/000000000000.pickle": "pass 1 of a killed run",
                          ".other.jsonl.corpusclean-spill-0a1b2c3d/000000000000.pickle": "another OUT's run",
                          "out/.corpusclean-spill-notes": "the user's own",
                          "out/.corpusclean-spill-00000000.md": "the user's own"})
    if out_name == "out.jsonl":
        (tmp_path / ".out.jsonl.corpusclean-run").write_text("{}")  # the killed run's lock file stays too
    else:
        (tmp_path / "out" / ".corpusclean-run").write_text('{"pid": 1}')
    args = ["run", str(corpus(tmp_path / "in")), str(tmp_path / out_name), "-w", "1", "-q"]
    assert run_cli(*args, *(["--overwrite"] if out_name == "out" else [])).exit_code == 0
    assert not (tmp_path / spill).exists()
    assert made and all(name[:-8] == Path(spill).name[:-8] for name in made)  # what a run makes, it sweeps
    assert (tmp_path / ".other.jsonl.corpusclean-spill-0a1b2c3d/000000000000.pickle").exists()
    assert (tmp_path / "out/.corpusclean-spill-notes").exists()
    assert (tmp_path / "out/.corpusclean-spill-00000000.md").exists()


def test_a_rerun_replaces_a_finished_run_whole(tmp_path):
    """Outputs of an input removed since the last run go, so diff and review show only what
    the summary counts; files that are not a run's output stay."""
    source = corpus(tmp_path / "in")
    out = tmp_path / "out"
    run_cli("run", str(source), str(out), "-q")
    (out / "mine.md").write_text("notes")
    (source / "s0/p0.txt").unlink()
    assert run_cli("run", str(source), str(out), "-q").exit_code == 0
    assert not (out / "s0/p0.txt").exists() and not (out / "s0/p0.report.json").exists()
    fresh = tmp_path / "fresh"
    run_cli("run", str(source), str(fresh), "-q")
    assert outputs(out) == {**outputs(fresh), "mine.md": b"notes"}


def test_an_unfinished_run_is_refused_naming_resume_and_overwrite(tmp_path, monkeypatch):
    source, out = corpus(tmp_path / "in"), tmp_path / "out"
    interrupted_run(source, out, at="s1/p5")
    before = tree_bytes(out)
    result = run_cli("run", str(source), str(out), "-q")
    assert result.exit_code == 1
    assert "holds a run that did not finish" in result.stderr
    assert "pass --resume to finish it, or --overwrite to replace it" in result.stderr
    assert tree_bytes(out) == before
    assert run_cli("run", str(source), str(out), "-q", "--overwrite").exit_code == 0
    fresh = tmp_path / "fresh"
    run_cli("run", str(source), str(fresh), "-q")
    assert tree_bytes(out) == tree_bytes(fresh)


# -- --resume -------------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_resume_finishes_an_interrupted_run_as_if_it_had_never_stopped(tmp_path, monkeypatch, workers):
    source, out = corpus(tmp_path / "in", pages=40), tmp_path / "out"
    interrupted_run(source, out, at="s0/p30")
    (out / "s0/p2.txt").unlink()  # stopped between its report and its text: not whole
    kept = {p.relative_to(out).as_posix()[: -len(".report.json")] for p in out.rglob("*.report.json")} - {"s0/p2"}
    cleaned: list[str] = []
    real = pipeline.process_batch
    monkeypatch.setattr(pipeline, "process_batch",
                        lambda job, batch: cleaned.extend(s.name for _, s in batch) or real(job, batch))
    result = run_cli("run", str(source), str(out), "-w", workers, "--resume")
    assert result.exit_code == 0
    fresh = tmp_path / "fresh"
    run_cli("run", str(source), str(fresh), "-q")
    assert tree_bytes(out) == tree_bytes(fresh)  # the summary too
    if workers == "1":  # (forked workers' calls are not seen here)
        assert not kept & set(cleaned) and "s0/p2" in cleaned


def test_resume_with_other_settings_is_refused_naming_the_difference(tmp_path, monkeypatch):
    source, out = corpus(tmp_path / "in"), tmp_path / "out"
    interrupted_run(source, out, at="s1/p5")
    result = run_cli("run", str(source), str(out), "--resume", "--jaccard-threshold", "0.8")
    assert result.exit_code == 1
    assert "ran with other settings (config.stages.dedup." in result.stderr  # the first setting that differs
    assert "Run again with the same options, or with --overwrite to replace it." in result.stderr


def test_resume_of_a_finished_run_keeps_everything(tmp_path):
    source, out = corpus(tmp_path / "in"), tmp_path / "out"
    run_cli("run", str(source), str(out), "-q")
    before = tree_bytes(out)
    assert run_cli("run", str(source), str(out), "-q", "--resume").exit_code == 0
    assert tree_bytes(out) == before


@pytest.mark.parametrize("target, message", [
    ("out.jsonl", "--resume needs an output folder: a JSONL or Parquet OUT is written whole at the end"),
    ("-", "--resume needs an output folder: stdout keeps nothing to resume from"),
    ("empty", "--resume: OUT"),
])
def test_resume_without_an_earlier_folder_run_is_refused_saying_why(tmp_path, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "hello"}\n')
    result = run_cli("fix", "in.jsonl" if target != "empty" else str(corpus(tmp_path / "in")), target, "--resume")
    assert result.exit_code == 1 and message in result.stderr


# -- OUT cannot be written ------------------------------------------------------------------------

def test_disk_full_stops_the_run_with_a_clear_message_and_resume_finishes_it(tmp_path, monkeypatch):
    source, out = corpus(tmp_path / "in"), tmp_path / "out"
    real = directory.atomic_write

    def full(path, data):
        if os.path.basename(path).startswith("p5."):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(directory, "atomic_write", full)
    result = run_cli("run", str(source), str(out), "-w", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write to OUT: cannot write s1/p5: No space left on device. "
                                    "The run stopped: 6 documents were written whole before it (0 failed); "
                                    f"the summary of them is {out / 'corpusclean-summary.json'}. Make room, then "
                                    "run the same command with --resume to finish.")
    assert "Traceback" not in result.stderr
    assert read_summary(out / "corpusclean-summary.json")["documents"] == {"ok": 6}
    monkeypatch.undo()
    assert run_cli("run", str(source), str(out), "-q", "--resume").exit_code == 0
    fresh = tmp_path / "fresh"
    run_cli("run", str(source), str(fresh), "-q")
    assert tree_bytes(out) == tree_bytes(fresh)


def test_a_read_only_out_is_a_clear_error_before_anything_runs(tmp_path, monkeypatch):
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name == "out":
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    result = run_cli("fix", str(corpus(tmp_path / "in")), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write to OUT ({tmp_path / 'out'}): Read-only file system\n"


# -- --summary ---------------------------------------------------------------------------------

def test_summary_equal_to_a_jsonl_out_is_refused(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "hello"}\n')
    result = run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "o.jsonl"), "--summary", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1 and "--summary is OUT itself" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_summary_path_is_honoured_for_a_folder_out(tmp_path):
    out = tmp_path / "out"
    assert run_cli("fix", str(corpus(tmp_path / "in")), str(out), "-q", "--summary", str(tmp_path / "s.json")).exit_code == 0
    assert read_summary(tmp_path / "s.json")["documents"] == {"ok": 8}
    assert not (out / "corpusclean-summary.json").exists()


# -- names that cannot be written as given --------------------------------------------------------

def test_an_output_that_would_stand_where_an_output_folder_goes_fails_alone(tmp_path):
    write_tree(tmp_path / "in", {"x.html": "<p>The council met on Tuesday.</p>", "x.txt/a.txt": GOOD, "b.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["failures"] == [
        {"document": "x.html", "error": "its output x.txt would stand where other inputs' outputs need a folder "
                                        "of that name (x.txt/); rename one of them"}]
    assert (tmp_path / "out/x.txt/a.txt").read_text() == GOOD


def test_a_folder_named_like_the_summary_fails_its_documents_alone(tmp_path):
    write_tree(tmp_path / "in", {"corpusclean-summary.json/a.txt": GOOD, "b.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    (failure,) = read_summary(tmp_path / "out/corpusclean-summary.json")["failures"]
    assert failure["error"] == ("it is in a folder named like the run's own file corpusclean-summary.json in OUT; "
                                "rename the folder")


def test_a_path_too_long_to_write_fails_alone(tmp_path):
    deep = "/".join(["d" * 200] * 20) + "/page.txt"  # each name fits, the whole path does not
    root = tmp_path / "in"
    os.makedirs(root, exist_ok=True)
    (root / "b.txt").write_text(GOOD)
    here = os.open(root, os.O_RDONLY)  # build the deep tree relative to a handle: its path is too long to name
    try:
        for part in deep.split("/")[:-1]:
            os.mkdir(part, dir_fd=here)
            inner = os.open(part, os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        with open(os.open("page.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here), "w") as handle:
            handle.write(GOOD)
    finally:
        os.close(here)
    result = run_cli("fix", str(root), str(tmp_path / "out"))
    assert result.exit_code == 1
    (failure,) = read_summary(tmp_path / "out/corpusclean-summary.json")["failures"]
    assert "File name too long" in failure["error"]
    assert (tmp_path / "out/b.txt").read_text() == GOOD


def test_a_file_name_that_is_not_utf8_fails_alone(tmp_path):
    root = write_tree(tmp_path / "in", {"b.txt": GOOD})
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "w") as handle:
        handle.write(GOOD)
    result = run_cli("fix", str(root), str(tmp_path / "out"), "-w", "2")
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["failures"] == [
        {"document": "caf\\xe9.txt", "error": "its name is not valid UTF-8 (shown with \\x escapes), so no report "
                                              "can name it; rename it"}]
    assert (tmp_path / "out/b.txt").read_text() == GOOD


def test_a_folder_that_cannot_be_read_is_a_failure_not_a_silent_gap(tmp_path, monkeypatch):
    """(chmod 000 does not stop root, so the refusal is planted where os.walk meets it.)"""
    root = write_tree(tmp_path / "in", {"b.txt": GOOD, "locked/c.txt": GOOD})
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("fix", str(root), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["failures"] == [
        {"document": "locked/", "error": "cannot read this folder: Permission denied; its files are not cleaned"}]


# -- stopping -----------------------------------------------------------------------------------------

def test_a_stop_while_the_stages_load_is_an_abort_not_a_crash(tmp_path, monkeypatch):
    """langdetect's profile loader catches everything, the interrupt too, and raises its own
    "Profile format error": a SIGTERM then must still read as "Aborted!"."""
    from corpusclean.stages.language import LanguageStage

    def loading(self):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except BaseException:
            raise RuntimeError("Profile format error in 'en'")

    monkeypatch.setattr(LanguageStage, "prepare", loading)
    result = run_cli("strip", str(corpus(tmp_path / "in")), str(tmp_path / "out"), "-w", "1")
    assert result.exit_code == 1
    assert "Aborted!" in result.stderr and "Profile format error" not in result.stderr + result.output
