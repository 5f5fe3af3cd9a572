"""The package finds its schemas where it is installed and names variants precisely."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import jsonschema_rs
import pytest
import referencing
import referencing.jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import notify_schemas
from notify_schemas.registry import BASE_URI, DRAFT7, bundle, schema_root

SEED_EVENT_TYPES = {
    "image.create",
    "image.prepare",
    "image.upload",
    "image.activate",
    "image.send",
    "image.update",
    "image.delete",
    "task.run",
    "task.processing",
    "task.success",
    "task.failure",
}
GLANCE_METADEF_EVENT_TYPES = {
    "metadef_namespace.create",
    "metadef_namespace.update",
    "metadef_namespace.delete",
    "metadef_namespace.delete_objects",
    "metadef_namespace.delete_properties",
    "metadef_namespace.delete_tags",
    "metadef_object.create",
    "metadef_object.update",
    "metadef_object.delete",
    "metadef_property.create",
    "metadef_property.update",
    "metadef_property.delete",
    "metadef_resource_type.create",
    "metadef_resource_type.delete",
    "metadef_tag.create",
    "metadef_tag.update",
    "metadef_tag.delete",
}


def test_seed_profile_is_every_documented_event_at_every_priority() -> None:
    found = {(v.event_type, v.priority) for v in notify_schemas.variants("seed")}
    assert found == {(e, p) for e in SEED_EVENT_TYPES for p in ("INFO", "WARN", "ERROR")}


def test_glance_profile_has_the_events_glance_emits_at_the_priorities_it_uses() -> None:
    found = {(v.event_type, v.priority) for v in notify_schemas.variants("glance")}
    errors = {("image.upload", "ERROR"), ("image.send", "ERROR")}
    assert errors < found
    assert {p for _, p in found} == {"INFO", "ERROR"}
    assert {e for e, _ in found} == (
        SEED_EVENT_TYPES
        | GLANCE_METADEF_EVENT_TYPES
        | {"image.member.create", "image.member.update", "image.member.delete", "task.create", "task.delete"}
    )


def test_installed_package_reads_its_own_copy_not_the_source_tree() -> None:
    source_tree = (Path(__file__).parent.parent / "schemas").resolve()
    installed = Path(str(schema_root())).resolve()
    assert installed != source_tree
    assert source_tree not in installed.parents
    assert (schema_root() / "envelope.json").is_file()


def test_unknown_event_type_names_the_closest_known_one() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"did you mean 'image\.upload'") as info:
        notify_schemas.variant("image.uplod", "INFO")
    assert "known event types: image.activate, image.create" in str(info.value)
    assert "\n" not in str(info.value)


def _pairs(profile: str) -> set[tuple[str, str]]:
    return {(v.event_type, v.priority) for v in notify_schemas.variants(profile)}


def _only_in(profile: str) -> list[tuple[str, str, str]]:
    """Each variant of ``profile`` that another profile lacks, with that other profile."""
    return [(other, *pair) for other in notify_schemas.PROFILES if other != profile
            for pair in sorted(_pairs(profile) - _pairs(other))]  # fmt: skip


OTHER_PROFILES_VARIANTS = [(asked, *rest, owner) for owner in notify_schemas.PROFILES
                           for asked, *rest in _only_in(owner)]  # fmt: skip


@pytest.mark.parametrize(("asked", "event_type", "priority", "owner"), OTHER_PROFILES_VARIANTS)
def test_a_variant_of_another_profile_names_that_profile_not_a_close_name(
    asked: str, event_type: str, priority: str, owner: str
) -> None:
    # variant("image.member.create", "INFO") in seed said "did you mean 'image.create'?", which is another event.
    with pytest.raises(notify_schemas.UnknownVariantError) as info:
        notify_schemas.variant(event_type, priority, profile=asked)
    assert f"in profile {asked!r} (profile {owner!r} has it);" in str(info.value)
    assert "did you mean" not in str(info.value)
    assert info.value.elsewhere == (owner,)


def test_an_event_type_of_another_profile_names_the_priorities_it_has_there() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError) as info:
        notify_schemas.variant("image.member.create", "WARN")
    assert "(profile 'glance' has that event type, with priority INFO);" in str(info.value)
    assert info.value.elsewhere == ()


def test_lower_case_priority_is_told_to_use_upper_case() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"did you mean 'INFO'\? priorities are upper case"):
        notify_schemas.variant("image.create", "info")


def test_priority_the_profile_lacks_lists_the_ones_it_has() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"known priorities: ERROR, INFO$"):
        notify_schemas.variant("image.send", "WARN", profile="glance")


def test_unknown_profile_is_one_clear_error() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match="known profiles: seed, glance"):
        notify_schemas.variants("nova")


def test_errors_share_one_base_class() -> None:
    assert issubclass(notify_schemas.UnknownVariantError, notify_schemas.NotifySchemasError)


def test_bundled_schema_is_the_variants_standalone_file() -> None:
    v = notify_schemas.variant("image.create", "INFO")
    assert notify_schemas.bundled_schema(v)["$id"] == notify_schemas.BASE_URI + "bundled/seed/image.create.INFO.json"


def test_a_package_without_schemas_says_so_instead_of_knowing_no_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = sys.modules["notify_schemas.registry"]  # the package attribute of that name is the registry() function
    monkeypatch.setattr(module, "schema_root", lambda: tmp_path)
    module._variants.cache_clear()
    try:
        with pytest.raises(notify_schemas.NotifySchemasError, match="no schemas of profile 'seed'"):
            module.variants("seed")
    finally:
        module._variants.cache_clear()


# --- bundle: one standalone document that means what its sources mean ---------------------------------------------

_BASE = BASE_URI


def _registry_of(*documents: dict[str, Any]) -> referencing.Registry[Any]:
    resources = [referencing.jsonschema.DRAFT7.create_resource(d) for d in documents]
    return referencing.Registry().with_resources((r.id(), r) for r in resources).crawl()


def _defs(**definitions: Any) -> dict[str, Any]:
    return {"$schema": DRAFT7, "$id": _BASE + "definitions/d.json", "definitions": definitions}


def _root(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DRAFT7, "$id": _BASE + "seed/x.INFO.json", **schema}


def _bundled(*documents: dict[str, Any]) -> dict[str, Any]:
    return bundle(_registry_of(*documents), _BASE + "seed/x.INFO.json", new_id=_BASE + "bundled/seed/x.INFO.json")


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4, unique=True))
def test_a_definition_of_any_name_is_reached_by_its_bundled_ref(names: list[str]) -> None:
    # A definition named with a space, a "/", a "~" or a "%" was copied under its name as the reference spelled it
    # ("common.my%20def", "common.a~1b"), where the bundle's own $ref, read by any validator, found nothing.
    refs = [
        {"$ref": "../definitions/d.json#/definitions/" + quote(n.replace("~", "~0").replace("/", "~1"))} for n in names
    ]
    definitions = _defs(**{n: {"const": n} for n in names})
    bundled = _bundled(definitions, _root({"properties": {str(i): r for i, r in enumerate(refs)}}))
    validator = jsonschema_rs.validator_for(bundled)
    python = jsonschema.Draft7Validator(bundled)
    for i, n in enumerate(names):
        assert validator.is_valid({str(i): n})
        assert python.is_valid({str(i): n})
        assert not validator.is_valid({str(i): n + "x"})
        assert not python.is_valid({str(i): n + "x"})


def test_a_ref_or_an_id_written_as_data_or_as_a_name_stays_as_written() -> None:
    # A property named "$ref" was taken for a reference (its schema "not a reference"), and a "$ref" in a default or
    # an enum was followed, as if the value were a schema.
    data = {"$ref": "#/nowhere", "$id": "elsewhere.json"}
    schema = {"properties": {"$ref": {"type": "string"}, "$id": {"const": data}}, "default": data, "enum": [data, 1]}
    bundled = _bundled(_root(schema))
    assert {k: bundled[k] for k in schema} == schema
    assert jsonschema_rs.validator_for(bundled).is_valid(1)


def test_a_ref_to_a_boolean_schema_is_bundled_as_that_schema() -> None:
    refs = {
        "a": {"$ref": "../definitions/d.json#/definitions/yes"},
        "b": {"$ref": "../definitions/d.json#/definitions/no"},
    }
    bundled = _bundled(_defs(yes=True, no=False), _root({"properties": refs}))
    validator = jsonschema_rs.validator_for(bundled)
    assert validator.is_valid({"a": [1]})
    assert not validator.is_valid({"b": 1})


def test_a_ref_inside_a_subschema_with_its_own_id_is_read_against_that_id() -> None:
    # draft-07 reads a $ref against the nearest $id; the bundle read it against the file's, and kept the inner $id,
    # against which its own local references then led nowhere.
    inner = {"$id": "inner.json", "definitions": {"t": {"type": "string"}}, "allOf": [{"$ref": "#/definitions/t"}]}
    bundled = _bundled(
        _defs(t={"type": "integer"}, wrapped=inner),
        _root({"allOf": [{"$ref": "../definitions/d.json#/definitions/wrapped"}]}),
    )
    assert "$id" not in json.dumps(bundled["definitions"])
    validator = jsonschema_rs.validator_for(bundled)
    assert validator.is_valid("text")
    assert not validator.is_valid(5)


def test_two_targets_a_bundle_would_name_alike_are_refused_not_merged() -> None:
    # "a.b.json#/definitions/c" and "a.json#/definitions/b.c" are both "a.b.c": the second took the first's schema.
    first = {"$schema": DRAFT7, "$id": _BASE + "definitions/a.b.json", "definitions": {"c": {"type": "string"}}}
    second = {"$schema": DRAFT7, "$id": _BASE + "definitions/a.json", "definitions": {"b.c": {"type": "integer"}}}
    root = _root(
        {
            "anyOf": [
                {"$ref": "../definitions/a.b.json#/definitions/c"},
                {"$ref": "../definitions/a.json#/definitions/b.c"},
            ]
        }
    )
    with pytest.raises(
        ValueError, match=r"^seed/x\.INFO\.json: /anyOf/1/\$ref: .* would both name 'a\.b\.c'; rename one$"
    ):
        _bundled(first, second, root)


@pytest.mark.parametrize(
    ("definitions", "where"),
    [
        ({"loop": {"$ref": "#/definitions/loop"}}, "/definitions/loop/$ref"),
        ({"a": {"anyOf": [{"type": "null"}, {"$ref": "#/definitions/b"}]}, "b": {"not": {"$ref": "#/definitions/a"}}},
         "/definitions/b/not/$ref"),
        ({"a": {"if": {"type": "null"}, "else": {"allOf": [{"$ref": "#/definitions/a"}]}}},
         "/definitions/a/else/allOf/0/$ref"),
    ],
)  # fmt: skip
def test_a_ref_cycle_applied_to_the_value_itself_is_refused_with_its_place(
    definitions: dict[str, Any], where: str
) -> None:
    # Written as it was, a validator follows it for ever (python-jsonschema: RecursionError).
    first = "a" if "a" in definitions else "loop"
    root = _root({"allOf": [{"$ref": f"../definitions/d.json#/definitions/{first}"}]})
    with pytest.raises(ValueError, match=rf"^definitions/d\.json: {re.escape(where)}: '.+' is a \$ref cycle \(.+\): "):
        _bundled(_defs(**definitions), root)


def test_a_ref_cycle_through_a_property_or_an_item_is_a_recursive_schema_and_bundled() -> None:
    tree = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/tree"}}}}
    bundled = _bundled(_defs(tree=tree), _root({"allOf": [{"$ref": "../definitions/d.json#/definitions/tree"}]}))
    validator = jsonschema_rs.validator_for(bundled)
    assert validator.is_valid({"children": [{"children": []}]})
    assert not validator.is_valid({"children": [{"children": 1}]})
