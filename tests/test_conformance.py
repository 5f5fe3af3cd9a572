"""The conformance suite is not vacuous: the reference producer passes every check, and each deliberately broken
producer of the gallery fails with the check id it should."""

from __future__ import annotations

import collections.abc
import contextlib
import copy
import datetime
import functools
import html
import io
import itertools
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import running_its_main

import notify_schemas
from notify_schemas.conformance import EXEC_DIR, producers
from notify_schemas.conformance.checks import CHECKS, STREAM_CHECKS, Check, RunState, json_shown
from notify_schemas.conformance.cli import main
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.producers import ExecProducer, ProducerError, answer, detached
from notify_schemas.conformance.records import (
    CREDENTIALS,
    QUOTED_PASSWORD,
    SECRET_PASSWORD,
    SECRET_URL,
    credential_forms,
)
from notify_schemas.conformance.reference import produce
from notify_schemas.conformance.runner import (
    KEPT,
    KEPT_BYTES,
    NEEDS_INTENT,
    OTHER,
    VARIANTS,
    CaseFailure,
    NotKept,
    Report,
    run,
    run_stream,
)
from notify_schemas.reader import parse
from notify_schemas.redaction import quoted
from notify_schemas.samples import samples
from notify_schemas.values import Unreadable, one_line

REFERENCE = "notify_schemas.conformance.reference:produce"
ENVELOPE_KEYS = ["message_id", "publisher_id", "event_type", "priority", "timestamp", "payload"]

Producer = Callable[[dict[str, Any]], Any]
EXAMPLE = Path(__file__).parent.parent / "conformance" / "examples" / "node" / "producer.mjs"


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_the_reference_producer_passes_every_check(profile: str) -> None:
    report = run(produce, profile=profile, examples=5)
    assert report.failures == []
    assert {c for c, _ in report.passed} == {c.id for c in CHECKS}


def _broken(change: Callable[[dict[str, Any], dict[str, Any]], Any]) -> Producer:
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        result = change(message, intent)
        return message if result is None else result

    return producer


def _payload_key(message: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(message["payload"], dict) and key in message["payload"]:
        message["payload"][key] = value


_first_id: list[str] = []


def _reuse_id(message: dict[str, Any], intent: dict[str, Any]) -> None:
    _first_id[:] = _first_id or [message["message_id"]]
    message["message_id"] = _first_id[0]


_counter = [0]


def _new_publisher(message: dict[str, Any], intent: dict[str, Any]) -> None:
    _counter[0] += 1
    message["publisher_id"] = f"image.host{_counter[0]}"


def _drop_owner(message: dict[str, Any], intent: dict[str, Any]) -> None:
    if isinstance(message["payload"], dict):
        message["payload"].pop("owner", None)


def _local_time(message: dict[str, Any], intent: dict[str, Any]) -> None:
    local = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=5)
    message["timestamp"] = str(local.replace(tzinfo=None))


def _texts(message: dict[str, Any], change: Callable[[str], str]) -> None:
    """Apply ``change`` to a text payload and to every free text of a record (its name, its properties' values)."""
    payload = message["payload"]
    if isinstance(payload, str) and not uuid_like(payload):
        message["payload"] = change(payload)
    elif isinstance(payload, dict):
        for key in ("name", "message", "description"):
            if isinstance(payload.get(key), str):
                payload[key] = change(payload[key])
        if isinstance(payload.get("properties"), dict):
            properties = payload["properties"]
            payload["properties"] = {k: change(v) if isinstance(v, str) else v for k, v in properties.items()}


def uuid_like(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _drop_url_properties(message: dict[str, Any], intent: dict[str, Any]) -> None:
    properties = message["payload"].get("properties") if isinstance(message["payload"], dict) else None
    if isinstance(properties, dict):
        message["payload"]["properties"] = {k: v for k, v in properties.items() if "://" not in str(v)}


def _leak_file_url(message: dict[str, Any], intent: dict[str, Any]) -> None:
    url = intent["record"].get("direct_url", "")
    if isinstance(message["payload"], dict) and url.startswith("file://"):
        message["payload"]["direct_url"] = url


def _null_defaults(message: dict[str, Any], intent: dict[str, Any]) -> None:
    payload = message["payload"]
    if isinstance(payload, dict) and "default" in payload:
        payload["default"] = None
    if isinstance(payload, dict) and isinstance(payload.get("properties"), list):
        for item in payload["properties"]:
            if isinstance(item, dict) and "default" in item:
                item["default"] = None


GALLERY: dict[str, tuple[Producer, str]] = {
    "a local-time timestamp": (_broken(_local_time), "envelope.timestamp"),
    "an RFC 3339 timestamp": (_broken(lambda m, i: m.update(timestamp=m["timestamp"].replace(" ", "T") + "Z")),
                              "envelope.timestamp"),
    "a reused id": (_broken(_reuse_id), "envelope.message_id"),
    "an upper-case id": (_broken(lambda m, i: m.update(message_id=m["message_id"].upper())), "envelope.message_id"),
    "a lower-case priority": (_broken(lambda m, i: m.update(priority=m["priority"].lower())), "envelope.as_asked"),
    "a wrong event echoed": (_broken(lambda m, i: m.update(event_type="image.update")), "envelope.as_asked"),
    "an extra envelope key": (_broken(lambda m, i: m.update(context={"user": "u"})), "envelope.keys"),
    "a dropped payload key": (_broken(_drop_owner), "payload.faithful"),
    "a changed size": (_broken(lambda m, i: _payload_key(m, "size", 12345)), "payload.faithful"),
    "a leaked location": (_broken(lambda m, i: m["payload"].update(locations=[{"url": SECRET_URL}])
                                  if isinstance(m["payload"], dict) and "disk_format" in m["payload"] else None),
                          "security.no_leak"),
    "leaked task input": (_broken(lambda m, i: m["payload"].update(task_input=i["record"].get("task_input"))
                                  if isinstance(m["payload"], dict) and "task_input" in i["record"] else None),
                          "security.no_leak"),
    "a non-JSON value": (_broken(lambda m, i: m.update(timestamp=datetime.datetime.now(datetime.UTC))),
                         "json.round_trip"),
    "a publisher per message": (_broken(_new_publisher), "publisher.stable"),
    "a list instead of a notification": (lambda intent: [[1, 2]], "envelope.keys"),
    "silence for WARN": (lambda intent: [] if intent["priority"] == "WARN" else produce(intent), "envelope.as_asked"),
    "an invalid payload type": (_broken(lambda m, i: _payload_key(m, "min_ram", "64")), "schema.valid"),
    # The credential in other forms than the intent's URL: URL-quoted in a property, the password alone in a text.
    "a URL-quoted location in a property": (
        _broken(lambda m, i: m["payload"]["properties"].update(src=urllib.parse.quote(SECRET_URL, safe=""))
                if isinstance(m["payload"], dict) and isinstance(m["payload"].get("properties"), dict) else None),
        "security.no_leak"),
    "integers written with a fraction": (_broken(lambda m, i: _payload_key(m, "min_ram", 64.0)), "json.integers"),
    "every event sent twice, with fresh ids": (lambda intent: [produce(intent), produce(intent)], "envelope.once"),
    "message ids derived from the content": (
        _broken(lambda m, i: m.update(message_id=str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(i, sort_keys=True))))),
        "envelope.message_id"),
    "the password alone in an error text": (
        _broken(lambda m, i: m.update(payload=f"{m['payload']} (user admin, {SECRET_PASSWORD})")
                if isinstance(m["payload"], str) else None),
        "security.no_leak"),
    # Inputs only the style and coverage phases ask for: each producer below passes the boundary and drawn intents.
    "names truncated at 100 characters": (_broken(lambda m, i: _texts(m, lambda t: t[:100])), "payload.faithful"),
    "texts normalised to NFC": (_broken(lambda m, i: _texts(m, lambda t: unicodedata.normalize("NFC", t))),
                                "payload.faithful"),
    "texts stripped of surrounding whitespace": (_broken(lambda m, i: _texts(m, str.strip)), "payload.faithful"),
    "owners lower-cased": (_broken(lambda m, i: _payload_key(m, "owner", m["payload"]["owner"].lower())
                                   if isinstance(m["payload"], dict) and isinstance(m["payload"].get("owner"), str)
                                   else None), "payload.faithful"),
    "task results emptied": (_broken(lambda m, i: _payload_key(m, "result", {})
                                     if isinstance(m["payload"], dict) and m["payload"].get("result") else None),
                             "payload.faithful"),
    "properties that look like URLs dropped": (_broken(_drop_url_properties), "payload.faithful"),
    "deleted_at stamped on every live image": (_broken(lambda m, i: _payload_key(m, "deleted_at",
                                                                                 "2026-01-01T00:00:00Z")),
                                               "payload.faithful"),
    "every task's expiry nulled": (_broken(lambda m, i: _payload_key(m, "expires_at", None)), "payload.faithful"),
    "direct_url leaked for file:// locations only": (_broken(_leak_file_url), "security.no_leak"),
    "a URL-quoted password in an error text": (
        _broken(lambda m, i: m.update(payload=f"{m['payload']} ({urllib.parse.quote(QUOTED_PASSWORD, safe='')})")
                if isinstance(m["payload"], str) else None), "security.no_leak"),
    "task input as JSON inside the message": (
        _broken(lambda m, i: _payload_key(m, "message", json.dumps(i["record"]["task_input"]))
                if "task_input" in i["record"] else None), "security.no_leak"),
    "sizes clamped to 32 bits": (_broken(lambda m, i: _payload_key(m, "size", min(m["payload"]["size"], 2**31 - 1))
                                         if isinstance(m["payload"], dict) and isinstance(m["payload"].get("size"), int)
                                         else None), "payload.faithful"),
}  # fmt: skip

# The same, where only the glance profile has the field.
GLANCE_GALLERY: dict[str, tuple[Producer, str]] = {
    "metadef defaults dropped to null": (_broken(_null_defaults), "payload.faithful"),
    "deleted_at stamped on every live metadef record": (
        _broken(lambda m, i: _payload_key(m, "deleted_at", "2026-01-01T00:00:00Z")
                if m["event_type"].startswith("metadef") else None), "payload.faithful"),
}  # fmt: skip


@pytest.mark.parametrize("case", GALLERY)
def test_each_broken_producer_fails_with_the_check_it_should(case: str) -> None:
    producer, expected = GALLERY[case]
    _first_id.clear()
    report = run(producer, profile="seed", examples=2, shrink=False)
    assert expected in report.failed_checks(), report.summary()
    level = next(c.level for c in CHECKS if c.id == expected)
    assert report.must_failed is (level == "MUST" or any(f.check.level == "MUST" for f in report.failures))


@pytest.mark.parametrize("case", GLANCE_GALLERY)
def test_each_broken_producer_fails_with_the_check_it_should_in_the_glance_profile(case: str) -> None:
    producer, expected = GLANCE_GALLERY[case]
    report = run(producer, profile="glance", examples=2, shrink=False)
    assert expected in report.failed_checks(), report.summary()


def test_a_producer_that_sends_nothing_fails_only_as_asked_and_is_shrunk() -> None:
    producer, _ = GALLERY["silence for WARN"]
    report = run(producer, profile="seed", examples=2)
    assert report.failed_checks() == {"envelope.as_asked"}
    assert {f.variant.split()[1] for f in report.failures} == {"WARN"}
    assert all(f.reason == "sent no notification for this intent" for f in report.failures)
    minimal = report.minimal["envelope.as_asked"]
    assert minimal.intent is not None
    assert minimal.intent["priority"] == "WARN"
    assert (minimal.notification, minimal.reason) == (None, "sent no notification for this intent")


