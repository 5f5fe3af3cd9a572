"""hypothesis-jsonschema generates from every bundled variant file, and what it generates is valid everywhere.

The same property guards the security rule: adding a key that can carry credentials to any valid image or task
payload makes the message invalid.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from support import ALL_VARIANTS, SCHEMA_FILES

import notify_schemas

# filter_too_much: hypothesis-jsonschema filters to honour a `false` property inside a merged allOf.
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)


def _is_image_record(payload: Any) -> bool:
    return isinstance(payload, dict) and "disk_format" in payload


def _is_task_record(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and {"owner", "status", "expires_at"} <= payload.keys()
        and "disk_format" not in payload
    )


@functools.cache
def messages(v: notify_schemas.Variant) -> st.SearchStrategy[dict[str, Any]]:
    """hypothesis-jsonschema's strategy for a variant's bundled file, built once: building it is the slow part.

    It gets a copy, because hypothesis-jsonschema rewrites the schema it is given in place.
    """
    return from_schema(copy.deepcopy(SCHEMA_FILES[v.bundled_path]))


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_generated_messages_are_valid_under_every_validator(v: notify_schemas.Variant) -> None:
    schema = SCHEMA_FILES[v.bundled_path]
    python = jsonschema.Draft7Validator(schema)
    rust = jsonschema_rs.validator_for(schema)

    @SETTINGS
    @given(messages(v))
    def check(message: dict[str, Any]) -> None:
        assert json.loads(json.dumps(message)) == message
        assert message["event_type"] == v.event_type
        assert message["priority"] == v.priority
        assert python.is_valid(message), next(python.iter_errors(message)).message
        assert rust.is_valid(message)

    check()


def _payload_definition(v: notify_schemas.Variant) -> str:
    """The definition a variant's payload points to, read from its source schema: "image.json#/definitions/image"."""
    ref: str = SCHEMA_FILES[v.path]["properties"]["payload"]["allOf"][0]["$ref"]
    return ref.removeprefix("../definitions/")


IMAGE_VARIANTS = [
    v
    for v in ALL_VARIANTS
    if _payload_definition(v).startswith("image.json#/definitions/image") and "send" not in _payload_definition(v)
]
TASK_VARIANTS = [v for v in ALL_VARIANTS if _payload_definition(v).startswith("task.json#/definitions/task_")]


@pytest.mark.parametrize("v", IMAGE_VARIANTS + TASK_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_a_key_that_can_hold_credentials_makes_any_valid_message_invalid(v: notify_schemas.Variant) -> None:
    schema = SCHEMA_FILES[v.bundled_path]
    python = jsonschema.Draft7Validator(schema)
    rust = jsonschema_rs.validator_for(schema)
    forbidden = ["locations", "location", "direct_url"] if v.event_type.startswith("image.") else ["task_input"]

    @SETTINGS
    @given(messages(v), st.sampled_from(forbidden), JSON_VALUES)
    def check(message: dict[str, Any], key: str, value: Any) -> None:
        assert (_is_image_record if key != "task_input" else _is_task_record)(message["payload"])
        message["payload"][key] = value
        assert not python.is_valid(message)
        assert not rust.is_valid(message)
        # The error names the rule, not only "additional property": the security rule is stated in the schema.
        assert any(e.validator is None for e in python.iter_errors(message))  # a `false` schema for that key

    check()


def test_security_variants_cover_every_image_and_task_record() -> None:
    kinds = {(v.profile, v.event_type) for v in IMAGE_VARIANTS + TASK_VARIANTS}
    assert ("seed", "image.update") in kinds
    assert ("glance", "image.prepare") in kinds
    assert ("glance", "task.delete") in kinds
    assert ("seed", "image.delete") not in kinds  # its payload is the bare image id
    assert not [k for k in kinds if k[1].startswith("image.member.")]
    assert len(IMAGE_VARIANTS) == 5 + 6
    assert len(TASK_VARIANTS) == 4 + 6
