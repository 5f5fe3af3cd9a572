"""Generate an AsyncAPI 3.0.0 document per profile from the bundled schemas, so the two can never disagree.

Each variant is one message whose payload is the variant's bundled schema, declared as draft-07. An AsyncAPI document
resolves every ``$ref`` against its own root, so a bundled file's local ``#/definitions/<name>`` cannot stay as it
is: the definitions move to ``components/schemas/<name>`` (shared by every message; the same name is the same
definition in every bundled file) and the references follow. ``$id`` and ``$schema`` are dropped: the id names a file
whose references read differently, and ``schemaFormat`` states the dialect. The envelope is a message trait that
every message applies; AsyncAPI traits cannot hold a payload, so each payload still includes the envelope through
``allOf``, and the trait points at the same envelope schema.

``python -m notify_schemas.authoring.asyncapi [OUT_DIR]`` writes ``asyncapi-<profile>.json`` for every profile (default
``schemas/asyncapi``); a test checks that the files in the repository are up to date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from notify_schemas.authoring import load_checked, write_changed, write_command
from notify_schemas.registry import (
    BASE_URI,
    PRIORITIES,
    PROFILES,
    Variant,
    bundle,
    bundled_schema,
    registry,
    schema_root,
    variants,
)

__all__ = [
    "ASYNCAPI_VERSION",
    "DOCUMENT_VERSION",
    "EXCHANGE",
    "SCHEMA_FORMAT",
    "TOPIC",
    "asyncapi_document",
    "channel_address",
    "dump",
    "main",
    "write_documents",
]

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"  # the contract's version: the v1 of BASE_URI, not the package's
SCHEMA_FORMAT = "application/schema+json;version=draft-07"
EXCHANGE = "glance"
TOPIC = "notifications"
_ENVELOPE = "envelope"
_SERVER = "rabbitmq"

_DOCS_URL = "https://docs.openstack.org/glance/latest/admin/notifications.html"
_LOCAL_REF = "#/definitions/"
_DROPPED_KEYS = ("$id", "$schema", "definitions")
_AMQP_BINDING_VERSION = "0.3.0"

_PROFILE_TEXT = {
    "seed": (
        "Profile `seed` is the specification, Glance's `doc/source/admin/notifications.rst` "
        "(`schemas/spec/notifications.txt`): {event_types} event types, each at {priorities}."
    ),
    "glance": (
        "Profile `glance` is what Glance 33's `glance.notifier` sends: {event_types} event types at {priorities}, "
        "including image member, task.create, task.delete and metadef events that the specification does not have, "
        "and never WARN."
    ),
}


def channel_address(priority: str) -> str:
    """The routing key oslo.messaging publishes a notification of ``priority`` with: ``<topic>.<priority lower>``."""
    return f"{TOPIC}.{priority.lower()}"


def _schema_ref(name: str) -> str:
    return f"#/components/schemas/{name}/schema"


def _reroot(node: Any) -> Any:
    """``node`` with every ``#/definitions/<name>`` reference pointing at the shared component of that name."""
    if isinstance(node, list):
        return [_reroot(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(_LOCAL_REF):
            out[key] = _schema_ref(value.removeprefix(_LOCAL_REF))
        else:
            out[key] = _reroot(value)
    return out


def _multi_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"schemaFormat": SCHEMA_FORMAT, "schema": schema}


def _hoist(schema: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The schema without its resource keys and definitions; its definitions go to ``shared``, rerooted."""
    for name, definition in schema.get("definitions", {}).items():
        rerooted = _reroot(definition)
        if shared.setdefault(name, rerooted) != rerooted:
            raise ValueError(f"definition {name!r} differs between bundled files")
    body: dict[str, Any] = _reroot({k: v for k, v in schema.items() if k not in _DROPPED_KEYS})
    return body


def _envelope_trait(envelope: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": envelope.get("title", "The envelope"),
        "description": (
            f"{envelope.get('description', '')} Applied to every message. An AsyncAPI trait cannot hold a payload, "
            "so each message's payload schema includes this envelope (`x-envelope-schema`) through `allOf` and narrows "
            "`event_type`, `priority` and `payload`."
        ),
        "contentType": "application/json",
        "bindings": {"amqp": {"contentEncoding": "utf-8", "bindingVersion": _AMQP_BINDING_VERSION}},
        "externalDocs": {"description": "Glance's notifications documentation", "url": _DOCS_URL},
        "x-envelope-schema": {"$ref": f"#/components/schemas/{_ENVELOPE}"},
    }


def _message(v: Variant, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": v.name,
        "title": schema.get("title", v.name),  # a schema need not have a title or a description
        "summary": schema.get("description", schema.get("title", v.name)),
        "tags": [{"name": v.event_type.rsplit(".", 1)[0]}],
        "payload": {"$ref": f"#/components/schemas/{v.name}"},
        "traits": [{"$ref": f"#/components/messageTraits/{_ENVELOPE}"}],
    }


def _channel(priority: str, names: list[str]) -> dict[str, Any]:
    address = channel_address(priority)
    return {
        "address": address,
        "title": f"{priority} notifications",
        "description": (
            f"Notifications of priority {priority}, published on the topic exchange `{EXCHANGE}` (Glance's control "
            f"exchange) with routing key `{address}` (topic `{TOPIC}`, oslo.messaging's default). oslo.messaging also "
            f"declares a queue `{address}` bound with that key, so nothing is lost before a consumer binds. `durable` "
            "and `autoDelete` are oslo.messaging's defaults (`amqp_durable_queues`, `amqp_auto_delete`)."
        ),
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in names},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {"name": EXCHANGE, "type": "topic", "durable": False, "autoDelete": False, "vhost": "/"},
                "bindingVersion": _AMQP_BINDING_VERSION,
            }
        },
    }


def _operation(priority: str, names: list[str]) -> dict[str, Any]:
    address = channel_address(priority)
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{address}"},
        "title": f"Send {priority} notifications",
        "summary": f"Glance publishes its {priority} notifications through oslo.messaging's Notifier.",
        "messages": [{"$ref": f"#/channels/{address}/messages/{name}"} for name in names],
    }


def _info(profile: str, found: Sequence[Variant]) -> dict[str, Any]:
    used = [p for p in PRIORITIES if any(v.priority == p for v in found)]
    profile_text = _PROFILE_TEXT[profile].format(
        event_types=len({v.event_type for v in found}), priorities=", ".join(used[:-1]) + " and " + used[-1]
    )
    description = "\n\n".join(
        [
            "Notifications can be generated for several events in the image lifecycle. These can be used for "
            "auditing, troubleshooting, etc.",
            profile_text,
            "Every message contains a handful of attributes: message_id, publisher_id, event_type, priority, "
            "timestamp and payload. Each message here is one (event type, priority) pair, and its payload schema is "
            f"the whole notification: the bundled schema `schemas/bundled/{profile}/<event_type>.<PRIORITY>.json`.",
            f"Glance publishes through oslo.messaging on its control exchange `{EXCHANGE}`, a topic exchange, with "
            f"routing key `<topic>.<priority in lower case>`; the default topic is `{TOPIC}`. The payload schemas "
            "describe the notification itself, as a consumer has it once oslo.messaging's wire format is taken off: "
            "on the wire, the `messaging` driver adds "
            "`_unique_id` and one `_context_<name>` key per request-context item (`schemas/wire/messaging.json`), "
            'and `messagingv2` sends `{"oslo.version": "2.0", "oslo.message": "<that body as JSON text>"}` '
            "(`schemas/wire/messagingv2.json`).",
        ]
    )
    return {
        "title": f"OpenStack Glance notifications ({profile} profile)",
        "version": DOCUMENT_VERSION,
        "description": description,
        "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        "externalDocs": {"description": "Glance's notifications documentation", "url": _DOCS_URL},
    }


def asyncapi_document(profile: str) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of ``profile``: one channel per priority, one message per variant."""
    found = variants(profile)
    shared: dict[str, Any] = {}
    envelope = _hoist(bundle(registry(), BASE_URI + "envelope.json", new_id=BASE_URI + "envelope.json"), shared)
    if shared.setdefault(_ENVELOPE, envelope) != envelope:
        raise ValueError("the bundled files' envelope differs from envelope.json")
    payloads = {v.name: _hoist(bundled_schema(v), shared) for v in found}
    clash = set(payloads) & set(shared)
    if clash:
        raise ValueError(f"variant and definition names clash: {sorted(clash)}")
    by_priority = {p: [v.name for v in found if v.priority == p] for p in PRIORITIES}
    used = [p for p in PRIORITIES if by_priority[p]]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(profile, found),
        "defaultContentType": "application/json",
        "servers": {
            _SERVER: {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "title": "RabbitMQ",
                "description": (
                    "The RabbitMQ broker of oslo.messaging's `transport_url` (for example `rabbit://host:5672/`); "
                    "`localhost:5672` is a placeholder."
                ),
            }
        },
        "channels": {channel_address(p): _channel(p, by_priority[p]) for p in used},
        "operations": {f"send.{channel_address(p)}": _operation(p, by_priority[p]) for p in used},
        "components": {
            "schemas": {name: _multi_format(schema) for name, schema in {**shared, **payloads}.items()},
            "messages": {v.name: _message(v, payloads[v.name]) for v in found},
            "messageTraits": {_ENVELOPE: _envelope_trait(envelope)},
        },
    }


def dump(document: dict[str, Any]) -> str:
    """The file text of a document: sorted keys, two-space indent, a final newline, so regeneration is stable."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_documents(out_dir: Path) -> list[Path]:
    """Write ``asyncapi-<profile>.json`` for every profile under ``out_dir``; return the files that changed."""
    load_checked(schema_root())  # a schema file its metaschema refuses: named, as the bundler names it
    changed = []
    for profile in PROFILES:
        target = out_dir / f"asyncapi-{profile}.json"
        if write_changed(target, dump(asyncapi_document(profile))):
            changed.append(target)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m notify_schemas.authoring.asyncapi [OUT_DIR]``: write the documents, print the files that changed."""
    return write_command(
        argv, module="asyncapi", doc=__doc__, folder="OUT_DIR", default="schemas/asyncapi", write=write_documents
    )


if __name__ == "__main__":
    sys.exit(main())
