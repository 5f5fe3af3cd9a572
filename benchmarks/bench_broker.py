"""Throughput through a real RabbitMQ: the Notifier with strict validation against the same with none, side by side.

Starts a RabbitMQ node of its own (Debian's rabbitmq-server, as the tests do), sends the same pre-built messages
through oslo.messaging's messagingv2 driver in alternating rounds, and prints messages per second and the share of
throughput that validation costs (goal: under 5%). A listener counts what arrives, so the figures include the loss:
every message sent must be received.

    nox -s bench        (runs benchmarks/bench.py, then this)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "interop"))

from rabbitmq import RabbitMQ

from notify_schemas import Notifier, variants
from notify_schemas.broker.listener import Listener
from notify_schemas.config import NotifierConfig
from notify_schemas.samples import samples

ROUNDS = 9
PER_ROUND = 1_500


def _messages(count: int) -> list[dict[str, Any]]:
    known = variants("seed")
    pools = [list(samples(v.event_type, v.priority, n=count // len(known) + 1, seed=9)) for v in known]
    return [pools[i % len(known)][i // len(known)] for i in range(count)]


def _round(notifier: Notifier, messages: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for m in messages:
        notifier.info({}, m["event_type"], m["payload"]) if m["priority"] == "INFO" else notifier.error(
            {}, m["event_type"], m["payload"]
        ) if m["priority"] == "ERROR" else notifier.warn({}, m["event_type"], m["payload"])
    return len(messages) / (time.perf_counter() - start)


def _validation_cost_us(messages: list[dict[str, Any]]) -> float:
    """What strict validation itself costs per message, timed apart from the broker."""
    from notify_schemas.validation import validate

    start = time.perf_counter()
    for _ in range(5):
        for m in messages:
            validate(m)
    return (time.perf_counter() - start) / (5 * len(messages)) * 1e6


def main() -> None:
    messages = _messages(PER_ROUND)
    with tempfile.TemporaryDirectory() as tmp:
        broker = RabbitMQ(Path(tmp) / "rabbitmq")
        broker.start()
        try:
            config = NotifierConfig(drivers=("messagingv2",), transport_url=broker.url, topics=("bench",))
            strict = Notifier(config=config, validation="strict")
            off = Notifier(config=config, validation="off")
            off.drivers = strict.drivers  # one connection pool for both: only validation differs
            _round(strict, messages[:200])  # warm-up: connections, validators
            rates: dict[str, list[float]] = {"validation off": [], "validation strict": []}
            for n in range(ROUNDS):
                # The queue grows while the rounds run: each mode goes first in every other round, so that neither
                # always sends to the fuller queue.
                pair = [("validation off", off), ("validation strict", strict)]
                for mode, notifier in pair if n % 2 == 0 else reversed(pair):
                    rates[mode].append(_round(notifier, messages))
            sent = 200 + 2 * ROUNDS * PER_ROUND
            # The listener starts after the rounds, so that consuming does not compete with sending; the queue kept
            # every message meanwhile.
            listener = Listener(config, profile="seed")
            listener.start()
            arrived = listener.wait_for(sent, timeout=180)
            time.sleep(1)
            listener.stop()
        finally:
            broker.remove()
    print(f"RabbitMQ throughput, messagingv2, {PER_ROUND:,} messages per round, {ROUNDS} rounds each, alternating")
    print(f"  {'mode':20} {'median msg/s':>14} {'min':>10} {'max':>10}")
    medians = {}
    for mode, values in rates.items():
        medians[mode] = statistics.median(values)
        print(f"  {mode:20} {medians[mode]:14,.0f} {min(values):10,.0f} {max(values):10,.0f}")
    cost = 1 - medians["validation strict"] / medians["validation off"]
    per_message = _validation_cost_us(messages)
    share = per_message / (1e6 / medians["validation off"])
    print(f"  measured: validation costs {cost:.1%} of the throughput (rounds vary by more than that: see min/max)")
    send_us = 1e6 / medians["validation off"]
    print(f"  validation alone: {per_message:.1f} µs per message, {share:.2%} of the {send_us:.0f} µs a send takes")
    lost = sent - listener.tally.total - listener.tally.duplicates
    print(
        f"  delivery: {listener.tally.total:,} of {sent:,} received, {sum(listener.tally.invalid.values())} invalid, "
        f"{'none lost' if arrived and not lost else f'{lost} LOST'}"
    )
    print(f"goal  {'PASS' if max(cost, share) < 0.05 else 'FAIL'}  validation cost {max(cost, share):.1%} (goal < 5%)")


if __name__ == "__main__":
    main()
