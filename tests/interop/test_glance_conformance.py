"""Real Glance's notifier, behind an adapter, through the conformance suite (``nox -s glance``): it passes the glance
profile, and under the seed profile it fails exactly the checks that schemas/DECISIONS.md predicts."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from notify_schemas import variants
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.runner import run

pytestmark = pytest.mark.glance

DECISIONS = Path(__file__).parent.parent.parent / "schemas" / "DECISIONS.md"


def test_real_glance_passes_the_glance_profile() -> None:
    from glance_adapter import produce

    cases = [i for v in variants("glance") for i in intents(v.event_type, v.priority, profile="glance", examples=25,
                                                            seed=1)]  # fmt: skip
    report = run(produce, profile="glance", only=cases)
    assert not report.stopped, report.stopped
    assert report.failures == [], report.summary() + "\n" + report.failure_details("")
    assert {name for _, name in report.passed} == {f"{v.event_type} {v.priority}" for v in variants("glance")}


def _predicted() -> dict[str, set[str]]:
    """The table between the glance-seed-conformance markers: `| event PRIORITY | checks failed | because |`."""
    text = DECISIONS.read_text()
    table = text.split("<!-- glance-seed-conformance:start -->")[1].split("<!-- glance-seed-conformance:end -->")[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([a-z_.]+)`", cells[1]))
    return rows


def test_real_glance_fails_the_seed_profile_exactly_where_decisions_says() -> None:
    from glance_adapter import produce

    cases = [i for v in variants("seed") for i in intents(v.event_type, v.priority, profile="seed", examples=10,
                                                          seed=2)]  # fmt: skip
    report = run(produce, profile="seed", only=cases)
    assert not report.stopped, report.stopped
    failed: dict[str, set[str]] = defaultdict(set)
    for check_id, variant in report.failed:  # every failure counted, not only those kept whole
        failed[variant].add(check_id)
    predicted = _predicted()
    assert set(predicted) == {f"{v.event_type} {v.priority}" for v in variants("seed")}
    assert {name: failed.get(name, set()) for name in predicted} == predicted
