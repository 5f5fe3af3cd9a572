"""The messaging drivers and the listener on a real RabbitMQ that the tests start (``nox -s broker``)."""

from __future__ import annotations

import array
import contextlib
import fcntl
import json
import logging
import math
import os
import re
import signal
import socket
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import Popen
from typing import Any

import kombu
import pytest
from rabbitmq import RabbitMQ
from support import key_pointers, written_twice

from notify_schemas import PROFILES, Notifier, variants
from notify_schemas.broker.listener import AppendedLines, Listener, Tally
from notify_schemas.broker.wire import unwrap
from notify_schemas.config import NotifierConfig
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid

pytestmark = pytest.mark.rabbitmq

PER_DRIVER = 5_000  # 10,000 in all, over every variant of both profiles


def _as_oslo_sends(message: dict[str, Any]) -> dict[str, Any]:
    """A 1.0 body as oslo.messaging's producers write it: the notification and a ``_unique_id`` of its own."""
    return dict(message, _unique_id=uuid.uuid4().hex)


def _mix(profile: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` valid messages cycling over every variant of ``profile``."""
    known = variants(profile)
    per_variant = math.ceil(count / len(known))
    pools = [list(samples(v.event_type, v.priority, profile=profile, n=per_variant, seed=seed)) for v in known]
    return [pools[i % len(known)][i // len(known)] for i in range(count)]


@pytest.mark.parametrize("driver", ["messaging", "messagingv2"])
def test_every_variant_arrives_valid_and_unchanged(broker: RabbitMQ, driver: str) -> None:
    sent: dict[str, dict[str, Any]] = {}
    listeners = []
    for profile in PROFILES:
        config = NotifierConfig(drivers=(driver,), transport_url=broker.url, topics=(f"{driver}-{profile}",))
        listener = Listener(config, profile=profile)
        listener.start()
        listeners.append(listener)
        notifier = Notifier(config=config, profile=profile)
        for message in _mix(profile, PER_DRIVER // len(PROFILES), seed=len(driver)):
            notifier.send(message)
            sent[message["message_id"]] = message
        for d in notifier.drivers:
            d.close()  # type: ignore[attr-defined]
    try:
        for listener in listeners:
            assert listener.wait_for(PER_DRIVER // len(PROFILES), timeout=180), listener.tally.line()
        time.sleep(0.5)  # nothing more may come
    finally:
        for listener in listeners:
            listener.stop()
    received = {m["message_id"]: m for listener in listeners for m in listener.received}
    assert len(sent) == PER_DRIVER
    assert sum(listener.tally.total for listener in listeners) == PER_DRIVER  # no duplicate
    assert received == sent
    assert all(not listener.tally.invalid for listener in listeners)
    covered = {(m["event_type"], m["priority"]) for m in received.values()}
    assert covered == {(v.event_type, v.priority) for p in PROFILES for v in variants(p)}


@pytest.mark.parametrize("driver", ["messaging", "messagingv2"])
def test_wire_bodies_match_their_wire_schemas(broker: RabbitMQ, driver: str) -> None:
    topic = f"tap-{driver}"
    amqp = broker.url.replace("rabbit://", "amqp://")
    exchange = kombu.Exchange("glance", type="topic", durable=False)
    queue = kombu.Queue(f"{topic}-raw", exchange=exchange, routing_key=f"{topic}.*", durable=False, auto_delete=False)
    messages = _mix("seed", len(variants("seed")), seed=3)
    with kombu.Connection(amqp) as connection:
        queue(connection).declare()
        notifier = Notifier(config=NotifierConfig(drivers=(driver,), transport_url=broker.url, topics=(topic,)))
        for message in messages:
            notifier.send(message)
        bodies = []
        deadline = time.monotonic() + 30
        while len(bodies) < len(messages) and time.monotonic() < deadline:
            got = queue(connection).get(no_ack=True)
            if got is None:
                time.sleep(0.05)
                continue
            bodies.append((got.delivery_info["routing_key"], got.body))
    assert len(bodies) == len(messages)
    by_id = {m["message_id"]: m for m in messages}
    for routing_key, body in bodies:
        notification, violations = unwrap(body)
        assert violations == []
        assert notification is not None
        assert notification == by_id[notification["message_id"]]
        assert routing_key == f"{topic}.{notification['priority'].lower()}"
        assert ('"oslo.version": "2.0"' in body.decode() if isinstance(body, bytes) else "oslo.version" in body) == (
            driver == "messagingv2"
        )
        assert is_valid(notification)


def test_the_listener_reports_keys_written_twice_in_a_messagingv2_body(broker: RabbitMQ, tmp_path: Path) -> None:
    # Bodies as a producer of another language might write them: oslo decodes the text and keeps the last key.
    topic = "twice"
    config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = _mix("seed", 3, seed=7)
    texts = [json.dumps(_as_oslo_sends(m)) for m in good]  # _unique_id as oslo writes it, which its listener takes out
    texts[0] = texts[0][:-1] + ', "priority": "INFO"}'.replace("INFO", good[0]["priority"])  # same value, twice
    texts[1] = '{"payload": {"locations": [{"url": "swift://u:CANARY@h/c"}]}, ' + texts[1][1:]  # the leak first
    with invalid_out.open("a", encoding="utf-8") as out:
        listener = Listener(config, profile="seed", invalid_out=out)
        listener.start(timeout=30)
        try:
            amqp = broker.url.replace("rabbit://", "amqp://")
            with kombu.Connection(amqp) as connection:
                producer = connection.Producer(exchange=kombu.Exchange("glance", type="topic", durable=False))
                for message, text in zip(good, texts, strict=True):
                    body = {"oslo.version": "2.0", "oslo.message": text}
                    producer.publish(body, routing_key=f"{topic}.{message['priority'].lower()}", serializer="json")
            assert listener.wait_for(3, timeout=60), listener.tally.line()
        finally:
            listener.stop()
    assert listener.tally.total == 3
    assert sum(listener.tally.invalid.values()) == 2
    written = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    repeated = sorted(v["pointer"] for w in written for v in w["violations"] if v["rule"] == "duplicate-key")
    assert repeated == ["/payload", "/priority"]
    assert "CANARY" not in invalid_out.read_text(encoding="utf-8")


def test_the_listener_reports_keys_a_bodys_own_text_writes_twice(broker: RabbitMQ, tmp_path: Path) -> None:
    # kombu decodes a 1.0 body, and a messagingv2 envelope, keeping the last of two equal keys, before oslo sees any
    # text: a 1.0 body that wrote any key twice counted valid, and so did an envelope whose second oslo.message hid
    # the invalid notification of its first. Every key of a 1.0 body, at any depth, and each key of an envelope.
    topic = "twice-body"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    good = _mix("seed", 2, seed=59)
    body = _as_oslo_sends(good[0])
    pointers = list(key_pointers(body))
    hidden = json.dumps(json.dumps(_as_oslo_sends(dict(good[1], priority="BOGUS"))))
    inner = [json.dumps(json.dumps(_as_oslo_sends(dict(good[1], message_id=str(uuid.uuid4()))))) for _ in "ab"]
    envelopes = {
        "/oslo.message": f'{{"oslo.version": "2.0", "oslo.message": {hidden}, "oslo.message": {inner[0]}}}',
        "/oslo.version": f'{{"oslo.version": "2.0", "oslo.message": {inner[1]}, "oslo.version": "2.0"}}',
    }
    as_text = {"content_type": "application/json", "content_encoding": "latin-1"}  # py-amqp hands over text
    bodies = [(written_twice(dict(body, message_id=str(uuid.uuid4())), p).encode(), AS_JSON if i % 2 else as_text)
              for i, p in enumerate(pointers)]  # fmt: skip
    bodies += [(text.encode(), AS_JSON) for text in envelopes.values()]
    # NaN, which kombu's and oslo's readers take, in a 1.0 body and in an envelope's text: its keys are read too
    with_nan = [_as_oslo_sends(dict(good[1], message_id=str(uuid.uuid4()), timestamp=math.nan)) for _ in "ab"]
    bodies.append((written_twice(with_nan[0], "/priority").encode(), AS_JSON))
    nan_inner = written_twice(with_nan[1], "/event_type")
    bodies.append((json.dumps({"oslo.version": "2.0", "oslo.message": nan_inner}).encode(), AS_JSON))
    pointers += ["/priority", "/event_type"]
    bodies.append((json.dumps(body).encode(), AS_JSON))  # each key once: valid
    invalid_out = tmp_path / "invalid.jsonl"
    listener = _heard(broker, config, f"{topic}.info", bodies, invalid_out)
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (1, len(bodies) - 1)
    records = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    found = sorted(v["pointer"] for r in records for v in r["violations"] if v["rule"] == "duplicate-key")
    assert found == sorted([*pointers, *envelopes])
    said = [v["message"] for r in records for v in r["violations"] if v["pointer"] in envelopes]
    assert all("messagingv2 envelope" in m for m in said), said
    # what the conformance checks judge: the keys written twice kept with the notification
    assert sorted(p for m in listener.received for p in getattr(m, "duplicates", ())) == sorted(pointers)


def test_keys_written_twice_are_found_in_a_message_without_an_id(broker: RabbitMQ, tmp_path: Path) -> None:
    # The keys a messagingv2 body's inner text wrote twice were kept under its message id: one whose id was missing
    # or not text was judged without them, invalid for its id alone, its repeated keys never said.
    topic = "twice-no-id"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    good = [_as_oslo_sends(m) for m in _mix("seed", 8, seed=67)]
    ids: list[Any] = [None, 7, ["a"], "missing"] * 2
    messages = [{k: v for k, v in m.items() if k != "message_id"} for m in good]
    for message, message_id in zip(messages, ids, strict=True):
        if message_id != "missing":
            message["message_id"] = message_id
    pointers = ["/priority", "/event_type", "/publisher_id", "/timestamp"] * 2
    texts = [written_twice(m, p) for m, p in zip(messages, pointers, strict=True)]
    bodies = [json.dumps({"oslo.version": "2.0", "oslo.message": t}).encode() for t in texts[:4]]
    bodies += [t.encode() for t in texts[4:]]  # as 1.0 bodies
    invalid_out = tmp_path / "invalid.jsonl"
    _heard(broker, config, f"{topic}.info", [(body, AS_JSON) for body in bodies], invalid_out)
    records = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    found = sorted(v["pointer"] for r in records for v in r["violations"] if v["rule"] == "duplicate-key")
    assert found == sorted(pointers)


def test_a_body_that_shows_more_than_its_notification_is_no_delivery_again_of_it(
    broker: RabbitMQ, tmp_path: Path
) -> None:
    # The tally knew a message by its id and the digest of the notification decoded: the same notification in a body
    # that wrote a key twice, or in a broken envelope, was counted as the well-sent one delivered again, and hidden,
    # whichever came first. The same body again is still a delivery again.
    topic = "shows-more"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    message = _as_oslo_sends(_mix("seed", 1, seed=61)[0])
    text = json.dumps(message)

    def v2(inner: str, version: str = "2.0") -> bytes:
        return json.dumps({"oslo.version": version, "oslo.message": inner}).encode()

    well = v2(text)
    shown = {
        "twice inside": v2(written_twice(message, "/publisher_id")),
        "envelope": v2(text, version="2.0.0"),
        "twice in 1.0": written_twice(message, "/event_type").encode(),
        "twice outside": b'{"oslo.version": "2.0", "oslo.message": %s, "oslo.version": "2.0"}'
        % json.dumps(text).encode(),
    }
    bodies = [*shown.values(), well, well, shown["twice in 1.0"], shown["envelope"]]  # the last three: again
    invalid_out = tmp_path / "invalid.jsonl"
    listener = _heard(broker, config, f"{topic}.{message['priority'].lower()}", [(body, AS_JSON) for body in bodies],
                      invalid_out, heard=lambda it: it.tally.total + it.tally.duplicates >= len(bodies))  # fmt: skip
    tally = listener.tally
    assert (sum(tally.valid.values()), sum(tally.invalid.values()), tally.duplicates) == (1, len(shown), 3)
    records = invalid_out.read_text(encoding="utf-8").splitlines()
    assert len(records) == len(shown)  # each written once
    assert tally.message_ids == {message["message_id"]}


def test_keys_written_twice_stay_with_their_message_when_ids_are_reused(broker: RabbitMQ, tmp_path: Path) -> None:
    # A producer that reuses message ids: oslo decodes a body while the one before it under the same id waits to be
    # judged, and the keys one text wrote twice, kept by id alone, went to the other: the message that wrote a key
    # twice counted valid, the one that did not invalid.
    topic = "twice-reused"
    config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=(topic,))
    good = _mix("seed", 400, seed=53)
    pairs = [(good[i], dict(good[i + 1], message_id=good[i]["message_id"])) for i in range(0, len(good), 2)]
    bodies = []
    for once, twice in pairs:  # the second of each pair writes its event type twice
        text = (
            json.dumps(_as_oslo_sends(twice))[:-1]
            + f", {json.dumps('event_type')}: {json.dumps(twice['event_type'])}}}"
        )
        texts = (json.dumps(_as_oslo_sends(once)), text)
        bodies += [json.dumps({"oslo.version": "2.0", "oslo.message": t}).encode() for t in texts]
    verdicts: list[tuple[str, bool]] = []
    listener = Listener(config, profile="seed", on_message=lambda m, valid: verdicts.append((json.dumps(m), valid)))
    listener.start(timeout=30)
    try:
        _publish_raw(broker, f"{topic}.info", [(body, AS_JSON) for body in bodies])
        assert listener.wait_for(len(bodies), timeout=60), listener.tally.line()
    finally:
        listener.stop()
    assert len(verdicts) == len(bodies)
    assert {text for text, valid in verdicts if not valid} == {json.dumps(twice) for _, twice in pairs}


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_the_listener_judges_each_message_as_it_was_sent(broker: RabbitMQ, tmp_path: Path, version: str) -> None:
    # oslo.messaging's dispatcher would hand an endpoint the message taken apart: the priority in lower case, the
    # keys other than the six dropped, a message without a known priority dropped with a warning.
    topic = f"as-sent-{version}"
    config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = _mix("seed", 5, seed=13)
    sent = [
        good[0],  # valid
        dict(good[1], priority=good[1]["priority"].lower()),  # a lower-case priority
        dict(good[2], extra="a seventh key"),
        {k: v for k, v in good[3].items() if k != "priority"},  # no priority at all
        dict(good[4], priority="BOGUS"),  # a priority oslo does not know
    ]
    queues = [good[i]["priority"].lower() for i in range(5)]  # each on the queue of its variant's priority
    with invalid_out.open("a", encoding="utf-8") as out:
        listener = Listener(config, profile="seed", invalid_out=out)
        listener.start(timeout=30)
        try:
            with kombu.Connection(broker.url.replace("rabbit://", "amqp://")) as connection:
                producer = connection.Producer(exchange=kombu.Exchange("glance", type="topic", durable=False))
                for message, queue in zip(map(_as_oslo_sends, sent), queues, strict=True):
                    body = message if version == "1.0" else {"oslo.version": "2.0", "oslo.message": json.dumps(message)}
                    producer.publish(body, routing_key=f"{topic}.{queue}", serializer="json")
            assert listener.wait_for(5, timeout=60), listener.tally.line()
        finally:
            listener.stop()
    assert sum(listener.tally.valid.values()) == 1
    assert sum(listener.tally.invalid.values()) == 4
    written = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    found = {w["notification"]["message_id"]: {(v["pointer"], v["rule"]) for v in w["violations"]} for w in written}
    assert ("/priority", "enum") in found[sent[1]["message_id"]]
    assert ("", "additionalProperties") in found[sent[2]["message_id"]]
    assert ("", "required") in found[sent[3]["message_id"]]
    assert ("/priority", "enum") in found[sent[4]["message_id"]]
    assert {m["message_id"] for m in listener.received} == {m["message_id"] for m in sent}


def _publish_raw(broker: RabbitMQ, routing_key: str, bodies: list[tuple[bytes, dict[str, Any]]]) -> None:
    """Bodies published to the glance exchange as they are, each with its message properties (content type,
    encoding, headers), as no oslo producer would send them."""
    with kombu.Connection(broker.url.replace("rabbit://", "amqp://")) as connection:
        channel = connection.channel()
        for body, properties in bodies:
            channel.basic_publish(
                channel.prepare_message(body, **properties), exchange="glance", routing_key=routing_key
            )


AS_JSON = {"content_type": "application/json", "content_encoding": "utf-8"}
"""The message properties of a JSON body, as oslo's publisher sets them."""


def _heard(
    broker: RabbitMQ,
    config: NotifierConfig,
    routing_key: str,
    bodies: list[tuple[bytes, dict[str, Any]]],
    invalid_out: Path,
    *,
    heard: Callable[[Listener], bool] | None = None,
    **options: Any,
) -> Listener:
    """A listener on ``config``'s topic, writing what it refuses to ``invalid_out``, given ``bodies`` published raw
    (`_publish_raw`) and stopped once it has counted them all (or once ``heard`` says it has, within 60 s)."""
    out = AppendedLines(str(invalid_out))
    listener = Listener(config, profile="seed", invalid_out=out, **options)
    listener.start(timeout=30)
    try:
        _publish_raw(broker, routing_key, bodies)
        if heard is None:
            assert listener.wait_for(len(bodies), timeout=60), listener.tally.line()
        else:
            deadline = time.monotonic() + 60
            while not heard(listener) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        listener.stop()
        out.close()
    return listener


def test_the_listener_counts_a_body_oslo_cannot_read_as_invalid(broker: RabbitMQ, tmp_path: Path) -> None:
    # oslo.messaging's consumer logs and rejects a body it cannot decode ("Failed to process message ... skipping
    # it") before any dispatcher: the listener ended with "0 invalid" and exit 0 while such bodies went by uncounted.
    topic = "unreadable"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = _mix("seed", 1, seed=31)[0]
    secret = '{"payload": {"locations": [{"url": "file:///CANARY"}]}, "password=CANARY'  # cut short: not JSON
    bodies = [
        (secret.encode(), "application/json", "utf-8"),
        (b"[1, 2]", "application/json", "utf-8"),  # JSON, but no object
        (json.dumps({"oslo.version": "2.0", "oslo.message": secret}).encode(), "application/json", "utf-8"),
        (json.dumps({"oslo.version": "3.0", "oslo.message": json.dumps(good)}).encode(), "application/json", "utf-8"),
        (b"\x80\x04K\x01.", "application/x-python-serialize", "binary"),  # a type kombu refuses to decode
        (json.dumps(_as_oslo_sends(good)).encode(), "application/json", "utf-8"),
    ]
    listener = _heard(broker, config, f"{topic}.info", [(body, {"content_type": kind, "content_encoding": encoding})
                                                        for body, kind, encoding in bodies], invalid_out)  # fmt: skip
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (1, 5)
    assert listener.tally.invalid == {"<unreadable>": 5}
    text = invalid_out.read_text(encoding="utf-8")
    assert "CANARY" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["notification"] for r in records] == [None] * 5
    assert {v["rule"] for r in records for v in r["violations"]} == {"json"}
    assert "ContentDisallowed" in records[4]["violations"][0]["message"]
    assert sum(isinstance(m, str) and m.startswith("unreadable body") for m in listener.received) == 5


class _FarFuture:
    """A header value that py-amqp's publisher writes as an AMQP timestamp 2**62 seconds after 1970, as any other
    client may: past the years Python's datetime counts, which py-amqp's reader turns it into."""


def test_a_delivery_whose_properties_cannot_be_read_is_unreadable_and_blocks_nothing(
    broker: RabbitMQ, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # py-amqp reads a delivery's properties (content type and encoding, message id, type, headers...) before any
    # consumer sees it: a byte that is not UTF-8, or a timestamp in a header past the year 9999, failed the
    # connection, oslo connected again, and the broker handed the same delivery over again, without end. The
    # listener counted nothing more, that message nor any after it on the queue, and wrote three error lines a second.
    import struct

    import amqp
    from amqp import serialization

    write_item = serialization._write_item

    def far_future(value: Any, write: Callable[[bytes], Any], bits: Any) -> None:
        if isinstance(value, _FarFuture):
            write(struct.pack(">cQ", b"T", 2**62))
        else:
            write_item(value, write, bits)

    monkeypatch.setattr(serialization, "_write_item", far_future)
    topic = "properties-unread"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    odd = [{"content_type": b"application/json\xff"}, {"content_encoding": b"utf-8\xc3"},
           {"message_id": b"\xfe\xff", "type": b"\x80"}, {"application_headers": {"sent": _FarFuture()}}]  # fmt: skip
    good = [json.dumps(_as_oslo_sends(m)).encode() for m in _mix("seed", len(odd) + 1, seed=71)]
    out = AppendedLines(str(tmp_path / "invalid.jsonl"))
    listener = Listener(config, profile="seed", invalid_out=out)
    listener.start(timeout=30)
    try:
        connection = amqp.Connection(f"127.0.0.1:{broker.port}", userid="guest", password="guest")
        connection.connect()
        try:  # py-amqp writes a property given as bytes as it is; kombu would encode it
            channel = connection.channel()
            for body, properties in zip(good, [*odd, {}], strict=True):
                message = amqp.Message(body, **{"content_type": "application/json", **properties})
                channel.basic_publish(message, exchange="glance", routing_key=f"{topic}.info")
        finally:
            connection.close()
        assert listener.wait_for(len(good), timeout=60), listener.tally.line()
    finally:
        listener.stop()
        out.close()
    assert (sum(listener.tally.valid.values()), listener.tally.invalid) == (1, {"<unreadable>": len(odd)})
    records = [json.loads(line) for line in (tmp_path / "invalid.jsonl").read_text(encoding="utf-8").splitlines()]
    violations = [v for r in records for v in r["violations"]]
    assert sorted(v["rule"] for v in violations) == ["json", "unicode", "unicode", "unicode"]
    named = [re.search(r"AMQP properties \((.*?)\) are not UTF-8 text", v["message"]) for v in violations]
    assert sorted(found[1] for found in named if found) == ["content_encoding", "content_type", "message_id, type"]
    assert sum("AMQP properties cannot be read" in v["message"] for v in violations) == 1


def test_the_listener_counts_a_body_that_holds_no_json_object_as_unreadable(broker: RabbitMQ, tmp_path: Path) -> None:
    # oslo makes a dict of whatever it decoded: a JSON array of [key, value] pairs, as a body or as a messagingv2
    # body's inner text, was a whole notification and counted valid, and an empty body, "", [] or the inner text
    # "[]" was {}, written to --invalid-out as if the producer had sent an object.
    topic = "no-object"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = _mix("seed", 3, seed=41)
    pairs = [[[key, value] for key, value in message.items()] for message in good]

    def envelope(inner: Any) -> bytes:
        return json.dumps({"oslo.version": "2.0", "oslo.message": inner}).encode()

    bodies = [json.dumps(pairs[0]).encode(), envelope(json.dumps(pairs[1])), b"", b'""', b"[]", b"null", b"7",
              envelope("[]"), envelope(" \n[]"), envelope("null"), envelope(good[2]), envelope(7)]  # fmt: skip
    valid = json.dumps(_as_oslo_sends(good[2])).encode()
    listener = _heard(broker, config, f"{topic}.info", [(body, AS_JSON) for body in [*bodies, valid]], invalid_out)
    assert (sum(listener.tally.valid.values()), listener.tally.invalid) == (1, {"<unreadable>": len(bodies)})
    records = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    assert [r["notification"] for r in records] == [None] * len(bodies)
    reasons = [v["message"] for r in records for v in r["violations"]]
    assert all("not a JSON object" in m or "not the JSON text of an object" in m for m in reasons), reasons


def _envelope_faults(good: list[dict[str, Any]]) -> list[tuple[dict[str, Any], set[tuple[str, str]]]]:
    """Bodies whose envelope breaks schemas/wire where oslo.messaging does not look, each with the (pointer, rule) of
    its faults: a key more in the messagingv2 envelope, a version oslo's version_is_compatible takes, a 1.0 body (on
    its own or as the envelope's text) without its _unique_id, with one not of oslo's form, with keys of an RPC call.
    The last is an invalid notification in a broken envelope, whose own fault is listed too."""

    def v2(inner: dict[str, Any], **envelope: Any) -> dict[str, Any]:
        return {"oslo.version": "2.0", "oslo.message": json.dumps(inner), **envelope}

    return [
        (v2(_as_oslo_sends(good[0]), extra=1), {("", "additionalProperties")}),
        (v2(_as_oslo_sends(good[1]), **{"oslo.version": "2.0.0"}), {("/oslo.version", "const")}),
        (v2(_as_oslo_sends(good[2]), **{"oslo.version": " 2.-1"}), {("/oslo.version", "const")}),
        (v2(good[3]), {("/oslo.message", "required")}),
        (v2(dict(good[4], _unique_id="A" * 32)), {("/oslo.message", "pattern")}),
        (dict(good[5]), {("", "required")}),
        (_as_oslo_sends(dict(good[6], _msg_id="m", _reply_q="q")), {("", "additionalProperties")}),
        (v2(_as_oslo_sends(dict(good[7], priority="info")), **{"password=CANARY": "CANARY"}),
         {("", "additionalProperties"), ("/priority", "enum")}),
    ]  # fmt: skip


def test_the_listener_counts_a_body_whose_envelope_breaks_its_wire_schema_as_invalid(
    broker: RabbitMQ, tmp_path: Path
) -> None:
    # oslo.messaging takes each of these silently and its listener hands on the notification alone: each was counted
    # valid, though its body breaks schemas/wire (D79).
    topic = "envelope"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = _mix("seed", 10, seed=79)
    broken = _envelope_faults(good)
    valid = [_as_oslo_sends(good[8]), {"oslo.version": "2.0", "oslo.message": json.dumps(_as_oslo_sends(good[9]))}]
    bodies = [body for body, _ in broken] + valid
    listener = _heard(broker, config, f"{topic}.info", [(json.dumps(body).encode(), AS_JSON) for body in bodies],
                      invalid_out)  # fmt: skip
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (2, len(broken))
    assert "<unreadable>" not in listener.tally.invalid  # judged as notifications, counted under their event types
    text = invalid_out.read_text(encoding="utf-8")
    assert "CANARY" not in text
    records = {r["notification"]["message_id"]: r for r in map(json.loads, text.splitlines())}
    assert set(records) == {m["message_id"] for m in good[:8]}
    for message, (_, faults) in zip(good, broken, strict=False):
        record = records[message["message_id"]]
        notification = dict(message, priority="info") if faults >= {("/priority", "enum")} else message
        assert record["notification"] == notification  # shown as usual: the notification, not the body
        assert faults <= {(v["pointer"], v["rule"]) for v in record["violations"]}, record["violations"]
        assert any("schemas/wire/" in v["message"] for v in record["violations"])
    tally = Tally.from_json(json.loads(json.dumps(listener.tally.as_json())))  # as --summary writes it, and tally reads
    assert (sum(tally.valid.values()), sum(tally.invalid.values())) == (2, len(broken))


def test_live_conformance_judges_a_broken_envelope_as_listen_does(broker: RabbitMQ, tmp_path: Path) -> None:
    # The conformance suite's live mode judges what the same listener received: it passed schema.valid on every
    # message whose body broke its wire schema, and json.unique_keys on a messagingv2 text that wrote a key twice.
    import threading

    from notify_schemas.conformance.cli import main as conformance

    good = _mix("seed", 11, seed=83)
    broken = _envelope_faults(good)
    twice = json.dumps(_as_oslo_sends(good[8]))[:-1] + f', "priority": {json.dumps(good[8]["priority"])}}}'
    bodies = [json.dumps(body).encode() for body, _ in broken] + [
        json.dumps({"oslo.version": "2.0", "oslo.message": twice}).encode(),
        json.dumps(_as_oslo_sends(good[9])).encode(),
        json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(_as_oslo_sends(good[10]))}).encode(),
    ]

    def send() -> None:
        time.sleep(3)  # the suite's listener declares its queues first
        _publish_raw(broker, "notifications.info", [(body, AS_JSON) for body in bodies])

    sender = threading.Thread(target=send)
    sender.start()
    written = tmp_path / "report.json"
    code = conformance(["--transport-url", broker.url, "--count", str(len(bodies)), "--timeout", "60",
                        "--report", str(written)])  # fmt: skip
    sender.join()
    report = json.loads(written.read_text(encoding="utf-8"))
    assert code == 1
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["schema.valid"]["failed"] == len(broken)
    assert checks["json.unique_keys"]["failed"] == 1
    assert "CANARY" not in json.dumps(report)


def test_the_listener_inflates_a_compressed_body_no_further_than_its_limit(broker: RabbitMQ, tmp_path: Path) -> None:
    # kombu inflated a compressed body whole before any limit was checked: 190 KB of zlib took the listener from 60
    # to 630 MB, and RabbitMQ takes 128 MB of it. oslo producers may compress (kombu_compression): within the
    # limit, a compressed message is judged as any other.
    import bz2
    import zlib

    topic = "compressed"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    invalid_out = tmp_path / "invalid.jsonl"
    good = [_as_oslo_sends(m) for m in samples("image.update", "INFO", n=3, seed=37)]
    bomb = dict(good[0], payload=dict(good[0]["payload"], name="x" * 50_000_000))
    bodies = [
        (zlib.compress(json.dumps(bomb).encode(), 9), "application/x-gzip"),
        (zlib.compress(json.dumps(good[1]).encode()), "application/x-gzip"),
        (bz2.compress(json.dumps(good[2]).encode()), "bzip2"),
        (b"not compressed", "application/x-gzip"),
    ]
    compressed = {"content_type": "application/json", "content_encoding": "binary"}
    listener = _heard(broker, config, f"{topic}.info",
                      [(body, {**compressed, "headers": {"compression": c}}) for body, c in bodies], invalid_out,
                      max_record_bytes=1_000_000)  # fmt: skip
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (2, 2)
    records = [json.loads(line) for line in invalid_out.read_text(encoding="utf-8").splitlines()]
    assert [[v["rule"] for v in r["violations"]] for r in records] == [["too-large"], ["json"]]
    assert "over the limit of 1,000,000 bytes once inflated" in records[0]["violations"][0]["message"]


def test_a_compression_header_kombu_passes_over_leaves_the_body_judged_as_it_came(
    broker: RabbitMQ, tmp_path: Path
) -> None:
    # kombu inflates a body only where its compression header is set to something (an empty text, 0, false, an
    # empty list: the body as it came, which oslo decodes); the listener inflated wherever the header was there at
    # all and counted such a message, valid to oslo and to the schemas, as an unreadable body.
    topic = "compression-unset"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    unset: list[Any] = ["", 0, False, None, []]
    good = [_as_oslo_sends(m) for m in _mix("seed", len(unset), seed=61)]
    bodies = [
        (json.dumps(m).encode(), {**AS_JSON, "headers": {"compression": c}}) for m, c in zip(good, unset, strict=True)
    ]
    listener = _heard(broker, config, f"{topic}.info", bodies, tmp_path / "invalid.jsonl")
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (len(unset), 0)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_invalid_out_file_that_fails_leaves_the_messages_on_the_queue(broker: RabbitMQ, tmp_path: Path) -> None:
    # A full disk: the invalid message cannot be written, so it is neither counted nor acknowledged, and nothing
    # after it is; a listener with a file that works gets every one of them.
    topic = "full-disk"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    good = _mix("seed", 4, seed=17)
    sent = [_as_oslo_sends(dict(m, priority="BOGUS")) for m in good[:3]] + [_as_oslo_sends(good[3])]
    full = AppendedLines("/dev/full")
    listener = Listener(config, profile="seed", invalid_out=full)
    listener.start(timeout=30)
    try:
        with kombu.Connection(broker.url.replace("rabbit://", "amqp://")) as connection:
            producer = connection.Producer(exchange=kombu.Exchange("glance", type="topic", durable=False))
            for message in sent:
                producer.publish(message, routing_key=f"{topic}.info", serializer="json")
        assert not listener.wait_for(len(sent), timeout=60)
    finally:
        listener.stop()
        full.close()
    assert isinstance(listener.failure, OSError)
    assert listener.failure.filename == "/dev/full"
    assert listener.tally.total == 0
    invalid_out = tmp_path / "invalid.jsonl"
    out = AppendedLines(str(invalid_out))
    second = Listener(config, profile="seed", invalid_out=out)
    second.start(timeout=30)
    try:
        assert second.wait_for(len(sent), timeout=60), second.tally.line()
    finally:
        second.stop()
        out.close()
    assert {m["message_id"] for m in second.received} == {m["message_id"] for m in sent}
    assert (sum(second.tally.valid.values()), sum(second.tally.invalid.values())) == (1, 3)
    assert len(invalid_out.read_text(encoding="utf-8").splitlines()) == 3


def test_a_reused_unique_id_does_not_hide_a_message_from_the_listener(broker: RabbitMQ) -> None:
    # oslo.messaging drops a delivery whose _unique_id it acknowledged lately, before any dispatcher sees it: a
    # producer reusing one would hide an invalid message behind a valid one. The listener counts repeats itself.
    topic = "unique-id"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    good = _mix("seed", 3, seed=19)
    same, other = uuid.uuid4().hex, uuid.uuid4().hex
    sent = [dict(good[0], _unique_id=same), dict(good[1], _unique_id=other),
            dict(good[2], _unique_id=same, priority="BOGUS")]  # fmt: skip
    listener = Listener(config, profile="seed")
    listener.start(timeout=30)
    try:
        with kombu.Connection(broker.url.replace("rabbit://", "amqp://")) as connection:
            producer = connection.Producer(exchange=kombu.Exchange("glance", type="topic", durable=False))
            for count, message in enumerate(sent, 1):  # one at a time: each acknowledged before the next comes
                producer.publish(message, routing_key=f"{topic}.info", serializer="json")
                assert listener.wait_for(count, timeout=30), listener.tally.line()
    finally:
        listener.stop()
    assert (sum(listener.tally.valid.values()), sum(listener.tally.invalid.values())) == (2, 1)
    assert all("_unique_id" not in m for m in listener.received)


def test_a_broker_outage_loses_nothing_silently(broker: RabbitMQ, caplog: pytest.LogCaptureFixture) -> None:
    config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("outage",), retry=0)
    listener = Listener(config, profile="seed")
    listener.start()
    notifier = Notifier(config=config)
    messages = list(samples("image.update", "INFO", n=300, seed=11))
    everything = {m["message_id"] for m in messages}
    try:
        with caplog.at_level(logging.ERROR):
            for message in messages[:100]:
                notifier.send(message)
            assert listener.wait_for(100, timeout=60)
            broker.stop()
            for message in messages[100:200]:
                notifier.send(message)  # the broker is down: this must neither raise nor block for ever
            broker.start()
            for message in messages[200:]:
                notifier.send(message)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                received = {m["message_id"] for m in listener.received}
                reported = {i for i in everything - received if i in caplog.text}
                if received | reported == everything:
                    break
                time.sleep(0.5)
    finally:
        listener.stop()
    received = {m["message_id"] for m in listener.received}
    reported = {i for i in everything if i in caplog.text}
    lost = everything - received - reported
    assert not lost, f"{len(lost)} notifications neither received nor reported"
    assert len(received) >= 200  # before the outage and after it, delivery works
    for i in reported - received:
        record = next(r for r in caplog.records if i in r.getMessage())
        assert "Could not send notification" in record.getMessage()
        assert '"payload"' in record.getMessage() or "'payload'" in record.getMessage()  # logged with its content


def _listen(broker: RabbitMQ, topic: str, *, count: int, timeout: int) -> list[str]:
    """The installed ``notify-schemas listen`` command line for ``topic`` on the tests' broker."""
    cli = str(Path(sys.executable).parent / "notify-schemas")
    return [cli, "listen", "--transport-url", broker.url, "--topic", topic, "--count", str(count),
            "--timeout", str(timeout)]  # fmt: skip


@contextlib.contextmanager
def _listening(broker: RabbitMQ, topic: str, *options: str, count: int, timeout: int) -> Iterator[Popen[str]]:
    """``notify-schemas listen`` for ``topic`` with ``options``, handed over once it says it listens (its queues are
    declared: what is sent then reaches it); killed at the end, whatever happened."""
    listening = subprocess.Popen([*_listen(broker, topic, count=count, timeout=timeout), *options],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert listening.stderr is not None
        said = ""
        for said in iter(listening.stderr.readline, ""):  # the lines before it: a library's warnings, say
            if said.startswith("listening on"):
                break
        assert said.startswith("listening on"), said
        yield listening
    finally:
        listening.kill()


def test_listen_command_counts_reports_and_keeps_the_invalid_ones(broker: RabbitMQ, tmp_path: Path) -> None:
    invalid_out = tmp_path / "invalid.jsonl"
    with _listening(broker, "cli", "--invalid-out", str(invalid_out), count=6, timeout=60) as listening:
        config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("cli",))
        good = list(samples("task.success", "INFO", n=5, seed=2))
        bad = dict(good[0], message_id="not-a-uuid")
        for message in good:
            Notifier(config=config).send(message)
        Notifier(config=config, validation="off").send(bad)
        out, err = listening.communicate(timeout=90)
    assert listening.returncode == 1, err
    assert "6 received: 5 valid, 1 invalid (task.success 5/1 valid/invalid)" in out
    assert "Traceback" not in err
    (record,) = [json.loads(line) for line in invalid_out.read_text().splitlines()]
    assert record["notification"] == bad
    assert {v["pointer"] for v in record["violations"]} == {"/message_id"}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_listen_command_whose_invalid_out_fails_says_so_and_exits_2(broker: RabbitMQ) -> None:
    with _listening(broker, "cli-full", "--invalid-out", "/dev/full", count=1, timeout=60) as listening:
        config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("cli-full",))
        Notifier(config=config, validation="off").send(dict(_mix("seed", 1, seed=5)[0], message_id="not-a-uuid"))
        out, err = listening.communicate(timeout=90)
    assert listening.returncode == 2, err
    assert "0 received: 0 valid, 0 invalid" in out
    assert err.splitlines()[-1] == ("notify-schemas: error: /dev/full: No space left on device; the invalid "
                                    "notification and every one after it were left on the queue")  # fmt: skip
    assert "Traceback" not in err


def test_listen_command_stopped_twice_still_reports_what_it_counted(broker: RabbitMQ, tmp_path: Path) -> None:
    # With the broker gone, stopping takes oslo seconds of reconnecting: a second signal comes while it stops.
    summary = tmp_path / "summary.json"
    try:
        with _listening(broker, "twice-stopped", "--summary", str(summary), count=10, timeout=300) as listening:
            config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("twice-stopped",))
            for message in _mix("seed", 3, seed=23):
                Notifier(config=config).send(message)
            time.sleep(3)  # the listener counts them
            broker.stop()
            listening.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            listening.send_signal(signal.SIGINT)
            out, err = listening.communicate(timeout=120)
    finally:
        broker.start()
    assert "Traceback" not in err
    assert "3 received: 3 valid, 0 invalid" in out
    assert json.loads(summary.read_text(encoding="utf-8"))["received"] == 3
    assert "stopped by SIGTERM with 3 of 10 notifications" in err
    assert listening.returncode == 1


def test_listen_command_whose_terminal_closes_still_reports_what_it_counted(broker: RabbitMQ, tmp_path: Path) -> None:
    # SIGHUP, which a terminal that closes sends: its default ended the listener with nothing said or saved.
    summary = tmp_path / "summary.json"
    with _listening(broker, "hung-up", "--summary", str(summary), count=10, timeout=300) as listening:
        config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("hung-up",))
        for message in _mix("seed", 3, seed=29):
            Notifier(config=config).send(message)
        time.sleep(3)  # the listener counts them
        listening.send_signal(signal.SIGHUP)
        out, err = listening.communicate(timeout=120)
    assert "Traceback" not in err
    assert "3 received: 3 valid, 0 invalid" in out
    assert json.loads(summary.read_text(encoding="utf-8"))["received"] == 3
    assert "stopped by SIGHUP with 3 of 10 notifications" in err
    assert listening.returncode == 1


def _until_written(path: Path, timeout: float = 60) -> None:
    """Wait until ``path`` holds a line: a listener has counted a message it writes there. Read every 10 ms, so that
    the listener is stopped in the middle of its work, however long its start took (the broker's own count, asked
    with rabbitmqctl, takes a second to ask: time enough, on a quiet machine, to count every message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and b"\n" in path.read_bytes():
            return
        time.sleep(0.01)
    raise AssertionError(f"nothing was written to {path} in {timeout} s")


def test_listen_command_stopped_while_the_broker_sends_ahead_loses_nothing_and_says_one_line(
    broker: RabbitMQ, tmp_path: Path
) -> None:
    # The broker sends a consumer what is queued ahead of its handling; stopped, the listener's channel closes with
    # thousands of deliveries on the way, each of which py-amqp logged as a warning line. They go back to the queue.
    topic = "sent-ahead"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    with _listening(broker, topic, count=1, timeout=60) as first:  # declares the queues, which outlive it
        Notifier(config=config).send(_mix("seed", 1, seed=47)[0])
        first.communicate(timeout=90)
    messages = _mix("seed", 5_000, seed=43)
    messages[0] = dict(messages[0], unexpected=1)  # invalid: written to --invalid-out once counted
    _publish_raw(broker, f"{topic}.info", [(json.dumps(_as_oslo_sends(m)).encode(), AS_JSON) for m in messages])
    stopped, drained, invalid = tmp_path / "stopped.json", tmp_path / "drained.json", tmp_path / "invalid.jsonl"
    options = ("--summary", str(stopped), "--invalid-out", str(invalid))
    with _listening(broker, topic, *options, count=len(messages), timeout=300) as listening:
        _until_written(invalid)  # the first message counted, the rest queued or on the way
        listening.send_signal(signal.SIGTERM)
        _, err = listening.communicate(timeout=120)
    assert "during closing channel" not in err
    assert (err.splitlines() or [""])[-1].startswith("stopped by SIGTERM with "), err[-500:]
    assert len(err.splitlines()) < 10, err[-500:]
    command = [*_listen(broker, topic, count=len(messages), timeout=20), "--summary", str(drained)]
    subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    tallies = [Tally.from_json(json.loads(path.read_text(encoding="utf-8"))) for path in (stopped, drained)]
    assert 0 < tallies[0].total < len(messages)  # stopped in the middle of its work
    assert tallies[0].add(tallies[1]).message_ids == {m["message_id"] for m in messages}


def _drained(reader: int) -> bytes:
    """What a FIFO's reader, opened without blocking, has still to read."""
    data = b""
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(reader, 1 << 20):
            data += chunk
    return data


def _held(reader: int) -> int:
    """Bytes a pipe holds that its reader has not read."""
    held = array.array("i", [0])
    fcntl.ioctl(reader, termios.FIONREAD, held)
    return held[0]


@pytest.mark.parametrize("stops", [[signal.SIGTERM], [signal.SIGTERM, signal.SIGINT]])
def test_listen_command_whose_fifo_reader_stops_reading_stops_with_every_message_accounted_for(
    broker: RabbitMQ, tmp_path: Path, stops: list[signal.Signals]
) -> None:
    # --invalid-out on a FIFO whose reader stopped reading: once the pipe was full, a consumer thread blocked in its
    # write holding the listener's lock, which stop() waits on; SIGTERM could not end the run, and a second signal
    # had the summary written but the process never ended.
    topic = f"stalled-fifo-{len(stops)}"
    names = {"invalid": tmp_path / "invalid.fifo", "summary": tmp_path / "summary.fifo"}
    for name in names.values():
        os.mkfifo(name)
    readers = {what: os.open(name, os.O_RDONLY | os.O_NONBLOCK) for what, name in names.items()}  # never read
    messages = [dict(m, pad="x" * 3_000) for m in _mix("seed", 60, seed=61)]  # invalid, more than a pipe holds
    options = ("--invalid-out", str(names["invalid"]), "--summary", str(names["summary"]))
    try:
        with _listening(broker, topic, *options, count=len(messages), timeout=300) as listening:
            _publish_raw(broker, f"{topic}.info", [(json.dumps(_as_oslo_sends(m)).encode(), AS_JSON) for m in messages])
            held, steady = -1, 0
            while steady < 10:  # the pipe full: the listener waits on its reader
                steady, held = (steady + 1 if _held(readers["invalid"]) == held > 0 else 0), _held(readers["invalid"])
                time.sleep(0.1)
            began = time.monotonic()
            for stop in stops:
                listening.send_signal(stop)
                time.sleep(0.3)
            out, err = listening.communicate(timeout=60)
            took = time.monotonic() - began
        written = _drained(readers["invalid"])
        summary = json.loads(_drained(readers["summary"]))
    finally:
        for reader in readers.values():
            os.close(reader)
    assert took < 30, err[-500:]
    assert listening.returncode == 2, err[-500:]
    assert err.splitlines()[-1] == (f"notify-schemas: error: {names['invalid']}: its reader stopped reading: given "
                                    "up, none of it written; the invalid notification and every one after it were "
                                    "left on the queue")  # fmt: skip
    records = [json.loads(line) for line in written.splitlines()]  # whole lines only
    assert written.endswith(b"\n")
    assert 0 < len(records) < len(messages)
    assert out.startswith(f"{len(records)} received: 0 valid, {len(records)} invalid")
    stopped = Tally.from_json(summary)
    assert stopped.message_ids == {r["notification"]["message_id"] for r in records}  # each written one counted
    drained = tmp_path / "drained.json"  # and what was not written went back to the queue
    subprocess.run([*_listen(broker, topic, count=len(messages), timeout=20), "--summary", str(drained)],
                   capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    rest = Tally.from_json(json.loads(drained.read_text(encoding="utf-8")))
    assert stopped.add(rest).message_ids == {m["message_id"] for m in messages}
    assert rest.total == len(messages) - stopped.total


def test_listen_command_counts_no_more_than_its_count(broker: RabbitMQ, tmp_path: Path) -> None:
    # The consumer threads went on counting, and acknowledging, while the main thread looked at the count every 50 ms
    # and then stopped them: listen --count 700 on a full queue took 1,213 messages off it, --count 1 hundreds.
    topic = "counted"
    config = NotifierConfig(drivers=("messaging",), transport_url=broker.url, topics=(topic,))
    with _listening(broker, topic, count=1, timeout=60) as first:  # declares the queues, which outlive it
        Notifier(config=config).send(_mix("seed", 1, seed=53)[0])
        first.communicate(timeout=90)
    messages = _mix("seed", 3_000, seed=59)
    _publish_raw(broker, f"{topic}.info", [(json.dumps(_as_oslo_sends(m)).encode(), AS_JSON) for m in messages])
    summaries = [tmp_path / f"summary{i}.json" for i in range(3)]
    for summary, count in zip(summaries, (1, 500), strict=False):
        command = [*_listen(broker, topic, count=count, timeout=120), "--summary", str(summary)]
        taken = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        assert taken.returncode == 0, taken.stderr[-500:]
        assert taken.stdout.startswith(f"{count:,} received: {count:,} valid, 0 invalid"), taken.stdout
    rest = [*_listen(broker, topic, count=len(messages), timeout=20), "--summary", str(summaries[2])]
    subprocess.run(rest, capture_output=True, text=True, timeout=120, check=False)
    tallies = [Tally.from_json(json.loads(path.read_text(encoding="utf-8"))) for path in summaries]
    assert [t.total for t in tallies[:2]] == [1, 500]
    assert tallies[0].add(tallies[1]).add(tallies[2]).message_ids == {m["message_id"] for m in messages}


def test_listen_command_stops_at_its_timeout(broker: RabbitMQ) -> None:
    command = _listen(broker, "quiet", count=1, timeout=3)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1  # fewer than --count arrived
    assert "0 received: 0 valid, 0 invalid" in result.stdout
    assert "timed out after 3.0 s with 0 of 1 notifications" in result.stderr


def test_emit_through_a_cluster_url_whose_first_host_is_down_says_it_sent(broker: RabbitMQ, tmp_path: Path) -> None:
    # oslo.messaging logs, as an error, each connection attempt that fails before it tries the next host of the URL;
    # emit took that for a send that failed: exit 1 and "not sent by every driver", for a notification delivered.
    topic = "first-host-down"
    with socket.socket() as closed:  # a port no broker listens on
        closed.bind(("127.0.0.1", 0))
        down = closed.getsockname()[1]
    url = broker.url.replace("rabbit://", f"rabbit://guest:guest@127.0.0.1:{down},", 1)
    conf = tmp_path / "glance-api.conf"
    conf.write_text(f"[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = {url}\ntopics = {topic}\n"
                    "retry = 3\n")  # fmt: skip
    message = _mix("seed", 1, seed=67)[0]
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(message["payload"]))
    cli = str(Path(sys.executable).parent / "notify-schemas")
    command = [cli, "emit", message["event_type"], message["priority"], "--payload", str(payload),
               "--config-file", str(conf)]  # fmt: skip
    listener = Listener(NotifierConfig(transport_url=broker.url, topics=(topic,)), profile="seed")
    listener.start(timeout=30)
    emitted: list[subprocess.CompletedProcess[str]] = []
    try:  # oslo tries the hosts in an order of chance: until one emit met the host that is down (1 in 2 each)
        while len(emitted) < 16 and not any("Connection failed" in e.stderr for e in emitted):
            emitted.append(subprocess.run(command, capture_output=True, text=True, timeout=120, check=False))
        assert listener.wait_for(len(emitted), timeout=60), listener.tally.line()
    finally:
        listener.stop()
    assert "Connection failed" in emitted[-1].stderr  # oslo's attempt on the host that is down, logged
    assert [e.returncode for e in emitted] == [0] * len(emitted), emitted[-1].stderr[-500:]
    assert not any("not sent" in e.stderr for e in emitted)


def test_each_inner_driver_of_the_dropin_driver_gets_the_notification_it_judged(broker: RabbitMQ) -> None:
    # oslo's messaging drivers add their _unique_id to the dict they are given: behind the drop-in driver, every
    # inner driver after messagingv2 (log, test, routing) got the notification with a seventh key, which neither
    # oslo's own Notifier nor the drop-in's judging shows, and which validate, given such a log, calls invalid.
    import oslo_messaging
    from oslo_config import cfg
    from oslo_messaging.notify import _impl_test

    from notify_schemas.broker.oslo_driver import OPTIONS

    topic = "dropin-inner"
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    conf.register_opts(OPTIONS, group="notify_schemas")
    conf.set_override("inner_driver", ["messagingv2", "test"], group="notify_schemas")
    conf.set_override("profile", "seed", group="notify_schemas")
    transport = oslo_messaging.get_notification_transport(conf, url=broker.url)
    notifier = oslo_messaging.Notifier(transport, publisher_id="image.localhost", driver="notify_schemas",
                                       topics=[topic])  # fmt: skip
    listener = Listener(NotifierConfig(transport_url=broker.url, topics=(topic,)), profile="seed")
    listener.start(timeout=30)
    _impl_test.reset()
    try:
        for message in _mix("seed", 3, seed=73):
            send = getattr(notifier, message["priority"].lower())  # info, warn, error
            send({"auth_token": "a-token"}, message["event_type"], message["payload"])
        assert listener.wait_for(3, timeout=60), listener.tally.line()
    finally:
        listener.stop()
        transport.cleanup()
    kept = [message for _, message, _, _ in _impl_test.NOTIFICATIONS]
    assert [sorted(m) for m in kept] == [sorted(m) for m in listener.received]
    assert all(is_valid(m) for m in kept)


def test_conformance_checks_live_traffic_on_the_broker(broker: RabbitMQ, capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    from notify_schemas.conformance.cli import main as conformance

    config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url)
    good = _mix("seed", 40, seed=4)
    image = next(m for m in good if isinstance(m["payload"], dict) and "disk_format" in m["payload"])
    leaky = dict(image, message_id=str(uuid.uuid4()))
    leaky["payload"] = dict(image["payload"], locations=[{"url": "swift://user:secret@swift/c/o"}])

    def send() -> None:
        time.sleep(3)  # the suite's listener declares its queues first
        for message in good:
            Notifier(config=config).send(message)
        Notifier(config=config, validation="off").send(leaky)

    sender = threading.Thread(target=send)
    sender.start()
    code = conformance(["--transport-url", broker.url, "--count", "41", "--timeout", "60"])
    sender.join()
    out = capsys.readouterr().out
    assert code == 1
    assert "schema.valid" in out
    assert "security.no_leak" in out
    passed = {line.split()[0]: int(line.split()[2]) for line in out.splitlines()[1:9] if line.split()[1:2] == ["MUST"]}
    assert passed["envelope.keys"] == 41


def test_demo_keeps_to_its_own_messages_on_the_broker(broker: RabbitMQ) -> None:
    # The demo sent on Glance's topic and listened on its queues: it took (and acknowledged) a consumer's notification
    # waiting there, counted it as its own, stopped at its count and left two of its own on the queue, unsaid.
    theirs = next(samples("image.update", "INFO", n=1, seed=41))
    glance = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url)  # topic notifications, as Glance's
    Notifier(config=glance).send(theirs)  # oslo declares the queue it publishes to: it waits there for its consumer
    earlier = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("notify-schemas-demo",))
    left = next(samples("task.run", "INFO", n=1, seed=43))
    Notifier(config=earlier).send(left)  # what an earlier demo, stopped, left on the demo's own queue
    cli = str(Path(sys.executable).parent / "notify-schemas")
    done = subprocess.run([cli, "demo", "--transport-url", broker.url], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "topic notify-schemas-demo: 16 received: 16 valid, 0 invalid" in done.stdout
    consumer = Listener(glance, profile="seed")
    consumer.start(timeout=30)
    try:
        assert consumer.wait_for(1, timeout=30), "the notification waiting for Glance's consumer was taken"
        time.sleep(1)  # nothing of the demo's comes after it
    finally:
        consumer.stop()
    assert [m["message_id"] for m in consumer.received] == [theirs["message_id"]]


def _peak_rss(pid: int) -> int:
    """The peak resident memory of a process so far, in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) * 1024


def test_listen_command_takes_a_body_over_its_limit_by_its_size(broker: RabbitMQ, tmp_path: Path) -> None:
    # A body over --max-record-bytes is invalid without being judged or copied: its record is its envelope, cut, and
    # the violation; the listener's memory is what oslo's decoding took. Judged whole, this message made the
    # listener's peak memory grow by some 45 times the body (its 3 million items each walked, copied and masked).
    invalid_out = tmp_path / "invalid.jsonl"
    options = ("--invalid-out", str(invalid_out), "--max-record-bytes", "1000000")
    with _listening(broker, "too-large", *options, count=3, timeout=120) as listening:
        before = _peak_rss(listening.pid)
        good = _mix("seed", 3, seed=29)
        large = dict(good[0], event_type="image.update", priority="INFO")
        large["payload"] = {"tags": [7] * 3_000_000, "name": "swift://u:CANARY@h/c"}
        bad = dict(good[1], message_id="not-a-uuid")
        with kombu.Connection(broker.url.replace("rabbit://", "amqp://")) as connection:
            producer = connection.Producer(exchange=kombu.Exchange("glance", type="topic", durable=False))

            def publish(message: dict[str, Any]) -> int:
                body = json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(_as_oslo_sends(message))})
                producer.publish(body, routing_key=f"too-large.{message['priority'].lower()}",
                                 content_type="application/json", content_encoding="utf-8")  # fmt: skip
                return len(body)

            size = publish(large)
            publish(bad)
            deadline = time.monotonic() + 60
            while len(invalid_out.read_text().splitlines() if invalid_out.exists() else []) < 2:
                assert listening.poll() is None, "the listener ended before it wrote two records"
                assert time.monotonic() < deadline, "two records not written within 60 s"
                time.sleep(0.1)
            grown = _peak_rss(listening.pid) - before
            publish(good[2])  # the third: the listener ends
        out, err = listening.communicate(timeout=60)
    assert listening.returncode == 1, err
    assert "3 received: 1 valid, 2 invalid" in out
    assert "Traceback" not in err
    records = {r["notification"]["message_id"]: r for r in map(json.loads, invalid_out.read_text().splitlines())}
    assert records[large["message_id"]] == {
        "notification": {k: large[k] for k in ("message_id", "publisher_id", "event_type", "priority", "timestamp")},
        "violations": [{"pointer": "", "value": "", "rule": "too-large", "variant": None,
                        "message": f"the message's body is {size:,} bytes, over the limit of 1,000,000; "
                                   "not validated"}],
    }  # fmt: skip
    assert {v["pointer"] for v in records["not-a-uuid"]["violations"]} == {"/message_id"}
    assert grown < 15 * size, f"peak memory grew by {grown:,} bytes for a body of {size:,}"
