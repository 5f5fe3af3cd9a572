"""Build the notification envelope exactly as oslo.messaging's Notifier does."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterator
from typing import Any

from notify_schemas.redaction import type_name

__all__ = ["Notification", "build_message", "envelope", "oslo_timestamp", "uuid4"]

Notification = dict[str, Any]


def oslo_timestamp(now: datetime.datetime | None = None) -> str:
    """UTC time as oslo.messaging writes it: ``str(utcnow())``, e.g. ``2026-11-24 20:13:46.597409``.

    A space between date and time, no zone, and no fraction when the microseconds are zero. `TypeError` for a ``now``
    that is not a datetime (a date, a number, text), which failed inside with AttributeError; a subclass's own
    ``__str__`` is not asked (it may write anything).
    """
    if now is None:
        now = datetime.datetime.now(datetime.UTC)
    elif not isinstance(now, datetime.datetime):
        raise TypeError(f"now must be a datetime or None, not a value of type {type_name(now)}")
    if now.tzinfo is not None:
        now = datetime.datetime.astimezone(now, datetime.UTC).replace(tzinfo=None)
    return datetime.datetime.isoformat(now, " ")


_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}
_BATCH = 256


class _Ids:
    """``str(uuid.uuid4())`` without the UUID object: os.urandom, version 4, the RFC 4122 variant.

    The random bytes are drawn for 256 ids at once, which halves the cost of one. Taking the next id is one C call
    (a list iterator's ``next``), so threads never share one; threads that find the batch empty at once each draw a
    batch of their own. A forked child draws afresh (``os.register_at_fork``), so that parent and child never send
    the same ids.
    """

    def __init__(self) -> None:
        self._batch: Iterator[str] = iter(())

    def __call__(self) -> str:
        try:
            return next(self._batch)
        except StopIteration:
            self._batch = batch = iter(self._draw())
            return next(batch)

    @staticmethod
    def _draw() -> list[str]:
        h = os.urandom(16 * _BATCH).hex()
        return [
            f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-{_VARIANT[h[i + 16]]}{h[i + 17 : i + 20]}-"
            f"{h[i + 20 : i + 32]}"
            for i in range(0, 32 * _BATCH, 32)
        ]

    def forget(self) -> None:
        self._batch = iter(())


_ids = _Ids()
os.register_at_fork(after_in_child=_ids.forget)


def uuid4() -> str:
    """A new ``str(uuid.uuid4())``: random version-4 UUID text."""
    return _ids()


def build_message(event_type: str, priority: str, payload: Any, publisher_id: str) -> Notification:
    """The six-key envelope, in oslo's key order: a UUID4 ``message_id``, upper-case ``priority``, oslo's timestamp.

    Any event type, payload and publisher id are put in as they are, for validation to judge; the priority, which is
    upper-cased, must be text.
    """
    if not isinstance(priority, str):
        raise TypeError(f"priority must be text, not a value of type {type_name(priority)}")
    return envelope(event_type, str.__str__(priority).upper(), payload, publisher_id)


def envelope(event_type: str, priority: str, payload: Any, publisher_id: str) -> Notification:
    """`build_message` for a priority that is upper-case already (the Notifier's own: INFO, WARN, ERROR)."""
    return {
        "message_id": _ids(),
        "publisher_id": publisher_id,
        "event_type": event_type,
        "priority": priority,
        "payload": payload,
        "timestamp": _now(),
    }


class _Clock:
    """``str(utcnow())`` at a quarter of the cost: the text up to the seconds is made once per second.

    The cached pair is replaced whole, so threads that race see either the old second or the new one, both right.
    """

    def __init__(self) -> None:
        self._second: tuple[int, str] = (-1, "")

    def __call__(self) -> str:
        micros = time.time_ns() // 1000
        second, fraction = divmod(micros, 1_000_000)
        cached = self._second
        if cached[0] != second:
            cached = (second, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second)))
            self._second = cached
        return f"{cached[1]}.{fraction:06d}" if fraction else cached[1]


_now = _Clock()
