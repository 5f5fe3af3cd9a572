"""Turn Glance's domain objects into the payload a variant requires.

The keys of each payload come from the variant's schema, never from a list kept here; this module only knows how a
Glance object names each value (``image_id`` for ``id``, ``extra_properties`` for ``properties``, ...) and how to
write it (dates as ``%Y-%m-%dT%H:%M:%SZ``). A key the schema does not have, such as ``locations`` or ``task_input``,
is never copied.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from notify_schemas.redaction import error_text, quoted
from notify_schemas.registry import Variant, bundled_schema, definition_name, plain_variant, variant
from notify_schemas.wire_form import MAX_ITEMS

__all__ = [
    "Unread",
    "image_payload",
    "image_send_payload",
    "isotime",
    "payload_properties",
    "record_payload",
    "task_payload",
]

_MISSING = object()


class Unread:
    """What a payload holds where reading the producer's object raised (a property, ``__getitem__``, ``__contains__``
    or the iteration of its tags or properties: a record whose lazy load fails): the builder does not raise, and
    validation names the key, ``cannot be read`` (rule ``not-json``), as it names a value whose own code raises. Each
    reading raises the error again, so the payload is never sent, nor judged valid however often it is read."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        if not isinstance(error, Exception):  # a BaseException (Ctrl-C) is never held: it ends the run where it lands
            raise TypeError(f"error must be an exception, not {quoted(error)}")
        # The producer's frames are not kept alive; BaseException's own method, since a producer's exception class
        # may have one of its own that raises.
        self.error = BaseException.with_traceback(error, None)

    def __iter__(self) -> Any:
        raise BaseException.with_traceback(self.error, None)


def _read(read: Callable[..., Any], *args: Any) -> Any:
    """``read(*args)``: a value read from the producer's object, or `Unread` where its own code raised."""
    try:
        return read(*args)
    except Exception as error:
        return Unread(error)


def isotime(value: Any) -> Any:
    """A datetime as Glance writes it in notifications (``2026-11-24T20:13:46Z``); other values unchanged, and so is
    a datetime of the producer's whose own code (its ``strftime``, its zone's ``utcoffset``) raises: copied as it is,
    for validation to name (``cannot be read``), never an exception out of a payload builder."""
    if isinstance(value, datetime.datetime):
        try:
            if value.tzinfo is not None:
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        except Exception:
            return value
    return value


def _get(obj: Any, *names: str, default: Any = _MISSING) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return default


def payload_properties(v: Variant) -> dict[str, dict[str, Any]]:
    """The payload's keys, in schema order, each with the schema that applies to it after every refinement."""
    return _payload_properties(plain_variant(v, "payload_properties"))


@functools.cache
def _payload_properties(v: Variant) -> dict[str, dict[str, Any]]:
    schema = bundled_schema(v)
    definitions = schema["definitions"]
    merged: dict[str, dict[str, Any]] = {}

    def visit(node: Any) -> None:
        if not isinstance(node, Mapping):  # true or false: no key named
            return
        if "$ref" in node:
            visit(definitions[definition_name(node["$ref"])])
            return
        for part in node.get("allOf", []):
            visit(part)
        for key, sub in node.get("properties", {}).items():
            if sub is False:  # a key the schema forbids (locations, task_input): never part of a payload
                continue
            merged.setdefault(key, {}).update(_resolve(sub, definitions))

    properties = schema.get("properties", {})
    visit(properties.get("payload", True) if isinstance(properties, Mapping) else True)
    return merged


