"""The line a long command draws on a terminal and writes over in place (a count, a tally, a progress bar).

It is drawn only where it can be written over: on a terminal whose ``TERM`` names one that takes escape sequences.
A dumb terminal (``TERM=dumb``, as Emacs's shell and many CI log viewers set it) or one that names none (``TERM``
unset, as under cron or ``env -i``) gets no such line at all, only what the command says at its end: the sequence
that erases a line would be shown as text there, and a line written over is never seen (D113).

Any other line written to the same stream while the line is shown (a library's warning, logged) is written after the
line is taken off (`writing`), never after it on its row; the command draws it again at its next count.

The line is cut to the terminal's width, counted in the cells a character takes (a wide CJK character two, a combining
mark none): a line longer than the terminal wraps onto a second row, which a carriage return does not reach, and each
redraw left one more row behind."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["ERASE", "cells", "clear", "columns", "draw", "erase", "fitted", "live", "writing"]

ERASE = "\r\033[K"
"""Back to the start of the line, and the line erased: what the line is written after, and what takes it off."""

_DUMB = {"", "dumb", "unknown"}
_DEFAULT_COLUMNS = 80
_LOCK = threading.RLock()  # listen draws from its consumers' threads, and a library logs from its own
_SHOWN: list[Any] = []  # the stream a line is drawn on now, if one is


def live(stream: Any) -> bool:
    """Whether ``stream`` is a terminal that a line can be drawn on and written over: a terminal (a stream closed or
    without a descriptor is none) whose ``TERM`` names one that takes escape sequences."""
    try:
        if stream is None or not stream.isatty():
            return False
    except (OSError, ValueError, AttributeError):  # closed, or no file at all
        return False
    return os.environ.get("TERM", "").strip().lower() not in _DUMB


def columns(stream: Any) -> int:
    """How many columns the terminal of ``stream`` has now (it may have been resized since the last line): the
    terminal's own answer, else ``COLUMNS`` when it holds a whole number of 1 or more, else 80."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        width = os.get_terminal_size(stream.fileno()).columns
        if width > 0:  # a pseudo-terminal nobody sized says 0
            return int(width)
    given = os.environ.get("COLUMNS", "")
    if given.isascii() and given.isdigit() and 0 < int(given) < 100_000:
        return int(given)
    return _DEFAULT_COLUMNS


def cells(character: str) -> int:
    """The cells of a terminal one character takes: two for a wide or full-width one, none for a combining mark or a
    format character (a zero-width joiner), one for the others."""
    import unicodedata  # here: most lines are ASCII, and every command would load it to draw none

    if unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def fitted(text: str, width: int) -> str:
    """``text`` cut to take at most ``width`` cells, ``...`` at its end when it was cut (where that fits)."""
    if len(text) <= width and text.isascii():  # the usual line, counted at once
        return text
    if sum(cells(c) for c in text) <= width:
        return text
    mark = "..." if width > 3 else ""
    room, kept = width - len(mark), []
    for character in text:
        room -= cells(character)
        if room < 0:
            break
        kept.append(character)
    return "".join(kept) + mark


def draw(stream: Any, text: str) -> None:
    """Write ``text`` over the line drawn before, cut to one row of the terminal: its last column is left free, where
    some terminals wrap at once. The caller checks `live` first."""
    with _LOCK:
        stream.write(ERASE + fitted(text, columns(stream) - 1))
        stream.flush()
        _SHOWN[:] = [stream]


def erase(stream: Any) -> None:
    """Take the line drawn off the terminal."""
    with _LOCK:
        _SHOWN.clear()
        stream.write(ERASE)
        stream.flush()


def clear(stream: Any) -> None:
    """Take the line drawn on ``stream`` off, if one is: nothing is written where none is."""
    with _LOCK:
        if any(shown is stream for shown in _SHOWN):
            erase(stream)


@contextlib.contextmanager
def writing(stream: Any) -> Iterator[None]:
    """While inside, a line may be written to ``stream``: the line drawn there, if one is, is taken off first, and
    none is drawn until the line is written."""
    with _LOCK:
        clear(stream)
        yield
