"""The lean copy of each schema (`notify_schemas.lean`) judges every message as the schema does."""

from __future__ import annotations

import copy
import functools
import itertools
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ALL_VARIANTS, CORPUS, JSON_VALUES, _paths

import notify_schemas
from notify_schemas.lean import _joined, excludes_newline, lean, lean_validator, length_range
from notify_schemas.samples import samples


def _prepared(v: notify_schemas.Variant) -> dict[str, Any]:
    prepared = jsonschema_rs.dereference(dict(notify_schemas.bundled_schema(v)))
    prepared.pop("definitions", None)
    return prepared


@functools.cache
def _validators(v: notify_schemas.Variant) -> tuple[Any, Any, Any]:
    prepared = _prepared(v)
    schema = notify_schemas.bundled_schema(v)
    return jsonschema_rs.validator_for(prepared), lean_validator(prepared), jsonschema.Draft7Validator(schema)


def _agree(v: notify_schemas.Variant, message: Any) -> bool:
    whole, lean_one, reference = _validators(v)
    verdict = reference.is_valid(message)
    assert whole.is_valid(message) is verdict
    assert lean_one.is_valid(message) is verdict, message
    return verdict


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_the_lean_copy_judges_the_corpus_as_the_schema_does(v: notify_schemas.Variant) -> None:
    group = next(g for g in CORPUS[v.profile] if g["description"] == f"{v.profile} {v.event_type} {v.priority}")
    verdicts = {_agree(v, t["data"]) for t in group["tests"]}
    assert verdicts == {True, False}


@functools.cache
def _samples_at(profile: str) -> dict[tuple[Any, ...], list[Any]]:
    """Every value that a sample of any variant of the profile has at each path: the near misses of the others."""
    found: dict[tuple[Any, ...], list[Any]] = {}
    for v in notify_schemas.variants(profile):
        for message in samples(v.event_type, v.priority, profile=profile, n=6, seed=7):
            for path in _paths(message)[1:]:
                value: Any = message
                for part in path:
                    value = value[part]
                found.setdefault(path, []).append(value)
    return found


def _near_misses(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value + "\n", value.upper(), value[:-1], "", value + value]
    if isinstance(value, bool):
        return [not value, None]
    if isinstance(value, int):
        return [-1, 0, 2**53 - 1, 2**53, value + 1, None, str(value)]
    return [None, {}, []]


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[notify_schemas.Variant, Any]:
    """A valid message with one to three values replaced by what another variant has there, an edit, or any JSON."""
    v = draw(st.sampled_from(ALL_VARIANTS))
    message = copy.deepcopy(
        next(samples(v.event_type, v.priority, profile=v.profile, seed=draw(st.integers(0, 10**6))))
    )
    others = _samples_at(v.profile)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(message)[1:]
        path = draw(st.sampled_from(paths))
        parent = message
        for part in path[:-1]:
            parent = parent[part]
        old = parent[path[-1]]
        choices = [*others.get(path, []), *_near_misses(old)]
        kind = draw(st.sampled_from(["other", "json", "drop"]))
        if kind == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif kind == "json":
            parent[path[-1]] = draw(JSON_VALUES)
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(choices)))
    return v, message


@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(near_misses())
def test_the_lean_copy_judges_near_misses_as_the_schema_does(case: tuple[notify_schemas.Variant, Any]) -> None:
    _agree(*case)


def test_what_a_narrower_conjunct_implies_is_dropped_and_the_rest_stays() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": {"enum": ["queued", "active", "killed"], "title": "Status"},
            "size": {"type": ["integer", "null"], "minimum": 0},
            "title": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
            "name": {"type": "string", "maxLength": 9},
        },
        "allOf": [
            {"properties": {"status": {"const": "active"}, "size": {"type": "integer"}, "secret": False}},
            {"properties": {"name": {"type": "string", "minLength": 1}}},
        ],
    }
    out = lean(schema)
    props, (state,) = out["properties"], out["allOf"]
    assert props["status"] is True
    assert state["properties"]["status"] == {"const": "active"}
    # Neither size schema implies the other (null / negative numbers): both stay.
    assert props["size"] == {"type": ["integer", "null"], "minimum": 0}
    assert state["properties"]["size"] == {"type": "integer"}
    # A property named "title" is a property, not an annotation; its minLength follows from its pattern.
    assert props["title"] == {"type": "string", "pattern": "^[a-z]+$"}
    # Forbidden by additionalProperties: false, so its own `false` is not needed.
    assert state["properties"]["secret"] is True
    # The second member names only properties the closed schema names: it joins the schema, and its rule for "name"
    # joins the schema's. The first names "secret", which the schema closes: it stays a member, or "secret" would be
    # let through.
    assert props["name"] == {"type": "string", "maxLength": 9, "minLength": 1}
    assert "secret" not in props
    assert "title" not in str(out["properties"]["status"])
    assert schema["properties"]["status"]["title"] == "Status"  # the schema given is left as it was


