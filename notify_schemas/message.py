"""Build the notification envelope exactly as oslo.messaging's Notifier does."""

from __future__ import annotations

import datetime
import os
import time
from typing import Any

__all__ = ["Notification", "build_message", "oslo_timestamp", "uuid4"]

Notification = dict[str, Any]


def oslo_timestamp(now: datetime.datetime | None = None) -> str:
    """UTC time as oslo.messaging writes it: ``str(utcnow())``, e.g. ``2026-11-24 20:13:46.597409``.

    A space between date and time, no zone, and no fraction when the microseconds are zero.
    """
    if now is None:
        now = datetime.datetime.now(datetime.UTC)
    if now.tzinfo is not None:
        now = now.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(now)


_VARIANT = "89ab" * 4


def uuid4() -> str:
    """``str(uuid.uuid4())`` without the UUID object: 16 bytes of os.urandom, version 4, the RFC 4122 variant."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"


def build_message(event_type: str, priority: str, payload: Any, publisher_id: str) -> Notification:
    """The six-key envelope, in oslo's key order: a UUID4 ``message_id``, upper-case ``priority``, oslo's timestamp."""
    return {
        "message_id": uuid4(),
        "publisher_id": publisher_id,
        "event_type": event_type,
        "priority": priority.upper(),
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