def test_a_run_in_which_nothing_was_sent_and_silence_is_not_checked_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from notify_schemas.conformance.producers import ProducerError

    with pytest.raises(ProducerError, match="sent no notification for any of the"):
        run(lambda intent: [], profile="seed", examples=1, exclude_checks=["envelope.as_asked"])
    (tmp_path / "silent.py").write_text("def produce(intent):\n    return []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["--callable", "silent:produce", "--checks", "schema.valid", "--examples", "1"]) == 2
    assert "sent no notification for any of the" in capsys.readouterr().err


def _object_with_property(**attributes: Any) -> dict[str, Any]:
    intent = next(i for i in intents("metadef_object.create", "INFO", profile="glance", examples=30, seed=4)
                  if i["record"]["properties"])  # fmt: skip
    intent["record"]["properties"] = [{**intent["record"]["properties"][0], **attributes}]
    return intent


@pytest.mark.parametrize(
    ("given", "sent", "faithful"),
    [(0, None, True), (False, None, True), ("", None, True), (5, None, False), ("int", None, False), (0, 0, True)],
)
def test_a_metadef_objects_falsy_property_attribute_may_come_out_null_in_the_glance_profile(
    given: Any, sent: Any, faithful: bool
) -> None:
    # DECISIONS D29: Glance writes `value or None` for each attribute of a metadef object's property.
    check = next(c for c in CHECKS if c.id == "payload.faithful")
    intent = _object_with_property(minimum=given)
    message = copy.deepcopy(produce(intent))
    message["payload"]["properties"][0]["minimum"] = sent
    assert (check.test(intent, message, RunState()) is None) is faithful
    seed_like = {**intent, "profile": "seed"}  # elsewhere null is not a falsy value's stand-in
    assert (check.test(seed_like, message, RunState()) is None) is (given == sent)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


def _as_python_equal(value: Any) -> tuple[Any, bool]:
    """``value`` with each boolean written as the number Python takes it for (true as 1), and each number 0 or 1
    as the boolean: equal to ``value`` by Python's ``==``, another JSON value where anything was changed."""
    if isinstance(value, bool):
        return int(value), True
    if type(value) is int and value in (0, 1):
        return bool(value), True
    if isinstance(value, list):
        items = [_as_python_equal(v) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    if isinstance(value, dict):
        pairs = {k: _as_python_equal(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    return value, False


@settings(max_examples=60, deadline=None)
@given(result=st.dictionaries(st.text(max_size=3), _JSON_VALUES, max_size=4),
       key=st.sampled_from(["result", "tags", "protected"]))  # fmt: skip
def test_payload_faithful_tells_a_boolean_from_the_number_python_takes_it_for(result: Any, key: str) -> None:
    # Before, payload.faithful compared with Python's ==, for which true is 1 and false is 0: a producer that wrote
    # a task's result {"ok": true} as {"ok": 1}, or an image's protected true as 1, passed it (where the schema
    # leaves a value free, as a task's result, it passed every check). A number is still its value (1.0 is 1).
    check = next(c for c in CHECKS if c.id == "payload.faithful")
    event = "task.success" if key == "result" else "image.update"
    intent = next(intents(event, "INFO", examples=0))
    if key == "result":
        intent["record"]["result"] = result
    elif key == "tags":
        intent["record"]["tags"] = [True, 0, "a"]  # no tags a schema allows: the comparison alone is tested
    message = produce(intent)
    assert check.test(intent, message, RunState()) is None
    changed, differs = _as_python_equal(message["payload"][key])
    assert changed == message["payload"][key]  # Python's == sees nothing
    message["payload"][key] = changed
    assert (check.test(intent, message, RunState()) is None) is not differs
    from notify_schemas.conformance.checks import same_json

    assert same_json(json.loads(json.dumps(result)), result)


def _latin1_names(intent: dict[str, Any]) -> Any:
    message = produce(intent)
    payload = message["payload"]
    if isinstance(payload, dict) and isinstance(payload.get("name"), str):
        payload["name"] = payload["name"].encode("latin-1", "replace").decode("latin-1")
    return message


def test_hypothesis_shrinks_a_unicode_bug_to_the_first_character_it_breaks_on() -> None:
    report = run(_latin1_names, profile="seed", examples=30, checks=["payload.faithful"])
    minimal = report.minimal["payload.faithful"]
    assert minimal.intent is not None
    assert minimal.intent["record"]["name"] == "\u0100"  # the first character outside Latin-1
    assert minimal.notification["payload"]["name"] == "?"


def test_a_failure_is_shrunk_to_a_minimal_intent(capsys: pytest.CaptureFixture[str]) -> None:
    producer, check = GALLERY["a changed size"]
    report = run(producer, profile="seed", examples=3)
    minimal = report.minimal[check]
    assert minimal.intent is not None
    assert minimal.intent["record"]["id"] == "00000000-0000-4000-8000-000000000000"  # every choice at its simplest
    assert minimal.notification["payload"]["size"] == 12345
    assert "shrunk by Hypothesis to a minimal intent" in report.failure_details("--callable x:y")


def test_intents_carry_secrets_that_must_not_come_out() -> None:
    image = next(intents("image.update", "INFO"))
    task = next(intents("task.run", "INFO"))
    assert image["record"]["locations"][0]["url"] == SECRET_URL
    assert task["record"]["task_input"]["import_from"] == SECRET_URL


def test_the_same_seed_gives_the_same_intents() -> None:
    first = list(intents("image.create", "INFO", examples=4, seed=9))
    assert first == list(intents("image.create", "INFO", examples=4, seed=9))
    # The boundary phase first (names, sizes, Unicode, tags, many properties), then the four drawn by Hypothesis, then
    # the styled texts and what covers the rest of the schema.
    assert len(first) > 4 + 8
    # The seed reaches Hypothesis's draws, not only the boundary cases (the first draw is the simplest, always).
    assert first[9:12] != list(intents("image.create", "INFO", examples=4, seed=10))[9:12]
    tasks = list(intents("task.run", "INFO", examples=5, seed=1))  # no boundary cases
    assert tasks[1:5] != list(intents("task.run", "INFO", examples=5, seed=2))[1:5]


def test_the_drawn_intents_are_distinct() -> None:
    for event, priority in (("image.upload", "ERROR"), ("task.run", "INFO"), ("image.delete", "INFO")):
        drawn = list(intents(event, priority, examples=60, seed=0))
        assert len({json.dumps(i, sort_keys=True) for i in drawn}) == len(drawn) >= 60


def test_every_intent_meets_the_intent_schema_and_asks_for_a_valid_notification() -> None:
    import jsonschema

    from notify_schemas import BASE_URI, is_valid, registry, variants
    from notify_schemas.conformance.records import expected_payload
    from notify_schemas.message import build_message

    schema = registry().contents(BASE_URI + "intent.json")
    checker = jsonschema.Draft7Validator(schema, registry=registry())
    for profile in ("seed", "glance"):
        for v in variants(profile):
            for intent in intents(v.event_type, v.priority, profile=profile, examples=4, seed=3):
                assert list(checker.iter_errors(intent)) == [], intent
                message = build_message(v.event_type, v.priority, expected_payload(intent), "image.test")
                assert is_valid(message, profile=profile), intent


def test_the_random_phase_explores_what_the_schemas_leave_free() -> None:
    # Hypothesis, not a list of realistic values, chooses names, texts, sizes and extra properties.
    drawn = list(intents("image.update", "INFO", examples=100, seed=0))[8:108]
    images = [i["record"] for i in drawn]
    assert any(r["name"] and not r["name"].isascii() for r in images)
    assert any(r["properties"] for r in images)
    assert len({r["size"] for r in images}) > 10
    errors = [i["record"]["text"] for i in intents("image.upload", "ERROR", examples=50, seed=0)]
    assert len(set(errors)) > 10


def test_a_recorded_stream_gets_the_checks_that_need_no_intent(tmp_path: Path) -> None:
    messages = [produce(i) for i in intents("image.upload", "INFO", examples=3)]
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(json.dumps(m) for m in [*messages, messages[0]]) + "\n")
    report = run_stream([json.loads(line) for line in stream.read_text().splitlines()])
    assert report.failed_checks() == {"envelope.message_id"}  # the replayed message reuses its id


@pytest.mark.parametrize(("profile", "error"), [("nope", notify_schemas.UnknownVariantError), ("SEED",
                         notify_schemas.UnknownVariantError), (None, TypeError), (1, TypeError)])  # fmt: skip
@pytest.mark.parametrize("messages", [0, 1, 3])
def test_a_recorded_stream_judged_under_an_unknown_profile_is_the_callers_error_before_a_message_is_read(
    profile: Any, error: type[Exception], messages: int
) -> None:
    # An unknown name stopped the run midway with the schema's lookup error, None failed every message as "cannot
    # be checked", and an empty stream was said to hold nothing: run raises it before the first intent.
    read: list[int] = []

    def stream() -> Any:
        for n, message in enumerate(produce(i) for i in intents("image.upload", "INFO", examples=messages)):
            read.append(n)
            yield message

    with pytest.raises(error, match="profile"):
        run_stream(stream() if messages else [], profile=profile)
    assert read == []
    with pytest.raises(error, match="profile"):
        run(produce, profile=profile)


def test_a_recorded_stream_gives_no_verdict_of_a_check_that_needs_an_intent(tmp_path: Path) -> None:
    messages = [produce(i) for i in intents("image.upload", "INFO", examples=3)]
    report = run_stream([*messages, "unreadable line 4: not JSON"])
    judged = {check for check, _ in [*report.passed, *report.failed]}
    assert judged == {c.id for c in report.checks}
    assert not judged & NEEDS_INTENT  # counted as passed, a check that never ran reads as one that held
    assert report.passed["stream.lifecycle", "stream"] == 1  # judged once, over the whole stream


@pytest.mark.parametrize("selection", [*(["--checks", c] for c in sorted(NEEDS_INTENT)),
                                       ["--checks", f"stream.lifecycle,{min(NEEDS_INTENT)}"],
                                       ["--exclude-checks", ",".join(c.id for c in CHECKS if c.id not in NEEDS_INTENT)
                                        + ",stream.lifecycle"]])  # fmt: skip
@pytest.mark.parametrize("source", ["--stream", "--transport-url"])
def test_a_stream_run_that_would_check_nothing_asked_is_a_usage_error(
    selection: list[str], source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = tmp_path / "stream.jsonl"
    stream.write_text(json.dumps(produce(next(intents("image.upload", "INFO")))) + "\n", encoding="utf-8")
    where = str(stream) if source == "--stream" else "rabbit://guest:guest@127.0.0.1:1/"
    started = time.monotonic()
    assert main([source, where, *selection]) == 2
    assert time.monotonic() - started < 10  # said before a broker is listened to
    out, err = capsys.readouterr()
    assert "passed" not in out
    assert "not a recorded stream" in err or "no check left" in err
    assert len(err.strip().splitlines()) == 1


def test_stream_lifecycle_order_is_checked() -> None:
    prepare, upload, activate, delete = (
        produce(next(intents(e, "INFO"))) for e in ("image.prepare", "image.upload", "image.activate", "image.delete")
    )
    image_id = prepare["payload"]["id"]
    for m in (upload, activate):
        m["payload"]["id"] = image_id
    delete["payload"] = image_id
    late = copy.deepcopy(activate)
    late["message_id"] = produce(next(intents("image.prepare", "INFO")))["message_id"]
    report = run_stream([prepare, activate, upload, delete, late], checks=["stream.lifecycle"])
    reasons = [f.reason for f in report.failures]
    assert any("image.upload" in r and "after a later step" in r for r in reasons)
    assert any("after its image.delete" in r for r in reasons)


@pytest.mark.parametrize("event_type", [{"a": 1}, ["image.upload"], None, 5])
def test_stream_lifecycle_judges_a_message_whose_event_type_is_no_text(event_type: Any) -> None:
    # A recorded message is any JSON: an event type that is an object (unhashable) names no step of a lifecycle.
    message = {**produce(next(intents("image.upload", "INFO"))), "event_type": event_type}
    message["payload"] = message["payload"]["id"]
    report = run_stream([message, message], checks=["stream.lifecycle"])
    assert not report.failures


def test_cli_exit_codes_reports_and_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    code = main(["--callable", REFERENCE, "--examples", "2", "--junit", str(junit),
                 "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "passed: every MUST check holds" in out
    assert json.loads(report.read_text())["result"] == "pass"
    assert junit.read_text().startswith('<?xml version="1.0"')
    code = main(["--callable", "tests.test_conformance:leaky", "--examples", "1", "--checks", "security.no_leak"])
    out = capsys.readouterr().out
    assert code == 1
    assert "replay: notify-schemas conformance --callable" in out
    replay = out.split("replay: notify-schemas conformance ")[1].splitlines()[0]
    assert "--intent" in replay
    assert main(["--callable", "no.such:thing"]) == 2
    assert main(["--callable", REFERENCE, "--checks", "no.such.check"]) == 2


def leaky(intent: dict[str, Any]) -> dict[str, Any]:
    """A producer that copies the whole record into the payload, secrets included."""
    message = produce(intent)
    if isinstance(message["payload"], dict):
        message["payload"] = dict(intent["record"])
    return message


@pytest.mark.parametrize("where", ["checkout", "installed"])
def test_the_node_example_producer_passes_through_exec(where: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The same file from the repository and from the installed package's exec/ folder (EXEC_DIR).
    example = EXAMPLE if where == "checkout" else EXEC_DIR / "examples" / "node" / "producer.mjs"
    if where == "installed":  # the tests run against the installed package: its own copy, not the checkout's
        assert example.resolve().is_relative_to(Path(notify_schemas.__file__).resolve().parent)
    assert example.is_file()
    assert main(["--exec", f"node {example}", "--examples", "3"]) == 0
    assert "passed: every MUST check holds" in capsys.readouterr().out


def test_an_exec_producer_started_elsewhere_finds_the_schemas_through_the_command(tmp_path: Path) -> None:
    # Without NOTIFY_SCHEMAS_DIR (a producer started by hand, from a folder of its own), the example asks
    # `notify-schemas schemas path`, and what it sends for an intent passes the suite's checks.
    copy_ = tmp_path / "producer.mjs"
    copy_.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    intent = next(intents("image.create", "INFO", profile="glance", examples=1))
    environment = {k: v for k, v in os.environ.items() if k != "NOTIFY_SCHEMAS_DIR"}
    done = subprocess.run(["node", str(copy_)], input=json.dumps(intent) + "\n", capture_output=True, text=True,
                          env=environment, cwd=tmp_path, timeout=60, check=True)  # fmt: skip
    message = json.loads(done.stdout)
    report = run(lambda _: message, profile="glance", only=[intent], checks=["schema.valid", "payload.faithful"])
    assert not report.failures, report.failure_details("")


def test_the_pytest_plugin_fixture_passes_a_conforming_producer(notify_conformance: Any) -> None:
    report = notify_conformance(produce, profile="glance", examples=2)
    assert not report.failures


@pytest.mark.parametrize("named", ["conftest", "-p"])
def test_the_pytest_plugin_named_by_a_project_as_well_is_loaded_once(tmp_path: Path, named: str) -> None:
    # pytest loads the installed plugin by its entry point's name; a project that names the module too
    # (pytest_plugins in its conftest.py, or -p) had it registered twice: "Plugin already registered under a
    # different name", and no test ran.
    (tmp_path / "test_producer.py").write_text(
        "from notify_schemas.conformance.reference import produce\n"
        "def test_conforms(notify_conformance):\n"
        "    notify_conformance(produce, examples=1)\n",
        encoding="utf-8",
    )
    plugin = "notify_schemas.conformance.pytest_plugin"
    if named == "conftest":
        (tmp_path / "conftest.py").write_text(f"pytest_plugins = [{plugin!r}]\n", encoding="utf-8")
    extra = ["-p", plugin] if named == "-p" else []
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_pytest_plugin_fixture_refuses_examples_beyond_the_maximum(notify_conformance: Any) -> None:
    with pytest.raises(ValueError, match="examples must be from 0 to 10,000"):
        notify_conformance(produce, examples=10_001)


@pytest.mark.parametrize("option", ["examples", "seed"])
@pytest.mark.parametrize("value", [1.5, "3", None, True, [1], 2.0])
def test_examples_and_seed_that_are_no_whole_number_are_a_type_error_naming_them(option: str, value: Any) -> None:
    # Before, examples=1.5 raised hypothesis's InvalidArgument ("max_examples=1.5"), examples="3" "'<=' not supported",
    # and seed="x" was taken (with examples=0) or raised "can only concatenate str"; run_negative likewise.
    from notify_schemas.conformance.negative import run_negative

    with pytest.raises(TypeError, match=f"^{option} must be a whole number") as raised:
        run(produce, **{"examples": 1, option: value}, shrink=False)
    assert "\n" not in str(raised.value)
    with pytest.raises(TypeError, match=f"^{option} must be a whole number"):
        run_negative(lambda message: True, **{"examples": 1, option: value})


@pytest.mark.parametrize("given", [list, tuple, iter, ",".join, lambda ids: (i for i in ids)])
@pytest.mark.parametrize("ids", [["schema.valid"], ["envelope.keys", "json.integers"]])
def test_check_ids_are_read_alike_however_a_caller_gives_them(
    given: Callable[[list[str]], Any], ids: list[str]
) -> None:
    # A text was read as the characters it is made of ("unknown check 's'" for "schema.valid"), and an iterator was
    # read once to check its ids and found empty when they were selected ("no check left to run").
    intent = next(intents("image.upload", "INFO", examples=0))
    report = run(produce, only=[intent], checks=given(ids), shrink=False)
    assert [c.id for c in report.checks] == ids
    report = run(produce, only=[intent], exclude_checks=given(ids), shrink=False)
    assert not {c.id for c in report.checks} & set(ids)
    assert [c.id for c in run_stream([produce(intent)], checks=given(ids)).checks] == ids
    assert not {c.id for c in run_stream([produce(intent)], exclude_checks=given(ids)).checks} & set(ids)


@pytest.mark.parametrize("option", ["checks", "exclude_checks"])
@pytest.mark.parametrize("value", [[["schema.valid"]], [{"a": 1}], 5, [None], "", [], (), " , "])
def test_check_ids_that_are_no_text_or_name_none_are_refused_naming_the_option(option: str, value: Any) -> None:
    # Before, an id that was a list raised TypeError("unhashable type: 'list'"), a number "'int' object is not
    # iterable", naming neither the option nor what it takes; and checks="" or [] ran every check, where --checks ""
    # is a usage error: "only these" naming none is no choice of every check.
    if option == "exclude_checks" and value in ("", [], (), " , "):
        return  # excluding none excludes nothing: every check, as leaving it out
    intent = next(intents("image.upload", "INFO", examples=0))
    for judged in (lambda: run(produce, only=[intent], shrink=False, **{option: value}),
                   lambda: run_stream([produce(intent)], **{option: value})):  # fmt: skip
        with pytest.raises(ValueError, match=f"^{option}: ") as raised:
            judged()
        assert "\n" not in str(raised.value)


def test_the_pytest_plugin_fixture_fails_a_leaking_producer(notify_conformance: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"security\.no_leak"):
        notify_conformance(leaky, examples=1)


def strict_consumer(message: dict[str, Any]) -> bool:
    """A consumer that validates with the package: it must pass the negative mode."""
    from notify_schemas import is_valid

    return is_valid(message)


def lax_consumer(message: dict[str, Any]) -> bool:
    """A consumer that only checks the envelope keys: it lets broken payloads and formats through."""
    return isinstance(message, dict) and {"message_id", "event_type", "priority", "payload"} <= message.keys()


def test_negative_mode_passes_a_strict_consumer_and_names_what_a_lax_one_misses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from notify_schemas.conformance.negative import MUTATIONS, run_negative

    strict = run_negative(strict_consumer, examples=1)
    assert strict.failures == []
    asked = {c for c, _ in strict.passed}
    assert asked == {"negative.accepts_valid"} | {f"negative.rejects.{m}" for m in MUTATIONS}
    lax = run_negative(lax_consumer, examples=1)
    failed = lax.failed_checks()
    assert "negative.rejects.leaked_locations" in failed
    assert "negative.rejects.timestamp_with_zone_offset" in failed
    assert "negative.rejects.missing_payload" not in failed  # it does check the keys it knows
    assert "negative.accepts_valid" not in failed
    assert main(["--mode", "negative", "--callable", "tests.test_conformance:lax_consumer"]) == 1
    assert main(["--mode", "negative", "--callable", "tests.test_conformance:strict_consumer"]) == 0
    assert "negative.rejects.leaked_locations" in capsys.readouterr().out


def test_a_producers_exit_status_once_its_input_is_closed_is_not_judged(capfd: pytest.CaptureFixture[str]) -> None:
    # PROTOCOL.md: every answer was judged; how the program ends after the last is its own.
    body = (
        "import json, sys\n"
        "from notify_schemas.conformance.reference import produce\n"
        "for line in sys.stdin:\n"
        "    print(json.dumps(produce(json.loads(line))), flush=True)\n"
        "sys.exit(7)\n"
    )
    intent = json.dumps(_UPLOAD_INTENT)
    assert main(["--exec", shlex.join([sys.executable, "-c", body]), "--intent", intent]) == 0, capfd.readouterr()


_BY_ITS_PROFILE = (
    "import json, os, sys\n"
    "from notify_schemas import is_valid\n"
    "profile = os.environ['NOTIFY_SCHEMAS_PROFILE']\n"
    "for line in sys.stdin:\n"
    "    print('valid' if is_valid(json.loads(line), profile=profile) else 'invalid', flush=True)\n"
)


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_a_consumer_program_is_told_the_profile_it_is_judged_by(
    capfd: pytest.CaptureFixture[str], profile: str
) -> None:
    # It was handed notifications alone, and a glance notification may be invalid in seed: a consumer following
    # PROTOCOL.md could only guess the profile, and one that guessed seed rejected valid glance notifications.
    command = shlex.join([sys.executable, "-c", _BY_ITS_PROFILE])
    assert main(["--mode", "negative", "--profile", profile, "--examples", "1", "--exec", command]) == 0, (
        capfd.readouterr()
    )
    told = "import os; print(os.environ['NOTIFY_SCHEMAS_PROFILE'], file=sys.stderr)"
    producer = ExecProducer(shlex.join([sys.executable, "-c", f"import sys; {told}"]), profile=profile)
    producer.close()
    assert capfd.readouterr().err.strip() == profile


@pytest.mark.parametrize("examples", [0, -1, 6, 10**6])
def test_negative_mode_that_asks_no_message_or_too_many_is_an_error_not_a_pass(examples: int) -> None:
    # None asked read as a pass; a million, from Python (the command line allows 1 to 5), ran on for ever.
    from notify_schemas.conformance.cli import _NEGATIVE_EXAMPLES
    from notify_schemas.conformance.negative import MAX_NEGATIVE_EXAMPLES, run_negative

    assert MAX_NEGATIVE_EXAMPLES == _NEGATIVE_EXAMPLES  # the command line and the function take the same
    started = time.monotonic()
    with pytest.raises(ValueError, match="examples must be from 1 to 5 valid messages per variant"):
        run_negative(notify_schemas.is_valid, examples=examples)
    assert time.monotonic() - started < 5


def test_what_a_callable_writes_into_what_it_is_handed_changes_no_verdict() -> None:
    from notify_schemas import is_valid
    from notify_schemas.conformance.negative import run_negative

    def renames_in_place(intent: dict[str, Any]) -> Any:
        if "name" in intent["record"]:
            intent["record"]["name"] = "renamed"  # sends a name it was not given, and writes it where it was asked
        return produce(intent)

    report = run(renames_in_place, profile="seed", examples=1, shrink=False)
    assert "payload.faithful" in report.failed_checks()
    assert all(f.intent is None or f.intent["record"].get("name") != "renamed" for f in report.failures)

    def clears_when_done(message: dict[str, Any]) -> bool:
        valid = is_valid(message)
        message.clear()  # a validator that consumes what it is handed
        return valid

    report = run_negative(clears_when_done, profile="seed", examples=1)
    assert not report.failures
    assert not report.stopped
    assert report.passed  # every broken message was still asked, each broken from the valid one


def test_an_answer_of_more_notifications_than_one_intent_makes_stops_the_run() -> None:
    from notify_schemas.conformance.runner import MAX_SENT

    intent = next(intents("image.upload", "INFO", examples=0))
    report = run(lambda i: [produce(i)] * MAX_SENT, only=[intent], checks=["schema.valid"])
    assert not report.stopped
    assert report.passed  # a hundred are judged, each of them
    report = run(lambda i: [0] * 2_000_000, only=[intent])  # two million failures per check, were it judged
    assert report.stopped == "the producer answered 2,000,000 notifications to the intent image.upload INFO, " \
        "more than the 100 one answer may hold"  # fmt: skip
    assert not report.failures


class _LongRepr:
    """A producer's object whose ``repr`` is as long as it is told, and holds the intent's password when asked."""

    def __init__(self, length: int, leaked: bool) -> None:
        self.length, self.leaked = length, leaked

    def __repr__(self) -> str:
        return f"password=x {SECRET_PASSWORD if self.leaked else 'nothing'} " + "z" * self.length


@pytest.mark.parametrize("leaked", [True, False])
def test_an_object_of_a_huge_repr_is_judged_and_shown_in_bounded_time(leaked: bool) -> None:
    """Its ``repr`` is read and masked once: judged and shown again for every check and every report, a 20 MB one
    took tens of seconds an intent. Each verdict is the one of a short ``repr`` that says the same, so a credential
    in it still fails `security.no_leak` as a leak, and none as unjudged."""
    only = list(itertools.islice(intents("image.upload", "INFO", examples=3), 3))

    def producer(length: int) -> Callable[[dict[str, Any]], Any]:
        def produced(intent: dict[str, Any]) -> Any:
            message = produce(intent)
            message["payload"] = _LongRepr(length, leaked)
            message[_LongRepr(length, leaked)] = 1  # a key too
            return message

        return produced

    def verdicts(report: Report) -> list[tuple[str, str]]:
        shown = r"<a repr of [\d,]+ characters, not shown>|password=\*\*\* [^\]\"]*"  # the repr, or its length
        return sorted({(f.check.id, re.sub(shown, "", f.reason)) for f in report.failures})

    short = run(producer(10), only=only, shrink=False)
    started = time.monotonic()
    report = run(producer(20_000_000), only=only, shrink=False)
    text = json.dumps(report.as_json()) + report.failure_details("--callable m:f") + report.summary()
    assert time.monotonic() - started < 20  # seconds: it took minutes
    assert verdicts(report) == verdicts(short)
    assert report.failed == short.failed
    assert report.passed == short.passed
    leak = next(f.reason for f in report.failures if f.check.id == "security.no_leak")
    assert ("credentials appear" in leak) is leaked
    assert len(text) < 100_000  # a cut of it at most, masked


def raising(intent: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("database is down")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--callable", "tests.test_conformance:raising", "--examples", "1"], "the producer raised RuntimeError"),
        (["--exec", "true"], "'true' exited with 0 before reading the intent image.activate ERROR"),
        (["--intent", "{}", "--callable", REFERENCE], "--intent is not an intent of schemas/intent.json"),
        (["--callable", REFERENCE, "--examples", "1", "--report", "/nonexistent/r.json"],
         "cannot write the report"),
        (["--callable", REFERENCE, "--examples", "10001"], "--examples: must be at most 10,000"),
        (["--callable", REFERENCE, "--checks", ",,"], "--checks: names no check"),
        (["--callable", REFERENCE, "--exclude-checks", " "], "--exclude-checks: names no check"),
        (["--callable", REFERENCE, "--exclude-checks", ",".join(c.id for c in CHECKS)], "no check left to run"),
        (["--stream", __file__, "--exclude-checks", ",".join(c.id for c in CHECKS) + ",stream.lifecycle"],
         "no check left to run"),
        # Negative mode asks 1 to 5 valid messages per variant: 0 or 50 was taken as 1 or 5, silently.
        (["--mode", "negative", "--callable", "notify_schemas:is_valid", "--examples", "0"],
         "--examples: from 1 to 5 valid messages per variant in --mode negative, not 0"),
        (["--mode", "negative", "--callable", "notify_schemas:is_valid", "--examples", "50"],
         "--examples: from 1 to 5 valid messages per variant in --mode negative, not 50"),
    ],
)  # fmt: skip
def test_usage_and_producer_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        code = main(argv)
    except SystemExit as usage:  # argparse's usage errors exit with 2
        code = int(usage.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("odd", ["\n", "\t", "\r", "\x1b[31m", "\u2028", "  "])
@pytest.mark.parametrize("option", ["--stream", "--report", "--junit"])
def test_an_error_names_a_file_with_a_line_break_or_a_tab_as_one_escaped_name(
    odd: str, option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As every command names a file (`no\\x0afile`): the words of the line were joined with one space, so a file
    named ``no<LF>file`` was said to be ``no file``, another file's name, and two spaces were one."""
    name = str(tmp_path / f"no{odd}such" / "file")
    stream = tmp_path / "stream.jsonl"
    stream.write_text(json.dumps(produce(_UPLOAD_INTENT)) + "\n", encoding="utf-8")
    argv = ["--stream", name] if option == "--stream" else ["--stream", str(stream), option, name]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert one_line(name) in err  # each character no one sees as its escape; two spaces stay two


_UPLOAD = '"event_type": "image.upload", "priority": "INFO", "profile": "seed"'


@pytest.mark.parametrize(
    ("intent", "message"),
    [
        ("{" + _UPLOAD + ', "record": {"size": NaN}}', "--intent: not JSON: NaN is not JSON"),
        ("{" + _UPLOAD + ', "record": {"size": 1e999}}', "--intent: /record/size: inf (a number beyond a double's"),
        ("{" + _UPLOAD + ', "record": {"name": "\\ud800"}}', "--intent: /record/name: text that is not valid Unicode"),
        ("{" + _UPLOAD + ', "record": {"size": 1, "size": 2}}', "--intent writes the key at /record/size twice"),
        ("{" + _UPLOAD + ', "record": 5}', "--intent is not an intent of schemas/intent.json: /record: 5 is not of"),
        ('{"event_type": 5, "priority": "INFO", "profile": "seed", "record": {}}', "/event_type: 5 is not of type"),
        ('{"event_type": "image.nope", "priority": "INFO", "profile": "seed", "record": {}}',
         "--intent asks for what no schema describes: unknown event type 'image.nope'"),
    ],
)  # fmt: skip
def test_an_intent_given_is_checked_before_the_producer_is_asked(
    capsys: pytest.CaptureFixture[str], intent: str, message: str
) -> None:
    # Handed over, a malformed intent was blamed on the producer ("the producer raised TypeError"), and NaN went into
    # the JSON report as it was, which made the report no JSON.
    assert main(["--callable", "tests.test_conformance:raising", "--intent", intent]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert "producer raised" not in err


def test_a_repeated_key_that_is_a_lone_surrogate_is_reported_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = tmp_path / "stream.jsonl"
    stream.write_text('{"\\ud800": 1, "\\ud800": 2}\n', encoding="utf-8")
    # The details show the first five checks that failed: json.round_trip fails it too, before json.unique_keys.
    assert main(["--stream", str(stream), "--checks", "json.unique_keys"]) == 1
    out, err = capsys.readouterr()
    assert "writes a key twice (/\\ud800)" in out
    assert "Traceback" not in err


def test_a_key_written_twice_fails_unique_keys_from_a_stream_and_from_an_exec_producer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The leaking copy first, the clean one last: a parser that keeps the last key sees a valid message.
    message = produce(next(intents("image.upload", "INFO", examples=1)))
    line = '{"payload": {"locations": []}, ' + json.dumps(message)[1:]
    stream = tmp_path / "stream.jsonl"
    stream.write_text(line + "\n", encoding="utf-8")
    assert main(["--stream", str(stream), "--checks", "json.unique_keys"]) == 1
    assert "/payload" in capsys.readouterr().out
    producer = tmp_path / "twice.py"
    producer.write_text(
        "import json, sys\n"
        "from notify_schemas.conformance.reference import produce\n"
        "for intent in sys.stdin:\n"
        "    m = produce(json.loads(intent))\n"
        '    print(\'{"priority": "bogus", \' + json.dumps(m)[1:], flush=True)\n',
        encoding="utf-8",
    )
    assert main(["--exec", f"{sys.executable} {producer}", "--examples", "1", "--checks", "json.unique_keys"]) == 1
    assert "duplicate-key" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("shape", "pointer", "recorded"),
    [
        ("[{twice}]", "/priority", "/0/priority"),  # an answer of one notification, as an array
        ("[{once}, {twice}]", "/priority", "/1/priority"),  # the second of two
        ("[[{twice}]]", "/0/priority", "/0/0/priority"),  # an array of arrays: no notification, a key written twice
    ],
)
def test_a_key_written_twice_inside_an_array_fails_unique_keys(
    shape: str, pointer: str, recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only an answer or a record that was an object kept the keys its text wrote twice: inside an array they were
    # dropped, and json.unique_keys passed what a consumer's parser reads either way.
    message = produce(next(intents("image.upload", "INFO", examples=1)))
    once = json.dumps(message)
    twice = '{"priority": "bogus", ' + once[1:]
    line = shape.replace("{twice}", twice).replace("{once}", once)
    program = tmp_path / "twice.py"
    program.write_text(f"import sys\nfor intent in sys.stdin:\n    print({line!r}, flush=True)\n", encoding="utf-8")
    stream = tmp_path / "stream.jsonl"
    stream.write_text(once + "\n" + line + "\n", encoding="utf-8")
    intent = json.dumps(next(intents("image.upload", "INFO", examples=1)))
    # A line of JSON Lines is one record, the array whole: its keys are pointed from the array's top.
    for source, where in ((["--exec", f"{sys.executable} {program}", "--intent", intent], pointer),
                          (["--stream", str(stream)], recorded)):  # fmt: skip
        report = tmp_path / "report.json"
        assert main([*source, "--checks", "json.unique_keys", "--report", str(report)]) == 1, source
        assert f"writes a key twice ({where})" in capsys.readouterr().out
        (check,) = json.loads(report.read_text(encoding="utf-8"))["checks"]
        assert check["failed"] == 1
    answered = answer(line)
    assert [getattr(item, "duplicates", ()) for item in answered][-1] == (pointer,)
    assert [list(item) for item in answered] == [list(item) for item in detached(answered)]
    assert [getattr(item, "duplicates", ()) for item in detached(answered)][-1] == (pointer,)


def test_transport_url_without_the_oslo_extra_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "oslo_messaging", None)  # as if the extra were not installed
    assert main(["--transport-url", "rabbit://guest:guest@127.0.0.1:1/"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'notify-schemas[oslo]'" in err
    assert "Traceback" not in err


# --- producers that break the protocol: the run ends, with exit 2 and a reason, within the answer timeout ---------

PROTOCOL_BREAKERS = {
    "stops answering": ("for line in sys.stdin:\n    time.sleep(3600)\n", "gave no answer within 1 s"),
    "an answer without its newline, alive": (
        "for line in sys.stdin:\n    sys.stdout.write(answer(line)); sys.stdout.flush(); time.sleep(3600)\n",
        "gave no answer within 1 s",
    ),
    "an answer without its newline, then exit": (
        "line = sys.stdin.readline()\nsys.stdout.write(answer(line)); sys.stdout.flush()\n",
        "without its newline",
    ),
    "closes its output, stays alive": ("import os\nos.close(1)\ntime.sleep(3600)\n", "closed its output"),
    "exits at once": ("sys.exit(3)\n", "exited with 3 before reading the intent"),
    # Each said no more than "exited with 0", naming no intent, as if the program had answered some.
    "exits with 0 before reading its input": ("sys.exit(0)\n", "exited with 0 before reading the intent"),
    # Its question was in its pipe before it ended: it was said to have closed its output before answering.
    "exits with 0 once its question came, never reading it": (
        "import select\nselect.select([sys.stdin], [], [])\nsys.exit(0)\n",
        "exited with 0 before reading the intent",
    ),
    "reads its question, then exits with 0": (
        "sys.stdin.readline()\nsys.exit(0)\n",
        "closed its output before answering the intent image.activate ERROR (question 1), and exited with 0",
    ),
    "exits leaving a process behind, before reading": (
        "import subprocess\nsubprocess.Popen(['sleep', '30'], stdin=subprocess.DEVNULL)\nsys.exit(0)\n",
        "exited with 0 before reading the intent",
    ),
    # Said to have ended "before answering" where its question reached its pipe before it ended, as on a busy machine.
    "exits leaving a process behind once its question came, never reading it": (
        "import select, subprocess\nsubprocess.Popen(['sleep', '30'], stdin=subprocess.DEVNULL)\n"
        "select.select([sys.stdin], [], [])\nsys.exit(0)\n",
        "exited with 0 before reading the intent",
    ),
    "a line before its first answer": (
        "print('starting up', flush=True)\nfor line in sys.stdin:\n    print(answer(line), flush=True)\n",
        "line",
    ),
    "a line longer than any answer, alive": (
        "for line in sys.stdin:\n    sys.stdout.write('x' * (17 << 20) + '\\n'); sys.stdout.flush()\n"
        "    time.sleep(3600)\n",
        "longer than 16,777,216 bytes",
    ),
    "killed by a signal": (
        "import os, signal\nsys.stdin.readline()\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "killed by SIGKILL",
    ),
    # Its input is closed before its answer is written: once the run has the answer, the next question cannot find
    # the pipe still open (closed after it, the question could land in the pipe first and wait out --answer-timeout).
    "closes its input with its answer, stays alive": (
        "import os\nline = sys.stdin.readline()\nos.close(0)\nprint(answer(line), flush=True)\ntime.sleep(3600)\n",
        "closed its input before reading the intent",
    ),
    "floods its output": (
        "line = sys.stdin.readline()\nwhile True:\n    print(answer(line), flush=True)\n",
        "wrote a line after its answer to the intent",
    ),
    # Stopped by the suite, not at a question: it was given 10 s to exit once its input closed, which it ignores.
    "too many notifications, then stays": (
        "line = sys.stdin.readline()\nprint('[' + ','.join([answer(line)] * 101) + ']', flush=True)\n"
        "for line in sys.stdin:\n    pass\ntime.sleep(3600)\n",
        "answered 101 notifications to the intent",
    ),
}
PREAMBLE = (
    "import json, sys, time\n"
    "from notify_schemas.conformance.reference import produce\n"
    "def answer(line):\n"
    "    return json.dumps(produce(json.loads(line)))\n"
)


@pytest.mark.parametrize(("answer_timeout", "ended"), [("5", "stopped"), ("30", "exited")])
def test_a_program_gets_as_long_to_exit_as_to_answer(answer_timeout: str, ended: str, tmp_path: Path) -> None:
    # It answers every intent, then takes eight seconds to exit once its input closes: within --answer-timeout 30 it
    # ends by itself, with 5 it is stopped first (not given the ten seconds of the default, in which it would end by
    # itself); it writes which. Its SIGTERM handler says so, not the time the run took: a busy machine may take
    # seconds to start it, and an answer timeout of a second could end the run before its first answer.
    done = tmp_path / "ended"
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + (
        "import signal\n"
        "def ended(how):\n"
        f"    open({str(done)!r}, 'w').write(how)\n"
        "    sys.exit(0)\n"
        "for line in sys.stdin:\n    print(answer(line), flush=True)\n"
        "signal.signal(signal.SIGTERM, lambda *_: ended('stopped'))\n"
        "time.sleep(8)\nended('exited')\n"
    ), encoding="utf-8")  # fmt: skip
    code = main(["--exec", f"{sys.executable} {program}", "--examples", "1", "--answer-timeout", answer_timeout])
    assert code == 0
    assert done.read_text() == ended


def _answer_timeout(reason: str, case: str = "") -> str:
    """1 s for a program that gives no answer, whose stop says that it waited so long, and for one whose question may
    wait unread behind a process holding its output; 60 s for the others, whose break is seen as it comes: a busy
    machine can take more than a second to start a program and bring its answer (17 MB of it for a line too long),
    and the run must not take a slow one for one that stopped answering."""
    return "1" if "within 1 s" in reason or "a process behind" in case else "60"


@pytest.mark.parametrize("case", PROTOCOL_BREAKERS)
def test_a_producer_that_breaks_the_protocol_ends_the_run_with_exit_2_and_a_reason(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, reason = PROTOCOL_BREAKERS[case]
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + body, encoding="utf-8")
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    started = time.monotonic()
    code = main(["--exec", f"{sys.executable} {program}", "--examples", "2", "--answer-timeout",
                 _answer_timeout(reason, case), "--report", str(report), "--junit", str(junit)])  # fmt: skip
    # Stopped at once: one that broke the protocol otherwise and stayed was given as long to exit on its closed input
    # as a program that answered every question is, the answer timeout (60 s here).
    assert time.monotonic() - started < 30
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err
    assert "the intent " in err  # every stop names what the program was asked
    assert json.loads(report.read_text(encoding="utf-8"))["result"] == "stopped"
    # Neither the table nor a CI system reading the JUnit file may take a stopped run for a passed one.
    assert "passed: every MUST check holds" not in out
    assert "STOPPED" in out
    suite = ElementTree.fromstring(junit.read_text(encoding="utf-8"))
    assert suite.get("errors") == "1"
    assert suite.find("testcase/error") is not None


def test_an_intermittent_producer_gets_a_report_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    calls = [0]

    def every_third_wrong(intent: dict[str, Any]) -> dict[str, Any]:
        calls[0] += 1
        message = produce(intent)
        if calls[0] % 3 == 0:
            message["priority"] = message["priority"].lower()
        return message

    report = run(every_third_wrong, examples=3)
    assert "envelope.as_asked" in report.failed_checks()
    assert not report.stopped
    report.summary()  # the table is made, notes included


def test_a_utf8_producer_passes_under_a_c_locale(tmp_path: Path) -> None:
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE.replace("json.dumps(produce(json.loads(line)))",
                                        "json.dumps(produce(json.loads(line)), ensure_ascii=False)")
                       + "for line in sys.stdin:\n    sys.stdout.buffer.write(answer(line).encode() + b'\\n')\n"
                       "    sys.stdout.flush()\n", encoding="utf-8")  # fmt: skip
    environment = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    done = subprocess.run(
        [sys.executable, "-m", "notify_schemas", "conformance", "--exec", f"{sys.executable} {program}",
         "--examples", "3"], capture_output=True, text=True, env=environment, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_stream_check_asked_of_a_producer_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--callable", REFERENCE, "--checks", "stream.lifecycle"]) == 2
    assert "judges a recorded stream" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "shown"),
    [("fake://u:CANARY-9d1@localhost/", "fake://u:***@localhost/"),
     ("fake:u:CANARY-9d1@localhost", "fake:***@localhost")],  # without //: no reader takes it for a URL
)  # fmt: skip
def test_a_report_of_live_traffic_names_the_broker_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, shown: str
) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    # Nothing comes within 0.1 s: the run stops, checking nothing, with its reports written (exit 2).
    assert main(["--transport-url", url, "--timeout", "0.1", "--report", str(report), "--junit", str(junit)]) == 2
    out, err = capsys.readouterr()
    assert json.loads(report.read_text(encoding="utf-8"))["producer"] == shown
    assert "CANARY-9d1" not in out + err + report.read_text(encoding="utf-8") + junit.read_text(encoding="utf-8")


def test_help_names_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    """PROTOCOL.md sends an author to --help for the checks: it lists each one that --checks takes, with its level."""
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for check in [*CHECKS, *(c for c, _ in STREAM_CHECKS)]:
        assert f"{check.id} ({check.level})" in out


def test_live_traffic_from_a_broker_that_cannot_be_reached_ends_the_run() -> None:
    """As listen does: after --connect-timeout seconds (30 by default) the run ends with exit 2, not oslo retrying
    the connection without end."""
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "notify_schemas", "conformance",
         "--transport-url", "rabbit://u:CANARY-4c2@127.0.0.1:1/", "--connect-timeout", "0.5"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "notify-schemas conformance: error: cannot listen on rabbit://u:***@127.0.0.1:1/" in done.stderr
    assert "CANARY-4c2" not in done.stdout + done.stderr


def test_connect_timeout_goes_with_live_traffic_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--callable", REFERENCE, "--connect-timeout", "1"])
    assert stopped.value.code == 2
    assert "--connect-timeout does not apply to --callable: only to --transport-url" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--examples", "50"], ["--seed", "7"]])
def test_examples_and_seed_do_not_go_with_one_intent(capsys: pytest.CaptureFixture[str], option: list[str]) -> None:
    # One intent is asked once: --examples 50 was taken and ignored, as if fifty had been asked.
    intent = json.dumps({"event_type": "image.upload", "priority": "INFO", "profile": "seed", "record": {}})
    with pytest.raises(SystemExit) as stopped:
        main(["--callable", REFERENCE, "--intent", intent, *option])
    assert stopped.value.code == 2
    assert f"{option[0]} does not apply to --intent" in capsys.readouterr().err


@pytest.mark.parametrize("profile", ["seed", "glance"])
@pytest.mark.parametrize("given", [None, "seed", "glance"])
def test_a_profile_given_with_an_intent_is_the_intents_own_or_a_usage_error(
    capsys: pytest.CaptureFixture[str], profile: str, given: str | None, tmp_path: Path
) -> None:
    # The intent's profile was judged and --profile, given another, ignored in silence.
    intent = json.dumps(next(intents("image.upload", "INFO", profile=profile, examples=0)))
    report = tmp_path / "report.json"
    code = main(["--callable", REFERENCE, "--intent", intent, "--report", str(report),
                 *([] if given is None else ["--profile", given])])  # fmt: skip
    err = capsys.readouterr().err
    if given in (None, profile):
        assert code == 0, err
        assert json.loads(report.read_text(encoding="utf-8"))["result"] == "pass"
    else:
        assert code == 2
        assert err.strip().splitlines() == [
            f"notify-schemas conformance: error: --profile {given} does not apply to --intent, which names its own "
            f"profile, '{profile}': leave --profile out"
        ]


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def _sigint_default() -> None:
    """Ctrl-C as a terminal's program gets it, even when the tests run in a background job (which ignores it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] == "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("producer", [["--callable", REFERENCE, "--examples", "1000"], ["--exec", "sleep 100"],
                                      ["--mode", "negative", "--exec", "sleep 100"]])  # fmt: skip
def test_ctrl_c_ends_the_run_quietly_with_130_and_stops_the_program_at_once(producer: list[str]) -> None:
    command = [sys.executable, "-m", "notify_schemas", "conformance", *producer]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=_sigint_default)  # fmt: skip
    running_its_main(process.pid)
    deadline = time.monotonic() + 30
    while "--exec" in producer and not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    programs = _children(process.pid)
    time.sleep(1)  # well into the run
    started = time.monotonic()
    process.send_signal(signal.SIGINT)  # to the suite alone: the program under test gets nothing from the terminal
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 5
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert all(_gone(pid) for pid in programs)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("producer", [["--callable", REFERENCE, "--examples", "1000"], ["--exec", "sleep 100"],
                                      ["--mode", "negative", "--exec", "sleep 100"]])  # fmt: skip
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_or_sighup_ends_the_run_quietly_stops_the_program_and_leaves_no_folder(
    producer: list[str], signum: int, status: int, tmp_path: Path
) -> None:
    # SIGHUP is what a terminal that closes sends: its default would end the suite alone, the program (in a session
    # of its own, which the terminal does not reach) and Hypothesis's folder left behind.
    environment = {**os.environ, "TMPDIR": str(tmp_path)}  # where the run keeps Hypothesis's cache
    command = [sys.executable, "-m", "notify_schemas", "conformance", *producer]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    running_its_main(process.pid)
    deadline = time.monotonic() + 30
    while "--exec" in producer and not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    programs = _children(process.pid)
    time.sleep(1)  # well into the run
    started = time.monotonic()
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 5
    assert process.returncode == status  # returned by the suite itself: a death by the signal would read -signum
    assert b"Traceback" not in err
    assert all(_gone(pid) for pid in programs)
    assert not list(tmp_path.glob("notify-conformance-*"))


# --- what a hostile producer writes never reaches a terminal or a report as it is ----------------------------------

CANARY = "CANARY-5e1f"
# Where a credential hides in text a producer controls, and what a terminal must not receive raw.
SECRET_TEXTS = st.sampled_from([f"swift://user:{CANARY}@host/c/o", f"password={CANARY}", f"admin_password {CANARY!r}"])
UNSEEN = st.sampled_from(["\x1b[2J", "\x1b]0;title\x07", "\r", "\n", "\u202e", "\x9b31m", "\ud800"])
HOSTILE_TEXT = st.lists(st.one_of(SECRET_TEXTS, UNSEEN, st.text(max_size=5)), min_size=1, max_size=6).map(" ".join)


def _nothing_shown(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert not any(c in text for c in "\x1b\x07\x9b\u202e\ud800"), text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event_type=HOSTILE_TEXT, priority=HOSTILE_TEXT)
def test_a_recorded_streams_own_event_type_is_shown_masked_and_escaped_everywhere(
    tmp_path: Path, event_type: str, priority: str
) -> None:
    message = {**produce(next(intents("image.upload", "INFO", examples=1))), "event_type": event_type,
               "priority": priority}  # fmt: skip
    report = run_stream([message])
    document = json.dumps(report.as_json())  # as --report writes it
    _nothing_shown(report.summary(), report.failure_details(""), report.as_junit(), document)


def _raises_hostile_text(intent: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError(f"store swift://u:{CANARY}@h/ said \x1b[2J\n" + "x" * 100_000)


def _answers_hostile_reasons(intent: dict[str, Any]) -> dict[str, Any]:
    message = produce(intent)
    message["event_type"] = f"image.\x1b[31mupload password={CANARY}"
    message["payload"] = f"password={CANARY} swift://u:{CANARY}@h/"
    return message


@pytest.mark.parametrize("producer", ["_raises_hostile_text", "_answers_hostile_reasons"])
def test_a_producers_text_reaches_no_output_or_report_with_a_credential_or_an_escape(
    producer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    main(["--callable", f"tests.test_conformance:{producer}", "--examples", "0", "--junit", str(junit),
          "--report", str(report)])  # fmt: skip
    out, err = capsys.readouterr()
    _nothing_shown(out, err, junit.read_text(encoding="utf-8"), report.read_text(encoding="utf-8"))
    assert len(err) < 3000  # one line, however long the producer's text


# A producer's value that a check's reason quotes: one holding what must never be written (the values of locations,
# direct_url and task_input), and text holding both kinds of quote, which repr writes with \' (no masking matches it).
LEAKY_VALUES = [
    {"task_input": {"import_from": CANARY}}, [{"locations": [{"url": f"file:///{CANARY}"}]}], {"direct_url": CANARY},
    {"location": CANARY, "n": 1}, f"x\" 'token': '{CANARY}'", {"k": f"x\" 'password': '{CANARY}'"},
    (f"password={CANARY}", {"task_input": CANARY}),
]  # fmt: skip


def _nothing_leaked(report: Report) -> None:
    for text in (report.summary(), report.failure_details(""), report.as_junit(), json.dumps(report.as_json())):
        assert CANARY not in text


@pytest.mark.parametrize("value", LEAKY_VALUES)
@pytest.mark.parametrize("key", [*ENVELOPE_KEYS, "extra"])
def test_a_producers_value_that_a_check_quotes_is_redacted_in_every_output(key: str, value: Any) -> None:
    # message_id, timestamp, publisher_id, event_type, priority and payload are each quoted by a check that fails on
    # them (a payload of text, an ERROR's, by payload.faithful), and an extra key by name.
    variant = ("image.upload", "ERROR") if key == "payload" else ("task.run", "INFO")

    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        if key == "extra":
            message[value if isinstance(value, str) else "extra"] = value
        else:
            message[key] = value
        return message

    report = run(producer, only=[next(intents(*variant, examples=1))], shrink=False)
    assert report.failed
    _nothing_leaked(report)


@pytest.mark.parametrize("value", LEAKY_VALUES)
@pytest.mark.parametrize("key", ENVELOPE_KEYS)
def test_a_recorded_messages_value_that_a_check_or_its_name_quotes_is_redacted(key: str, value: Any) -> None:
    message = {**produce(next(intents("image.upload", "INFO", examples=1))), key: value}
    _nothing_leaked(run_stream([message, {**message, "publisher_id": value}]))


_ODD_NAME = f"swift://u:{CANARY}@h/\n" + "x" * 100_000  # a name only type() can give a class


@pytest.mark.parametrize("where", ["notification", "payload", "exception", "its repr raises"])
def test_the_name_of_a_producers_class_is_masked_and_cut_in_every_output(where: str) -> None:
    odd = type(_ODD_NAME, (), {})
    raising = type(_ODD_NAME, (Exception,), {})
    unshowable = type(_ODD_NAME, (), {"__repr__": lambda self: _raise(raising())})

    def producer(intent: dict[str, Any]) -> Any:
        if where == "exception":
            raise raising("no notification")
        if where == "notification":
            return odd()
        return {**produce(intent), "payload": odd() if where == "payload" else {"a": unshowable()}}

    report = run(producer, only=[next(intents("image.upload", "INFO", examples=1))], shrink=False)
    assert report.stopped if where == "exception" else report.failed  # a producer that raises stops the run
    _nothing_leaked(report)
    assert all(len(line) < 2000 for line in report.failure_details("").splitlines())


def _raise(error: BaseException) -> Any:
    raise error


# --- consumers (--mode negative) are held to the same protocol, and stopped the same way ----------------------------

CONSUMER_BREAKERS = {
    "stops answering": ("for line in sys.stdin:\n    time.sleep(3600)\n", "gave no answer within 1 s"),
    "echoes the message": ("for line in sys.stdin:\n    print(line.strip(), flush=True)\n", "not valid or invalid"),
    "closes its output, stays alive": ("import os\nos.close(1)\ntime.sleep(3600)\n", "closed its output"),
    "a line longer than any answer": (
        "for line in sys.stdin:\n    sys.stdout.write('valid' * (4 << 20) + '\\n'); sys.stdout.flush()\n",
        "longer than 16,777,216 bytes",
    ),
}


@pytest.mark.parametrize("case", CONSUMER_BREAKERS)
def test_a_consumer_that_breaks_the_protocol_ends_the_run_with_the_table_a_reason_and_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, reason = CONSUMER_BREAKERS[case]
    program = tmp_path / "consumer.py"
    program.write_text(PREAMBLE + body, encoding="utf-8")
    report = tmp_path / "report.json"
    started = time.monotonic()
    code = main(["--mode", "negative", "--exec", f"{sys.executable} {program}", "--examples", "1",
                 "--answer-timeout", _answer_timeout(reason), "--report", str(report)])  # fmt: skip
    assert time.monotonic() - started < 30  # stopped at once, as a producer that breaks the protocol is
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "STOPPED before the last intent" in out  # the table of what was seen, as in producer mode
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert SECRET_PASSWORD not in out + err  # the echo of a message with leaked_locations
    assert json.loads(report.read_text(encoding="utf-8"))["result"] == "stopped"


@pytest.mark.parametrize(
    ("answered", "read"),
    [
        (b" valid\t\r\n", True),  # JSON's whitespace around the word
        (b"INVALID\n", False),
        (b"True\n", True),
        (b"valid\xc2\xa0\n", None),  # a no-break space, which str.strip took for whitespace
        (b"\xe3\x80\x80invalid\n", None),  # an ideographic space
        (b"false\x0c\n", None),  # a form feed: no JSON whitespace, no blank line either
        (b"valid\xe2\x80\xa8\n", None),  # a line separator
        (b"\xe2\x84\xaaalid\n", None),  # no word (the Kelvin sign is no v, whatever its case)
    ],
)
def test_a_consumers_word_is_read_with_json_whitespace_alone_around_it(answered: bytes, read: bool | None) -> None:
    """As a producer's JSON line and a blank line are read (PROTOCOL.md): a word padded with another space is no
    word, and stops the run."""
    from notify_schemas.conformance.negative import ExecConsumer

    body = f"import sys\nfor line in sys.stdin.buffer:\n    sys.stdout.buffer.write({answered!r}); sys.stdout.flush()\n"
    consumer = ExecConsumer(shlex.join([sys.executable, "-c", body]))
    try:
        if read is None:
            with pytest.raises(ProducerError, match="not valid or invalid"):
                consumer(produce(_UPLOAD_INTENT))
        else:
            assert consumer(produce(_UPLOAD_INTENT)) is read
    finally:
        consumer.close(wait=0)


@pytest.mark.parametrize("byte", [b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80"])
@pytest.mark.parametrize("program", ["consumer", "producer"])
def test_a_programs_line_that_is_not_utf8_is_quoted_with_its_bytes(byte: bytes, program: str, tmp_path: Path) -> None:
    """Each byte that is not UTF-8 written as the byte it is and the first named, as the package names one
    elsewhere, never as U+FFFD: the line of a consumer's word, and a line a program wrote before it was asked."""
    from notify_schemas.conformance.negative import ExecConsumer

    written = f"sys.stdout.buffer.write(b'valid' + {byte!r} + b'\\n'); sys.stdout.flush()"
    if program == "consumer":  # its word
        consumer = f"import sys\nfor line in sys.stdin:\n    {written}\n"
        asked: ExecConsumer | ExecProducer = ExecConsumer(shlex.join([sys.executable, "-c", consumer]))
    else:  # a line before its first question: asked only once it is in the pipe (a sleep assumed a quiet machine)
        written_out = tmp_path / "written"
        body = f"import sys\n{written}\nopen({str(written_out)!r}, 'w')\nfor line in sys.stdin:\n    print('[]')\n"
        asked = ExecProducer(shlex.join([sys.executable, "-c", body]))
        deadline = time.monotonic() + 60
        while not written_out.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    try:
        with pytest.raises(ProducerError) as raised:
            asked(produce(_UPLOAD_INTENT) if program == "consumer" else _UPLOAD_INTENT)
    finally:
        asked.close(wait=0)
    shown = "".join(f"\\x{b:02x}" for b in byte)
    assert f"'valid{shown}' (byte 0x{byte[0]:02x}, not UTF-8)" in str(raised.value)
    assert "\ufffd" not in str(raised.value)


def exits(message: dict[str, Any]) -> bool:
    sys.exit(0)


def interrupts(message: dict[str, Any]) -> Any:
    raise KeyboardInterrupt  # of its own, with no Ctrl-C


class _InterruptsWhenRead(dict[str, Any]):
    def items(self) -> Any:
        raise KeyboardInterrupt


def interrupts_when_read(intent: dict[str, Any]) -> Any:
    return _InterruptsWhenRead(produce(intent))


def test_a_keyboardinterrupt_of_the_callables_own_is_its_failure_where_ctrl_c_is_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Read from its answer, it makes that answer no JSON: a verdict, not a stop.
    assert main(["--callable", "tests.test_conformance:interrupts_when_read", "--examples", "0"]) == 1
    assert "FAILED" in capsys.readouterr().out
    # Where no handler takes Ctrl-C (the library, the pytest fixture), nothing tells it from Ctrl-C: it stops the run.
    with pytest.raises(KeyboardInterrupt):
        run(interrupts, examples=0)


def answers_a_word(message: dict[str, Any]) -> Any:
    return "invalid"


def answers_what_must_never_be_written(message: dict[str, Any]) -> Any:
    return {"task_input": {"import_from": CANARY}, "k": f"x\" 'token': '{CANARY}'"}


def raises_quoting_a_credential(message: dict[str, Any]) -> bool:
    raise RuntimeError(f"rejected: {json.dumps(message)} password={CANARY}")


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--mode", "negative", "--callable", "tests.test_conformance:exits"], "the consumer raised SystemExit"),
        (["--mode", "negative", "--callable", "tests.test_conformance:answers_a_word"], "not True or False"),
        (["--mode", "negative", "--callable", "tests.test_conformance:answers_what_must_never_be_written"],
         "not True or False"),
        (["--mode", "negative", "--callable", "tests.test_conformance:raises_quoting_a_credential"],
         "the consumer raised RuntimeError"),
        (["--callable", "tests.test_conformance:exits", "--examples", "0"], "the producer raised SystemExit"),
        # A KeyboardInterrupt the callable raises itself, no Ctrl-C pressed, is its failure, not the user's stop.
        (["--callable", "tests.test_conformance:interrupts", "--examples", "0"],
         "the producer raised KeyboardInterrupt on intent"),
        (["--mode", "negative", "--callable", "tests.test_conformance:interrupts"],
         "the consumer raised KeyboardInterrupt on a message"),
    ],
)  # fmt: skip
def test_a_callable_that_exits_raises_or_answers_oddly_stops_the_run_with_exit_2_not_a_verdict(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    assert main([*argv, "--examples", "1"] if "negative" in argv else [*argv, "--report", str(report)]) == 2
    if "negative" not in argv:
        assert json.loads(report.read_text(encoding="utf-8"))["result"] == "stopped"
    out, err = capsys.readouterr()
    assert reason in err
    assert "STOPPED" in out
    assert "Traceback" not in err
    _nothing_shown(out, err)
    assert SECRET_PASSWORD not in out + err


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        ("def produce(\n", "cannot import 'broken_producer': it raised SyntaxError"),
        ("1 / 0\n", "cannot import 'broken_producer': it raised ZeroDivisionError"),
        ("import sys\nsys.exit(3)\n", "cannot import 'broken_producer': it raised SystemExit: 3"),
        (f"def __getattr__(name):\n    raise RuntimeError('password={CANARY}')\n",
         "cannot take 'broken_producer:produce': it raised RuntimeError: password=***"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("mode", ["producer", "negative"])
def test_a_callable_whose_module_fails_to_load_is_one_line_and_exit_2(
    module: str, reason: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "broken_producer.py").write_text(module, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "broken_producer", raising=False)
    assert main(["--mode", mode, "--callable", "broken_producer:produce", "--examples", "1"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"notify-schemas conformance: error: {reason}")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert CANARY not in out + err


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("''", "it names no program"),  # the system said "Permission denied"
        ("' ' --flag", "it names no program"),  # and "No such file or directory"
        ("'python", "No closing quotation"),
        ("/", "it is a folder, not a program"),  # the system said "Permission denied"
        ("/no/such/program", "No such file or directory"),
    ],
)
def test_an_exec_command_that_starts_no_program_is_one_line_naming_why(
    capsys: pytest.CaptureFixture[str], command: str, why: str
) -> None:
    assert main(["--exec", command, "--examples", "1"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"notify-schemas conformance: error: cannot start {quoted(command)}: {why}"]


_OTHER_MACHINE = 0xB7 if os.uname().machine == "x86_64" else 0x3E  # ELF's e_machine: aarch64, or x86-64
UNSTARTABLE = {
    # The system said "No such file or directory" of a script that is there.
    "an interpreter that is missing": (b"#!/no/such/interpreter -x\n", 0o755,
                                       "the interpreter '/no/such/interpreter' named by its first line (#!) cannot be "
                                       "found"),
    "Windows line ends": (b"#!/bin/sh\r\necho\r\n", 0o755, "the interpreter '/bin/sh\\r' named by its first line (#!) "
                          "cannot be found (the line ends in a carriage return: the file has Windows line ends)"),
    # "Exec format error" and "Permission denied" alone, of a script a shell runs.
    "no #! line": (b"echo hi\n", 0o755, "Exec format error: it has no #! line naming its interpreter"),
    "no permission to execute": (b"#!/bin/sh\necho hi\n", 0o644, "Permission denied: it may not be executed"),
    "a program for another machine": (b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00" + bytes([_OTHER_MACHINE, 0])
                                      + bytes(200), 0o755, "Exec format error: it is a program for another kind of "
                                      "machine"),
}  # fmt: skip


@pytest.mark.parametrize("case", UNSTARTABLE)
def test_a_program_that_cannot_be_started_is_named_by_what_is_wrong_with_it(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, mode, why = UNSTARTABLE[case]
    program = tmp_path / "producer"
    program.write_bytes(content)
    program.chmod(mode)
    assert main(["--exec", str(program), "--examples", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"notify-schemas conformance: error: cannot start {quoted(str(program))}: {why}")


def test_a_program_in_this_folder_named_without_its_path_is_said_to_be_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "producer.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--exec", "producer.sh", "--examples", "1"]) == 2
    assert "no program of that name on PATH (the file in this folder is './producer.sh')" in capsys.readouterr().err


def test_what_an_exec_program_started_and_left_behind_is_ended_with_it(tmp_path: Path) -> None:
    pids = tmp_path / "children"
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + (
        "import os\n"
        "if os.fork() == 0:  # a child that keeps the output open, and outlives its parent\n"
        f"    open({str(pids)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(3600)\n"
        "for line in sys.stdin:\n    print(answer(line), flush=True)\n"
    ), encoding="utf-8")  # fmt: skip
    started = time.monotonic()
    assert main(["--exec", f"{sys.executable} {program}", "--intent",
                 json.dumps(next(intents("image.upload", "INFO", examples=0)))]) == 0  # fmt: skip
    assert time.monotonic() - started < 5  # the output held open does not hold the run
    child = int(pids.read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)


def test_what_an_exec_program_writes_to_its_standard_error_comes_out_before_the_suites_error_on_a_line_of_its_own(
    capfd: pytest.CaptureFixture[str],
) -> None:
    program = f"{sys.executable} -c \"import sys; sys.stderr.write('a line left unended'); sys.exit(3)\""
    assert main(["--exec", program, "--examples", "0"]) == 2
    lines = capfd.readouterr().err.splitlines()
    assert lines[0] == "a line left unended"
    assert lines[1].startswith("notify-schemas conformance: error: ")
    assert len(lines) == 2


def test_an_answer_timeout_of_0_blames_no_full_input(capsys: pytest.CaptureFixture[str]) -> None:
    # The question was never written once the deadline had passed: cat, which reads everything, was said to have
    # read nothing of it ("its input is full").
    intent = json.dumps(next(intents("image.upload", "INFO", examples=0)))
    assert main(["--exec", "cat", "--answer-timeout", "0", "--intent", intent]) in (1, 2)
    assert "its input is full" not in capsys.readouterr().err


@pytest.mark.parametrize("answer_timeout", ["2147484", "31536000"])  # past a C int of milliseconds; a year
@pytest.mark.parametrize("mode", ["producer", "negative"])
def test_the_longest_answer_timeout_is_waited_as_given(
    answer_timeout: str, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Past 24.8 days, the wait for the program to read its question raised OverflowError, reported as the producer's
    # failure ("the producer raised OverflowError: timeout is too large"): --answer-timeout allows a year.
    reference = f"{sys.executable} -c " + shlex.quote(
        PREAMBLE + "for line in sys.stdin:\n    print(answer(line), flush=True)\n"
    )
    consumer = f"{sys.executable} -c " + shlex.quote(
        "import sys\nfor line in sys.stdin:\n    print('valid', flush=True)\n"
    )
    if mode == "producer":
        intent = json.dumps(next(intents("image.upload", "INFO", examples=0)))
        code = main(["--exec", reference, "--answer-timeout", answer_timeout, "--intent", intent])
    else:
        code = main(["--mode", "negative", "--exec", consumer, "--answer-timeout", answer_timeout, "--examples", "1"])
    err = capsys.readouterr().err
    assert "OverflowError" not in err
    assert code == (0 if mode == "producer" else 1), err


@pytest.mark.parametrize("answer_timeout", [-1, -0.001, float("nan"), float("inf"), 31536000.5, 1e300])
def test_an_answer_timeout_outside_what_the_command_line_allows_is_refused_before_the_program_starts(
    answer_timeout: float, tmp_path: Path
) -> None:
    started = tmp_path / "started"
    with pytest.raises(ValueError, match="answer_timeout must be from 0 to 31,536,000 seconds"):
        ExecProducer(shlex.join(["touch", str(started)]), answer_timeout=answer_timeout)
    with pytest.raises(TypeError, match="answer_timeout must be a number of seconds"):
        ExecProducer(shlex.join(["touch", str(started)]), answer_timeout="10")  # type: ignore[arg-type]
    assert not started.exists()


@pytest.mark.parametrize("leaves", ["os.setsid()", "os.setpgid(0, 0)"])
@pytest.mark.parametrize("answers", [True, False])
@pytest.mark.parametrize("keeps", ["every pipe", "its standard error alone"])
def test_what_an_exec_program_started_outside_its_process_group_is_ended_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leaves: str, answers: bool, keeps: str
) -> None:
    # A child that left the program's process group was missed by the group's signal: it held the pipe, and ran on
    # after the suite; a program that exited so, before its answer, was said to have given none in time. One that
    # kept the standard error alone, the suite's own, ran on, and held the pipe of whoever read the suite's.
    pids = tmp_path / "children"
    program = tmp_path / "producer.py"
    closes = "    os.close(0); os.close(1)\n" if keeps == "its standard error alone" else ""
    program.write_text(PREAMBLE + (
        "import os\n"
        "line = sys.stdin.readline()\n"
        "if os.fork() == 0:  # a child of its own group, that keeps the output open and outlives its parent\n"
        f"    {leaves}\n{closes}"
        f"    open({str(pids)!r} + '.new', 'w').write(str(os.getpid()))\n"
        f"    os.rename({str(pids)!r} + '.new', {str(pids)!r})\n"
        "    time.sleep(3600)\n"
        f"while not os.path.exists({str(pids)!r}):  # the child has left the group, and holds what it keeps\n"
        "    time.sleep(0.01)\n"
        + ("print(answer(line), flush=True)\n" if answers else "os._exit(0)\n")
    ), encoding="utf-8")  # fmt: skip
    code = main(["--exec", f"{sys.executable} {program}", "--answer-timeout", "3", "--intent",
                 json.dumps(next(intents("image.upload", "INFO", examples=0)))])  # fmt: skip
    err = capsys.readouterr().err
    if answers:
        assert code == 0
    else:
        assert code == 2
        holds = (
            "exited with 0 before answering the intent image.upload INFO (question 1), and left a process that holds"
        )
        assert (holds if keeps == "every pipe" else "closed its output before answering the intent") in err
    deadline = time.monotonic() + 5
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pids.read_text())
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)


# --- what the user typed is never shown with a credential, whatever quotes it holds -------------------------------

# A credential as a user may type it into a command, a file name or an option's value, with quotes of both kinds
# around or beside it: repr escapes one of them as \', and masking after quoting no longer matched.
USER_CANARY = "CANARYSECRET"
TYPED_SECRETS = st.sampled_from([
    f"password='{USER_CANARY}'", f'password="{USER_CANARY}"', f"--password='{USER_CANARY}'\"",
    f"\"password='{USER_CANARY}'\"", f"token={USER_CANARY}'", f"https://u:{USER_CANARY}@h/'\"",
    f"admin_password '{USER_CANARY}'", f"{{'password': '{USER_CANARY}'}}",
])  # fmt: skip
TYPED = st.tuples(st.sampled_from(["", "a'", 'b"', "c\"'", "\x1b[2J", "\n"]), TYPED_SECRETS,
                  st.sampled_from(["", "'", '"', "'\"", " x"])).map("".join)  # fmt: skip


@functools.cache
def _an_intent() -> str:
    return json.dumps(next(intents("image.upload", "INFO", examples=0)))


def _typed_into(kind: str, typed: str, tmp_path: Path) -> list[str]:
    reference = [f"--callable={REFERENCE}", "--intent", _an_intent()]
    return {
        "exec_missing": ["--exec", f"/nonexistent/{typed}"],
        "exec_arguments": ["--exec", f"true {typed}"],
        "callable_module": ["--callable", f"{typed}:f"],
        "callable_function": ["--callable", f"os:{typed}"],
        "stream": ["--stream", f"/nonexistent/{typed}"],
        "report": [*reference, "--report", f"{tmp_path}/missing/{typed}"],
        "junit": [*reference, f"--junit={tmp_path}/missing/{typed}"],
        "seed": ["--callable", REFERENCE, f"--seed={typed}"],
        "examples": ["--callable", REFERENCE, "--examples", typed],
    }[kind]


# The suite draws with Hypothesis itself: nested, on purpose.
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.nested_given])  # fmt: skip
@given(
    kind=st.sampled_from(["exec_missing", "exec_arguments", "callable_module", "callable_function", "stream",
                          "report", "junit", "seed", "examples"]),
    typed=TYPED,
)  # fmt: skip
def test_a_credential_typed_into_any_argument_is_masked_in_the_one_line_error(
    kind: str, typed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(_typed_into(kind, typed, tmp_path))
    except SystemExit as usage:  # argparse's usage errors exit with 2
        code = int(usage.code or 0)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert USER_CANARY not in out + err
    assert "\x1b" not in err
    assert "Traceback" not in err
    assert err.endswith("\n")
    assert len(err.splitlines()[-1]) < 3000
    assert err.splitlines()[-1].startswith("notify-schemas conformance: error: ")


# --- a callable's answer is read once: nothing of the producer's code runs in the checks or the report ----------


class _Raises(BaseException):
    """What a producer's own code may raise: not an Exception at all."""


_RAISED = st.sampled_from([RuntimeError, GeneratorExit, SystemExit, _Raises, RecursionError, MemoryError])


class _Hostile:
    """A producer's object whose methods raise (or show a credential) whenever the suite asks them anything."""

    def __init__(self, raised: type[BaseException]) -> None:
        self.raised = raised

    def __repr__(self) -> str:
        raise self.raised(f"password={CANARY}")

    def __eq__(self, other: object) -> bool:
        raise self.raised(f"password={CANARY}")

    __hash__ = object.__hash__

    def __iter__(self) -> Any:
        raise self.raised(f"password={CANARY}")


class _HostileDict(dict[str, Any]):
    def __init__(self, content: dict[str, Any], raised: type[BaseException]) -> None:
        super().__init__(content)
        self.raised = raised

    def get(self, *_: Any) -> Any:
        raise self.raised(f"password={CANARY}")

    def __eq__(self, other: object) -> bool:
        raise self.raised(f"password={CANARY}")

    __hash__ = None  # type: ignore[assignment]


class _HostileList(list[Any]):
    def __init__(self, content: list[Any], raised: type[BaseException]) -> None:
        super().__init__(content)
        self.raised = raised

    def __iter__(self) -> Any:
        raise self.raised(f"password={CANARY}")


class _Str(str):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError(f"password={CANARY}")

    __hash__ = str.__hash__


def _self_containing(value: Any) -> Any:
    holder: dict[str, Any] = {"value": value}
    holder["itself"] = holder
    return holder


def _shared(value: Any) -> Any:
    for _ in range(60):  # 2**60 values, written out
        value = [value, value]
    return value


HOSTILE_VALUES = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.builds(_Hostile, _RAISED),
              st.builds(_Str, st.text(max_size=5)), st.just(datetime.datetime(2020, 1, 1)), st.just({1, 2}),
              st.builds(lambda: (i for i in range(3)))),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(_HostileDict, st.dictionaries(st.text(max_size=3), inner, max_size=3), _RAISED),
        st.builds(_HostileList, st.lists(inner, max_size=3), _RAISED),
        inner.map(_self_containing),
    ),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(value=HOSTILE_VALUES, where=st.sampled_from(["answer", "payload", "extra key", "in a list", "envelope"]))
