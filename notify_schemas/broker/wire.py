"""The bodies oslo.messaging puts on the wire, checked against ``schemas/wire/`` and unwrapped to the notification.

``messaging`` (format 1.0) publishes the notification with oslo's ``_unique_id`` (and ``_context_*`` keys);
``messagingv2`` wraps that body, as JSON text, in ``{"oslo.version": "2.0", "oslo.message": ...}``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from notify_schemas.message import Notification
from notify_schemas.registry import BASE_URI, bundle, registry
from notify_schemas.validation import Violation, _RustChecker

__all__ = ["unwrap"]


@functools.cache
def _checker(name: str) -> _RustChecker:
    uri = f"{BASE_URI}wire/{name}.json"
    return _RustChecker(bundle(registry(), uri, new_id=uri), None)


def unwrap(body: str | bytes | dict[str, Any]) -> tuple[Notification | None, list[Violation]]:
    """The notification inside a wire body, and every way the body breaks its wire schema (outer and inner)."""
    data = json.loads(body) if isinstance(body, str | bytes) else body
    violations: list[Violation] = []
    if isinstance(data, dict) and "oslo.version" in data:
        violations += _checker("messagingv2").violations(data)
        if violations:
            return None, violations
        try:
            data = json.loads(data["oslo.message"])
        except ValueError as error:
            return None, [Violation("/oslo.message", "", "json", f"not JSON: {error}", None)]
    inner = list(_checker("messaging").violations(data))
    if inner or not isinstance(data, dict):
        return None, violations + inner
    notification = {k: v for k, v in data.items() if k != "_unique_id" and not k.startswith("_context_")}
    return notification, violations
