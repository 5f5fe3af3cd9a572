"""SIGTERM as an exception: raised at once, and again between steps where Python dropped it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from notify_schemas.termination import Terminated, raise_if_terminated, sigterm_raises


class _GetsTheSignal:
    """An object whose ``__del__`` is where SIGTERM's handler runs: Python prints and drops what it raises there, as
    it does in a garbage collector's callback (Hypothesis has one)."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGTERM)


def _run(step: Callable[[], object]) -> None:
    with sigterm_raises():
        step()


def _dropped_then_a_step() -> None:
    _GetsTheSignal()  # gone at once: the signal arrives in its __del__, and what the handler raises is dropped
    raise_if_terminated()


def test_sigterm_raises_terminated_at_once() -> None:
    with pytest.raises(Terminated):
        _run(lambda: signal.raise_signal(signal.SIGTERM))


def test_sighup_stops_the_run_as_sigterm_does_with_the_status_a_shell_gives_it() -> None:
    # A terminal that closes sends SIGHUP: its default would end the command where it stands, nothing cleaned up.
    with pytest.raises(Terminated) as info:
        _run(lambda: signal.raise_signal(signal.SIGHUP))
    assert (info.value.status, info.value.name) == (129, "SIGHUP")


def test_sighup_ignored_when_the_run_started_stays_ignored() -> None:
    # nohup ignores SIGHUP so that the command outlives its terminal: the run goes on to its end.
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        _run(lambda: signal.raise_signal(signal.SIGHUP))
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_sigterm_dropped_where_it_was_raised_is_raised_again_between_steps_and_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(Terminated):
        _run(_dropped_then_a_step)
    assert capsys.readouterr().err == ""


class _GetsCtrlC:
    """As `_GetsTheSignal`, for Ctrl-C: a KeyboardInterrupt raised in a garbage collector's callback was printed
    ("Exception ignored in: ... gc_callback"), dropped, and the run went on to its end."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


def _ctrl_c_dropped_then_a_step() -> None:
    _GetsCtrlC()
    raise_if_terminated()


def test_a_ctrl_c_dropped_where_it_was_raised_is_raised_again_between_steps_and_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal's program
    try:
        with pytest.raises(KeyboardInterrupt):
            _run(_ctrl_c_dropped_then_a_step)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
    assert capsys.readouterr().err == ""


def test_ctrl_c_ignored_when_the_run_started_stays_ignored() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a background job, or a worker of validate --jobs
    try:
        _run(lambda: signal.raise_signal(signal.SIGINT))
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_after_the_run_the_previous_handler_is_back_and_nothing_is_pending() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated):
        _run(lambda: signal.raise_signal(signal.SIGTERM))
    assert signal.getsignal(signal.SIGTERM) is before
    raise_if_terminated()  # a later run starts afresh


def _interrupted_then_a_library_fails() -> None:
    _GetsTheSignal()
    raise RuntimeError("inconsistent data generation")  # what a library raises about the work the signal broke off


def test_an_error_that_follows_sigterm_ends_the_run_as_sigterm() -> None:
    with pytest.raises(Terminated) as info:
        _run(_interrupted_then_a_library_fails)
    assert isinstance(info.value.__cause__, RuntimeError)


def _fails() -> None:
    raise RuntimeError("a failure of the work itself")


def test_an_error_without_sigterm_is_left_as_it_is() -> None:
    with pytest.raises(RuntimeError):
        _run(_fails)


def _a_library_raises_its_own_error_for_the_signal() -> None:
    _GetsTheSignal()  # the handler's Terminated is dropped...
    raise RuntimeError("inconsistent data generation")  # ...and the library raises this instead (Hypothesis does)


def test_an_exec_program_is_stopped_at_once_when_a_library_answers_sigterm_with_its_own_error() -> None:
    from notify_schemas.conformance.cli import _ended
    from notify_schemas.conformance.producers import DEFAULT_ANSWER_TIMEOUT, ExecProducer

    # The run's program was given 10 s to exit, as at the end of a run, when what reached the run was not Terminated.
    program = ExecProducer("sleep 100")
    started = time.monotonic()
    with pytest.raises(Terminated), sigterm_raises(), _ended(program, DEFAULT_ANSWER_TIMEOUT):
        _a_library_raises_its_own_error_for_the_signal()
    assert time.monotonic() - started < 5  # not the 10 s a program is given to exit at the end of a run
    assert program.process.returncode == -signal.SIGTERM


@pytest.mark.parametrize("mode", ["producer", "consumer"])
def test_an_error_set_off_by_sigterm_stops_a_run_rather_than_failing_its_program(mode: str) -> None:
    from notify_schemas.conformance.negative import run_negative
    from notify_schemas.conformance.runner import run

    def program(_: object) -> object:
        _a_library_raises_its_own_error_for_the_signal()
        return None

    runs = {"producer": lambda: run(program, examples=1), "consumer": lambda: run_negative(program, examples=1)}
    with pytest.raises(Terminated), sigterm_raises():
        runs[mode]()


_SIGNAL_WHILE_IMPORTING = """
import os, signal, sys