def test_the_envelope_rules_a_variant_fixes_are_not_checked_again() -> None:
    v = notify_schemas.variant("image.upload", "INFO")
    out = lean(_prepared(v))
    # The envelope member joins the variant's own keywords: one closed object, each property checked once.
    assert "allOf" not in out
    assert out["additionalProperties"] is False
    assert out["properties"]["event_type"] == {"const": "image.upload"}  # the envelope's pattern is not checked
    assert out["properties"]["message_id"]["pattern"]  # nothing else says what a message id is
    assert "allOf" not in out["properties"]["payload"]  # the image record and the event's state rules, joined


_LEAVES = st.sampled_from(
    [True, False, {"type": "integer"}, {"minimum": 3}, {"type": "string"}, {"const": 1}, {"type": ["integer", "null"]}]
)
_NAMES = st.sampled_from(["a", "b", "c"])


def _object_schemas(inner: st.SearchStrategy[Any], *, members: bool = False) -> st.SearchStrategy[Any]:
    """Object schemas whose keywords read each other: properties, patternProperties, additionalProperties; with
    ``members``, always with allOf members that are such schemas themselves."""
    every = {"allOf": st.lists(_object_schemas(inner), min_size=1, max_size=3)} if members else {}
    return st.fixed_dictionaries(
        every,
        optional={
            "type": st.sampled_from(["object", ["object", "null"], "integer"]),
            "properties": st.dictionaries(_NAMES, inner, max_size=3),
            "patternProperties": st.sampled_from([{"^a": {"type": "integer"}}, {"^x": False}]),
            "additionalProperties": st.one_of(st.booleans(), inner),
            "required": st.lists(_NAMES, max_size=2, unique=True),
            "minProperties": st.integers(0, 2),
            "if": inner,
            "then": inner,
            **({} if members else {"allOf": st.lists(inner, min_size=1, max_size=3)}),
        },
    )


_SCHEMAS = st.recursive(_LEAVES, _object_schemas, max_leaves=12)
# Objects of up to three keys: named properties, keys of each pattern, and others.
_INSTANCES: list[Any] = [
    None,
    0,
    5,
    *(
        dict(zip(keys, values, strict=True))
        for size in range(4)
        for keys in itertools.combinations(["a", "b", "ax", "xb", "d"], size)
        for values in itertools.product([0, "s", None], repeat=size)
    ),
]


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(_object_schemas(_SCHEMAS, members=True))
def test_a_lean_copy_of_any_object_schema_judges_as_the_schema_does(schema: Any) -> None:
    """Joining allOf members, above all, must keep what each additionalProperties reads: generated schemas mix every
    keyword that decides whether a member may join."""
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    reference, lean_one = jsonschema.Draft7Validator(schema), lean_validator(schema)
    for instance in _INSTANCES:
        assert lean_one.is_valid(instance) is reference.is_valid(instance), (lean(schema), instance)


@settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(_object_schemas(_LEAVES), _object_schemas(_LEAVES))
def test_a_joined_schema_admits_what_both_schemas_admit(schema: Any, member: Any) -> None:
    joined = _joined(schema, member)
    if joined is None:
        return
    both, one = jsonschema_rs.validator_for({"allOf": [schema, member]}), jsonschema_rs.validator_for(joined)
    for instance in _INSTANCES:
        assert one.is_valid(instance) is both.is_valid(instance), (joined, instance)


def _object_keywords() -> list[dict[str, Any]]:
    """Every combination of a few values of the keywords that read each other, and of type and required."""
    found = []
    for properties, patterns, additional, extra in itertools.product(
        [None, {}, {"a": {"type": "integer"}}, {"a": True, "b": {"type": "string"}}, {"ax": True}],
        [None, {"^a": {"type": "integer"}}, {"^x": False}],
        [None, True, False, {"type": "string"}],
        [{}, {"type": "object"}, {"required": ["a"]}],
    ):
        schema = dict(extra)
        for key, value in (
            ("properties", properties),
            ("patternProperties", patterns),
            ("additionalProperties", additional),
        ):
            if value is not None:
                schema[key] = value
        found.append(schema)
    return found


