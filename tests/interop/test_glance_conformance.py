"""Real Glance's notifier, behind an adapter, through the conformance suite (``nox -s glance``)."""

from __future__ import annotations

import pytest

from conformance.intents import intents
from conformance.runner import run
from notify_schemas import variants

pytestmark = pytest.mark.glance


def _covered(event_type: str, priority: str) -> bool:
    """The variants the adapter drives: every image and task event but image.prepare and image.upload INFO."""
    if event_type in ("image.prepare", "image.upload"):
        return (event_type, priority) == ("image.upload", "ERROR")
    return event_type.startswith(("image.", "task."))


COVERED = [v for v in variants("glance") if _covered(v.event_type, v.priority)]


def test_real_glance_passes_the_glance_profile() -> None:
    from glance_adapter import produce

    cases = [i for v in COVERED for i in intents(v.event_type, v.priority, profile="glance", examples=25, seed=1)]
    report = run(produce, profile="glance", only=cases)
    assert report.failures == [], report.summary() + "\n" + report.failure_details("")
    assert len(COVERED) >= 15
