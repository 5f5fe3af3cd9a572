"""The real Glance notifier against the schemas: its stream is the glance profile, and it departs from the seed
profile exactly where schemas/DECISIONS.md says it does.

Run by ``nox -s glance``, which installs Glance from PyPI beside the package.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from support import reference_validator

import notify_schemas

pytestmark = pytest.mark.glance

DECISIONS = Path(__file__).parent.parent.parent / "schemas" / "DECISIONS.md"


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    from glance_stream import emit_everything

    return emit_everything()


def _seed_verdicts(stream: list[dict[str, Any]]) -> dict[str, str]:
    """Per Glance variant, what the seed profile says of it: "valid", "unknown event type" or its errors."""
    errors: dict[str, set[str]] = defaultdict(set)
    verdicts = {}
    for message in stream:
        name = f"{message['event_type']} {message['priority']}"
        try:
            v = notify_schemas.variant(message["event_type"], message["priority"], profile="seed")
        except notify_schemas.UnknownVariantError:
            verdicts[name] = "unknown event type"
            continue
        for e in reference_validator(v).iter_errors(message):
            errors[name].add(f"/{'/'.join(map(str, e.absolute_path))} {e.validator}")
        verdicts[name] = "; ".join(sorted(errors[name])) or "valid"
    return verdicts


def _predicted() -> dict[str, str]:
    """The table between the glance-vs-seed markers of DECISIONS.md: `| event PRIORITY | verdict |` rows."""
    text = DECISIONS.read_text(encoding="utf-8")
    table = text.split("<!-- glance-vs-seed:start -->")[1].split("<!-- glance-vs-seed:end -->")[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"[a-z_.]+ (INFO|WARN|ERROR)", cells[0]):
            rows[cells[0]] = "; ".join(sorted(part.strip().strip("`") for part in cells[1].split(";")))
    return rows


def test_every_message_glance_sends_is_valid_in_the_glance_profile(stream: list[dict[str, Any]]) -> None:
    for message in stream:
        v = notify_schemas.variant(message["event_type"], message["priority"], profile="glance")
        errors = [e.message for e in reference_validator(v).iter_errors(message)]
        assert not errors, (v.name, errors)


def test_the_stream_exercises_every_variant_of_the_glance_profile(stream: list[dict[str, Any]]) -> None:
    sent = {(m["event_type"], m["priority"]) for m in stream}
    assert sent == {(v.event_type, v.priority) for v in notify_schemas.variants("glance")}


def test_no_message_carries_locations_or_task_input(stream: list[dict[str, Any]]) -> None:
    for message in stream:
        if isinstance(message["payload"], dict):
            assert not {"locations", "location", "direct_url", "task_input"} & message["payload"].keys()


def test_seed_profile_rejects_glance_exactly_as_decisions_predicts(stream: list[dict[str, Any]]) -> None:
    assert _seed_verdicts(stream) == _predicted()


def test_every_state_rule_holds_for_glance_and_is_exercised_by_a_real_message(stream: list[dict[str, Any]]) -> None:
    # schemas/definitions/state.json: what each event says of its record (D39). Real Glance obeys each rule of each
    # variant it sends, and each rule of the glance profile is met by at least one real message.
    from test_state import broken_rules, rules_of

    exercised: set[str] = set()
    for message in stream:
        v = notify_schemas.variant(message["event_type"], message["priority"], profile="glance")
        assert broken_rules(v, message["payload"]) == [], message
        exercised |= rules_of(v)
    every = {rule for v in notify_schemas.variants("glance") for rule in rules_of(v)}
    assert every
    assert exercised == every
