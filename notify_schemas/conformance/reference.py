"""The package's own producer: what a conforming implementation sends for an intent, built with the runtime."""

from __future__ import annotations

from typing import Any

from notify_schemas import variant
from notify_schemas.conformance.records import Intent
from notify_schemas.message import build_message
from notify_schemas.payloads import record_payload

__all__ = ["produce"]

PUBLISHER = "image.conformance"


def produce(intent: Intent) -> dict[str, Any]:
    """One notification for ``intent``: the payload's keys come from the variant's schema, so nothing leaks."""
    record = intent["record"]
    if set(record) == {"text"}:
        payload: Any = record["text"]
    elif intent["profile"] == "seed" and intent["event_type"] == "image.delete" and intent["priority"] == "INFO":
        payload = record["id"]
    else:
        payload = record_payload(record, variant(intent["event_type"], intent["priority"], profile=intent["profile"]))
    return build_message(intent["event_type"], intent["priority"], payload, intent.get("publisher_id", PUBLISHER))
