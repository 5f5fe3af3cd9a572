"""The line a long command draws on a terminal and writes over: only where a terminal takes it, and cut to its width."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify_schemas import terminal
from notify_schemas.broker.listener import Tally
from notify_schemas.cli import commands
from notify_schemas.conformance import cli as conformance_cli
from notify_schemas.samples import samples

ROOT = Path(__file__).resolve().parent.parent


def _width(text: str) -> int:
    return sum(terminal.cells(c) for c in text)


@given(st.text(), st.integers(min_value=0, max_value=200))
def test_a_line_fitted_takes_no_more_cells_than_given_and_is_the_start_of_the_text(text: str, width: int) -> None:
    fitted = terminal.fitted(text, width)
    assert _width(fitted) <= width
    if _width(text) <= width:
        assert fitted == text
    else:
        assert text.startswith(fitted.removesuffix("..."))


def test_a_wide_character_takes_two_cells_and_a_combining_mark_none() -> None:
    assert [terminal.cells(c) for c in "a\u754c\uff21\u0301\u200d"] == [1, 2, 2, 0, 0]
    assert terminal.fitted("\u754c" * 10, 7) == "\u754c\u754c..."


@contextmanager
def _pty(columns: int) -> Iterator[tuple[int, int]]:
    """A pseudo-terminal of ``columns`` columns: (the side a program writes, the side that reads what it wrote)."""
    reader, writer = os.openpty()
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    try:
        yield writer, reader
    finally:
        for fd in (writer, reader):
            os.close(fd)


def _drained(reader: int) -> str:
    shown = b""
    while select.select([reader], [], [], 0.2)[0]:
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # the writing side closed: Linux says EIO
            break
        if not chunk:
            break
        shown += chunk
    return shown.decode("utf-8", "replace")


def _drawn(shown: str) -> list[str]:
    """Each line drawn over the one before: what lies between two erasings (what follows the last one is the
    command's own output)."""
    return shown.split(terminal.ERASE)[1:-1]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines file of over 1 MiB, for which validate counts on a terminal."""
    path = tmp_path_factory.mktemp("terminal") / "large.jsonl"
    lines = [json.dumps(m) for m in samples("image.upload", "INFO", n=3, seed=1)]
    path.write_text("\n".join(lines * 2500) + "\n", encoding="utf-8")
    return path


def _on_a_terminal(command: list[str], columns: int, term: str | None) -> tuple[int, str]:
    """Run the command with both its outputs on a terminal of ``columns`` columns, read as it writes (a terminal
    holds only a few KiB that nobody read): its exit status and all it wrote."""
    env = {k: v for k, v in os.environ.items() if k not in ("TERM", "COLUMNS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if term is not None:
        env["TERM"] = term
    with _pty(columns) as (writer, reader):
        process = subprocess.Popen(command, stdout=writer, stderr=writer, stdin=subprocess.DEVNULL, env=env)
        shown = ""
        try:
            while process.poll() is None:
                shown += _drained(reader)
            shown += _drained(reader)
        finally:
            process.kill()
        return process.wait(), shown


def _validate_on_a_terminal(path: Path, columns: int, term: str | None) -> tuple[int, str]:
    return _on_a_terminal([sys.executable, "-m", "notify_schemas", "validate", str(path)], columns, term)


@pytest.mark.parametrize("term", ["dumb", "", None, "DUMB"])
def test_validate_draws_no_line_on_a_dumb_terminal_or_one_that_names_none(large: Path, term: str | None) -> None:
    """Under TERM=dumb (Emacs's shell, a CI log) the count was drawn with the sequence that erases a line, shown there
    as text; it is not drawn at all, and the summary still comes."""
    code, shown = _validate_on_a_terminal(large, 80, term)
    assert code == 0
    assert "\033" not in shown
    assert "\r" not in shown.replace("\r\n", "\n")
    assert "7,500 records in 1 file: 7,500 valid" in shown


@pytest.mark.parametrize("columns", [1, 5, 12, 21])
def test_validate_draws_its_count_within_one_row_of_a_narrow_terminal(large: Path, columns: int) -> None:
    """A count wider than the terminal wrapped onto a second row, which the next count's carriage return did not
    reach: every count drawn left a row behind."""
    code, shown = _validate_on_a_terminal(large, columns, "xterm-256color")
    assert code == 0
    drawn = _drawn(shown)
    assert drawn, "the count was drawn"
    assert all(_width(line) < columns for line in drawn)


@pytest.fixture
def narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[IO[str], int]]:
    """A stream on a pseudo-terminal of 30 columns, and the side that reads it; TERM names a real terminal."""
    monkeypatch.setenv("TERM", "xterm")
    with _pty(30) as (writer, reader), open(os.dup(writer), "w", encoding="utf-8") as stream:
        yield stream, reader


def test_listen_draws_its_tally_within_one_row_however_many_event_types_came(
    narrow_terminal: tuple[IO[str], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """listen's running tally names every event type seen, wide characters included, and grows without bound: it
    wrapped on any terminal narrower than it, and each redraw left rows behind."""
    stream, reader = narrow_terminal
    monkeypatch.setattr(sys, "stderr", stream)  # here, not in the fixture: pytest sets its own again for the test
    tally = Tally()
    for n, name in enumerate(["image.create", "image.\u754c\u754c\u754c", "image.e\u0301", "task.run"]):
        tally.valid[name] += n

    class Counted:
        def summary(self) -> str:
            return tally.line()

    commands._progress(Counted(), True)(None, True)
    terminal.erase(sys.stderr)
    drawn = _drawn(_drained(reader))
    assert drawn
    assert all(_width(line) < 30 for line in drawn)


@pytest.mark.parametrize("term", ["dumb", ""])
def test_no_bar_of_the_conformance_suite_on_a_dumb_terminal(
    narrow_terminal: tuple[IO[str], int], monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    stream, reader = narrow_terminal
    monkeypatch.setenv("TERM", term)
    for done in range(4):
        conformance_cli._progress(stream, done, 3)
    assert _drained(reader) == ""


def test_the_conformance_bar_fits_a_narrow_terminal_and_is_erased_at_the_end(
    narrow_terminal: tuple[IO[str], int],
) -> None:
    stream, reader = narrow_terminal
    for done in range(4):
        conformance_cli._progress(stream, done, 3)
    shown = _drained(reader)
    assert shown.endswith(terminal.ERASE)
    assert all(_width(line) < 30 for line in _drawn(shown))


def test_a_line_logged_while_listen_shows_its_tally_is_written_on_a_row_of_its_own(
    narrow_terminal: tuple[IO[str], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """oslo.messaging logs a connection lost (and retried) while listen shows its running tally: the log line was
    written after the tally, on its row ('3 received: 3 valid, 0 invalidERROR ... Connection failed')."""
    stream, reader = narrow_terminal
    monkeypatch.setattr(sys, "stderr", stream)
    tally = Tally()
    tally.valid["image.create"] += 3

    class Counted:
        def summary(self) -> str:
            return tally.line()

    handler = commands._LogStream()
    handler.setFormatter(commands._LogLine())
    commands._progress(Counted(), True)(None, True)
    handler.emit(logging.LogRecord("oslo.messaging", logging.ERROR, __file__, 1, "Connection failed", None, None))
    shown = _drained(reader)
    assert "Connection failed" in shown
    row = shown[: shown.index("Connection failed")].rsplit(terminal.ERASE, 1)[-1]  # the row the log line is on
    assert "received" not in row


def test_what_is_written_while_a_line_is_drawn_begins_a_row_of_its_own_and_no_line_is_drawn_meanwhile(
    narrow_terminal: tuple[IO[str], int],
) -> None:
    stream, reader = narrow_terminal
    terminal.draw(stream, "12 received")
    with terminal.writing(stream):
        stream.write("listening on fake://\n")
        stream.flush()
    with terminal.writing(stream):  # nothing drawn now: nothing to take off
        stream.write("stopped\n")
    stream.flush()
    assert _drained(reader) == f"{terminal.ERASE}12 received{terminal.ERASE}listening on fake://\r\nstopped\r\n"


def test_a_conformance_run_stopped_short_takes_its_bar_off_before_the_table(tmp_path: Path) -> None:
    """A run stopped before its last intent (here, a program that answers what is no JSON) never reached the count
    at which the bar is taken off: the table was written after the bar, on its row ('5/476 intentscheck ...')."""
    program = tmp_path / "producer.py"
    program.write_text("import sys\nfor n, _ in enumerate(sys.stdin):\n    print('{}' if n < 4 else 'junk', "
                       "flush=True)\n    if n >= 4:\n        break\n", encoding="utf-8")  # fmt: skip
    command = [sys.executable, "-m", "notify_schemas", "conformance", "--exec", f"{sys.executable} {program}",
               "--examples", "1"]  # fmt: skip
    code, shown = _on_a_terminal(command, 80, "xterm")
    assert code in (1, 2)
    assert "intents" in shown  # the bar was drawn
    for line in shown.replace("\r\n", "\n").split("\n"):
        row = line.rsplit("\r", 1)[-1]  # what is left on the row once the carriage returns are written
        assert "intents" not in row or row.endswith(" intents"), repr(line)  # nothing after the bar on its row