def test_a_callables_hostile_answer_gets_a_verdict_and_every_output_is_written(value: Any, where: str) -> None:
    intent = json.loads(_an_intent())

    def producer(asked: dict[str, Any]) -> Any:
        message = produce(asked)
        if where == "answer":
            return value
        if where == "payload":
            message["payload"] = value
        elif where == "extra key":
            message["extra"] = value
        elif where == "in a list":
            return [message, value]
        else:
            return _HostileDict(message, GeneratorExit)
        return message

    started = time.monotonic()
    report = run(producer, only=[intent])
    texts = [report.summary(), report.failure_details("--callable x"), report.as_junit(), json.dumps(report.as_json())]
    assert time.monotonic() - started < 60
    assert not report.stopped
    for text in texts:
        assert CANARY not in text


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=20,
)  # fmt: skip


class _FreshList(list[Any]):
    """A list whose __iter__, which json.dumps writes it by, makes each container in it anew at every reading."""

    def __iter__(self) -> Any:
        return (_made_afresh(item) for item in list.__iter__(self))


class _FreshTuple(tuple[Any, ...]):
    """The same for a tuple."""

    def __iter__(self) -> Any:
        return (_made_afresh(item) for item in tuple.__iter__(self))


class _FreshDict(dict[str, Any]):
    """A dict whose items() make each container among its values anew at every reading."""

    def items(self) -> Any:
        return [(key, _made_afresh(item)) for key, item in dict.items(self)]


