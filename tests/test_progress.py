"""Progress on stderr while a run goes: on a terminal a bar per pass, named ("indexing" for the
corpus pass, "cleaning" for the second); in a log (stderr not a terminal) a timestamped line
every --log-every seconds; nothing with --quiet. stdout stays for data."""
from __future__ import annotations

import io
import re
from datetime import datetime

from corpusclean import cli
from corpusclean.progress import CLEANING, INDEXING, Bar, Log, duration

from conftest import run_cli, write_tree

PAGES = {f"{n}.txt": f"Page {n}.\n\nThe council met on Tuesday and agreed the budget.\n" for n in range(3)}
LOG_LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] corpusclean run: (indexing|cleaning) (\d) of 3 documents "
                      r"\((\d+\.\d)%\), [\d,.]+ a second$")


def test_a_log_gets_a_line_per_interval_naming_the_pass(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-w", "1", "--log-every", "0")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    progress = [LOG_LINE.match(line) for line in lines[:-1]]
    assert all(progress), lines
    # every interval has passed at every step (0 s): each pass reports a task's documents
    # at once (a chunk of the corpus pass; a batch of the cleaning pass, `pipeline.Written`)
    assert [(m.group(1), m.group(2)) for m in progress if m] == [(INDEXING, "3"), (CLEANING, "3")]
    assert lines[-1].startswith("corpusclean run: 3 documents (0 failed, 0 dropped)")


def test_a_short_run_logs_only_its_closing_line(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-w", "1")  # --log-every 30
    assert result.exit_code == 0
    assert len(result.stderr.splitlines()) == 1


def test_quiet_says_nothing(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "--log-every", "0")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_fix_has_no_indexing_pass(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--log-every", "0")
    assert ": indexing" not in result.stderr
    assert "corpusclean fix: cleaning 3 of 3 documents (100.0%)" in result.stderr


def test_on_a_terminal_each_pass_gets_its_bar(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    write_tree(tmp_path / "in", PAGES)
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-w", "1", "--log-every", "0")
    assert result.exit_code == 0
    # CliRunner's stderr is no terminal, so click draws each bar as its label alone
    assert "corpusclean run: indexing" in result.stderr
    assert "corpusclean run: cleaning" in result.stderr
    assert "a second" not in result.stderr  # the bar, not log lines


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_position_and_time_left():
    screen = Terminal()
    bar = Bar("run", total=4, file=screen)
    bar.start(INDEXING)
    bar.advance(4)
    bar.finish()
    bar.start(CLEANING)
    bar.advance(2)
    bar.finish()
    drawn = screen.getvalue()
    assert re.search(r"corpusclean run: indexing +\[#+\] +4/4", drawn)
    assert re.search(r"corpusclean run: cleaning +\[#+-+\] +2/4", drawn)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_is_the_rest_at_the_pass_average_pace():
    clock, out = Clock(), io.StringIO()
    log = Log("run", total=1000, every=10, file=out, clock=clock, now=lambda: datetime(2026, 11, 30, 6, 41, 7))
    log.start(CLEANING)
    clock.now += 5
    log.advance(50)                  # 5 s in: under the interval, no line yet
    clock.now += 5
    log.advance(50)                  # 10 s, 100 done: 900 left at 10 a second
    assert out.getvalue() == ("[06:41:07] corpusclean run: cleaning 100 of 1,000 documents (10.0%), "
                              "10.0 a second, about 1m30s left\n")


def test_no_time_left_without_a_total_or_before_the_pace_means_something():
    clock, out = Clock(), io.StringIO()
    log = Log("run", total=None, every=0, file=out, clock=clock, now=lambda: datetime(2026, 11, 30, 6, 0, 0))
    log.start(INDEXING)
    clock.now += 2
    log.advance(64)
    assert out.getvalue() == "[06:00:00] corpusclean run: indexing 64 documents, 32.0 a second\n"
    log = Log("run", total=10_000, every=0, file=out, clock=clock)
    log.start(CLEANING)
    clock.now += 2
    log.advance(50)                  # 0.5% of the pass: too early to say
    assert "left" not in out.getvalue().splitlines()[-1]


def test_durations_read_at_a_glance():
    assert [duration(s) for s in (4.4, 65, 3600 + 7 * 60 + 20)] == ["4s", "1m05s", "1h07m"]


def test_without_a_total_the_bar_is_a_running_count():
    """JSONL on stdin: the documents are not known ahead, so no bar and no time left."""
    screen = Terminal()
    bar = Bar("run", total=None, file=screen)
    bar.start(CLEANING)
    bar.advance(1)
    bar.advance(1)
    bar.finish()
    assert screen.getvalue() == ("corpusclean run: cleaning ...\rcorpusclean run: cleaning 1 document"
                                 "\rcorpusclean run: cleaning 2 documents\n")
