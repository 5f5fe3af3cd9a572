"""Schema coverage: the intents of a default run ask for every enum value, nullable branch, anyOf branch and bound of
every payload schema, and the report says which were asked."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from notify_schemas import variant, variants
from notify_schemas.conformance.cli import main
from notify_schemas.conformance.coverage import STYLES, Coverage, targets
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.records import LOCATIONS, expected_payload
from notify_schemas.conformance.reference import produce
from notify_schemas.conformance.runner import run


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_a_short_run_asks_for_every_target_of_every_variant(profile: str) -> None:
    coverage = Coverage()
    for v in variants(profile):
        for _ in intents(v.event_type, v.priority, profile=profile, examples=5, coverage=coverage):
            pass
    totals = coverage.totals()
    assert all(total > 0 for kind, (_, total) in totals.items() if kind != "branch" or profile == "seed"), totals
    assert all(hit == total for hit, total in totals.values()), coverage.summary(limit=20)


def test_the_targets_follow_the_schema() -> None:
    found = {str(t) for t in targets(variant("image.update", "INFO"))}
    assert '/payload/status = "active"' in found
    assert "/payload/disk_format = null" in found  # an enum value that is null
    assert {"/payload/name null", "/payload/name non-null", "/payload/name length 255"} <= found
    assert "/payload/min_ram minimum 0" in found
    assert {"/payload/tags 0 items", "/payload/tags 1 item"} <= found
    assert "/payload/properties/+ length 0" in found  # an additional property's value
    task = {str(t) for t in targets(variant("task.success", "INFO"))}
    assert {"/payload/result no members", "/payload/result some members"} <= task
    glance = {str(t) for t in targets(variant("metadef_property.create", "INFO", profile="glance"))}
    assert {"/payload/default null", "/payload/default non-null"} <= glance  # a value of any type


def test_a_target_is_hit_only_by_a_value_of_the_same_json_type() -> None:
    coverage = Coverage()
    v = variant("image.update", "INFO")
    intent = next(intents(v.event_type, v.priority, examples=1))
    intent["record"].update(min_ram=0, protected=False)
    hit = {str(t) for t in coverage.add(intent)}
    assert "/payload/min_ram minimum 0" in hit
    intent["record"].update(min_ram=False)  # false == 0 in Python, but not in JSON
    assert "/payload/min_ram minimum 0" not in {str(t) for t in Coverage().add(intent)}


def test_the_styled_intents_hold_texts_that_break_naive_producers() -> None:
    asked = list(intents("image.update", "INFO", examples=1))
    names = [i["record"]["name"] for i in asked if isinstance(i["record"]["name"], str)]
    assert any(len(n) == 255 for n in names)
    assert any(unicodedata.normalize("NFC", n) != n for n in names)
    assert any(n != n.strip() for n in names)
    assert any(any(ord(c) > 0xFFFF for c in n) for n in names)
    assert any("://" in str(v) for i in asked for v in i["record"]["properties"].values())
    owners = [i["record"]["owner"] for i in asked if i["record"]["owner"]]
    assert any(o != o.lower() for o in owners)
    texts = [i["record"]["text"] for i in intents("image.upload", "ERROR", examples=1)]
    assert max(map(len, texts)) > 40_000
    assert {STYLES["credential-like"], STYLES["URL-like"]} <= set(texts)


def test_the_intents_keep_their_data_at_several_stores() -> None:
    asked = [i["record"] for i in intents("image.update", "INFO", examples=20)]
    schemes = {r["direct_url"].split(":", 1)[0] for r in asked}
    assert {"swift", "file", "https", "rbd", "s3"} <= schemes
    assert {r["direct_url"] for r in asked} <= set(LOCATIONS)
    tasks = [i["record"] for i in intents("task.success", "INFO", examples=5)]
    assert any(r["result"] for r in tasks)
    defaults = [i["record"]["default"] for i in intents("metadef_property.create", "INFO", profile="glance",
                                                        examples=5)]  # fmt: skip
    assert any(d is not None for d in defaults)


def test_the_report_shows_the_coverage_and_names_what_was_not_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = next(intents("image.update", "INFO", examples=1))
    report = run(produce, only=[one])
    assert report.coverage is not None
    summary = report.summary()
    assert "schema coverage over 1 variant(s): enum " in summary
    assert "not asked: image.update.INFO /payload/status" in summary
    payload = expected_payload(one)
    assert report.as_json()["coverage"]["variants"]["image.update.INFO"]["enum"]["hit"] == [
        f"/payload/{key} = {json.dumps(payload[key])}" for key in ("status", "disk_format", "container_format",
                                                                   "visibility")
    ]  # fmt: skip
    out = tmp_path / "report.json"
    code = main(["--callable", "notify_schemas.conformance.reference:produce", "--examples", "1", "--report", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "schema coverage over 33 variant(s)" in printed
    totals = json.loads(out.read_text(encoding="utf-8"))["coverage"]["totals"]
    assert all(kind["hit"] == kind["targets"] for kind in totals.values()), totals
