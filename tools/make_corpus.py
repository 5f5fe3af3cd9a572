"""Write the golden corpus, ``schemas/corpus/<profile>.json``, in the JSON-Schema-Test-Suite format.

For every variant of every profile: one or more valid messages, then invalid ones, each made from the first valid
message by exactly one named change. Every verdict is checked with python-jsonschema before the file is written;
the tests check it again with jsonschema-rs and ajv.

    python tools/make_corpus.py [SCHEMA_DIR]
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema

from notify_schemas.registry import PROFILES, Variant, load_registry

Message = dict[str, Any]

IMAGE_ID = "c80a1a6c-bd1f-41c5-90ee-81afedb1d58d"
TASK_ID = "844ead5c-cdf2-41ff-b594-ee8a7c569730"
OWNER = "6838eb7b6ded434a882cb344c77fe8df"
USER = "54492ba0f4df4e4ebe6227f4d76b29cf"
TENANT = "2c014f3255eb467d8fcb4bd706012f81"
WHEN = "2026-11-24T20:13:46Z"
LATER = "2026-11-26T20:13:46Z"

IMAGE = {
    "id": IMAGE_ID,
    "name": "cirros-0.6.2",
    "status": "active",
    "created_at": WHEN,
    "updated_at": WHEN,
    "min_disk": 1,
    "min_ram": 64,
    "protected": False,
    "checksum": "c8fc807773e5354afe61636071771906",
    "owner": OWNER,
    "disk_format": "qcow2",
    "container_format": "bare",
    "size": 21430272,
    "virtual_size": 117440512,
    "is_public": False,
    "visibility": "private",
    "properties": {"hw_disk_bus": "scsi", "os_distro": "cirros"},
    "tags": ["small", "test"],
    "deleted": False,
    "deleted_at": None,
}
IMPORT = {"os_glance_importing_to_stores": ["fast"], "os_glance_failed_import": []}
SEND = {
    "image_id": IMAGE_ID,
    "owner_id": OWNER,
    "receiver_tenant_id": TENANT,
    "receiver_user_id": USER,
    "bytes_sent": 21430272,
}
TASK_SEED = {
    "task_id": TASK_ID,
    "owner": OWNER,
    "task_type": "import",
    "status": "pending",
    "result": None,
    "message": None,
    "expires_at": None,
    "created_at": WHEN,
    "updated_at": WHEN,
}
TASK_GLANCE = {
    "id": TASK_ID,
    "type": "import",
    "status": "pending",
    "result": None,
    "owner": OWNER,
    "message": None,
    "expires_at": WHEN,
    "created_at": WHEN,
    "updated_at": WHEN,
    "deleted": False,
    "deleted_at": None,
}
DELETED = {"deleted": True, "deleted_at": LATER}
METADEF_TAIL = {"created_at": WHEN, "updated_at": WHEN, "deleted": False, "deleted_at": None}
NAMESPACE = {
    "namespace": "OS::Compute::Quota",
    "namespace_old": "OS::Compute::Quota",
    "display_name": "Quota",
    "protected": False,
    "visibility": "public",
    "owner": OWNER,
    "description": "CPU quotas",
    **METADEF_TAIL,
}
SCHEMA_KEYS = dict.fromkeys(
    [
        "type",
        "title",
        "description",
        "default",
        "minimum",
        "maximum",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "confidential",
        "items",
        "uniqueItems",
        "minItems",
        "maxItems",
        "additionalItems",
    ]
)
PROPERTY = {
    "namespace": "OS::Compute::Quota",
    "name": "quota:cpu_period",
    "name_old": "quota:cpu_period",
    **SCHEMA_KEYS,
    "type": "integer",
    "title": "Period",
    "minimum": 1000,
    "deleted": False,
    "deleted_at": None,
}
OBJECT = {
    "namespace": "OS::Compute::Quota",
    "name": "CPU Limits",
    "name_old": "CPU Limits",
    "properties": [{"name": "quota:cpu_period", **SCHEMA_KEYS, "type": "integer", "minimum": 1000}],
    "required": ["quota:cpu_period"],
    "description": "CPU limits",
    **METADEF_TAIL,
}
RESOURCE_TYPE = {
    "namespace": "OS::Compute::Quota",
    "name": "OS::Nova::Flavor",
    "name_old": "OS::Nova::Flavor",
    "prefix": "quota:",
    "properties_target": None,
    **METADEF_TAIL,
}
TAG = {"namespace": "OS::Compute::Quota", "name": "gpu", "name_old": "gpu", **METADEF_TAIL}

# One valid payload per payload definition that a variant points to, keyed "<file stem>.<definition>".
PAYLOADS: dict[str, Any] = {
    "common.text": "Image storage media is full: no space left on device",
    "common.uuid": IMAGE_ID,
    "image.image": IMAGE,
    "image.image_active": IMAGE,
    "image.image_with_import": {**IMAGE, **IMPORT},
    "image.image_with_import_and_backend": {**IMAGE, "status": "uploading", **IMPORT, "backend": "fast"},
    "image.image_deleted": {**IMAGE, **DELETED},
    "image.image_send_seed": {**SEND, "destination_ip": "203.0.113.7"},
    "image.image_send_glance": SEND,
    "image.member": {"image_id": IMAGE_ID, "member_id": TENANT, "status": "pending", **METADEF_TAIL},
    "image.member_deleted": {
        "image_id": IMAGE_ID,
        "member_id": TENANT,
        "status": "accepted",
        **METADEF_TAIL,
        **DELETED,
    },
    "task.task_seed_running": TASK_SEED,
    "task.task_seed_processing": {**TASK_SEED, "status": "processing"},
    "task.task_seed_success": {**TASK_SEED, "status": "success", "result": {"image_id": IMAGE_ID}, "expires_at": LATER},
    "task.task_seed_failure": {
        **TASK_SEED,
        "status": "failure",
        "message": "Image conversion failed",
        "expires_at": LATER,
    },
    "task.task_glance": {**TASK_GLANCE, "status": "processing"},
    "task.task_glance_pending": TASK_GLANCE,
    "task.task_glance_processing": {**TASK_GLANCE, "status": "processing"},
    "task.task_glance_success": {**TASK_GLANCE, "status": "success", "expires_at": LATER},
    "task.task_glance_failure": {**TASK_GLANCE, "status": "failure", "expires_at": LATER},
    "task.task_glance_deleted": {**TASK_GLANCE, "status": "success", **DELETED},
    "metadef.namespace": NAMESPACE,
    "metadef.namespace_deleted": {**NAMESPACE, **DELETED},
    "metadef.object": OBJECT,
    "metadef.object_deleted": {**OBJECT, **DELETED},
    "metadef.property": PROPERTY,
    "metadef.property_deleted": {**PROPERTY, **DELETED},
    "metadef.resource_type": RESOURCE_TYPE,
    "metadef.resource_type_deleted": {**RESOURCE_TYPE, **DELETED},
    "metadef.tag": TAG,
    "metadef.tag_deleted": {**TAG, **DELETED},
}
# Extra valid messages that probe the edges of a payload kind.
EDGE_PAYLOADS: dict[str, list[tuple[str, Any]]] = {
    "image.image": [
        (
            "a new image: nulls where nothing is known yet",
            {
                **IMAGE,
                "name": None,
                "status": "queued",
                "checksum": None,
                "disk_format": None,
                "container_format": None,
                "size": None,
                "virtual_size": None,
                "owner": None,
                "properties": {},
                "tags": [],
            },
        ),
        (
            "zero sizes, Unicode name",
            {**IMAGE, "name": "Ubuntu 24.04 \u2014 \u00e9t\u00e9", "size": 0, "min_disk": 0, "min_ram": 0},
        ),
        (
            # A length counts characters, not UTF-16 units (JavaScript's) or bytes; 1.0 is an integer in JSON Schema
            # (how it is written is the conformance suite's json.integers to judge); 2**53 - 1 is the largest kept.
            "a name of 255 characters outside the BMP, sizes at 2**53 - 1, min_disk written 1.0",
            {**IMAGE, "name": "\U0001f4bf" * 255, "size": 2**53 - 1, "virtual_size": 2**53 - 1, "min_disk": 1.0},
        ),
    ],
    "image.image_send_seed": [("an IPv6 destination", {**SEND, "destination_ip": "2001:db8::7"})],
    "image.image_send_glance": [
        ("an anonymous receiver", {**SEND, "receiver_tenant_id": None, "receiver_user_id": None})
    ],
}

IMAGE_RECORDS = {
    "image.image",
    "image.image_active",
    "image.image_with_import",
    "image.image_with_import_and_backend",
    "image.image_deleted",
}
LOCATIONS = [{"url": "swift://admin:secret@swift.example/images/" + IMAGE_ID, "metadata": {}}]
TASK_INPUT = {"import_from": "swift://admin:secret@swift.example/c/o", "import_from_format": "qcow2"}


def envelope(v: Variant, payload: Any) -> Message:
    return {
        "message_id": "db62fa12-490c-4322-b094-ca6a73b3b5b8",
        "publisher_id": "image.glance-api-1",
        "event_type": v.event_type,
        "priority": v.priority,
        "timestamp": "2026-11-24 20:13:46.597409",
        "payload": payload,
    }


def payload_key(variant_schema: dict[str, Any]) -> str:
    """The "<file>.<definition>" a variant's payload points to, read from the variant's own schema."""
    ref = variant_schema["properties"]["payload"]["allOf"][0]["$ref"]
    document, _, pointer = ref.partition("#/definitions/")
    return Path(document).stem + "." + pointer


# The state each event implies (definitions/state.json): the values a rule fixes, and one way to break it.
STATE_VALUES: dict[str, dict[str, Any]] = {
    "image_created": {"status": "queued", "size": None, "virtual_size": None, "checksum": None},
    "image_receiving_data": {"status": "saving"},
    "image_data_stored": {"status": "active"},
    "image_activated": {"status": "active"},
    "image_removed": {"status": "deleted"},
    "task_pending": {"status": "pending"},
    "task_processing": {"status": "processing"},
    "task_succeeded": {"status": "success", "expires_at": "2026-11-26T20:13:46Z"},
    "task_failed": {"status": "failure", "expires_at": "2026-11-26T20:13:46Z"},
    "live_record": {"deleted": False, "deleted_at": None},
}
STATE_BREAKS: dict[str, tuple[str, str, Any]] = {
    "image_created": ("a new record that is already active", "status", "active"),
    "image_receiving_data": ("status queued while the data is being written", "status", "queued"),
    "image_data_stored": ("size unknown after the upload", "size", None),
    "image_activated": ("checksum unknown on activation", "checksum", None),
    "image_removed": ("a deleted image that is still active", "status", "active"),
    "task_pending": ("a task run that has already succeeded", "status", "success"),
    "task_processing": ("a processing task that is still pending", "status", "pending"),
    "task_succeeded": ("a finished task without an expiry", "expires_at", None),
    "task_failed": ("a failed task without an expiry", "expires_at", None),
    "live_record": ("a live record marked deleted", "deleted", True),
}


def state_rules(variant_schema: dict[str, Any]) -> list[str]:
    """The state.json rules a variant's payload lists in its allOf, in order."""
    refs = [part.get("$ref", "") for part in variant_schema["properties"]["payload"].get("allOf", [])]
    return [ref.partition("#/definitions/")[2] for ref in refs if "state.json#" in ref]