def _made_afresh(value: Any) -> Any:
    """``value`` with each container one that the reading of the one above it makes, held by nothing else: once read
    and let go, the next one made may take its id."""
    kind = type(value)
    return {list: _FreshList, tuple: _FreshTuple, dict: _FreshDict}.get(kind, lambda v: v)(value)


@settings(max_examples=60, deadline=None)
@given(PLAIN)
@example([[[[]]]])  # each list made as the one above it is read: the third took the id of the first, let go
@example({"a": {"b": {"c": {"d": 1}}}})
@example(((((),),),))
def test_an_answer_made_afresh_as_it_is_read_is_never_taken_for_one_that_contains_itself(value: Any) -> None:
    for _ in range(3):  # ids are taken again at random: each reading is a fresh chance
        assert detached(_made_afresh(value)) == value
        assert detached({"payload": [_made_afresh(value)]}) == {"payload": [value]}


def test_a_faithful_producer_whose_answer_is_made_as_it_is_read_passes() -> None:
    # Each result object of task.success, made anew as the answer was read, was once "the dict that contains it":
    # payload.faithful, json.round_trip and security.no_leak failed a faithful producer.
    report = run(lambda intent: _made_afresh(produce(intent)), only=intents("task.success", "INFO", examples=10))
    assert report.failed_checks() == set(), report.summary()


