"""The schema files themselves: valid draft-07, resolvable, uniquely identified, portable across validators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import jsonschema
import pytest
from support import ALL_VARIANTS, SCHEMA_FILES

import notify_schemas
from notify_schemas.registry import bundle

try:  # Python 3.11 keeps the regex parser here; it is what `re` itself uses.
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# The draft-07 keywords the schemas may use: the subset that python-jsonschema, jsonschema-rs, ajv and
# hypothesis-jsonschema read alike and that AsyncAPI's Schema Object (a draft-07 superset) accepts.
ALLOWED_KEYWORDS = {
    "patternProperties",
    "$schema",
    "$id",
    "$ref",
    "title",
    "description",
    "definitions",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "uniqueItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "default",
}
# Regex constructs that Python's `re` and ECMA-262 (with the u flag) read differently, or that are missing in one.
NON_PORTABLE = re.compile(r"\\[dDwWsSbBAZz]|\(\?P|\(\?<|\(\?[=!]|\(\?[aiLmsux]|\\[0-9]|\[\[:")
FILES = pytest.mark.parametrize("path", sorted(SCHEMA_FILES))


def subschemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object under ``node`` (skipping the values of const, enum and default, which are data)."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key in {"properties", "definitions", "patternProperties"}:
                for name, sub in value.items():
                    yield from subschemas(sub, f"{where}/{key}/{name}")
            elif key in {"allOf", "anyOf", "oneOf"}:
                for i, sub in enumerate(value):
                    yield from subschemas(sub, f"{where}/{key}/{i}")
            elif key in {"items", "additionalProperties", "propertyNames", "not", "if", "then", "else"}:
                yield from subschemas(value, f"{where}/{key}")


@FILES
def test_schema_is_valid_against_the_draft_07_meta_schema(path: str) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA_FILES[path])


@FILES
def test_schema_has_a_versioned_id_matching_its_path_a_title_and_a_description(path: str) -> None:
    schema = SCHEMA_FILES[path]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == notify_schemas.BASE_URI + path
    assert "/v1/" in schema["$id"]
    assert schema["title"].strip()
    assert len(schema["description"]) > 20


def test_every_id_is_unique() -> None:
    ids = [s["$id"] for s in SCHEMA_FILES.values()]
    assert len(ids) == len(set(ids))


@FILES
def test_every_ref_resolves(path: str) -> None:
    schema = SCHEMA_FILES[path]
    resolver = notify_schemas.registry().resolver()
    refs = [(where, sub["$ref"]) for where, sub in subschemas(schema) if "$ref" in sub]
    for where, ref in refs:
        target = urljoin(schema["$id"], ref)
        resolved = resolver.lookup(target).contents
        assert isinstance(resolved, dict), f"{path}#{where}: {ref} does not point to a schema"
        assert not path.startswith("bundled/") or ref.startswith("#/definitions/"), f"{path}#{where}: {ref}"


@FILES
def test_schema_uses_only_the_portable_keyword_subset(path: str) -> None:
    for where, sub in subschemas(SCHEMA_FILES[path]):
        unknown = set(sub) - ALLOWED_KEYWORDS
        assert not unknown, f"{path}#{where} uses {sorted(unknown)}"
        if "$ref" in sub:
            # draft-07 ignores a $ref's siblings; a sibling would mean something in one validator and not in another.
            assert set(sub) == {"$ref"}, f"{path}#{where}: $ref has siblings {sorted(set(sub) - {'$ref'})}"


def _patterns() -> list[Any]:
    found = {}
    for path, schema in SCHEMA_FILES.items():
        if path.startswith("bundled/"):
            continue
        for where, sub in subschemas(schema):
            if "pattern" in sub:
                found[f"{path}#{where}"] = sub["pattern"]
    return [pytest.param(p, id=where) for where, p in sorted(found.items())]


def _unbounded_repeats_nest(tree: Any, inside: bool = False) -> bool:
    """True when an unbounded repeat (*, +, {n,}) contains another one: the shape that can backtrack exponentially."""
    for op, arg in tree:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            _low, high, sub = arg
            unbounded = high == sre_constants.MAXREPEAT
            children, inside_child = [sub], inside or unbounded
            if unbounded and inside:
                return True
        elif op == sre_constants.SUBPATTERN:
            children, inside_child = [arg[-1]], inside
        elif op == sre_constants.BRANCH:
            children, inside_child = list(arg[1]), inside
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            children, inside_child = [arg[1]], inside
        else:
            continue
        if any(_unbounded_repeats_nest(child, inside_child) for child in children):
            return True
    return False


@pytest.mark.parametrize("pattern", _patterns())
def test_pattern_is_portable_anchored_and_linear_time(pattern: str) -> None:
    re.compile(pattern)
    assert not NON_PORTABLE.search(pattern), "uses a construct that Python and ECMA-262 read differently"
    # The only unanchored patterns are the guards of a `not`: no "..", no newline (D3).
    guard = set(pattern.split("|")) <= {"\\.\\.", "\\n"}
    assert pattern.startswith("^") or guard, "a full-value pattern must be anchored at the start"
    if pattern.startswith("^"):
        assert pattern.endswith("$"), "a full-value pattern must be anchored at the end"
    assert not _unbounded_repeats_nest(sre_parse.parse(pattern))


@FILES
def test_every_anchored_pattern_rejects_a_final_newline_in_every_engine(path: str) -> None:
    # Python's and Perl's `$` also match before a final newline, ECMA-262's, Rust's and RE2's do not (D3): a fixed
    # length, or a companion `not` on a newline, makes every engine reject "value\n".
    for where, sub in subschemas(SCHEMA_FILES[path]):
        if not str(sub.get("pattern", "")).startswith("^"):
            continue
        fixed = sub.get("minLength") is not None and sub.get("minLength") == sub.get("maxLength")
        guard = sub.get("not", {}).get("pattern", "") if isinstance(sub.get("not"), dict) else ""
        assert fixed or "\\n" in guard.split("|"), f"{path}#{where}: nothing rejects a final newline"
        if fixed:
            tree = sre_parse.parse(sub["pattern"])
            low, high = tree.getwidth()
            assert low == high == sub["minLength"], f"{path}#{where}: the pattern's length is not the fixed one"


def test_nested_repeat_detector_catches_the_classic_exponential_shape() -> None:
    assert _unbounded_repeats_nest(sre_parse.parse("^(a+)+$"))
    assert not _unbounded_repeats_nest(sre_parse.parse("^(ab{1,4}){2,7}$"))


def test_no_schema_relies_on_format() -> None:
    # `format` is checked by some validators and ignored by others; every rule lives in `pattern` instead.
    for path, schema in SCHEMA_FILES.items():
        assert all("format" not in sub for _, sub in subschemas(schema)), path


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_bundled_file_is_up_to_date_with_the_sources(v: notify_schemas.Variant) -> None:
    fresh = bundle(notify_schemas.registry(), v.uri, new_id=v.bundled_uri)
    assert fresh == SCHEMA_FILES[v.bundled_path], "run: python -m notify_schemas.authoring.bundle schemas"


def test_bundled_definitions_are_named_after_their_source() -> None:
    v = notify_schemas.variant("image.send", "INFO")
    definitions = SCHEMA_FILES[v.bundled_path]["definitions"]
    assert {"envelope", "common.uuid", "image.image_send_seed"} <= set(definitions)
    # Names go into "#/definitions/<name>" pointers unescaped, so they must hold no "/", "~" or "#".
    assert not [d for d in definitions if set(d) & set("/~#")]