class SignalWhileImporting:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["IMPORTED"]:
            open(os.environ["MARK"], "w").close()
            os.kill(os.getpid(), int(os.environ["SIGNAL"]))
        return None

sys.meta_path.insert(0, SignalWhileImporting())
from notify_schemas.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _sigint_default() -> None:
    """Ctrl-C as a terminal's program gets it, even when the tests run in a background job (which ignores it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("imported", ["decimal", "argparse"])
def test_a_stop_while_the_command_loads_its_modules_ends_it_quietly(tmp_path: Path, signum: int,
                                                                    imported: str) -> None:  # fmt: skip
    # decimal is imported by jsonschema-rs's own code: Ctrl-C raised there came out as pyo3's PanicException, with
    # Rust's panic message, a traceback and exit 1; SIGTERM and SIGHUP killed the process where it stood.
    mark = tmp_path / "signalled"
    env = dict(os.environ, IMPORTED=imported, SIGNAL=str(int(signum)), MARK=str(mark))
    done = subprocess.run([sys.executable, "-c", _SIGNAL_WHILE_IMPORTING, "schemas", "path"], env=env,
                          capture_output=True, timeout=60, preexec_fn=_sigint_default)  # fmt: skip
    assert mark.exists(), f"{imported} was not imported while the command loaded"
    assert (done.returncode, done.stderr, done.stdout) == (128 + signum, b"", b"")


def test_a_process_ended_for_a_thread_left_running_still_flushes_its_logs_and_streams(tmp_path: Path) -> None:
    # ended() ends the process at once, past the thread Python would wait for; what a normal exit still does must be
    # done first: a buffering logging handler's records reach their file, and the process's own stdout is flushed
    # where a callable replaced sys.stdout.
    log = tmp_path / "buffered.log"
    program = (
        "import io, logging, logging.handlers, sys, threading, time\n"
        "from notify_schemas.termination import ended\n"
        f"target = logging.FileHandler({str(log)!r})\n"
        "buffered = logging.handlers.MemoryHandler(capacity=1000, target=target, flushOnClose=True)\n"
        "logging.getLogger('producer').addHandler(buffered)\n"
        "logging.getLogger('producer').warning('held in the buffer')\n"
        "sys.__stdout__.write('said before the end')\n"
        "sys.stdout = io.StringIO()\n"
        "threading.Thread(target=time.sleep, args=(1000,)).start()\n"
        "ended(3)\n"
    )
    buffered_out = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False,
                          env=buffered_out)  # fmt: skip
    assert (done.returncode, done.stdout) == (3, "said before the end"), done.stderr
    assert log.read_text(encoding="utf-8") == "held in the buffer\n"
