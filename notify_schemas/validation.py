"""Validate a notification against the schema of its own variant.

The message is dispatched on ``(event_type, priority)`` to that variant's validator, built once per process from
the variant's bundled schema and shared between threads. Two backends read the same schema: ``"rust"``
(jsonschema-rs, the default, at the speed of JSON parsing) and ``"python"`` (python-jsonschema, the reference).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Protocol

import jsonschema
import jsonschema_rs

from notify_schemas.errors import InvalidNotificationError, UnknownVariantError
from notify_schemas.registry import bundle, bundled_schema, registry, variant, variants
from notify_schemas.values import BASE_URI, Variant, Violation

__all__ = [
    "Backend",
    "Violation",
    "is_valid",
    "iter_errors",
    "validate",
    "validity_table",
]

Backend = Literal["rust", "python"]
_VALUE_WIDTH = 80
_encode_string = json.encoder.encode_basestring  # the C encoder when present


def _shorten(value: Any) -> str:
    """The value as JSON, cut to 80 characters; scalars skip the general encoder, which dominates a report's cost."""
    if isinstance(value, str):
        text = _encode_string(value)
    elif value is None or isinstance(value, bool):
        text = "null" if value is None else ("true" if value else "false")
    elif isinstance(value, int):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=repr)
        except (ValueError, RecursionError):
            text = repr(value)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class _Checker(Protocol):
    fast: Callable[[Any], bool]
    """The validator's own is_valid, with no Python frame in between: what the hot path calls."""

    def violations(self, message: Any) -> Iterator[Violation]: ...


def _message(rule: str, message: str, shown: str, schema: Any) -> str:
    """jsonschema's words, except for a pattern: the name of the value type reads better than the regex."""
    if rule == "pattern" and isinstance(schema, Mapping) and "title" in schema:
        return f"{shown} is not a valid {schema['title']}"
    return message