def _resolve(node: Any, definitions: Mapping[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref``s followed, as an object schema (``true`` is ``{}``)."""
    while isinstance(node, Mapping) and "$ref" in node:
        node = definitions[definition_name(node["$ref"])]
    return dict(node) if isinstance(node, Mapping) else {}


Getter = Callable[[Any], Any]


def record_payload(
    obj: Any,
    v: Variant,
    getters: Mapping[str, Getter] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The payload of ``v`` filled from ``obj`` (a mapping or an object with attributes).

    Each key of the variant's schema is read through ``getters[key]`` when given, else from the attribute or item of
    the same name; datetimes become Glance's notification form. A key the schema pins to null is null, and one it
    pins to a constant takes that constant when ``obj`` does not have it; a delete event's record is marked deleted.
    ``extra`` overrides, for keys the schema has; any other key is refused.
    """
    v = plain_variant(v, "record_payload")
    properties = payload_properties(v)
    unknown = set(extra) - set(properties)
    if unknown:
        raise TypeError(f"{v.event_type} {v.priority} has no payload key {', '.join(sorted(unknown))}")
    read = _getters(getters, properties)
    payload: dict[str, Any] = {}
    for key, schema in properties.items():
        if key in extra:
            value = extra[key]
        elif schema.get("type") == "null":
            value = None
        else:
            value = _read(read[key], obj) if key in read else _read(_get, obj, key)
            if value is _MISSING:
                if "const" in schema:
                    value = schema["const"]
                else:
                    continue
        payload[key] = isotime(value)
    if properties.get("deleted", {}).get("const") is True and "deleted" not in extra:
        # A delete event announces the deletion, as Glance does: deleted, and when (now, unless the record knows).
        payload["deleted"] = True
        if payload.get("deleted_at") is None:  # only when unknown: a value of the producer's is judged as it is
            payload["deleted_at"] = isotime(datetime.datetime.now(datetime.UTC))
    return payload


def _getters(getters: Any, properties: Mapping[str, Any]) -> dict[str, Getter]:
    """The getters a producer gives, as a dict of the payload's keys: each asked of the mapping once, here, so that
    the mapping's own failure (its ``in`` or ``[]`` raising) or a getter that cannot be called is a `TypeError`
    naming it, not the producer's exception out of the builder, nor a value `Unread` for the producer's record. What
    is not a mapping is refused: an endless generator, asked whether it held a key, was read for ever."""
    if getters is None:
        return {}
    if not isinstance(getters, Mapping):
        raise TypeError(f"getters must be a mapping of payload keys to functions, not {quoted(getters)}")
    found: dict[str, Getter] = {}
    for key in properties:
        try:
            if key not in getters:
                continue
            getter = getters[key]
        except Exception as error:
            raise TypeError(f"getters must be a mapping; reading {key!r} of it raised {error_text(error)}") from None
        if not callable(getter):
            raise TypeError(f"getters[{key!r}] must be a function of the record, not {quoted(getter)}")
        found[key] = getter
    return found


def _split(text: Any) -> Any:
    """A list of stores as Glance keeps it, text with commas between the names, as a list; none (None) is an empty
    one. Anything else is left as it is, for validation to name: a producer's value is never asked its truth nor
    turned into text (a list would become ``"['a'"``)."""
    if text is None:
        return []
    if isinstance(text, str):
        return [s for s in str.split(text, ",") if s]
    return text


def _is_public(image: Any) -> bool:
    """Whether the image's visibility is ``public``: only text is compared, never a producer's object, whose own
    ``__eq__`` may raise or say yes to anything."""
    visibility = _get(image, "visibility", default=None)
    return isinstance(visibility, str) and str.__eq__(visibility, "public")


def _tags(image: Any) -> Any:
    """The image's tags as a list, sorted when all are text (Glance keeps them in a set, so any order is its own).

    What is not a collection of tags (None, a number, a text, which would be read letter by letter as tags) is left
    as it is, for validation to name; tags that cannot be ordered keep the order they came in.
    """
    tags = _get(image, "tags", default=[])
    if isinstance(tags, str | bytes | Mapping) or not isinstance(tags, Iterable):
        return tags
    found = list(itertools.islice(tags, MAX_ITEMS + 1))  # an iterable that never ends is read no further
    if len(found) > MAX_ITEMS:  # more than a wire form reads: what was read and the rest, which validation refuses
        return itertools.chain(found, tags)
    return sorted(found) if all(type(tag) is str for tag in found) else found


def _extra_properties(image: Any) -> Mapping[str, Any]:
    props = _get(image, "extra_properties", "properties", default={})
    return props if isinstance(props, Mapping) else {}


_NEVER_COPIED = frozenset({"locations", "location", "direct_url"})  # the keys an image's schema refuses there too


def _not_forbidden(key: Any) -> bool:
    """Whether an extra property's key is none of those never copied (``locations``, ...), told by its text alone: a
    ``str`` subclass's own ``__hash__`` or ``__eq__`` may say it is another key."""
    return not (isinstance(key, str) and str.__str__(key) in _NEVER_COPIED)


def _task_message(task: Any) -> Any:
    """The task's message; empty text, which Glance keeps for a task without one, is none (null). Any other value
    is copied as it is, never asked its truth (``0`` or ``[]`` became null, and a value whose ``__bool__`` raised
    raised out of task_payload)."""
    message = _get(task, "message", default=None)
    return None if isinstance(message, str) and not str.__len__(message) else message


_IMAGE_GETTERS: dict[str, Getter] = {
    "id": lambda i: _get(i, "image_id", "id"),
    "is_public": _is_public,
    "properties": lambda i: {k: v for k, v in _extra_properties(i).items() if _not_forbidden(k)},
    "tags": _tags,
    "deleted": lambda i: _get(i, "deleted", default=False),
    "deleted_at": lambda i: _get(i, "deleted_at", default=None),
    "os_glance_importing_to_stores": lambda i: _split(_extra_properties(i).get("os_glance_importing_to_stores")),
    "os_glance_failed_import": lambda i: _split(_extra_properties(i).get("os_glance_failed_import")),
}


def image_payload(
    image: Any, *, event_type: str = "image.update", profile: str = "seed", **extra: Any
) -> dict[str, Any]:
    """The INFO payload of an image event: the image metadata, read from a Glance image (object or mapping).

    For the seed profile's image.delete that is the image id; ``extra`` sets keys such as ``backend``.
    """
    v = variant(event_type, "INFO", profile=profile)  # plain text from here on: a subclass's own == may raise or lie
    if v.event_type == "image.delete" and v.profile == "seed":
        return _read(_get, image, "image_id", "id")  # type: ignore[no-any-return]
    return record_payload(image, v, _IMAGE_GETTERS, **extra)


def image_send_payload(
    image: Any,
    *,
    bytes_sent: int,
    receiver_tenant_id: str | None,
    receiver_user_id: str | None,
    destination_ip: str | None = None,
    priority: str = "INFO",
    profile: str = "seed",
) -> dict[str, Any]:
    """The image.send payload for a transfer of ``image``; ``destination_ip`` is used where the profile has it."""
    v = variant("image.send", priority, profile=profile)
    values = {
        "image_id": _read(_get, image, "image_id", "id"),
        "owner_id": _read(lambda: _get(image, "owner", "owner_id", default=None)),
        "receiver_tenant_id": receiver_tenant_id,
        "receiver_user_id": receiver_user_id,
        "destination_ip": destination_ip,
        "bytes_sent": bytes_sent,
    }
    return record_payload(values, v)


_TASK_GETTERS: dict[str, Getter] = {
    "id": lambda t: _get(t, "task_id", "id"),
    "task_id": lambda t: _get(t, "task_id", "id"),
    "type": lambda t: _get(t, "type", "task_type"),
    "task_type": lambda t: _get(t, "type", "task_type"),
    "deleted": lambda t: _get(t, "deleted", default=False),
    "deleted_at": lambda t: _get(t, "deleted_at", default=None),
    "result": lambda t: _get(t, "result", default=None),
    "message": _task_message,
    "expires_at": lambda t: _get(t, "expires_at", default=None),
}


def task_payload(task: Any, *, event_type: str = "task.run", profile: str = "seed", **extra: Any) -> dict[str, Any]:
    """The INFO payload of a task event, read from a Glance task; ``task_input`` is never copied.

    Glance writes the current time for a task with no expiry; the glance profile's builder does the same.
    """
    v = variant(event_type, "INFO", profile=profile)
    payload = record_payload(task, v, _TASK_GETTERS, **extra)
    if v.profile == "glance" and payload.get("expires_at") is None:  # v's, plain text: a subclass's own == may lie
        payload["expires_at"] = isotime(datetime.datetime.now(datetime.UTC))
    return payload