class _AddsWhenWritten(dict[str, Any]):
    """A payload whose own content is clean and whose items(), which json.dumps writes a dict subclass by, add
    locations."""

    def items(self) -> Any:
        return [*dict.items(self), ("locations", [{"url": f"swift://u:{CANARY}@h/x", "metadata": {}}])]


class _HidesWhenWritten(dict[str, Any]):
    """A payload that holds locations and whose items() leave them out: json.dumps writes no locations."""

    def items(self) -> Any:
        return [(key, value) for key, value in dict.items(self) if key != "locations"]


class _TagsWhenWritten(list[Any]):
    """Tags whose __iter__, which json.dumps writes a list subclass by, yields numbers."""

    def __iter__(self) -> Any:
        return iter([1, 2])


def _written(make: Callable[[dict[str, Any]], dict[str, Any]]) -> Producer:
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"] = make(message["payload"])
        return message

    return producer


@pytest.mark.parametrize(
    ("make", "failed"),
    [(_AddsWhenWritten, {"schema.valid", "security.no_leak"}),
     (lambda p: _HidesWhenWritten({**p, "locations": [{"url": f"swift://u:{CANARY}@h/x"}]}), set()),
     (lambda p: {**p, "tags": _TagsWhenWritten(p["tags"])}, {"schema.valid", "payload.faithful"})],
)  # fmt: skip
def test_a_callables_subclass_is_judged_as_json_dumps_writes_it(
    make: Callable[[dict[str, Any]], dict[str, Any]], failed: set[str]
) -> None:
    # The suite read a dict or list subclass's own content, where oslo's json.dumps asks its items() or __iter__: a
    # payload whose items() add locations passed security.no_leak, and one whose items() leave them out failed it.
    report = run(_written(make), only=[json.loads(_an_intent())])
    assert report.failed_checks() == failed, report.summary()
    assert not report.stopped
    _nothing_shown(report.summary(), report.failure_details("--callable x"), json.dumps(report.as_json()))


def _raises_generator_exit(intent: dict[str, Any]) -> Any:
    raise GeneratorExit(f"password={CANARY}")


def _raises_a_base_exception_of_its_own(intent: dict[str, Any]) -> Any:
    raise _Raises(f"swift://u:{CANARY}@h/")


def _answers_what_contains_itself(intent: dict[str, Any]) -> Any:
    return _self_containing(produce(intent))


def _answers_two_to_the_sixtieth_values(intent: dict[str, Any]) -> Any:
    message = produce(intent)
    message["payload"] = _shared(message["payload"])
    return message


def _answers_an_object_whose_repr_raises(intent: dict[str, Any]) -> Any:
    message = produce(intent)
    message["payload"] = _Hostile(GeneratorExit)
    return message


@pytest.mark.parametrize(
    ("producer", "code"),
    [("_raises_generator_exit", 2), ("_raises_a_base_exception_of_its_own", 2),
     ("_answers_what_contains_itself", 1), ("_answers_an_object_whose_repr_raises", 1),
     ("_answers_two_to_the_sixtieth_values", 1)],
)  # fmt: skip
def test_a_callable_that_raises_any_exception_or_answers_a_hostile_object_gets_a_verdict(
    producer: str, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    # Each intent, and the shrinking of each failure; a message of 2**60 values is asked once.
    intents_asked = ["--intent", _an_intent()] if "sixtieth" in producer else ["--examples", "0"]
    started = time.monotonic()
    assert main(["--callable", f"tests.test_conformance:{producer}", *intents_asked, "--junit", str(junit),
                 "--report", str(report)]) == code  # fmt: skip
    assert time.monotonic() - started < 120
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    _nothing_shown(out, err, junit.read_text(encoding="utf-8"), report.read_text(encoding="utf-8"))


def test_a_program_that_reads_nothing_stops_the_run_within_the_answer_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An intent larger than a pipe holds: writing it to a program that reads nothing waited for ever.
    intent = {"event_type": "image.upload", "priority": "ERROR", "profile": "seed", "record": {"text": "x" * 300_000}}
    started = time.monotonic()
    code = main(["--exec", f"{sys.executable} -c 'import time; time.sleep(3600)'", "--answer-timeout", "1",
                 "--intent", json.dumps(intent)])  # fmt: skip
    assert time.monotonic() - started < 30
    assert code == 2
    assert "read nothing of the intent image.upload ERROR (question 1) within 1 s" in capsys.readouterr().err


def test_a_program_that_floods_its_output_is_read_no_further_than_asked(tmp_path: Path) -> None:
    # Its lines were read as fast as it wrote them and kept: hundreds of megabytes in the two seconds it had to exit.
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + "line = sys.stdin.readline()\nwhile True:\n    print(answer(line), flush=True)\n",
                       encoding="utf-8")  # fmt: skip
    measure = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], capture_output=True, check=False)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"  # KiB: the largest process it waited for
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "notify_schemas", "conformance", "--exec",
         f"{sys.executable} {program}", "--examples", "0", "--answer-timeout", "2"], capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    assert int(done.stdout) < 300_000


@given(reason=st.text(), variant=st.text(), stopped=st.text())
def test_the_junit_file_is_xml_whatever_a_producer_wrote(reason: str, variant: str, stopped: str) -> None:
    # A producer's text may hold what XML 1.0 cannot carry at all (U+FFFE, a control character, a lone surrogate).
    report = Report(checks=CHECKS, stopped=stopped)
    report.fail(CaseFailure(CHECKS[0], variant, None, {}, reason))
    report.count_pass(CHECKS[1].id, variant)
    suite = ElementTree.fromstring(report.as_junit().encode("utf-8"))
    assert suite.get("failures") == "1"
    assert suite.get("errors") == ("1" if stopped else "0")


def test_report_files_are_checked_before_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reference = ["--callable", REFERENCE, "--examples", "1"]
    code = main([*reference, "--junit", str(tmp_path / "missing" / "junit.xml")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""  # nothing was run
    assert "cannot write the JUnit report" in err
    assert len(err.splitlines()) == 1
    with pytest.raises(SystemExit) as usage:
        main([*reference, "--report", str(tmp_path / "r"), "--junit", str(tmp_path / "." / "r")])
    assert usage.value.code == 2
    assert "the same file" in capsys.readouterr().err


def test_a_reader_gone_away_leaves_141_and_the_files(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "notify_schemas", "conformance", "--callable", "tests.test_conformance:leaky",
               "--examples", "1", "--checks", "security.no_leak", "--report", str(report)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent.parent), *sys.path]))
    # A reader that has gone before the table is written: one that reads a byte of it and goes may go only once the
    # whole table (2 KB) sits in the pipe, and a busy machine decided which (the run ended 1 or 141).
    piped = f"{subprocess.list2cmdline(command)} | head -c 0; exit ${{PIPESTATUS[0]}}"
    run_ = subprocess.run(piped, shell=True, executable="/bin/bash", env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert run_.returncode == 141, run_.stderr  # the table cut short: a shell's status for SIGPIPE, never a pass (D94)
    assert "Traceback" not in run_.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["result"] == "fail"


# What a callable, which runs in the suite's process, may do to it: each made the suite end in a traceback, most of
# them with no report written (the table went to None, the progress bar asked a closed or absent stream, the folder
# of Hypothesis's cache was looked for in an environment the callable had cleared).
TAMPERING = {
    "replaces sys.stdout with None": ("sys.stdout = None", 0, ""),
    "replaces sys.stdout with a buffer of its own": ("sys.stdout = io.StringIO()", 0, ""),
    "replaces sys.stderr with None": ("sys.stderr = None", 0, ""),
    "closes sys.stderr": ("sys.stderr.close()", 0, ""),
    "closes sys.stdout": ("sys.stdout.close()", 2, "cannot write the standard output: it was closed"),
    "clears the environment": ("os.environ.clear()", 0, ""),
    # Python waited for it as it exited, after the table and the reports: the command never ended.
    "leaves a thread running that never ends": ("threading.Thread(target=time.sleep, args=(3600,)).start()", 0, ""),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_a_callable_that_tampers_with_the_process_leaves_the_verdict_the_files_and_one_line(
    case: str, tmp_path: Path
) -> None:
    statement, status, said = TAMPERING[case]
    (tmp_path / "tampering.py").write_text(
        "import io, os, sys, threading, time\nfrom notify_schemas.conformance.reference import produce\n"
        f"def producer(intent):\n    {statement}\n    return produce(intent)\n",
        encoding="utf-8",
    )
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    command = [sys.executable, "-m", "notify_schemas", "conformance", "--callable", "tampering:producer",
               "--examples", "0", "--report", str(report), "--junit", str(junit)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(Path(__file__).parent.parent), *sys.path]))
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"notify-schemas: error: {said}" if said else "")
    if not said:
        assert "passed: every MUST check holds" in done.stdout  # where the run's own standard output went
    assert json.loads(report.read_text(encoding="utf-8"))["result"] == "pass"
    assert ElementTree.fromstring(junit.read_text(encoding="utf-8")).get("failures") == "0"


def test_envelope_once_counts_each_intent_once() -> None:
    report = run(produce, examples=2, seed=5, checks=["envelope.once", "envelope.as_asked"])
    assert not report.failures
    once = sum(n for (check, _), n in report.passed.items() if check == "envelope.once")
    asked = sum(n for (check, _), n in report.passed.items() if check == "envelope.as_asked")
    assert once == asked > 0  # the reference answers each intent with one notification


def test_the_terminal_shows_the_first_failure_of_every_check_that_failed() -> None:
    # Before, the first failure of five checks was shown and the rest left out without a word: an answer failing
    # six checks (a set and a datetime in its payload, a key written as 1 and "1") had json.unique_keys' failure in
    # the table, and nowhere below it.
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"] = {"when": datetime.datetime.now(), "set": {1}, 1: 1, "1": 2, "size": 1.0}
        message["priority"] = message["priority"].lower()
        return message

    report = run(producer, only=[next(intents("image.upload", "INFO", examples=0))])
    details = report.failure_details("--callable x:y")
    shown = {
        line.split(" (", 1)[0] for line in details.splitlines() if re.match(r"[a-z_.]+ \((MUST|SHOULD)\) on ", line)
    }
    assert len(report.failed_checks()) > 5
    assert shown == report.failed_checks()


class _RaisingList(list[Any]):
    """An answer json.dumps cannot read: its ``__iter__`` raises."""

    def __iter__(self) -> Any:
        raise RuntimeError("no")


def _in_colour(intent: dict[str, Any]) -> dict[str, Any]:
    """A producer that writes its event type in a terminal's colours: no answer names the event asked for."""
    message = produce(intent)
    message["event_type"] = f"\x1b[32m{message['event_type']}\x1b[0m"
    return message


@pytest.mark.parametrize(
    ("producer", "verdict"),
    [
        (produce, "passed"),
        (_in_colour, "not_applicable"),
        (lambda intent: [], "not_applicable"),
        (lambda intent: [_in_colour(intent), produce(intent)], "passed"),
        (lambda intent: [produce(intent), produce(intent)], "failed"),
        (lambda intent: [produce(intent), answer(b"{\n")], "failed"),
        # Answers not read: they may hold the event twice, as a line that is not JSON may.
        (lambda intent: (m for m in [produce(intent), produce(intent)]), "failed"),
        (lambda intent: [_in_colour(intent), collections.UserDict(produce(intent))], "failed"),
        (lambda intent: _RaisingList([produce(intent), produce(intent)]), "failed"),
    ],
)
def test_envelope_once_accounts_for_every_intent_asked(
    producer: Callable[[dict[str, Any]], Any], verdict: str, tmp_path: Path
) -> None:
    """Each intent is passed, failed or counted as not applicable (no notification of the event asked for, which
    envelope.as_asked fails), and the table, the JSON report and the JUnit file say so: an answer that named another
    event counted nowhere, 0 passed and 0 failed over a whole run."""
    only = list(itertools.islice(intents("image.upload", "INFO", examples=3), 3))
    report = run(producer, only=only, shrink=False)
    counts = {name: sum(n for (c, _), n in getattr(report, name).items() if c == "envelope.once")
              for name in ("passed", "failed", "not_applicable")}  # fmt: skip
    assert counts == {name: len(only) if name == verdict else 0 for name in counts}
    once = next(c for c in report.as_json()["checks"] if c["id"] == "envelope.once")
    assert once["not_applicable"] == counts["not_applicable"]
    shown = "envelope.once: not applicable to 3 intent(s)" in report.summary()
    assert shown is (verdict == "not_applicable")
    skipped = ElementTree.fromstring(report.as_junit()).findall("testcase[@classname='envelope.once']/skipped")
    assert len(skipped) == (verdict == "not_applicable")


def test_a_run_where_no_answer_is_the_event_asked_for_and_only_envelope_once_judges_stops_saying_so() -> None:
    only = [next(intents("image.upload", "INFO", examples=0))]
    with pytest.raises(ProducerError, match="no notification of the event asked for for any of the 1 intents"):
        run(_in_colour, only=only, checks=["envelope.once"])
    with pytest.raises(ProducerError, match="sent no notification for any of the 1 intents"):
        run(lambda intent: [], only=only, checks=["envelope.once"])


@pytest.mark.parametrize("option", ["--report", "--junit"])
def test_a_report_never_overwrites_the_stream_it_judges(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = tmp_path / "stream.jsonl"
    recorded = json.dumps(produce(next(intents("image.upload", "INFO", examples=0)))) + "\n"
    stream.write_text(recorded, encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(stream)
    for name in (stream, tmp_path / "link.jsonl"):
        with pytest.raises(SystemExit) as usage:
            main(["--stream", str(stream), option, str(name)])
        assert usage.value.code == 2
        assert f"--stream and {option} name the same file" in capsys.readouterr().err
        assert stream.read_text(encoding="utf-8") == recorded


def test_reports_to_the_same_device_are_written_there(capsys: pytest.CaptureFixture[str]) -> None:
    # Writing /dev/null twice overwrites nothing: only the same regular file is refused.
    assert main(["--callable", REFERENCE, "--examples", "0", "--report", os.devnull, "--junit", os.devnull]) == 0
    assert "passed: every MUST check holds" in capsys.readouterr().out


def test_reports_go_where_they_were_named_though_the_producer_changes_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "moving_producer.py").write_text(
        "import os\nfrom notify_schemas.conformance.reference import produce\n"
        f"os.chdir({str(tmp_path / 'elsewhere')!r})  # as a module may, to find its own files\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "moving_producer", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["--callable", "moving_producer:produce", "--examples", "0", "--report", "r.json", "--junit",
                 "j.xml"]) == 0  # fmt: skip
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["result"] == "pass"
    ElementTree.parse(tmp_path / "j.xml")
    assert not list((tmp_path / "elsewhere").iterdir())


