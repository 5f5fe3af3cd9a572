"""Valid example notifications, reproducible from a seed: for documentation, demos and ``notify-schemas sample``.

Values are drawn from each payload key's schema (its enum, constant, type and bounds), with realistic Glance values
for the value types the schemas name (UUIDs, dates, project ids, image names, ...). Every sample is validated before
it is returned.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from notify_schemas.message import Notification, oslo_timestamp
from notify_schemas.redaction import quoted, unreadable
from notify_schemas.registry import Variant, bundled_schema, definition_name, variant
from notify_schemas.validation import validate

__all__ = ["cohere", "samples"]

_EPOCH = datetime.datetime(2026, 1, 1)
_NAMES = ["cirros-0.6.2", "ubuntu-24.04-server", "fedora-41", "windows-2022", "D\u00e9bian 12 \u2014 stable", "x"]
_ERRORS = [
    "Image storage media is full: no space left on device",
    "Insufficient permissions on image storage media",
    "Failed to upload image data due to HTTP error: 503 Service Unavailable",
    "Task failed: image conversion to raw timed out",
]
# Glance's stores are named by the keys of its enabled_backends option.
_STORES = ["fast", "cheap", "ceph-1", "file1", "reliable"]
STORE_KEYS = frozenset({"backend", "os_glance_importing_to_stores", "os_glance_failed_import"})
_WORDS = ["alpha", "quota", "gpu", "hw_rng", "OS::Compute::Quota", "OS::Nova::Flavor", "cpu_period", "fast"]


class _Draw:
    def __init__(self, rng: random.Random, definitions: Mapping[str, Any]) -> None:
        self.rng = rng
        self.definitions = definitions

    def resolve(self, schema: Any) -> tuple[str, dict[str, Any]]:
        """The schema with its $ref followed and its allOf merged, and the name of the definition it came from. A
        boolean schema is read as the object schema that says the same: ``true`` as ``{}``, ``false`` as
        ``{"not": {}}``."""
        name = ""
        while isinstance(schema, Mapping) and "$ref" in schema:
            name = definition_name(schema["$ref"])
            schema = self.definitions[name]
        if not isinstance(schema, Mapping):
            return name, {"not": {}} if schema is False else {}
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema.get("allOf", []):
            part_name, part_schema = self.resolve(part)
            name = name or part_name
            for key, value in part_schema.items():
                if key == "properties":
                    merged.setdefault("properties", {})
                    merged["properties"] = {**merged["properties"], **value}
                    for prop, sub in value.items():
                        if prop in merged["properties"] and prop in schema.get("properties", {}):
                            merged["properties"][prop] = sub
                elif key not in merged:
                    merged[key] = value
        return name, merged

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def when(self) -> datetime.datetime:
        return _EPOCH + datetime.timedelta(seconds=self.rng.randrange(0, 300 * 86400))

    def value(self, key: str, schema: Any) -> Any:
        name, s = self.resolve(schema)
        if "const" in s:
            return s["const"]
        if "enum" in s:
            return self.rng.choice(s["enum"])
        for combinator in ("anyOf", "oneOf"):
            if combinator in s:
                options = s[combinator]
                non_null = [o for o in options if o != {"type": "null"}]
                choice = non_null[0] if non_null and self.rng.random() < 0.8 else self.rng.choice(options)
                return self.value(key, {**{k: v for k, v in s.items() if k != combinator}, **self.resolve(choice)[1]})
        kind = s.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null") if self.rng.random() < 0.8 else self.rng.choice(kind)
        if kind == "null":
            return None
        if kind == "object" or "properties" in s:
            return _conditional(s, self.record(s))
        if kind == "array":
            return self.array(key, s)
        if kind == "integer":
            return self.integer(s)
        if kind == "number":
            return self.rng.choice([0, 1000, 2.5])
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "string" or "pattern" in s or "anyOf" in s:
            return self.text(key, name, s.get("title", ""), s)
        return None

    def array(self, key: str, s: Mapping[str, Any]) -> list[Any]:
        items = s.get("items", {})
        if isinstance(items, list):  # one schema an item, in order
            return [self.value(key, item) for item in items]
        drawn = {repr(v): v for v in (self.value(key, items) for _ in range(self.rng.randrange(0, 4)))}
        return list(drawn.values())

    def integer(self, s: Mapping[str, Any]) -> int:
        low = s.get("minimum", 0)
        return int(self.rng.choice([low, low + self.rng.randrange(1, 4096), self.rng.randrange(low, 2**34)]))

    def text(self, key: str, name: str, title: str, s: Mapping[str, Any]) -> str:
        if title == "UUID" or name.endswith("uuid") or (name.endswith("_id") and "UUID" in s.get("description", "")):
            return self.uuid()
        if title == "UTC date and time":
            return self.when().strftime("%Y-%m-%dT%H:%M:%SZ")
        if title == "IP address":
            return f"203.0.113.{self.rng.randrange(1, 255)}" if self.rng.random() < 0.7 else "2001:db8::7"
        if "Tenant" in title or key in {"owner", "member_id"}:
            return self.uuid().replace("-", "")
        if key == "checksum":
            return f"{self.rng.getrandbits(128):032x}"
        if key in ("type", "task_type") and "task" in s.get("description", "").lower():
            return self.rng.choice(["import", "api_image_import", "location_import"])  # Glance's task types
        return self.free(key, title, s)

    def free(self, key: str, title: str, s: Mapping[str, Any]) -> str:
        """A string whose schema gives it no form: a name, a description, an error text."""
        if key == "name":
            return self.rng.choice(_NAMES)
        if key in STORE_KEYS:
            return self.rng.choice(_STORES)
        if title == "Text message":
            return self.rng.choice(_ERRORS)
        word = self.rng.choice(_WORDS)
        return word[: s.get("maxLength", len(word))]

    def record(self, s: Mapping[str, Any]) -> dict[str, Any]:
        properties = s.get("properties", {})
        extra = s.get("additionalProperties")
        if not properties and isinstance(extra, Mapping):
            return {f"{self.rng.choice(_WORDS)}_{i}": self.value("property", extra) for i in range(2)}
        return {key: self.value(key, sub) for key, sub in properties.items() if sub is not False}


def _conditional(s: Mapping[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The record with the constants of the schema's ``then`` or ``else`` applied, as its ``if`` decides (such as
    is_public following visibility): the ``if`` of these schemas tests constants only."""
    test = s.get("if")
    if not isinstance(test, Mapping):
        return record
    matches = all(
        isinstance(sub, Mapping) and record.get(key) == sub.get("const")
        for key, sub in test.get("properties", {}).items()
    )
    branch = s.get("then" if matches else "else", {})
    for key, sub in branch.get("properties", {}).items() if isinstance(branch, Mapping) else ():
        if isinstance(sub, Mapping) and "const" in sub and key in record:
            record[key] = sub["const"]
    return record


