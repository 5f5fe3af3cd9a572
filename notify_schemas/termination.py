"""SIGTERM ends a long command as Ctrl-C does: an exception raised in the main thread, so that ``finally`` blocks run
(programs under test stopped, temporary folders removed) and the command exits with 143 (128 + 15)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["EXIT_STATUS", "Terminated", "sigterm_raises"]

EXIT_STATUS = 128 + signal.SIGTERM
"""What a shell reports for a command that SIGTERM ended: the command returns it itself, having cleaned up."""


class Terminated(BaseException):
    """SIGTERM arrived (a service manager, ``kill``, a CI job cancelled): a BaseException, as KeyboardInterrupt is, so
    that a handler of Exception does not take it for a failure of the work."""


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises `Terminated` in the main thread; the previous handler is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
