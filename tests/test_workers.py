"""A run survives its workers: a worker killed by the system costs only the document it was
cleaning, a document over its time budget fails alone (in a worker or in the parent), and
workers never outlive their parent."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import corpusclean.workers as workers
from corpusclean.stages.dedup import DedupStage
from corpusclean.stages.rules import RuleStage
from conftest import read_report, read_summary, run_cli, tree_bytes, write_tree

GOOD = "A headline\n\nThe council voted on Tuesday to extend the programme until next spring.\n"


def corpus(root: Path, pages: int = 12) -> Path:
    """`pages` good pages, and one (bad.txt) that the tests make misbehave."""
    files = {f"p{n:02d}.txt": GOOD.replace("council", f"council {n}") for n in range(pages)}
    files["bad.txt"] = "The bad page.\n" + GOOD
    return write_tree(root, files)


def misbehave_on_bad(monkeypatch: pytest.MonkeyPatch, owner: type, attribute: str, how) -> None:
    real = getattr(owner, attribute)

    def patched(self, arg):
        docs = arg if isinstance(arg, list) else [arg]
        if any(doc.name == "bad" for doc in docs):
            how()
        return real(self, arg)

    monkeypatch.setattr(owner, attribute, patched)


def killed_by_the_system() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("clean")
    run_cli("run", str(corpus(root / "in")), str(root / "out"), "-w", "1", "-q")
    return tree_bytes(root / "out")


@pytest.mark.parametrize("owner, attribute", [(RuleStage, "process"), (DedupStage, "observe_batch")],
                         ids=["cleaning", "corpus pass"])
def test_a_worker_killed_by_the_system_fails_its_document_and_the_run_goes_on(tmp_path, monkeypatch, clean_run,
                                                                              owner, attribute):
    misbehave_on_bad(monkeypatch, owner, attribute, killed_by_the_system)
    out = tmp_path / "out"
    result = run_cli("run", str(corpus(tmp_path / "in")), str(out), "-w", "2")
    assert result.exit_code == 1
    summary = read_summary(out / "corpusclean-summary.json")
    assert summary["documents"] == {"failed": 1, "ok": 12}
    assert summary["failures"] == [{"document": "bad", "error": "the worker process cleaning it died "
                                    "(killed, perhaps by the system for lack of memory; signal SIGKILL)"}]
    assert read_report(out, "bad")["error"] == summary["failures"][0]["error"]
    written = tree_bytes(out)
    for n in range(12):
        name = f"p{n:02d}.txt"
        if attribute == "process":  # the corpus pass saw every page: the others are as in a clean run
            assert written[name] == clean_run[name]
        else:
            assert name in written


def spin_forever() -> None:
    while True:
        pass


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_document_over_its_time_budget_fails_alone(tmp_path, monkeypatch, processes):
    """Interrupted where it runs, Python code, in a worker or in the parent (-w 1) alike."""
    misbehave_on_bad(monkeypatch, RuleStage, "process", spin_forever)
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli("strip", str(corpus(tmp_path / "in", pages=3)), str(out), "-w", processes, "--doc-timeout", "1")
    assert time.monotonic() - started < 60
    assert result.exit_code == 1
    assert read_report(out, "bad")["error"] == (
        "took longer than the --doc-timeout of 1 s (in stage rules); raise the limit to clean it")
    assert read_summary(out / "corpusclean-summary.json")["documents"] == {"failed": 1, "ok": 3}


def test_a_document_stuck_in_c_code_past_its_budget_ends_its_worker_and_fails_alone(tmp_path, monkeypatch):
    """Code that does not return to Python (here `sum` over a range, a loop in C that never
    checks for signals) cannot be interrupted; its worker is ended by the CPU-time backstop."""
    monkeypatch.setattr(workers, "HARD_GRACE", 1.0)
    misbehave_on_bad(monkeypatch, RuleStage, "process", lambda: sum(range(10**14)))
    out = tmp_path / "out"
    result = run_cli("strip", str(corpus(tmp_path / "in", pages=3)), str(out), "-w", "2", "--doc-timeout", "1")
    assert result.exit_code == 1
    assert read_report(out, "bad")["error"] == ("the worker process cleaning it died (stopped after running in "
                                                "C code past its --doc-timeout; signal SIGPROF)")
    assert read_summary(out / "corpusclean-summary.json")["documents"] == {"failed": 1, "ok": 3}


def ended_by_the_cpu_time_backstop(item: object) -> None:
    os.kill(os.getpid(), signal.SIGPROF)  # what the backstop does to a worker stuck in C code


def test_a_dead_workers_signal_is_named_and_the_map_goes_on():
    """The item that killed its worker gets `crashed(item, reason)`, the reason naming the
    signal; the items around it, on the same pool's workers, come back as they are."""
    results = list(workers.ordered_map(_ended_unless_fine, ["fine", "stuck", "fine"], workers=2,
                                       crashed=lambda item, reason: [reason]))
    assert results == ["fine", "the worker process cleaning it died (stopped after running in C code past its "
                       "--doc-timeout; signal SIGPROF)", "fine"]