def _judged_in_a_process_of_its_own(
    stream: Path, report_file: Path
) -> tuple[int, int, subprocess.CompletedProcess[str]]:
    """``conformance --stream`` of a file, with ``--report``, run by a process of its own: its exit status, its
    memory's own high-water mark in MB, and what it printed."""
    code = (
        "import re, sys\n"
        "from notify_schemas.conformance.cli import main\n"
        f"code = main(['--stream', {str(stream)!r}, '--report', {str(report_file)!r}])\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())[1]) // 1024\n"
        "print(code, peak, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    status, peak_mb = done.stderr.split()[-2:]
    return int(status), int(peak_mb), done


def test_a_recorded_stream_failing_on_every_message_is_judged_in_bounded_memory(tmp_path: Path) -> None:
    # Kept whole, the failures of 20,000 messages (14 MB) took 450 MB and made a 47 MB report; the stream was read
    # whole before the first check. Measured in a process of its own, by its memory's own high-water mark.
    message = next(samples("image.activate", "INFO", seed=2))
    line = json.dumps(dict(message, priority="info")) + "\n"  # invalid, and the same message_id every time
    stream, report_file = tmp_path / "stream.jsonl", tmp_path / "report.json"
    stream.write_text(line * 20_000, encoding="utf-8")
    status, peak_mb, done = _judged_in_a_process_of_its_own(stream, report_file)
    assert status == 1
    assert peak_mb < 150, done.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    failed = {c["id"]: c["failed"] for c in report["checks"]}
    assert failed["schema.valid"] == 20_000
    assert failed["envelope.message_id"] == 19_999
    assert len(report["failures"]) == 2 * KEPT
    assert report["failures_not_kept"] == 20_000 + 19_999 - 2 * KEPT
    assert "schema.valid           MUST         0   20000  image.activate info" in done.stdout


def test_a_report_keeps_notifications_whole_up_to_its_byte_budget_and_counts_the_rest() -> None:
    # A producer answering with notifications of megabytes had a hundred of them kept per check: 2 MB answers took
    # a run to 2 GB and made a 517 MB report.
    message = next(samples("image.activate", "INFO", seed=2))
    big = dict(message, priority="info", payload=dict(message["payload"], name="n" * 300_000))  # invalid, ~300 KB
    report = Report(checks=CHECKS)
    for number in range(60):
        report.judge(CHECKS[:2], f"variant {number % 3}", {}, copy.deepcopy(big), RunState(), asked=False)
    whole = [f for f in report.failures if not isinstance(f.notification, NotKept)]
    measured = [f for f in report.failures if isinstance(f.notification, NotKept)]
    assert whole
    assert measured
    assert len(whole) == KEPT_BYTES // len(json.dumps(big, separators=(",", ":")))
    assert {f.notification.size for f in measured} == {len(json.dumps(big, separators=(",", ":")))}
    assert len(report.failures) == sum(report.failed.values())  # each still kept, with check, variant and reason
    text = json.dumps(report.as_json())
    assert len(text) < 2 * KEPT_BYTES
    shown = report.as_json()["failures"][-1]
    assert shown["notification"] is None
    assert "past the 4,194,304 bytes" in shown["notification_not_kept"]
    assert "bytes of JSON, past" not in report.failure_details("--stream x")  # the first of each check is whole


def test_a_recorded_stream_is_read_from_the_standard_input_as_from_a_file(tmp_path: Path) -> None:
    messages = [next(samples("image.upload", "INFO", seed=n)) for n in range(3)]
    text = "".join(json.dumps(m) + "\n" for m in messages) + json.dumps(dict(messages[0], priority="info")) + "\n"
    (tmp_path / "recorded.jsonl").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "notify_schemas", "conformance", "--stream"]
    piped = subprocess.run([*command, "-"], input=text, capture_output=True, text=True, timeout=120, check=False)
    named = subprocess.run([*command, str(tmp_path / "recorded.jsonl")], capture_output=True, text=True, timeout=120,
                           check=False)  # fmt: skip
    assert piped.returncode == named.returncode == 1  # the lower-case priority
    assert piped.stdout == named.stdout
    assert "schema.valid           MUST         3       1" in piped.stdout
    closed = subprocess.run([*command, "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                            check=False, preexec_fn=lambda: os.close(0))  # fmt: skip
    assert closed.returncode == 2
    assert closed.stderr.strip().splitlines() == ["notify-schemas conformance: error: -: the standard input is closed"]


def test_a_recorded_stream_of_large_failing_messages_is_judged_in_bounded_memory(tmp_path: Path) -> None:
    message = next(samples("image.activate", "INFO", seed=2))
    big = dict(message, priority="info", payload=dict(message["payload"], name="n" * 400_000))
    stream, report_file = tmp_path / "stream.jsonl", tmp_path / "report.json"
    stream.write_text((json.dumps(big) + "\n") * 200, encoding="utf-8")  # 80 MB, every message failing
    status, peak_mb, done = _judged_in_a_process_of_its_own(stream, report_file)
    assert status == 1
    assert peak_mb < 200, done.stderr  # every failure kept whole: 200 x 2 checks x 400 KB, and their copies
    assert report_file.stat().st_size < 2 * KEPT_BYTES
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert {c["id"]: c["failed"] for c in report["checks"]}["schema.valid"] == 200


@given(st.lists(st.tuples(st.sampled_from(CHECKS[:3]), st.integers(0, VARIANTS + 20), st.booleans()), max_size=600))
@settings(max_examples=30, deadline=None)
def test_a_report_counts_every_verdict_and_keeps_a_bounded_part(verdicts: list[tuple[Check, int, bool]]) -> None:
    report = Report(checks=CHECKS)
    for check, number, passed in verdicts:
        if passed:
            report.count_pass(check.id, f"variant {number}")
        else:
            report.fail(CaseFailure(check, f"variant {number}", None, {}, "wrong"))
    failing = [check for check, _, passed in verdicts if not passed]
    assert sum(report.failed.values()) == len(failing)
    assert sum(report.passed.values()) == len(verdicts) - len(failing)
    for check in CHECKS[:3]:
        kept = [f.variant for f in report.failures if f.check is check]
        assert kept == [f"variant {n}" for c, n, passed in verdicts if c is check and not passed][:KEPT]
    assert len({v for _, v in (*report.passed, *report.failed)} - {OTHER}) <= VARIANTS
    assert report.must_failed == any(c.level == "MUST" for c in failing)
    assert report.as_json()["failures_not_kept"] == len(failing) - len(report.failures)
    assert ElementTree.fromstring(report.as_junit()).get("failures") == str(len(report.failed))


@settings(max_examples=5, deadline=None)
@given(names=st.integers(VARIANTS - 2, VARIANTS + 3), broken=st.booleans())
def test_a_stream_check_is_counted_under_its_own_name_past_the_variants_counted_apart(names: int, broken: bool) -> None:
    # Before, a recording naming more than VARIANTS event types before its first break of a lifecycle had
    # stream.lifecycle's failure counted under "other variants", and the check passed as well: 1 passed, 1 failed.
    activate = produce(next(intents("image.activate", "INFO", examples=0)))
    prepare = produce(next(intents("image.prepare", "INFO", examples=0)))
    prepare["payload"]["id"] = activate["payload"]["id"]
    others = [{**activate, "message_id": str(uuid.uuid4()), "event_type": f"x.e{n}"} for n in range(names)]
    ordered = [activate, prepare] if broken else [prepare, activate]
    report = run_stream([*others, *ordered], checks=["schema.valid", "stream.lifecycle"])  # each names its variant
    counted = next(c for c in report.as_json()["checks"] if c["id"] == "stream.lifecycle")
    assert (counted["passed"], counted["failed"]) == ((0, 1) if broken else (1, 0))
    assert ("stream.lifecycle" in report.failed_checks()) is broken
    assert not [f for f in report.failures if f.check.id == "stream.lifecycle" and f.variant != "stream"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(event=st.sampled_from([("image.upload", "seed"), ("task.success", "seed"),
                              ("metadef_property.create", "glance")]),
       picks=st.lists(st.integers(0, 40), max_size=12), seed=st.integers(0, 5))  # fmt: skip
def test_json_integers_names_the_same_floats_judged_together_or_one_at_a_time(
    event: tuple[str, str], picks: list[int], seed: int
) -> None:
    # Judged one float at a time, an answer of 8,000 integral floats took seconds and one of a million hours; past a
    # few they are judged together, which must name the same floats.
    from notify_schemas.conformance import checks

    intent = list(itertools.islice(intents(event[0], "INFO", profile=event[1], examples=6, seed=seed), 12))[-1]
    message = produce(intent)
    numbers = [(c, k) for _, c, k in _numbers(message["payload"])]
    for pick in picks:
        if numbers:
            container, key = numbers[pick % len(numbers)]
            container[key] = float(container[key])
    integers = next(c for c in CHECKS if c.id == "json.integers")
    verdicts = []
    kept = checks._ONE_AT_A_TIME
    try:
        for at_a_time in (0, 10_000):
            checks._ONE_AT_A_TIME = at_a_time
            verdicts.append(integers.test(intent, message, RunState()))
    finally:
        checks._ONE_AT_A_TIME = kept
    assert verdicts[0] == verdicts[1]


def _numbers(value: Any) -> list[tuple[str, Any, Any]]:
    """(pointer, container, key) of every integer of a plain JSON value (not a boolean)."""
    found, stack = [], [(value, "")]
    while stack:
        node, at = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, item in items:
            if type(item) is int:
                found.append((f"{at}/{key}", node, key))
            stack.append((item, f"{at}/{key}"))
    return found


def test_json_integers_judges_many_floats_in_time_that_grows_with_their_number() -> None:
    integers = next(c for c in CHECKS if c.id == "json.integers")
    intent = next(intents("task.success", "INFO", examples=0))

    def judged(count: int) -> float:
        message = produce(intent)
        message["payload"]["result"] = {"values": [1.0] * count, "more": {"n": 2.0}}
        started = time.process_time()
        assert integers.test(intent, message, RunState()) is None  # a free result takes any number
        return time.process_time() - started

    small, large = judged(2_000), judged(16_000)
    assert large < 30 * max(small, 0.005)  # linear: 8x; one judgement per float made it 64x


# --- a record that is not JSON: every check judges what was received, and none passes on it ----------------------

# The simplest intent: image.upload ERROR's payload is a text, the record {"text": ...} behind it.
_UPLOAD_INTENT = {"event_type": "image.upload", "priority": "ERROR", "profile": "seed", "record": {"text": "x"}}


@pytest.mark.parametrize(
    ("intent", "error"),
    [
        ({}, "only[1] is not an intent of schemas/intent.json"),
        (1, "only[1] is not an intent of schemas/intent.json"),
        ("image.upload", "only[1] is not an intent of schemas/intent.json"),
        ({**_UPLOAD_INTENT, "record": 5}, "only[1] is not an intent of schemas/intent.json: /record: 5 is not of"),
        ({**_UPLOAD_INTENT, "event_type": "image.nope"}, "only[1] asks for what no schema describes: unknown event"),
        ({**_UPLOAD_INTENT, "record": {"text": "\ud800"}}, "only[1]: /record/text: "),
        ({**_UPLOAD_INTENT, "record": {"size": float("nan")}}, "only[1]: /record/size: "),
    ],
)
def test_an_intent_handed_to_run_is_checked_as_the_command_line_checks_one(intent: Any, error: str) -> None:
    # A malformed intent raised KeyError or TypeError out of the run, and one for no variant was judged as the
    # producer's failure, where --intent refuses both.
    asked: list[Any] = []

    def producer(i: Any) -> Any:
        asked.append(i)
        return produce(i)

    with pytest.raises(ValueError, match=re.escape(error)):
        run(producer, only=[_UPLOAD_INTENT, intent])
    assert asked == []
    assert not run(producer, only=[_UPLOAD_INTENT], checks=["envelope.as_asked"], shrink=False).stopped


_IMAGE_RECORD = next(intents("image.upload", "INFO", examples=0))["record"]


@pytest.mark.parametrize(
    ("intent", "error"),
    [
        ({**_UPLOAD_INTENT, "priority": "INFO"}, "/record/text: \"x\" is not of type \"object\" [type]"),
        ({**_UPLOAD_INTENT, "record": {"text": 5}}, "/record/text: 5 is not of type \"string\" [type]"),
        ({**_UPLOAD_INTENT, "record": {"id": "c0ffee"}}, "/record: {\"id\":\"c0ffee\"} is not of type \"string\""),
        ({**_UPLOAD_INTENT, "event_type": "image.delete", "priority": "INFO", "record": {}}, "/record: no 'id'"),
        ({**_UPLOAD_INTENT, "event_type": "image.delete", "priority": "INFO", "record": {"id": 5}}, "/record/id: 5 "),
        ({**_UPLOAD_INTENT, "priority": "INFO", "record": {**_IMAGE_RECORD, "size": -1}}, "/record/size: -1 is less"),
        ({**_UPLOAD_INTENT, "priority": "INFO", "record": {**_IMAGE_RECORD, "extra": 1}},
         '/record: Additional properties are not allowed ("extra" was unexpected)'),
        ({**_UPLOAD_INTENT, "publisher_id": ""}, '/publisher_id: "" is shorter than 1 character'),
    ],
)  # fmt: skip
def test_an_intent_no_notification_can_meet_is_refused_naming_its_place(
    capsys: pytest.CaptureFixture[str], intent: dict[str, Any], error: str
) -> None:
    # Accepted, it failed the reference producer (exit 1), as it would fail every producer: a usage error, named in
    # the intent, on the command line and from Python alike (DECISIONS D105).
    assert main(["--callable", "tests.test_conformance:raising", "--intent", json.dumps(intent)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--intent: {error}" in err
    assert "no producer could pass" in err
    asked: list[Any] = []
    with pytest.raises(ValueError, match=re.escape(f"only[0]: {error}")):
        run(asked.append, only=[intent])
    assert asked == []


def _record_changed(draw: Any) -> dict[str, Any]:
    """An intent the suite would ask, with one key of its record dropped, added or given any JSON value."""
    from notify_schemas import variants

    v = draw(st.sampled_from(variants(draw(st.sampled_from(["seed", "glance"])))))
    intent = next(intents(v.event_type, v.priority, profile=v.profile, examples=0, seed=draw(st.integers(0, 3))))
    record = intent["record"]
    key = draw(st.sampled_from([*record, "extra"]))
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    values = st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    )
    if draw(st.booleans()):
        record.pop(key, None)
    else:
        record[key] = draw(values)
    return intent


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.composite(_record_changed)())
def test_an_intent_accepted_is_one_the_reference_producer_passes(intent: dict[str, Any]) -> None:
    from notify_schemas.conformance.intents import checked_intent

    try:
        checked_intent(copy.deepcopy(intent), "only[0]")
    except ValueError as error:
        refused: ValueError | None = error
    else:
        refused = None
    if refused is not None:
        assert str(refused).startswith("only[0]: /"), refused  # a place in the intent
    else:
        report = run(produce, only=[intent], shrink=False)
        assert report.failures == [], report.summary()


def test_every_intent_the_suite_draws_is_one_it_accepts() -> None:
    from notify_schemas import variants
    from notify_schemas.conformance.intents import checked_intent

    for profile in ("seed", "glance"):
        for v in variants(profile):
            for intent in intents(v.event_type, v.priority, profile=profile, examples=3, seed=1):
                assert checked_intent(intent, "only[0]") is intent


def _not_json(raw: bytes) -> bool:
    try:
        parse(raw)
    except ValueError:
        return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=40), st.text(max_size=40).map(str.encode)).filter(_not_json))
def test_an_answer_that_is_not_json_fails_every_check(raw: bytes) -> None:
    # Before, the text of the line became a plain str, which json.round_trip, json.unique_keys, json.integers,
    # security.no_leak and publisher.stable passed as the JSON string it was not.
    report = run(lambda intent: answer(raw + b"\n"), only=[_UPLOAD_INTENT], shrink=False)
    assert not report.passed, report.summary()
    failed = report.failed_checks()
    assert failed == {c.id for c in CHECKS}  # once too: the line may have been the event, sent twice
    assert all("unreadable" in f.reason for f in report.failures if f.check.id != "envelope.as_asked")


def test_an_exec_program_answering_text_fails_every_check_it_is_judged_by(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "hello.py"
    program.write_text("import sys\nfor line in sys.stdin:\n    print('hello', flush=True)\n", encoding="utf-8")
    report = tmp_path / "report.json"
    assert main(["--exec", f"{sys.executable} {program}", "--intent", json.dumps(_UPLOAD_INTENT),
                 "--report", str(report)]) == 1  # fmt: skip
    checks = json.loads(report.read_text(encoding="utf-8"))["checks"]
    assert [c["id"] for c in checks if c["passed"]] == []
    assert "not JSON" in capsys.readouterr().out


def test_an_unreadable_line_of_a_stream_fails_every_check_and_json_that_is_no_object_is_named_by_its_type(
    tmp_path: Path,
) -> None:
    good = [json.dumps(produce(i)) for i in intents("image.upload", "INFO", examples=2)]
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join([*good, "{not json", "5", "[1, 2]", '"text"', "null", *good[:1]]) + "\n")
    report = tmp_path / "report.json"
    assert main(["--stream", str(stream), "--report", str(report)]) == 1
    failures = json.loads(report.read_text(encoding="utf-8"))["failures"]
    unreadable = {f["check"] for f in failures if f["variant"] == "unreadable"}
    assert unreadable == {c.id for c in CHECKS if c.id not in NEEDS_INTENT}  # every check it gets
    named = {f["variant"] for f in failures} - {"unreadable", "image.upload INFO", "stream"}  # stream: its lifecycle
    assert named == {f"not an object ({kind})" for kind in ("number", "array", "string", "null")}
    assert all(f"line {len(good) + 1}:" in f["reason"] for f in failures if f["variant"] == "unreadable")


@pytest.mark.parametrize("text", ["[]", "[\n]\n", "\ufeff[ ]"])
def test_a_stream_that_holds_no_notification_checks_nothing_and_says_so(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, an empty array (or live traffic where nothing came) passed every check, exit 0: nothing was looked at.
    stream = tmp_path / "empty.json"
    stream.write_text(text, encoding="utf-8")
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    assert main(["--stream", str(stream), "--report", str(report), "--junit", str(junit)]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1, err
    assert "no notification" in err
    assert "passed" not in out.splitlines()[-2], out
    assert "no notification" in out.splitlines()[-1], out
    assert json.loads(report.read_text(encoding="utf-8"))["result"] == "stopped"
    assert ElementTree.parse(junit).getroot().get("errors") == "1"
    assert run_stream(iter([])).stopped


def test_a_body_the_listener_cannot_decode_fails_every_check_of_the_stream() -> None:
    import kombu

    from notify_schemas.broker.listener import Listener
    from notify_schemas.config import NotifierConfig

    listener = Listener(NotifierConfig(transport_url="fake:///"))
    delivered = kombu.Message(body=b'{"payload": ', content_type="application/json")
    assert listener._unreadable(delivered, ValueError("Expecting value"))
    report = run_stream(listener.received)
    assert report.failed_checks() == {c.id for c in CHECKS if c.id not in NEEDS_INTENT} | {"stream.lifecycle"}
    assert not report.passed


# --- publisher.stable: one message with no readable publisher spoils no other verdict ------------------------------

_NO_PUBLISHER: dict[str, Any] = {
    "not an object": 5,
    "an array": [1],
    "unreadable": Unreadable("unreadable line 9: not JSON", "line 9: not JSON"),
    "no publisher_id": {"event_type": "image.upload", "priority": "INFO"},
    "a publisher_id that is no text": {"publisher_id": None},
}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(sorted(_NO_PUBLISHER)), max_size=4), st.randoms(use_true_random=False))
def test_a_message_without_a_readable_publisher_fails_alone(bad: list[str], random: Any) -> None:
    # Before, each added 'None' to the publishers seen, and every later message failed: 33 failures for one bad line.
    messages: list[Any] = [produce(i) for i in intents("image.upload", "INFO", examples=5)]
    for name in bad:
        messages.insert(random.randint(0, len(messages)), _NO_PUBLISHER[name])
    report = run_stream(messages, checks=["publisher.stable"])
    assert sum(n for (check, _), n in report.failed.items() if check == "publisher.stable") == len(bad)
    assert all("no publisher_id to judge" in f.reason or "unreadable" in f.reason for f in report.failures)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["image.host1", "image.host2", "image.host3"]), min_size=1, max_size=12))
def test_publisher_stable_fails_each_change_once_where_it_happens(publishers: list[str]) -> None:
    messages = [produce({**i, "publisher_id": p}) for i, p in zip(intents("image.upload", "INFO", examples=12),
                                                                 publishers, strict=False)]  # fmt: skip
    report = run_stream(messages, checks=["publisher.stable"])
    changes = sum(a != b for a, b in itertools.pairwise(publishers))
    assert sum(report.failed.values()) == changes
    assert all("changed during the run" in f.reason for f in report.failures)


# --- blank lines on an --exec program's output: no lines, wherever they stand ------------------------------------

