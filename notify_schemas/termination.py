"""SIGTERM ends a long command as Ctrl-C does: an exception raised in the main thread, so that ``finally`` blocks run
(programs under test stopped, temporary folders removed) and the command exits with 143 (128 + 15). SIGHUP, which a
terminal that closes (an SSH session dropped) sends, ends it the same way, with 129 (128 + 1). Each of the three,
Ctrl-C included, is remembered: where Python drops the exception its handler raised (a garbage collector's callback),
the run is stopped at its next step all the same."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = [
    "READER_GONE",
    "Terminated",
    "ended",
    "held_off",
    "is_stop",
    "raise_if_terminated",
    "sigterm_raises",
    "terminated",
]


# The signals that stop a run: SIGHUP's default would end the process where it stands, leaving an --exec program
# running, Hypothesis's folder in the temporary folder and a listener's tally unsaid.
_STOPPING = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))

READER_GONE = 128 + 13
"""The exit status of a command whose standard output's reader went away (``| head``): the status a shell reports for
coreutils' death by SIGPIPE (13), which Python ignores, raising BrokenPipeError instead (D94)."""


class Terminated(BaseException):
    """SIGTERM (a service manager, ``kill``, a CI job cancelled) or SIGHUP (the terminal closed) arrived: a
    BaseException, as KeyboardInterrupt is, so that a handler of Exception does not take it for a failure of the
    work. ``signum`` is the signal; ``status`` the exit status a shell would report for a death by it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_asked: list[int] = []  # the stopping signals that arrived while `sigterm_raises` was in force
_taken: set[int] = set()  # the signals `sigterm_raises` takes while it is in force


def _stop(signum: int) -> BaseException:
    """What a stopping signal raises: KeyboardInterrupt for Ctrl-C, as Python's own handler does; `Terminated` else."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def terminated() -> bool:
    """Whether SIGTERM, SIGHUP or Ctrl-C has arrived while `sigterm_raises` is in force. An exception a library
    raised in its stead (its own error, set off by the signal's: Hypothesis's "inconsistent data generation") is then
    the stop, not a failure of the work: what handles any exception asks this first."""
    return bool(_asked)


def is_stop(error: BaseException) -> bool:
    """Whether ``error`` ends the run as a stopping signal does: KeyboardInterrupt or `Terminated`, unless
    `sigterm_raises` takes that signal and it never arrived, so that code raised it itself (a producer under test that
    raises KeyboardInterrupt fails as with any other exception). Where the signal is not taken, nothing tells one
    from the other, and either is a stop."""
    if isinstance(error, KeyboardInterrupt):
        signum = int(signal.SIGINT)
    elif isinstance(error, Terminated):
        signum = error.signum
    else:
        return False
    return signum not in _taken or signum in _asked


def raise_if_terminated() -> None:
    """Raise `Terminated` if SIGTERM (or SIGHUP) has arrived, KeyboardInterrupt if Ctrl-C has. Their handler raises at
    once, but where Python cannot pass an exception on (a garbage collector's callback, such as Hypothesis's, or a
    ``__del__``) it is printed and dropped, and the work would go on to its end: the loops of a long run call this
    between steps."""
    if _asked:
        raise _stop(_asked[0])


@contextlib.contextmanager
def held_off() -> Iterator[list[int]]:
    """While inside, Ctrl-C, SIGTERM and SIGHUP are held off, blocked: one that comes is taken once outside, without
    being delivered, and noted by the exit status a shell gives it in the list yielded, for the caller to end with.
    For the modules a command loads before its handlers are in force: an exception raised inside an extension
    module's own import (jsonschema-rs importing decimal) is no KeyboardInterrupt when it comes out, but a panic of
    its own (pyo3's PanicException), with a traceback and Rust's panic message; and SIGTERM's default would end the
    process where it stands. Blocked, not caught: no handler of the process's shows one in force before its command
    runs. A signal ignored when the command started stays ignored; without signal masks (not POSIX) nothing is
    held."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "sigtimedwait"):
        yield noted
        return
    held = {s for s in _STOPPING if signal.getsignal(s) is signal.SIG_DFL}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        held.add(signal.SIGINT)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield noted
    finally:
        while (came := signal.sigtimedwait(held, 0)) is not None:  # each one pending, the first noted
            if not noted:
                noted.append(128 + came.si_signo)
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise `Terminated` in the main thread, Ctrl-C KeyboardInterrupt, and
    `raise_if_terminated` raises it again until the end; the previous handlers are put back after. A signal ignored
    when the command started (SIGHUP under ``nohup``) stays ignored, and Ctrl-C is taken only where Python's own
    handler has it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        _asked.append(signum)
        raise _stop(signum)

    def unraisable(info: Any) -> None:
        # The stop, dropped where it was raised, is not printed: `raise_if_terminated` raises it again.
        if not (_asked and isinstance(info.exc_value, KeyboardInterrupt | Terminated)):
            hook(info)

    taken = [s for s in _STOPPING if s == signal.SIGTERM or signal.getsignal(s) is not signal.SIG_IGN]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        taken.append(signal.SIGINT)
    previous, hook = {s: signal.signal(s, stop) for s in taken}, sys.unraisablehook
    sys.unraisablehook = unraisable
    before = set(_taken)
    _taken.update(taken)
    try:
        yield
    except Exception as error:
        if _asked:  # what the signal set off in a library (Hypothesis: "inconsistent data generation") ends the run
            raise _stop(_asked[0]) from error
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = hook
        _asked.clear()
        _taken.clear()
        _taken.update(before)


def ended(code: int) -> None:
    """End the process with ``code`` at once when a thread other than the main one that is no daemon is still running:
    one that a producer's callable started (a flusher, a heartbeat, a thread that waits for ever), which Python waits
    for as it exits, after the verdict, the table and the reports, for ever. What the command wrote is flushed first;
    returns when no such thread is left, for the process to end as usual."""
    main_thread = threading.main_thread()
    if not any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    # What a normal exit would still do: logging's handlers flushed and closed (a buffering handler's records, a log
    # file), then the streams, the process's own too where a callable replaced them. Python's other exit work (atexit
    # functions) is not done: a thread it would wait for is why the process ends here.
    with contextlib.suppress(Exception):  # a handler that fails as it closes
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):  # a stream a callable replaced or closed, a reader gone away (| head)
            if stream is not None:
                stream.flush()
    os._exit(code)
