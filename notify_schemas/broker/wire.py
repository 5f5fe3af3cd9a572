"""The bodies oslo.messaging puts on the wire, checked against ``schemas/wire/`` and unwrapped to the notification.

``messaging`` (format 1.0) publishes the notification with oslo's ``_unique_id`` (and ``_context_*`` keys);
``messagingv2`` wraps that body, as JSON text, in ``{"oslo.version": "2.0", "oslo.message": ...}``. `unwrap` checks a
body whole; `envelope_faults` checks what oslo.messaging takes off a body before its listener sees the notification,
and `written_twice` what its text writes twice, which kombu's decoding no longer shows.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping
from typing import Any

from notify_schemas.message import Notification
from notify_schemas.reader import parse_as_python_reads
from notify_schemas.registry import BASE_URI, bundle, registry
from notify_schemas.validation import Violation, _RustChecker, repeated_key
from notify_schemas.wire_form import wire_view

__all__ = ["envelope_faults", "unwrap", "written_twice"]


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


def envelope_faults(body: Any, sent: Mapping[str, Any], judged: Collection[str]) -> list[Violation]:
    """How a body a broker delivered breaks its wire schema in the parts oslo.messaging takes off before its listener
    hands the notification on, where nothing else judges them: the ``messagingv2`` envelope (``body``, when it has
    ``oslo.version`` and ``oslo.message``, as oslo tells one), and the keys the 1.0 body adds to the notification
    (those of ``sent``, the 1.0 body as oslo decoded it, that ``judged``, the notification handed on, no longer has).

    oslo accepts an envelope with a key more, or a version its ``version_is_compatible`` takes (``2.0.0``, `` 2.0``,
    ``2.-1``) and drops it silently; its listener takes ``_unique_id``, every ``_context_`` key and ``_msg_id``,
    ``_reply_q``, ``_timeout`` out of the 1.0 body, whatever they hold, and none missing. Each violation's pointer is
    within the body (``/oslo.message`` for a fault of the JSON text it holds, whose own pointer the reason names),
    its rule the schema keyword, its reason naming the wire schema."""
    found: list[Violation] = []
    enveloped = isinstance(body, Mapping) and "oslo.version" in body and "oslo.message" in body
    if enveloped:
        outer = _checker("messagingv2")
        known = outer.prepared["properties"]
        shown = {k: v if k in known else None for k, v in body.items()}  # a key more: its value is not read
        found += [_said(v, "the messagingv2 envelope", "messagingv2") for v in _judged(shown, outer)]
    added = {k: v for k, v in sent.items() if k not in judged}
    for v in _judged(added, _added_by_oslo()):
        if enveloped:  # at the text that holds it, its own pointer said
            at = f"the JSON text of oslo.message at {v.pointer or '/'}"
            found.append(_said(v._replace(pointer="/oslo.message"), at, "messaging", whole=not v.pointer))
        else:
            found.append(_said(v, "the 1.0 body", "messaging"))
    return found


def _judged(part: dict[str, Any], checker: _RustChecker) -> list[Violation]:
    """What of ``part`` has no wire form (a key or text that is not valid Unicode, NaN: rules ``unicode``,
    ``not-json``, value not shown, since a ``_context_`` key may hold a token), then how its wire form breaks the
    schema of ``checker``."""
    wire = wire_view(part)
    found = [Violation(p.pointer, "", p.rule, p.message, None) for p in wire.problems]
    if not checker.fast(wire.value):
        found += checker.violations(wire.value)
    return found


def _said(violation: Violation, what: str, schema: str, *, whole: bool = False) -> Violation:
    """A violation of a wire schema as the listener writes it: naming the part and the schema; an object's value not
    shown (it is the part judged, not the body, and a ``_context_`` key may hold a token)."""
    value = "" if whole or not violation.pointer else violation.value
    return violation._replace(value=value, message=f"{what} (schemas/wire/{schema}.json): {violation.message}")


@functools.cache
def _added_by_oslo() -> _RustChecker:
    """wire/messaging.json without the notification's own keys (those envelope.json names, which the profile
    judges): what a 1.0 body adds, ``_unique_id`` required, ``_context_`` keys allowed, nothing else."""
    uri = f"{BASE_URI}wire/messaging.json"
    schema = bundle(registry(), uri, new_id=uri)
    own = registry().contents(f"{BASE_URI}envelope.json")["properties"]
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in own}
    schema["required"] = [k for k in schema["required"] if k not in own]
    return _RustChecker(schema, None)


def written_twice(text: bytes | str, enveloped: bool) -> tuple[tuple[str, ...], list[Violation]]:
    """The keys the JSON text of a body a broker delivered writes twice, which kombu decoded keeping the last (D35):
    of a 1.0 body, the pointers of the notification's own (and of ``_unique_id``, a ``_context_`` key: the body's);
    of a ``messagingv2`` envelope (``enveloped``), a violation at each of its keys (a second ``oslo.message`` hid the
    first's notification), whose inner text `notify_schemas.broker.repeated` reads. Nothing for a text the package
    cannot read (kombu's reading stands: its verdict is judged)."""
    try:
        _, repeated = parse_as_python_reads(text)
    except Exception:  # a text kombu read and Python's json does not: what kombu decoded is judged
        return (), []
    if not enveloped:
        return repeated, []
    said = "the messagingv2 envelope writes this key twice; readers disagree on which value counts"
    return (), [repeated_key(pointer)._replace(message=said) for pointer in repeated]