BLANKS = ["\n", "\r\n", "  \t\n", "\n\n\n", " \r\n\t\n"]


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize("where", ["before", "after", "both"])
def test_blank_lines_of_an_exec_program_are_no_lines_wherever_they_stand(
    blank: str, where: str, tmp_path: Path
) -> None:
    # Before, a blank line after an answer stopped the run at the next intent ("wrote a line before it was asked ()"),
    # while blank lines after the last answer were passed over.
    before, after = (blank if where in ("before", "both") else ""), (blank if where in ("after", "both") else "")
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + f"for line in sys.stdin:\n    sys.stdout.write({before!r} + answer(line) + "
                       f"'\\n' + {after!r}); sys.stdout.flush()\n", encoding="utf-8")  # fmt: skip
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
    try:
        report = run(producer, only=[next(intents(e, "INFO")) for e in ("image.upload", "image.update", "task.run")])
    finally:
        producer.close()
    assert not report.stopped
    assert producer.extra_lines == 0
    assert not report.failed, report.summary()


@pytest.mark.parametrize("split", [0, 1, 2, 3], ids=lambda n: f"written after {n} byte(s)")
@pytest.mark.parametrize("first", ["", "\n", " \r\n"], ids=["at its answer", "at a blank line", "at blank space"])
@pytest.mark.parametrize("mode", ["producer", "negative"])
def test_a_byte_order_mark_at_the_start_of_a_programs_output_is_passed_over_as_validate_passes_one(
    split: int, first: str, mode: str, tmp_path: Path
) -> None:
    # The first answer of a program that starts its output with a mark (a .NET console's UTF-8) was unreadable, "only
    # the start of an input may have one", at the start of the program's output; a consumer's first word was no word.
    mark = "\ufeff".encode()
    reply = "answer(line)" if mode == "producer" else "'valid'"
    program = tmp_path / "program.py"
    program.write_text(PREAMBLE + (
        "out = sys.stdout.buffer\n"
        f"out.write({mark[:split]!r}); out.flush(); time.sleep(0.05)\n"
        f"out.write({mark[split:] + first.encode()!r})\n"
        "for line in sys.stdin:\n"
        f"    out.write({reply}.encode() + b'\\n'); out.flush()\n"
    ), encoding="utf-8")  # fmt: skip
    if mode == "producer":
        producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
        try:
            report = run(producer, only=[next(intents(e, "INFO")) for e in ("image.upload", "task.run")])
        finally:
            producer.close()
        assert not report.stopped, report.stopped
        assert not report.failed, report.summary()
        assert producer.extra_lines == 0
    else:
        from notify_schemas.conformance.negative import ExecConsumer, run_negative

        consumer = ExecConsumer(f"{sys.executable} {program}", answer_timeout=10)
        try:
            report = run_negative(consumer, examples=1)
        finally:
            consumer.close()
        assert not report.stopped, report.stopped
        assert report.passed["negative.accepts_valid", "image.activate ERROR"] == 1


