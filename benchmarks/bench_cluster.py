"""Throughput into and out of a three-node RabbitMQ cluster with quorum queues: one listener and two in a pool,
validation on and off, in one run.

Starts a cluster of its own (Debian's rabbitmq-server, as the tests do). For each configuration it sends the same
number of notifications through oslo.messaging's messagingv2 driver (the rate in), then starts the listeners on the
full queue and times until every message is counted (the rate out). Validation on and off alternate, round after
round, and the medians are compared; beside them, what validation alone costs per message, timed apart from the
broker (goal: under 5% of what a listener spends on a message). Three broker nodes, the producer and the listeners
share this machine's cores, so single rounds vary by more than validation costs.

    nox -s bench        (runs this after benchmarks/bench_broker.py)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "interop"))

from rabbitmq import Cluster

from notify_schemas import Notifier, variants
from notify_schemas.broker.listener import Listener, Tally
from notify_schemas.config import load_config
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid_plain

PER_RUN = 3_000
ROUNDS = 3


def _run(cluster: Cluster, folder: Path, name: str, messages: list[dict[str, Any]], listeners: int,
         validate: bool) -> tuple[float, float, Tally]:  # fmt: skip
    conf = folder / f"{name}.conf"
    conf.write_text(
        f"[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = {cluster.url}\ntopics = {name}\n"
        "[oslo_messaging_rabbit]\nrabbit_quorum_queue = true\n", encoding="utf-8"
    )  # fmt: skip
    config = load_config(conf)
    first = Listener(config, pool=name, keep_received=False)  # declares the pool's queue before anything is sent
    first.start(timeout=60)
    first.stop()
    notifier = Notifier(config=config, validation="off")
    start = time.perf_counter()
    for m in messages:
        {"INFO": notifier.info, "WARN": notifier.warn, "ERROR": notifier.error}[m["priority"]]({}, m["event_type"],
                                                                                            m["payload"])  # fmt: skip
    rate_in = len(messages) / (time.perf_counter() - start)
    pool = [Listener(config, pool=name, validate=validate, keep_received=False) for _ in range(listeners)]
    start = time.perf_counter()
    for listener in pool:
        listener.start(timeout=60)
    deadline = time.monotonic() + 300
    while sum(x.tally.total for x in pool) < len(messages) and time.monotonic() < deadline:
        time.sleep(0.02)
    rate_out = sum(x.tally.total for x in pool) / (time.perf_counter() - start)
    total = Tally()
    for listener in pool:
        listener.stop()
        total = total.add(listener.tally)
    return rate_in, rate_out, total


def main() -> None:
    known = variants("seed")
    messages = [m for v in known for m in samples(v.event_type, v.priority, n=PER_RUN // len(known) + 1, seed=4)]
    messages = messages[:PER_RUN]
    rates: dict[tuple[int, bool], list[tuple[float, float]]] = {}
    received = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(Path(tmp) / "cluster")
        cluster.start()
        try:
            n = 0
            for _ in range(ROUNDS):
                for listeners in (1, 2):
                    for validate in (False, True):
                        n += 1
                        rate_in, rate_out, total = _run(cluster, Path(tmp), f"bench{n}", messages, listeners, validate)
                        rates.setdefault((listeners, validate), []).append((rate_in, rate_out))
                        received = received.add(total)
        finally:
            cluster.remove()
    start = time.perf_counter()
    for m in messages:
        is_valid_plain(m, profile="seed")
    validation_us = (time.perf_counter() - start) / len(messages) * 1e6
    print(f"RabbitMQ cluster of 3 nodes, quorum queues, messagingv2, {PER_RUN:,} notifications a run, {ROUNDS} rounds")
    print(f"  {'configuration':36} {'in msg/s':>10} {'out msg/s':>10} {'out min':>9} {'out max':>9}")
    medians = {}
    for (listeners, validate), values in rates.items():
        name = f"{listeners} listener{'s (pool)' if listeners > 1 else ''}, validation {'on' if validate else 'off'}"
        outs = [o for _, o in values]
        medians[listeners, validate] = statistics.median(outs)
        print(f"  {name:36} {statistics.median(i for i, _ in values):10,.0f} {medians[listeners, validate]:10,.0f} "
              f"{min(outs):9,.0f} {max(outs):9,.0f}")  # fmt: skip
    for listeners in (1, 2):
        per_message_us = 1e6 / medians[listeners, False] * listeners
        share = validation_us / per_message_us
        measured = 1 - medians[listeners, True] / medians[listeners, False]
        print(f"  {listeners} listener(s): validation alone {validation_us:.1f} µs of the {per_message_us:.0f} µs a "
              f"listener spends on a message: {share:.2%} (goal < 5%); medians differ by {measured:.1%}")  # fmt: skip
    print(f"  two listeners against one, validation on: {medians[2, True] / medians[1, True]:.2f}x")
    print(f"  delivery: {received.total:,} distinct messages received of {PER_RUN * len(rates) * ROUNDS:,} sent, "
          f"{received.duplicates} delivered again")  # fmt: skip


if __name__ == "__main__":
    main()
