"""The ``log`` driver: Python logging, exactly as oslo.messaging's ``log`` driver writes it.

Logger ``oslo.messaging.notification.<event_type>``, level from the priority (``WARN`` logs at WARNING), the record's
message the JSON of the whole notification, with oslo's password masking applied. What parses oslo's log output
parses this driver's unchanged; a message with a key that must never be sent, or a password in a URL, is written
with those masked too.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from notify_schemas.config import NotifierConfig
from notify_schemas.redaction import FORBIDDEN_KEYS, SANITIZE_KEYS, mask_pointer, mask_text, redact
from notify_schemas.wire_form import is_plain, to_wire

__all__ = ["LOGGER_BASE", "LogDriver", "dumps"]

LOGGER_BASE = "oslo.messaging.notification"
_LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "AUDIT": logging.INFO,
    "SAMPLE": logging.INFO,
    "WARN": logging.WARNING,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "CRITICAL": logging.CRITICAL,
}
# A message whose JSON text has none of these, lower-cased, is not changed by redaction: oslo's secret words, the
# keys that must never be sent, a URL, and the letters outside ASCII that oslo's patterns read as ASCII ones (U+0130,
# U+0131, U+017F, and U+212A, the Kelvin sign), escaped as json.dumps writes them.
_SUSPECT = (*SANITIZE_KEYS, *FORBIDDEN_KEYS, "://", "\\u0130", "\\u0131", "\\u017f", "\\u212a")


def dumps(message: Any) -> str:
    """The text oslo's log driver writes, ``jsonutils.dumps(strutils.mask_dict_password(message))``, redacted.

    A message goes out as its wire form (a lazy ``Message`` as its text, a datetime as oslo writes it); one that has
    no wire form raises ``ValueError`` naming why, and the Notifier logs that this driver could not send it. Beyond
    oslo's masking, the values of keys that must never be sent and the passwords in URLs are masked
    (`notify_schemas.redaction`); a message that has neither is written exactly as oslo writes it. Only a message
    whose text holds a suspect word pays for the masking.
    """
    if type(message) is not dict or not is_plain(message):
        wire = to_wire(message)
        if wire.problems:
            # A pointer's keys are the producer's (one may be a URL with its password): masked as a report's are.
            reasons = "; ".join(f"{mask_pointer(p.pointer) or '/'}: {p.message}" for p in wire.problems[:5])
            raise ValueError(f"the notification cannot be written as JSON: {reasons}")
        message = wire.value
    text = json.dumps(message, allow_nan=False)  # NaN and infinities: ValueError, the driver failed
    lowered = text.lower()
    if not any(word in lowered for word in _SUSPECT):
        return text
    return json.dumps(redact(message), allow_nan=False)


class LogDriver:
    """Writes each notification to Python logging, as oslo.messaging's log driver does."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        del config

    def notify(self, message: dict[str, Any], priority: str) -> None:
        if not isinstance(message, dict):
            raise TypeError(f"message must be a notification (a dict), not a value of type {type(message).__name__}")
        if not isinstance(priority, str):
            raise TypeError(f"priority must be text, not a value of type {type(priority).__name__}")
        # The event type of a message sent in warn mode may be any text, or missing: it is masked like any other.
        event_type = message.get("event_type")
        name = LOGGER_BASE if event_type is None else f"{LOGGER_BASE}.{mask_text(str(event_type))}"
        logger = logging.getLogger(name)
        level = _LEVELS.get(str.__str__(priority).upper(), logging.INFO)
        if logger.isEnabledFor(level):
            logger.log(level, dumps(message))