def test_a_joined_object_schema_admits_what_both_admit_for_every_combination_of_keywords() -> None:
    validators: dict[str, Any] = {}

    def verdicts(schema: Any) -> list[bool]:
        key = repr(schema)
        if key not in validators:
            validator = jsonschema_rs.validator_for(schema)
            validators[key] = [validator.is_valid(instance) for instance in _INSTANCES]
        return validators[key]  # type: ignore[no-any-return]

    schemas, joins = _object_keywords(), 0
    for schema, member in itertools.product(schemas, schemas):
        joined = _joined(schema, member)
        if joined is not None:
            joins += 1
            assert verdicts(joined) == verdicts({"allOf": [schema, member]}), (schema, member, joined)
    assert joins > len(schemas) ** 2 // 4  # the joins this checks are the common case, not a few


@pytest.mark.parametrize(
    ("member", "joins"),
    [
        ({"properties": {"a": {"minimum": 3}}}, True),  # names only what the closed schema names
        ({"properties": {"d": True}, "minProperties": 2}, False),  # "d" is closed out by the schema
        ({"properties": {"a": True}, "additionalProperties": False}, False),  # would close out "b"
        (
            {"patternProperties": {"^d": {"type": "integer"}}, "minProperties": 2},
            False,
        ),  # "d..." is closed out by the schema
        ({"type": "array"}, False),  # the same keyword, another value
        ({"type": "object", "required": ["b"]}, True),
        ({"$id": "other.json", "minProperties": 2}, False),  # another base for what it holds
    ],
)
def test_a_member_joins_its_schema_only_where_the_one_means_what_the_two_did(member: Any, joins: bool) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "additionalProperties": False,
        "required": ["a"],
        "allOf": [member],
    }
    out = lean(schema)
    assert ("allOf" not in out) is joins, out


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[a-z][a-z0-9_.]*[a-z0-9_]$", True),
        ("^[0-9]{4}-(0[1-9]|1[0-2])$", True),
        ("^[A-Za-z0-9._:@-]+$", True),
        ("^[ -~]+$", True),
        ("^a|b$", False),  # the anchors bind one alternative each
        ("^.+$", False),
        ("^[^a]+$", False),
        ("^\\s+$", False),
        ("^[\\x00-z]$", False),
        ("^[\t-~]$", False),
        ("^\\n$", False),
        ("^(?i)a$", False),
        ("[a-z]+$", False),
        ("^[a-z]+", False),
        ("^[a-z]+\\$", False),
    ],
)
def test_a_pattern_is_said_to_exclude_a_newline_only_when_it_does(pattern: str, expected: bool) -> None:
    assert excludes_newline(pattern) is expected


def _schema_patterns() -> list[str]:
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for v in ALL_VARIANTS:
        visit(notify_schemas.bundled_schema(v))
    return sorted(found)


PATTERNS = [p for p in _schema_patterns() if excludes_newline(p)]


def test_most_patterns_need_no_newline_guard_in_the_lean_copy() -> None:
    assert len(PATTERNS) >= 5


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(PATTERNS), st.data())
def test_a_pattern_said_to_exclude_a_newline_never_matches_one(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    where = data.draw(st.integers(0, len(text)))
    validator = jsonschema_rs.validator_for({"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions())
    assert validator.is_valid(text)
    assert not validator.is_valid(text[:where] + "\n" + text[where:])


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", (36, 36)),
        ("^[0-9]{4}-[0-9]{2}( [0-9]{2}(\\.[0-9]{6})?)?$", (7, 17)),
        ("^[a-z]+$", (1, None)),
        ("^(ab|c)*x$", (1, None)),
        ("^a{2,5}$", (2, 5)),
        ("^a{2,}$", (2, None)),
        ("^(a|bcd)?$", (0, 3)),
        ("^(?:ab){3}$", (6, 6)),
        ("^.$", None),
        ("^a{x}$", None),
    ],
)
def test_the_length_of_what_a_pattern_matches(pattern: str, expected: tuple[int, int | None] | None) -> None:
    assert length_range(pattern) == expected


RANGED = [p for p in [*_schema_patterns(), "^(a|bcd)?e{2,4}$", "^(x[0-9]{2}|yy)+$"] if length_range(p) is not None]


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(RANGED), st.data())
def test_what_a_pattern_matches_is_within_its_length_range(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    low, high = length_range(pattern) or (0, None)
    assert low <= len(text)
    assert high is None or len(text) <= high


def test_a_lone_allof_member_joins_its_schema_only_where_no_keyword_would_read_another() -> None:
    forbids_all = {"properties": {"a": {"type": "integer"}}, "allOf": [{"additionalProperties": False}]}
    out = lean(forbids_all)
    assert out["allOf"] == [{"additionalProperties": False}]  # not joined: beside "properties", "a" would be allowed
    validator = lean_validator(forbids_all)
    assert not validator.is_valid({"a": 1})
    assert lean({"type": "object", "allOf": [{"required": ["a"]}]}) == {"type": "object", "required": ["a"]}
