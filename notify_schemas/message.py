"""Build the notification envelope exactly as oslo.messaging's Notifier does."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

__all__ = ["Notification", "build_message", "oslo_timestamp"]

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


def build_message(event_type: str, priority: str, payload: Any, publisher_id: str) -> Notification:
    """The six-key envelope, in oslo's key order: a UUID4 ``message_id``, upper-case ``priority``, oslo's timestamp."""
    return {
        "message_id": str(uuid.uuid4()),
        "publisher_id": publisher_id,
        "event_type": event_type,
        "priority": priority.upper(),
        "payload": payload,
        "timestamp": oslo_timestamp(),
    }
