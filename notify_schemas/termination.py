"""SIGTERM ends a long command as Ctrl-C does: an exception raised in the main thread, so that ``finally`` blocks run
(programs under test stopped, temporary folders removed) and the command exits with 143 (128 + 15)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["EXIT_STATUS", "Terminated", "raise_if_terminated", "sigterm_raises", "terminated"]

EXIT_STATUS = 128 + signal.SIGTERM
"""What a shell reports for a command that SIGTERM ended: the command returns it itself, having cleaned up."""


class Terminated(BaseException):
    """SIGTERM arrived (a service manager, ``kill``, a CI job cancelled): a BaseException, as KeyboardInterrupt is, so
    that a handler of Exception does not take it for a failure of the work."""


_asked: list[bool] = []  # SIGTERM arrived while `sigterm_raises` was in force


def terminated() -> bool:
    """Whether SIGTERM has arrived while `sigterm_raises` is in force. An exception a library raised in its stead (its
    own error, set off by the signal's: Hypothesis's "inconsistent data generation") is then the stop, not a failure
    of the work: what handles any exception asks this first."""
    return bool(_asked)


def raise_if_terminated() -> None:
    """Raise `Terminated` if SIGTERM has arrived. Its handler raises at once, but where Python cannot pass an
    exception on (a garbage collector's callback, such as Hypothesis's, or a ``__del__``) it is printed and dropped,
    and the work would go on to its end: the loops of a long run call this between steps."""
    if _asked:
        raise Terminated


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises `Terminated` in the main thread, and `raise_if_terminated` raises it again until
    the end; the previous handler is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        _asked.append(True)
        raise Terminated

    def unraisable(info: Any) -> None:
        # Terminated, dropped where it was raised, is not printed: `raise_if_terminated` raises it again.
        if not isinstance(info.exc_value, Terminated):
            hook(info)

    previous, hook = signal.signal(signal.SIGTERM, stop), sys.unraisablehook
    sys.unraisablehook = unraisable
    try:
        yield
    except Exception as error:
        if _asked:  # what the signal set off in a library (Hypothesis: "inconsistent data generation") ends the run
            raise Terminated from error
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = hook
        _asked.clear()
