"""The state each event implies (schemas/definitions/state.json): which variants carry which rule, and that every
voice of the contract (the samples, the demo, the conformance intents) obeys them, because they come from the
schemas."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import pytest

from notify_schemas import BASE_URI, Variant, registry, variants
from notify_schemas.cli.demo import run_demo
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.records import expected_payload
from notify_schemas.drivers.memory import MemoryDriver
from notify_schemas.notifier import Notifier
from notify_schemas.samples import samples

STATE = BASE_URI + "definitions/state.json"
# What each event says of its record, per profile: a rule lost from a variant file fails here.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("seed", "image.create"): {"image_created", "live_record"},
    ("seed", "image.update"): {"live_record"},
    ("seed", "image.prepare"): {"image_receiving_data", "live_record"},
    ("seed", "image.upload"): {"image_data_stored", "live_record"},
    ("seed", "image.activate"): {"image_activated", "live_record"},
    ("seed", "task.run"): {"task_pending"},
    ("seed", "task.processing"): {"task_processing"},
    ("seed", "task.success"): {"task_succeeded"},
    ("seed", "task.failure"): {"task_failed"},
    ("glance", "image.create"): {"image_created", "live_record"},
    ("glance", "image.update"): {"live_record"},
    ("glance", "image.prepare"): {"image_receiving_data", "live_record"},
    ("glance", "image.upload"): {"image_data_stored", "live_record"},
    ("glance", "image.activate"): {"image_activated", "live_record"},
    ("glance", "image.delete"): {"image_removed"},
    ("glance", "task.create"): {"task_pending", "live_record"},
    ("glance", "task.run"): {"task_pending", "live_record"},
    ("glance", "task.processing"): {"task_processing", "live_record"},
    ("glance", "task.success"): {"task_succeeded", "live_record"},
    ("glance", "task.failure"): {"task_failed", "live_record"},
}


def rules_of(v: Variant) -> set[str]:
    """The state.json rules a variant's payload lists in its allOf."""
    parts = registry().contents(v.uri)["properties"]["payload"].get("allOf", [])
    return {p["$ref"].partition("#/definitions/")[2] for p in parts if "state.json#" in p.get("$ref", "")}


@functools.cache
def checker(rule: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator({"$ref": f"{STATE}#/definitions/{rule}"}, registry=registry())


def broken_rules(v: Variant, payload: Any) -> list[str]:
    return [rule for rule in sorted(rules_of(v)) if not checker(rule).is_valid(payload)]


def info_variants() -> list[Variant]:
    return [v for profile in ("seed", "glance") for v in variants(profile) if v.priority == "INFO"]


def test_each_variant_carries_the_rules_of_its_event() -> None:
    for v in info_variants():
        expected = EXPECTED.get((v.profile, v.event_type))
        if expected is None:
            # Every other glance record event is a live record but for the deletes, which carry a deleted one.
            no_live_record = v.event_type.endswith(".delete") or v.event_type == "image.send"
            expected = set() if v.profile == "seed" or no_live_record else {"live_record"}
        assert rules_of(v) == expected, v


@pytest.mark.parametrize("v", info_variants(), ids=lambda v: f"{v.profile}:{v.event_type}")
def test_samples_and_intents_obey_their_events_rules(v: Variant) -> None:
    for message in samples(v.event_type, v.priority, profile=v.profile, n=25, seed=3):
        assert broken_rules(v, message["payload"]) == [], message
    for intent in intents(v.event_type, v.priority, profile=v.profile, examples=5, seed=3):
        assert broken_rules(v, expected_payload(intent)) == [], intent


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_the_demo_obeys_every_events_rules(profile: str) -> None:
    rows = run_demo(Notifier("image.demo", drivers=[MemoryDriver()], profile=profile, validation="strict"))
    assert rows
    assert all(verdict == "valid" for _, _, _, verdict, _ in rows)
    exercised = set()
    for message, event_type, priority, _, _ in rows:
        v = next(x for x in variants(profile) if (x.event_type, x.priority) == (event_type, priority))
        assert broken_rules(v, message["payload"]) == []
        exercised |= rules_of(v)
    assert exercised == {rule for (p, _), rules in EXPECTED.items() if p == profile for rule in rules}


def test_a_rule_rejects_the_state_it_rules_out() -> None:
    uploaded = checker("image_data_stored")
    assert not uploaded.is_valid({"status": "active", "size": None, "checksum": "0" * 32})
    assert not uploaded.is_valid({"status": "queued", "size": 1, "checksum": "0" * 32})
    assert uploaded.is_valid({"status": "importing", "size": 0, "checksum": "0" * 32})
    assert not checker("image_created").is_valid({"status": "queued", "size": 5})
    assert not checker("task_succeeded").is_valid({"status": "success", "expires_at": None})
    assert not checker("live_record").is_valid({"deleted": True, "deleted_at": None})
