"""The validating tap on a RabbitMQ cluster: three nodes of the tests' own, notifications on quorum queues, listeners
sharing a queue through oslo.messaging's listener pool. A node stops and comes back mid-stream; a listener is killed
mid-stream; real Glance sends through the cluster behind the drop-in driver. Delivery is at least once: every id sent
is received or its failure to send is in oslo's log, and a message delivered again is counted as a duplicate.

Run by ``nox -s broker``, with Debian's rabbitmq-server (installed by ``.ci/run``).
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rabbitmq import Cluster, ctl

from notify_schemas import variants
from notify_schemas.broker.listener import Listener
from notify_schemas.config import load_config
from notify_schemas.notifier import Notifier
from notify_schemas.samples import samples

pytestmark = pytest.mark.rabbitmq

MESSAGES = 20_000


def glance_conf(path: Path, cluster: Cluster, topic: str) -> Path:
    """What a cloud's glance-api.conf says: the cluster's URL, the topic, and quorum queues for notifications."""
    path.write_text(
        "[oslo_messaging_notifications]\n"
        "driver = messagingv2\n"
        f"transport_url = {cluster.url}\n"
        f"topics = {topic}\n"
        "retry = 3\n"
        "[oslo_messaging_rabbit]\n"
        "rabbit_quorum_queue = true\n",
        encoding="utf-8",
    )
    return path


def mixed(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` valid notifications of every seed variant, each with its own id."""
    every = variants("seed")
    per = -(-count // len(every))
    found = [m for i, v in enumerate(every) for m in samples(v.event_type, v.priority, n=per, seed=seed + i)]
    return found[:count]


def queue_types(cluster: Cluster) -> dict[str, str]:
    rows = json.loads(ctl(cluster.nodes[0], "list_queues", "name", "type", "--formatter", "json") or "[]")
    return {row["name"]: row["type"] for row in rows}


def test_a_node_stops_and_returns_mid_stream_and_nothing_is_lost(
    cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(glance_conf(tmp_path / "glance-api.conf", cluster, "pooled"))
    pool = [Listener(config, profile="seed", pool="tap") for _ in range(2)]
    for listener in pool:
        listener.start(timeout=60)
    assert queue_types(cluster).get("tap") == "quorum"  # the pool's queue, which oslo names after the pool
    notifier = Notifier(config=config)
    messages = mixed(MESSAGES, seed=1)
    everything = {m["message_id"] for m in messages}
    stopped = cluster.nodes[1]
    try:
        with caplog.at_level(logging.ERROR):
            for n, message in enumerate(messages):
                if n == MESSAGES // 4:
                    stopped.stop()
                if n == MESSAGES // 2:
                    stopped.start()
                notifier.send(message)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                received = {i for listener in pool for i in listener.tally.message_ids}
                if received | {i for i in everything - received if i in caplog.text} == everything:
                    break
                time.sleep(1)
    finally:
        for listener in pool:
            listener.stop()
    tallies = [listener.tally for listener in pool]
    total = tallies[0].add(tallies[1])
    received = total.message_ids
    reported = {i for i in everything - received if i in caplog.text}
    lost = everything - received - reported
    assert not lost, f"{len(lost)} of {MESSAGES} neither received nor reported in oslo's log"
    assert all(t.total > MESSAGES // 10 for t in tallies), [t.line() for t in tallies]  # the pool shared the work
    assert total.total == len(received)  # a delivery again is a duplicate, never a new one
    assert not total.invalid
    assert total.total + total.duplicates == sum(t.total + t.duplicates for t in tallies)
    assert len(received) >= MESSAGES * 0.9


def _listen(config: Path, *, invalid_out: Path, summary: Path) -> subprocess.Popen[str]:
    cli = str(Path(sys.executable).parent / "notify-schemas")
    return subprocess.Popen(
        [cli, "listen", "--config-file", str(config), "--pool", "tap-kill", "--profile", "glance", "--timeout", "600",
         "--invalid-out", str(invalid_out), "--summary", str(summary)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_killed_listener_leaves_what_it_had_not_acknowledged_to_the_other(cluster: Cluster, tmp_path: Path) -> None:
    # These seed notifications are invalid under the glance profile (a task's keys, a WARN Glance never sends), so each
    # listener writes every message it handles to the shared --invalid-out before acknowledging it: the file shows
    # who handled what.
    conf = glance_conf(tmp_path / "glance-api.conf", cluster, "killed")
    invalid = tmp_path / "invalid.jsonl"
    doomed = _listen(conf, invalid_out=invalid, summary=tmp_path / "doomed.json")
    survivor = _listen(conf, invalid_out=invalid, summary=tmp_path / "survivor.json")
    notifier = Notifier(config=load_config(conf))
    messages = [m for m in mixed(6_000, seed=2) if m["priority"] == "WARN" or m["event_type"].startswith("task.")]
    everything = {m["message_id"] for m in messages}
    try:
        time.sleep(5)  # both consumers are on the queue
        for n, message in enumerate(messages):
            notifier.send(message)
            if n == len(messages) // 2:
                doomed.send_signal(signal.SIGKILL)  # no acknowledgement, no summary: its unacknowledged go back
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen = {json.loads(line)["notification"]["message_id"] for line in _lines(invalid)}
            if seen >= everything:
                break
            time.sleep(1)
    finally:
        survivor.send_signal(signal.SIGTERM)  # as a service manager stops it; a background job may ignore SIGINT
        out, err = survivor.communicate(timeout=120)
        doomed.wait(timeout=10)
    handled = [json.loads(line)["notification"]["message_id"] for line in _lines(invalid)]
    assert set(handled) >= everything, f"{len(everything - set(handled))} never handled by any listener"
    summary = json.loads((tmp_path / "survivor.json").read_text(encoding="utf-8"))
    assert summary["received"] > 0, out + err
    assert not (tmp_path / "doomed.json").exists()  # it died without a summary


@pytest.mark.glance
def test_real_glance_sends_through_the_cluster_behind_the_drop_in_driver(cluster: Cluster, tmp_path: Path) -> None:
    from glance_stream import configure, emit_everything
    from oslo_config import cfg

    # Glance reads the same file as the tap: the cluster, and quorum queues (durable, as the cluster's exchange is).
    conf = glance_conf(tmp_path / "glance-api.conf", cluster, "glance-cluster")
    configure("notify_schemas", cluster.url, config_files=(str(conf),), inner_driver="messagingv2", profile="glance",
              validation="strict")  # fmt: skip
    cfg.CONF.set_override("topics", ["glance-cluster"], group="oslo_messaging_notifications")
    listener = Listener(load_config(conf), profile="glance", pool="glance-tap")
    listener.start(timeout=60)
    try:
        sent = emit_everything(configured=True)
        assert sent == []  # nothing kept by oslo's test driver: everything went to the cluster
        assert listener.wait_for(40, timeout=120), listener.tally.line()
    finally:
        listener.stop()
    assert (listener.tally.total, sum(listener.tally.invalid.values()), listener.tally.duplicates) == (40, 0, 0)
    assert {m["event_type"] for m in listener.received} >= {"image.upload", "task.success", "metadef_tag.delete"}
