"""The golden corpus: complete, up to date with the bundled schemas, and judged alike by every Python validator.

ajv runs the same corpus from ``nox -s schemas`` (tests/js/run_corpus.mjs).
"""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from support import ALL_VARIANTS, CORPUS, SCHEMA_FILES, corpus_cases, reference_validator

import notify_schemas

GROUPS = {group["description"]: group for groups in CORPUS.values() for group in groups}


def _group(v: notify_schemas.Variant) -> dict[str, Any]:
    return GROUPS[f"{v.profile} {v.event_type} {v.priority}"]


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_every_variant_has_valid_messages_and_several_invalid_ones(v: notify_schemas.Variant) -> None:
    tests = _group(v)["tests"]
    assert tests[0]["valid"] is True
    assert sum(not t["valid"] for t in tests) >= 10
    assert len({t["description"] for t in tests}) == len(tests)


def test_corpus_has_no_group_without_a_variant() -> None:
    assert set(GROUPS) == {f"{v.profile} {v.event_type} {v.priority}" for v in ALL_VARIANTS}


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_corpus_schema_is_the_bundled_file(v: notify_schemas.Variant) -> None:
    assert _group(v)["schema"] == SCHEMA_FILES[v.bundled_path], "run: python tools/make_corpus.py"


def _changes(a: Any, b: Any, where: str = "") -> list[str]:
    """The JSON pointers at which ``b`` differs from ``a``: a key added or removed, or a value replaced."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in a.keys() | b.keys():
            if key not in a or key not in b:
                out.append(f"{where}/{key}")
            else:
                out += _changes(a[key], b[key], f"{where}/{key}")
        return out
    same = type(a) is type(b) and a == b
    return [] if same else [where]


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_each_invalid_message_is_wrong_in_exactly_one_place(v: notify_schemas.Variant) -> None:
    tests = _group(v)["tests"]
    base = tests[0]["data"]
    for t in tests:
        if t["valid"]:
            continue
        changes = _changes(base, t["data"])
        if t["description"] == "payload of another variant":
            # One change: the payload is swapped whole for another variant's.
            assert changes
            assert all(c.startswith("/payload") for c in changes)
        else:
            assert len(changes) == 1, t["description"]


def test_change_counter_sees_one_change_and_no_false_ones() -> None:
    assert _changes({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}}) == ["/b/c"]
    assert _changes({"a": 1}, {"a": 1}) == []
    assert _changes({"a": 1}, {"a": True}) == ["/a"]
    assert sorted(_changes({"a": 1}, {"b": 1})) == ["/a", "/b"]


_python = {g["description"]: jsonschema.Draft7Validator(g["schema"]) for g in GROUPS.values()}
_rust = {g["description"]: jsonschema_rs.validator_for(g["schema"]) for g in GROUPS.values()}


@pytest.mark.parametrize(("group", "test"), corpus_cases())
def test_python_jsonschema_gives_the_expected_verdict(group: dict[str, Any], test: dict[str, Any]) -> None:
    assert _python[group["description"]].is_valid(test["data"]) is test["valid"]


@pytest.mark.parametrize(("group", "test"), corpus_cases())
def test_jsonschema_rs_gives_the_expected_verdict(group: dict[str, Any], test: dict[str, Any]) -> None:
    assert _rust[group["description"]].is_valid(test["data"]) is test["valid"]


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_source_schema_with_registry_agrees_with_the_bundled_file(v: notify_schemas.Variant) -> None:
    validator = reference_validator(v)
    for t in _group(v)["tests"]:
        assert validator.is_valid(t["data"]) is t["valid"], t["description"]


ALL_IN_ONE = SCHEMA_FILES["bundled/notify-schemas.json"]


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_the_all_in_one_bundle_judges_the_corpus_as_the_variant_files_do(v: notify_schemas.Variant) -> None:
    name = f"{v.profile}.{v.event_type}.{v.priority}"
    assert ALL_IN_ONE["definitions"][name]["properties"]["event_type"] == {"const": v.event_type}
    root = {"$ref": f"#/definitions/{name}", "definitions": ALL_IN_ONE["definitions"]}
    python, rust = jsonschema.Draft7Validator(root), jsonschema_rs.validator_for(root)
    for t in _group(v)["tests"]:
        assert python.is_valid(t["data"]) is t["valid"], t["description"]
        assert rust.is_valid(t["data"]) is t["valid"], t["description"]