def _ended_unless_fine(item: str) -> str:
    if item != "fine":
        ended_by_the_cpu_time_backstop(item)
    return item


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc to find the workers")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    files = {f"p{n:04d}.txt": GOOD.replace("council", f"council {n}") * 20 for n in range(3000)}
    source = write_tree(tmp_path / "in", files)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", "from corpusclean.cli import cli; cli()",
                                "run", str(source), str(out), "-w", "2", "-q"], stderr=subprocess.DEVNULL)
    workers_of_the_run: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(children(process.pid)) < 2:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        workers_of_the_run = children(process.pid)
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers_of_the_run):
            assert time.monotonic() < deadline, "a worker outlived its parent by 10 s"
            time.sleep(0.1)
    finally:
        process.kill()
        for pid in workers_of_the_run:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_chunked_cuts_the_tail_into_smaller_tasks_from_the_item_it_is_told():
    chunked = workers.chunked
    assert [len(task) for task in chunked(range(100), 32)] == [32, 32, 32, 4]
    assert [len(task) for task in chunked(range(100), 32, (64, 8))] == [32, 32, 8, 8, 8, 8, 4]
    # a task never straddles the tail's first item
    assert [len(task) for task in chunked(range(100), 32, (70, 8))] == [32, 32, 6, 8, 8, 8, 6]
    assert [item for task in chunked(range(100), 32, (70, 8)) for item in task] == list(range(100))


def _started(pause: float) -> float:
    began = time.monotonic()
    time.sleep(pause)
    return began


def _note_idle(folder: Path) -> None:
    (folder / str(os.getpid())).write_text(repr(time.monotonic()))


def test_each_worker_makes_an_idle_call_once_no_task_is_left_to_take(tmp_path):
    """Pool.when_idle: each worker calls it once, when it finds no task left (the pipeline
    gets each worker ready for pass 2 this way, while the last chunks of pass 1 are still being
    observed and the parent builds the corpus state), and goes on taking tasks afterwards."""
    import functools

    pool = workers.Pool(2)
    try:
        tasks = [pool.submit(_started, [0.05]) for _ in range(6)]
        pool.when_idle(functools.partial(_note_idle, tmp_path))
        last_task_started = max(future.result()[0] for future in tasks)
        deadline = time.monotonic() + 30
        while len(list(tmp_path.iterdir())) < 2:  # both idle now: each makes its call
            assert time.monotonic() < deadline
            time.sleep(0.01)
        after = pool.submit(_called, [None]).result()
    finally:
        pool.close()
    calls = {path.name: float(path.read_text()) for path in tmp_path.iterdir()}
    assert len(calls) == 2 and str(os.getpid()) not in calls
    assert min(calls.values()) >= last_task_started
    [(pid, when)] = after
    assert when >= calls[str(pid)]


def test_an_idle_call_comes_before_the_tasks_sent_after_it_even_with_no_idle_moment(tmp_path):
    """A worker that never finds itself idle (here the tasks after the call are queued at
    once) still makes the call, before the first of them it takes."""
    import functools

    pool = workers.Pool(2)
    try:
        pool.when_idle(functools.partial(_note_idle, tmp_path))
        tasks = [pool.submit(_called, [None]) for _ in range(20)]
        ran = [answer for future in tasks for answer in future.result()]
    finally:
        pool.close()
    calls = {path.name: float(path.read_text()) for path in tmp_path.iterdir()}
    for pid, when in ran:
        assert when >= calls[str(pid)]


def _called(_: object) -> tuple[int, float]:
    return os.getpid(), time.monotonic()


def _fails(item: int) -> int:
    raise ValueError(f"no good: {item}")


def test_an_error_in_a_task_comes_back_as_itself_with_where_it_was_raised():
    pool = workers.Pool(2)
    try:
        with pytest.raises(ValueError, match="no good: 3") as caught:
            pool.submit(_fails, [3]).result()
        assert "in _fails" in str(caught.value.__cause__)
        assert pool.submit(_started, [0.0]).result()  # the pool goes on
    finally:
        pool.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="lists open files in /proc (Linux)")
@pytest.mark.parametrize("wait", [True, False])
def test_a_closed_pool_leaves_no_process_no_open_pipe_and_no_thread(wait):
    """Closed without waiting (the pipeline's way, its summary written meanwhile), the
    workers exit on their own, at once."""
    for process in multiprocessing.active_children():  # workers of earlier runs in this process
        process.join()
    before, threads = set(os.listdir("/proc/self/fd")), threading.active_count()
    pool = workers.Pool(2)
    assert pool.submit(_started, [0.0]).result()
    pids = [member.process.pid for member in pool._crew.members]
    pool.close(wait=wait)
    deadline = time.monotonic() + (0 if wait else 10)
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, "a worker went on after its pool was closed"
        time.sleep(0.05)
    multiprocessing.active_children()  # reaps them (as starting a process or exiting does)
    assert set(os.listdir("/proc/self/fd")) <= before
    assert threading.active_count() == threads


# -- threads the parent does not need ---------------------------------------------------------

def _after_import(module: str, env: dict[str, str]) -> str:
    """What a fresh process that imports `module` and loads numpy has: its thread count, and
    OpenBLAS's setting."""
    code = (f"import os, {module}, numpy; "
            "print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc (Linux)")
def test_the_command_starts_no_blas_threads_and_the_library_leaves_them_alone():
    """numpy's OpenBLAS would start a thread per extra core, each spinning ~0.1 CPU-s at load;
    the `corpusclean` command needs none of them, and says so before numpy loads. A number the
    user set is kept, and a program that only imports the library keeps its BLAS threads."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _after_import("corpusclean.cli", env) == "1 1"
    assert _after_import("corpusclean.cli", {**env, "OPENBLAS_NUM_THREADS": "2"}).split()[1] == "2"
    assert _after_import("corpusclean", env).split()[1] == "None"