def _set(path: tuple[str, ...], value: Any) -> Callable[[Message], None]:
    def change(m: Message) -> None:
        node = m
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path: tuple[str, ...]) -> Callable[[Message], None]:
    def change(m: Message) -> None:
        node = m
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def mutations(
    v: Variant, base: Message, key: str, other_payload: Any, other_event: str
) -> Iterator[tuple[str, Callable[[Message], None]]]:
    """Each named way of breaking ``base``, as one change."""
    yield "message_id is not a UUID", _set(("message_id",), "db62fa12-490c-4322-b094")
    yield "message_id in upper case (oslo writes lower case)", _set(("message_id",), base["message_id"].upper())
    yield "missing key timestamp", _delete(("timestamp",))
    yield "missing key payload", _delete(("payload",))
    yield "an envelope key the spec does not have (context)", _set(("context",), {"user": USER})
    yield "priority in lower case", _set(("priority",), v.priority.lower())
    yield "priority that oslo knows but the spec does not (DEBUG)", _set(("priority",), "DEBUG")
    yield "event_type of another variant", _set(("event_type",), other_event)
    yield "empty publisher_id", _set(("publisher_id",), "")
    yield "timestamp with a zone offset", _set(("timestamp",), base["timestamp"] + "+00:00")
    yield "timestamp in RFC 3339 form", _set(("timestamp",), "2026-11-24T20:13:46.597409Z")
    yield "timestamp with a trailing newline", _set(("timestamp",), base["timestamp"] + "\n")
    # Python's and Perl's "$" match before a final newline (D3): each kind of anchored pattern gets the case.
    yield "message_id with a trailing newline", _set(("message_id",), base["message_id"] + "\n")
    yield "publisher_id with a trailing newline", _set(("publisher_id",), base["publisher_id"] + "\n")
    yield "timestamp with an impossible month", _set(("timestamp",), "2026-13-24 20:13:46.597409")
    # Python's \d and Rust's are any Unicode digit, ECMA-262's is 0-9: the patterns say [0-9] (D3).
    yield "timestamp with a digit of another script", _set(("timestamp",), "\u0662" + base["timestamp"][1:])
    yield "publisher_id of 256 characters", _set(("publisher_id",), "p" * 256)
    yield "payload of another variant", _set(("payload",), other_payload)
    payload = base["payload"]
    if not isinstance(payload, dict):
        yield "payload of the wrong type (number)", _set(("payload",), 42)
        if key == "common.text":
            yield "empty text payload", _set(("payload",), "")
        if key == "common.uuid":
            yield "payload is not a UUID", _set(("payload",), "cirros")
        return
    first = next(iter(payload))
    yield f"missing payload key {first}", _delete(("payload", first))
    text_key = next(k for k, value in payload.items() if isinstance(value, str))
    yield f"payload key {text_key} of the wrong type (number)", _set(("payload", text_key), 42)
    yield "payload key the variant does not have", _set(("payload", "extra"), "value")
    if key in IMAGE_RECORDS:
        yield "forbidden key locations (may hold credentials)", _set(("payload", "locations"), LOCATIONS)
        yield "forbidden key direct_url (may hold credentials)", _set(("payload", "direct_url"), LOCATIONS[0]["url"])
        yield "negative size", _set(("payload", "size"), -1)
        yield "size beyond 2**53 - 1, past what every JSON reader keeps exact (D41)", _set(("payload", "size"), 2**53)
        yield "image id is not a UUID", _set(("payload", "id"), "1234")
        yield "unknown image status", _set(("payload", "status"), "available")
        yield "unknown disk_format", _set(("payload", "disk_format"), "qcow3")
        yield "created_at with a trailing newline", _set(("payload", "created_at"), payload["created_at"] + "\n")
        yield "name of 256 characters outside the BMP", _set(("payload", "name"), "\U0001f4bf" * 256)
        if isinstance(payload.get("checksum"), str):
            yield "checksum with a trailing newline", _set(("payload", "checksum"), payload["checksum"] + "\n")
        yield "non-string property value", _set(("payload", "properties", "hw_disk_bus"), 1)
    if key.startswith("image.image_send"):
        yield "negative bytes_sent", _set(("payload", "bytes_sent"), -1)
        yield "bytes_sent as a string", _set(("payload", "bytes_sent"), "21430272")
    if key == "image.image_send_seed":
        yield "destination_ip is not an IP address", _set(("payload", "destination_ip"), "203.0.113.256")
        yield "destination_ip with a trailing newline", _set(("payload", "destination_ip"), "203.0.113.7\n")
        yield "IPv6 destination_ip with a trailing newline", _set(("payload", "destination_ip"), "2001:db8::7\n")
    if key.startswith("task."):
        yield "forbidden key task_input (may hold credentials)", _set(("payload", "task_input"), TASK_INPUT)
        yield "unknown task status", _set(("payload", "status"), "queued")
        yield "created_at with a zone offset", _set(("payload", "created_at"), "2026-11-24T20:13:46+01:00")
    if key == "task.task_seed_success":
        yield "success without a result", _set(("payload", "result"), None)
    if key == "task.task_seed_failure":
        yield "failure without a message", _set(("payload", "message"), None)
    if key.endswith("_deleted"):
        yield "deleted record without deleted_at", _set(("payload", "deleted_at"), None)


