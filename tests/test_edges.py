"""Every path that gives a verdict judges a message at the edges of its variant's schema as python-jsonschema judges
it on the bundled schema, and both backends name the same violations.

The edges are read from the schemas themselves: every bound with its neighbours, as an integer and as a float, every
length with one character less and one more (ASCII, accented, outside the BMP, decomposed), every enum and const
value in place of any text, and around a value its neighbours for a pattern: digits of other scripts, line breaks
before and after it, case changed, full-width letters, a key spelled in another Unicode form or dropped, a key added,
nulls, integers past 64 bits, ``-0.0``, and whole messages sent as another variant.
"""

from __future__ import annotations

import copy
import functools
import json
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ALL_VARIANTS, _paths

from notify_schemas import PROFILES, Notifier, Variant, bundled_schema, variants
from notify_schemas.cli import main
from notify_schemas.conformance.checks import CHECKS
from notify_schemas.drivers.memory import MemoryDriver
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.samples import samples
from notify_schemas.validation import (
    is_valid,
    is_valid_plain,
    iter_errors,
    payload_verdicts,
    register_payload_verdict,
    validate,
    validity_table,
)

KNOWN = {p: {(v.event_type, v.priority): v for v in variants(p)} for p in PROFILES}


@functools.cache
def _reference(v: Variant) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(bundled_schema(v))


def reference(message: Any, profile: str) -> bool:
    """python-jsonschema's verdict on the bundled schema of the variant the message names; none named, invalid."""
    if not isinstance(message, dict):
        return False
    key = (message.get("event_type"), message.get("priority"))
    v = KNOWN[profile].get(key) if all(type(k) is str for k in key) else None  # type: ignore[call-overload]
    return v is not None and bool(_reference(v).is_valid(message))


@functools.cache
def _constants() -> tuple[frozenset[Any], frozenset[int], tuple[Any, ...]]:
    """Every bound, every length and every enum or const value that isn't a container, of every bundled schema."""
    bounds: set[Any] = set()
    lengths: set[int] = set()
    values: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, inner in node.items():
                if key in ("minimum", "maximum"):
                    bounds.add(inner)
                elif key in ("minLength", "maxLength"):
                    lengths.add(inner)
                elif key in ("enum", "const"):
                    values.extend(x for x in (inner if key == "enum" else [inner]) if not isinstance(x, dict | list))
                for part in inner.values() if key in ("properties", "definitions", "patternProperties") else [inner]:
                    walk(part)
        elif isinstance(node, list):
            for part in node:
                walk(part)

    for v in ALL_VARIANTS:
        walk(bundled_schema(v))
    unique = {(type(x), x) for x in values}
    return frozenset(bounds), frozenset(lengths), tuple(sorted(unique, key=repr))


OTHER_DIGITS = ["\u0663", "\uff13", "\U0001d7d9", "\u00b2"]  # Arabic-Indic, full-width, mathematical, superscript
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\x85", "\x0b"]


def _text_edges(text: str) -> list[str]:
    found = [text + b for b in LINE_BREAKS] + [b + text for b in LINE_BREAKS]
    found += [text + " ", text.upper(), text.lower(), text + "\x00", text + "\U0001f600", text[:-1], text + text]
    found += [unicodedata.normalize(form, text) for form in ("NFD", "NFKC")]
    digit = next((i for i, c in enumerate(text) if c in "0123456789"), None)
    if digit is not None:
        found += [text[:digit] + d + text[digit + 1 :] for d in OTHER_DIGITS]
    letter = next((i for i, c in enumerate(text) if c in "abcdef"), None)
    if letter is not None:
        wide = chr(ord(text[letter]) + 0xFEE0)  # its full-width form
        found += [text[:letter] + c + text[letter + 1 :] for c in (text[letter].upper(), wide)]
    for length in _constants()[1]:
        for n in (length - 1, length, length + 1):
            if 0 <= n <= 300:
                found += [((text or "a") * (n + 1))[:n], "\U0001f600" * n, "é" * n, "e\u0301" * n]
    return found


def _number_edges(number: float) -> list[Any]:
    found: list[Any] = [float(number), -0.0, -number, number + 0.5, True, str(number)]
    found += [2**53 - 1, 2**53, 2**63, 2**64, -(2**63) - 1, 2**100, 1e308, 9007199254740992.0, 5e-324]
    for bound in _constants()[0]:
        found += [y for x in (bound - 1, bound, bound + 1) for y in (x, float(x))] + [bound - 0.5, bound + 0.5]
    return found


def _object_edges(value: dict[str, Any]) -> list[Any]:
    found: list[Any] = [{}, {**value, "extra": 1}, {**value, "locations": []}]
    for key in value:
        rest = {k: v for k, v in value.items() if k != key}
        found.append(rest)
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in key)  # NFKC reads it as the key
        for spelled in (key + "\u200b", key.upper(), wide):
            found.append({**rest, spelled: value[key]})
    return found


