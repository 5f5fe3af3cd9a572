"""The AsyncAPI documents: up to date, one message per variant on its priority's channel, payloads the bundled files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ALL_VARIANTS

import notify_schemas
from notify_schemas.authoring.asyncapi import asyncapi_document, channel_address, dump, main
from notify_schemas.registry import bundle, schema_root

PROFILES = pytest.mark.parametrize("profile", notify_schemas.PROFILES)
VARIANTS = pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
COMMITTED = {
    profile: (schema_root() / "asyncapi" / f"asyncapi-{profile}.json").read_text(encoding="utf-8")
    for profile in notify_schemas.PROFILES
}
DOCUMENTS = {profile: json.loads(text) for profile, text in COMMITTED.items()}
SCHEMA_PREFIX = "#/components/schemas/"
ENVELOPE_TRAIT = {"$ref": "#/components/messageTraits/envelope"}


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` value under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The node a document-local ``$ref`` points at."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def unroot(node: Any) -> Any:
    """Undo the generator's move of definitions: ``#/components/schemas/<name>/schema`` back to ``#/definitions/``."""
    if isinstance(node, list):
        return [unroot(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and value.startswith(SCHEMA_PREFIX):
            out[key] = "#/definitions/" + value.removeprefix(SCHEMA_PREFIX).removesuffix("/schema")
        else:
            out[key] = unroot(value)
    return out


def as_bundled(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The standalone schema a document's schema stands for: its shared definitions gathered back under definitions."""
    components = document["components"]["schemas"]
    definitions: dict[str, Any] = {}
    pending = list(refs(schema))
    while pending:
        name = pending.pop().removeprefix(SCHEMA_PREFIX).removesuffix("/schema")
        if name not in definitions:
            assert components[name]["schemaFormat"] == "application/schema+json;version=draft-07", name
            definitions[name] = components[name]["schema"]
            pending.extend(refs(definitions[name]))
    standalone: dict[str, Any] = unroot({**schema, "definitions": definitions} if definitions else schema)
    return standalone


def without_resource_keys(schema: dict[str, Any]) -> dict[str, Any]:
    """A bundled schema without ``$id`` and ``$schema``, the two keys the generator drops on purpose."""
    return {k: v for k, v in schema.items() if k not in ("$id", "$schema")}


@PROFILES
def test_committed_document_is_up_to_date(profile: str) -> None:
    fresh = dump(asyncapi_document(profile))
    assert fresh == COMMITTED[profile], "run: python -m notify_schemas.authoring.asyncapi schemas/asyncapi"


@PROFILES
def test_document_is_asyncapi_3_with_an_amqp_server(profile: str) -> None:
    document = DOCUMENTS[profile]
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"]
    assert document["info"]["version"] == "1.0.0"
    assert "image lifecycle" in document["info"]["description"]
    assert [s["protocol"] for s in document["servers"].values()] == ["amqp"]


@PROFILES
def test_every_ref_resolves_inside_the_document(profile: str) -> None:
    document = DOCUMENTS[profile]
    for ref in set(refs(document)):
        assert isinstance(resolve(document, ref), dict), ref


@PROFILES
def test_messages_are_exactly_the_profiles_variants(profile: str) -> None:
    names = {v.name for v in notify_schemas.variants(profile)}
    assert set(DOCUMENTS[profile]["components"]["messages"]) == names
    on_channels = [name for channel in DOCUMENTS[profile]["channels"].values() for name in channel["messages"]]
    assert sorted(on_channels) == sorted(names)


@VARIANTS
def test_variant_is_a_message_on_its_prioritys_channel(v: notify_schemas.Variant) -> None:
    document = DOCUMENTS[v.profile]
    channel = document["channels"][channel_address(v.priority)]
    assert channel["address"] == f"notifications.{v.priority.lower()}"
    message = resolve(document, channel["messages"][v.name]["$ref"])
    assert message is document["components"]["messages"][v.name]
    assert message["name"] == v.name


@VARIANTS
def test_payload_is_the_variants_bundled_schema(v: notify_schemas.Variant) -> None:
    document = DOCUMENTS[v.profile]
    payload = resolve(document, document["components"]["messages"][v.name]["payload"]["$ref"])
    assert payload["schemaFormat"] == "application/schema+json;version=draft-07"
    assert "$id" not in payload["schema"]
    assert "$schema" not in payload["schema"]
    assert as_bundled(document, payload["schema"]) == without_resource_keys(notify_schemas.bundled_schema(v))


@PROFILES
def test_channels_are_exactly_the_priorities_the_profile_uses(profile: str) -> None:
    used = {v.priority for v in notify_schemas.variants(profile)}
    channels = DOCUMENTS[profile]["channels"]
    assert set(channels) == {f"notifications.{p.lower()}" for p in used}
    for address, channel in channels.items():
        assert channel["address"] == address
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert (amqp["exchange"]["name"], amqp["exchange"]["type"]) == ("glance", "topic")


def test_glance_profile_has_no_warn_channel_and_seed_has_all_three() -> None:
    assert set(DOCUMENTS["glance"]["channels"]) == {"notifications.info", "notifications.error"}
    assert set(DOCUMENTS["seed"]["channels"]) == {"notifications.info", "notifications.warn", "notifications.error"}


@PROFILES
def test_each_channel_has_one_send_operation_for_all_its_messages(profile: str) -> None:
    document = DOCUMENTS[profile]
    operations = document["operations"].values()
    assert all(op["action"] == "send" for op in operations)
    for address, channel in document["channels"].items():
        (operation,) = [op for op in operations if op["channel"]["$ref"] == f"#/channels/{address}"]
        sent = [ref["$ref"] for ref in operation["messages"]]
        assert sent == [f"#/channels/{address}/messages/{name}" for name in channel["messages"]]


@PROFILES
def test_every_message_applies_the_envelope_trait(profile: str) -> None:
    document = DOCUMENTS[profile]
    for name, message in document["components"]["messages"].items():
        assert message["traits"] == [ENVELOPE_TRAIT], name
        payload = resolve(document, message["payload"]["$ref"])["schema"]
        assert {"$ref": "#/components/schemas/envelope/schema"} in payload["allOf"], name


@PROFILES
def test_envelope_trait_holds_the_bundled_envelope(profile: str) -> None:
    document = DOCUMENTS[profile]
    trait = resolve(document, ENVELOPE_TRAIT["$ref"])
    assert trait["contentType"] == "application/json"
    envelope = resolve(document, trait["x-envelope-schema"]["$ref"])
    uri = notify_schemas.BASE_URI + "envelope.json"
    expected = without_resource_keys(bundle(notify_schemas.registry(), uri, new_id=uri))
    assert as_bundled(document, envelope["schema"]) == expected


def test_main_writes_both_documents_and_rewrites_nothing_when_fresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["asyncapi-glance.json", "asyncapi-seed.json"]
    assert all((tmp_path / f"asyncapi-{p}.json").read_text(encoding="utf-8") == COMMITTED[p] for p in COMMITTED)
    capsys.readouterr()
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""


def test_main_rejects_extra_arguments() -> None:
    assert main(["a", "b"]) == 2