def groups(schema_dir: Path, profile: str) -> list[dict[str, Any]]:
    registry = load_registry(schema_dir)  # type: ignore[arg-type]
    variants = sorted(
        Variant(profile, *f.name.removesuffix(".json").rsplit(".", 1)) for f in (schema_dir / profile).glob("*.json")
    )
    keys = {v: payload_key(registry.contents(v.uri)) for v in variants}
    rules = {v: state_rules(registry.contents(v.uri)) for v in variants}

    def in_state(v: Variant, payload: Any) -> Any:
        if not isinstance(payload, dict):
            return payload
        payload = copy.deepcopy(payload)
        for rule in rules[v]:
            payload.update({k: value for k, value in STATE_VALUES[rule].items() if k in payload})
        return payload

    out = []
    for v in variants:
        bundled = json.loads((schema_dir / v.bundled_path).read_text(encoding="utf-8"))
        validator = jsonschema.Draft7Validator(bundled)
        key = keys[v]
        base = envelope(v, in_state(v, PAYLOADS[key]))
        tests = [{"description": "a valid message", "data": base, "valid": True}]
        for description, payload in EDGE_PAYLOADS.get(key, []):
            edge = envelope(v, in_state(v, payload))
            if rules[v] and not validator.is_valid(edge):
                continue  # a record this event cannot carry (a new image's nulls after an upload, say)
            tests.append({"description": f"valid: {description}", "data": edge, "valid": True})
        for rule in rules[v]:
            description, field, value = STATE_BREAKS[rule]
            data = copy.deepcopy(base)
            if isinstance(data["payload"], dict) and field in data["payload"]:
                data["payload"][field] = value
                tests.append({"description": f"state: {description}", "data": data, "valid": False})
        if isinstance(base["payload"], dict) and {"is_public", "visibility"} <= base["payload"].keys():
            data = copy.deepcopy(base)
            data["payload"]["is_public"] = data["payload"]["visibility"] != "public"
            tests.append({"description": "state: is_public against the visibility", "data": data, "valid": False})
        # Another variant's payload that this variant rejects, and another event type: both must fail here.
        other_payload = next(
            PAYLOADS[keys[o]] for o in variants if not validator.is_valid(envelope(v, PAYLOADS[keys[o]]))
        )
        other_event = next(o.event_type for o in variants if o.event_type != v.event_type)
        for description, change in mutations(v, base, key, other_payload, other_event):
            data = copy.deepcopy(base)
            change(data)
            tests.append({"description": description, "data": data, "valid": False})
        for test in tests:
            if validator.is_valid(test["data"]) is not test["valid"]:
                raise SystemExit(f"{profile} {v.name}: {test['description']!r} is not {test['valid']}")
        out.append({"description": f"{profile} {v.event_type} {v.priority}", "schema": bundled, "tests": tests})
    return out


def main() -> None:
    schema_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    (schema_dir / "corpus").mkdir(exist_ok=True)
    for profile in PROFILES:
        target = schema_dir / "corpus" / f"{profile}.json"
        target.write_text(
            json.dumps(groups(schema_dir, profile), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
