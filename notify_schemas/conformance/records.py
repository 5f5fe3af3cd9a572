"""What an intent is: the domain record a producer is asked to announce, its secrets, and the payload it must send.

The ground floor of the conformance suite: the generation, the checks and the producers all read it.
"""

from __future__ import annotations

import copy
from typing import Any

from notify_schemas.values import Variant

__all__ = ["SECRETS", "SECRET_PASSWORD", "SECRET_URL", "Intent", "expected_payload", "record_for"]

Intent = dict[str, Any]
SECRET_PASSWORD = "s3cr3t-conformance"
SECRET_URL = f"swift://admin:{SECRET_PASSWORD}@swift.example/v1/images/c0ffee"
SECRETS: dict[str, Any] = {
    "image": {"locations": [{"url": SECRET_URL, "metadata": {}}], "direct_url": SECRET_URL},
    "task": {"task_input": {"import_from": SECRET_URL, "import_from_format": "qcow2"}},
}


def _kind(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "text"
    if "disk_format" in payload:
        return "image"
    if {"owner", "status", "expires_at"} <= payload.keys():
        return "task"
    return "record"


def record_for(v: Variant, payload: Any) -> dict[str, Any]:
    """The domain record behind a valid payload of ``v``: the payload, plus the secrets a real object would hold."""
    if v.profile == "seed" and v.event_type == "image.delete" and v.priority == "INFO":
        return {"id": payload, **copy.deepcopy(SECRETS["image"])}
    kind = _kind(payload)
    if kind == "text":
        return {"text": payload}
    return {**copy.deepcopy(payload), **copy.deepcopy(SECRETS.get(kind, {}))}


def expected_payload(intent: Intent) -> Any:
    """The payload the specification requires for ``intent``: the record, without what must never be sent."""
    record = intent["record"]
    if set(record) == {"text"}:
        return record["text"]
    if intent["profile"] == "seed" and intent["event_type"] == "image.delete" and intent["priority"] == "INFO":
        return record["id"]
    secret = {k for values in SECRETS.values() for k in values}
    return {k: v for k, v in record.items() if k not in secret}