def _rust_patterns(node: Any) -> Any:
    """The schema with each pattern's ``$(?!\\n)`` end anchor written ``$``, which means the same in Rust's regex.

    The look-ahead is there for Python's ``$`` (D3 in DECISIONS.md); jsonschema-rs would need its backtracking regex
    engine for it, at several times the cost of its linear one.
    """
    if isinstance(node, dict):
        return {
            k: v.replace("$(?!\\n)", "$") if k == "pattern" and isinstance(v, str) else _rust_patterns(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rust_patterns(v) for v in node]
    return node


def _forbidden(pointer: str, value: Any, key: tuple[str, str] | None) -> Violation:
    return Violation(pointer, _shorten(value), "forbidden", "this key must never be sent: it may hold credentials", key)


class _RustChecker:
    def __init__(self, schema: Mapping[str, Any], key: tuple[str, str] | None) -> None:
        # Every $ref inlined (the bundled schemas have no cycles): jsonschema-rs then follows no reference at run time.
        prepared = jsonschema_rs.dereference(_rust_patterns(dict(schema)))
        prepared.pop("definitions", None)
        self._schema = prepared
        self._validator = jsonschema_rs.validator_for(prepared)
        self._key = key
        self.fast: Callable[[Any], bool] = self._validator.is_valid

    def _subschema(self, path: Any) -> Any:
        node: Any = self._schema
        for part in path:
            node = node[part] if isinstance(node, Mapping) else node[int(part)]
        return node

    def violations(self, message: Any) -> Iterator[Violation]:
        for error in self._validator.iter_errors(message):
            if type(error.kind).__name__ == "FalseSchema":
                yield _forbidden(_pointer(error.instance_path), error.instance, self._key)
                continue
            rule = str(error.schema_path[-1]) if error.schema_path else "schema"
            schema = self._subschema(error.schema_path[:-1]) if rule == "pattern" else None
            shown = _shorten(error.instance)
            yield Violation(
                _pointer(error.instance_path), shown, rule, _message(rule, error.message, shown, schema), self._key
            )


class _PythonChecker:
    def __init__(self, schema: Mapping[str, Any], key: tuple[str, str] | None) -> None:
        self._validator = jsonschema.Draft7Validator(schema)
        self._key = key
        self.fast: Callable[[Any], bool] = self._validator.is_valid

    def violations(self, message: Any) -> Iterator[Violation]:
        for error in self._validator.iter_errors(message):
            if error.validator is None:  # a `false` schema: the key is not allowed at all
                yield _forbidden(_pointer(error.absolute_path), error.instance, self._key)
                continue
            rule = str(error.validator)
            shown = _shorten(error.instance)
            yield Violation(
                _pointer(error.absolute_path),
                shown,
                rule,
                _message(rule, error.message, shown, error.schema),
                self._key,
            )


_BACKENDS: dict[str, type[_RustChecker] | type[_PythonChecker]] = {"rust": _RustChecker, "python": _PythonChecker}
_checkers: dict[tuple[str, str, str, str], _Checker] = {}
_lock = threading.Lock()


def _checker(profile: str, event_type: str, priority: str, backend: str) -> _Checker:
    """The validator of one variant, built on first use and then shared; never rebuilt."""
    key = (profile, event_type, priority, backend)
    found = _checkers.get(key)
    if found is None:
        with _lock:
            found = _checkers.get(key)
            if found is None:
                if backend not in _BACKENDS:
                    raise ValueError(f"unknown backend {backend!r}; known backends: {', '.join(_BACKENDS)}")
                if event_type == "" and priority == "":
                    schema = registry().contents(BASE_URI + "envelope.json")
                    schema = _bundle_envelope(schema)
                    found = _BACKENDS[backend](schema, None)
                else:
                    v = Variant(profile, event_type, priority)
                    found = _BACKENDS[backend](bundled_schema(v), (event_type, priority))
                _checkers[key] = found
    return found


def _bundle_envelope(schema: Mapping[str, Any]) -> dict[str, Any]:
    return bundle(registry(), schema["$id"], new_id=schema["$id"])


@functools.cache
def _known(profile: str) -> frozenset[tuple[str, str]]:
    return frozenset((v.event_type, v.priority) for v in variants(profile))


def _variant_key(message: Any) -> tuple[str, str]:
    """``(event_type, priority)`` when both are strings, else empty strings: values of any type must not crash."""
    if isinstance(message, dict):
        event_type, priority = message.get("event_type"), message.get("priority")
        if isinstance(event_type, str) and isinstance(priority, str):
            return event_type, priority
    return "", ""


def iter_errors(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> Iterator[Violation]:
    """Every violation of ``message`` against its variant in ``profile``; nothing when it is valid.

    A message whose ``(event_type, priority)`` is not in the profile yields one ``variant`` violation naming the
    known ones and the closest match, followed by whatever the envelope schema finds.
    """
    event_type, priority = _variant_key(message)
    if (event_type, priority) in _known(profile):
        yield from _checker(profile, event_type, priority, backend).violations(message)
        return
    if event_type and priority:
        try:
            variant(event_type, priority, profile=profile)
        except UnknownVariantError as error:
            pointer = "/priority" if any(e == event_type for e, _ in _known(profile)) else "/event_type"
            value = priority if pointer == "/priority" else event_type
            yield Violation(pointer, _shorten(value), "variant", str(error), None)
    yield from _checker(profile, "", "", backend).violations(message)


# (profile, backend) -> (event_type, priority) -> the variant validator's is_valid: the hot path is two lookups.
_fast: dict[tuple[str, str], dict[tuple[str, str], Callable[[Any], bool]]] = {}


def validity_table(profile: str, backend: Backend) -> dict[tuple[str, str], Callable[[Any], bool]]:
    """The shared ``(event_type, priority) -> is_valid`` table of a profile, filled as variants are first used.

    For callers on a hot path (the Notifier): a miss means "not checked yet", never "invalid"; ask `is_valid`.
    """
    return _fast.setdefault((profile, backend), {})


def is_valid(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> bool:
    """Whether ``message`` is valid against its variant in ``profile``."""
    try:
        return bool(_fast[profile, backend][message["event_type"], message["priority"]](message))
    except (KeyError, TypeError, IndexError):
        pass
    key = _variant_key(message)
    if key not in _known(profile):
        return False
    check = _checker(profile, key[0], key[1], backend).fast
    validity_table(profile, backend)[key] = check
    return check(message)


def validate(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> None:
    """Raise `InvalidNotificationError`, carrying every violation, unless ``message`` is valid in ``profile``."""
    try:
        if _fast[profile, backend][message["event_type"], message["priority"]](message):
            return
    except (KeyError, TypeError, IndexError):
        if is_valid(message, profile=profile, backend=backend):
            return
    violations = tuple(iter_errors(message, profile=profile, backend=backend))
    raise InvalidNotificationError(message, violations, profile=profile)
