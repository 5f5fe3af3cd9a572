"""The ``log`` driver: Python logging, exactly as oslo.messaging's ``log`` driver writes it.

Logger ``oslo.messaging.notification.<event_type>``, level from the priority (``WARN`` logs at WARNING), the record's
message the JSON of the whole notification, with oslo's password masking applied. What parses oslo's log output
parses this driver's unchanged; a message with a key that must never be sent, or a password in a URL, is written
with those masked too. An event type that is not a name (warn and off mode send any) is logged under
``oslo.messaging.notification`` itself, so that a log line stays one line and the loggers made stay few.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from notify_schemas.config import NotifierConfig, given_config
from notify_schemas.fresh_stack import on_fresh_stack
from notify_schemas.redaction import (
    SANITIZE_KEYS,
    mask_pointer,
    mask_text,
    may_write_forbidden,
    redact,
    type_name,
)
from notify_schemas.wire_form import has_no_wire_form_number, is_exact_json, read_at_once, to_wire

__all__ = ["LOGGER_BASE", "OWN_LOGGERS", "LogDriver", "dumps"]

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
# A message whose JSON text has none of these, lower-cased, and nothing that may write the value of a key that must
# never be sent (`may_write_forbidden`), is not changed by redaction: oslo's secret words, a URL, and the letters
# outside ASCII that oslo's patterns read as ASCII ones (U+0130, U+0131, U+017F, and U+212A, the Kelvin sign),
# escaped as json.dumps writes them.
_SUSPECT = (*SANITIZE_KEYS, "://", "\\u0130", "\\u0131", "\\u017f", "\\u212a")


def dumps(message: Any) -> str:
    """The text oslo's log driver writes, ``jsonutils.dumps(strutils.mask_dict_password(message))``, redacted.

    A message goes out as its wire form (a lazy ``Message`` as its text, a datetime as oslo writes it); one that has
    no wire form raises ``ValueError`` naming why, and the Notifier logs that this driver could not send it. Beyond
    oslo's masking, the values of keys that must never be sent and the passwords in URLs are masked
    (`notify_schemas.redaction`); a message that has neither is written exactly as oslo writes it. Only a message
    whose text holds a suspect word pays for the masking.
    """
    # Told by the types: orjson writes a UUID and an Enum member itself, json does not, and NaN it writes as null.
    if type(message) is not dict or not is_exact_json(message) or has_no_wire_form_number(message):
        wire = to_wire(message)
        if wire.problems:
            # A pointer's keys are the producer's (one may be a URL with its password): masked as a report's are.
            reasons = "; ".join(f"{mask_pointer(p.pointer) or '/'}: {p.message}" for p in wire.problems[:5])
            raise ValueError(f"the notification cannot be written as JSON: {reasons}")
        message = wire.value
    # Written on a stack of its own where the caller's has too little left for the message's depth (D96).
    return on_fresh_stack(_written, message)


def _written(message: Any) -> str:
    """`dumps` of a message that is its own wire form."""
    text = json.dumps(message, allow_nan=False)
    lowered = text.lower()
    if not any(word in lowered for word in _SUSPECT) and not may_write_forbidden(text):
        return text
    return json.dumps(read_at_once(redact, message), allow_nan=False)  # another thread may change it meanwhile


_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,255}")  # what an event type that is a name is made of
OWN_LOGGERS = 1_000
"""The event types that get a logger of their own: logging keeps every logger it makes for as long as the process
lives, and a message sent in warn or off mode may name any event type."""
_loggers: dict[str, logging.Logger] = {}


def _logger(event_type: Any) -> logging.Logger:
    """oslo's logger for ``event_type``: ``oslo.messaging.notification.<event_type>``. An event type that is not a
    name, which only warn and off mode send (a newline in it would break the log line in two and let a producer
    write a line of its own; a password in it would be shown), is logged under ``oslo.messaging.notification``
    itself, as a message without one is, and so is every event type past the first `OWN_LOGGERS`."""
    if type(event_type) is str:
        found = _loggers.get(event_type)
        if found is not None:
            return found
        if _NAME.fullmatch(event_type) and mask_text(event_type) == event_type and len(_loggers) < OWN_LOGGERS:
            found = _loggers[event_type] = logging.getLogger(f"{LOGGER_BASE}.{event_type}")
            return found
    return logging.getLogger(LOGGER_BASE)


class LogDriver:
    """Writes each notification to Python logging, as oslo.messaging's log driver does."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        given_config(config)  # none of its options applies; a wrong one is refused as every driver refuses it

    def notify(self, message: dict[str, Any], priority: str) -> None:
        if not isinstance(message, dict):
            raise TypeError(f"message must be a notification (a dict), not a value of type {type_name(message)}")
        if not isinstance(priority, str):
            raise TypeError(f"priority must be text, not a value of type {type_name(priority)}")
        logger = _logger(message.get("event_type"))
        level = _LEVELS.get(str.__str__(priority).upper(), logging.INFO)
        if logger.isEnabledFor(level):
            logger.log(level, dumps(message))