def cohere(event_type: str, record: dict[str, Any]) -> None:
    """Make a record hold together the way Glance's do, in place, where its schema cannot say so. `TypeError`, naming
    the argument, for an event type that is not text or a record that is not a dict or cannot be read."""
    if not isinstance(event_type, str):
        raise TypeError(f"event_type must be text, not {quoted(event_type)}")
    if not isinstance(record, dict):
        raise TypeError(f"record must be a dict, not {quoted(record)}")
    event_type = str.__str__(event_type)  # a subclass's own endswith or startswith may answer anything
    try:
        _cohere(event_type, record)
    except Exception as error:  # a dict subclass of the caller's whose own get, items or __iter__ raises
        raise unreadable("record", error) from None


def _cohere(event_type: str, record: dict[str, Any]) -> None:
    # Glance reads an upload's store lists from the image's properties of the same name, comma-separated.
    for key in ("os_glance_importing_to_stores", "os_glance_failed_import"):
        stores = record.get(key)
        if (
            isinstance(stores, list)
            and all(isinstance(s, str) for s in stores)
            and isinstance(record.get("properties"), dict)
        ):
            record["properties"].pop(key, None)
            if record[key]:
                record["properties"][key] = ",".join(record[key])
    # Only an update renames a metadata definition: otherwise the old name is the name.
    if not event_type.endswith(".update"):
        for old, name in (("name_old", "name"), ("namespace_old", "namespace")):
            if old in record and name in record:
                record[old] = record[name]
    # A metadef object holds its properties by name (glance.domain.MetadefObject): one property per name.
    if event_type.startswith("metadef_object.") and isinstance(record.get("properties"), list):
        by_name: dict[Any, Any] = {}
        for item in record["properties"]:
            by_name.setdefault(item.get("name") if isinstance(item, dict) else None, item)
        record["properties"] = list(by_name.values())


def _sample(v: Variant, draw: _Draw) -> Notification:
    schema = bundled_schema(v)
    properties = schema.get("properties", {})
    payload = draw.value("payload", properties.get("payload", True) if isinstance(properties, Mapping) else True)
    if isinstance(payload, dict):
        cohere(v.event_type, payload)
    return {
        "message_id": draw.uuid(),
        "publisher_id": "image.glance-api-1",
        "event_type": v.event_type,
        "priority": v.priority,
        "payload": payload,
        "timestamp": oslo_timestamp(draw.when() + datetime.timedelta(microseconds=draw.rng.randrange(0, 10**6))),
    }


def samples(
    event_type: str, priority: str, *, profile: str = "seed", n: int = 1, seed: int = 0
) -> Iterator[Notification]:
    """``n`` valid messages of one variant; the same seed gives the same messages.

    The arguments are checked when called, not when the first message is asked for: an unknown variant is an
    `UnknownVariantError`, an ``n`` or ``seed`` that is not an integer a `TypeError` and a negative ``n`` a
    `ValueError` (it would give no message, silently), each naming the argument."""
    v = variant(event_type, priority, profile=profile)
    for name, value in (("n", n), ("seed", seed)):
        if type(value) is not int:  # bool is no count, and an int subclass's own __index__ or __str__ may lie
            raise TypeError(f"{name} must be an integer, not {quoted(value)}")
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    return _samples(v, int.__repr__(seed), n)


def _samples(v: Variant, seed: str, n: int) -> Iterator[Notification]:
    draw = _Draw(random.Random(f"{seed}:{v.path}"), bundled_schema(v)["definitions"])
    for _ in range(n):
        message = _sample(v, draw)
        validate(message, profile=v.profile)
        yield message