def edges(value: Any) -> list[Any]:
    """Values near ``value`` at the edges of the schemas' rules."""
    if isinstance(value, bool):
        return [not value, 0, 1, 1.0, "true", None]
    if isinstance(value, int | float):
        return _number_edges(value)
    if isinstance(value, str):
        return _text_edges(value) + [x for _, x in _constants()[2]]
    if isinstance(value, list):
        return [[], value + value, value[:1] * 2 or [None], [*value, None], [*value, 1.0], [*value, "x\n"], None]
    if isinstance(value, dict):
        return [*_object_edges(value), None, []]
    return [0, 0.0, False, "", "null", {}, []]


@st.composite
def edge_messages(draw: st.DrawFn, *, within: str = "") -> tuple[str, Any]:
    """A valid message of a variant with one or two values at an edge (under the key ``within`` when given), or sent
    as another variant."""
    v = draw(st.sampled_from(ALL_VARIANTS))
    message = copy.deepcopy(next(samples(v.event_type, v.priority, profile=v.profile, seed=draw(st.integers(0, 99)))))
    if draw(st.integers(0, 9)) == 0:
        other = draw(st.sampled_from(variants(v.profile)))
        message.update(event_type=other.event_type, priority=other.priority)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from([p for p in _paths(message)[1:] if not within or p[0] == within]))
        parent = message
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(edges(parent[path[-1]]))))
    return v.profile, message


def _errors(message: Any, profile: str, backend: Any) -> set[tuple[str, str]]:
    return {(e.pointer, e.rule) for e in iter_errors(message, profile=profile, backend=backend)}


def _validates(message: Any, profile: str, backend: Any) -> bool:
    try:
        validate(message, profile=profile, backend=backend)
    except InvalidNotificationError:
        return False
    return True


@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(edge_messages())
def test_every_verdict_path_judges_edges_as_the_reference(case: tuple[str, Any]) -> None:
    profile, message = case
    expected = reference(message, profile)
    schema_valid = next(c for c in CHECKS if c.id == "schema.valid").test
    assert (schema_valid({"profile": profile}, message, None) is None) is expected
    for backend in ("rust", "python"):
        for _ in range(2):  # the first call registers the variant's hot paths, the second goes through them
            assert is_valid(message, profile=profile, backend=backend) is expected
            assert is_valid_plain(message, profile=profile, backend=backend) is expected
            assert _validates(message, profile, backend) is expected
        plain = validity_table(profile, backend).get((message["event_type"], message["priority"]))
        if plain is not None:
            assert plain(message) is expected
    rust = _errors(message, profile, "rust")
    assert rust == _errors(message, profile, "python")
    assert (not rust) is expected


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(edge_messages(within="payload"))
def test_the_notifier_sends_an_edge_payload_exactly_when_the_reference_admits_it(case: tuple[str, Any]) -> None:
    profile, message = case
    event_type, priority, payload = message["event_type"], message["priority"], message["payload"]
    expected = reference({**message, "message_id": "00000000-0000-4000-8000-000000000000"}, profile)
    driver = MemoryDriver()
    notifier = Notifier(message["publisher_id"], drivers=[driver], profile=profile)
    for _ in range(2):  # the first notification registers the variant's payload verdict, the second uses it
        try:
            sent = getattr(notifier, priority.lower())({}, event_type, copy.deepcopy(payload))
        except InvalidNotificationError:
            sent = None
        assert (sent is not None) is expected
        assert len(driver.take()) == expected
    register_payload_verdict(profile, event_type, priority)
    check = payload_verdicts(profile).get((event_type, priority))
    if check is not None:
        assert check(payload) is expected


@pytest.mark.parametrize("profile", PROFILES)
def test_the_command_line_judges_each_edge_line_as_the_reference(
    profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    for v in variants(profile):
        message = next(samples(v.event_type, v.priority, profile=profile, seed=3))
        for path in _paths(message)[1:]:
            for value in edges(_at(message, path))[::3]:
                lines.append(json.dumps(_with(message, path, value), ensure_ascii=False))
    path = tmp_path / "edges.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    main(["validate", "--profile", profile, "--format", "json", "--jobs", "1", str(path)])
    invalid = {e["line"] for e in json.loads(capsys.readouterr().out)["errors"]}
    wrong = [n for n, line in enumerate(lines, 1) if (n not in invalid) is not reference(json.loads(line), profile)]
    assert not wrong, lines[wrong[0] - 1]


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _with(message: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(message)
    parent = _at(changed, path[:-1])
    parent[path[-1]] = value
    return changed
