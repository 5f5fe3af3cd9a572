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
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from support import _paths, edge_messages, edges

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
def test_every_verdict_path_judges_edges_as_the_reference(case: tuple[Variant, Any]) -> None:
    profile, message = case[0].profile, case[1]
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
def test_the_notifier_sends_an_edge_payload_exactly_when_the_reference_admits_it(case: tuple[Variant, Any]) -> None:
    profile, message = case[0].profile, case[1]
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