def test_a_byte_order_mark_past_the_start_of_a_programs_output_is_no_blank_space(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    body = "for n, line in enumerate(sys.stdin):\n    print(('\\ufeff' if n else '') + answer(line), flush=True)\n"
    program.write_text(PREAMBLE + body, encoding="utf-8")
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
    try:
        report = run(producer, only=[next(intents(e, "INFO")) for e in ("image.upload", "task.run")], shrink=False)
    finally:
        producer.close()
    assert report.failed["schema.valid", "task.run INFO"] == 1
    assert not report.failed.get(("schema.valid", "image.upload INFO"))
    assert "byte-order mark" in report.first_reason["schema.valid", "task.run INFO"]


@pytest.mark.parametrize("line", ["\u00a0", "\x0b", "\x0c", "\u2028", "\x00"], ids=repr)
def test_a_line_written_before_it_was_asked_is_named_whatever_it_holds(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not JSON's whitespace, so not blank: a line, which the error shows escaped, never as empty brackets.
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + f"for line in sys.stdin:\n    print(answer(line), flush=True)\n    "
                       f"sys.stdout.write({line + chr(10)!r}); sys.stdout.flush()\n", encoding="utf-8")  # fmt: skip
    assert main(["--exec", f"{sys.executable} {program}", "--examples", "1"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"wrote a line after its answer to the intent .*, before it was asked the intent ", err), err
    assert "()" not in err
    assert "('')" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_line_after_the_last_answer_names_the_intent_it_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + "for line in sys.stdin:\n    print(answer(line), flush=True)\n"
                       "    print(answer(line), flush=True)\n", encoding="utf-8")  # fmt: skip
    intent = next(intents("image.upload", "INFO", examples=0))
    assert main(["--exec", f"{sys.executable} {program}", "--intent", json.dumps(intent)]) == 2
    err = capsys.readouterr().err
    assert (
        "wrote 1 line(s) more than it was asked for after its answer to the intent image.upload INFO (question 1)"
        in err
    )


def test_two_questions_that_ask_the_same_are_told_apart_in_what_the_run_says(tmp_path: Path) -> None:
    # Two intents of one event and priority: a line between them was said to come "after its answer to the intent
    # image.activate ERROR, before it was asked the intent image.activate ERROR", as if one intent were meant.
    program = tmp_path / "producer.py"
    # Both answers in one write, of less than PIPE_BUF (4,096 bytes), which a pipe takes whole: the second is in the
    # pipe before the first is read, so it is never taken for an answer to the next question, however late the
    # program runs (the D84 window). The first drawn intent's answer is 59 KB: two of them went in pieces, and on a
    # busy machine the second came in after the next question, taken for its answer, and the run did not stop.
    program.write_text(PREAMBLE + "for line in sys.stdin:\n    sys.stdout.write(answer(line) + '\\n' + answer(line) + "
                       "'\\n')\n    sys.stdout.flush()\n", encoding="utf-8")  # fmt: skip
    intent = {**_UPLOAD_INTENT, "event_type": "image.activate"}
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
    try:
        report = run(producer, only=[intent, intent], shrink=False)
    finally:
        producer.close()
    assert ("after its answer to the intent image.activate ERROR (question 1), before it was asked the intent "
            "image.activate ERROR (question 2)") in report.stopped, report.stopped  # fmt: skip


def test_a_negative_mode_answer_of_blank_space_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "consumer.py"
    program.write_text("import sys\nfor line in sys.stdin:\n    print('\\u00a0', flush=True)\n", encoding="utf-8")
    assert main(["--mode", "negative", "--exec", f"{sys.executable} {program}", "--examples", "1"]) == 2
    err = capsys.readouterr().err
    assert "answered '\\xa0', not valid or invalid" in err


# --- what a callable returns is named as what it is: never a class of the suite's, never a stray warning ----------


async def _async_producer(intent: dict[str, Any]) -> Any:
    return produce(intent)


class _Own:
    def __repr__(self) -> str:
        return "<own>"


def _coroutine_inside(intent: dict[str, Any]) -> Any:
    message = produce(intent)
    message["payload"] = _async_producer(intent)
    return message


def _never_awaited(run_it: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What ``run_it`` returns, and the warnings Python gave of a coroutine never awaited, once it is collected."""
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_it()
        gc.collect()
    return result, [str(w.message) for w in caught if "never awaited" in str(w.message)]


@pytest.mark.parametrize("mode", ["producer", "consumer"])
def test_an_async_def_callable_stops_the_run_naming_its_coroutine_and_python_warns_of_nothing(mode: str) -> None:
    # Before: "not an object: Opaque" for every check, and "coroutine ... was never awaited" on stderr.
    from notify_schemas.conformance.negative import run_negative

    def go() -> Report:
        if mode == "producer":
            return run(_async_producer, only=[_UPLOAD_INTENT])
        return run_negative(_async_producer, examples=1)

    report, warned = _never_awaited(go)
    assert warned == []
    assert f"the {mode} returned a coroutine (async def _async_producer)" in report.stopped
    assert "not awaited" in report.stopped


@pytest.mark.parametrize("returned", [{1, 2}, (x for x in ()), _Own(), frozenset(), b"\xff", object()],
                         ids=lambda v: type(v).__name__)  # fmt: skip
def test_what_a_callable_returns_is_named_as_what_it_is(returned: Any) -> None:
    report = run(lambda intent: returned, only=[_UPLOAD_INTENT], shrink=False)
    reasons = [f.reason for f in report.failures]
    assert reasons
    assert not any("Opaque" in r for r in reasons)
    keys = next(f.reason for f in report.failures if f.check.id == "envelope.keys")
    assert keys == f"not an object: a{'n' if type(returned).__name__[0] in 'aeiou' else ''} " + (
        type(returned).__name__ if type(returned).__module__ == "builtins" else
        f"{type(returned).__module__}.{type(returned).__qualname__}")  # fmt: skip


def test_a_coroutine_inside_an_answer_is_named_and_python_warns_of_nothing() -> None:
    intent = next(intents("image.upload", "INFO"))
    report, warned = _never_awaited(lambda: run(_coroutine_inside, only=[intent], shrink=False))
    assert warned == []
    assert any(f.reason == "payload is a coroutine, expected the record's fields" for f in report.failures)


# --- stream.lifecycle: any record gets a verdict, and a problem names the message where it stands ----------------

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(
    st.fixed_dictionaries({"event_type": _JSON_VALUES | st.sampled_from(["image.delete", "image.upload", "task.run"]),
                           "priority": st.just("INFO"), "payload": st.just("abc") | _JSON_VALUES}),
    _JSON_VALUES), max_size=8))  # fmt: skip
def test_stream_lifecycle_judges_any_record_without_raising(messages: list[Any]) -> None:
    # Before, an event type that was a list raised TypeError (unhashable), and one that was a number after an
    # image.delete raised AttributeError: a traceback instead of a report.
    report = run_stream(messages, checks=["stream.lifecycle"])
    counted = sum(n for (c, _), n in [*report.passed.items(), *report.failed.items()] if c == "stream.lifecycle")
    assert counted >= 1 if messages else report.stopped  # none: nothing checked, no pass


def test_stream_lifecycle_names_a_message_by_its_place_among_every_record() -> None:
    prepare, activate, upload = (produce(next(intents(e, "INFO"))) for e in ("image.prepare", "image.activate",
                                                                             "image.upload"))  # fmt: skip
    for m in (activate, upload):
        m["payload"]["id"] = prepare["payload"]["id"]
    unreadable = Unreadable("unreadable line 1: not JSON", "line 1: not JSON")
    report = run_stream([unreadable, 5, prepare, activate, upload], checks=["stream.lifecycle"])
    assert [f.reason.split(":")[0] for f in report.failures] == ["message 1", "message 5"]


# --- a value a check cannot judge fails it: no check passes what it did not look at -------------------------------

_NOT_JSON = [datetime.datetime(2026, 1, 1), float("nan"), {1, 2}, (x for x in ()), object(), b"\xff", ("a", "b")]


@pytest.mark.parametrize("odd", _NOT_JSON, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("where", ["timestamp", "payload", "deep"])
def test_an_integral_float_beside_a_value_json_cannot_carry_is_not_passed(odd: Any, where: str) -> None:
    # Before, json.integers passed every message that held a value JSON cannot carry, unlooked at: a datetime
    # timestamp beside a min_ram of 64.0 passed 476 of 476.
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"]["min_ram"] = 64.0
        if where == "timestamp":
            message["timestamp"] = odd
        elif where == "payload":
            message["payload"]["name"] = odd
        else:
            message["payload"]["properties"] = {"a": [{"b": odd}]}
        return message

    report = run(producer, only=[next(intents("image.upload", "INFO"))], shrink=False)
    assert ("json.integers", "image.upload INFO") not in report.passed
    assert "json.integers" in report.failed_checks()


@pytest.mark.parametrize("answer", [5, "text", [1], None, {1, 2}])
def test_a_check_of_an_answer_that_is_no_object_says_what_it_is_never_none(answer: Any) -> None:
    report = run(lambda intent: answer, only=[_UPLOAD_INTENT], shrink=False)
    reasons = {f.check.id: f.reason for f in report.failures}
    for check in ("json.integers", "envelope.message_id", "envelope.timestamp"):
        assert reasons[check].startswith("not an object: "), reasons[check]
        assert " None " not in reasons[check]


class _ItsOwnKey(str):
    """A key whose instances hash and compare apart: a dict holds two of one text, which json.dumps writes twice."""

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@pytest.mark.parametrize(
    ("twice", "pointer"),
    [(lambda m: m["payload"].update({_ItsOwnKey("name"): "x"}), "/payload/name"),
     (lambda m: m.update({_ItsOwnKey("priority"): "INFO"}), "/priority"),
     (lambda m: m["payload"].update({1: 1, "1": 2}), "/payload/1"),
     (lambda m: m["payload"].update({"properties": [{_ItsOwnKey("a"): 1, _ItsOwnKey("a"): 2}]}),
      "/payload/properties/0/a")],
)  # fmt: skip
@pytest.mark.parametrize("in_a_list", [False, True])
def test_keys_a_callable_writes_as_one_text_fail_unique_keys_with_their_pointer(
    twice: Callable[[dict[str, Any]], None], pointer: str, in_a_list: bool
) -> None:
    # Before, two keys of one text collapsed into one as the answer was read, and 1 beside "1" passed unlooked at:
    # json.dumps writes both keys, and consumers disagree on which value counts.
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        twice(message)
        return [produce(intent), message] if in_a_list else message

    report = run(producer, only=[next(intents("image.upload", "INFO"))], shrink=False)
    reasons = [f.reason for f in report.failures if f.check.id == "json.unique_keys"]
    assert reasons == [f"writes a key twice ({pointer}): consumers disagree on which value counts [duplicate-key]"]


def test_a_key_json_cannot_carry_fails_unique_keys_as_unjudged() -> None:
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"][object()] = 1
        return message

    report = run(producer, only=[next(intents("image.upload", "INFO"))], shrink=False)
    assert "json.unique_keys" in report.failed_checks()


# --- a report shows what a producer sent, never the null of a wire form it has not ---------------------------------


class _Shown:
    def __repr__(self) -> str:
        return f"<_Shown password={CANARY}>"


async def _a_coroutine() -> None:
    return None


_RECEIVED = [(lambda: {1, 2}, "<a set> {1, 2}"), (lambda: (x for x in ()), "<a generator> <generator object"),
             (_Shown, f"<a {__name__}._Shown> <_Shown password=***"), (lambda: float("nan"), "<a float: nan>"),
             (lambda: "a\udcffb", "a\\udcffb")]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "named", "where"),
    [(make, named, where) for make, named in _RECEIVED for where in ("answer", "payload", "key")
     if where != "key" or named.startswith(("<a " + __name__, "a\\"))],  # a set is no key; NaN is a float key
)  # fmt: skip
def test_a_report_shows_what_was_received_where_json_has_no_form_for_it(
    make: Callable[[], Any], named: str, where: str
) -> None:
    # Before, the "notification:" line and the JSON report showed null for a set, a generator or a coroutine (the
    # null of its wire form), which reads as a null the producer sent, while the reason named what it was.
    def producer(intent: dict[str, Any]) -> Any:
        if where == "answer":
            return make()
        message = produce(intent)
        if where == "payload":
            message["payload"] = make()
        else:
            message["payload"] = {make(): 1}
        return message

    report = run(producer, only=[_UPLOAD_INTENT], shrink=False)
    details = report.failure_details("--callable x")
    document = json.dumps(report.as_json(), ensure_ascii=False)
    lines = [line for line in details.splitlines() if line.startswith("  notification:")]
    assert lines
    assert all("null" not in line for line in lines), details
    assert named in details.replace('\\"', '"').replace("\\\\", "\\")
    assert named.replace("\\", "\\\\") in document
    assert CANARY not in details + document


def test_a_coroutine_inside_an_answer_is_shown_as_one_in_the_report() -> None:
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"] = _a_coroutine()
        return message

    report, _ = _never_awaited(lambda: run(producer, only=[_UPLOAD_INTENT], shrink=False))
    shown = [f["notification"]["payload"] for f in report.as_json()["failures"]]
    assert shown
    assert all(p.startswith("<a coroutine> <coroutine object _a_coroutine at ") for p in shown), shown


# --- what is written after a masked value stays whole through every later masking ----------------------------------

_SECRET_WORDS = st.sampled_from(["password", "token", "admin_pass", "secret", "pa\u017f\u017fword", "Password"])


@settings(max_examples=200, deadline=None)
@given(word=_SECRET_WORDS, value=st.text(min_size=1, max_size=12), before=st.text(max_size=8),
       after=st.sampled_from([": no such option", "): rest", ", expected", ">", "; next", ":x"]))  # fmt: skip
def test_a_closed_masked_value_keeps_what_follows_it_and_hides_no_less(
    word: str, value: str, before: str, after: str
) -> None:
    # Before, "?password=***: no such option" was written as "?password=*** no such option": masked again as a
    # whole, the value read on to the next space.
    from notify_schemas.redaction import closed, mask_text

    masked = mask_text(f"{before}{word}={value}")
    written = mask_text(mask_text(closed(masked) + after))
    assert written.endswith(after)
    assert written == mask_text(written)  # what later passes write is what this one wrote
    assert closed(masked) in (masked, repr(masked))  # quoting adds nothing of the value


def test_a_transport_url_ending_in_a_masked_option_keeps_the_error_after_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--transport-url", f"rabbit://u@127.0.0.1:1/?password={CANARY}", "--count", "1"]) == 2
    err = capsys.readouterr().err
    assert CANARY not in err
    assert "?password=***': no such option password" in err


def test_a_reason_keeps_what_follows_a_pointer_or_a_name_that_ends_in_a_masked_value() -> None:
    intent = next(intents("image.upload", "INFO"))
    secret_class = type(f"password={CANARY}", (), {})

    def producer(asked: dict[str, Any]) -> Any:
        message = produce(asked)
        message["payload"]["properties"] = {f"password={CANARY}": {"a": 1}}
        return [message, {**message, "payload": secret_class()}]

    report = run(producer, only=[intent], shrink=False)
    written = report.failure_details("--callable x") + json.dumps(report.as_json())
    assert CANARY not in written
    assert "'/payload/properties/password=***': " in written  # schema.valid
    assert "password=***', expected the record's fields" in written  # payload.faithful
    line = json.dumps(produce(intent))[:-1] + f', "payload": {{"password={CANARY}": 1, "password={CANARY}": 2}}}}'
    duplicated = run(lambda asked: answer(line), only=[intent], shrink=False)
    reason = next(f.reason for f in duplicated.failures if f.check.id == "json.unique_keys")
    assert reason.endswith("'/payload/password=***'): consumers disagree on which value counts [duplicate-key]")


@pytest.mark.parametrize("lines", [["nope"], ["", ""], ["{", "not json"]], ids=["text", "blank", "broken"])
def test_a_stream_of_unreadable_records_passes_no_lifecycle_it_could_not_judge(
    lines: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, a stream whose every record was unreadable passed stream.lifecycle (exit 0 with --checks
    # stream.lifecycle): no record was placed in any lifecycle, and the check held on what it never saw.
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    main(["--stream", str(stream), "--checks", "stream.lifecycle", "--report", str(report)])
    assert "unreadable, so where it stands in a lifecycle cannot be judged" in capsys.readouterr().out
    checks = json.loads(report.read_text(encoding="utf-8"))["checks"]
    assert [(c["id"], c["passed"], c["failed"] > 0) for c in checks] == [("stream.lifecycle", 0, True)]


def _yields(*items: Any) -> Any:
    return (item for item in items)


class _Records(collections.abc.Mapping[str, Any]):
    """A mapping of a producer's own, which oslo's to_primitive sends as the object it holds; its repr says nothing."""

    def __getitem__(self, key: str) -> Any:
        return {"url": SECRET_URL}[key]

    def __iter__(self) -> Any:
        return iter(["url"])

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return "<records>"


@pytest.mark.parametrize(
    "unread",
    [lambda: _yields({"url": SECRET_URL, "metadata": {}}), lambda: _Records(),
     lambda: [0] * 140_000 + [{"url": SECRET_URL}]],
    ids=["generator", "mapping of its own", "past the values read"],
)  # fmt: skip
def test_no_leak_fails_a_part_of_an_answer_it_did_not_read(unread: Callable[[], Any]) -> None:
    # Before, security.no_leak judged a generator (which oslo's to_primitive sends as the list of what it yields) by
    # its repr, "<generator object ...>", and passed it, as it passed values past the 131,072 it reads.
    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"]["properties"] = {"x": unread()}
        return message

    report = run(producer, only=[next(intents("image.upload", "INFO"))], shrink=False)
    assert ("security.no_leak", "image.upload INFO") not in report.passed
    reason = next(f.reason for f in report.failures if f.check.id == "security.no_leak")
    assert reason.endswith("cannot be judged") or "credentials appear" in reason


def test_what_follows_a_producers_class_name_that_ends_in_a_masked_value_stays() -> None:
    def items(self: Any) -> Any:
        raise ValueError("no")

    secret_class = type(f"password={CANARY}", (dict,), {"items": items})

    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        message["payload"] = secret_class({"a": 1})
        return message

    report = run(producer, only=[next(intents("image.upload", "INFO"))], shrink=False)
    written = report.failure_details("--callable x") + json.dumps(report.as_json())
    assert CANARY not in written
    assert "password=***', whose items() raised ValueError" in written


def _fails_after(answers: int, asked: list[dict[str, Any]]) -> Producer:
    """The reference producer for ``answers`` intents, each kept in ``asked``, then one that raises."""

    def producer(intent: dict[str, Any]) -> Any:
        if len(asked) >= answers:
            raise RuntimeError("gone")
        asked.append(copy.deepcopy(intent))
        return produce(intent)

    return producer


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(min_value=0, max_value=80))
def test_a_run_that_stopped_counts_the_coverage_of_the_intents_answered_alone(answers: int) -> None:
    # The intents are drawn, and their targets counted, before the first is asked: a run stopped at its first intent
    # said "enum 141/141 (100%)" of what it never asked.
    from notify_schemas.conformance.coverage import Coverage

    asked: list[dict[str, Any]] = []
    report = run(_fails_after(answers, asked), examples=0, shrink=False)
    full = run(produce, examples=0, shrink=False)
    assert report.stopped
    assert report.coverage is not None
    assert full.coverage is not None
    expected = Coverage()
    for intent in asked:
        expected.add(intent)
    totals, whole = report.coverage.totals(), full.coverage.totals()
    assert {kind: hit for kind, (hit, _) in totals.items()} == {k: hit for k, (hit, _) in expected.totals().items()}
    # Every variant of the run is counted, those never reached with none of their targets asked.
    assert {kind: total for kind, (_, total) in totals.items()} == {kind: total for kind, (_, total) in whole.items()}
    assert "(100%)" not in report.summary()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["good", "invalid", "not json"]), st.integers(0, 2)), min_size=1,
                max_size=8))  # fmt: skip
def test_each_failure_of_a_recorded_stream_names_the_line_of_its_record(records: list[tuple[str, int]]) -> None:
    # Before, a stream's failures said which check and variant failed, but not which of its records: a recording of
    # a million messages had to be searched by hand, and stream.lifecycle's "message 3" counted records, not lines.
    import tempfile

    made = [produce(i) for i in intents("image.upload", "INFO", examples=len(records))][: len(records)]
    lines: list[str] = []
    ids: dict[int, str] = {}
    for (kind, blanks), message in zip(records, made, strict=False):
        lines += [""] * blanks  # a blank line is no record, but a line of the file
        if kind == "not json":
            lines.append("nope")
            continue
        if kind == "invalid":
            message["payload"]["size"] = "big"
        lines.append(json.dumps(message))
        ids[len(lines)] = message["message_id"]
    with tempfile.TemporaryDirectory() as folder:
        stream, written = Path(folder) / "stream.jsonl", Path(folder) / "report.json"
        stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
        main(["--stream", str(stream), "--report", str(written), "--checks", "schema.valid,stream.lifecycle"])
        report = json.loads(written.read_text(encoding="utf-8"))
    failed = {int(f["reason"].split(":")[0].removeprefix("line ")) for f in report["failures"]}
    assert failed == {n for n, line in enumerate(lines, 1) if line == "nope" or '"size": "big"' in line}
    for failure in report["failures"]:
        line = int(failure["reason"].split(":")[0].removeprefix("line "))
        if line in ids:  # the record shown is the one on that line
            assert failure["notification"]["message_id"] == ids[line]


@settings(max_examples=40, deadline=None)
@given(path=st.lists(st.text("abcxyz~/", min_size=1, max_size=4), min_size=1, max_size=4),
       as_key=st.booleans(), form=st.sampled_from([SECRET_PASSWORD, QUOTED_PASSWORD,
                                                   urllib.parse.quote(QUOTED_PASSWORD, safe="")]))  # fmt: skip
def test_no_leak_names_where_the_credential_is(path: list[str], as_key: bool, form: str) -> None:
    # Before, the reason said "the intent's credentials appear in the notification (1 form(s))" and nothing of
    # where: a payload of hundreds of values had to be searched by hand.
    from notify_schemas.conformance.checks import CHECKS as ALL

    no_leak = next(c for c in ALL if c.id == "security.no_leak")
    message = produce(next(intents("image.upload", "INFO")))
    node = message["payload"]["properties"] = {}
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[f"x{form}" if as_key else path[-1]] = 1 if as_key else f"see {form}"
    reason = no_leak.test({}, message, RunState())
    assert reason is not None
    parents = "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in ["payload", "properties", *path[:-1]])
    leaf = "" if as_key else "/" + path[-1].replace("~", "~0").replace("/", "~1")
    assert f"at {'a key of ' if as_key else ''}{parents}{leaf} (" in reason


def _no_credential_of_the_suite(*texts: str) -> None:
    """No credential of the suite in ``texts``, in any form, a JSON pointer's token included (``p@ss~1w"rd``)."""
    from notify_schemas.conformance.records import credential_forms

    forms = [*credential_forms(), *(f.replace("~", "~0").replace("/", "~1") for f in credential_forms())]
    for text in texts:
        shown = "\n".join(line for line in text.lower().splitlines()
                          if not line.lstrip().startswith(("intent:", "replay:")))  # fmt: skip
        assert not [form for form in forms if form in shown], text


def _writes_the_credentials(where: str, change: Callable[[str], str]) -> Producer:
    """The reference producer, with every credential of the suite, each in one of its forms, written at ``where``."""
    from notify_schemas.conformance.records import CREDENTIALS, LOCATIONS

    texts = [*LOCATIONS, *CREDENTIALS, urllib.parse.quote(QUOTED_PASSWORD, safe=""), json.dumps(QUOTED_PASSWORD)]
    leaked = change(" ".join(texts))

    def producer(intent: dict[str, Any]) -> Any:
        message = produce(intent)
        if where == "payload":
            message["payload"] = {"name": leaked, leaked: [leaked]} if isinstance(message["payload"], dict) else leaked
        else:
            message[where] = leaked
        return message

    return producer


@pytest.mark.parametrize(("where", "change"), [("payload", str), ("publisher_id", str.upper), ("extra", str.title),
                                               ("timestamp", str)])  # fmt: skip
def test_what_the_report_shows_of_an_answer_never_carries_the_suites_credentials(
    where: str, change: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Before, a producer that wrote the intent's credentials into its answer had them quoted back in clear wherever
    # the suite showed the answer or a reason quoting it (its notification, schema.valid's and payload.faithful's
    # reasons, the shrunk case, the JUnit file), all but the URL passwords that masking hides. What the report
    # shows of an answer hides them; the replay's intent alone holds them, as it must to replay.
    (tmp_path / "writes_credentials.py").write_text(
        "from tests.test_conformance import _writes_the_credentials\n"
        f"produce = _writes_the_credentials({where!r}, {change.__qualname__})\n", encoding="utf-8"
    )  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "writes_credentials", raising=False)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    code = main(["--callable", "writes_credentials:produce", "--profile", "glance", "--examples", "0",
                 "--report", str(report), "--junit", str(junit)])  # fmt: skip
    assert code == 1
    out, err = capsys.readouterr()
    written = json.loads(report.read_text(encoding="utf-8"))
    for failure in written["failures"]:
        failure["intent"] = None  # the replay needs the intent as it was asked
    _no_credential_of_the_suite(out, err, json.dumps(written), junit.read_text(encoding="utf-8"))
    assert "security.no_leak" in out


def _no_part_of_a_credential(*texts: str) -> None:
    """No credential of the suite in ``texts``, whole or cut: none of its first five characters or more, in any of the
    forms `security.no_leak` finds (a text cut to fit a line shows a credential at the cut by its start)."""
    from notify_schemas.conformance.records import credential_forms

    starts = {form[:n] for form in credential_forms() for n in range(5, len(form) + 1)}
    for text in texts:
        lowered = text.lower()
        assert not [start for start in starts if start in lowered], text


@settings(max_examples=60, deadline=None)
@given(credential=st.sampled_from(sorted({*CREDENTIALS, *credential_forms()})), before=st.integers(0, 1100))
def test_a_credential_where_a_producers_text_is_cut_is_hidden_whole(credential: str, before: int) -> None:
    # A producer's text is cut to fit a line (80 characters of a line it was not asked for, 200 of a value a reason
    # quotes or of an object's repr, 1,000 of a repr kept): the intents' credentials were hidden after the cut, so one
    # that the cut went through was no longer found, and all but its last characters were shown ('...s3cr3t-conf...').
    text = "x" * before + credential + " and what follows"
    thing = detached({"payload": _Shows(text)})["payload"]
    _no_part_of_a_credential(
        producers.line_shown(text.encode("utf-8") + b"\n"), json_shown({"name": text}), json_shown(text, 50),
        thing.shown(), thing.text, json_shown(thing),
    )  # fmt: skip


class _Shows:
    """An object of a producer's own class, whose ``repr`` is the text it is made with."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


@pytest.mark.parametrize("before", [40, 60, 66, 70, 74])
def test_a_line_not_asked_for_never_shows_part_of_a_credential(before: int, tmp_path: Path) -> None:
    # The line was quoted cut to 80 characters, and the credential hidden after the cut: a line of 60 to 77 x and the
    # intents' password made why the run stopped, the report and the JUnit file say '...xxxs3cr3t-conformanc...'.
    program = tmp_path / "producer.py"
    # The answer and the line after it in one write of less than PIPE_BUF, which a pipe takes whole: the line is in
    # the pipe before the next question is written, never taken for its answer (the D84 window).
    extra = "x" * before + SECRET_PASSWORD + " and more"
    program.write_text(PREAMBLE + f"for line in sys.stdin:\n    sys.stdout.write(answer(line) + '\\n' + {extra!r} + "
                       "'\\n')\n    sys.stdout.flush()\n", encoding="utf-8")  # fmt: skip
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
    try:
        report = run(producer, only=[_UPLOAD_INTENT, _UPLOAD_INTENT], shrink=False)
    finally:
        producer.close()
    assert "wrote a line after its answer" in report.stopped, report.stopped
    assert "xxx***" in report.stopped  # hidden where it was cut through, and before
    _no_part_of_a_credential(report.stopped, report.summary(), json.dumps(report.as_json()), report.as_junit())


@settings(max_examples=20, deadline=None)
@given(form=st.sampled_from([QUOTED_PASSWORD, urllib.parse.quote(QUOTED_PASSWORD), json.dumps(QUOTED_PASSWORD)]),
       where=st.sampled_from(["envelope", "payload", "twice"]))  # fmt: skip
def test_a_credential_that_is_a_key_is_hidden_in_the_pointers_under_it(form: str, where: str) -> None:
    # Before, a credential holding a slash, written as a key of the answer, was hidden where the report quoted it
    # but shown in every pointer to a value under it, its slash written ~1 as a JSON pointer writes it:
    # security.no_leak's, json.unique_keys' and schema.valid's reasons, the JSON report and the JUnit file said
    # 'at /payload/p@ss~1w"rd%conformance+1'.
    message = produce(next(intents("image.upload", "INFO")))
    escaped = json.dumps(form)[1:-1]
    line = json.dumps(message)[:-1]
    if where == "envelope":
        line += f', "{escaped}": {{"a": 1}}}}'
    elif where == "payload":
        line = line.replace('"payload": {', f'"payload": {{"{escaped}": [1], ', 1) + "}"
    else:
        line += f', "{escaped}": 1, "{escaped}": 2}}'
    with tempfile.TemporaryDirectory() as folder:
        stream, report, junit = Path(folder) / "s.jsonl", Path(folder) / "r.json", Path(folder) / "j.xml"
        stream.write_text(line + "\n", encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["--stream", str(stream), "--report", str(report), "--junit", str(junit)]) == 1
        texts = [out.getvalue(), report.read_text(encoding="utf-8"), junit.read_text(encoding="utf-8")]
    _no_credential_of_the_suite(*texts, *(html.unescape(t) for t in texts))
    assert "***" in texts[1]


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(["publisher_id", "event_type", "name", "tag", "property key"]),
       surrogate=st.integers(0xD800, 0xDFFF).map(chr), at=st.integers(0, 3))  # fmt: skip
def test_json_round_trip_fails_text_that_is_not_valid_unicode(key: str, surrogate: str, at: int) -> None:
    # Before, json.round_trip passed a lone surrogate: Python's json writes it as \ud800 and reads it back, but
    # UTF-8 cannot encode it, orjson and serde_json refuse the message and Go reads U+FFFD.
    from notify_schemas.conformance.checks import CHECKS as ALL

    round_trip = next(c for c in ALL if c.id == "json.round_trip")
    message = produce(next(intents("image.upload", "INFO")))
    text = "abc"[:at] + surrogate + "abc"[at:]
    pointer = {"publisher_id": "/publisher_id", "event_type": "/event_type", "name": "/payload/name",
               "tag": "/payload/tags/0", "property key": "/payload/properties"}[key]  # fmt: skip
    if key in ("publisher_id", "event_type"):
        message[key] = text
    elif key == "name":
        message["payload"]["name"] = text
    elif key == "tag":
        message["payload"]["tags"] = [text]
    else:
        message["payload"]["properties"] = {text: "v"}
    assert round_trip.test({}, message, RunState()) is not None
    line = json.dumps(message)  # as a recorded stream or an --exec program writes it
    reason = round_trip.test({}, answer(line), RunState())
    assert reason is not None
    assert f"not valid Unicode at {pointer}" in reason


@pytest.mark.parametrize("mode", ["producer", "negative"])
@pytest.mark.parametrize("attribute", ["no_such_function", "produce.inner", "PRODUCE"])
def test_a_callable_that_names_no_attribute_of_its_module_says_so(
    attribute: str, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, "'m:no_such_function' is not a callable": its author looked for what was wrong with a function that
    # was not there.
    spec = f"notify_schemas.conformance.reference:{attribute}"
    assert main(["--mode", mode, "--callable", spec, "--examples", "1"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"notify-schemas conformance: error: 'notify_schemas.conformance.reference' has no attribute {attribute!r} "
        "(--callable takes module:function, the function's name as the module defines it)"
    ]
    assert main(["--callable", "notify_schemas.conformance.reference:PUBLISHER", "--examples", "1"]) == 2
    assert "is not a callable" in capsys.readouterr().err


# --- reasons and variant names speak JSON: null, true, "text", or what is missing; never Python's None or 'text' -----

_MISSING = object()
_JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "x", "it's"]),
    st.lists(st.sampled_from(["a", "b's"]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.one_of(st.none(), st.booleans()), max_size=2),
)  # fmt: skip
_PYTHON_WORDS = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\['|\{'|'\]|': |, '|\('")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    changes=st.dictionaries(
        st.sampled_from([*ENVELOPE_KEYS, "extra"]), st.one_of(_JSON_VALUES, st.just(_MISSING)), min_size=1, max_size=4
    ),
    variant=st.sampled_from([("image.upload", "INFO"), ("image.delete", "INFO"), ("image.upload", "ERROR")]),
)
def test_reasons_and_variant_names_speak_json_never_python(changes: dict[str, Any], variant: tuple[str, str]) -> None:
    # Before, {"a":1,"a":2} was counted under 'None None' and its reasons read 'message_id None is not a UUID', for a
    # key that was missing as for a null; a list of keys read ['a'], an event type asked for ('image.upload', 'INFO').
    intent = next(intents(*variant, examples=1))
    message = produce(intent)
    for key, value in changes.items():
        if value is _MISSING:
            message.pop(key, None)
        else:
            message[key] = value
    stream = run_stream([message])
    asked = run(lambda i: copy.deepcopy(message), only=[intent], shrink=False)
    for report in (stream, asked):
        # schema.valid quotes the validator's own words, as validate writes them: not the suite's.
        own = [f.reason for f in report.failures if f.check.id != "schema.valid"]
        texts = [*own, *(name for _, name in report.failed), report.summary()]
        for text in texts:
            assert not _PYTHON_WORDS.search(text), text
        for failure in report.failures:
            key = {"envelope.message_id": "message_id", "envelope.timestamp": "timestamp"}.get(failure.check.id)
            if key is not None and changes.get(key, 0) is _MISSING:
                assert f"{key} missing" in failure.reason
            elif key is not None and key in changes:
                assert f"{key} {json.dumps(changes[key])}" in failure.reason
    for key in ("event_type", "priority"):
        if changes.get(key, 0) is _MISSING:
            assert all(f"(no {key})" in name for _, name in stream.failed if name != "stream")


# --- a second line for one intent is never taken for the answer to the next, where the time it came shows it ----------


def _read_late(monkeypatch: pytest.MonkeyPatch, late: float) -> None:
    """The thread that reads an --exec program's output wakes ``late`` seconds after each time there is something to
    read, as on a busy machine."""
    real_poll = select.poll

    class LatePoll:
        def __init__(self) -> None:
            self.poller = real_poll()

        def register(self, fd: int, events: int) -> None:
            self.poller.register(fd, events)

        def poll(self, timeout: float | None = None) -> list[tuple[int, int]]:
            ready = self.poller.poll(timeout)
            if isinstance(threading.current_thread(), producers._Output):
                time.sleep(late)
            return ready

    monkeypatch.setattr(select, "poll", LatePoll)


def test_a_line_one_too_many_is_named_when_the_next_intent_cannot_be_written(tmp_path: Path) -> None:
    # The program answers, then (a while later) writes its answer again and again, and reads nothing more: the next
    # intent, longer than a pipe holds, cannot be written. The first break is the line it was not asked for, not the
    # intent it did not read; where that line came only once the intent was being written, the run said "read
    # nothing of the intent".
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + "line = sys.stdin.readline()\nprint(answer(line), flush=True)\ntime.sleep(0.3)\n"
                       "while True:\n    print(answer(line), flush=True)\n", encoding="utf-8")  # fmt: skip
    first = next(intents("image.upload", "INFO", examples=0))
    second = {**_UPLOAD_INTENT, "priority": "ERROR", "record": {"text": "x" * 300_000}}
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=1)
    try:
        report = run(producer, only=[first, second], shrink=False)
    finally:
        producer.close()
    assert "wrote a line after its answer to the intent image.upload INFO (question 1), before it was asked the " \
        "intent image.upload ERROR (question 2)" in report.stopped, report.stopped  # fmt: skip


@pytest.mark.parametrize("late", [0.0, 0.5])
def test_a_second_answer_written_while_the_next_intent_is_being_written_stops_the_run_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: float
) -> None:
    # The program answers its first intent twice: the second time once the next intent has started to come in, which
    # it has not read. Before, that line was taken for the answer to the next intent and judged against it, and the
    # run stopped one intent later, blaming the answer to the intent it had really answered. The same holds when the
    # thread that reads the program's output wakes late (``late`` seconds after each line is there, as on a busy
    # machine): where lines were numbered by the time that thread read them, the second line was then read after the
    # next intent's end was written, and taken for its answer.
    _read_late(monkeypatch, late)
    program = tmp_path / "producer.py"
    program.write_text(PREAMBLE + (
        "import select\n"
        "first = answer(sys.stdin.readline())\n"
        "print(first, flush=True)\n"
        "select.select([sys.stdin], [], [])  # the next intent is coming in\n"
        "print(first, flush=True)\n"
        "for line in sys.stdin:\n    print(answer(line), flush=True)\n"
    ), encoding="utf-8")  # fmt: skip
    first = next(intents("image.upload", "INFO", examples=0))
    # Longer than a pipe holds: its last part is written only once the program reads, after its second line.
    second = {**_UPLOAD_INTENT, "priority": "ERROR", "record": {"text": "x" * 300_000}}
    third = next(intents("image.delete", "INFO", examples=0))
    producer = ExecProducer(f"{sys.executable} {program}", answer_timeout=10)
    try:
        report = run(producer, only=[first, second, third], shrink=False)
    finally:
        producer.close()
    assert ("after its answer to the intent image.upload INFO (question 1), before it was asked the intent "
            "image.upload ERROR (question 2)") in report.stopped, report.stopped  # fmt: skip
    assert not any(name == "image.upload ERROR" for _, name in [*report.passed, *report.failed])


@pytest.mark.parametrize(
    ("stamp", "said"),
    [
        ("2026-02-30 00:00:00", "is in oslo's form but is no time: day is out of range for month"),
        ("2026-01-01 24:00:00", "is in oslo's form but is no time: hour must be in 0..23"),
        ("\u0662\u0660\u0662\u0666-01-01 00:00:00", "is not oslo's UTC form"),  # Arabic-Indic digits: no ASCII ones
    ],
)
def test_a_timestamp_in_oslos_form_that_is_no_time_is_said_to_be_none(stamp: str, said: str) -> None:
    # They failed envelope.timestamp with "cannot be checked: ValueError: ...", as if the check had broken.
    report = run(_broken(lambda m, i: m.update(timestamp=stamp)), only=[_UPLOAD_INTENT], shrink=False)
    reason = {f.check.id: f.reason for f in report.failures}["envelope.timestamp"]
    assert said in reason, reason
    assert "cannot be checked" not in reason


def test_a_recorded_stream_that_cannot_be_read_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    # It said "error: Input/output error", naming no file, where validate names the one it could not read.
    assert main(["--stream", "/proc/self/mem"]) == 2
    assert capsys.readouterr().err.splitlines()[-1:] == [
        "notify-schemas conformance: error: /proc/self/mem: Input/output error"
    ]
